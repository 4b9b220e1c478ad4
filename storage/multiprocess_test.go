package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
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

// Two stores on one file (a server and a second process) writing at once
// for a while: every call succeeds — lock waits are absorbed by the busy
// timeout, never surfaced — and a refresh chain rotated from both sides
// stays a chain (each rotation wins once).
func TestTwoStoresUnderLoad(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	stores := []*Store{openAt(t, path, Options{}), openAt(t, path, Options{})}
	exp := time.Now().Add(time.Hour)
	// One refresh chain both sides rotate: exactly one rotation of each
	// token wins.
	checkErr(t, "PutTokens(rt-0)", stores[0].PutTokens(ctx, Token{Issuer: iss, ID: "rt-0", Kind: kindRefresh, GrantID: "chain", ExpiresAt: exp}), nil)
	var rotations atomic.Int64
	var chainOver atomic.Bool // a lost race revoked the chain: stop rotating
	stop := time.Now().Add(700 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for si, st := range stores {
		for w := range 3 {
			wg.Go(func() {
				for i := 0; time.Now().Before(stop); i++ {
					id := fmt.Sprintf("s%d-w%d-%d", si, w, i)
					var err error
					switch i % 4 {
					case 0:
						err = st.PutTokens(ctx, Token{Issuer: iss, ID: id + "-at", Kind: kindAccess, GrantID: id, ExpiresAt: exp},
							Token{Issuer: iss, ID: id + "-rt", Kind: kindRefresh, GrantID: id, ExpiresAt: exp})
					case 1:
						err = st.PutSession(ctx, Session{Issuer: iss, ID: id, Subject: "alice", ExpiresAt: exp})
					case 2:
						st.AppendLog(LogEntry{Issuer: iss, TokenID: id})
						if err = st.PutCode(ctx, Code{Issuer: iss, Hash: id, GrantID: id, ExpiresAt: exp}); err == nil {
							_, err = st.ConsumeCode(ctx, iss, id)
						}
					case 3:
						if chainOver.Load() {
							continue
						}
						n := rotations.Load()
						_, rerr := st.RotateRefresh(ctx, iss, fmt.Sprint("rt-", n), Token{ID: fmt.Sprint("rt-", n+1), Kind: kindRefresh, GrantID: "chain", ExpiresAt: exp})
						switch {
						case rerr == nil:
							rotations.Add(1)
						case errors.Is(rerr, ErrRotated), errors.Is(rerr, ErrRevoked):
							// Lost the race, or the chain was revoked by a
							// lost race: protocol outcomes, not failures.
							chainOver.Store(true)
						default:
							err = rerr
						}
					}
					if err != nil {
						errs <- fmt.Errorf("store %d: %w", si, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a call failed under contention between two stores: %v", err)
	}
	for i, st := range stores {
		if _, err := st.Log(ctx, iss, 1); err != nil {
			t.Errorf("store %d: Log after the run: %v", i, err)
		}
	}
}
