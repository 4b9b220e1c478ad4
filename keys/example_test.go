package keys_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/testidp/testidp/keys"
)

func ExampleGenerate() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k, err := keys.Generate(keys.ES256, now, keys.GenerateOptions{})
	if err != nil {
		panic(err)
	}
	sig, _ := k.Sign([]byte("header.payload"))
	fmt.Println(k.Alg, k.State, len(k.ID), len(sig))
	// Output: ES256 next 43 64
}

func ExampleNewRing() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k, _ := keys.Generate(keys.EdDSA, now, keys.GenerateOptions{KeyID: "ed-1"})
	ring, err := keys.NewRing(now, k.WithState(keys.Active, now))
	if err != nil {
		panic(err)
	}
	var set struct {
		Keys []struct{ Kid, Kty, Alg, Use, Crv string }
	}
	_ = json.Unmarshal(ring.JWKS(), &set)
	fmt.Printf("%+v\n", set.Keys)
	signer, _ := ring.Active(keys.EdDSA)
	fmt.Println(signer.KeyID())
	// Output:
	// [{Kid:ed-1 Kty:OKP Alg:EdDSA Use:sig Crv:Ed25519}]
	// ed-1
}

func ExampleHMAC() {
	if _, err := keys.HMAC([]byte("too short")); err != nil {
		fmt.Println(err)
	}
	k, _ := keys.HMAC([]byte("hs256-secret-0123456789abcdef0123"))
	sig, _ := k.Sign([]byte("header.payload"))
	fmt.Println(k.Algorithm(), len(sig))
	// Output:
	// keys: hmac secret shorter than 32 bytes
	// HS256 32
}

func ExampleParseAlg() {
	for _, s := range []string{"ES256", "none", "es256"} {
		a, err := keys.ParseAlg(s)
		fmt.Println(a, a.Asymmetric(), err)
	}
	// Output:
	// ES256 true <nil>
	// none false <nil>
	//  false keys: unsupported algorithm: "es256"
}

func ExamplePolicy_Advance() {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := keys.Policy{RotateEvery: time.Hour, PublishAhead: 10 * time.Minute, RetireAfter: 30 * time.Minute}
	src := keys.SeedSource("example", "/", 0)
	ring, _ := keys.EnsureActive(nil, []keys.Alg{keys.ES256}, t0, src)
	for _, at := range []time.Duration{50 * time.Minute, time.Hour, 90 * time.Minute} {
		now := t0.Add(at)
		ring, _ = p.Advance(ring, now, src)
		var states []keys.State
		for _, k := range ring {
			states = append(states, k.State)
		}
		fmt.Println(at, states, "next change at", p.NextChange(ring, now).Sub(t0))
	}
	// Output:
	// 50m0s [active next] next change at 1h0m0s
	// 1h0m0s [retired active] next change at 1h30m0s
	// 1h30m0s [active] next change at 1h50m0s
}

func ExampleRotate() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	src := keys.SeedSource("example", "/", 0)
	ring, _ := keys.EnsureActive(nil, []keys.Alg{keys.EdDSA}, now, src)
	old := ring[0]
	// Publish-ahead zero: the new key signs at once; the old one stays
	// published for an hour.
	ring, k, _ := keys.Rotate(ring, now, keys.RotateOptions{Alg: keys.EdDSA, RetireAfter: time.Hour}, src)
	for _, key := range ring {
		fmt.Println(key.ID == old.ID, key.ID == k.ID, key.State, key.Published(now.Add(59*time.Minute)), key.Published(now.Add(time.Hour)))
	}
	// Output:
	// true false retired true false
	// false true active true true
}

func ExampleImport() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k, _ := keys.DeriveKey("example", "import", keys.ES256, now, keys.GenerateOptions{KeyID: "my-key"})
	pemText, _ := keys.ExportPEM([]*keys.Key{k})
	back, err := keys.Import(pemText, keys.ImportOptions{}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(back), back[0].ID, back[0].Alg, back[0].State)
	// Output: 1 my-key ES256 next
}

func ExampleExportJWKS() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k, _ := keys.DeriveKey("example", "export", keys.EdDSA, now, keys.GenerateOptions{KeyID: "ed"})
	public, _ := keys.ExportJWKS([]*keys.Key{k}, false)
	private, _ := keys.ExportJWKS([]*keys.Key{k}, true)
	var pub, priv struct{ Keys []map[string]any }
	_ = json.Unmarshal(public, &pub)
	_ = json.Unmarshal(private, &priv)
	fmt.Println(pub.Keys[0]["kid"], pub.Keys[0]["d"] != nil, priv.Keys[0]["d"] != nil)
	// Output: ed false true
}
