package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// queryer is what *sql.DB and *sql.Tx have in common for single-row reads.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits when fn
// succeeds, or when fn reports ErrUsed or ErrRotated: those outcomes revoke a
// grant, and the revocation must be kept. Any other error rolls back.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit; frees the connection if fn panics
	ferr := fn(tx)
	if ferr != nil && !keepsWrites(ferr) {
		return ferr
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return ferr
}

func keepsWrites(err error) bool {
	return errors.Is(err, ErrUsed) || errors.Is(err, ErrRotated)
}

// wrap prefixes err with the package and operation; sentinel errors are
// returned as they are so that callers may compare them with ==.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrUsed),
		errors.Is(err, ErrRotated), errors.Is(err, ErrRevoked):
		return err
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// nullIfEmpty stores an empty string as NULL (used for optional foreign keys).
func nullIfEmpty(v string) any {
	if v == "" {
		return nil
	}
	return v
}
