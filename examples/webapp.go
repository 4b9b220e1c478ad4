package examples

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// WebApp is a small web application that logs its users in with OpenID
// Connect: the authorization code flow with PKCE, state and nonce, the ID
// token verified by go-oidc. It is what the tests in this module test; a
// real application would keep sessions server-side.
type WebApp struct {
	OAuth2   oauth2.Config
	Verifier *oidc.IDTokenVerifier
}

// NewWebApp discovers the provider at issuer and configures the client.
func NewWebApp(ctx context.Context, issuer, clientID, secret, redirectURL string) (*WebApp, error) {
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	return &WebApp{
		OAuth2: oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(),
			RedirectURL: redirectURL, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
		Verifier: provider.Verifier(&oidc.Config{ClientID: clientID}),
	}, nil
}

// Handler serves /login (to the provider) and /callback (back from it).
func (a *WebApp) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	return mux
}

func (a *WebApp) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	for name, v := range map[string]string{"state": state, "nonce": nonce, "pkce": verifier} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, a.OAuth2.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

func (a *WebApp) callback(w http.ResponseWriter, r *http.Request) {
	state, err1 := r.Cookie("state")
	nonce, err2 := r.Cookie("nonce")
	pkce, err3 := r.Cookie("pkce")
	if err1 != nil || err2 != nil || err3 != nil || r.URL.Query().Get("state") != state.Value {
		http.Error(w, "state mismatch", http.StatusBadRequest)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		http.Error(w, "login failed: "+e, http.StatusUnauthorized)
		return
	}
	tok, err := a.OAuth2.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(pkce.Value))
	if err != nil {
		http.Error(w, "code exchange: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := a.Verifier.Verify(r.Context(), raw)
	if err != nil || id.Nonce != nonce.Value {
		http.Error(w, fmt.Sprintf("ID token rejected: %v", err), http.StatusUnauthorized)
		return
	}
	var claims struct {
		Email string `json:"email"`
	}
	if err := id.Claims(&claims); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	fmt.Fprintf(w, "hello %s", claims.Email)
}

func random() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
