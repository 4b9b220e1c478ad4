package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"
)

// Derive creates private key material deterministically from a seed and a
// label: the same inputs give the same key on every machine and Go version.
// Keys so derived are for tests only: anyone who knows the seed has the key.
//
// alg picks the key type (RS256/PS256 use rsaBits, default 2048, and any size
// from 512 up is allowed here, so that deliberately weak keys can be made;
// ES256, ES384, EdDSA). Results are cached per process, since RSA derivation
// takes a fraction of a second.
func Derive(seed, label string, alg Alg, rsaBits int) (crypto.Signer, error) {
	if rsaBits == 0 {
		rsaBits = 2048
	}
	id := fmt.Sprintf("%q %q %s %d", seed, label, alg, rsaBits)
	if v, ok := derived.Load(id); ok {
		return v.(crypto.Signer), nil
	}
	r := newStream(id)
	var s crypto.Signer
	var err error
	switch alg {
	case RS256, PS256:
		s, err = deriveRSA(r, rsaBits)
	case ES256:
		s, err = deriveEC(r, elliptic.P256())
	case ES384:
		s, err = deriveEC(r, elliptic.P384())
	case EdDSA:
		seedBytes := make([]byte, ed25519.SeedSize)
		_, _ = io.ReadFull(r, seedBytes)
		s = ed25519.NewKeyFromSeed(seedBytes)
	default:
		err = fmt.Errorf("%w for key derivation: %q", ErrUnsupportedAlg, alg)
	}
	if err != nil {
		return nil, err
	}
	v, _ := derived.LoadOrStore(id, s)
	return v.(crypto.Signer), nil
}

var derived sync.Map

// DeriveKey is Derive wrapped as a ring key (state Next, kid the
// thumbprint unless opts.KeyID is set). Ring keys must be strong: RSA below
// 2048 bits is refused.
func DeriveKey(seed, label string, alg Alg, now time.Time, opts GenerateOptions) (*Key, error) {
	s, err := Derive(seed, label, alg, opts.RSABits)
	if err != nil {
		return nil, err
	}
	return New(alg, s, opts.KeyID, now)
}

// stream is a deterministic byte source: SHA-256 of (label, counter) blocks.
type stream struct {
	label []byte
	n     uint64
	buf   []byte
}

func newStream(label string) *stream { return &stream{label: []byte(label)} }

func (s *stream) Read(p []byte) (int, error) {
	for i := range p {
		if len(s.buf) == 0 {
			h := sha256.New()
			h.Write(s.label)
			var ctr [8]byte
			binary.BigEndian.PutUint64(ctr[:], s.n)
			h.Write(ctr[:])
			s.n++
			s.buf = h.Sum(nil)
		}
		p[i], s.buf = s.buf[0], s.buf[1:]
	}
	return len(p), nil
}

// deriveEC picks a scalar in [1, n-1] from the stream.
func deriveEC(r io.Reader, curve elliptic.Curve) (*ecdsa.PrivateKey, error) {
	params := curve.Params()
	size := (params.BitSize + 7) / 8
	buf := make([]byte, size+8)
	_, _ = io.ReadFull(r, buf)
	nMinus1 := new(big.Int).Sub(params.N, big.NewInt(1))
	d := new(big.Int).SetBytes(buf)
	d.Mod(d, nMinus1).Add(d, big.NewInt(1))
	return ecdsa.ParseRawPrivateKey(curve, d.FillBytes(make([]byte, size)))
}

// deriveRSA searches two primes deterministically and builds the key with
// e = 65537.
func deriveRSA(r io.Reader, bits int) (*rsa.PrivateKey, error) {
	if bits < 512 || bits%16 != 0 {
		return nil, fmt.Errorf("keys: rsa size %d: want a multiple of 16, at least 512", bits)
	}
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, q := derivePrime(r, bits/2, e), derivePrime(r, bits/2, e)
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if bits >= 1024 {
			if err := k.Validate(); err != nil {
				return nil, fmt.Errorf("keys: derived rsa key: %w", err)
			}
		}
		return k, nil
	}
}

// derivePrime returns a prime of exactly bits bits, with its top two bits set
// (so that a product of two has exactly twice the bits) and p-1 coprime to e.
func derivePrime(r io.Reader, bits int, e *big.Int) *big.Int {
	buf := make([]byte, bits/8)
	one, two := big.NewInt(1), big.NewInt(2)
	for {
		_, _ = io.ReadFull(r, buf)
		buf[0] |= 0xC0
		buf[len(buf)-1] |= 1
		p := new(big.Int).SetBytes(buf)
		for i := 0; i < 20*bits && p.BitLen() == bits; i++ {
			if p.ProbablyPrime(20) && new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) == 0 {
				return p
			}
			p.Add(p, two)
		}
	}
}
