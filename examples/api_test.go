package examples

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/oidctest"
)

const apiAudience = "https://api.example"

// worker is a machine client whose access tokens are for the API.
var worker = endpoints.Client{ID: "worker", Secret: "worker-secret", GrantTypes: []string{"client_credentials"},
	AccessTokenAudience: []string{apiAudience}}

// startAPI serves the API, verifying tokens of the issuer on the
// provider's clock (so that srv.Advance expires them).
func startAPI(t *testing.T, srv *oidctest.Server) *httptest.Server {
	t.Helper()
	api, err := NewAPI(context.Background(), srv.Issuer, apiAudience, "read", oidc.Config{Now: srv.Now})
	if err != nil {
		t.Fatalf("NewAPI: %v", err)
	}
	hs := httptest.NewServer(api)
	t.Cleanup(hs.Close)
	return hs
}

func TestAPIWithClientCredentials(t *testing.T) {
	srv := oidctest.NewServer(t, oidctest.WithClient(worker))
	api := startAPI(t, srv)
	// The client side, as the worker would do it: x/oauth2 gets and
	// renews the token.
	cc := clientcredentials.Config{ClientID: "worker", ClientSecret: "worker-secret",
		TokenURL: srv.Issuer + "/token", Scopes: []string{"read"}}
	resp, err := cc.Client(context.Background()).Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != 200 || got["sub"] != "worker" || got["client_id"] != "worker" {
		t.Errorf("API with the worker's token: %d %v, want 200 for sub worker", resp.StatusCode, got)
	}
}

func TestAPIRejects(t *testing.T) {
	srv := oidctest.NewServer(t, oidctest.WithClient(worker))
	other := oidctest.NewServer(t, oidctest.WithClient(worker), oidctest.WithSeed("elsewhere"))
	api := startAPI(t, srv)
	cases := []struct {
		name  string
		token func() string
		want  int
	}{
		{"valid", func() string { return srv.ClientCredentials(oidctest.ForClient("worker"), oidctest.WithScopes("read")) }, 200},
		{"minted for the API", func() string {
			return srv.MintAccessToken(oidctest.ForClient("worker"), oidctest.WithScopes("read"))
		}, 200},
		{"missing scope", func() string {
			return srv.ClientCredentials(oidctest.ForClient("worker"), oidctest.WithScopes("write"))
		}, 403},
		{"another audience", func() string {
			return srv.MintAccessToken(oidctest.WithAudience("https://other.example"), oidctest.WithScopes("read"))
		}, 401},
		{"expired", func() string {
			return srv.MintAccessToken(oidctest.ForClient("worker"), oidctest.WithScopes("read"), oidctest.WithExpiry(-time.Second))
		}, 401},
		{"another provider", func() string {
			return other.ClientCredentials(oidctest.ForClient("worker"), oidctest.WithScopes("read"))
		}, 401},
		{"no token", func() string { return "" }, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
			if tok := tc.token(); tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("API: %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestAPITokenExpiresWithTheProvidersClock(t *testing.T) {
	srv := oidctest.NewServer(t, oidctest.WithClient(worker), oidctest.WithClock(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
	api := startAPI(t, srv)
	tok := srv.ClientCredentials(oidctest.ForClient("worker"), oidctest.WithScopes("read"))
	for _, tc := range []struct {
		after time.Duration
		want  int
	}{{59 * time.Minute, 200}, {2 * time.Minute, 401}} {
		srv.Advance(tc.after)
		req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("at %v: API answered %d, want %d", srv.Now(), resp.StatusCode, tc.want)
		}
	}
}
