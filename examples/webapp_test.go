package examples

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/testidp/testidp/oidctest"
)

// startApp serves the web application against the provider's issuer.
func startApp(t *testing.T, issuer, clientID, secret string) *httptest.Server {
	t.Helper()
	app := httptest.NewUnstartedServer(nil)
	wa, err := NewWebApp(context.Background(), issuer, clientID, secret, "http://"+app.Listener.Addr().String()+"/callback")
	if err != nil {
		t.Fatalf("NewWebApp: %v", err)
	}
	app.Config.Handler = wa.Handler()
	app.Start()
	t.Cleanup(app.Close)
	return app
}

// browse follows every redirect with cookies, as a browser does.
func browse(t *testing.T, u string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestWebAppLogin(t *testing.T) {
	srv := oidctest.NewServer(t)
	cases := []struct {
		name, client, secret, login string
		want                        string
	}{
		{"confidential client", "web", "web-secret", "/login", "hello alice@example.com"},
		{"public client", "spa", "", "/login", "hello alice@example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := startApp(t, srv.Issuer, tc.client, tc.secret)
			code, body := browse(t, app.URL+tc.login)
			if code != http.StatusOK || body != tc.want {
				t.Errorf("login through %s: %d %q, want 200 %q", tc.client, code, body, tc.want)
			}
		})
	}
}

func TestWebAppRejectsAnotherIssuersTokens(t *testing.T) {
	// The application trusts one issuer; a provider that is not it cannot
	// log anyone in, even with the same client ids and users.
	trusted := oidctest.NewServer(t)
	other := oidctest.NewServer(t, oidctest.WithSeed("another provider"))
	app := startApp(t, trusted.Issuer, "web", "web-secret")
	wa, _ := NewWebApp(context.Background(), trusted.Issuer, "web", "web-secret", app.URL+"/callback")
	raw := other.MintIDToken()
	if _, err := wa.Verifier.Verify(context.Background(), raw); err == nil {
		t.Error("the app's verifier accepted an ID token of another provider")
	}
}

func TestWebAppPicksUser(t *testing.T) {
	// With the login page, the test chooses the user as a person would:
	// oidctest's Login submits the form; here the app's own flow gets bob
	// through login_hint instead.
	srv := oidctest.NewServer(t)
	app := startApp(t, srv.Issuer, "web", "web-secret")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/authorize" {
			q := req.URL.Query()
			q.Set("login_hint", "bob")
			req.URL.RawQuery = q.Encode()
		}
		return nil
	}}
	resp, err := browser.Get(app.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "hello bob@example.com" {
		t.Errorf("login as bob: %q", body)
	}
}
