package storage

import (
	"context"
	"database/sql"
)

const (
	insertLogSQL = `INSERT INTO log (issuer, kind, client_id, subject, token_id, data, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	countLogSQL = `SELECT n FROM log_counts WHERE issuer = ?`
	trimLogSQL  = `DELETE FROM log WHERE seq IN
		(SELECT seq FROM log WHERE issuer = ? ORDER BY seq LIMIT ?)`
)

func (s *Store) startLog() {
	s.logCh = make(chan logItem, logQueue)
	s.logQuit = make(chan struct{})
	s.logDone = make(chan struct{})
	go s.runLog()
}

// runLog is the log writer: it takes what is queued (up to logBatch items)
// and writes it in one transaction. After Close it drains the queue and exits.
func (s *Store) runLog() {
	defer close(s.logDone)
	batch := make([]logItem, 0, logBatch)
	for {
		select {
		case it := <-s.logCh:
			batch = s.fillBatch(append(batch[:0], it))
			s.writeBatch(batch)
		case <-s.logQuit:
			for {
				batch = s.fillBatch(batch[:0])
				if len(batch) == 0 {
					return
				}
				s.writeBatch(batch)
			}
		}
	}
}

// fillBatch appends queued items without waiting, up to logBatch.
func (s *Store) fillBatch(batch []logItem) []logItem {
	for len(batch) < logBatch {
		select {
		case it := <-s.logCh:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

// writeBatch writes the batch's entries, then releases its flush markers.
// On failure the batch's entries are lost and the error is kept for Log or
// Close to report.
func (s *Store) writeBatch(batch []logItem) {
	entries := 0
	for _, it := range batch {
		if it.flushed == nil {
			entries++
		}
	}
	if entries > 0 {
		if err := s.insertLog(context.Background(), batch); err != nil {
			s.setLogErr(err)
		}
	}
	for _, it := range batch {
		if it.flushed != nil {
			close(it.flushed)
		}
	}
	clear(batch) // drop references to Data
}

func (s *Store) insertLog(ctx context.Context, batch []logItem) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		ins := tx.StmtContext(ctx, s.q.insertLog)
		var issuers []string
		for _, it := range batch {
			if it.flushed != nil {
				continue
			}
			e := it.entry
			if _, err := ins.ExecContext(ctx, e.Issuer, e.Kind, e.ClientID, e.Subject,
				e.TokenID, e.Data, nanos(e.IssuedAt)); err != nil {
				return err
			}
			issuers = appendNew(issuers, e.Issuer)
		}
		for _, iss := range issuers {
			if err := s.trimLog(ctx, tx, iss); err != nil {
				return err
			}
		}
		return nil
	})
}

// trimLog deletes the issuer's oldest entries beyond the cap.
func (s *Store) trimLog(ctx context.Context, tx *sql.Tx, issuer string) error {
	var n int64
	if err := tx.StmtContext(ctx, s.q.countLog).QueryRowContext(ctx, issuer).Scan(&n); err != nil {
		return err
	}
	if excess := n - int64(s.logCap); excess > 0 {
		_, err := tx.StmtContext(ctx, s.q.trimLog).ExecContext(ctx, issuer, excess)
		return err
	}
	return nil
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
