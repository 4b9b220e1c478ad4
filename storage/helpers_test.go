package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const iss = "https://idp.test"

// fakeClock is the injected clock of the tests: time moves only by Advance.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openMem opens an in-memory store on clk, closed at the end of the test.
func openMem(t testing.TB, clk *fakeClock) *Store {
	t.Helper()
	return openAt(t, ":memory:", Options{Now: clk.Now})
}

func openAt(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	st, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open(%q) error = %v, want nil", path, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func tempDB(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "testidp.db")
}

// checkErr fails the test unless err matches want: nil, a sentinel (errors.Is), or
// for errAny any non-nil error carrying the "storage: " prefix.
func checkErr(t testing.TB, call string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s error = %v, want nil", call, err)
	case want == errAny:
		if err == nil || !strings.HasPrefix(err.Error(), "storage: ") {
			t.Fatalf("%s error = %v, want an error prefixed %q", call, err, "storage: ")
		}
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s error = %v, want %v", call, err, want)
	}
}

var errAny = errors.New("any storage error")

// grantRevokedAt reads the grant row directly.
func grantRevokedAt(t testing.TB, st *Store, issuer, id string) (time.Time, bool) {
	t.Helper()
	var ns int64
	err := st.db.QueryRow(`SELECT revoked_at FROM grants WHERE issuer = ? AND id = ?`, issuer, id).Scan(&ns)
	if err != nil {
		return time.Time{}, false
	}
	return fromNanos(ns), true
}

func countRows(t testing.TB, st *Store, table string) int {
	t.Helper()
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func sameTime(a, b time.Time) bool {
	return a.Equal(b) && a.IsZero() == b.IsZero()
}
