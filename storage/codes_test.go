package storage

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func testCode(clk *fakeClock, hash string) Code {
	return Code{Issuer: iss, Hash: hash, GrantID: "g-" + hash, ClientID: "app",
		Data: []byte(`{"nonce":"n"}`), CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Minute)}
}

func TestConsumeCode(t *testing.T) {
	tests := []struct {
		name        string
		put         bool
		advance     time.Duration
		consumes    int // calls before the checked one
		wantErr     error
		wantCode    bool
		wantRevoked bool
	}{
		{name: "first use", put: true, wantCode: true},
		{name: "second use revokes the grant", put: true, consumes: 1, wantErr: ErrUsed, wantCode: true, wantRevoked: true},
		{name: "third use still ErrUsed", put: true, consumes: 2, wantErr: ErrUsed, wantCode: true, wantRevoked: true},
		{name: "absent", wantErr: ErrNotFound},
		{name: "just before expiry", put: true, advance: time.Minute - 1, wantCode: true},
		{name: "expired", put: true, advance: time.Minute, wantErr: ErrNotFound},
		{name: "used then expired", put: true, consumes: 1, advance: time.Hour, wantErr: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			st := openMem(t, clk)
			want := testCode(clk, "h1")
			if tc.put {
				checkErr(t, "PutCode", st.PutCode(ctx, want), nil)
			}
			for range tc.consumes {
				st.ConsumeCode(ctx, iss, "h1")
			}
			clk.Advance(tc.advance)
			got, err := st.ConsumeCode(ctx, iss, "h1")
			checkErr(t, "ConsumeCode", err, tc.wantErr)
			if tc.wantCode && !sameCode(got, want) {
				t.Errorf("ConsumeCode() = %+v, want %+v", got, want)
			}
			if !tc.wantCode && got.Hash != "" {
				t.Errorf("ConsumeCode() = %+v, want the zero Code", got)
			}
			revokedAt, _ := grantRevokedAt(t, st, iss, want.GrantID)
			if revoked := !revokedAt.IsZero(); revoked != tc.wantRevoked {
				t.Errorf("grant revoked after ConsumeCode = %v, want %v", revoked, tc.wantRevoked)
			}
		})
	}
}

func sameCode(a, b Code) bool {
	return a.Issuer == b.Issuer && a.Hash == b.Hash && a.GrantID == b.GrantID && a.ClientID == b.ClientID &&
		string(a.Data) == string(b.Data) && sameTime(a.CreatedAt, b.CreatedAt) && sameTime(a.ExpiresAt, b.ExpiresAt)
}

func TestPutCodeErrors(t *testing.T) {
	clk := newClock()
	noGrant := testCode(clk, "h")
	noGrant.GrantID = ""
	noHash := testCode(clk, "")
	tests := []struct {
		name string
		code Code
		pre  []Code
	}{
		{name: "empty hash", code: noHash},
		{name: "empty grant id", code: noGrant},
		{name: "duplicate hash", code: testCode(clk, "h"), pre: []Code{testCode(clk, "h")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openMem(t, clk)
			for _, c := range tc.pre {
				checkErr(t, "PutCode(pre)", st.PutCode(context.Background(), c), nil)
			}
			checkErr(t, "PutCode", st.PutCode(context.Background(), tc.code), errAny)
		})
	}
}

// A replayed code revokes the tokens already issued from it.
func TestCodeReplayRevokesIssuedTokens(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	c := testCode(clk, "h")
	checkErr(t, "PutCode", st.PutCode(ctx, c), nil)
	_, err := st.ConsumeCode(ctx, iss, "h")
	checkErr(t, "ConsumeCode", err, nil)
	checkErr(t, "PutTokens", st.PutTokens(ctx,
		Token{Issuer: iss, ID: "at", Kind: kindAccess, GrantID: c.GrantID, ExpiresAt: clk.Now().Add(time.Hour)},
		Token{Issuer: iss, ID: "rt", Kind: kindRefresh, GrantID: c.GrantID, ExpiresAt: clk.Now().Add(time.Hour)}), nil)
	clk.Advance(time.Second)
	_, err = st.ConsumeCode(ctx, iss, "h")
	checkErr(t, "ConsumeCode(replay)", err, ErrUsed)
	for _, id := range []string{"at", "rt"} {
		tok, err := st.Token(ctx, iss, id)
		if err != nil || !tok.RevokedAt.Equal(clk.Now()) {
			t.Errorf("Token(%s) after replay = RevokedAt %v, %v; want %v, nil", id, tok.RevokedAt, err, clk.Now())
		}
	}
}

func TestConsumeCodeConcurrent(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	for _, mode := range []string{"memory", "file"} {
		t.Run(mode, func(t *testing.T) {
			path := ":memory:"
			if mode == "file" {
				path = tempDB(t)
			}
			st := openAt(t, path, Options{Now: clk.Now})
			c := testCode(clk, "h")
			checkErr(t, "PutCode", st.PutCode(ctx, c), nil)
			const n = 20
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { _, errs[i] = st.ConsumeCode(ctx, iss, "h") })
			}
			wg.Wait()
			var ok, used int
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, ErrUsed):
					used++
				default:
					t.Errorf("ConsumeCode error = %v, want nil or ErrUsed", err)
				}
			}
			if ok != 1 || used != n-1 {
				t.Errorf("%d concurrent ConsumeCode: %d nil, %d ErrUsed; want 1, %d", n, ok, used, n-1)
			}
			if at, _ := grantRevokedAt(t, st, iss, c.GrantID); at.IsZero() {
				t.Errorf("grant after concurrent ConsumeCode: not revoked, want revoked")
			}
		})
	}
}
