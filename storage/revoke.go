package storage

import (
	"context"
	"errors"
)

const revokeTokenSQL = `UPDATE tokens
	SET revoked_at = CASE revoked_at WHEN 0 THEN ? ELSE revoked_at END
	WHERE issuer = ? AND id = ?`

// RevokeToken marks the token revoked now, keeping an earlier revocation.
// ErrNotFound if there is no such token (RFC 7009 callers ignore it).
func (s *Store) RevokeToken(ctx context.Context, issuer, id string) error {
	res, err := s.q.revokeToken.ExecContext(ctx, s.nowNS(), issuer, id)
	if err != nil {
		return wrap("revoke token", err)
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return wrap("revoke token", err)
}

// RevokeGrant marks the grant, and so every token in it, revoked now. The
// grant row is created if missing; revoking twice keeps the first time.
func (s *Store) RevokeGrant(ctx context.Context, issuer, grantID string) error {
	if grantID == "" {
		return errors.New("storage: revoke grant: empty grant id")
	}
	now := s.nowNS()
	_, err := s.q.revokeGrant.ExecContext(ctx, issuer, grantID, now, now)
	return wrap("revoke grant", err)
}
