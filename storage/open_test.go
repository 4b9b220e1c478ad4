package storage

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenPragmas(t *testing.T) {
	tests := []struct {
		name        string
		path        string
		busy        time.Duration
		wantJournal string
		wantBusy    int
	}{
		{name: "file", path: tempDB(t), wantJournal: "wal", wantBusy: 5000},
		{name: "file custom busy timeout", path: tempDB(t), busy: 1500 * time.Millisecond, wantJournal: "wal", wantBusy: 1500},
		{name: "memory", path: ":memory:", wantJournal: "memory", wantBusy: 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openAt(t, tc.path, Options{BusyTimeout: tc.busy})
			var journal string
			var busy, fk, sync int
			for _, p := range []struct {
				pragma string
				dst    any
			}{{"journal_mode", &journal}, {"busy_timeout", &busy}, {"foreign_keys", &fk}, {"synchronous", &sync}} {
				if err := st.db.QueryRow("PRAGMA " + p.pragma).Scan(p.dst); err != nil {
					t.Fatalf("PRAGMA %s: %v", p.pragma, err)
				}
			}
			if journal != tc.wantJournal || busy != tc.wantBusy || fk != 1 || sync != 1 {
				t.Errorf("pragmas journal_mode, busy_timeout, foreign_keys, synchronous = %s, %d, %d, %d; want %s, %d, 1, 1",
					journal, busy, fk, sync, tc.wantJournal, tc.wantBusy)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{name: "empty path", path: ""},
		{name: "missing directory", path: filepath.Join(dir, "no", "such", "dir", "x.db")},
		{name: "path is a directory", path: dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := Open(context.Background(), tc.path, Options{})
			if err == nil {
				st.Close()
			}
			checkErr(t, "Open("+tc.path+")", err, errAny)
		})
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	path := tempDB(t)
	st := openAt(t, path, Options{})
	if _, err := st.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st2, err := Open(context.Background(), path, Options{})
	if err == nil {
		st2.Close()
	}
	checkErr(t, "Open(newer schema)", err, errAny)
	if err != nil && !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open(newer schema) error = %v, want it to say the schema is newer", err)
	}
}

func TestMigrationsAppliedOnce(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatalf("loadMigrations() error = %v", err)
	}
	path := tempDB(t)
	for i := range 3 {
		st := openAt(t, path, Options{})
		v, err := userVersion(context.Background(), st.db)
		if err != nil || v != len(ms) {
			t.Fatalf("open #%d: user_version = %d, %v; want %d, nil", i+1, v, err, len(ms))
		}
		// Running migrate again on an up-to-date database changes nothing.
		if err := migrate(context.Background(), st.db); err != nil {
			t.Fatalf("open #%d: migrate again error = %v, want nil", i+1, err)
		}
		if err := st.Close(); err != nil {
			t.Fatalf("open #%d: Close() error = %v", i+1, err)
		}
	}
}

func TestConcurrentFirstOpen(t *testing.T) {
	path := tempDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			st, err := Open(context.Background(), path, Options{})
			if err == nil {
				err = st.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d on a new file error = %v, want nil", i, err)
		}
	}
}

func TestOpenOddPaths(t *testing.T) {
	for _, name := range []string{"with space.db", "hash#and?query.db", "percent%41.db", "colon:name.db"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			st := openAt(t, path, Options{})
			if err := st.PutSession(context.Background(), Session{Issuer: iss, ID: "s", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatalf("PutSession error = %v", err)
			}
			st.Close()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("Stat(%q) error = %v, want the database at exactly that path", path, err)
			}
		})
	}
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := tempDB(t)
	openAt(t, path, Options{}).Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("database file mode = %v, want 0600 (it holds private keys)", got)
	}
}

func TestMemoryOpensEmpty(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	for i := range 2 {
		st := openMem(t, clk)
		ring, err := st.Keys(ctx, iss)
		if err != nil || len(ring) != 0 {
			t.Fatalf("open #%d: Keys() = %d keys, %v; want 0, nil", i+1, len(ring), err)
		}
		if err := st.ReplaceKeys(ctx, iss, []KeyRecord{{ID: "k1", Alg: "ES256", State: "active", CreatedAt: clk.Now()}}); err != nil {
			t.Fatalf("open #%d: ReplaceKeys() error = %v", i+1, err)
		}
		st.Close()
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := tempDB(t)
	opts := Options{Now: clk.Now}
	key := KeyRecord{Issuer: iss, ID: "k1", Alg: "RS256", State: "active", Private: []byte{1, 2, 3}, CreatedAt: clk.Now()}
	sess := Session{Issuer: iss, ID: "s1", Subject: "alice", AuthTime: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
	tok := Token{Issuer: iss, ID: "t1", Kind: kindRefresh, GrantID: "g1", ExpiresAt: clk.Now().Add(time.Hour)}

	st := openAt(t, path, opts)
	checkErr(t, "ReplaceKeys", st.ReplaceKeys(ctx, iss, []KeyRecord{key}), nil)
	checkErr(t, "PutSession", st.PutSession(ctx, sess), nil)
	checkErr(t, "PutTokens", st.PutTokens(ctx, tok), nil)
	st.AppendLog(LogEntry{Issuer: iss, Kind: "id_token", TokenID: "t1"})
	checkErr(t, "Close", st.Close(), nil)

	st = openAt(t, path, opts)
	ring, err := st.Keys(ctx, iss)
	if err != nil || len(ring) != 1 || ring[0].ID != "k1" || string(ring[0].Private) != "\x01\x02\x03" {
		t.Errorf("after reopen Keys() = %+v, %v; want [k1]", ring, err)
	}
	if got, err := st.Session(ctx, iss, "s1"); err != nil || got.Subject != "alice" {
		t.Errorf("after reopen Session(s1) = %+v, %v; want subject alice", got, err)
	}
	if got, err := st.Token(ctx, iss, "t1"); err != nil || got.GrantID != "g1" {
		t.Errorf("after reopen Token(t1) = %+v, %v; want grant g1", got, err)
	}
	if got, err := st.Log(ctx, iss, 0); err != nil || len(got) != 1 {
		t.Errorf("after reopen Log() = %d entries, %v; want 1", len(got), err)
	}
}

func TestCloseTwice(t *testing.T) {
	st, err := Open(context.Background(), ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkErr(t, "first Close()", st.Close(), nil)
	checkErr(t, "second Close()", st.Close(), nil)
	st.AppendLog(LogEntry{Issuer: iss}) // must neither block nor panic
	if _, err := st.Log(context.Background(), iss, 0); !errors.Is(err, errClosed) {
		t.Errorf("Log() after Close error = %v, want %v", err, errClosed)
	}
	if _, err := st.Keys(context.Background(), iss); err == nil {
		t.Errorf("Keys() after Close error = nil, want an error")
	}
}

// A panic inside a write transaction (recovered higher up, as net/http does)
// leaves the store usable: the transaction is rolled back and the single
// connection freed.
func TestPanicInTransactionFreesTheStore(t *testing.T) {
	st := openMem(t, newClock())
	func() {
		defer func() { _ = recover() }()
		_ = st.inTx(context.Background(), func(tx *sql.Tx) error {
			if _, err := tx.Exec(`DELETE FROM keys`); err != nil {
				t.Errorf("DELETE in transaction: %v", err)
			}
			panic("boom")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := st.ReplaceKeys(ctx, iss, []KeyRecord{{ID: "a", Alg: "ES256", State: "active"}})
	checkErr(t, "ReplaceKeys after a panic in a transaction", err, nil)
}
