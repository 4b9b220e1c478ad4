package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestRotateRefresh(t *testing.T) {
	tests := []struct {
		name         string
		setup        func(ctx context.Context, st *Store, clk *fakeClock)
		old          string
		next         []string // refresh token ids to insert as next
		wantErr      error
		wantOld      bool // the old token is returned
		wantRotated  bool // old.RotatedAt is set in the returned token
		wantNext     bool // next tokens exist afterwards
		wantGrantRev bool
	}{
		{name: "first rotation", old: "rt", next: []string{"rt2", "at2"}, wantOld: true, wantRotated: true, wantNext: true},
		{name: "no next tokens", old: "rt", wantOld: true, wantRotated: true},
		{name: "reuse revokes the grant", old: "rt", next: []string{"rt3"},
			setup: func(ctx context.Context, st *Store, clk *fakeClock) {
				st.RotateRefresh(ctx, iss, "rt", testToken(clk, "rt2", kindRefresh, "g"))
			},
			wantErr: ErrRotated, wantOld: true, wantRotated: true, wantGrantRev: true},
		{name: "revoked token", old: "rt", next: []string{"rt2"},
			setup:   func(ctx context.Context, st *Store, _ *fakeClock) { st.RevokeToken(ctx, iss, "rt") },
			wantErr: ErrRevoked, wantOld: true},
		{name: "revoked grant", old: "rt", next: []string{"rt2"},
			setup:   func(ctx context.Context, st *Store, _ *fakeClock) { st.RevokeGrant(ctx, iss, "g") },
			wantErr: ErrRevoked, wantOld: true, wantGrantRev: true},
		{name: "access token is not a refresh token", old: "at", next: []string{"rt2"}, wantErr: ErrNotFound},
		{name: "absent", old: "nope", next: []string{"rt2"}, wantErr: ErrNotFound},
		{name: "expired", old: "rt", next: []string{"rt2"},
			setup:   func(_ context.Context, _ *Store, clk *fakeClock) { clk.Advance(time.Hour) },
			wantErr: ErrNotFound},
		{name: "failed insert of next undoes the rotation", old: "rt", next: []string{"at"}, wantErr: errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			st := openMem(t, clk)
			rt, at := testToken(clk, "rt", kindRefresh, "g"), testToken(clk, "at", kindAccess, "g")
			checkErr(t, "PutTokens", st.PutTokens(ctx, rt, at), nil)
			if tc.setup != nil {
				tc.setup(ctx, st, clk)
			}
			var next []Token
			for _, id := range tc.next {
				tok := testToken(clk, id, kindRefresh, "g")
				tok.Issuer = "" // empty means the issuer argument
				next = append(next, tok)
			}
			got, err := st.RotateRefresh(ctx, iss, tc.old, next...)
			checkErr(t, "RotateRefresh", err, tc.wantErr)
			if gotOld := got.ID != ""; gotOld != tc.wantOld || (gotOld && got.ID != tc.old) {
				t.Errorf("RotateRefresh() returned token %q, want old token returned = %v", got.ID, tc.wantOld)
			}
			if rotated := !got.RotatedAt.IsZero(); rotated != tc.wantRotated {
				t.Errorf("RotateRefresh().RotatedAt = %v, want set = %v", got.RotatedAt, tc.wantRotated)
			}
			for _, id := range tc.next {
				if id == "at" {
					continue
				}
				_, err := st.Token(ctx, iss, id)
				if exists := err == nil; exists != tc.wantNext {
					t.Errorf("Token(%s) after RotateRefresh error = %v, want exists = %v", id, err, tc.wantNext)
				}
			}
			grantAt, _ := grantRevokedAt(t, st, iss, "g")
			if rev := !grantAt.IsZero(); rev != tc.wantGrantRev {
				t.Errorf("grant revoked after RotateRefresh = %v, want %v", rev, tc.wantGrantRev)
			}
			if tc.wantErr == errAny {
				old, err := st.Token(ctx, iss, "rt")
				if err != nil || !old.RotatedAt.IsZero() {
					t.Errorf("Token(rt) after failed rotation = RotatedAt %v, %v; want zero, nil", old.RotatedAt, err)
				}
			}
		})
	}
}

func TestRotateRefreshChain(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	checkErr(t, "PutTokens", st.PutTokens(ctx, testToken(clk, "r0", kindRefresh, "g")), nil)
	ids := []string{"r0", "r1", "r2", "r3"}
	for i := 1; i < len(ids); i++ {
		clk.Advance(time.Minute)
		old, err := st.RotateRefresh(ctx, iss, ids[i-1], testToken(clk, ids[i], kindRefresh, "g"))
		checkErr(t, "RotateRefresh("+ids[i-1]+")", err, nil)
		if !old.RotatedAt.Equal(clk.Now()) {
			t.Errorf("RotateRefresh(%s).RotatedAt = %v, want %v", ids[i-1], old.RotatedAt, clk.Now())
		}
	}
	// Replaying r1 revokes the whole grant, including the current r3.
	clk.Advance(time.Minute)
	_, err := st.RotateRefresh(ctx, iss, "r1", testToken(clk, "evil", kindRefresh, "g"))
	checkErr(t, "RotateRefresh(r1 again)", err, ErrRotated)
	cur, err := st.Token(ctx, iss, "r3")
	if err != nil || !cur.RevokedAt.Equal(clk.Now()) {
		t.Errorf("Token(r3) after replay = RevokedAt %v, %v; want %v", cur.RevokedAt, err, clk.Now())
	}
	_, err = st.RotateRefresh(ctx, iss, "r3", testToken(clk, "r4", kindRefresh, "g"))
	checkErr(t, "RotateRefresh(r3) after replay", err, ErrRevoked)
	_, err = st.Token(ctx, iss, "evil")
	checkErr(t, "Token(evil)", err, ErrNotFound)
}

func TestRotateRefreshRejectsForeignNext(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	checkErr(t, "PutTokens", st.PutTokens(ctx, testToken(clk, "rt", kindRefresh, "g")), nil)
	foreign := testToken(clk, "rt2", kindRefresh, "g")
	foreign.Issuer = "https://other"
	_, err := st.RotateRefresh(ctx, iss, "rt", foreign)
	checkErr(t, "RotateRefresh(next of another issuer)", err, errAny)
	_, err = st.RotateRefresh(ctx, iss, "rt", testToken(clk, "rt2", kindRefresh, "g"))
	checkErr(t, "RotateRefresh after rejected call", err, nil)
}

func TestRotateRefreshConcurrent(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	for _, mode := range []string{"memory", "file"} {
		t.Run(mode, func(t *testing.T) {
			path := ":memory:"
			if mode == "file" {
				path = tempDB(t)
			}
			st := openAt(t, path, Options{Now: clk.Now})
			checkErr(t, "PutTokens", st.PutTokens(ctx, testToken(clk, "rt", kindRefresh, "g")), nil)
			const n = 20
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				next := testToken(clk, fmt.Sprintf("next-%d", i), kindRefresh, "g")
				wg.Go(func() { _, errs[i] = st.RotateRefresh(ctx, iss, "rt", next) })
			}
			wg.Wait()
			var ok, rotated, revoked int
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, ErrRotated):
					rotated++
				case errors.Is(err, ErrRevoked):
					revoked++ // after the first reuse revoked the grant
				default:
					t.Errorf("RotateRefresh error = %v, want nil, ErrRotated or ErrRevoked", err)
				}
			}
			// The first reuse revokes the grant; later ones then see a
			// revoked token.
			if ok != 1 || rotated != 1 || revoked != n-2 {
				t.Errorf("%d concurrent RotateRefresh: %d nil, %d ErrRotated, %d ErrRevoked; want 1, 1, %d", n, ok, rotated, revoked, n-2)
			}
			if at, _ := grantRevokedAt(t, st, iss, "g"); at.IsZero() {
				t.Errorf("grant after concurrent RotateRefresh: not revoked, want revoked")
			}
		})
	}
}
