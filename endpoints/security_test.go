package endpoints

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// twoAppClients are two confidential clients with distinct, exact redirect
// URIs, so that one's URI is foreign to the other.
func twoAppClients(c *Config) {
	c.Login = LoginAuto
	c.Clients = append(c.Clients,
		Client{ID: "app-a", Secret: "app-a-secret", RedirectURIs: []string{"https://a.example/cb"},
			PostLogoutRedirectURIs: []string{"https://a.example/bye"}},
		Client{ID: "app-b", Secret: "app-b-secret", RedirectURIs: []string{"https://b.example/cb"},
			PostLogoutRedirectURIs: []string{"https://b.example/bye"}})
}

// No request sends the browser to a redirect URI that is not registered
// for the client the request names — not with a code, not with an error
// (an error redirect is an open redirect too), not through form_post, not
// at logout. A registered one gets the error, at that URI only.
func TestNoOpenRedirect(t *testing.T) {
	e := startEnv(t, twoAppClients)
	const evil = "https://evil.example/cb"
	aCB := "https://a.example/cb"
	authz := func(client, redirect, extra string) string {
		return "/authorize?response_type=code&scope=openid&state=s&client_id=" + client +
			"&redirect_uri=" + url.QueryEscape(redirect) + extra
	}
	refused := []struct{ name, path, foreign string }{
		{"unregistered URI", authz("app-b", evil, ""), evil},
		{"unregistered URI with an error", authz("app-b", evil, "&response_type=bogus"), evil},
		{"unregistered URI, prompt=none without session", authz("app-b", evil, "&prompt=none"), evil},
		{"unregistered URI, form_post", authz("app-b", evil, "&response_mode=form_post"), evil},
		{"another client's URI", authz("app-b", aCB, ""), aCB},
		{"another client's URI with an error", authz("app-b", aCB, "&scope=profile"), aCB},
		{"another client's URI, form_post error", authz("app-b", aCB, "&response_mode=form_post&response_type=bogus"), aCB},
		{"unknown client, registered URI", authz("ghost", aCB, ""), aCB},
		{"registered URI with a longer path", authz("app-a", aCB+"/../../evil", ""), "/evil"},
		{"registered URI with a query", authz("app-a", aCB+"?next="+url.QueryEscape(evil), ""), evil},
		{"registered URI with userinfo", authz("app-a", "https://a.example@evil.example/cb", ""), "evil.example"},
		{"registered URI over http", authz("app-a", "http://a.example/cb", ""), "http://a.example"},
		{"logout to another client's URI", "/end_session?client_id=app-b&post_logout_redirect_uri=" + url.QueryEscape("https://a.example/bye"), "a.example"},
		{"logout to an unregistered URI", "/end_session?client_id=app-b&post_logout_redirect_uri=" + url.QueryEscape(evil), evil},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			status, loc, body := getNoFollow(t, e.issuer+tc.path)
			if loc != "" || status/100 == 3 {
				t.Fatalf("GET %s: status %d, Location %q; want no redirect", tc.path, status, loc)
			}
			if status != http.StatusBadRequest {
				t.Errorf("GET %s: status %d, want 400 (an error page)", tc.path, status)
			}
			for _, attr := range []string{`action="`, `href="`, `url=`} {
				if i := strings.Index(body, attr+tc.foreign); i >= 0 || strings.Contains(body, attr+html(tc.foreign)) {
					t.Errorf("GET %s: the page sends the browser on to %s (%s…)", tc.path, tc.foreign, attr)
				}
			}
		})
	}

	// A client's own registered URI gets the errors of its requests.
	status, loc, _ := getNoFollow(t, e.issuer+authz("app-b", "https://b.example/cb", "&response_type=bogus"))
	u, _ := url.Parse(loc)
	if status != http.StatusFound || u == nil || u.Host != "b.example" || u.Query().Get("error") == "" || u.Query().Get("state") != "s" {
		t.Errorf("bad request with app-b's own URI: %d %q, want an error redirect to b.example with state", status, loc)
	}
}

// html escapes what html/template escapes in an attribute.
func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "+", "&#43;", "\"", "&#34;").Replace(s)
}

// getNoFollow GETs u without following redirects.
func getNoFollow(t *testing.T, u string) (status int, location, body string) {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(mustRequest(t, u))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// A code is bound to the client, redirect URI and PKCE challenge of its
// authorization request: presenting it otherwise fails.
func TestCodeBinding(t *testing.T) {
	e := startEnv(t, twoAppClients)
	pkce := oauth2.GenerateVerifier()
	newCode := func(client string, opts ...oauth2.AuthCodeOption) string {
		oc := oauth2.Config{ClientID: client, Endpoint: oauth2.Endpoint{AuthURL: e.issuer + "/authorize"},
			RedirectURL: "https://" + strings.TrimPrefix(client, "app-") + ".example/cb", Scopes: []string{"openid"}}
		return e.authorize(e.browser(), oc.AuthCodeURL("s", opts...)).Query().Get("code")
	}
	s256 := oauth2.S256ChallengeOption(pkce)
	challenge := oauth2.S256ChallengeFromVerifier(pkce)
	cases := []struct {
		name         string
		code         string
		client       string
		redirect     string
		verifier     string
		wantAccepted bool
	}{
		{"as issued", newCode("app-a", s256), "app-a", "https://a.example/cb", pkce, true},
		{"another client with its own secret", newCode("app-a", s256), "app-b", "https://a.example/cb", pkce, false},
		{"another client, its own redirect URI", newCode("app-a", s256), "app-b", "https://b.example/cb", pkce, false},
		{"another redirect URI of nobody", newCode("app-a", s256), "app-a", "https://a.example/cb2", pkce, false},
		{"no redirect_uri though the request had one", newCode("app-a", s256), "app-a", "", pkce, false},
		{"another verifier", newCode("app-a", s256), "app-a", "https://a.example/cb", oauth2.GenerateVerifier(), false},
		{"the challenge itself as verifier (S256 bound)", newCode("app-a", s256), "app-a", "https://a.example/cb", challenge, false},
		{"no verifier though the request had a challenge", newCode("app-a", s256), "app-a", "https://a.example/cb", "", false},
		// Downgrade: a code issued without PKCE cannot be redeemed as if
		// the request had used it.
		{"a verifier for a code without challenge", newCode("app-a"), "app-a", "https://a.example/cb", pkce, false},
		{"without PKCE on both sides", newCode("app-a"), "app-a", "https://a.example/cb", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {tc.code}}
			if tc.redirect != "" {
				form.Set("redirect_uri", tc.redirect)
			}
			if tc.verifier != "" {
				form.Set("code_verifier", tc.verifier)
			}
			status, body, _ := e.postForm("/token", form, tc.client, tc.client+"-secret")
			if tc.wantAccepted {
				if status != http.StatusOK {
					t.Errorf("token: %d %v, want 200", status, body)
				}
				return
			}
			want := "invalid_grant"
			if tc.redirect == "" {
				want = "invalid_request" // a required parameter is missing
			}
			if status != http.StatusBadRequest || body["error"] != want {
				t.Errorf("token: %d %v, want 400 %s", status, body, want)
			}
		})
	}
}
