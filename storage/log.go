package storage

import (
	"context"
	"errors"
	"fmt"
)

const (
	logQueue = 1024 // entries buffered before AppendLog blocks
	logBatch = 256  // most entries written per transaction
)

var errClosed = errors.New("storage: store is closed")

// logItem is an entry to write, or (flushed != nil) a marker that the
// writer closes once every item queued before it has been written.
type logItem struct {
	entry   LogEntry
	flushed chan struct{}
}

// AppendLog queues e for the issued-token log and returns; Seq is assigned
// when it is written. When the queue is full AppendLog blocks until the
// writer catches up: entries are never dropped, except those appended after
// (or concurrently with) Close.
func (s *Store) AppendLog(e LogEntry) {
	it := logItem{entry: e}
	select {
	case s.logCh <- it:
		return
	default:
	}
	select {
	case s.logCh <- it:
	case <-s.logQuit:
	}
}

// Log returns up to limit of the issuer's newest entries, newest first
// (limit <= 0: all). Entries appended before the call are included. A
// background write failure since the last Log is reported here.
func (s *Store) Log(ctx context.Context, issuer string, limit int) ([]LogEntry, error) {
	if err := s.flushLog(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT seq, kind, client_id, subject, token_id, data, issued_at
		FROM log WHERE issuer = ? ORDER BY seq DESC LIMIT ?`, issuer, limit)
	if err != nil {
		return nil, wrap("log", err)
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		e := LogEntry{Issuer: issuer}
		var issued int64
		if err := rows.Scan(&e.Seq, &e.Kind, &e.ClientID, &e.Subject, &e.TokenID, &e.Data, &issued); err != nil {
			return nil, wrap("log", err)
		}
		e.IssuedAt = fromNanos(issued)
		out = append(out, e)
	}
	return out, wrap("log", rows.Err())
}

// flushLog waits until every entry queued before the call is written.
func (s *Store) flushLog(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.logCh <- logItem{flushed: done}:
	case <-s.logQuit:
		return errClosed
	case <-ctx.Done():
		return wrap("log", ctx.Err())
	}
	select {
	case <-done:
	case <-s.logDone:
		return errClosed
	case <-ctx.Done():
		return wrap("log", ctx.Err())
	}
	return s.takeLogErr()
}

// setLogErr keeps the first background write error until it is reported.
func (s *Store) setLogErr(err error) {
	s.logErrMu.Lock()
	defer s.logErrMu.Unlock()
	if s.logErr == nil {
		s.logErr = fmt.Errorf("storage: write log: %w", err)
	}
}

func (s *Store) takeLogErr() error {
	s.logErrMu.Lock()
	defer s.logErrMu.Unlock()
	err := s.logErr
	s.logErr = nil
	return err
}
