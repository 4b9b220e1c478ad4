package storage

import (
	"context"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	clk := newClock()
	base := Session{Issuer: iss, ID: "s", Subject: "alice", Data: []byte(`{"acr":"1"}`),
		AuthTime: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
	replaced := base
	replaced.Subject, replaced.Data, replaced.ExpiresAt = "bob", nil, base.ExpiresAt.Add(time.Hour)
	tests := []struct {
		name    string
		puts    []Session
		del     bool
		advance time.Duration
		want    Session
		wantErr error
	}{
		{name: "put and get", puts: []Session{base}, want: base},
		{name: "put again replaces", puts: []Session{base, replaced}, want: replaced},
		{name: "extending ExpiresAt keeps it alive", puts: []Session{base, replaced}, advance: time.Hour, want: replaced},
		{name: "expired", puts: []Session{base}, advance: time.Hour, wantErr: ErrNotFound},
		{name: "deleted", puts: []Session{base}, del: true, wantErr: ErrNotFound},
		{name: "delete absent is fine", del: true, wantErr: ErrNotFound},
		{name: "absent", wantErr: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			st := openMem(t, c)
			for _, s := range tc.puts {
				checkErr(t, "PutSession", st.PutSession(ctx, s), nil)
			}
			if tc.del {
				checkErr(t, "DeleteSession", st.DeleteSession(ctx, iss, "s"), nil)
				checkErr(t, "DeleteSession(again)", st.DeleteSession(ctx, iss, "s"), nil)
			}
			c.Advance(tc.advance)
			got, err := st.Session(ctx, iss, "s")
			checkErr(t, "Session", err, tc.wantErr)
			if err == nil && (got.Issuer != tc.want.Issuer || got.ID != tc.want.ID || got.Subject != tc.want.Subject ||
				string(got.Data) != string(tc.want.Data) || !sameTime(got.AuthTime, tc.want.AuthTime) ||
				!sameTime(got.ExpiresAt, tc.want.ExpiresAt)) {
				t.Errorf("Session() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSessionErrors(t *testing.T) {
	st := openMem(t, newClock())
	checkErr(t, "PutSession(empty id)", st.PutSession(context.Background(), Session{Issuer: iss}), errAny)
	_, err := st.Session(context.Background(), "https://other", "s")
	checkErr(t, "Session(other issuer)", err, ErrNotFound)
}
