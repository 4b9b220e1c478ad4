package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestAuthRequests(t *testing.T) {
	type step struct {
		call    string // put, get, take, advance
		id      string
		advance time.Duration
		wantErr error
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "put then get twice", steps: []step{{call: "put", id: "r"}, {call: "get", id: "r"}, {call: "get", id: "r"}}},
		{name: "take is single use", steps: []step{{call: "put", id: "r"}, {call: "take", id: "r"}, {call: "take", id: "r", wantErr: ErrNotFound}, {call: "get", id: "r", wantErr: ErrNotFound}}},
		{name: "absent", steps: []step{{call: "get", id: "x", wantErr: ErrNotFound}, {call: "take", id: "x", wantErr: ErrNotFound}}},
		{name: "duplicate id", steps: []step{{call: "put", id: "r"}, {call: "put", id: "r", wantErr: errAny}}},
		{name: "empty id", steps: []step{{call: "put", id: "", wantErr: errAny}}},
		{name: "valid until just before expiry", steps: []step{{call: "put", id: "r"}, {call: "advance", advance: 10*time.Minute - 1}, {call: "get", id: "r"}, {call: "take", id: "r"}}},
		{name: "expired at ExpiresAt", steps: []step{{call: "put", id: "r"}, {call: "advance", advance: 10 * time.Minute}, {call: "get", id: "r", wantErr: ErrNotFound}, {call: "take", id: "r", wantErr: ErrNotFound}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			st := openMem(t, clk)
			created := clk.Now()
			want := AuthRequest{Issuer: iss, Data: []byte(`{"client_id":"app"}`), CreatedAt: created, ExpiresAt: created.Add(10 * time.Minute)}
			for i, s := range tc.steps {
				want.ID = s.id
				var got AuthRequest
				var err error
				switch s.call {
				case "advance":
					clk.Advance(s.advance)
					continue
				case "put":
					err = st.PutAuthRequest(ctx, want)
				case "get":
					got, err = st.AuthRequest(ctx, iss, s.id)
				case "take":
					got, err = st.TakeAuthRequest(ctx, iss, s.id)
				}
				call := fmt.Sprintf("step %d: %s(%q)", i+1, s.call, s.id)
				checkErr(t, call, err, s.wantErr)
				if (s.call == "get" || s.call == "take") && err == nil {
					if got.Issuer != iss || got.ID != s.id || string(got.Data) != string(want.Data) ||
						!sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.ExpiresAt, want.ExpiresAt) {
						t.Errorf("%s = %+v, want %+v", call, got, want)
					}
				}
			}
		})
	}
}

func TestAuthRequestIssuerScope(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	r := AuthRequest{Issuer: iss, ID: "r", ExpiresAt: clk.Now().Add(time.Minute)}
	checkErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, r), nil)
	r.Issuer = "https://other"
	checkErr(t, "PutAuthRequest(same id, other issuer)", st.PutAuthRequest(ctx, r), nil)
	_, err := st.AuthRequest(ctx, "https://third", "r")
	checkErr(t, "AuthRequest(third issuer)", err, ErrNotFound)
	_, err = st.TakeAuthRequest(ctx, "https://other", "r")
	checkErr(t, "TakeAuthRequest(other)", err, nil)
	_, err = st.AuthRequest(ctx, iss, "r")
	checkErr(t, "AuthRequest(iss) after taking other's", err, nil)
}

func TestZeroTimesRoundTrip(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	// CreatedAt zero, ExpiresAt in the future: zero must come back as zero.
	checkErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, AuthRequest{Issuer: iss, ID: "z", ExpiresAt: clk.Now().Add(time.Second)}), nil)
	got, err := st.AuthRequest(ctx, iss, "z")
	checkErr(t, "AuthRequest", err, nil)
	if !got.CreatedAt.IsZero() {
		t.Errorf("AuthRequest().CreatedAt = %v, want the zero time", got.CreatedAt)
	}
	// A zero ExpiresAt is in the past: the request is expired at once.
	checkErr(t, "PutAuthRequest(no expiry)", st.PutAuthRequest(ctx, AuthRequest{Issuer: iss, ID: "noexp"}), nil)
	_, err = st.AuthRequest(ctx, iss, "noexp")
	checkErr(t, "AuthRequest(zero ExpiresAt)", err, ErrNotFound)
}
