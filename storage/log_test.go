package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func logIDs(es []LogEntry) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.TokenID
	}
	return ids
}

func TestLogOrderAndLimit(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openMem(t, clk)
	for i := range 5 {
		st.AppendLog(LogEntry{Issuer: iss, Kind: "access_token", ClientID: "app", Subject: "alice",
			TokenID: fmt.Sprint(i), Data: []byte(`{"i":` + fmt.Sprint(i) + `}`), IssuedAt: clk.Now()})
		st.AppendLog(LogEntry{Issuer: "https://other", TokenID: fmt.Sprint("o", i)})
		clk.Advance(time.Second)
	}
	tests := []struct {
		limit int
		want  []string
	}{
		{limit: 0, want: []string{"4", "3", "2", "1", "0"}},
		{limit: -1, want: []string{"4", "3", "2", "1", "0"}},
		{limit: 2, want: []string{"4", "3"}},
		{limit: 100, want: []string{"4", "3", "2", "1", "0"}},
	}
	for _, tc := range tests {
		got, err := st.Log(ctx, iss, tc.limit)
		checkErr(t, fmt.Sprintf("Log(limit %d)", tc.limit), err, nil)
		if fmt.Sprint(logIDs(got)) != fmt.Sprint(tc.want) {
			t.Errorf("Log(limit %d) token ids = %v, want %v", tc.limit, logIDs(got), tc.want)
		}
	}
	all, _ := st.Log(ctx, iss, 0)
	start := newClock().Now()
	for i, e := range all {
		n := 4 - i
		if e.Issuer != iss || e.Kind != "access_token" || e.ClientID != "app" || e.Subject != "alice" ||
			string(e.Data) != fmt.Sprintf(`{"i":%d}`, n) || !e.IssuedAt.Equal(start.Add(time.Duration(n)*time.Second)) {
			t.Errorf("Log()[%d] = %+v, want entry %d with every field", i, e, n)
		}
		if i > 0 && e.Seq >= all[i-1].Seq {
			t.Errorf("Log()[%d].Seq = %d, want < %d (newest first)", i, e.Seq, all[i-1].Seq)
		}
	}
}

func TestLogCap(t *testing.T) {
	tests := []struct {
		name    string
		cap     int
		appends int
		want    int
	}{
		{name: "under cap", cap: 10, appends: 7, want: 7},
		{name: "at cap", cap: 10, appends: 10, want: 10},
		{name: "over cap in one batch", cap: 10, appends: 25, want: 10},
		{name: "far over cap", cap: 3, appends: 2000, want: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := openAt(t, ":memory:", Options{LogCap: tc.cap})
			for i := range tc.appends {
				st.AppendLog(LogEntry{Issuer: iss, TokenID: fmt.Sprint(i)})
				st.AppendLog(LogEntry{Issuer: "https://other", TokenID: fmt.Sprint(i)})
			}
			got, err := st.Log(ctx, iss, 0)
			checkErr(t, "Log", err, nil)
			if len(got) != tc.want || got[0].TokenID != fmt.Sprint(tc.appends-1) {
				t.Fatalf("Log() = %d entries, newest %v; want %d, newest %d", len(got), logIDs(got)[:min(len(got), 1)], tc.want, tc.appends-1)
			}
			if n := countRows(t, st, "log"); n != 2*tc.want {
				t.Errorf("log rows for both issuers = %d, want %d", n, 2*tc.want)
			}
			var counted int
			st.db.QueryRow(`SELECT n FROM log_counts WHERE issuer = ?`, iss).Scan(&counted)
			if counted != tc.want {
				t.Errorf("log_counts for issuer = %d, want %d", counted, tc.want)
			}
		})
	}
}

// Log sees every entry appended before it, from any goroutine that
// synchronised with the caller.
func TestLogSeesEarlierAppends(t *testing.T) {
	ctx := context.Background()
	st := openMem(t, newClock())
	const writers, each = 8, 300 // more than the queue holds: AppendLog blocks, never drops
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				st.AppendLog(LogEntry{Issuer: iss, TokenID: fmt.Sprint(w, "-", i)})
			}
		})
	}
	wg.Wait()
	got, err := st.Log(ctx, iss, 0)
	checkErr(t, "Log", err, nil)
	if len(got) != writers*each {
		t.Errorf("Log() after %d appends = %d entries, want all", writers*each, len(got))
	}
}

func TestCloseFlushesLog(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	st := openAt(t, path, Options{})
	const n = 3000
	for i := range n {
		st.AppendLog(LogEntry{Issuer: iss, TokenID: fmt.Sprint(i)})
	}
	checkErr(t, "Close", st.Close(), nil)
	st = openAt(t, path, Options{})
	got, err := st.Log(ctx, iss, 0)
	if err != nil || len(got) != n {
		t.Errorf("Log() after Close and reopen = %d entries, %v; want %d, nil", len(got), err, n)
	}
}

func TestLogWriteErrorIsReported(t *testing.T) {
	ctx := context.Background()
	st := openMem(t, newClock())
	if _, err := st.db.Exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON log WHEN NEW.token_id = 'boom'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	st.AppendLog(LogEntry{Issuer: iss, TokenID: "boom"})
	_, err := st.Log(ctx, iss, 0)
	checkErr(t, "Log after a failed background write", err, errAny)
	st.AppendLog(LogEntry{Issuer: iss, TokenID: "fine"})
	got, err := st.Log(ctx, iss, 0)
	if err != nil || len(got) != 1 {
		t.Errorf("Log() after recovery = %v, %v; want [fine], nil", logIDs(got), err)
	}
}

func TestLogContextCancelled(t *testing.T) {
	st := openMem(t, newClock())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Log(ctx, iss, 0)
	checkErr(t, "Log(cancelled ctx)", err, errAny)
}
