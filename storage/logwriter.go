package storage

import (
	"context"
	"database/sql"
	"time"
)

const (
	insertLogSQL = `INSERT INTO log_chunks (issuer, n, entries) VALUES (?, ?, ?)`
	countLogSQL  = `SELECT n FROM log_counts WHERE issuer = ?`
	oldestLogSQL = `SELECT seq, n FROM log_chunks WHERE issuer = ? ORDER BY seq`
	trimLogSQL   = `DELETE FROM log_chunks WHERE issuer = ? AND seq <= ?`
)

// logDelay is how long the writer waits after an entry arrives for more to
// write with it, unless a full batch or a reader (Log, Close) wants them
// sooner. Entries of the last logDelay are lost if the process is killed.
var logDelay = 100 * time.Millisecond

func (s *Store) startLog() {
	s.logCh = make(chan logItem, logQueue)
	s.logKick = make(chan struct{}, 1)
	s.logQuit = make(chan struct{})
	s.logDone = make(chan struct{})
	go s.runLog()
}

// kickLog tells the writer to stop waiting and write what is queued.
func (s *Store) kickLog() {
	select {
	case s.logKick <- struct{}{}:
	default:
	}
}

// runLog is the log writer. It wakes on the first queued item, waits up to
// logDelay for more (so that a busy server writes few large chunks rather
// than a row per token; AppendLog does not wake it meanwhile), then writes
// what is queued, up to logBatch items, in one transaction. After Close it
// drains the queue and exits.
func (s *Store) runLog() {
	defer close(s.logDone)
	batch := make([]logItem, 0, logBatch)
	for {
		select {
		case it := <-s.logCh:
			batch = append(batch[:0], it)
			if it.flushed == nil {
				s.waitForBatch()
			}
			batch = s.fillBatch(batch)
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

// waitForBatch returns after logDelay, or sooner when kicked or closed.
func (s *Store) waitForBatch() {
	t := time.NewTimer(logDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.logKick:
	case <-s.logQuit:
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
	chunks := chunksOf(batch)
	if len(chunks) > 0 {
		if err := s.insertLog(context.Background(), chunks); err != nil {
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

// logChunk is the encoded entries of one issuer in a batch.
type logChunk struct {
	issuer  string
	n       int
	entries []byte
}

// chunksOf encodes the batch's entries, one chunk per issuer, in order.
func chunksOf(batch []logItem) []logChunk {
	var chunks []logChunk
	for i := range batch {
		e := &batch[i].entry
		if batch[i].flushed != nil {
			continue
		}
		j := 0
		for j < len(chunks) && chunks[j].issuer != e.Issuer {
			j++
		}
		if j == len(chunks) {
			chunks = append(chunks, logChunk{issuer: e.Issuer, entries: make([]byte, 0, 256*len(batch))})
		}
		chunks[j].entries = appendEntry(chunks[j].entries, e)
		chunks[j].n++
	}
	return chunks
}

func (s *Store) insertLog(ctx context.Context, chunks []logChunk) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		ins := tx.StmtContext(ctx, s.q.insertLog)
		for _, c := range chunks {
			if _, err := ins.ExecContext(ctx, c.issuer, c.n, c.entries); err != nil {
				return err
			}
			if err := s.trimLog(ctx, tx, c.issuer); err != nil {
				return err
			}
		}
		return nil
	})
}

// trimLog deletes the issuer's oldest chunks while the entries left are at
// least the cap: an issuer keeps its newest logCap entries, and fewer than
// one chunk more (Log shows the newest logCap).
func (s *Store) trimLog(ctx context.Context, tx *sql.Tx, issuer string) error {
	var total int64
	if err := tx.StmtContext(ctx, s.q.countLog).QueryRowContext(ctx, issuer).Scan(&total); err != nil {
		return err
	}
	if total <= int64(s.logCap) {
		return nil
	}
	last, err := s.trimPoint(ctx, tx, issuer, total)
	if err != nil {
		return err
	}
	if last < 0 {
		return nil
	}
	_, err = tx.StmtContext(ctx, s.q.trimLog).ExecContext(ctx, issuer, last)
	return err
}

// trimPoint is the newest chunk to delete so that at least logCap of total
// entries remain, or -1 for none.
func (s *Store) trimPoint(ctx context.Context, tx *sql.Tx, issuer string, total int64) (int64, error) {
	rows, err := tx.StmtContext(ctx, s.q.oldestLog).QueryContext(ctx, issuer)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	last := int64(-1)
	for rows.Next() {
		var seq, n int64
		if err := rows.Scan(&seq, &n); err != nil {
			return 0, err
		}
		if total-n < int64(s.logCap) {
			break
		}
		total -= n
		last = seq
	}
	return last, rows.Err()
}
