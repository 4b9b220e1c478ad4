package keys

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func TestDeriveIsDeterministic(t *testing.T) {
	for _, alg := range RingAlgs {
		a, err := DeriveKey("seed-1", "ring", alg, t0, GenerateOptions{})
		if err != nil {
			t.Fatalf("DeriveKey(%s): %v", alg, err)
		}
		derived.Clear() // derive again from scratch, not from the cache
		b, _ := DeriveKey("seed-1", "ring", alg, t0, GenerateOptions{})
		c, _ := DeriveKey("seed-2", "ring", alg, t0, GenerateOptions{})
		ja, _ := json.Marshal(a.Public())
		jb, _ := json.Marshal(b.Public())
		if string(ja) != string(jb) {
			t.Errorf("%s: same seed gave different keys:\n%s\n%s", alg, ja, jb)
		}
		if a.ID == c.ID {
			t.Errorf("%s: different seeds gave the same key %s", alg, a.ID)
		}
		// A derived key signs tokens a standard verifier accepts.
		tok := jws(t, a)
		parsed, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
		if err != nil {
			t.Fatal(err)
		}
		pub := a.Public()
		if _, err := parsed.Verify(&pub); err != nil {
			t.Errorf("%s: derived key's signature does not verify: %v", alg, err)
		}
	}
}

// TestDeriveKnownAnswer pins derived keys, so that a change to the derivation
// (which would change every seeded JWKS) cannot go unnoticed.
func TestDeriveKnownAnswer(t *testing.T) {
	want := map[Alg]string{}
	for _, alg := range RingAlgs {
		k, err := DeriveKey("testidp", "known-answer", alg, t0, GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want[alg] = k.ID
	}
	pinned := map[Alg]string{
		RS256: "Nhdf91qTsMvnQglOuidxz-kK4H73U7jQ-eUBCLxanes",
		PS256: "1EFljkDEE8BTw_g0rGC2cDAZR1TEIbDjgdLD05SfkkU",
		ES256: "W_4hA6ivDkE_JpD5Q0ln8vModpYvoeHM2Os8ZthFr9E",
		ES384: "I50XgVbMDTQ_RAqd1HdS9gPLSq0iXw7QJ5H-rmScLvk",
		EdDSA: "dp0ZQ_xKT7iATeIcniC6PGkzkvqj6AbjkA2KQ-NjXzA",
	}
	for alg, kid := range pinned {
		if want[alg] != kid {
			t.Errorf("%s: derived kid %s, pinned %s", alg, want[alg], kid)
		}
	}
}

func TestWeakRSA(t *testing.T) {
	for _, bits := range []int{512, 1024} {
		s, err := Derive("weak", "fault", RS256, bits)
		if err != nil {
			t.Fatal(err)
		}
		priv := s.(*rsa.PrivateKey)
		if priv.N.BitLen() != bits {
			t.Fatalf("bits = %d, want %d", priv.N.BitLen(), bits)
		}
		if _, err := New(RS256, priv, "", t0); err == nil {
			t.Errorf("a %d-bit key was accepted as a ring key", bits)
		}
		sig, err := SignWeakRSA(priv, []byte("h.p"))
		if err != nil {
			t.Fatal(err)
		}
		// Check the signature by hand: s^e mod n must end with the digest.
		m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(priv.E)), priv.N).Bytes()
		sum := sha256.Sum256([]byte("h.p"))
		if string(m[len(m)-32:]) != string(sum[:]) || m[0] != 0x01 {
			t.Errorf("%d-bit PKCS#1 v1.5 signature does not decode to the digest", bits)
		}
	}
	if _, err := Derive("x", "y", RS256, 1000); err == nil {
		t.Error("RSA size not a multiple of 16 accepted")
	}
}
