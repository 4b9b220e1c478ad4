package examples

import (
	"context"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/oidctest"
)

// An application written against Keycloak reads realm roles from the
// access token; the keycloak profile gives tokens that shape, at
// /realms/{realm}.
func TestKeycloakRealmRoles(t *testing.T) {
	srv := oidctest.NewServer(t, oidctest.WithProfile("keycloak"), oidctest.WithUser(endpoints.User{
		Sub: "admin", Claims: map[string]any{"realm_access": map[string]any{"roles": []any{"admin"}}},
	}))
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, srv.Issuer) // .../realms/testidp
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: "web", Now: srv.Now})
	for _, tc := range []struct {
		user string
		want string
	}{{"alice", "default-roles-testidp"}, {"admin", "admin"}} {
		tok, err := verifier.Verify(ctx, srv.Login(oidctest.ForUser(tc.user)).AccessToken)
		if err != nil {
			t.Fatalf("verify %s's access token: %v", tc.user, err)
		}
		var claims struct {
			RealmAccess struct {
				Roles []string `json:"roles"`
			} `json:"realm_access"`
		}
		if err := tok.Claims(&claims); err != nil || len(claims.RealmAccess.Roles) == 0 || claims.RealmAccess.Roles[0] != tc.want {
			t.Errorf("%s's realm roles = %v (%v), want %s first", tc.user, claims.RealmAccess.Roles, err, tc.want)
		}
	}
}
