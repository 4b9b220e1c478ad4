package examples

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// API is a resource server: it accepts JWT access tokens (RFC 9068) of one
// issuer, for its audience, and needs a scope.
type API struct {
	Verifier *oidc.IDTokenVerifier // go-oidc checks signature, iss, aud and exp of any JWT
	Scope    string
}

// NewAPI builds the verifier from the issuer's discovery. audience is the
// API's identifier, which the tokens must name in aud.
func NewAPI(ctx context.Context, issuer, audience, scope string, cfg oidc.Config) (*API, error) {
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	cfg.ClientID = audience
	return &API{Verifier: provider.Verifier(&cfg), Scope: scope}, nil
}

// ServeHTTP answers with the token's subject and client, or 401/403.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", "Bearer")
		http.Error(w, "no token", http.StatusUnauthorized)
		return
	}
	tok, err := a.Verifier.Verify(r.Context(), raw)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var claims struct {
		Scope    string `json:"scope"`
		ClientID string `json:"client_id"`
	}
	if err := tok.Claims(&claims); err != nil || !slices.Contains(strings.Fields(claims.Scope), a.Scope) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
		http.Error(w, "scope "+a.Scope+" required", http.StatusForbidden)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"sub": tok.Subject, "client_id": claims.ClientID})
}
