package endpoints

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// startFromRequest serves the default configuration with
// issuer_from_request (or without), an issuer at /realms/a, and a client
// that may use the password grant.
func startFromRequest(t *testing.T, on bool) *testEnv {
	t.Helper()
	cfg := WithProfiles(defaultTestConfig(t), builtinProfiles(t))
	cfg.IssuerFromRequest = on
	cfg.Issuers = []IssuerConfig{{Path: "/realms/a"}}
	cfg.Clients = append(cfg.Clients, Client{ID: "pw", Secret: "pw-secret", GrantTypes: []string{GrantPassword}})
	return startEnvWith(t, cfg, Options{GenerateKey: pooledKey})
}

// via is an HTTP client that reaches the test server whatever host a URL
// names, as a container network or /etc/hosts would.
func via(e *testEnv) *http.Client {
	addr := e.srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
}

// do sends a request to the test server with the given Host and headers.
func do(t *testing.T, e *testEnv, method, path, host string, header http.Header, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, e.issuer+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = jsonDecode(resp, &m)
	return resp, m
}

func TestIssuerFromRequestDiscovery(t *testing.T) {
	e := startFromRequest(t, true)
	cases := []struct {
		name, path, host string
		header           http.Header
		want             string
	}{
		{"configured origin", "", "", nil, e.issuer},
		{"service name", "", "testidp:8080", nil, "http://testidp:8080"},
		{"browser name", "/realms/a", "localhost:8080", nil, "http://localhost:8080/realms/a"},
		{"case folded", "", "TestIDP:8080", nil, "http://testidp:8080"},
		{"proxy", "", "testidp:8080", http.Header{"X-Forwarded-Host": {"idp.example.com"}, "X-Forwarded-Proto": {"https"}}, "https://idp.example.com"},
		{"proxy chain, first wins", "/realms/a", "", http.Header{"X-Forwarded-Host": {"a.example, b.example"}, "X-Forwarded-Proto": {"https, http"}}, "https://a.example/realms/a"},
		{"proto only", "", "testidp:8080", http.Header{"X-Forwarded-Proto": {"https"}}, "https://testidp:8080"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, doc := do(t, e, http.MethodGet, tc.path+pathDiscovery, tc.host, tc.header, nil)
			if resp.StatusCode != 200 || doc["issuer"] != tc.want || doc["token_endpoint"] != tc.want+"/token" || doc["jwks_uri"] != tc.want+"/jwks" {
				t.Errorf("discovery via Host %q %v: %d issuer %v token_endpoint %v; want %s and its endpoints",
					tc.host, tc.header, resp.StatusCode, doc["issuer"], doc["token_endpoint"], tc.want)
			}
		})
	}
	for _, bad := range []http.Header{{"X-Forwarded-Host": {"evil.example/path"}}, {"X-Forwarded-Proto": {"gopher"}}, {"X-Forwarded-Host": {"user@evil.example"}}} {
		resp, m := do(t, e, http.MethodGet, pathDiscovery, "", bad, nil)
		if resp.StatusCode != 400 || m["error"] != "invalid_request" {
			t.Errorf("discovery with %v: %d %v, want 400 invalid_request", bad, resp.StatusCode, m)
		}
	}
}

func TestIssuerFromRequestOff(t *testing.T) {
	e := startFromRequest(t, false)
	_, doc := do(t, e, http.MethodGet, pathDiscovery, "testidp:8080", http.Header{"X-Forwarded-Host": {"idp.example.com"}}, nil)
	if doc["issuer"] != e.issuer {
		t.Errorf("without issuer_from_request, discovery via other names says issuer %v, want the fixed %s", doc["issuer"], e.issuer)
	}
}

func TestIssuerFromRequestTokens(t *testing.T) {
	e := startFromRequest(t, true)
	client := via(e)
	ctx := oidc.ClientContext(context.Background(), client)
	for _, path := range []string{"", "/realms/a"} {
		svc, browser := "http://testidp:8080"+path, "http://localhost:8080"+path
		// A token obtained through the service name…
		resp, tok := do(t, e, http.MethodPost, path+"/token", "testidp:8080", nil,
			url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice"}, "scope": {"openid"}, "client_id": {"pw"}, "client_secret": {"pw-secret"}})
		if resp.StatusCode != 200 {
			t.Fatalf("password grant via testidp:8080%s: %d %v", path, resp.StatusCode, tok)
		}
		at, id := tok["access_token"].(string), tok["id_token"].(string)
		if got := jwtClaim(t, at, "iss"); got != svc {
			t.Errorf("access token iss = %v, want %s (the origin it was issued through)", got, svc)
		}
		// …verifies with go-oidc discovering that name, not the other.
		prov, err := oidc.NewProvider(ctx, svc)
		if err != nil {
			t.Fatalf("go-oidc discovery of %s: %v", svc, err)
		}
		if _, err := prov.Verifier(&oidc.Config{ClientID: "pw", Now: e.clock.Now}).Verify(ctx, id); err != nil {
			t.Errorf("go-oidc for %s rejects the token issued there: %v", svc, err)
		}
		other, err := oidc.NewProvider(ctx, browser)
		if err != nil {
			t.Fatalf("go-oidc discovery of %s: %v", browser, err)
		}
		if _, err := other.Verifier(&oidc.Config{ClientID: "pw", Now: e.clock.Now}).Verify(ctx, id); err == nil {
			t.Errorf("go-oidc for %s accepted a token issued through %s", browser, svc)
		}
		// testidp accepts it on requests through the origin it names.
		for _, tc := range []struct {
			host string
			want int
		}{{"testidp:8080", 200}, {"localhost:8080", 401}} {
			resp, m := do(t, e, http.MethodGet, path+"/userinfo", tc.host, http.Header{"Authorization": {"Bearer " + at}}, nil)
			if resp.StatusCode != tc.want {
				t.Errorf("userinfo via %s%s with a token from testidp:8080: %d %v, want %d", tc.host, path, resp.StatusCode, m, tc.want)
			}
		}
	}
}

func TestIssuerFromRequestBounded(t *testing.T) {
	e := startFromRequest(t, true)
	for i := range maxOrigins + 8 {
		host := fmt.Sprintf("host-%d:8080", i)
		resp, doc := do(t, e, http.MethodGet, pathDiscovery, host, nil, nil)
		if doc["issuer"] != "http://"+host {
			t.Fatalf("discovery via %s: %d issuer %v", host, resp.StatusCode, doc["issuer"])
		}
	}
	e.p.origins.mu.RLock()
	n := len(e.p.origins.m)
	e.p.origins.mu.RUnlock()
	if n > maxOrigins {
		t.Errorf("%d origins cached, want at most %d", n, maxOrigins)
	}
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
