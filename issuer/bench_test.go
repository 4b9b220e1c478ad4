package issuer

import (
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f b.N times and reports process CPU per op ("cpu-ns/op").
func measure(b *testing.B, f func() error) float64 {
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	per := float64(processCPU()-start) / float64(b.N)
	b.ReportMetric(per, "cpu-ns/op")
	return per
}

// BenchmarkMintIDToken mints the ID token of a code flow for each algorithm,
// beside go-jose signing a token of the same algorithm and size in the same
// run; "x-raw" is the ratio of CPU per token (budget: 1.2).
func BenchmarkMintIDToken(b *testing.B) {
	w := newFaultWorld(b)
	claims := map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice Example"}
	for _, alg := range []keys.Alg{keys.RS256, keys.PS256, keys.ES256, keys.ES384, keys.EdDSA, keys.HS256} {
		spec := IDToken{ClientID: "web", Subject: "alice", Alg: alg, Secret: goldenSecret, TTL: time.Hour,
			Nonce: DefaultNonce, AccessToken: "an-access-token-value-of-typical-length-0123456789", Claims: claims}
		sample, err := w.is.MintIDToken(spec)
		if err != nil {
			b.Fatal(err)
		}
		var key any = []byte(goldenSecret)
		opts := (&jose.SignerOptions{}).WithType("JWT")
		if alg != keys.HS256 {
			k, _ := w.ring.Active(alg)
			key = k.Signer()
			opts = opts.WithHeader("kid", k.ID)
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, opts)
		if err != nil {
			b.Fatal(err)
		}
		var raw float64
		b.Run(string(alg)+"/raw-go-jose", func(b *testing.B) {
			raw = measure(b, func() error {
				jws, err := signer.Sign(sample.Payload)
				if err == nil {
					_, err = jws.CompactSerialize()
				}
				return err
			})
		})
		b.Run(string(alg)+"/mint", func(b *testing.B) {
			per := measure(b, func() error { _, err := w.is.MintIDToken(spec); return err })
			if raw > 0 {
				b.ReportMetric(per/raw, "x-raw")
			}
		})
	}
}
