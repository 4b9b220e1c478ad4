package endpoints

import (
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// issuedLog reads GET /_testidp/tokens with the query q.
func (e *testEnv) issuedLog(q string) []issuedToken {
	e.t.Helper()
	var out struct {
		Tokens []issuedToken `json:"tokens"`
	}
	if status := e.apiCall("GET", "/tokens"+q, "", &out); status != http.StatusOK {
		e.t.Fatalf("GET /_testidp/tokens%s: status %d, want 200", q, status)
	}
	return out.Tokens
}

// jwtHeader decodes one member of a JWT's header without verifying it.
func jwtHeader(t *testing.T, raw, name string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	return jwtClaim(t, parts[1]+"."+parts[0]+"."+parts[2], name).(string)
}

func TestIssuedTokensLog(t *testing.T) {
	e := startEnv(t, func(c *Config) {
		c.Login = LoginAuto
		c.Clients = append(c.Clients, Client{ID: "svc-es", Secret: "svc-es-secret", GrantTypes: []string{GrantClientCredentials}, AccessTokenAlg: "ES256"})
	})
	prov := e.provider()
	// A code flow: access, ID and refresh tokens for alice.
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid", "email"}}
	code, _ := codeFlow(t, e, oc, prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now}))
	// Then client credentials with ES256.
	status, cc, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, "svc-es", "svc-es-secret")
	if status != http.StatusOK {
		t.Fatalf("client_credentials: %d %v", status, cc)
	}
	at := cc["access_token"].(string)

	got := e.issuedLog("")
	type row struct{ kind, client, sub, grant, alg, id string }
	want := []row{
		{"access_token", "svc-es", "svc-es", "client_credentials", "ES256", jwtClaim(t, at, "jti").(string)},
		{"refresh_token", "web", "alice", "authorization_code", "", hashValue(code.RefreshToken)},
		{"id_token", "web", "alice", "authorization_code", "RS256", hashValue(code.Extra("id_token").(string))},
		{"access_token", "web", "alice", "authorization_code", "RS256", jwtClaim(t, code.AccessToken, "jti").(string)},
	}
	if len(got) != len(want) {
		t.Fatalf("GET /_testidp/tokens = %d entries %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if (row{g.Kind, g.ClientID, g.Subject, g.GrantType, g.Alg, g.TokenID}) != w {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
		if i > 0 && g.Seq >= got[i-1].Seq {
			t.Errorf("entry %d seq %d not below entry %d's %d: want newest first", i, g.Seq, i-1, got[i-1].Seq)
		}
		if !g.IssuedAt.Equal(e.clock.Now()) || g.ExpiresAt.Before(g.IssuedAt.Add(time.Minute)) {
			t.Errorf("entry %d issued %v expires %v; want the provider's clock %v and a later expiry", i, g.IssuedAt, g.ExpiresAt, e.clock.Now())
		}
	}
	if got[0].KeyID != jwtHeader(t, at, "kid") {
		t.Errorf("entry 0 kid = %q, want the token's %q", got[0].KeyID, jwtHeader(t, at, "kid"))
	}
	// Token values never appear in the log.
	resp, err := http.Get(e.issuer + "/_testidp/tokens")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, v := range []string{at, code.AccessToken, code.RefreshToken, code.Extra("id_token").(string)} {
		if strings.Contains(string(raw), v) {
			t.Errorf("GET /_testidp/tokens shows a token value")
		}
	}
	if one := e.issuedLog("?limit=1"); len(one) != 1 || one[0].Seq != got[0].Seq {
		t.Errorf("?limit=1 = %+v, want the newest entry only", one)
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if status := e.apiCall("GET", "/tokens?limit="+bad, "", nil); status != http.StatusBadRequest {
			t.Errorf("GET /_testidp/tokens?limit=%s: %d, want 400", bad, status)
		}
	}

	// The mint API's tokens are in the log too, with their fault case.
	var minted mintResponse
	if status := e.apiCall("POST", "/mint", `{"fault":"alg-none"}`, &minted); status != http.StatusOK {
		t.Fatalf("mint alg-none: %d", status)
	}
	last := e.issuedLog("?limit=1")[0]
	if last.GrantType != grantMint || !strings.HasPrefix(last.Fault, "alg-none") || last.Kind != "id_token" || last.ClientID != "web" || last.Subject != "alice" {
		t.Errorf("after a mint, newest entry = %+v; want grant mint, fault alg-none, web's ID token for alice", last)
	}
}

// The background loop deletes expired rows; the issued-token log keeps its
// cap.
func TestPurgeExpiredRows(t *testing.T) {
	defer func(d time.Duration) { purgeInterval = d }(purgeInterval)
	purgeInterval = 20 * time.Millisecond
	db := filepath.Join(t.TempDir(), "testidp.db")
	e := startEnv(t, func(c *Config) { c.DB = db; c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	codeFlow(t, e, oc, prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now}))
	peek, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer peek.Close()
	rows := func() int {
		var n int
		if err := peek.QueryRow(`SELECT (SELECT count(*) FROM tokens) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM grants) + (SELECT count(*) FROM codes) + (SELECT count(*) FROM auth_requests)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(); n == 0 {
		t.Fatal("no tokens, sessions or grants stored after a code flow")
	}
	e.clock.Advance(31 * 24 * time.Hour) // past the refresh token and the session
	deadline := time.Now().Add(5 * time.Second)
	for rows() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := rows(); n != 0 {
		t.Errorf("expired tokens, sessions and grants left after the purge: %d rows, want 0", n)
	}
}
