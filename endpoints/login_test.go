package endpoints

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// loginPageFor starts an authorization request and returns the browser and
// the id of the login page it lands on.
func loginPageFor(t *testing.T, e *testEnv, oc oauth2.Config, opts ...oauth2.AuthCodeOption) (*http.Client, string, string) {
	t.Helper()
	b := e.browser()
	resp, err := b.Get(oc.AuthCodeURL("st", opts...))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		t.Fatalf("expected the login page, got %d at %s", resp.StatusCode, resp.Request.URL)
	}
	id := resp.Request.URL.Query().Get("id")
	return b, id, string(body)
}

// submitLogin posts the login form and returns the response (not followed
// past the provider).
func submitLogin(t *testing.T, e *testEnv, b *http.Client, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := b.PostForm(e.issuer+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func TestLoginForm(t *testing.T) {
	e := startEnv(t, nil)
	prov := e.provider()
	ctx := context.Background()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid", "profile"}}
	verifier := prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now})
	exchange := func(resp *http.Response) *oidc.IDToken {
		t.Helper()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || loc.Query().Get("code") == "" {
			t.Fatalf("login POST: status %d, Location %q; want 303 to the client with a code", resp.StatusCode, loc)
		}
		tok, err := oc.Exchange(ctx, loc.Query().Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		idt, err := verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		return idt
	}

	t.Run("configured user", func(t *testing.T) {
		b, id, page := loginPageFor(t, e, oc)
		for _, want := range []string{`value="alice"`, `value="bob"`, `name="subject"`, `name="claims"`, `value="approve"`, `value="deny"`} {
			if !strings.Contains(page, want) {
				t.Errorf("login page lacks %s", want)
			}
		}
		resp, _ := submitLogin(t, e, b, url.Values{"id": {id}, "action": {"approve"}, "user": {"bob"}})
		if idt := exchange(resp); idt.Subject != "bob" {
			t.Errorf("sub = %q, want bob", idt.Subject)
		}
		// The request is single use.
		resp, _ = submitLogin(t, e, b, url.Values{"id": {id}, "action": {"approve"}, "user": {"bob"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("second decision for the same request: status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("ad-hoc subject with claims", func(t *testing.T) {
		b, id, _ := loginPageFor(t, e, oc)
		resp, page := submitLogin(t, e, b, url.Values{"id": {id}, "action": {"approve"}, "subject": {"carol"}, "claims": {`{"name": "Carol", "groups": ["admin"`}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "JSON object") {
			t.Fatalf("malformed claims JSON: status %d, want 400 with the page explaining:\n%s", resp.StatusCode, page)
		}
		resp, _ = submitLogin(t, e, b, url.Values{"id": {id}, "action": {"approve"}, "subject": {"carol"}, "claims": {`{"name": "Carol", "groups": ["admin"]}`}})
		idt := exchange(resp)
		var c struct {
			Name   string   `json:"name"`
			Groups []string `json:"groups"`
		}
		_ = idt.Claims(&c)
		if idt.Subject != "carol" || c.Name != "Carol" || len(c.Groups) != 1 {
			t.Errorf("ad-hoc login: sub %q claims %+v", idt.Subject, c)
		}
	})
	t.Run("reserved claim refused", func(t *testing.T) {
		b, id, _ := loginPageFor(t, e, oc)
		resp, page := submitLogin(t, e, b, url.Values{"id": {id}, "action": {"approve"}, "user": {"alice"}, "claims": {`{"iss": "https://evil"}`}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "iss") {
			t.Errorf("claims setting iss: status %d, want 400 naming iss", resp.StatusCode)
		}
	})
	t.Run("deny", func(t *testing.T) {
		b, id, _ := loginPageFor(t, e, oc)
		resp, _ := submitLogin(t, e, b, url.Values{"id": {id}, "action": {"deny"}})
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st" {
			t.Errorf("deny redirected to %s, want error=access_denied with the state", loc)
		}
	})
}

func TestPromptAndMaxAge(t *testing.T) {
	e := startEnv(t, nil)
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	b, id, _ := loginPageFor(t, e, oc)
	none := oauth2.SetAuthURLParam("prompt", "none")

	fresh := e.browser()
	if got := e.authorize(fresh, oc.AuthCodeURL("s", none)).Query().Get("error"); got != "login_required" {
		t.Errorf("prompt=none without a session: error %q, want login_required", got)
	}
	resp, _ := submitLogin(t, e, b, url.Values{"id": {id}, "action": {"approve"}, "user": {"alice"}})
	resp.Body.Close()
	loc := e.authorize(b, oc.AuthCodeURL("s", none, oauth2.SetAuthURLParam("max_age", "60")))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("prompt=none with a session: %s, want a code", loc)
	}
	tok, err := oc.Exchange(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	idt, _ := prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now}).Verify(context.Background(), tok.Extra("id_token").(string))
	_ = idt.Claims(&claims)
	if _, ok := claims["auth_time"]; !ok {
		t.Errorf("max_age requested but no auth_time: %v", claims)
	}
	e.clock.Advance(2 * 60e9)
	if got := e.authorize(b, oc.AuthCodeURL("s", none, oauth2.SetAuthURLParam("max_age", "60"))).Query().Get("error"); got != "login_required" {
		t.Errorf("prompt=none, session older than max_age: error %q, want login_required", got)
	}
	resp, err = b.Get(oc.AuthCodeURL("s", oauth2.SetAuthURLParam("prompt", "login")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		t.Errorf("prompt=login with a session landed on %s, want the login page", resp.Request.URL)
	}
	if got := e.authorize(b, oc.AuthCodeURL("s", oauth2.SetAuthURLParam("prompt", "none login"))).Query().Get("error"); got != "invalid_request" {
		t.Errorf("prompt=none login: %q, want invalid_request", got)
	}
}

func TestAutoLoginHintAndACR(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	loc := e.authorize(e.browser(), oc.AuthCodeURL("s", oauth2.SetAuthURLParam("login_hint", "bob"), oauth2.SetAuthURLParam("acr_values", "urn:example:mfa")))
	tok, err := oc.Exchange(context.Background(), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok.Extra("id_token").(string), ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	_ = json.Unmarshal(payload, &c)
	if c["sub"] != "bob" || c["acr"] != "urn:example:mfa" {
		t.Errorf("login_hint bob and acr_values: claims %v", c)
	}
}

func TestEndSession(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{"openid"}}
	b := e.browser()
	tok, err := oc.Exchange(context.Background(), e.authorize(b, oc.AuthCodeURL("s")).Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	hint := tok.Extra("id_token").(string)
	bad := e.issuer + "/end_session?id_token_hint=" + hint + "&post_logout_redirect_uri=" + url.QueryEscape("https://evil.example/")
	resp, err := b.Get(bad)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unregistered post_logout_redirect_uri: status %d, want 400 and no redirect", resp.StatusCode)
	}
	loc := e.authorize(b, e.issuer+"/end_session?id_token_hint="+hint+"&state=bye&post_logout_redirect_uri="+url.QueryEscape("http://localhost:3000/logged-out"))
	if loc.Host != "localhost:3000" || loc.Query().Get("state") != "bye" {
		t.Errorf("logout redirect = %s, want the registered URI with state", loc)
	}
	none := oauth2.SetAuthURLParam("prompt", "none")
	if got := e.authorize(b, oc.AuthCodeURL("s", none)).Query().Get("error"); got != "login_required" {
		t.Errorf("after logout, prompt=none: %q, want login_required", got)
	}
}
