package endpoints

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/testidp/testidp/keys"
)

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// keyPool holds keys generated once per test binary, so that tests do not
// spend a second generating RSA keys per provider: the n-th key of an
// algorithm is the same for every provider.
var keyPool = struct {
	sync.Mutex
	keys map[keys.Alg][]*keys.Key
}{keys: map[keys.Alg][]*keys.Key{}}

func poolKey(alg keys.Alg, n int, now time.Time) (*keys.Key, error) {
	keyPool.Lock()
	defer keyPool.Unlock()
	for len(keyPool.keys[alg]) <= n {
		k, err := keys.Generate(alg, now, keys.GenerateOptions{})
		if err != nil {
			return nil, err
		}
		keyPool.keys[alg] = append(keyPool.keys[alg], k)
	}
	return keyPool.keys[alg][n], nil
}

// pooledKey is the first pooled key of an algorithm.
func pooledKey(alg keys.Alg, now time.Time) (*keys.Key, error) { return poolKey(alg, 0, now) }

// pooledKeys hands a provider the pooled keys in turn, so that its
// rotations get new keys.
func pooledKeys() func(keys.Alg, time.Time) (*keys.Key, error) {
	var mu sync.Mutex
	next := map[keys.Alg]int{}
	return func(alg keys.Alg, now time.Time) (*keys.Key, error) {
		mu.Lock()
		n := next[alg]
		next[alg]++
		mu.Unlock()
		return poolKey(alg, n, now)
	}
}

// testEnv is a provider served on a loopback port.
type testEnv struct {
	t      *testing.T
	p      *Provider
	srv    *httptest.Server
	clock  *fakeClock
	issuer string
	cfg    Config
}

// defaultTestConfig is the built-in default configuration, parsed the way the
// command parses it (the fixtures package is not importable from here, so the
// file is read directly).
func defaultTestConfig(t testing.TB) Config {
	t.Helper()
	data, err := os.ReadFile("../fixtures/defaults.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		t.Fatalf("ParseConfig(defaults.yaml): %v", err)
	}
	cfg.DB = ":memory:"
	return cfg
}

// startEnv serves a provider on the default configuration changed by mutate.
func startEnv(t *testing.T, mutate func(*Config)) *testEnv {
	t.Helper()
	cfg := defaultTestConfig(t)
	if mutate != nil {
		mutate(&cfg)
	}
	return startEnvWith(t, cfg, Options{GenerateKey: pooledKeys()})
}

func startEnvWith(t *testing.T, cfg Config, opts Options) *testEnv {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	if cfg.Issuer == "" {
		cfg.Issuer = "http://" + srv.Listener.Addr().String()
	}
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	p, err := New(context.Background(), cfg, opts)
	if err != nil {
		srv.Close()
		t.Fatalf("New: %v", err)
	}
	srv.Config.Handler = p
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &testEnv{t: t, p: p, srv: srv, clock: clock, issuer: cfg.Issuer, cfg: cfg}
}

// provider discovers the env with go-oidc.
func (e *testEnv) provider() *oidc.Provider {
	e.t.Helper()
	p, err := oidc.NewProvider(context.Background(), e.issuer)
	if err != nil {
		e.t.Fatalf("oidc.NewProvider: %v", err)
	}
	return p
}

// browser is an HTTP client with a cookie jar that follows redirects within
// the provider and stops at the first one that leaves it (the client's
// redirect URI).
func (e *testEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	host := e.srv.Listener.Addr().String()
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != host {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// authorize runs an authorization request to the point where the provider
// redirects to the client, and returns that redirect's URL. The response
// must be a redirect (not a page).
func (e *testEnv) authorize(c *http.Client, authURL string) *url.URL {
	e.t.Helper()
	resp, err := c.Get(authURL)
	if err != nil {
		e.t.Fatalf("GET %s: %v", authURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("authorize: status %d, want a redirect to the client; body:\n%s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	return loc
}

// postForm posts a form and decodes the JSON answer.
func (e *testEnv) postForm(path string, form url.Values, basicUser, basicPass string) (int, map[string]any, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			e.t.Fatalf("POST %s: status %d, body is not JSON: %s", path, resp.StatusCode, body)
		}
	}
	return resp.StatusCode, m, resp.Header
}

// fragmentOrQuery returns the response parameters of an authorization
// redirect, from the fragment if there is one.
func fragmentOrQuery(u *url.URL) url.Values {
	if u.Fragment != "" {
		v, _ := url.ParseQuery(u.Fragment)
		return v
	}
	return u.Query()
}

// jwtClaim decodes one claim of a JWT's payload without verifying it.
func jwtClaim(t *testing.T, raw, name string) any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", raw)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}
