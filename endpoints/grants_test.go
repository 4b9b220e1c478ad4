package endpoints

import (
	"context"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestClientCredentials(t *testing.T) {
	e := startEnv(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "svc-es256", Secret: "s", GrantTypes: []string{GrantClientCredentials},
			AccessTokenAlg: "ES256", AccessTokenAudience: []string{"https://api.example"}, Claims: map[string]any{"tenant": "acme"}})
	})
	prov := e.provider()
	ctx := context.Background()
	for _, tc := range []struct {
		client, secret, alg, aud string
	}{
		{"service", "service-secret", "RS256", "service"},
		{"svc-es256", "s", "ES256", "https://api.example"},
	} {
		t.Run(tc.client, func(t *testing.T) {
			cc := clientcredentials.Config{ClientID: tc.client, ClientSecret: tc.secret, TokenURL: prov.Endpoint().TokenURL, Scopes: []string{"read", "write"}}
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatalf("client_credentials: %v", err)
			}
			if tok.RefreshToken != "" || tok.Extra("id_token") != nil {
				t.Errorf("client_credentials returned a refresh or ID token: %+v", tok)
			}
			claims := verifyAccessJWT(t, e, tok.AccessToken, tc.alg)
			if claims["sub"] != tc.client || claims["client_id"] != tc.client || claims["scope"] != "read write" || claims["aud"] != tc.aud {
				t.Errorf("access token claims = %v", claims)
			}
			if tc.client == "svc-es256" && claims["tenant"] != "acme" {
				t.Errorf("client claims missing: %v", claims)
			}
		})
	}
	_, err := (&clientcredentials.Config{ClientID: "web", ClientSecret: "web-secret", TokenURL: prov.Endpoint().TokenURL}).Token(ctx)
	if err == nil || !strings.Contains(err.Error(), "unauthorized_client") {
		t.Errorf("client_credentials for a client without that grant: %v, want unauthorized_client", err)
	}
}

// verifyAccessJWT checks an access token against the provider's JWKS with
// go-jose (alg given explicitly) and RFC 9068's typ, returning its claims.
func verifyAccessJWT(t *testing.T, e *testEnv, raw, alg string) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	if typ := tok.Headers[0].ExtraHeaders[jose.HeaderType]; typ != "at+jwt" {
		t.Errorf("access token typ = %v, want at+jwt (RFC 9068)", typ)
	}
	keySet := oidc.NewRemoteKeySet(context.Background(), e.issuer+"/jwks")
	if _, err := keySet.VerifySignature(context.Background(), raw); err != nil {
		t.Fatalf("access token signature against the JWKS: %v", err)
	}
	var std jwt.Claims
	all := map[string]any{}
	if err := tok.UnsafeClaimsWithoutVerification(&std, &all); err != nil {
		t.Fatal(err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: e.issuer, Time: e.clock.Now()}, 0); err != nil {
		t.Errorf("access token claims: %v", err)
	}
	return all
}

func TestPasswordGrant(t *testing.T) {
	e := startEnv(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "legacy", Secret: "legacy-secret",
			GrantTypes: []string{GrantPassword, GrantRefreshToken}})
	})
	prov := e.provider()
	ctx := context.Background()
	oc := oauth2.Config{ClientID: "legacy", ClientSecret: "legacy-secret", Endpoint: prov.Endpoint(), Scopes: []string{"openid", "email"}}
	tok, err := oc.PasswordCredentialsToken(ctx, "alice@example.com", "alice")
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: "legacy", Now: e.clock.Now}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil || idt.Subject != "alice" {
		t.Fatalf("password grant ID token: %v, %v", idt, err)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token")
	}
	for _, bad := range []struct{ user, pass string }{{"alice", "bob"}, {"nobody", "x"}} {
		if _, err := oc.PasswordCredentialsToken(ctx, bad.user, bad.pass); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("password %s/%s: %v, want invalid_grant", bad.user, bad.pass, err)
		}
	}
	web := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint()}
	if _, err := web.PasswordCredentialsToken(ctx, "alice", "alice"); err == nil || !strings.Contains(err.Error(), "unauthorized_client") {
		t.Errorf("password grant for web: %v, want unauthorized_client", err)
	}
}
