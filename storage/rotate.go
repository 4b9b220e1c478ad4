package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const rotateTokenSQL = `UPDATE tokens SET rotated_at = ? WHERE issuer = ? AND id = ?`

// RotateRefresh exchanges the refresh token oldID for next in one
// transaction and returns the old token. Absent, expired or not a refresh
// token: ErrNotFound. Revoked (itself or its grant): ErrRevoked. Already
// rotated: the grant is revoked and the old token is returned with
// ErrRotated. Every token in next must be of issuer (or leave Issuer empty,
// which means issuer).
func (s *Store) RotateRefresh(ctx context.Context, issuer, oldID string, next ...Token) (Token, error) {
	next, err := ownTokens(issuer, next)
	if err != nil {
		return Token{}, wrap("rotate refresh token", err)
	}
	var old Token
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.nowNS()
		t, err := readToken(ctx, tx.StmtContext(ctx, s.q.selectToken), issuer, oldID)
		if err != nil {
			return err
		}
		if nanos(t.ExpiresAt) <= now || t.Kind != kindRefresh {
			return ErrNotFound
		}
		old = t
		if !t.RevokedAt.IsZero() {
			return ErrRevoked
		}
		if !t.RotatedAt.IsZero() {
			return s.rotatedAgain(ctx, tx, &old, now)
		}
		if _, err := tx.StmtContext(ctx, s.q.rotateToken).ExecContext(ctx, now, issuer, oldID); err != nil {
			return err
		}
		old.RotatedAt = fromNanos(now)
		return s.insertTokens(ctx, tx, now, next)
	})
	if err != nil && !errors.Is(err, ErrRevoked) && !errors.Is(err, ErrRotated) {
		old = Token{} // rolled back: nothing to report
	}
	return old, wrap("rotate refresh token", err)
}

// rotatedAgain handles reuse of a rotated refresh token: its grant is
// revoked (RFC 9700 §4.14.2) and ErrRotated reported.
func (s *Store) rotatedAgain(ctx context.Context, tx *sql.Tx, old *Token, now int64) error {
	if old.GrantID != "" {
		if err := s.revokeGrant(ctx, tx, old.Issuer, old.GrantID, now); err != nil {
			return err
		}
		old.RevokedAt = fromNanos(now)
	}
	return ErrRotated
}

// ownTokens validates toks and gives those with an empty Issuer the issuer.
func ownTokens(issuer string, toks []Token) ([]Token, error) {
	if err := checkTokens(toks); err != nil {
		return nil, err
	}
	out := make([]Token, len(toks))
	for i, t := range toks {
		if t.Issuer == "" {
			t.Issuer = issuer
		}
		if t.Issuer != issuer {
			return nil, fmt.Errorf("token %q belongs to issuer %q, not %q", t.ID, t.Issuer, issuer)
		}
		out[i] = t
	}
	return out, nil
}
