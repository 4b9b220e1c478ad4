package storage

import (
	"context"
	"testing"
	"time"
)

func TestPurgeExpired(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	now := clk.Now()
	short, long := now.Add(time.Minute), now.Add(time.Hour)

	checkErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, AuthRequest{Issuer: iss, ID: "old", ExpiresAt: short}), nil)
	checkErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, AuthRequest{Issuer: iss, ID: "new", ExpiresAt: long}), nil)
	// g-old: code and token both expire → grant purged.
	// g-code: code expires, its refresh token lives on → grant kept.
	// g-live: code still valid → grant kept.
	// g-bare: revoked with nothing in it → purged.
	checkErr(t, "PutCode", st.PutCode(ctx, Code{Issuer: iss, Hash: "c-old", GrantID: "g-old", ExpiresAt: short}), nil)
	checkErr(t, "PutCode", st.PutCode(ctx, Code{Issuer: iss, Hash: "c-code", GrantID: "g-code", ExpiresAt: short}), nil)
	checkErr(t, "PutCode", st.PutCode(ctx, Code{Issuer: iss, Hash: "c-live", GrantID: "g-live", ExpiresAt: long}), nil)
	checkErr(t, "PutTokens", st.PutTokens(ctx,
		Token{Issuer: iss, ID: "t-old", Kind: kindAccess, GrantID: "g-old", ExpiresAt: short},
		Token{Issuer: iss, ID: "t-code", Kind: kindRefresh, GrantID: "g-code", ExpiresAt: long},
		Token{Issuer: iss, ID: "t-cc", Kind: kindAccess, ExpiresAt: short}), nil)
	checkErr(t, "RevokeGrant", st.RevokeGrant(ctx, iss, "g-bare"), nil)
	checkErr(t, "PutSession", st.PutSession(ctx, Session{Issuer: iss, ID: "s-old", ExpiresAt: short}), nil)
	checkErr(t, "PutSession", st.PutSession(ctx, Session{Issuer: iss, ID: "s-new", ExpiresAt: long}), nil)

	clk.Advance(time.Minute) // exactly at the short expiry: expired
	checkErr(t, "PurgeExpired", st.PurgeExpired(ctx), nil)

	tests := []struct {
		table, key string
		id         string
		want       bool
	}{
		{"auth_requests", "id", "old", false}, {"auth_requests", "id", "new", true},
		{"codes", "hash", "c-old", false}, {"codes", "hash", "c-code", false}, {"codes", "hash", "c-live", true},
		{"tokens", "id", "t-old", false}, {"tokens", "id", "t-cc", false}, {"tokens", "id", "t-code", true},
		{"sessions", "id", "s-old", false}, {"sessions", "id", "s-new", true},
		{"grants", "id", "g-old", false}, {"grants", "id", "g-bare", false},
		{"grants", "id", "g-code", true}, {"grants", "id", "g-live", true},
	}
	for _, tc := range tests {
		var n int
		if err := st.db.QueryRow(`SELECT count(*) FROM `+tc.table+` WHERE `+tc.key+` = ?`, tc.id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if got := n == 1; got != tc.want {
			t.Errorf("after PurgeExpired %s %s present = %v, want %v", tc.table, tc.id, got, tc.want)
		}
	}
	checkErr(t, "PurgeExpired(again)", st.PurgeExpired(ctx), nil)
}
