package storage

import (
	"context"
	"database/sql"
)

// purgeExpired deletes the expired rows of each table with an expiry.
var purgeExpired = []string{
	`DELETE FROM auth_requests WHERE expires_at <= ?`,
	`DELETE FROM codes WHERE expires_at <= ?`,
	`DELETE FROM tokens WHERE expires_at <= ?`,
	`DELETE FROM sessions WHERE expires_at <= ?`,
}

// purgeGrants runs after purgeExpired: grants left without codes or tokens.
const purgeGrants = `
	DELETE FROM grants
	WHERE NOT EXISTS (SELECT 1 FROM codes c WHERE c.issuer = grants.issuer AND c.grant_id = grants.id)
	AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.issuer = grants.issuer AND t.grant_id = grants.id)`

// PurgeExpired deletes, in one transaction, expired auth requests, codes,
// tokens and sessions, then the grants left without codes or tokens.
func (s *Store) PurgeExpired(ctx context.Context) error {
	return wrap("purge expired", s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.nowNS()
		for _, q := range purgeExpired {
			if _, err := tx.ExecContext(ctx, q, now); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, purgeGrants)
		return err
	}))
}
