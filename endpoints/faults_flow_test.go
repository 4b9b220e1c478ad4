package endpoints

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// flowTokens runs a code flow for client (login auto) with extra
// authorization parameters and returns the token response.
func flowTokens(t *testing.T, e *testEnv, clientID, secret string, extra ...oauth2.AuthCodeOption) *oauth2.Token {
	t.Helper()
	oc := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: e.provider().Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid", "email"}}
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce("flow-nonce")}, extra...)
	loc := e.authorize(e.browser(), oc.AuthCodeURL("s", opts...))
	if loc.Query().Get("code") == "" {
		t.Fatalf("no code: %s", loc)
	}
	tok, err := oc.Exchange(context.Background(), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestClientFaultInCodeFlow(t *testing.T) {
	e := startEnv(t, func(c *Config) {
		c.Login = LoginAuto
		c.Clients = append(c.Clients, Client{ID: "broken", Secret: "s", Fault: "iss-wrong#suffix", RedirectURIs: []string{"http://127.0.0.1/cb"}})
	})
	tok := flowTokens(t, e, "broken", "s")
	raw := tok.Extra("id_token").(string)
	_, err := e.provider().Verifier(&oidc.Config{ClientID: "broken", Now: e.clock.Now}).Verify(context.Background(), raw)
	if err == nil || !strings.Contains(err.Error(), "different provider") {
		t.Fatalf("go-oidc on the client's broken token: %v, want an issuer mismatch", err)
	}
	if iss := jwtClaim(t, raw, "iss"); iss != e.issuer+"1" || jwtClaim(t, raw, "nonce") != "flow-nonce" {
		t.Errorf("iss %v, nonce %v: want the flow's token with only iss changed", iss, jwtClaim(t, raw, "nonce"))
	}
	// The access token of the flow is untouched.
	verifyAccessJWT(t, e, tok.AccessToken, "RS256")
	// The issued-token log says which token carried the fault.
	found := false
	for _, it := range e.issuedLog("") {
		found = found || (it.Kind == "id_token" && it.ClientID == "broken" && it.Fault == "iss-wrong#suffix")
	}
	if !found {
		t.Errorf("the issued-token log has no id_token of client broken with its fault: %+v", e.issuedLog(""))
	}
}

func TestRequestFaultAndPicker(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	verifier := e.provider().Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now})
	tok := flowTokens(t, e, "web", "web-secret", oauth2.SetAuthURLParam("testidp_fault", "sig-invalid#RS256"))
	if _, err := verifier.Verify(context.Background(), tok.Extra("id_token").(string)); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("testidp_fault=sig-invalid#RS256: %v, want a signature failure", err)
	}
	// Without the parameter the next login is clean again.
	tok = flowTokens(t, e, "web", "web-secret")
	if _, err := verifier.Verify(context.Background(), tok.Extra("id_token").(string)); err != nil {
		t.Errorf("a login without a fault: %v", err)
	}
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: e.provider().Endpoint(), RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	loc := e.authorize(e.browser(), oc.AuthCodeURL("s", oauth2.SetAuthURLParam("testidp_fault", "no-such-case")))
	if loc.Query().Get("error") != "invalid_request" {
		t.Errorf("unknown testidp_fault: %s, want invalid_request", loc)
	}

	// The login page's picker.
	form := startEnv(t, nil)
	b, id, page := loginPageFor(t, form, oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: form.provider().Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}})
	if !strings.Contains(page, `<option value="alg-none#none">`) {
		t.Fatal("the login page has no fault picker")
	}
	resp, _ := submitLogin(t, form, b, url.Values{"id": {id}, "action": {"approve"}, "user": {"alice"}, "fault": {"alg-none#none"}})
	loc2, _ := url.Parse(resp.Header.Get("Location"))
	oc.Endpoint = form.provider().Endpoint()
	tok, err := oc.Exchange(context.Background(), loc2.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(tok.Extra("id_token").(string), "."); len(parts) != 3 || parts[2] != "" {
		t.Errorf("picked alg-none#none but the ID token is %q", tok.Extra("id_token"))
	}
}

func TestUserinfoAndRefreshFaults(t *testing.T) {
	e := startEnv(t, func(c *Config) {
		c.Login = LoginAuto
		c.Clients = append(c.Clients,
			Client{ID: "ui", Secret: "s", Fault: "userinfo-sub-mismatch", RedirectURIs: []string{"http://127.0.0.1/cb"}},
			Client{ID: "rf", Secret: "s", Fault: "refresh-identity-changed#sub", RedirectURIs: []string{"http://127.0.0.1/cb"}})
	})
	prov := e.provider()
	ctx := context.Background()
	tok := flowTokens(t, e, "ui", "s")
	idt, err := prov.Verifier(&oidc.Config{ClientID: "ui", Now: e.clock.Now}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatalf("userinfo-sub-mismatch leaves the ID token valid: %v", err)
	}
	ui, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	if ui.Subject == idt.Subject || ui.Subject == "" {
		t.Errorf("userinfo sub %q, ID token sub %q: want them to differ", ui.Subject, idt.Subject)
	}

	verifier := prov.Verifier(&oidc.Config{ClientID: "rf", Now: e.clock.Now})
	first := flowTokens(t, e, "rf", "s")
	if idt, err := verifier.Verify(ctx, first.Extra("id_token").(string)); err != nil || idt.Subject != "alice" {
		t.Fatalf("the first ID token of a refresh case is valid: %v, %v", idt, err)
	}
	e.clock.Advance(time.Minute)
	oc := oauth2.Config{ClientID: "rf", ClientSecret: "s", Endpoint: prov.Endpoint()}
	second, err := oc.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if sub := jwtClaim(t, second.Extra("id_token").(string), "sub"); sub == "alice" {
		t.Errorf("the refreshed ID token kept sub %v; refresh-identity-changed#sub changes it", sub)
	}
}

func TestEncryptedIDTokens(t *testing.T) {
	encKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: encKey.Public(), KeyID: "e1", Use: "enc"}}})
	var jwks map[string]any
	_ = json.Unmarshal(pub, &jwks)
	e := startEnv(t, func(c *Config) {
		c.Login = LoginAuto
		c.Clients = append(c.Clients, Client{ID: "enc", Secret: "s", JWKS: jwks, TokenEndpointAuthMethod: AuthClientSecretBasic,
			IDTokenEncryptedResponseAlg: "ECDH-ES+A128KW", RedirectURIs: []string{"http://127.0.0.1/cb"}})
	})
	tok := flowTokens(t, e, "enc", "s")
	raw := tok.Extra("id_token").(string)
	obj, err := jose.ParseEncryptedCompact(raw, []jose.KeyAlgorithm{jose.ECDH_ES_A128KW}, []jose.ContentEncryption{jose.A128CBC_HS256})
	if err != nil {
		t.Fatalf("ID token is not the registered JWE: %v (%q)", err, raw)
	}
	inner, err := obj.Decrypt(encKey)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := e.provider().Verifier(&oidc.Config{ClientID: "enc", Now: e.clock.Now}).Verify(context.Background(), string(inner))
	if err != nil || idt.Nonce != "flow-nonce" {
		t.Errorf("inner ID token: %v, %v", idt, err)
	}
}
