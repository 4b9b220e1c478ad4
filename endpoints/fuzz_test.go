package endpoints

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzTokenEndpoint throws arbitrary form bodies and Basic credentials at the
// token endpoint: every answer must be a well-formed JSON error or token
// response, never a 500 or a panic.
func FuzzTokenEndpoint(f *testing.F) {
	seeds := []struct{ body, user, pass string }{
		{"grant_type=client_credentials&scope=read", "service", "service-secret"},
		{"grant_type=authorization_code&code=abc&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_verifier=x", "web", "web-secret"},
		{"grant_type=refresh_token&refresh_token=abc", "web", "web-secret"},
		{"grant_type=password&username=alice&password=alice&scope=openid", "web", "web-secret"},
		{"grant_type=client_credentials&client_id=service&client_secret=service-secret", "", ""},
		{"grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJIUzI1NiJ9.e30.x", "", ""},
		{"grant_type=%zz&%%%=", "service", "service-secret"},
		{"grant_type=client_credentials&grant_type=password", "service", "service-secret"},
		{"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=a.b.c", "", ""},
		{"grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=x&subject_token_type=y", "web", "web-secret"},
		{"\x00\xff=\xfe&grant_type=\u2028", "svc%zz", "\x00"},
		{strings.Repeat("a=b&", 500), "service", "service-secret"},
	}
	for _, s := range seeds {
		f.Add(s.body, s.user, s.pass)
	}
	cfg := defaultTestConfig(f)
	cfg.Issuer = "http://fuzz.example"
	cfg.Clients = append(cfg.Clients, Client{ID: "legacy", Secret: "legacy-secret", GrantTypes: []string{GrantPassword, GrantRefreshToken}})
	p, err := New(f.Context(), cfg, Options{GenerateKey: pooledKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Close() })
	f.Fuzz(func(t *testing.T, body, user, pass string) {
		req := httptest.NewRequest(http.MethodPost, "http://fuzz.example/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" || pass != "" {
			req.SetBasicAuth(user, pass)
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body is not JSON: %q", rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK && out["error"] == nil {
			t.Fatalf("status %d without an error member: %s", rec.Code, rec.Body)
		}
	})
}
