package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// memoryPath is the path Open treats as an ephemeral, private database.
const memoryPath = ":memory:"

const (
	defaultBusyTimeout = 5 * time.Second
	defaultLogCap      = 10000
)

// Store is testidp's persistent state in one SQLite database. It is safe for
// concurrent use; all access goes through a single connection, so writes in
// this process are serialised and never see SQLITE_BUSY.
type Store struct {
	db     *sql.DB
	q      *statements
	now    func() time.Time
	logCap int

	logCh    chan logItem  // AppendLog → writer goroutine
	logKick  chan struct{} // wakes a waiting writer: a full batch, or a reader
	logQuit  chan struct{} // closed by Close
	logDone  chan struct{} // closed when the writer goroutine has exited
	logErrMu sync.Mutex
	logErr   error // first background write error not yet reported

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. Path ":memory:" gives an empty database private to this Store.
// Close must be called to flush the issued-token log.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("storage: open: empty path")
	}
	opts = opts.withDefaults()
	if path != memoryPath {
		if err := createPrivate(path); err != nil {
			return nil, fmt.Errorf("storage: open %s: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite", dataSource(path, opts.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	// One connection: in-process access is serialised by database/sql, and a
	// ":memory:" database lives exactly as long as the Store.
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	q, err := prepareStatements(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	s := &Store{db: db, q: q, now: opts.Now, logCap: opts.LogCap}
	s.startLog()
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = defaultBusyTimeout
	}
	if o.LogCap <= 0 {
		o.LogCap = defaultLogCap
	}
	return o
}

// dataSource builds the modernc DSN. Pragmas go in the DSN so that they
// apply to every connection the pool opens. Files are named by a "file:" URI
// so that any byte of the path ('?', '#', '%') survives.
func dataSource(path string, busy time.Duration) string {
	ms := (busy + time.Millisecond - 1) / time.Millisecond
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(int64(ms), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Write transactions take the write lock at BEGIN, so a transaction
	// that reads then writes never fails on lock upgrade (busy_timeout does
	// not apply to upgrades in WAL mode).
	q.Set("_txlock", "immediate")
	if path == memoryPath {
		return memoryPath + "?" + q.Encode()
	}
	q.Add("_pragma", "journal_mode(WAL)")
	u := url.URL{Path: filepath.ToSlash(filepath.Clean(path))}
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// createPrivate creates the database file readable by its owner only (it
// holds private keys); SQLite gives the -wal and -shm files the same mode.
// An existing file is left as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Close flushes the issued-token log, stops its writer and closes the
// database. Calling Close again returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.logQuit)
		<-s.logDone
		s.q.close()
		var dbErr error
		if err := s.db.Close(); err != nil {
			dbErr = fmt.Errorf("storage: close: %w", err)
		}
		s.closeErr = errors.Join(s.takeLogErr(), dbErr)
	})
	return s.closeErr
}
