package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// State is where a key stands in its issuer's ring.
type State string

// Key states, in the order a key passes through them.
const (
	// Next keys are published in the JWKS but do not sign yet.
	Next State = "next"
	// Active keys sign; there is at most one per algorithm.
	Active State = "active"
	// Retired keys no longer sign and stay published until RemoveAt.
	Retired State = "retired"
)

// Key is one asymmetric signing key with its place in a ring. Keys are
// immutable: state changes produce a copy (see WithState), so a *Key can be
// shared between goroutines without locking.
type Key struct {
	ID        string
	Alg       Alg
	State     State
	CreatedAt time.Time
	// ActivatedAt is when the key signs from: for an active or retired key
	// when it started to, for a next key when it is planned to (zero: not
	// planned).
	ActivatedAt time.Time
	RetiredAt   time.Time // zero until the key is replaced
	RemoveAt    time.Time // zero = published for as long as it is in the ring

	signer        crypto.Signer
	public        jose.JSONWebKey
	deterministic bool // ECDSA signatures per RFC 6979 (see Deterministic)
}

// GenerateOptions tune Generate.
type GenerateOptions struct {
	// RSABits is the modulus size for RS256 and PS256 keys: 2048 (default),
	// 3072 or 4096.
	RSABits int
	// KeyID overrides the RFC 7638 thumbprint as kid.
	KeyID string
}

// Generate creates a new key for alg in state Next, created at now.
func Generate(alg Alg, now time.Time, opts GenerateOptions) (*Key, error) {
	var signer crypto.Signer
	var err error
	switch alg {
	case RS256, PS256:
		bits := opts.RSABits
		if bits == 0 {
			bits = 2048
		}
		if bits < 2048 {
			return nil, fmt.Errorf("keys: rsa key of %d bits: at least 2048 required (RFC 7518 §3.3)", bits)
		}
		signer, err = rsa.GenerateKey(rand.Reader, bits)
	case ES256:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ES384:
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case EdDSA:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("%w for a ring key: %q", ErrUnsupportedAlg, alg)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: generate %s: %w", alg, err)
	}
	return New(alg, signer, opts.KeyID, now)
}

// New wraps existing private key material as a key for alg in state Next.
// An empty kid means the RFC 7638 SHA-256 thumbprint.
func New(alg Alg, signer crypto.Signer, kid string, now time.Time) (*Key, error) {
	if err := checkFit(alg, signer); err != nil {
		return nil, err
	}
	pub := jose.JSONWebKey{Key: signer.Public(), Algorithm: string(alg), Use: "sig"}
	if kid == "" {
		tp, err := pub.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("keys: thumbprint: %w", err)
		}
		kid = base64.RawURLEncoding.EncodeToString(tp)
	}
	pub.KeyID = kid
	return &Key{ID: kid, Alg: alg, State: Next, CreatedAt: now, signer: signer, public: pub}, nil
}

// checkFit reports whether the private key can sign with alg.
func checkFit(alg Alg, signer crypto.Signer) error {
	switch k := signer.(type) {
	case *rsa.PrivateKey:
		if alg != RS256 && alg != PS256 {
			break
		}
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: rsa key of %d bits for %s (at least 2048)", ErrKeyMismatch, k.N.BitLen(), alg)
		}
		return nil
	case *ecdsa.PrivateKey:
		if (alg == ES256 && k.Curve == elliptic.P256()) || (alg == ES384 && k.Curve == elliptic.P384()) {
			return nil
		}
	case ed25519.PrivateKey:
		if alg == EdDSA {
			return nil
		}
	}
	return fmt.Errorf("%w: %T cannot sign %s", ErrKeyMismatch, signer, alg)
}

// Parse reads a key stored by MarshalPrivate (PKCS#8 DER).
func Parse(alg Alg, kid string, pkcs8 []byte, now time.Time) (*Key, error) {
	priv, err := x509.ParsePKCS8PrivateKey(pkcs8)
	if err != nil {
		return nil, fmt.Errorf("keys: parse pkcs8 key %q: %w", kid, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not a signing key", ErrKeyMismatch, priv)
	}
	return New(alg, signer, kid, now)
}

// MarshalPrivate encodes the private key as PKCS#8 DER.
func (k *Key) MarshalPrivate() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.signer)
	if err != nil {
		return nil, fmt.Errorf("keys: marshal %q: %w", k.ID, err)
	}
	return der, nil
}

// Public is the key's public JWK (kty, kid, use "sig", alg).
func (k *Key) Public() jose.JSONWebKey { return k.public }

// Signer is the private key. Callers outside testidp's own minting should
// prefer Sign, which produces JOSE encodings.
func (k *Key) Signer() crypto.Signer { return k.signer }

// KeyID returns the kid.
func (k *Key) KeyID() string { return k.ID }

// Algorithm returns the JWS alg.
func (k *Key) Algorithm() Alg { return k.Alg }

// WithState returns a copy of k in state s with its timestamps set.
func (k *Key) WithState(s State, at time.Time) *Key {
	c := *k
	c.State = s
	switch s {
	case Active:
		if c.ActivatedAt.IsZero() {
			c.ActivatedAt = at
		}
	case Retired:
		c.RetiredAt = at
	}
	return &c
}

// asNext is a copy of k that enters a ring at at: next, created at, with no
// other timestamps.
func (k *Key) asNext(at time.Time) *Key {
	c := *k
	c.State, c.CreatedAt = Next, at
	c.ActivatedAt, c.RetiredAt, c.RemoveAt = time.Time{}, time.Time{}, time.Time{}
	return &c
}

// Deterministic returns a copy of k whose ECDSA signatures are deterministic
// (RFC 6979), so that the same signing input always gives the same token, as
// RS256 and EdDSA signatures are anyway. Keys derived from a seed (see
// SeedSource) sign this way; PS256 signatures stay randomized (the salt).
func (k *Key) Deterministic() *Key {
	c := *k
	c.deterministic = true
	return &c
}

// WithActivatedAt returns a copy of k whose ActivatedAt is t: for a next key,
// the time it is planned to start signing.
func (k *Key) WithActivatedAt(t time.Time) *Key {
	c := *k
	c.ActivatedAt = t
	return &c
}

// WithRemoveAt returns a copy of k that stops being published at t.
func (k *Key) WithRemoveAt(t time.Time) *Key {
	c := *k
	c.RemoveAt = t
	return &c
}
