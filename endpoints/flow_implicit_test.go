package endpoints

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func implicitClient(cfg *Config) {
	cfg.Login = LoginAuto
	cfg.Clients = append(cfg.Clients, Client{ID: "implicit", Secret: "implicit-secret",
		GrantTypes: []string{GrantAuthorizationCode, GrantImplicit}, RedirectURIs: []string{"http://127.0.0.1/cb"}})
}

func TestImplicitAndHybrid(t *testing.T) {
	e := startEnv(t, implicitClient)
	prov := e.provider()
	verifier := prov.Verifier(&oidc.Config{ClientID: "implicit", Now: e.clock.Now})
	oc := oauth2.Config{ClientID: "implicit", ClientSecret: "implicit-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:4000/cb", Scopes: []string{"openid", "email"}}
	for _, rt := range []string{"id_token", "id_token token", "code id_token", "code token", "code id_token token"} {
		t.Run(rt, func(t *testing.T) {
			loc := e.authorize(e.browser(), oc.AuthCodeURL("st", oidc.Nonce("n0"), oauth2.SetAuthURLParam("response_type", rt)))
			if loc.RawQuery != "" || loc.Fragment == "" {
				t.Fatalf("response for %q should be in the fragment only: %s", rt, loc)
			}
			p := fragmentOrQuery(loc)
			rtype := parseResponseType(rt)
			for name, want := range map[string]bool{"code": rtype.code, "access_token": rtype.token, "id_token": rtype.idToken} {
				if got := p.Get(name) != ""; got != want {
					t.Errorf("%s present = %v, want %v (%s)", name, got, want, loc.Fragment)
				}
			}
			if raw := p.Get("id_token"); raw != "" {
				checkFrontChannelIDToken(t, verifier, raw, p)
			}
			if code := p.Get("code"); code != "" {
				tok, err := oc.Exchange(context.Background(), code)
				if err != nil {
					t.Fatalf("Exchange of the hybrid code: %v", err)
				}
				idt, err := verifier.Verify(context.Background(), tok.Extra("id_token").(string))
				if err != nil || idt.Subject != "alice" {
					t.Errorf("token-endpoint ID token: sub %v, err %v", idt, err)
				}
			}
		})
	}
}

// checkFrontChannelIDToken verifies an ID token from the authorization
// endpoint: signature and claims by go-oidc, at_hash by go-oidc, c_hash
// computed here.
func checkFrontChannelIDToken(t *testing.T, verifier *oidc.IDTokenVerifier, raw string, p url.Values) {
	t.Helper()
	idt, err := verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("go-oidc Verify: %v", err)
	}
	if idt.Nonce != "n0" {
		t.Errorf("nonce = %q, want n0", idt.Nonce)
	}
	var h struct {
		AtHash string `json:"at_hash"`
		CHash  string `json:"c_hash"`
	}
	_ = idt.Claims(&h)
	if at := p.Get("access_token"); at != "" {
		if err := idt.VerifyAccessToken(at); err != nil || h.AtHash == "" {
			t.Errorf("at_hash %q does not match the access token: %v", h.AtHash, err)
		}
	} else if h.AtHash != "" {
		t.Errorf("at_hash %q without an access token", h.AtHash)
	}
	if code := p.Get("code"); code != "" {
		if want := leftHalfHash(code); h.CHash != want {
			t.Errorf("c_hash = %q, want %q", h.CHash, want)
		}
	} else if h.CHash != "" {
		t.Errorf("c_hash %q without a code", h.CHash)
	}
}

func TestImplicitRules(t *testing.T) {
	e := startEnv(t, implicitClient)
	base := e.issuer + "/authorize?client_id=implicit&redirect_uri=" + url.QueryEscape("http://127.0.0.1:4000/cb") + "&state=s"
	cases := []struct {
		name, query, wantErr string
	}{
		{"nonce required", "&scope=openid&response_type=id_token", "invalid_request"},
		{"no tokens in the query", "&scope=openid&response_type=id_token&nonce=n&response_mode=query", "invalid_request"},
		{"openid required for id_token", "&response_type=id_token&nonce=n&scope=email", "invalid_scope"},
		{"unknown response_type", "&scope=openid&response_type=token", "unsupported_response_type"},
		{"unknown response_mode", "&scope=openid&response_type=code&response_mode=web_message", "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc := e.authorize(e.browser(), base+tc.query)
			p := fragmentOrQuery(loc)
			if p.Get("error") != tc.wantErr || p.Get("state") != "s" {
				t.Errorf("error %q state %q, want %q and the state back (%s)", p.Get("error"), p.Get("state"), tc.wantErr, loc)
			}
		})
	}
}

func TestFormPost(t *testing.T) {
	e := startEnv(t, implicitClient)
	u := e.issuer + "/authorize?client_id=implicit&response_type=code+id_token&response_mode=form_post&scope=openid&nonce=n&state=s1&redirect_uri=" + url.QueryEscape("http://127.0.0.1:4000/cb")
	resp, err := e.browser().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form_post: status %d", resp.StatusCode)
	}
	action := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindSubmatch(body)
	if action == nil || string(action[1]) != "http://127.0.0.1:4000/cb" {
		t.Errorf("form action = %q, want the redirect URI:\n%s", action, body)
	}
	for _, name := range []string{"code", "id_token", "state", "iss"} {
		if !regexp.MustCompile(`name="` + name + `" value="[^"]+"`).Match(body) {
			t.Errorf("form_post page lacks a %s field:\n%s", name, body)
		}
	}
}
