package endpoints

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// racers is how many identical requests race in the tests below.
const racers = 8

// race sends the same token request from racers goroutines released at
// once and returns the statuses and error codes.
func race(e *testEnv, form url.Values, user, pass string) (statuses []int, errs []string) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	for range racers {
		wg.Go(func() {
			<-start
			status, body, _ := e.postForm("/token", form, user, pass)
			mu.Lock()
			defer mu.Unlock()
			statuses = append(statuses, status)
			if code, _ := body["error"].(string); code != "" {
				errs = append(errs, code)
			}
		})
	}
	close(start)
	wg.Wait()
	return statuses, errs
}

// wantOneWinner checks that exactly one request got 200 and the others
// 400 invalid_grant.
func wantOneWinner(t *testing.T, what string, statuses []int, errs []string) {
	t.Helper()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		} else if s != http.StatusBadRequest {
			t.Errorf("%s: a racing request got status %d, want 200 or 400", what, s)
		}
	}
	if ok != 1 {
		t.Errorf("%s: %d of %d racing requests succeeded (statuses %v), want exactly 1", what, ok, racers, statuses)
	}
	for _, code := range errs {
		if code != "invalid_grant" {
			t.Errorf("%s: a losing request got error %q, want invalid_grant", what, code)
		}
	}
}

// A code presented by several requests at once is exchanged once.
func TestRacingCodeExchange(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{oidc.ScopeOpenID}}
	for round := range 3 {
		pkce := oauth2.GenerateVerifier()
		loc := e.authorize(e.browser(), oc.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)))
		code := loc.Query().Get("code")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {oc.RedirectURL}, "code_verifier": {pkce}}
		statuses, errs := race(e, form, "web", "web-secret")
		wantOneWinner(t, fmt.Sprintf("round %d, code", round), statuses, errs)
	}
}

// A refresh token presented by several requests at once is exchanged once
// (the others are replays of a rotated token).
func TestRacingRefresh(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.Login = LoginAuto })
	prov := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: prov.Endpoint(),
		RedirectURL: "http://127.0.0.1:3000/cb", Scopes: []string{oidc.ScopeOpenID}}
	for round := range 3 {
		tok, _ := codeFlow(t, e, oc, prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now}))
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
		statuses, errs := race(e, form, "web", "web-secret")
		wantOneWinner(t, fmt.Sprintf("round %d, refresh token", round), statuses, errs)
	}
}
