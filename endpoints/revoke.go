package endpoints

import (
	"context"
	"errors"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/testidp/testidp/storage"
)

// Revocation revokes a refresh or access token of the authenticated client
// (RFC 7009). Revoking a refresh token revokes its whole grant, access tokens
// included (§2.1). Unknown tokens get 200 as well (§2.2).
func (o *opServer) Revocation(ctx context.Context, r *op.ClientRequest[oidc.RevocationRequest]) (*op.Response, error) {
	s, c := o.s, r.Client.(opClient).client
	token := r.Data.Token
	if rec, err := s.store.Token(ctx, s.key, hashValue(token)); err == nil {
		if rec.ClientID != c.ID {
			return nil, oauthErr("invalid_request", "the token was issued to another client")
		}
		if rec.Kind == kindRefresh && rec.GrantID != "" {
			if err := s.store.RevokeGrant(ctx, s.key, rec.GrantID); err != nil {
				return nil, err
			}
		}
		return revoked(), s.ignoreNotFound(s.store.RevokeToken(ctx, s.key, rec.ID))
	}
	if !looksLikeJWT(token) {
		return revoked(), nil
	}
	tok, err := s.verifyOwn(token, true)
	if err != nil {
		return revoked(), nil
	}
	if cid, _ := tok.Extra["client_id"].(string); cid != c.ID {
		return nil, oauthErr("invalid_request", "the token was issued to another client")
	}
	jti := tok.Claims.ID
	if _, err := s.store.Token(ctx, s.key, jti); errors.Is(err, storage.ErrNotFound) {
		// A JWT access token outside a grant has no row until revoked.
		err = s.store.PutTokens(ctx, storage.Token{Issuer: s.key, ID: jti, Kind: kindAccess, ClientID: c.ID,
			Subject: tok.Claims.Subject, IssuedAt: s.now(), ExpiresAt: tok.Claims.Expiry.Time()})
		if err != nil {
			return nil, err
		}
	}
	return revoked(), s.ignoreNotFound(s.store.RevokeToken(ctx, s.key, jti))
}

func revoked() *op.Response { return op.NewResponse(struct{}{}) }

func (s *site) ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
