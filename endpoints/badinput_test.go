package endpoints

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestBadInput sends malformed and hostile requests to every endpoint and
// checks each gets the protocol's answer: RFC 6749 JSON errors at the JSON
// endpoints, an error redirect where the redirect URI is trusted, an HTML 400
// page where it is not — never a 500.
func TestBadInput(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	cb := url.QueryEscape("http://127.0.0.1:3000/cb")
	auth := "/authorize?response_type=code&scope=openid&state=s&"
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: oauth2.Endpoint{AuthURL: e.issuer + "/authorize", TokenURL: e.issuer + "/token"},
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	pkce := oauth2.GenerateVerifier()
	code := func() string {
		return e.authorize(e.browser(), oc.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce))).Query().Get("code")
	}
	usedCode := code()
	if _, err := oc.Exchange(context.Background(), usedCode, oauth2.VerifierOption(pkce)); err != nil {
		t.Fatal(err)
	}

	type want struct {
		status   int
		errCode  string // JSON "error", or the redirect's error parameter
		redirect bool   // an error redirect to the client
		page     bool   // an HTML error page
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		basic  [2]string
		want   want
	}{
		{"authorize: no client_id", "GET", auth + "redirect_uri=" + cb, "", [2]string{}, want{status: 400, page: true}},
		{"authorize: unknown client", "GET", auth + "client_id=nope&redirect_uri=" + cb, "", [2]string{}, want{status: 400, page: true}},
		{"authorize: unregistered redirect_uri", "GET", auth + "client_id=web&redirect_uri=" + url.QueryEscape("https://evil.example/cb"), "", [2]string{}, want{status: 400, page: true}},
		{"authorize: loopback redirect on another host", "GET", auth + "client_id=web&redirect_uri=" + url.QueryEscape("http://127.0.0.2:3000/cb"), "", [2]string{}, want{status: 400, page: true}},
		{"authorize: duplicated redirect_uri", "GET", auth + "client_id=web&redirect_uri=" + cb + "&redirect_uri=" + cb, "", [2]string{}, want{status: 400, page: true}},
		{"authorize: duplicated scope", "GET", auth + "client_id=web&redirect_uri=" + cb + "&scope=openid", "", [2]string{}, want{status: 302, errCode: "invalid_request", redirect: true}},
		{"authorize: missing response_type", "GET", "/authorize?scope=openid&state=s&client_id=web&redirect_uri=" + cb, "", [2]string{}, want{status: 302, errCode: "invalid_request", redirect: true}},
		{"authorize: bad max_age", "GET", auth + "client_id=web&redirect_uri=" + cb + "&max_age=-1", "", [2]string{}, want{status: 302, errCode: "invalid_request", redirect: true}},
		{"authorize: bad PKCE method", "GET", auth + "client_id=web&redirect_uri=" + cb + "&code_challenge=" + strings.Repeat("a", 43) + "&code_challenge_method=S512", "", [2]string{}, want{status: 302, errCode: "invalid_request", redirect: true}},
		{"authorize: request object", "GET", auth + "client_id=web&redirect_uri=" + cb + "&request=eyJ9.e30.", "", [2]string{}, want{status: 302, errCode: "request_not_supported", redirect: true}},
		{"authorize: malformed query", "GET", "/authorize?client_id=%zz", "", [2]string{}, want{status: 400, page: true}},

		{"token: no grant_type", "POST", "/token", "code=x", [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_request"}},
		{"token: unsupported grant", "POST", "/token", "grant_type=urn:example:magic", [2]string{"web", "web-secret"}, want{status: 400, errCode: "unsupported_grant_type"}},
		{"token: duplicated parameter", "POST", "/token", "grant_type=client_credentials&grant_type=client_credentials", [2]string{"service", "service-secret"}, want{status: 400, errCode: "invalid_request"}},
		{"token: wrong secret", "POST", "/token", "grant_type=client_credentials", [2]string{"service", "nope"}, want{status: 401, errCode: "invalid_client"}},
		{"token: unknown client", "POST", "/token", "grant_type=client_credentials", [2]string{"ghost", "x"}, want{status: 401, errCode: "invalid_client"}},
		{"token: no client at all", "POST", "/token", "grant_type=client_credentials", [2]string{}, want{status: 400, errCode: "invalid_request"}},
		{"token: replayed code", "POST", "/token", "grant_type=authorization_code&redirect_uri=" + cb + "&code_verifier=" + pkce + "&code=" + url.QueryEscape(usedCode), [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_grant"}},
		{"token: wrong PKCE verifier", "POST", "/token", "grant_type=authorization_code&redirect_uri=" + cb + "&code_verifier=" + strings.Repeat("x", 43) + "&code=" + url.QueryEscape(code()), [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_grant"}},
		{"token: missing PKCE verifier", "POST", "/token", "grant_type=authorization_code&redirect_uri=" + cb + "&code=" + url.QueryEscape(code()), [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_grant"}},
		{"token: redirect_uri differs", "POST", "/token", "grant_type=authorization_code&code_verifier=" + pkce + "&redirect_uri=" + url.QueryEscape("http://127.0.0.1:3000/other") + "&code=" + url.QueryEscape(code()), [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_grant"}},
		{"token: garbage code", "POST", "/token", "grant_type=authorization_code&redirect_uri=" + cb + "&code=garbage", [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_grant"}},
		{"token: garbage refresh token", "POST", "/token", "grant_type=refresh_token&refresh_token=garbage", [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_grant"}},
		{"token: oversized body", "POST", "/token", "grant_type=client_credentials&scope=" + strings.Repeat("a", 70<<10), [2]string{"service", "service-secret"}, want{status: 400, errCode: "invalid_request"}},
		{"token: malformed form", "POST", "/token", "grant_type=%zz", [2]string{"service", "service-secret"}, want{status: 400, errCode: "invalid_request"}},
		{"token: GET", "GET", "/token?grant_type=client_credentials", "", [2]string{}, want{status: 405, errCode: "invalid_request"}},
		{"token: garbage client_assertion", "POST", "/token", "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c", [2]string{}, want{status: 401, errCode: "invalid_client"}},

		{"userinfo: no token", "GET", "/userinfo", "", [2]string{}, want{status: 401, errCode: "invalid_request"}},
		{"introspect: no client", "POST", "/introspect", "token=x", [2]string{}, want{status: 400, errCode: "invalid_request"}},
		{"introspect: wrong secret", "POST", "/introspect", "token=x", [2]string{"service", "nope"}, want{status: 401, errCode: "invalid_client"}},
		{"revoke: no token", "POST", "/revoke", "", [2]string{"web", "web-secret"}, want{status: 400, errCode: "invalid_request"}},
		{"login: unknown request", "POST", "/login", "id=nope&action=approve&user=alice", [2]string{}, want{status: 400, page: true}},
		{"login page: unknown request", "GET", "/login?id=nope", "", [2]string{}, want{status: 400, page: true}},
		{"end_session: garbage hint", "GET", "/end_session?id_token_hint=garbage", "", [2]string{}, want{status: 400, page: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.issuer+tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.basic[0] != "" {
				req.SetBasicAuth(tc.basic[0], tc.basic[1])
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", tc.method, tc.path, resp.StatusCode, tc.want.status, body)
			}
			switch {
			case tc.want.page:
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || resp.Header.Get("Location") != "" {
					t.Errorf("want an HTML page and no redirect; Content-Type %q, Location %q", ct, resp.Header.Get("Location"))
				}
			case tc.want.redirect:
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if loc.Host != "127.0.0.1:3000" || loc.Query().Get("error") != tc.want.errCode || loc.Query().Get("state") != "s" {
					t.Errorf("redirect %s: want error=%s and state=s at the client", loc, tc.want.errCode)
				}
			default:
				var oe struct {
					Error string `json:"error"`
				}
				if err := json.Unmarshal(body, &oe); err != nil || oe.Error != tc.want.errCode {
					t.Errorf("JSON error %q (%v), want %q; body %s", oe.Error, err, tc.want.errCode, body)
				}
				if resp.StatusCode == 401 && tc.basic[0] != "" && resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 to a Basic-authenticated request lacks WWW-Authenticate (RFC 6749 §5.2)")
				}
			}
		})
	}
}
