package storage

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Keys returns the issuer's key ring ordered by CreatedAt, then ID.
func (s *Store) Keys(ctx context.Context, issuer string) ([]KeyRecord, error) {
	ring, err := readKeys(ctx, s.db, issuer)
	return ring, wrap("keys", err)
}

// rowsQueryer is what *sql.DB and *sql.Tx have in common for multi-row
// reads.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readKeys(ctx context.Context, q rowsQueryer, issuer string) ([]KeyRecord, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, alg, state, private, created_at, activated_at, retired_at, remove_at
		FROM keys WHERE issuer = ? ORDER BY created_at, id`, issuer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ring []KeyRecord
	for rows.Next() {
		k := KeyRecord{Issuer: issuer}
		var created, activated, retired, remove int64
		if err := rows.Scan(&k.ID, &k.Alg, &k.State, &k.Private,
			&created, &activated, &retired, &remove); err != nil {
			return nil, err
		}
		k.CreatedAt, k.ActivatedAt = fromNanos(created), fromNanos(activated)
		k.RetiredAt, k.RemoveAt = fromNanos(retired), fromNanos(remove)
		ring = append(ring, k)
	}
	return ring, rows.Err()
}

// UpdateKeys reads the issuer's key ring (as Keys does), passes it to fn and
// makes what fn returns the whole ring (as ReplaceKeys does). The write
// happens only if the ring is still the one fn was given, checked inside the
// write transaction: a change another process makes cannot fall between the
// read and the write, and a crash leaves either ring. fn runs outside the
// transaction, so generating a key does not hold the write lock; when the
// ring changed meanwhile fn is called again on the new ring (the last
// attempt runs inside the transaction, so an update always lands). A ring
// returned unchanged is not written. An error from fn is returned as it is.
func (s *Store) UpdateKeys(ctx context.Context, issuer string, fn func(ring []KeyRecord) ([]KeyRecord, error)) error {
	for range updateAttempts - 1 {
		cur, err := readKeys(ctx, s.db, issuer)
		if err != nil {
			return wrap("update keys", err)
		}
		next, err := fn(slices.Clone(cur))
		if err != nil {
			return err
		}
		if sameRing(issuer, cur, next) {
			return nil
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			now, err := readKeys(ctx, tx, issuer)
			if err != nil {
				return err
			}
			if !sameRing(issuer, cur, now) {
				return errRingChanged
			}
			return replaceKeys(ctx, tx, issuer, next)
		})
		if !errors.Is(err, errRingChanged) {
			return wrap("update keys", err)
		}
	}
	return s.updateKeysLocked(ctx, issuer, fn)
}

// updateAttempts bounds UpdateKeys' optimistic attempts; the last one holds
// the write lock throughout.
const updateAttempts = 3

// updateKeysLocked is UpdateKeys with fn inside the write transaction.
func (s *Store) updateKeysLocked(ctx context.Context, issuer string, fn func(ring []KeyRecord) ([]KeyRecord, error)) error {
	var fnErr error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := readKeys(ctx, tx, issuer)
		if err != nil {
			return err
		}
		next, err := fn(slices.Clone(cur))
		if err != nil {
			fnErr = err
			return err
		}
		if sameRing(issuer, cur, next) {
			return nil
		}
		return replaceKeys(ctx, tx, issuer, next)
	})
	if fnErr != nil {
		return fnErr
	}
	return wrap("update keys", err)
}

// ReplaceKeys makes ring the issuer's whole key ring in one transaction:
// keys whose ID is not in ring are deleted, the others inserted or updated
// (every field). A record's Issuer must be empty or equal to issuer.
func (s *Store) ReplaceKeys(ctx context.Context, issuer string, ring []KeyRecord) error {
	return wrap("replace keys", s.inTx(ctx, func(tx *sql.Tx) error {
		return replaceKeys(ctx, tx, issuer, ring)
	}))
}

func replaceKeys(ctx context.Context, tx *sql.Tx, issuer string, ring []KeyRecord) error {
	ids, err := ringIDs(issuer, ring)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM keys WHERE issuer = ?
		AND id NOT IN (SELECT value FROM json_each(?))`, issuer, ids); err != nil {
		return err
	}
	return upsertKeys(ctx, tx, issuer, ring)
}

// sameRing reports whether next holds exactly the records of cur, in the
// same order.
func sameRing(issuer string, cur, next []KeyRecord) bool {
	return slices.EqualFunc(cur, next, func(a, b KeyRecord) bool {
		return (b.Issuer == "" || b.Issuer == issuer) && a.ID == b.ID && a.Alg == b.Alg && a.State == b.State &&
			bytes.Equal(a.Private, b.Private) && nanos(a.CreatedAt) == nanos(b.CreatedAt) &&
			nanos(a.ActivatedAt) == nanos(b.ActivatedAt) && nanos(a.RetiredAt) == nanos(b.RetiredAt) && nanos(a.RemoveAt) == nanos(b.RemoveAt)
	})
}

// ringIDs validates ring and returns its IDs as a JSON array.
func ringIDs(issuer string, ring []KeyRecord) ([]byte, error) {
	ids := make([]string, 0, len(ring))
	seen := make(map[string]bool, len(ring))
	for _, k := range ring {
		switch {
		case k.ID == "":
			return nil, fmt.Errorf("key with empty id")
		case seen[k.ID]:
			return nil, fmt.Errorf("key %q appears twice", k.ID)
		case k.Issuer != "" && k.Issuer != issuer:
			return nil, fmt.Errorf("key %q belongs to issuer %q, not %q", k.ID, k.Issuer, issuer)
		}
		seen[k.ID] = true
		ids = append(ids, k.ID)
	}
	return json.Marshal(ids)
}

func upsertKeys(ctx context.Context, tx *sql.Tx, issuer string, ring []KeyRecord) error {
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO keys (issuer, id, alg, state, private,
			created_at, activated_at, retired_at, remove_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (issuer, id) DO UPDATE SET
			alg = excluded.alg, state = excluded.state, private = excluded.private,
			created_at = excluded.created_at, activated_at = excluded.activated_at,
			retired_at = excluded.retired_at, remove_at = excluded.remove_at`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, k := range ring {
		if _, err := stmt.ExecContext(ctx, issuer, k.ID, k.Alg, k.State, k.Private,
			nanos(k.CreatedAt), nanos(k.ActivatedAt), nanos(k.RetiredAt), nanos(k.RemoveAt)); err != nil {
			return fmt.Errorf("key %q: %w", k.ID, err)
		}
	}
	return nil
}
