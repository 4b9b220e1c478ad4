package storage

import (
	"context"
	"database/sql"
)

const (
	ensureGrantSQL = `INSERT INTO grants (issuer, id, revoked_at, created_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (issuer, id) DO NOTHING`
	revokeGrantSQL = `INSERT INTO grants (issuer, id, revoked_at, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (issuer, id) DO UPDATE SET revoked_at = excluded.revoked_at
		WHERE revoked_at = 0`
)

// ensureGrant creates the grant row if it does not exist yet.
func (s *Store) ensureGrant(ctx context.Context, tx *sql.Tx, issuer, id string, now int64) error {
	_, err := tx.StmtContext(ctx, s.q.ensureGrant).ExecContext(ctx, issuer, id, now)
	return err
}

// revokeGrant marks the grant revoked at now, creating the row if missing;
// an earlier revocation time is kept.
func (s *Store) revokeGrant(ctx context.Context, tx *sql.Tx, issuer, id string, now int64) error {
	_, err := tx.StmtContext(ctx, s.q.revokeGrant).ExecContext(ctx, issuer, id, now, now)
	return err
}
