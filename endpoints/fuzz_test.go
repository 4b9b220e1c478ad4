package endpoints

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// fuzzProvider is one provider shared by a fuzz target's inputs.
func fuzzProvider(f *testing.F) *Provider {
	cfg := defaultTestConfig(f)
	cfg.Issuer = "http://fuzz.example"
	cfg.Clients = append(cfg.Clients, Client{ID: "implicit", Secret: "implicit-secret",
		GrantTypes: []string{GrantAuthorizationCode, GrantImplicit}, RedirectURIs: []string{"http://127.0.0.1/cb"}})
	p, err := New(f.Context(), cfg, Options{GenerateKey: pooledKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Close() })
	return p
}

// FuzzAuthorize throws arbitrary query strings at the authorization
// endpoint: the answer is a redirect to a registered redirect URI, the login
// page, or an HTML error page — never a 500, never a redirect elsewhere.
func FuzzAuthorize(f *testing.F) {
	for _, q := range []string{
		"client_id=web&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb&response_type=code&scope=openid&state=s",
		"client_id=implicit&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=id_token+token&scope=openid&nonce=n&response_mode=form_post",
		"client_id=spa&redirect_uri=http%3A%2F%2Flocalhost%2Fx&response_type=code&code_challenge=abc&code_challenge_method=S256",
		"client_id=web&redirect_uri=https%3A%2F%2Fevil.example%2F&response_type=code",
		"client_id=web&client_id=spa&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb",
		"client_id=web&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=code&prompt=none&max_age=-5&id_token_hint=a.b.c",
		"%zz=1&client_id=\x00",
	} {
		f.Add(q)
	}
	p := fuzzProvider(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "http://fuzz.example/authorize", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, query, rec.Body)
		}
		if loc := rec.Header().Get("Location"); loc != "" {
			u, err := url.Parse(loc)
			if err != nil {
				t.Fatalf("unparseable Location %q", loc)
			}
			// Registered: loopback hosts (any port; host names are
			// case-insensitive) and the provider itself (the login page).
			h := u.Hostname()
			if h != "fuzz.example" && !strings.EqualFold(h, "localhost") && h != "127.0.0.1" && h != "::1" {
				t.Fatalf("redirect to an unregistered host %q for %q", loc, query)
			}
		}
	})
}

// FuzzClientAssertion sends arbitrary client_assertion values: always a
// JSON error (invalid_client or invalid_request), never a 500 or a token.
func FuzzClientAssertion(f *testing.F) {
	for _, a := range []string{"a.b.c", "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ3ZWIiLCJzdWIiOiJ3ZWIifQ.x",
		"eyJhbGciOiJub25lIn0.eyJpc3MiOiJ3ZWIiLCJzdWIiOiJ3ZWIiLCJhdWQiOiJodHRwOi8vZnV6ei5leGFtcGxlIn0.", "", "....", "\xff.\xfe.\xfd"} {
		f.Add(a)
	}
	p := fuzzProvider(f)
	f.Fuzz(func(t *testing.T, assertion string) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_assertion": {assertion},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}
		req := httptest.NewRequest(http.MethodPost, "http://fuzz.example/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code == http.StatusOK || rec.Code >= 500 {
			t.Fatalf("status %d body %s for assertion %q", rec.Code, rec.Body, assertion)
		}
	})
}

// FuzzPKCE checks the PKCE rules: a verifier matches its own S256 and plain
// challenges and nothing else, and malformed values are refused.
func FuzzPKCE(f *testing.F) {
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256")
	f.Add(strings.Repeat("a", 43), strings.Repeat("a", 43), "plain")
	f.Add("short", "short", "plain")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, verifier, challenge, method string) {
		err := checkPKCE(challenge, method, verifier)
		if challenge == "" && verifier == "" && err != nil {
			t.Fatalf("no PKCE at all refused: %v", err)
		}
		if err == nil && challenge != "" && !validPKCEValue(verifier) {
			t.Fatalf("malformed verifier %q accepted", verifier)
		}
		if err == nil && challenge != "" && method != pkceS256 && verifier != challenge {
			t.Fatalf("plain: verifier %q accepted for challenge %q", verifier, challenge)
		}
		if validPKCEValue(verifier) {
			sum := sha256.Sum256([]byte(verifier))
			s256 := base64.RawURLEncoding.EncodeToString(sum[:])
			if checkPKCE(s256, pkceS256, verifier) != nil || checkPKCE(verifier, pkcePlain, verifier) != nil {
				t.Fatalf("verifier %q refused for its own challenges", verifier)
			}
		}
	})
}

// FuzzParseConfig: any document gives a Config or a ConfigError, and
// normalizing and validating what parsed never panics.
func FuzzParseConfig(f *testing.F) {
	for _, doc := range []string{"", "addr: 1", "clients: [{id: a, secret: s, redirect_uris: [x]}]", "{\"login\": \"auto\"}",
		"lifetimes: {code: 1}", "users: [{sub: \"\", claims: {iss: 1}}]", "- a", "a: [", "clients:\n  - id: a\n    jwks: {keys: [1]}"} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := ParseConfig([]byte(doc))
		var ce *ConfigError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("ParseConfig(%q): %T %v, want a *ConfigError", doc, err, err)
		}
		_ = Validate(Normalize(cfg))
	})
}

// FuzzMintAPI throws arbitrary bodies at POST {issuer}/_testidp/mint: every
// answer is JSON, a token (200) or an error with a code (4xx), never a 500
// or a panic. Seeds name real fault cases, so the fuzzer reaches the
// fault code with their fields changed.
func FuzzMintAPI(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{`, `{"kind": "access_token", "scope": "read write", "alg": "ES256"}`,
		`{"sub": "bob", "aud": ["a", "b"], "ttl": "-1h", "nonce": "n", "claims": {"email": null, "x": {"y": [1, 2]}}}`,
		`{"header": {"kid": "other", "typ": 7}, "claims": {"exp": "soon"}, "alg": "HS256", "client_id": "hs256"}`,
		`{"ttl": 3600.5}`, `{"ttl": "0s"}`, `{"aud": 5}`, `{"alg": "none"}`, `{"alg": "RS512"}`, `{"kind": "refresh_token"}`,
		`{"client_id": "nope"}`, `{"fault": "alg-none"}`, `{"fault": "alg-none#none"}`, `{"fault": "exp-past", "ttl": "5m"}`,
		`{"fault": "kid-unknown"}`, `{"fault": "jku-attacker", "rogue_url": "http://127.0.0.1:1/x"}`,
		`{"fault": "rotation-new-kid"}`, `{"fault": "no-such-case"}`, `{"fault": "alg-none#nope"}`,
		`{"access_token": "at", "code": "c", "kind": "id_token"}`, `{"unknown": 1}`, `{"claims": []}`,
	} {
		f.Add(s)
	}
	// Rotation cases need a key source that makes new keys, as a real
	// provider's does.
	cfg := defaultTestConfig(f)
	cfg.Issuer = "http://fuzz.example"
	p, err := New(f.Context(), cfg, Options{GenerateKey: pooledKeys()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Close() })
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, "http://fuzz.example/_testidp/mint", strings.NewReader(body))
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("mint %q: status %d: %s", body, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("mint %q: status %d, body is not JSON: %q", body, rec.Code, rec.Body)
		}
		switch {
		case rec.Code == http.StatusOK && out["token"] == "":
			t.Fatalf("mint %q: 200 without a token: %s", body, rec.Body)
		case rec.Code != http.StatusOK && out["error"] == nil:
			t.Fatalf("mint %q: status %d without an error code: %s", body, rec.Code, rec.Body)
		}
		p.sites[0].jwks.mode.Store(nil) // a JWKS a case set does not leak into the next input
	})
}
