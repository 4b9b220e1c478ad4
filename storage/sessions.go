package storage

import (
	"context"
	"errors"
)

const (
	upsertSessionSQL = `INSERT INTO sessions (issuer, id, subject, data, auth_time, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (issuer, id) DO UPDATE SET
			subject = excluded.subject, data = excluded.data,
			auth_time = excluded.auth_time, expires_at = excluded.expires_at`
	selectSessionSQL = `SELECT subject, data, auth_time, expires_at FROM sessions
		WHERE issuer = ? AND id = ? AND expires_at > ?`
	deleteSessionSQL = `DELETE FROM sessions WHERE issuer = ? AND id = ?`
)

// PutSession inserts or replaces the session (Issuer, ID).
func (s *Store) PutSession(ctx context.Context, sess Session) error {
	if sess.ID == "" {
		return errors.New("storage: put session: empty id")
	}
	_, err := s.q.upsertSession.ExecContext(ctx, sess.Issuer, sess.ID, sess.Subject, sess.Data, nanos(sess.AuthTime), nanos(sess.ExpiresAt))
	return wrap("put session", err)
}

// Session returns the session, or ErrNotFound if it is absent or expired.
func (s *Store) Session(ctx context.Context, issuer, id string) (Session, error) {
	sess := Session{Issuer: issuer, ID: id}
	var auth, expires int64
	err := s.q.selectSession.QueryRowContext(ctx, issuer, id, s.nowNS()).Scan(&sess.Subject, &sess.Data, &auth, &expires)
	if err != nil {
		return Session{}, wrap("session", notFound(err))
	}
	sess.AuthTime, sess.ExpiresAt = fromNanos(auth), fromNanos(expires)
	return sess, nil
}

// DeleteSession deletes the session; deleting a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, issuer, id string) error {
	_, err := s.q.deleteSession.ExecContext(ctx, issuer, id)
	return wrap("delete session", err)
}
