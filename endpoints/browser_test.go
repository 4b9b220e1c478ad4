package endpoints

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// browserContext starts headless Chromium (Debian's package; .ci/run installs
// it). Without it the test is skipped, unless TESTIDP_REQUIRE_BROWSER=1, as
// in CI, makes that a failure.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("TESTIDP_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium not found and TESTIDP_REQUIRE_BROWSER=1")
		}
		t.Skip("chromium not installed (apt-get install -y chromium); set TESTIDP_REQUIRE_BROWSER=1 to make this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestLoginPageInBrowser drives the real login page in headless Chromium:
// pick a user, approve, arrive at the client with a code; deny gives
// access_denied; malformed claims JSON shows an error on the page.
func TestLoginPageInBrowser(t *testing.T) {
	ctx := browserContext(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<!doctype html><title>callback</title><p id=done>back at the app</p>"))
	}))
	t.Cleanup(app.Close)
	e := startEnv(t, nil)
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: e.provider().Endpoint(),
		RedirectURL: app.URL + "/callback", Scopes: []string{"openid", "email"}}

	err := chromedp.Do(ctx,
		chromedp.Navigate(oc.AuthCodeURL("browser-state")),
		chromedp.WaitVisible(chromedp.ID("approve")),
		chromedp.SetValue(chromedp.ID("claims"), `{"groups": ["admin"`),
		chromedp.Click(chromedp.CSS(`input[name="user"][value="bob"]`)),
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("error")),
		chromedp.SetValue(chromedp.ID("claims"), `{"groups": ["admin"]}`),
		chromedp.Click(chromedp.CSS(`input[name="user"][value="bob"]`)),
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if err != nil {
		t.Fatalf("approve in the browser: %v", err)
	}
	landed, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(landed)
	if !strings.HasPrefix(landed, app.URL+"/callback") || u.Query().Get("state") != "browser-state" || u.Query().Get("code") == "" {
		t.Fatalf("browser landed on %s, want the callback with a code and the state", landed)
	}
	tok, err := oc.Exchange(context.Background(), u.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if sub := jwtClaim(t, tok.Extra("id_token").(string), "sub"); sub != "bob" {
		t.Errorf("sub = %v, want bob (picked in the browser)", sub)
	}
	if groups := jwtClaim(t, tok.Extra("id_token").(string), "groups"); groups == nil {
		t.Error("claims typed in the browser did not reach the ID token")
	}

	// A new request: the browser has a session now, so prompt=login forces
	// the page again; deny it.
	err = chromedp.Do(ctx,
		chromedp.Navigate(oc.AuthCodeURL("deny-state", oauth2.SetAuthURLParam("prompt", "login"))),
		chromedp.WaitVisible(chromedp.ID("deny")),
		chromedp.Click(chromedp.ID("deny")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if err != nil {
		t.Fatalf("deny in the browser: %v", err)
	}
	if landed, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(landed)
	if u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "deny-state" {
		t.Errorf("deny landed on %s, want error=access_denied and the state", landed)
	}
}
