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
		flushes int // Log calls spread over the appends: each ends a chunk
		want    int
	}{
		{name: "under cap", cap: 10, appends: 7, want: 7},
		{name: "at cap", cap: 10, appends: 10, want: 10},
		{name: "over cap in one batch", cap: 10, appends: 25, want: 10},
		{name: "far over cap", cap: 3, appends: 2000, want: 3},
		{name: "over cap in many chunks", cap: 10, appends: 200, flushes: 40, want: 10},
		{name: "one entry per chunk", cap: 5, appends: 50, flushes: 50, want: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := openAt(t, ":memory:", Options{LogCap: tc.cap})
			largest := 0 // the most entries one chunk can hold here: a flush ends a chunk
			since := 0
			for i := range tc.appends {
				st.AppendLog(LogEntry{Issuer: iss, TokenID: fmt.Sprint(i)})
				st.AppendLog(LogEntry{Issuer: "https://other", TokenID: fmt.Sprint(i)})
				since++
				if tc.flushes > 0 && (i+1)%(tc.appends/tc.flushes) == 0 {
					if _, err := st.Log(ctx, iss, 1); err != nil {
						t.Fatal(err)
					}
					largest, since = max(largest, since), 0
				}
			}
			if tc.flushes == 0 {
				largest = logBatch // the writer chooses its batches
			}
			largest = max(largest, since)
			got, err := st.Log(ctx, iss, 0)
			checkErr(t, "Log", err, nil)
			if len(got) != tc.want || got[0].TokenID != fmt.Sprint(tc.appends-1) {
				t.Fatalf("Log() = %d entries, newest %v; want %d, newest %d", len(got), logIDs(got)[:min(len(got), 1)], tc.want, tc.appends-1)
			}
			var counted int
			st.db.QueryRow(`SELECT n FROM log_counts WHERE issuer = ?`, iss).Scan(&counted)
			var stored int
			st.db.QueryRow(`SELECT coalesce(sum(n), 0) FROM log_chunks WHERE issuer = ?`, iss).Scan(&stored)
			if counted != stored {
				t.Errorf("log_counts for issuer = %d, want the stored %d", counted, stored)
			}
			if stored < tc.want || stored > max(tc.want, tc.cap+min(largest, tc.appends)-1) {
				t.Errorf("stored entries for issuer = %d, want %d to cap+chunk-1", stored, tc.want)
			}
			if tc.flushes == tc.appends && stored != tc.want {
				t.Errorf("stored entries with one per chunk = %d, want exactly the cap %d", stored, tc.want)
			}
		})
	}
}

// A long run of small writes keeps the table bounded: rows are trimmed as
// they go, not only the visible entries.
func TestLogCapBoundsRows(t *testing.T) {
	ctx := context.Background()
	st := openAt(t, ":memory:", Options{LogCap: 20})
	for i := range 300 {
		st.AppendLog(LogEntry{Issuer: iss, TokenID: fmt.Sprint(i), Data: []byte(`{"x":1}`)})
		if i%3 == 0 {
			if _, err := st.Log(ctx, iss, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := st.Log(ctx, iss, 1); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, st, "log_chunks"); n > 20 {
		t.Errorf("log_chunks rows after 300 appends in chunks of 3 with cap 20 = %d, want at most 20", n)
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
	if _, err := st.db.Exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON log_chunks WHEN NEW.issuer = 'boom'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	st.AppendLog(LogEntry{Issuer: "boom", TokenID: "boom"})
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

func TestLogChunkRoundTripAndDamage(t *testing.T) {
	in := []LogEntry{
		{Issuer: iss, Kind: "access_token", ClientID: "app", Subject: "alice", TokenID: "jti-1",
			Data: []byte(`{"alg":"ES256"}`), IssuedAt: time.Unix(1800000000, 5)},
		{Issuer: iss, TokenID: "bare"}, // empty fields, zero time
	}
	var b []byte
	for i := range in {
		b = appendEntry(b, &in[i])
	}
	out, err := decodeChunk(iss, 7, len(in), b)
	if err != nil {
		t.Fatalf("decodeChunk(encoded) error = %v, want nil", err)
	}
	for i := range in {
		want := in[i]
		want.Seq = 7<<chunkBits | int64(i)
		if fmt.Sprint(out[i]) != fmt.Sprint(want) || !sameTime(out[i].IssuedAt, want.IssuedAt) {
			t.Errorf("decodeChunk entry %d = %+v, want %+v", i, out[i], want)
		}
	}
	damaged := []struct {
		name string
		n    int
		b    []byte
	}{
		{"truncated", len(in), b[:len(b)-1]},
		{"trailing bytes", len(in), append(append([]byte(nil), b...), 0)},
		{"more entries than bytes", len(in) + 1, b},
		{"length past the end", 1, []byte{0xff, 0x01}},
	}
	for _, d := range damaged {
		if _, err := decodeChunk(iss, 1, d.n, d.b); err != errBadChunk {
			t.Errorf("decodeChunk(%s) error = %v, want errBadChunk", d.name, err)
		}
	}
}
