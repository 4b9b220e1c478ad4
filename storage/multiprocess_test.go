package storage

import (
	"context"
	"testing"
	"time"
)

// Two Stores on one file stand for two processes (server and CLI): each has
// its own connection, so they contend for SQLite's file locks.

func TestSecondStoreWritesWhileFirstOpen(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	a := openAt(t, path, Options{})
	b := openAt(t, path, Options{})
	checkErr(t, "a.PutSession", a.PutSession(ctx, Session{Issuer: iss, ID: "a", ExpiresAt: time.Now().Add(time.Hour)}), nil)
	checkErr(t, "b.PutSession", b.PutSession(ctx, Session{Issuer: iss, ID: "b", ExpiresAt: time.Now().Add(time.Hour)}), nil)
	if _, err := a.Session(ctx, iss, "b"); err != nil {
		t.Errorf("a.Session(b) error = %v, want nil (written by the other store)", err)
	}
}

func TestBusyTimeoutHonoured(t *testing.T) {
	tests := []struct {
		name    string
		busy    time.Duration
		hold    time.Duration
		wantErr error
	}{
		{name: "waits for the lock", busy: 5 * time.Second, hold: 100 * time.Millisecond},
		{name: "gives up after its timeout", busy: 10 * time.Millisecond, hold: 500 * time.Millisecond, wantErr: errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := tempDB(t)
			a := openAt(t, path, Options{})
			b := openAt(t, path, Options{BusyTimeout: tc.busy})
			// a holds the write lock for tc.hold.
			tx, err := a.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(`INSERT INTO grants (issuer, id, created_at) VALUES ('x', 'y', 1)`); err != nil {
				t.Fatal(err)
			}
			release := time.AfterFunc(tc.hold, func() { _ = tx.Commit() })
			defer func() {
				release.Stop()
				_ = tx.Rollback() // no-op once committed
			}()
			err = b.RevokeGrant(ctx, iss, "g")
			checkErr(t, "b.RevokeGrant while a holds the lock", err, tc.wantErr)
		})
	}
}
