package oidctest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/oidctest"
)

// exampleT stands in for the *testing.T of a real test, which an example
// does not have: in a test, pass t.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func newT() *exampleT                                 { return &exampleT{} }
func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// done runs the cleanups, as the end of a test does.
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// claims decodes a JWT's payload without checking it (examples only).
func claims(raw string) map[string]any {
	parts := strings.Split(raw, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	_ = json.Unmarshal(payload, &m)
	return m
}

// header decodes a JWT's header.
func header(raw string) map[string]any {
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	var m map[string]any
	_ = json.Unmarshal(h, &m)
	return m
}

// verify checks an ID token with go-oidc, as an application would.
func verify(srv *oidctest.Server, issuer, clientID, raw string) (*oidc.IDToken, error) {
	p, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		return nil, err
	}
	return p.Verifier(&oidc.Config{ClientID: clientID, Now: srv.Now}).Verify(context.Background(), raw)
}

func ExampleNewServer() {
	t := newT() // in a test: the test's t
	defer t.done()

	srv := oidctest.NewServer(t)
	var doc struct {
		Issuer string `json:"issuer"`
	}
	resp, _ := http.Get(srv.Issuer + "/.well-known/openid-configuration")
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	fmt.Println(doc.Issuer == srv.Issuer, srv.Issuer == srv.URL)
	// Output: true true
}

func ExampleServer_Close() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	srv.Close() // before the test ends; the cleanup then does nothing
	_, err := http.Get(srv.Issuer + "/.well-known/openid-configuration")
	fmt.Println(err != nil)
	// Output: true
}

func ExampleServer_MintIDToken() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	raw := srv.MintIDToken()
	tok, err := verify(srv, srv.Issuer, "web", raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	var c struct {
		Email string `json:"email"`
	}
	_ = tok.Claims(&c)
	fmt.Println(tok.Subject, tok.Audience, c.Email)
	// Output: alice [web] alice@example.com
}

func ExampleServer_MintAccessToken() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	at := srv.MintAccessToken(oidctest.WithScopes("openid", "email"))
	fmt.Println(header(at)["typ"], claims(at)["scope"], claims(at)["client_id"])

	req, _ := http.NewRequest(http.MethodGet, srv.Issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, _ := http.DefaultClient.Do(req)
	var info map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, info["email"])
	// Output:
	// at+jwt openid email web
	// 200 alice@example.com
}

func ExampleServer_Login() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	tok := srv.Login(oidctest.ForUser("bob"), oidctest.WithNonce("n-1"))
	id, err := verify(srv, srv.Issuer, "web", tok.IDToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Subject, id.Nonce, tok.TokenType, tok.RefreshToken != "")
	// Output: bob n-1 Bearer true
}

func ExampleServer_ClientCredentials() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	at := srv.ClientCredentials(oidctest.WithScopes("read"))
	c := claims(at)
	fmt.Println(c["sub"], c["client_id"], c["scope"])
	// Output: service service read
}

func ExampleServer_Client() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	q := url.Values{"response_type": {"code"}, "client_id": {"web"}, "scope": {"openid"},
		"redirect_uri": {"http://localhost:3000/callback"}, "state": {"s1"}}
	// The browser follows the provider's redirects and stops at the
	// application's callback.
	resp, err := srv.Client().Get(srv.Issuer + "/authorize?" + q.Encode())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println(resp.StatusCode, loc.Host+loc.Path, loc.Query().Get("state"), loc.Query().Get("code") != "")
	// Output: 302 localhost:3000/callback s1 true
}

func ExampleServer_IssuerURL() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithIssuer(endpoints.IssuerConfig{Path: "/tenant-a"}))
	fmt.Println(strings.TrimPrefix(srv.IssuerURL("/tenant-a"), srv.URL))
	// Output: /tenant-a
}

func ExampleServer_Provider() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	for _, c := range srv.Provider().Config().Clients {
		fmt.Print(c.ID, " ")
	}
	fmt.Println()
	// Output: web spa service hs256
}

func ExampleServer_Now() {
	t := newT()
	defer t.done()

	start := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	srv := oidctest.NewServer(t, oidctest.WithClock(start))
	fmt.Println(srv.Now())
	// Output: 2030-01-01 12:00:00 +0000 UTC
}

func ExampleServer_SetNow() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	srv.SetNow(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(int64(claims(srv.MintIDToken())["iat"].(float64)))
	// Output: 1893456000
}

func ExampleServer_Advance() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	raw := srv.MintIDToken() // lives one hour
	srv.Advance(61 * time.Minute)
	_, err := verify(srv, srv.Issuer, "web", raw)
	fmt.Println(err != nil && strings.Contains(err.Error(), "expired"))
	// Output: true
}

func ExampleWithClient() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithClient(endpoints.Client{
		ID: "my-app", Secret: "my-app-secret", RedirectURIs: []string{"https://app.example/callback"},
		Claims: map[string]any{"tenant": "acme"},
	}))
	c := claims(srv.MintIDToken(oidctest.ForClient("my-app")))
	fmt.Println(c["aud"], c["tenant"])
	// Output: my-app acme
}

func ExampleWithUser() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithUser(endpoints.User{
		Sub: "carol", Claims: map[string]any{"email": "carol@example.com", "groups": []any{"admins"}},
	}))
	c := claims(srv.MintIDToken(oidctest.ForUser("carol")))
	fmt.Println(c["sub"], c["email"], c["groups"])
	// Output: carol carol@example.com [admins]
}

func ExampleWithAlgorithm() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithAlgorithm("ES256"))
	raw := srv.MintIDToken()
	_, err := verify(srv, srv.Issuer, "web", raw) // go-oidc reads the algorithms from discovery
	fmt.Println(header(raw)["alg"], err)
	// Output: ES256 <nil>
}

func ExampleWithClock() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithClock(time.Unix(2_000_000_000, 0)))
	c := claims(srv.MintIDToken())
	fmt.Println(int64(c["iat"].(float64)), int64(c["exp"].(float64)))
	// Output: 2000000000 2000003600
}

func ExampleWithLoginForm() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithLoginForm())
	resp, _ := srv.Client().Get(srv.Issuer + "/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"web"},
		"scope": {"openid"}, "redirect_uri": {"http://localhost/cb"}}.Encode())
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Request.URL.Path)
	// Login submits the form as a user would.
	fmt.Println(claims(srv.Login(oidctest.ForUser("bob")).IDToken)["sub"])
	// Output:
	// 200 /login
	// bob
}

func ExampleWithSeed() {
	t := newT()
	defer t.done()

	a := oidctest.NewServer(t, oidctest.WithSeed("my-suite"), oidctest.WithAlgorithm("EdDSA"))
	b := oidctest.NewServer(t, oidctest.WithSeed("my-suite"), oidctest.WithAlgorithm("EdDSA"))
	fmt.Println(header(a.MintIDToken())["kid"] == header(b.MintIDToken())["kid"])
	// Output: true
}

func ExampleWithProfile() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithProfile("keycloak"))
	fmt.Println(strings.TrimPrefix(srv.Issuer, srv.URL))
	at := claims(srv.MintAccessToken())
	fmt.Println(at["azp"], at["typ"], at["realm_access"])
	// Output:
	// /realms/testidp
	// web Bearer map[roles:[default-roles-testidp offline_access uma_authorization]]
}

func ExampleWithIssuer() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t,
		oidctest.WithIssuer(endpoints.IssuerConfig{Path: "/realms/a"}),
		oidctest.WithIssuer(endpoints.IssuerConfig{Path: "/realms/b"}))
	raw := srv.MintIDToken(oidctest.AtIssuer("/realms/a"))
	_, errA := verify(srv, srv.IssuerURL("/realms/a"), "web", raw)
	_, errB := verify(srv, srv.IssuerURL("/realms/b"), "web", raw)
	fmt.Println(errA == nil, errB == nil)
	// Output: true false
}

func ExampleWithConfig() {
	t := newT()
	defer t.done()

	cfg, err := endpoints.ParseConfig([]byte(`
clients:
  - id: api-client
    secret: api-client-secret
    grant_types: [client_credentials]
    access_token_audience: [https://api.example]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := oidctest.NewServer(t, oidctest.WithConfig(cfg))
	c := claims(srv.ClientCredentials())
	fmt.Println(c["sub"], c["aud"])
	// Output: api-client https://api.example
}

func ExampleAtIssuer() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t, oidctest.WithIssuer(endpoints.IssuerConfig{Path: "/tenant-b"}))
	iss := claims(srv.MintAccessToken(oidctest.AtIssuer("/tenant-b")))["iss"].(string)
	fmt.Println(strings.TrimPrefix(iss, srv.URL))
	// Output: /tenant-b
}

func ExampleForClient() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	raw := srv.MintIDToken(oidctest.ForClient("hs256")) // keyed by the client's secret
	fmt.Println(header(raw)["alg"], claims(raw)["aud"])
	// Output: HS256 hs256
}

func ExampleForUser() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	fmt.Println(claims(srv.MintIDToken(oidctest.ForUser("bob")))["name"])
	fmt.Println(claims(srv.MintIDToken(oidctest.ForUser("someone-else")))["sub"]) // not configured: no claims
	// Output:
	// Bob Example
	// someone-else
}

func ExampleWithScopes() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	c := claims(srv.MintIDToken(oidctest.WithScopes("openid")))
	_, hasEmail := c["email"]
	fmt.Println(hasEmail) // the email scope releases email
	// Output: false
}

func ExampleWithNonce() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	fmt.Println(claims(srv.MintIDToken(oidctest.WithNonce("n-0S6_WzA2Mj")))["nonce"])
	// Output: n-0S6_WzA2Mj
}

func ExampleWithClaims() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	c := claims(srv.MintIDToken(oidctest.WithClaims(map[string]any{"roles": []string{"admin"}, "email": "other@example.com"})))
	fmt.Println(c["roles"], c["email"])
	// Output: [admin] other@example.com
}

func ExampleWithAudience() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	fmt.Println(claims(srv.MintAccessToken(oidctest.WithAudience("https://api.example", "https://other.example")))["aud"])
	// Output: [https://api.example https://other.example]
}

func ExampleWithExpiry() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	_, err := verify(srv, srv.Issuer, "web", srv.MintIDToken(oidctest.WithExpiry(-time.Minute)))
	fmt.Println(strings.Contains(err.Error(), "expired"))
	c := claims(srv.MintIDToken(oidctest.WithExpiry(5 * time.Minute)))
	fmt.Println(c["exp"].(float64) - c["iat"].(float64))
	// Output:
	// true
	// 300
}

func ExampleWithIssuedAt() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	c := claims(srv.MintIDToken(oidctest.WithIssuedAt(time.Unix(1_700_000_000, 0))))
	fmt.Println(int64(c["iat"].(float64)))
	// Output: 1700000000
}

func ExampleServer_Fault() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	f := srv.Fault("iss-wrong#suffix")
	_, err := verify(srv, srv.Issuer, "web", f.Token)
	fmt.Println(f.Ref, f.Expect, err != nil)
	// A correct verifier rejects it; this one (go-oidc) does.
	// Output: iss-wrong#suffix must-reject true
}

func ExampleServer_RotateKeys() {
	t := newT()
	defer t.done()

	srv := oidctest.NewServer(t)
	before := srv.MintIDToken()
	srv.RotateKeys()
	after := srv.MintIDToken()
	_, errBefore := verify(srv, srv.Issuer, "web", before)
	_, errAfter := verify(srv, srv.Issuer, "web", after)
	fmt.Println(header(before)["kid"] != header(after)["kid"], errBefore == nil, errAfter == nil)
	// Output: true true true
}
