package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// binary is the release binary running as a child process.
type binary struct {
	cmd    *exec.Cmd
	listen string // http://127.0.0.1:port
	issuer string // the default issuer's URL
	stdout string // its banner, up to the discovery line
	exited chan struct{}
}

// startBinary starts the release binary with args and extra environment
// variables and waits for its banner's listening line.
func startBinary(t *testing.T, bin string, args []string, env ...string) *binary {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out syncBuffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &binary{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(b.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-b.exited
	})
	// The banner is written before the server accepts connections: once
	// /healthz answers, it is complete.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(out.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "listening: "); ok {
				b.listen = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "issuer: "); ok && b.issuer == "" {
				b.issuer = strings.TrimSpace(v)
			}
		}
		if b.listen != "" && b.issuer != "" {
			port := b.listen[strings.LastIndex(b.listen, ":")+1:]
			if resp, err := http.Get("http://127.0.0.1:" + port + "/healthz"); err == nil {
				resp.Body.Close()
				b.stdout = out.String()
				return b
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the binary did not serve within 10s; stdout:\n%s", out.String())
	return nil
}

// The testing API over the real binary: off, protected by an admin token
// from the environment, or open; and the banner's warning when it is open
// beyond loopback.
func TestBinaryTestingAPIProtection(t *testing.T) {
	bin := releaseBinary(t)
	cases := []struct {
		name       string
		args       []string
		env        []string
		noToken    int  // status of GET /_testidp/clock without a token
		withToken  int  // with "Bearer s3cret-admin"
		wantWarned bool // the banner's warning (listening on 0.0.0.0)
	}{
		{"open", nil, nil, http.StatusOK, http.StatusOK, true},
		{"admin token from the environment", nil, []string{"TESTIDP_ADMIN_TOKEN=s3cret-admin"}, http.StatusUnauthorized, http.StatusOK, false},
		{"switched off", []string{"--testing-api=false"}, nil, http.StatusNotFound, http.StatusNotFound, false},
		{"switched off from the environment", nil, []string{"TESTIDP_TESTING_API=false"}, http.StatusNotFound, http.StatusNotFound, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--addr", "0.0.0.0:0", "--db", ":memory:"}, tc.args...)
			b := startBinary(t, bin, args, tc.env...)
			if warned := strings.Contains(b.stdout, "warning:"); warned != tc.wantWarned {
				t.Errorf("banner warning shown %v, want %v:\n%s", warned, tc.wantWarned, b.stdout)
			}
			if strings.Contains(b.stdout, "s3cret") {
				t.Error("the banner shows the admin token")
			}
			port := b.listen[strings.LastIndex(b.listen, ":")+1:]
			for _, token := range []string{"", "s3cret-admin"} {
				req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+port+"/_testidp/clock", nil)
				want := tc.noToken
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
					want = tc.withToken
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("GET /_testidp/clock with token %q: %d, want %d", token, resp.StatusCode, want)
				}
			}
		})
	}
}

// TestSIGKILLUnderLoad kills the binary with SIGKILL while it serves
// tokens, logins and refreshes from several clients, then starts it again on
// the same database: the JWKS is the same, clients work, a refresh token and
// a browser session from before the kill still do.
func TestSIGKILLUnderLoad(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL on windows")
	}
	bin := releaseBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "testidp.db")
	args := []string{"--addr", "127.0.0.1:0", "--db", db, "--login", "auto"}
	first := startBinary(t, bin, args)
	issuer := first.issuer
	jwks := publishedKids(t, issuer)

	// Before the load: a browser session and a refresh token.
	browser, oc := loopbackBrowser(t, issuer)
	tok := codeExchange(t, browser, oc, "")
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token from the code flow")
	}

	// Load from several clients; SIGKILL in the middle of it.
	ctx, stop := context.WithCancel(context.Background())
	var served atomic.Int64
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			b, c := loopbackBrowser(t, issuer)
			cc := clientcredentials.Config{ClientID: "service", ClientSecret: "service-secret", TokenURL: issuer + "/token"}
			for ctx.Err() == nil {
				var err error
				if w%2 == 0 {
					_, err = cc.Token(ctx)
				} else {
					_, err = tryCodeExchange(b, c)
				}
				if err == nil {
					served.Add(1)
				}
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	loadStart := time.Now()
	for (served.Load() < 200 || time.Since(loadStart) < 300*time.Millisecond) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	stop()
	wg.Wait()
	if served.Load() < 200 {
		t.Fatalf("only %d requests served before the kill, want at least 200", served.Load())
	}

	// Restart on the same port (the browser's cookie is for it) and
	// database.
	again := startBinary(t, bin, []string{"--addr", strings.TrimPrefix(first.listen, "http://"), "--db", db, "--login", "auto"})
	if again.issuer != issuer {
		t.Fatalf("restarted as %s, want %s", again.issuer, issuer)
	}
	if got := publishedKids(t, issuer); !slices.Equal(got, jwks) {
		t.Errorf("JWKS kids after SIGKILL and restart = %v, want the same as before %v", got, jwks)
	}
	cc := clientcredentials.Config{ClientID: "service", ClientSecret: "service-secret", TokenURL: issuer + "/token"}
	at, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("client_credentials after restart: %v", err)
	}
	prov, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prov.VerifierContext(context.Background(), &oidc.Config{SkipClientIDCheck: true}).Verify(context.Background(), at.AccessToken); err != nil {
		t.Errorf("an access token issued after the restart does not verify against the JWKS: %v", err)
	}
	if _, err := oc.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token(); err != nil {
		t.Errorf("refresh token from before the kill: %v", err)
	}
	// The session from before the kill: prompt=none logs in (and a
	// browser without one is told login_required, so this is the session).
	if _, err := tryCodeExchange(browser, oc, oauth2.SetAuthURLParam("prompt", "none")); err != nil {
		t.Errorf("prompt=none with the session from before the kill: %v", err)
	}
	fresh, _ := loopbackBrowser(t, issuer)
	if _, err := tryCodeExchange(fresh, oc, oauth2.SetAuthURLParam("prompt", "none")); err == nil || !strings.Contains(err.Error(), "login_required") {
		t.Errorf("prompt=none without a session: %v, want login_required", err)
	}
}

// publishedKids lists the key ids of the issuer's JWKS, sorted.
func publishedKids(t *testing.T, issuer string) []string {
	t.Helper()
	resp, err := http.Get(issuer + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	slices.Sort(kids)
	return kids
}

// loopbackBrowser is a cookie-keeping client that stops at the redirect to
// the client (web, on a loopback redirect URI), and that client's config.
func loopbackBrowser(t *testing.T, issuer string) (*http.Client, oauth2.Config) {
	jar, _ := cookiejar.New(nil)
	host := strings.TrimPrefix(issuer, "http://")
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != host {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return c, oauth2.Config{ClientID: "web", ClientSecret: "web-secret", RedirectURL: "http://127.0.0.1:3000/cb",
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/authorize", TokenURL: issuer + "/token"}, Scopes: []string{"openid"}}
}

// codeExchange runs a code flow and fails the test on error.
func codeExchange(t *testing.T, browser *http.Client, oc oauth2.Config, prompt string) *oauth2.Token {
	t.Helper()
	var opts []oauth2.AuthCodeOption
	if prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
	}
	tok, err := tryCodeExchange(browser, oc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tryCodeExchange runs an authorization request (login auto, or the
// browser's session) and exchanges the code with PKCE.
func tryCodeExchange(browser *http.Client, oc oauth2.Config, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	pkce := oauth2.GenerateVerifier()
	resp, err := browser.Get(oc.AuthCodeURL("s", append(opts, oauth2.S256ChallengeOption(pkce))...))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	code := loc.Query().Get("code")
	if code == "" {
		return nil, &url.Error{Op: "authorize", URL: loc.String(), Err: errNoCode(loc.Query().Get("error"))}
	}
	return oc.Exchange(context.Background(), code, oauth2.VerifierOption(pkce))
}

type errNoCode string

func (e errNoCode) Error() string { return "no code in the redirect; error " + string(e) }
