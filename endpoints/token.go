package endpoints

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// serveToken is the token endpoint. The grants without an authorization step
// (client_credentials, password) are served in token_direct.go; zitadel's op
// server parses the others and dispatches them to opServer.
func (s *site) serveToken(w http.ResponseWriter, r *http.Request) {
	if s.failures.inject(w, r, "token") {
		return
	}
	switch gt := r.Form.Get("grant_type"); gt {
	case GrantClientCredentials, GrantPassword:
		s.directGrant(basicChallenge(w, r), r, gt)
	default:
		s.serveBasicAuthed(w, r)
	}
}

// tokenResponse is the successful token response (RFC 6749 §5.1, OpenID
// Connect Core §3.1.3.3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// newTokenResponse wraps a token set for zitadel's response writer, with the
// cache headers RFC 6749 §5.1 requires.
func newTokenResponse(set tokenSet) *op.Response {
	resp := op.NewResponse(tokenResponse{
		AccessToken: set.AccessToken, TokenType: "Bearer", ExpiresIn: set.ExpiresIn,
		RefreshToken: set.RefreshToken, IDToken: set.IDToken, Scope: set.Scope,
	})
	resp.Header.Set("Cache-Control", "no-store")
	resp.Header.Set("Pragma", "no-cache")
	return resp
}
