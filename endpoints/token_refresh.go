package endpoints

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/testidp/testidp/storage"
)

// RefreshToken exchanges a refresh token (RFC 6749 §6). Refresh tokens
// rotate: the presented one is retired atomically as the new one is stored;
// presenting a retired one fails and revokes the grant (RFC 9700 §4.14.2).
// The new ID token keeps the original iss, sub, aud, azp and auth_time
// (OpenID Connect Core §12.2).
func (o *opServer) RefreshToken(ctx context.Context, r *op.ClientRequest[oidc.RefreshTokenRequest]) (*op.Response, error) {
	s, c := o.s, r.Client.(opClient).client
	old, err := s.store.Token(ctx, s.key, hashValue(r.Data.RefreshToken))
	switch {
	case errors.Is(err, storage.ErrNotFound) || (err == nil && old.Kind != kindRefresh):
		return nil, oauthErr("invalid_grant", "refresh token is invalid or expired")
	case err != nil:
		return nil, err
	case !old.RevokedAt.IsZero():
		return nil, oauthErr("invalid_grant", "refresh token was revoked")
	case old.ClientID != c.ID:
		return nil, oauthErr("invalid_grant", "refresh token was issued to another client")
	}
	var g grant
	if err := json.Unmarshal(old.Data, &g); err != nil {
		return nil, err
	}
	original := g.Scopes
	if len(r.Data.Scopes) > 0 {
		for _, sc := range r.Data.Scopes {
			if !slices.Contains(original, sc) {
				return nil, oauthErrf("invalid_scope", "scope %q was not granted originally (RFC 6749 §6)", sc)
			}
		}
		g.Scopes = r.Data.Scopes
	}
	g.Nonce = ""
	set, err := s.issue(ctx, c, g, issueOptions{idToken: true, refresh: true, refreshScopes: original, fromRefresh: true})
	if err != nil {
		return nil, err
	}
	_, err = s.store.RotateRefresh(ctx, s.key, old.ID, set.records...)
	switch {
	case errors.Is(err, storage.ErrRotated):
		s.log.Warn("rotated refresh token replayed; grant revoked", "client", c.ID, "grant", g.ID)
		return nil, oauthErr("invalid_grant", "refresh token was already used; its grant is revoked")
	case errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrRevoked):
		return nil, oauthErr("invalid_grant", "refresh token is invalid, expired or revoked")
	case err != nil:
		return nil, err
	}
	s.logIssued(ctx, GrantRefreshToken, c, &set)
	return newTokenResponse(set), nil
}
