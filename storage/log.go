package storage

import (
	"context"
	"fmt"
)

const (
	logQueue = 4096 // entries buffered before AppendLog blocks
	logBatch = 1024 // most entries written per transaction (< 1<<chunkBits)
)

// logItem is an entry to write, or (flushed != nil) a marker that the
// writer closes once every item queued before it has been written.
type logItem struct {
	entry   LogEntry
	flushed chan struct{}
}

// AppendLog queues e for the issued-token log and returns; Seq is assigned
// when it is written, within logDelay (sooner when many are queued, or when
// Log or Close asks). When the queue is full AppendLog blocks until the
// writer catches up: entries are never dropped, except those appended after
// (or concurrently with) Close.
func (s *Store) AppendLog(e LogEntry) {
	it := logItem{entry: e}
	select {
	case s.logCh <- it:
		if len(s.logCh) >= logBatch {
			s.kickLog()
		}
		return
	default:
	}
	s.kickLog()
	select {
	case s.logCh <- it:
	case <-s.logQuit:
	}
}

// Log returns up to limit of the issuer's newest entries, newest first
// (limit <= 0: all that the cap keeps). Entries appended before the call are included. A
// background write failure since the last Log is reported here.
func (s *Store) Log(ctx context.Context, issuer string, limit int) ([]LogEntry, error) {
	if err := s.flushLog(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > s.logCap {
		limit = s.logCap
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT seq, n, entries FROM log_chunks WHERE issuer = ? ORDER BY seq DESC`, issuer)
	if err != nil {
		return nil, wrap("log", err)
	}
	defer rows.Close()
	var out []LogEntry
	for len(out) < limit && rows.Next() {
		var seq int64
		var n int
		var b []byte
		if err := rows.Scan(&seq, &n, &b); err != nil {
			return nil, wrap("log", err)
		}
		chunk, err := decodeChunk(issuer, seq, n, b)
		if err != nil {
			return nil, wrap("log", err)
		}
		for i := len(chunk) - 1; i >= 0 && len(out) < limit; i-- {
			out = append(out, chunk[i])
		}
	}
	return out, wrap("log", rows.Err())
}

// flushLog waits until every entry queued before the call is written.
func (s *Store) flushLog(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.logCh <- logItem{flushed: done}:
		s.kickLog()
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
