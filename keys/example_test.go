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
