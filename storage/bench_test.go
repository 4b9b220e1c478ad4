package storage

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPutTokens stores what one token response needs: an access token
// and a refresh token in one grant.
func BenchmarkPutTokens(b *testing.B) {
	for _, mode := range []string{"file", "memory"} {
		b.Run(mode, func(b *testing.B) {
			path := ":memory:"
			if mode == "file" {
				path = tempDB(b)
			}
			ctx := context.Background()
			st := openAt(b, path, Options{})
			exp := time.Now().Add(time.Hour)
			data := []byte(`{"scope":"openid profile","aud":"app","amr":["pwd"]}`)
			i := 0
			for b.Loop() {
				i++
				g := fmt.Sprint("g", i)
				if err := st.PutTokens(ctx,
					Token{Issuer: iss, ID: fmt.Sprint("at", i), Kind: kindAccess, GrantID: g, ClientID: "app", Subject: "alice", Data: data, IssuedAt: exp, ExpiresAt: exp},
					Token{Issuer: iss, ID: fmt.Sprint("rt", i), Kind: kindRefresh, GrantID: g, ClientID: "app", Subject: "alice", Data: data, IssuedAt: exp, ExpiresAt: exp},
				); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendLog/sustained measures the cost per entry when appends
// outrun the writer: AppendLog blocks on a full queue, so ns/op is the
// writer's throughput (final flush included). BenchmarkAppendLog/enqueue is
// the caller's share alone: the queue is drained by a goroutine that does not
// touch the database, as when the writer keeps up.
func BenchmarkAppendLog(b *testing.B) {
	e := LogEntry{Issuer: iss, Kind: "access_token", ClientID: "app", Subject: "alice", TokenID: "jti",
		Data: []byte(`{"header":{"alg":"ES256","kid":"k1"},"claims":{"sub":"alice"},"fault":""}`), IssuedAt: time.Now()}
	b.Run("sustained", func(b *testing.B) {
		st := openAt(b, tempDB(b), Options{})
		for b.Loop() {
			st.AppendLog(e)
		}
		if _, err := st.Log(context.Background(), iss, 1); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("enqueue", func(b *testing.B) {
		st := &Store{logCh: make(chan logItem, logQueue), logKick: make(chan struct{}, 1), logQuit: make(chan struct{})}
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			for range st.logCh {
			}
		}()
		for b.Loop() {
			st.AppendLog(e)
		}
		close(st.logCh)
		<-drained
	})
}

// BenchmarkOpenExisting is the storage share of a cold start: open a file
// database with a few keys and read them.
func BenchmarkOpenExisting(b *testing.B) {
	ctx := context.Background()
	path := tempDB(b)
	st := openAt(b, path, Options{})
	der := make([]byte, 1200) // about an RSA-2048 PKCS#8 key
	rand.Read(der)
	now := time.Now()
	ring := []KeyRecord{
		{ID: "retired", Alg: "RS256", State: "retired", Private: der, CreatedAt: now.Add(-2 * time.Hour)},
		{ID: "active", Alg: "RS256", State: "active", Private: der, CreatedAt: now.Add(-time.Hour)},
		{ID: "next", Alg: "RS256", State: "next", Private: der, CreatedAt: now},
	}
	if err := st.ReplaceKeys(ctx, iss, ring); err != nil {
		b.Fatal(err)
	}
	st.Close()
	for b.Loop() {
		st, err := Open(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if got, err := st.Keys(ctx, iss); err != nil || len(got) != len(ring) {
			b.Fatalf("Keys() = %d keys, %v; want %d", len(got), err, len(ring))
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}
