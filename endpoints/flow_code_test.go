package endpoints

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// hmacKeySet lets go-oidc verify HS256 ID tokens (it only fetches public
// keys): go-jose checks the MAC with the client secret, go-oidc does the rest.
type hmacKeySet struct{ secret []byte }

func (k hmacKeySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return nil, err
	}
	return sig.Verify(k.secret)
}

// algClients adds a confidential client per ID-token algorithm.
func algClients(cfg *Config) {
	cfg.Login = LoginAuto
	for _, alg := range []string{"ES256", "EdDSA", "PS256", "ES384"} {
		cfg.Clients = append(cfg.Clients, Client{ID: "web-" + alg, Secret: "secret-" + alg, IDTokenAlg: alg,
			RedirectURIs: []string{"http://127.0.0.1/cb"}})
	}
}

// codeFlow runs the authorization code flow with PKCE through x/oauth2 and
// returns the token and the verified ID token.
func codeFlow(t *testing.T, e *testEnv, oc oauth2.Config, verifier *oidc.IDTokenVerifier) (*oauth2.Token, *oidc.IDToken) {
	t.Helper()
	ctx := context.Background()
	pkce, state, nonce := oauth2.GenerateVerifier(), "st-"+t.Name(), "n-"+t.Name()
	loc := e.authorize(e.browser(), oc.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce)))
	q := loc.Query()
	if q.Get("state") != state || q.Get("iss") != e.issuer {
		t.Fatalf("redirect %s: state %q, iss %q; want %q, %q", loc, q.Get("state"), q.Get("iss"), state, e.issuer)
	}
	if q.Get("code") == "" {
		t.Fatalf("redirect %s carries no code", loc)
	}
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("go-oidc Verify: %v\ntoken: %s", err, raw)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce = %q, want %q", idt.Nonce, nonce)
	}
	var h struct {
		AtHash string `json:"at_hash"`
	}
	_ = idt.Claims(&h)
	if isHS256(raw) {
		if want := leftHalfHash(tok.AccessToken); h.AtHash != want {
			t.Errorf("at_hash = %q, want %q (left half of SHA-256, computed here)", h.AtHash, want)
		}
	} else if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash (checked by go-oidc): %v", err)
	}
	return tok, idt
}

func TestCodeFlowEveryAlg(t *testing.T) {
	e := startEnv(t, algClients)
	prov := e.provider()
	cases := []struct {
		client, secret, alg string
	}{
		{"web", "web-secret", "RS256"},
		{"web-ES256", "secret-ES256", "ES256"},
		{"web-EdDSA", "secret-EdDSA", "EdDSA"},
		{"web-PS256", "secret-PS256", "PS256"},
		{"web-ES384", "secret-ES384", "ES384"},
		{"hs256", "hs256-secret-0123456789abcdef0123", "HS256"},
	}
	for _, tc := range cases {
		t.Run(tc.alg, func(t *testing.T) {
			oc := oauth2.Config{ClientID: tc.client, ClientSecret: tc.secret, Endpoint: prov.Endpoint(),
				RedirectURL: "http://127.0.0.1:5555/cb", Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
			vcfg := &oidc.Config{ClientID: tc.client, SupportedSigningAlgs: []string{tc.alg}, Now: e.clock.Now}
			verifier := prov.Verifier(vcfg)
			if tc.alg == "HS256" {
				verifier = oidc.NewVerifier(e.issuer, hmacKeySet{[]byte(tc.secret)}, vcfg)
			}
			if tc.client == "web" {
				oc.RedirectURL = "http://localhost:5555/anything/cb"
			}
			tok, idt := codeFlow(t, e, oc, verifier)
			var claims struct {
				Email string `json:"email"`
				Name  string `json:"name"`
			}
			if err := idt.Claims(&claims); err != nil || claims.Email != "alice@example.com" || claims.Name != "Alice Example" {
				t.Errorf("ID token claims = %+v (%v), want alice's email and name", claims, err)
			}
			ui, err := prov.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if ui.Subject != idt.Subject || ui.Email != "alice@example.com" {
				t.Errorf("userinfo sub %q email %q; want the ID token's sub %q and alice's email", ui.Subject, ui.Email, idt.Subject)
			}
		})
	}
}

func TestPublicClientNeedsPKCE(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "spa", Endpoint: prov.Endpoint(), RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	codeFlow(t, e, oc, prov.Verifier(&oidc.Config{ClientID: "spa", Now: e.clock.Now}))

	// Without a code_challenge the request is refused, by redirect.
	loc := e.authorize(e.browser(), oc.AuthCodeURL("s"))
	if got := loc.Query().Get("error"); got != "invalid_request" {
		t.Errorf("spa without PKCE: error %q, want invalid_request (redirect %s)", got, loc)
	}
}

func TestPKCEPlain(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "spa", Endpoint: prov.Endpoint(), RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	verifier := oauth2.GenerateVerifier()
	loc := e.authorize(e.browser(), oc.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")))
	if _, err := oc.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("Exchange with plain PKCE: %v", err)
	}
}

func TestRefreshRotation(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	ctx := context.Background()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid", "email"}}
	verifier := prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now})
	first, idt := codeFlow(t, e, oc, verifier)
	if first.RefreshToken == "" {
		t.Fatal("no refresh token for a client with the refresh_token grant")
	}
	e.clock.Advance(10 * time.Minute)
	refresh := func(rt string) (*oauth2.Token, error) {
		return oc.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Unix(1, 0)}).Token()
	}
	second, err := refresh(first.RefreshToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Errorf("refresh token not rotated: got %q", second.RefreshToken)
	}
	idt2, err := verifier.Verify(ctx, second.Extra("id_token").(string))
	if err != nil {
		t.Fatalf("refreshed ID token: %v", err)
	}
	if idt2.Subject != idt.Subject || idt2.Issuer != idt.Issuer || fmt.Sprint(idt2.Audience) != fmt.Sprint(idt.Audience) || !idt2.IssuedAt.After(idt.IssuedAt) {
		t.Errorf("refreshed ID token iss/sub/aud/iat = %s/%s/%v/%v; want the original's %s/%s/%v and a later iat (Core §12.2)",
			idt2.Issuer, idt2.Subject, idt2.Audience, idt2.IssuedAt, idt.Issuer, idt.Subject, idt.Audience)
	}
	// The rotated-out token fails, and its reuse revokes the grant: the
	// token that replaced it fails too (RFC 9700 §4.14.2).
	if _, err := refresh(first.RefreshToken); err == nil {
		t.Fatal("reusing a rotated-out refresh token succeeded")
	}
	if _, err := refresh(second.RefreshToken); err == nil {
		t.Error("after reuse was detected, the newest refresh token of the grant still works")
	}
}

// isHS256 reports whether a JWS is HS256 (go-oidc cannot compute at_hash
// for it).
func isHS256(raw string) bool {
	sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	return err == nil && sig.Signatures[0].Header.Algorithm == "HS256"
}

// leftHalfHash is at_hash / c_hash for SHA-256 algorithms, computed here
// independently of the provider.
func leftHalfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
