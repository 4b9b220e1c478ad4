package storage

import (
	"context"
	"database/sql"
	"errors"
)

const (
	insertCodeSQL = `INSERT INTO codes (issuer, hash, grant_id, client_id, data, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectCodeSQL = `SELECT grant_id, client_id, data, created_at, expires_at, used_at
		FROM codes WHERE issuer = ? AND hash = ?`
	useCodeSQL = `UPDATE codes SET used_at = ? WHERE issuer = ? AND hash = ?`
)

// PutCode inserts the code and creates its grant if it does not exist. The
// code must name a grant: replay detection revokes it.
func (s *Store) PutCode(ctx context.Context, c Code) error {
	switch {
	case c.Hash == "":
		return errors.New("storage: put code: empty hash")
	case c.GrantID == "":
		return errors.New("storage: put code: empty grant id")
	}
	return wrap("put code", s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.ensureGrant(ctx, tx, c.Issuer, c.GrantID, s.nowNS()); err != nil {
			return err
		}
		_, err := tx.StmtContext(ctx, s.q.insertCode).ExecContext(ctx, c.Issuer, c.Hash, c.GrantID,
			c.ClientID, c.Data, nanos(c.CreatedAt), nanos(c.ExpiresAt))
		return err
	}))
}

// ConsumeCode marks the code used and returns it. Absent or expired:
// ErrNotFound. Already used: the code's grant is revoked and the code is
// returned with ErrUsed.
func (s *Store) ConsumeCode(ctx context.Context, issuer, hash string) (Code, error) {
	var c Code
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.nowNS()
		got, usedAt, err := s.readCode(ctx, tx, issuer, hash)
		if err != nil {
			return err
		}
		if nanos(got.ExpiresAt) <= now {
			return ErrNotFound
		}
		c = got
		if usedAt != 0 {
			if err := s.revokeGrant(ctx, tx, issuer, c.GrantID, now); err != nil {
				return err
			}
			return ErrUsed
		}
		_, err = tx.StmtContext(ctx, s.q.useCode).ExecContext(ctx, now, issuer, hash)
		return err
	})
	if err != nil && !errors.Is(err, ErrUsed) {
		c = Code{}
	}
	return c, wrap("consume code", err)
}

func (s *Store) readCode(ctx context.Context, tx *sql.Tx, issuer, hash string) (Code, int64, error) {
	c := Code{Issuer: issuer, Hash: hash}
	var created, expires, used int64
	err := tx.StmtContext(ctx, s.q.selectCode).QueryRowContext(ctx, issuer, hash).
		Scan(&c.GrantID, &c.ClientID, &c.Data, &created, &expires, &used)
	if err != nil {
		return Code{}, 0, notFound(err)
	}
	c.CreatedAt, c.ExpiresAt = fromNanos(created), fromNanos(expires)
	return c, used, nil
}
