package endpoints

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// startIssuers serves the default configuration plus the given issuers,
// each with its own keys, with the built-in profiles and login auto.
func startIssuers(t *testing.T, issuers ...IssuerConfig) *testEnv {
	t.Helper()
	cfg := WithProfiles(defaultTestConfig(t), builtinProfiles(t))
	cfg.Login = LoginAuto
	cfg.Issuers = issuers
	return startEnvWith(t, cfg, Options{GenerateKey: pooledKeys()})
}

// getJSON fetches a JSON document.
func getJSON(t *testing.T, u string, header http.Header) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m
}

// loginAt runs the code flow with PKCE at one issuer through x/oauth2 and
// returns the tokens; the browser keeps the session cookies.
func loginAt(t *testing.T, e *testEnv, browser *http.Client, prov *oidc.Provider, issuerURL, client, secret string) *oauth2.Token {
	t.Helper()
	oc := oauth2.Config{ClientID: client, ClientSecret: secret, Endpoint: prov.Endpoint(), RedirectURL: "http://127.0.0.1:5555/cb",
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	pkce := oauth2.GenerateVerifier()
	loc := e.authorize(browser, oc.AuthCodeURL("st", oauth2.S256ChallengeOption(pkce)))
	if got := loc.Query().Get("iss"); got != issuerURL {
		t.Fatalf("authorization response iss = %q, want %q (redirect %s)", got, issuerURL, loc)
	}
	tok, err := oc.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("Exchange at %s: %v", issuerURL, err)
	}
	return tok
}

func TestMultiIssuerDiscovery(t *testing.T) {
	e := startIssuers(t, IssuerConfig{Path: "/realms/a"}, IssuerConfig{Path: "/realms/b"})
	base := e.issuer
	kids := map[string]string{}
	for _, path := range []string{"", "/realms/a", "/realms/b"} {
		iss := base + path
		code, doc := getJSON(t, iss+"/.well-known/openid-configuration", nil)
		if code != 200 || doc["issuer"] != iss || doc["token_endpoint"] != iss+"/token" || doc["jwks_uri"] != iss+"/jwks" {
			t.Errorf("discovery of %s: %d %v; want issuer %s and endpoints below it", iss, code, doc, iss)
		}
		if path != "" {
			code, meta := getJSON(t, base+"/.well-known/oauth-authorization-server"+path, nil)
			if code != 200 || meta["issuer"] != iss {
				t.Errorf("RFC 8414 metadata at /.well-known/oauth-authorization-server%s: %d, issuer %v; want 200, %s", path, code, meta["issuer"], iss)
			}
		}
		if _, err := oidc.NewProvider(context.Background(), iss); err != nil {
			t.Errorf("go-oidc discovery of %s: %v", iss, err)
		}
		_, set := getJSON(t, iss+"/jwks", nil)
		for _, k := range set["keys"].([]any) {
			kid := k.(map[string]any)["kid"].(string)
			if other, dup := kids[kid]; dup {
				t.Errorf("kid %s is published by %q and by %q: issuers must have their own keys", kid, other, path)
			}
			kids[kid] = path
		}
	}
	if got := e.p.Issuers(); !slices.Equal(got, []string{base, base + "/realms/a", base + "/realms/b"}) {
		t.Errorf("Issuers() = %v", got)
	}
}

func TestMultiIssuerIsolation(t *testing.T) {
	e := startIssuers(t, IssuerConfig{Path: "/realms/a"}, IssuerConfig{Path: "/realms/b"})
	ctx := context.Background()
	issA, issB := e.issuer+"/realms/a", e.issuer+"/realms/b"
	provA, err := oidc.NewProvider(ctx, issA)
	if err != nil {
		t.Fatal(err)
	}
	provB, err := oidc.NewProvider(ctx, issB)
	if err != nil {
		t.Fatal(err)
	}
	browser := e.browser()
	tok := loginAt(t, e, browser, provA, issA, "web", "web-secret")
	rawID, _ := tok.Extra("id_token").(string)
	vcfg := &oidc.Config{ClientID: "web", Now: e.clock.Now}

	t.Run("go-oidc", func(t *testing.T) {
		if _, err := provA.Verifier(vcfg).Verify(ctx, rawID); err != nil {
			t.Fatalf("verifier of a rejects a's ID token: %v", err)
		}
		if _, err := provB.Verifier(vcfg).Verify(ctx, rawID); err == nil {
			t.Error("verifier of b accepted an ID token of a")
		}
		// Even with a's issuer, b's keys must not verify a's signature.
		keysB := oidc.NewRemoteKeySet(ctx, issB+"/jwks")
		if _, err := oidc.NewVerifier(issA, keysB, vcfg).Verify(ctx, rawID); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("a's token checked with b's JWKS: %v, want a signature failure", err)
		}
	})
	t.Run("userinfo", func(t *testing.T) {
		for _, tc := range []struct {
			iss  string
			want int
		}{{issA, 200}, {issB, 401}, {e.issuer, 401}} {
			code, _ := getJSON(t, tc.iss+"/userinfo", http.Header{"Authorization": {"Bearer " + tok.AccessToken}})
			if code != tc.want {
				t.Errorf("userinfo of %s with a's access token: %d, want %d", tc.iss, code, tc.want)
			}
		}
	})
	t.Run("introspection", func(t *testing.T) {
		for _, tc := range []struct {
			iss    string
			active bool
		}{{issA, true}, {issB, false}} {
			u, _ := url.Parse(tc.iss)
			code, m, _ := e.postForm(strings.TrimPrefix(u.Path, "")+"/introspect", url.Values{"token": {tok.AccessToken}}, "web", "web-secret")
			if code != 200 || m["active"] != tc.active {
				t.Errorf("introspection at %s of a's access token: %d %v, want active %v", tc.iss, code, m, tc.active)
			}
			code, m, _ = e.postForm(u.Path+"/introspect", url.Values{"token": {tok.RefreshToken}}, "web", "web-secret")
			if code != 200 || m["active"] != tc.active {
				t.Errorf("introspection at %s of a's refresh token: %d %v, want active %v", tc.iss, code, m, tc.active)
			}
		}
	})
	t.Run("refresh token", func(t *testing.T) {
		code, m, _ := e.postForm("/realms/b/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, "web", "web-secret")
		if code != 400 || m["error"] != "invalid_grant" {
			t.Errorf("a's refresh token at b's token endpoint: %d %v, want 400 invalid_grant", code, m)
		}
	})
	t.Run("sessions", func(t *testing.T) {
		for _, tc := range []struct {
			prov *oidc.Provider
			want string // "code" or the error
		}{{provA, "code"}, {provB, "login_required"}} {
			oc := oauth2.Config{ClientID: "web", Endpoint: tc.prov.Endpoint(), RedirectURL: "http://127.0.0.1:5555/cb", Scopes: []string{"openid"}}
			loc := e.authorize(browser, oc.AuthCodeURL("st", oauth2.SetAuthURLParam("prompt", "none"), oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			got := loc.Query().Get("error")
			if loc.Query().Get("code") != "" {
				got = "code"
			}
			if got != tc.want {
				t.Errorf("prompt=none at %s after logging in at a: %s, want %s", tc.prov.Endpoint().AuthURL, loc, tc.want)
			}
		}
	})
	t.Run("id_token_hint", func(t *testing.T) {
		resp, err := http.Get(issB + "/end_session?id_token_hint=" + url.QueryEscape(rawID))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("b's end_session with a's ID token as hint: %d, want 400", resp.StatusCode)
		}
	})
}

func TestMultiIssuerOwnClientsAndUsers(t *testing.T) {
	e := startIssuers(t, IssuerConfig{Path: "/tenant-a",
		Clients: []Client{{ID: "only-a", Secret: "only-a-secret", GrantTypes: []string{GrantClientCredentials, GrantPassword}}},
		Users:   []User{{Sub: "carol", Password: "carol"}},
	})
	cases := []struct {
		name, path, client, secret string
		form                       url.Values
		want                       int
	}{
		{"own client", "/tenant-a/token", "only-a", "only-a-secret", url.Values{"grant_type": {"client_credentials"}}, 200},
		{"own client elsewhere", "/token", "only-a", "only-a-secret", url.Values{"grant_type": {"client_credentials"}}, 401},
		{"top-level client not copied", "/tenant-a/token", "service", "service-secret", url.Values{"grant_type": {"client_credentials"}}, 401},
		{"own user", "/tenant-a/token", "only-a", "only-a-secret", url.Values{"grant_type": {"password"}, "username": {"carol"}, "password": {"carol"}, "scope": {"openid"}}, 200},
		{"top-level user not copied", "/tenant-a/token", "only-a", "only-a-secret", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice"}}, 400},
	}
	for _, tc := range cases {
		code, m, _ := e.postForm(tc.path, tc.form, tc.client, tc.secret)
		if code != tc.want {
			t.Errorf("%s: POST %s as %s: %d %v, want %d", tc.name, tc.path, tc.client, code, m, tc.want)
		}
	}
}
