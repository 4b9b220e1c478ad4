package storage

import (
	"context"
	"testing"
	"time"
)

func sameToken(a, b Token) bool {
	return a.Issuer == b.Issuer && a.ID == b.ID && a.Kind == b.Kind && a.GrantID == b.GrantID &&
		a.ClientID == b.ClientID && a.Subject == b.Subject && string(a.Data) == string(b.Data) &&
		sameTime(a.IssuedAt, b.IssuedAt) && sameTime(a.ExpiresAt, b.ExpiresAt) &&
		sameTime(a.RevokedAt, b.RevokedAt) && sameTime(a.RotatedAt, b.RotatedAt)
}

func testToken(clk *fakeClock, id, kind, grant string) Token {
	return Token{Issuer: iss, ID: id, Kind: kind, GrantID: grant, ClientID: "app", Subject: "alice",
		Data: []byte(`{"scope":"openid"}`), IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
}

func TestPutTokensAndToken(t *testing.T) {
	clk := newClock()
	tests := []struct {
		name string
		toks []Token
	}{
		{name: "access and refresh in a grant", toks: []Token{testToken(clk, "at", kindAccess, "g"), testToken(clk, "rt", kindRefresh, "g")}},
		{name: "outside a grant", toks: []Token{testToken(clk, "cc", kindAccess, "")}},
		{name: "nil data and zero issued", toks: []Token{{Issuer: iss, ID: "bare", Kind: kindAccess, ExpiresAt: clk.Now().Add(time.Second)}}},
		{name: "none", toks: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := openMem(t, clk)
			checkErr(t, "PutTokens", st.PutTokens(ctx, tc.toks...), nil)
			for _, want := range tc.toks {
				got, err := st.Token(ctx, iss, want.ID)
				checkErr(t, "Token("+want.ID+")", err, nil)
				if !sameToken(got, want) {
					t.Errorf("Token(%s) = %+v\nwant %+v", want.ID, got, want)
				}
				if want.GrantID != "" {
					if _, ok := grantRevokedAt(t, st, iss, want.GrantID); !ok {
						t.Errorf("grant %s after PutTokens: missing, want created", want.GrantID)
					}
				}
			}
		})
	}
}

func TestPutTokensAllOrNothing(t *testing.T) {
	clk := newClock()
	tests := []struct {
		name string
		pre  []Token
		toks []Token
	}{
		{name: "duplicate within the call", toks: []Token{testToken(clk, "a", kindAccess, "g1"), testToken(clk, "a", kindAccess, "g1")}},
		{name: "duplicate of a stored token", pre: []Token{testToken(clk, "b", kindAccess, "")},
			toks: []Token{testToken(clk, "a", kindAccess, "g1"), testToken(clk, "b", kindAccess, "g1")}},
		{name: "empty id", toks: []Token{testToken(clk, "a", kindAccess, "g1"), testToken(clk, "", kindAccess, "g1")}},
		{name: "unknown kind", toks: []Token{testToken(clk, "a", kindAccess, "g1"), testToken(clk, "c", "id_token", "g1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := openMem(t, clk)
			checkErr(t, "PutTokens(pre)", st.PutTokens(ctx, tc.pre...), nil)
			checkErr(t, "PutTokens", st.PutTokens(ctx, tc.toks...), errAny)
			_, err := st.Token(ctx, iss, "a")
			checkErr(t, "Token(a) after failed PutTokens", err, ErrNotFound)
			if _, ok := grantRevokedAt(t, st, iss, "g1"); ok {
				t.Errorf("grant g1 after failed PutTokens: exists, want rolled back")
			}
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		wantErr error
	}{
		{name: "fresh", advance: 0},
		{name: "last nanosecond", advance: time.Hour - 1},
		{name: "at ExpiresAt", advance: time.Hour, wantErr: ErrNotFound},
		{name: "after", advance: 2 * time.Hour, wantErr: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			st := openMem(t, clk)
			checkErr(t, "PutTokens", st.PutTokens(ctx, testToken(clk, "t", kindAccess, "")), nil)
			clk.Advance(tc.advance)
			_, err := st.Token(ctx, iss, "t")
			checkErr(t, "Token", err, tc.wantErr)
		})
	}
	t.Run("absent", func(t *testing.T) {
		_, err := openMem(t, newClock()).Token(context.Background(), iss, "nope")
		checkErr(t, "Token(absent)", err, ErrNotFound)
	})
}

func TestRevocation(t *testing.T) {
	type op struct {
		call    string // "token", "grant" or "advance"
		id      string
		wantErr error
	}
	sec := time.Second
	tests := []struct {
		name        string
		ops         []op // each op runs one second after the previous
		wantRevoked map[string]time.Duration
	}{
		{name: "token only", ops: []op{{call: "token", id: "at"}},
			wantRevoked: map[string]time.Duration{"at": sec, "rt": -1, "cc": -1}},
		{name: "token twice keeps first time", ops: []op{{call: "token", id: "at"}, {call: "token", id: "at"}},
			wantRevoked: map[string]time.Duration{"at": sec}},
		{name: "grant revokes its tokens", ops: []op{{call: "grant", id: "g"}},
			wantRevoked: map[string]time.Duration{"at": sec, "rt": sec, "cc": -1}},
		{name: "grant twice is idempotent", ops: []op{{call: "grant", id: "g"}, {call: "grant", id: "g"}},
			wantRevoked: map[string]time.Duration{"at": sec, "rt": sec}},
		{name: "earliest of token and grant (token first)", ops: []op{{call: "token", id: "rt"}, {call: "grant", id: "g"}},
			wantRevoked: map[string]time.Duration{"rt": sec, "at": 2 * sec}},
		{name: "earliest of token and grant (grant first)", ops: []op{{call: "grant", id: "g"}, {call: "token", id: "rt"}},
			wantRevoked: map[string]time.Duration{"rt": sec, "at": sec}},
		{name: "absent token", ops: []op{{call: "token", id: "nope", wantErr: ErrNotFound}},
			wantRevoked: map[string]time.Duration{"at": -1}},
		{name: "unknown grant is created revoked", ops: []op{{call: "grant", id: "later"}},
			wantRevoked: map[string]time.Duration{"at": -1}},
		{name: "empty grant id", ops: []op{{call: "grant", id: "", wantErr: errAny}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			start := clk.Now()
			st := openMem(t, clk)
			checkErr(t, "PutTokens", st.PutTokens(ctx, testToken(clk, "at", kindAccess, "g"),
				testToken(clk, "rt", kindRefresh, "g"), testToken(clk, "cc", kindAccess, "")), nil)
			for _, o := range tc.ops {
				clk.Advance(sec)
				var err error
				if o.call == "token" {
					err = st.RevokeToken(ctx, iss, o.id)
				} else {
					err = st.RevokeGrant(ctx, iss, o.id)
				}
				checkErr(t, "Revoke"+o.call+"("+o.id+")", err, o.wantErr)
			}
			for id, after := range tc.wantRevoked {
				got, err := st.Token(ctx, iss, id)
				checkErr(t, "Token("+id+")", err, nil) // revoked tokens come back without error
				want := time.Time{}
				if after >= 0 {
					want = start.Add(after)
				}
				if !sameTime(got.RevokedAt, want) {
					t.Errorf("Token(%s).RevokedAt = %v, want %v", id, got.RevokedAt, want)
				}
			}
		})
	}
}

// A grant revoked before its tokens are stored still revokes them.
func TestRevokeGrantBeforeTokens(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	checkErr(t, "RevokeGrant", st.RevokeGrant(ctx, iss, "g"), nil)
	checkErr(t, "PutTokens", st.PutTokens(ctx, testToken(clk, "at", kindAccess, "g")), nil)
	got, err := st.Token(ctx, iss, "at")
	if err != nil || !got.RevokedAt.Equal(clk.Now()) {
		t.Errorf("Token(at) = RevokedAt %v, %v; want %v, nil", got.RevokedAt, err, clk.Now())
	}
}
