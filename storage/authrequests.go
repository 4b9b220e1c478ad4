package storage

import (
	"context"
	"errors"
)

const (
	insertAuthRequestSQL = `INSERT INTO auth_requests (issuer, id, data, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`
	selectAuthRequestSQL = `SELECT data, created_at, expires_at FROM auth_requests
		WHERE issuer = ? AND id = ? AND expires_at > ?`
	takeAuthRequestSQL = `DELETE FROM auth_requests
		WHERE issuer = ? AND id = ? AND expires_at > ?
		RETURNING data, created_at, expires_at`
)

// PutAuthRequest inserts r; an existing (Issuer, ID) is an error.
func (s *Store) PutAuthRequest(ctx context.Context, r AuthRequest) error {
	if r.ID == "" {
		return errors.New("storage: put auth request: empty id")
	}
	_, err := s.q.insertAuthRequest.ExecContext(ctx, r.Issuer, r.ID, r.Data, nanos(r.CreatedAt), nanos(r.ExpiresAt))
	return wrap("put auth request", err)
}

// AuthRequest returns the request, or ErrNotFound if it is absent or expired.
func (s *Store) AuthRequest(ctx context.Context, issuer, id string) (AuthRequest, error) {
	row := s.q.selectAuthRequest.QueryRowContext(ctx, issuer, id, s.nowNS())
	r, err := scanAuthRequest(row, issuer, id)
	return r, wrap("auth request", err)
}

// TakeAuthRequest reads and deletes the request in one statement, so that
// it can be taken once. Absent or expired: ErrNotFound (an expired request
// is left for PurgeExpired).
func (s *Store) TakeAuthRequest(ctx context.Context, issuer, id string) (AuthRequest, error) {
	row := s.q.takeAuthRequest.QueryRowContext(ctx, issuer, id, s.nowNS())
	r, err := scanAuthRequest(row, issuer, id)
	return r, wrap("take auth request", err)
}

func scanAuthRequest(row interface{ Scan(...any) error }, issuer, id string) (AuthRequest, error) {
	r := AuthRequest{Issuer: issuer, ID: id}
	var created, expires int64
	if err := row.Scan(&r.Data, &created, &expires); err != nil {
		return AuthRequest{}, notFound(err)
	}
	r.CreatedAt, r.ExpiresAt = fromNanos(created), fromNanos(expires)
	return r, nil
}
