package endpoints

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// fetch GETs the JWKS with optional request headers.
func (e *testEnv) fetch(method string, header map[string]string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.issuer+"/jwks", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestJWKSCacheHeaders(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{JWKSMaxAge: 5 * time.Minute}), Options{})
	status, h, _ := e.fetch("GET", nil)
	etag := h.Get("ETag")
	if status != 200 || h.Get("Cache-Control") != "public, max-age=300" || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("GET /jwks: %d, Cache-Control %q, ETag %q; want 200, public, max-age=300 (keys.jwks_max_age) and a strong ETag", status, h.Get("Cache-Control"), etag)
	}
	if status, h, body := e.fetch("GET", map[string]string{"If-None-Match": etag}); status != 304 || len(body) != 0 || h.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("conditional GET with the current ETag: %d, %d bytes, Cache-Control %q; want 304, empty, max-age=300", status, len(body), h.Get("Cache-Control"))
	}
	e.apiCall("POST", "/keys/rotate", `{"publish_ahead": "0s"}`, nil)
	if status, h, _ := e.fetch("GET", map[string]string{"If-None-Match": etag}); status != 200 || h.Get("ETag") == etag {
		t.Errorf("conditional GET after a rotation: %d, ETag %q; want 200 with a new ETag", status, h.Get("ETag"))
	}
	if status, _, _ := e.fetch("GET", nil); status != 200 {
		t.Error(status)
	}
	def := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	if _, h, _ := def.fetch("GET", nil); h.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("default Cache-Control %q, want public, max-age=60", h.Get("Cache-Control"))
	}
}

// jwksKeys decodes a JWK Set into raw objects.
func jwksKeys(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("not a JWK Set: %v: %s", err, body)
	}
	return set.Keys
}

// verdict is what a fresh go-oidc RemoteKeySet says of tok against the
// current JWKS.
func (e *testEnv) verdict(tok string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := oidc.NewRemoteKeySet(ctx, e.issuer+"/jwks").VerifySignature(ctx, tok)
	return err
}

func TestJWKSBehaviours(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	tok := e.clientToken(esClient)
	_, _, normal := e.fetch("GET", nil)
	real := jwksKeys(t, normal)
	realKids := kids(t, normal)
	tests := []struct {
		name       string
		body       string
		wantStatus int
		check      func(t *testing.T, body []byte)
		wantOIDC   bool // go-oidc (a correct verifier here) accepts the token
	}{
		{"normal", `{"behaviour": "normal"}`, 200, func(t *testing.T, b []byte) {
			if string(b) != string(normal) {
				t.Errorf("normal body %s, want %s", b, normal)
			}
		}, true},
		{"error", `{"behaviour": "error"}`, 500, nil, false},
		{"empty", `{"behaviour": "empty"}`, 200, func(t *testing.T, b []byte) {
			if ks := jwksKeys(t, b); len(ks) != 0 {
				t.Errorf("empty served %d keys", len(ks))
			}
		}, false},
		{"invalid_json", `{"behaviour": "invalid_json"}`, 200, func(t *testing.T, b []byte) {
			if json.Valid(b) {
				t.Errorf("invalid_json served valid JSON: %s", b)
			}
		}, false},
		{"extra unusable kty, crv, alg", `{"behaviour": "extra_unusable", "unusable": ["kty", "crv", "alg"]}`, 200, func(t *testing.T, b []byte) {
			checkUnusable(t, jwksKeys(t, b), []string{"kty", "crv", "alg"}, real)
		}, true},
		{"extra unusable, all", `{"behaviour": "extra_unusable"}`, 200, func(t *testing.T, b []byte) {
			checkUnusable(t, jwksKeys(t, b), unusableKinds, real)
		}, false}, // go-oidc v3 fails the whole set on the malformed n (RFC 7517 §5 says ignore it)
		{"no_kid", `{"behavior": "no_kid"}`, 200, func(t *testing.T, b []byte) {
			ks := jwksKeys(t, b)
			for _, k := range ks {
				if _, has := k["kid"]; has {
					t.Errorf("no_kid served a key with kid: %v", k)
				}
			}
			if len(ks) != len(real) {
				t.Errorf("no_kid served %d keys, want the %d real ones", len(ks), len(real))
			}
		}, false}, // go-oidc insists on a matching kid: one of the two verdicts the docs allow
		{"duplicate_kid", `{"behaviour": "duplicate_kid"}`, 200, func(t *testing.T, b []byte) {
			ks := jwksKeys(t, b)
			if len(ks) != 2*len(real) {
				t.Fatalf("duplicate_kid served %d keys, want %d", len(ks), 2*len(real))
			}
			for i := 0; i < len(ks); i += 2 {
				decoy, genuine := ks[i], ks[i+1]
				if decoy["kid"] != genuine["kid"] || decoy["kty"] != genuine["kty"] || decoy["x"] == genuine["x"] && decoy["n"] == genuine["n"] {
					t.Errorf("pair %d: decoy %v and real %v should share kid and type, not material", i/2, decoy, genuine)
				}
			}
		}, true},
		{"custom JSON", `{"behaviour": "custom", "body": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}}`, 200, func(t *testing.T, b []byte) {
			if string(b) != `{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}` {
				t.Errorf("custom body %s, want the given JSON as written", b)
			}
		}, false},
		{"custom text and status", `{"behaviour": "custom", "status": 503, "content_type": "text/plain", "body": "down for maintenance"}`, 503, func(t *testing.T, b []byte) {
			if string(b) != "down for maintenance" {
				t.Errorf("custom body %q", b)
			}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st jwksState
			if status := e.apiCall("POST", "/jwks", tc.body, &st); status != 200 {
				t.Fatalf("POST /jwks %s: %d", tc.body, status)
			}
			status, h, body := e.fetch("GET", nil)
			if status != tc.wantStatus {
				t.Errorf("GET /jwks: %d, want %d", status, tc.wantStatus)
			}
			if st.Behaviour != "normal" && (h.Get("Cache-Control") != "no-store" || h.Get("ETag") != "") {
				t.Errorf("behaviour answer has Cache-Control %q, ETag %q; want no-store and none", h.Get("Cache-Control"), h.Get("ETag"))
			}
			if tc.check != nil {
				tc.check(t, body)
			}
			if err := e.verdict(tok); (err == nil) != tc.wantOIDC {
				t.Errorf("go-oidc verdict %v, want accept=%v", err, tc.wantOIDC)
			}
			if status, _, body := e.fetch("HEAD", nil); status != tc.wantStatus || len(body) != 0 {
				t.Errorf("HEAD /jwks: %d with %d bytes", status, len(body))
			}
		})
	}
	e.apiCall("POST", "/jwks", `{"behaviour": "normal"}`, nil)
	if _, _, body := e.fetch("GET", nil); !slices.Equal(kids(t, body), realKids) {
		t.Errorf("back to normal: kids %v, want %v", kids(t, body), realKids)
	}
}

// checkUnusable checks that the set starts with the requested unusable keys,
// each really unusable, followed by the real keys.
func checkUnusable(t *testing.T, ks []map[string]any, kinds []string, real []map[string]any) {
	t.Helper()
	if len(ks) != len(kinds)+len(real) {
		t.Fatalf("%d keys, want %d unusable and %d real", len(ks), len(kinds), len(real))
	}
	knownAlgs := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	for i, kind := range kinds {
		k := ks[i]
		if k["kid"] != "testidp-unusable-"+kind {
			t.Errorf("key %d has kid %v, want testidp-unusable-%s", i, k["kid"], kind)
		}
		raw, _ := json.Marshal(k)
		var jwk jose.JSONWebKey
		err := json.Unmarshal(raw, &jwk)
		switch kind {
		case "kty", "crv":
			if !errors.Is(err, jose.ErrUnsupportedKeyType) {
				t.Errorf("unusable %s key parses in go-jose (%v): %s", kind, err, raw)
			}
		case "n":
			if err == nil {
				t.Errorf("malformed n key parses in go-jose: %s", raw)
			}
		case "alg":
			if alg, _ := k["alg"].(string); slices.Contains(knownAlgs, alg) || err != nil {
				t.Errorf("unusable alg key: alg %q (err %v), want a well-formed key with an unknown alg", alg, err)
			}
		}
	}
	for i, k := range real {
		if ks[len(kinds)+i]["kid"] != k["kid"] {
			t.Errorf("real key %d (%v) not after the unusable ones", i, k["kid"])
		}
	}
}

func TestJWKSSlow(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	var st jwksState
	if status := e.apiCall("POST", "/jwks", `{"behaviour": "slow", "delay": "3s"}`, &st); status != 200 || st.Delay != "3s" {
		t.Fatalf("POST slow: %d %+v", status, st)
	}
	client := &http.Client{Timeout: 100 * time.Millisecond}
	if resp, err := client.Get(e.issuer + "/jwks"); err == nil {
		resp.Body.Close()
		t.Errorf("slow JWKS answered %d within 100ms; want a 3s delay", resp.StatusCode)
	}
	e.apiCall("POST", "/jwks", `{"behaviour": "slow", "delay": "0s"}`, nil)
	if status, h, body := e.fetch("GET", nil); status != 200 || h.Get("ETag") == "" || len(kids(t, body)) == 0 {
		t.Errorf("slow after its delay: %d, ETag %q; want the normal answer", status, h.Get("ETag"))
	}
}

func TestJWKSBehaviourBadInput(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	for _, body := range []string{`{"behaviour": "broken"}`, `{}`, `{"behaviour": "empty", "delay": "1s"}`,
		`{"behaviour": "slow", "delay": "forever"}`, `{"behaviour": "slow", "delay": "1h"}`, `{"behaviour": "extra_unusable", "unusable": ["x"]}`,
		`{"behaviour": "custom"}`, `{"behaviour": "custom", "body": "x", "status": 99}`, `{"behaviour": "error", "body": "x"}`, `{"behaviour": "normal", "extra": 1}`} {
		var got map[string]any
		if status := e.apiCall("POST", "/jwks", body, &got); status != 400 || got["error"] != "invalid_request" {
			t.Errorf("POST /jwks %s: %d %v, want 400 invalid_request", body, status, got)
		}
	}
	var st jwksState
	e.apiCall("GET", "/jwks", "", &st)
	if st.Behaviour != "normal" {
		t.Errorf("refused requests changed the behaviour to %q", st.Behaviour)
	}
	if list, _ := st.Behaviours.([]any); len(list) != len(jwksBehaviours) {
		t.Errorf("GET /_testidp/jwks lists %d behaviours, want %d", len(list), len(jwksBehaviours))
	}
}

// FuzzKeysTestingAPI throws arbitrary bodies at the testing API's key and
// JWKS routes: every answer is JSON, and bad input is a 4xx, never a 500.
func FuzzKeysTestingAPI(f *testing.F) {
	paths := []string{"/keys/rotate", "/keys/import", "/keys/unpublish", "/jwks"}
	for _, s := range []string{`{"alg": "ES256", "publish_ahead": "0s"}`, `{"retire_now": true, "retire_after": "1s"}`,
		`{"key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}`, `{"key": {"kty": "EC", "crv": "P-256"}}`,
		`{"kid": "x"}`, `{"behaviour": "custom", "body": [1, 2]}`, `{"behaviour": "slow", "delay": "-5s"}`,
		`{"behaviour": "extra_unusable", "unusable": []}`, `{`, ``, `null`, `[]`} {
		for i := range paths {
			f.Add(uint8(i), s)
		}
	}
	cfg := defaultTestConfig(f)
	cfg.Issuer = "http://fuzz.example"
	p, err := New(f.Context(), cfg, Options{GenerateKey: pooledKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Close() })
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := paths[int(which)%len(paths)]
		req, _ := http.NewRequest(http.MethodPost, "http://fuzz.example/_testidp"+path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: status %d: %s", path, body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("POST %s %q: status %d, body is not JSON: %q", path, body, rec.Code, rec.Body)
		}
		p.sites[0].jwks.mode.Store(nil) // a behaviour set by one input does not leak into the next
	})
}
