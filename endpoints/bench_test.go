package endpoints

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// cpuTime is the process's user+system CPU time: it counts work on every
// goroutine (GC, the storage log writer), not just the benchmark loop.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuPerOp reports process CPU per iteration as "cpu-ns/op" and returns it.
func cpuPerOp(b *testing.B, run func()) float64 {
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.StopTimer()
	per := float64(cpuTime()-start) / float64(b.N)
	b.ReportMetric(per, "cpu-ns/op")
	return per
}

// BenchmarkClientCredentials measures the token endpoint in process
// (client_credentials, JWT access token) against the raw go-jose cost of
// signing a token of the same algorithm; "x-raw" is the ratio of CPU per
// token (budget: 1.2). The endpoint's sub-benchmarks run go-jose in
// alternating blocks with the requests and take the ratio from those, so
// that a machine whose speed drifts (other work on it) moves both sides;
// each block starts after a full collection, so that the garbage of one
// side is not collected on the other's time.
func BenchmarkClientCredentials(b *testing.B) {
	for _, alg := range []keys.Alg{keys.ES256, keys.EdDSA, keys.RS256} {
		cfg := defaultTestConfig(b)
		cfg.Issuer = "http://bench.example"
		cfg.Clients = append(cfg.Clients, Client{ID: "svc", Secret: "svc-secret", GrantTypes: []string{GrantClientCredentials}, AccessTokenAlg: string(alg)})
		p, err := New(context.Background(), cfg, Options{GenerateKey: pooledKey})
		if err != nil {
			b.Fatal(err)
		}
		raw := rawSigner(b, p, alg)
		b.Run(string(alg)+"/raw-go-jose", func(b *testing.B) { cpuPerOp(b, raw) })
		b.Run(string(alg)+"/token-endpoint", func(b *testing.B) { benchTokenEndpoint(b, p, raw) })
		// The same with the request log and token decisions on, as the
		// command logs by default (text, info level; to io.Discard): what a
		// served instance pays for its logs.
		logged, err := New(context.Background(), cfg, Options{GenerateKey: pooledKey,
			Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(alg)+"/token-endpoint-logged", func(b *testing.B) { benchTokenEndpoint(b, logged, raw) })
		logged.Close()
		p.Close()
	}
}

// rawSigner signs with go-jose, with the provider's active key of alg, a
// token like the one the endpoint issues.
func rawSigner(b *testing.B, p *Provider, alg keys.Alg) func() {
	k, _ := p.sites[0].ring.Active(alg)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: k.Signer()},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", k.ID))
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"iss":"http://bench.example","sub":"svc","aud":"svc","exp":1900000000,"iat":1800000000,"jti":"0123456789abcdefghijkl","client_id":"svc","scope":"read"}`)
	return func() {
		jws, err := signer.Sign(payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jws.CompactSerialize(); err != nil {
			b.Fatal(err)
		}
	}
}

// pairBlock is how many iterations run back to back before the other side
// of a paired measurement runs: long enough (tens of milliseconds) for the
// collections its own garbage triggers to fall inside it.
const pairBlock = 2000

// benchTokenEndpoint measures client_credentials requests to p, paired
// with raw (see BenchmarkClientCredentials). The request is what net/http's
// server hands a handler, copied from a template, and the response writer
// keeps only the status: the harness costs next to nothing, so the figure
// is the provider's own work (net/http's parsing and writing are measured
// over the wire by the load tool in bench/).
func benchTokenEndpoint(b *testing.B, p *Provider, raw func()) {
	const body = "grant_type=client_credentials&scope=read"
	tmpl, _ := http.NewRequest(http.MethodPost, "http://bench.example/token", nil)
	tmpl.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tmpl.SetBasicAuth("svc", "svc-secret")
	tmpl.ContentLength = int64(len(body))
	w := &statusWriter{h: http.Header{}}
	op := func() {
		req := *tmpl
		req.Body = io.NopCloser(strings.NewReader(body))
		clear(w.h)
		w.code = 0
		p.ServeHTTP(w, &req)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
	b.ReportAllocs()
	var opCPU, rawCPU time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(pairBlock, b.N-done)
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		start := cpuTime()
		for range n {
			op()
		}
		// The issued-token log of these requests is written now, so that
		// its CPU counts here, not in the go-jose block that follows.
		if _, err := p.store.Log(context.Background(), "/", 1); err != nil {
			b.Fatal(err)
		}
		opCPU += cpuTime() - start
		done += n
		b.StopTimer()
		runtime.GC()
		start = cpuTime()
		for range n {
			raw()
		}
		rawCPU += cpuTime() - start
		b.StartTimer()
	}
	b.ReportMetric(float64(opCPU)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(rawCPU)/float64(b.N), "raw-cpu-ns/op")
	b.ReportMetric(float64(opCPU)/float64(rawCPU), "x-raw")
}

// statusWriter is the lightest http.ResponseWriter: it keeps the status
// and drops the body.
type statusWriter struct {
	h    http.Header
	code int
}

func (w *statusWriter) Header() http.Header { return w.h }

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

// BenchmarkDiscoveryAndJWKS measures the precomputed documents in process.
func BenchmarkDiscoveryAndJWKS(b *testing.B) {
	cfg := defaultTestConfig(b)
	cfg.Issuer = "http://bench.example"
	p, err := New(context.Background(), cfg, Options{GenerateKey: pooledKey})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for _, path := range []string{"/.well-known/openid-configuration", "/jwks"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "http://bench.example"+path, nil)
			cpuPerOp(b, func() {
				rec := httptest.NewRecorder()
				p.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			})
		})
	}
}
