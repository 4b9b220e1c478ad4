package endpoints

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
// signing a token of the same algorithm, in the same run; "x-raw" is the
// ratio of CPU per token (budget: 1.2).
func BenchmarkClientCredentials(b *testing.B) {
	for _, alg := range []keys.Alg{keys.ES256, keys.EdDSA, keys.RS256} {
		cfg := defaultTestConfig(b)
		cfg.Issuer = "http://bench.example"
		cfg.Clients = append(cfg.Clients, Client{ID: "svc", Secret: "svc-secret", GrantTypes: []string{GrantClientCredentials}, AccessTokenAlg: string(alg)})
		p, err := New(context.Background(), cfg, Options{GenerateKey: pooledKey})
		if err != nil {
			b.Fatal(err)
		}
		k, _ := p.sites[0].ring.Active(alg)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: k.Signer()},
			(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", k.ID))
		if err != nil {
			b.Fatal(err)
		}
		payload := []byte(`{"iss":"http://bench.example","sub":"svc","aud":"svc","exp":1900000000,"iat":1800000000,"jti":"0123456789abcdefghijkl","client_id":"svc","scope":"read"}`)
		var raw float64
		b.Run(string(alg)+"/raw-go-jose", func(b *testing.B) {
			raw = cpuPerOp(b, func() {
				jws, err := signer.Sign(payload)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := jws.CompactSerialize(); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(string(alg)+"/token-endpoint", func(b *testing.B) { benchTokenEndpoint(b, p, raw) })
		// The same with the request log and token decisions on (JSON, info
		// level, to io.Discard): what a served instance pays for its logs.
		logged, err := New(context.Background(), cfg, Options{GenerateKey: pooledKey,
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(alg)+"/token-endpoint-logged", func(b *testing.B) { benchTokenEndpoint(b, logged, raw) })
		logged.Close()
		p.Close()
	}
}

// benchTokenEndpoint measures client_credentials requests to p, reporting
// the ratio to raw, the CPU of a raw go-jose signature.
func benchTokenEndpoint(b *testing.B, p *Provider, raw float64) {
	per := cpuPerOp(b, func() {
		// http.NewRequest, not httptest.NewRequest: the latter parses a
		// request from text, which is net/http's work, not ours.
		req, _ := http.NewRequest(http.MethodPost, "http://bench.example/token", strings.NewReader("grant_type=client_credentials&scope=read"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("svc", "svc-secret")
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
	if raw > 0 {
		b.ReportMetric(per/raw, "x-raw")
	}
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
