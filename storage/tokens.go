package storage

import (
	"context"
	"database/sql"
	"fmt"
)

const (
	kindAccess  = "access_token"
	kindRefresh = "refresh_token"
)

const (
	insertTokenSQL = `INSERT INTO tokens (issuer, id, kind, grant_id, client_id, subject, data, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	selectTokenSQL = `SELECT t.kind, COALESCE(t.grant_id, ''), t.client_id, t.subject, t.data,
			t.issued_at, t.expires_at, t.revoked_at, t.rotated_at, COALESCE(g.revoked_at, 0)
		FROM tokens t LEFT JOIN grants g ON g.issuer = t.issuer AND g.id = t.grant_id
		WHERE t.issuer = ? AND t.id = ?`
)

// PutTokens inserts all toks in one transaction: either all are stored or
// none. A token's non-empty GrantID creates the grant if it does not exist.
// RevokedAt and RotatedAt are ignored (the store sets them).
func (s *Store) PutTokens(ctx context.Context, toks ...Token) error {
	if len(toks) == 0 {
		return nil
	}
	if err := checkTokens(toks); err != nil {
		return wrap("put tokens", err)
	}
	return wrap("put tokens", s.inTx(ctx, func(tx *sql.Tx) error {
		return s.insertTokens(ctx, tx, s.nowNS(), toks)
	}))
}

// Token returns the token with RevokedAt (its own or its grant's, the
// earlier if both) and RotatedAt filled in. Absent or expired: ErrNotFound.
// A revoked token is returned without error.
func (s *Store) Token(ctx context.Context, issuer, id string) (Token, error) {
	t, err := readToken(ctx, s.q.selectToken, issuer, id)
	if err == nil && nanos(t.ExpiresAt) <= s.nowNS() {
		t, err = Token{}, ErrNotFound
	}
	return t, wrap("token", err)
}

func checkTokens(toks []Token) error {
	for _, t := range toks {
		switch {
		case t.ID == "":
			return fmt.Errorf("token with empty id")
		case t.Kind != kindAccess && t.Kind != kindRefresh:
			return fmt.Errorf("token %q: kind %q is neither %q nor %q", t.ID, t.Kind, kindAccess, kindRefresh)
		}
	}
	return nil
}

func (s *Store) insertTokens(ctx context.Context, tx *sql.Tx, now int64, toks []Token) error {
	ins := tx.StmtContext(ctx, s.q.insertToken)
	var lastIssuer, lastGrant string
	for _, t := range toks {
		if t.GrantID != "" && (t.GrantID != lastGrant || t.Issuer != lastIssuer) {
			if err := s.ensureGrant(ctx, tx, t.Issuer, t.GrantID, now); err != nil {
				return err
			}
			lastIssuer, lastGrant = t.Issuer, t.GrantID
		}
		if _, err := ins.ExecContext(ctx, t.Issuer, t.ID, t.Kind, nullIfEmpty(t.GrantID),
			t.ClientID, t.Subject, t.Data, nanos(t.IssuedAt), nanos(t.ExpiresAt)); err != nil {
			return fmt.Errorf("token %q: %w", t.ID, err)
		}
	}
	return nil
}

// readToken reads a token whatever its expiry, with its grant's revocation.
// sel is s.q.selectToken, bound to a transaction or not.
func readToken(ctx context.Context, sel *sql.Stmt, issuer, id string) (Token, error) {
	t := Token{Issuer: issuer, ID: id}
	var issued, expires, revoked, rotated, grantRevoked int64
	err := sel.QueryRowContext(ctx, issuer, id).
		Scan(&t.Kind, &t.GrantID, &t.ClientID, &t.Subject, &t.Data,
			&issued, &expires, &revoked, &rotated, &grantRevoked)
	if err != nil {
		return Token{}, notFound(err)
	}
	t.IssuedAt, t.ExpiresAt = fromNanos(issued), fromNanos(expires)
	t.RevokedAt = fromNanos(earliestSet(revoked, grantRevoked))
	t.RotatedAt = fromNanos(rotated)
	return t, nil
}

// earliestSet returns the smaller of two stored times, ignoring unset (0).
func earliestSet(a, b int64) int64 {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}
