package endpoints

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/testidp/testidp/storage"
)

// CodeExchange redeems an authorization code (RFC 6749 §4.1.3). The code is
// consumed first, atomically; a second use fails and revokes every token
// issued from it (RFC 6749 §4.1.2). It is bound to its client, redirect URI
// and PKCE challenge.
func (o *opServer) CodeExchange(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*op.Response, error) {
	s, c := o.s, r.Client.(opClient).client
	code, err := s.store.ConsumeCode(ctx, s.key, hashValue(r.Data.Code))
	switch {
	case errors.Is(err, storage.ErrUsed):
		s.log.Warn("authorization code replayed; grant revoked", "client", c.ID, "grant", code.GrantID)
		return nil, oauthErr("invalid_grant", "authorization code was already used; the tokens issued from it are revoked")
	case errors.Is(err, storage.ErrNotFound):
		return nil, oauthErr("invalid_grant", "authorization code is invalid or expired")
	case err != nil:
		return nil, err
	}
	var g grant
	if err := json.Unmarshal(code.Data, &g); err != nil {
		return nil, err
	}
	if code.ClientID != c.ID {
		return nil, oauthErr("invalid_grant", "authorization code was issued to another client")
	}
	if r.Data.RedirectURI != g.RedirectURI {
		return nil, oauthErr("invalid_grant", "redirect_uri differs from the one in the authorization request")
	}
	if err := checkPKCE(g.CodeChallenge, g.CodeChallengeMethod, r.Data.CodeVerifier); err != nil {
		return nil, err
	}
	set, err := s.issue(ctx, c, g, issueOptions{idToken: true, refresh: c.allowsGrant(GrantRefreshToken)})
	if err != nil {
		return nil, err
	}
	if err := s.store.PutTokens(ctx, set.records...); err != nil {
		return nil, err
	}
	s.logIssued(ctx, GrantAuthorizationCode, c, &set)
	return newTokenResponse(set), nil
}
