package endpoints

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestAlgNoneCodeFlow: a client registered id_token_alg none gets unsigned ID
// tokens from the token endpoint only (OpenID Connect Core §2).
func TestAlgNoneCodeFlow(t *testing.T) {
	e := startEnv(t, func(c *Config) {
		c.Login = LoginAuto
		c.Clients = append(c.Clients, Client{ID: "unsigned", Secret: "s", IDTokenAlg: "none", RedirectURIs: []string{"http://127.0.0.1/cb"}})
	})
	oc := oauth2.Config{ClientID: "unsigned", ClientSecret: "s", Endpoint: e.provider().Endpoint(), RedirectURL: "http://127.0.0.1:1/cb", Scopes: []string{"openid"}}
	tok, err := oc.Exchange(context.Background(), e.authorize(e.browser(), oc.AuthCodeURL("s")).Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw := tok.Extra("id_token").(string)
	parts := strings.Split(raw, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if len(parts) != 3 || parts[2] != "" || string(header) != `{"alg":"none","typ":"JWT"}` {
		t.Errorf("ID token %q: want header alg none and an empty signature", raw)
	}
	if sub := jwtClaim(t, raw, "sub"); sub != "alice" {
		t.Errorf("sub = %v", sub)
	}
	// The access token is still signed: resource servers verify it.
	verifyAccessJWT(t, e, tok.AccessToken, "RS256")
}

func TestUserinfoPostAndScope(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	tok := loginTokens(t, e, "web", "web-secret")
	resp, err := http.PostForm(e.issuer+"/userinfo", url.Values{"access_token": {tok.AccessToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST userinfo with access_token in the body: %d", resp.StatusCode)
	}
	// A client-credentials token has no openid scope: 403 insufficient_scope.
	status, body, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, "service", "service-secret")
	if status != 200 {
		t.Fatal(body)
	}
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("userinfo with a token lacking openid: %d, want 403", resp.StatusCode)
	}
	// An ID token is not an access token.
	req.Header.Set("Authorization", "Bearer "+tok.Extra("id_token").(string))
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("userinfo with an ID token: %d %q, want 401 with WWW-Authenticate invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
