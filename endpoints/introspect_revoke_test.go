package endpoints

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// loginTokens runs a code flow for web (login auto) and returns its tokens.
func loginTokens(t *testing.T, e *testEnv, clientID, secret string) *oauth2.Token {
	t.Helper()
	prov := e.provider()
	oc := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid", "email"}}
	tok, _ := codeFlow(t, e, oc, prov.Verifier(&oidc.Config{ClientID: clientID, Now: e.clock.Now}))
	return tok
}

func (e *testEnv) introspect(token string) map[string]any {
	e.t.Helper()
	status, body, _ := e.postForm("/introspect", url.Values{"token": {token}}, "service", "service-secret")
	if status != http.StatusOK {
		e.t.Fatalf("introspect: status %d %v", status, body)
	}
	return body
}

func TestIntrospectAndRevoke(t *testing.T) {
	for _, format := range []string{AccessTokenJWT, AccessTokenOpaque} {
		t.Run(format, func(t *testing.T) {
			e := startEnv(t, func(c *Config) {
				c.Login = LoginAuto
				c.Clients[0].AccessToken = format
			})
			tok := loginTokens(t, e, "web", "web-secret")
			at := e.introspect(tok.AccessToken)
			if at["active"] != true || at["sub"] != "alice" || at["client_id"] != "web" || at["scope"] != "openid email" {
				t.Errorf("introspect access token = %v", at)
			}
			rt := e.introspect(tok.RefreshToken)
			if rt["active"] != true || rt["token_type"] != "refresh_token" {
				t.Errorf("introspect refresh token = %v", rt)
			}
			if got := e.introspect("not-a-token"); got["active"] != false || len(got) != 1 {
				t.Errorf("introspect garbage = %v, want only active:false", got)
			}
			// Revoking the refresh token revokes the grant's access token too (RFC 7009 §2.1).
			status, _, _ := e.postForm("/revoke", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, "web", "web-secret")
			if status != http.StatusOK {
				t.Fatalf("revoke: status %d", status)
			}
			for name, v := range map[string]string{"access": tok.AccessToken, "refresh": tok.RefreshToken} {
				if got := e.introspect(v); got["active"] != false {
					t.Errorf("%s token still active after revocation: %v", name, got)
				}
			}
			ui, err := e.provider().UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
			if err == nil {
				t.Errorf("userinfo with a revoked access token answered %v", ui)
			}
		})
	}
}

func TestRevokeClientCredentialsJWT(t *testing.T) {
	e := startEnv(t, nil)
	cc := clientcredentials.Config{ClientID: "service", ClientSecret: "service-secret", TokenURL: e.issuer + "/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := e.introspect(tok.AccessToken); got["active"] != true {
		t.Fatalf("fresh token inactive: %v", got)
	}
	if status, body, _ := e.postForm("/revoke", url.Values{"token": {tok.AccessToken}}, "web", "web-secret"); status != http.StatusBadRequest {
		t.Errorf("revoking another client's token: status %d %v, want 400", status, body)
	}
	if status, _, _ := e.postForm("/revoke", url.Values{"token": {tok.AccessToken}}, "service", "service-secret"); status != http.StatusOK {
		t.Fatalf("revoke: status %d", status)
	}
	if got := e.introspect(tok.AccessToken); got["active"] != false {
		t.Errorf("revoked JWT access token still active: %v", got)
	}
	if status, _, _ := e.postForm("/revoke", url.Values{"token": {"unknown"}}, "service", "service-secret"); status != http.StatusOK {
		t.Errorf("revoking an unknown token: status %d, want 200 (RFC 7009 §2.2)", status)
	}
}

func TestExpiryByInjectedClock(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	tok := loginTokens(t, e, "web", "web-secret")
	e.clock.Advance(61 * time.Minute) // access tokens live 1h
	if got := e.introspect(tok.AccessToken); got["active"] != false {
		t.Errorf("access token active after its lifetime: %v", got)
	}
	if got := e.introspect(tok.RefreshToken); got["active"] != true {
		t.Errorf("refresh token (720h) inactive after 61m: %v", got)
	}
	e.clock.Advance(720 * time.Hour)
	if got := e.introspect(tok.RefreshToken); got["active"] != false {
		t.Errorf("refresh token active after its lifetime: %v", got)
	}

	// A code expires after its one-minute lifetime.
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(), RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	loc := e.authorize(e.browser(), oc.AuthCodeURL("s"))
	e.clock.Advance(61 * time.Second)
	if _, err := oc.Exchange(context.Background(), loc.Query().Get("code")); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("exchanging an expired code: %v, want invalid_grant", err)
	}
}

func TestCodeReplayRevokesTokens(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(), RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	code := e.authorize(e.browser(), oc.AuthCodeURL("s")).Query().Get("code")
	tok, err := oc.Exchange(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.Exchange(context.Background(), code); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("replayed code: %v, want invalid_grant", err)
	}
	for name, v := range map[string]string{"access": tok.AccessToken, "refresh": tok.RefreshToken} {
		if got := e.introspect(v); got["active"] != false {
			t.Errorf("%s token from a replayed code still active: %v", name, got)
		}
	}
}
