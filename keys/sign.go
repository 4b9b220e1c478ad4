package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// Signer produces the signature part of a JWS for one algorithm and key.
type Signer interface {
	// Algorithm is the JWS "alg" header value.
	Algorithm() Alg
	// KeyID is the "kid" header value; empty for HMAC keys.
	KeyID() string
	// Sign returns the raw signature bytes over the JWS signing input
	// (ASCII base64url(header) "." base64url(payload)).
	Sign(signingInput []byte) ([]byte, error)
}

// Sign signs the JWS signing input with the key's algorithm: PKCS#1 v1.5 for
// RS256, PSS with a salt as long as the hash for PS256, raw fixed-size r‖s
// for ES256/ES384 (RFC 7518 §3.4), pure Ed25519 for EdDSA (RFC 8037).
// Seeded keys sign ECDSA deterministically (RFC 6979).
func (k *Key) Sign(signingInput []byte) ([]byte, error) {
	return signWith(k.signer, k.Alg, signingInput, k.deterministic)
}

// SignWith signs with any private key under alg, without checking that the key
// is strong enough. It exists for deliberately broken tokens (weak or
// attacker keys); valid tokens go through Key.Sign.
func SignWith(signer crypto.Signer, alg Alg, signingInput []byte) ([]byte, error) {
	return signWith(signer, alg, signingInput, false)
}

// signWith is SignWith; deterministic makes ECDSA signatures follow RFC 6979
// (crypto/ecdsa signs so when given no random source).
func signWith(signer crypto.Signer, alg Alg, signingInput []byte, deterministic bool) ([]byte, error) {
	h := alg.Hash()
	if h == 0 || alg == HS256 {
		return nil, fmt.Errorf("%w for signing with a private key: %q", ErrUnsupportedAlg, alg)
	}
	if alg == EdDSA {
		priv, ok := signer.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: %T cannot sign EdDSA", ErrKeyMismatch, signer)
		}
		return ed25519.Sign(priv, signingInput), nil
	}
	hh := h.New()
	hh.Write(signingInput)
	digest := hh.Sum(nil)
	switch priv := signer.(type) {
	case *rsa.PrivateKey:
		if alg == PS256 {
			return rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		if alg == RS256 {
			return rsa.SignPKCS1v15(nil, priv, h, digest)
		}
	case *ecdsa.PrivateKey:
		if alg == ES256 || alg == ES384 {
			var rnd io.Reader = rand.Reader
			if deterministic {
				rnd = nil
			}
			der, err := priv.Sign(rnd, digest, h)
			if err != nil {
				return nil, fmt.Errorf("keys: ecdsa sign: %w", err)
			}
			return RawECDSA(der, (priv.Curve.Params().BitSize+7)/8)
		}
	}
	return nil, fmt.Errorf("%w: %T cannot sign %s", ErrKeyMismatch, signer, alg)
}

// RawECDSA converts an ASN.1 DER ECDSA signature, SEQUENCE { INTEGER r,
// INTEGER s }, to the JOSE form: r and s, each left-padded to size bytes,
// concatenated (RFC 7518 §3.4).
func RawECDSA(der []byte, size int) ([]byte, error) {
	body, rest, ok := derElement(der, 0x30)
	if !ok || len(rest) != 0 {
		return nil, errors.New("keys: malformed ecdsa signature")
	}
	r, body, ok1 := derElement(body, 0x02)
	s, body, ok2 := derElement(body, 0x02)
	out := make([]byte, 2*size)
	if !ok1 || !ok2 || len(body) != 0 || !putPadded(out[:size], r) || !putPadded(out[size:], s) {
		return nil, errors.New("keys: malformed ecdsa signature")
	}
	return out, nil
}

// derElement reads one DER element with the given tag and a short or
// one/two-byte long length, returning its contents and what follows.
func derElement(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, hdr := int(b[1]), 2
	switch {
	case b[1] == 0x81 && len(b) >= 3:
		n, hdr = int(b[2]), 3
	case b[1] == 0x82 && len(b) >= 4:
		n, hdr = int(b[2])<<8|int(b[3]), 4
	case b[1] >= 0x80:
		return nil, nil, false
	}
	if len(b) < hdr+n {
		return nil, nil, false
	}
	return b[hdr : hdr+n], b[hdr+n:], true
}

// putPadded copies the unsigned big-endian integer v (a DER INTEGER, maybe
// with a leading zero byte) right-aligned into dst.
func putPadded(dst, v []byte) bool {
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	if len(v) > len(dst) {
		return false
	}
	copy(dst[len(dst)-len(v):], v)
	return true
}

// HMACKey signs HS256 with a shared secret: for ID tokens, the UTF-8 bytes of
// the client secret (OpenID Connect Core §10.1).
type HMACKey struct{ secret []byte }

// HMAC returns an HS256 key. Secrets shorter than 32 bytes are refused
// (RFC 7518 §3.2).
func HMAC(secret []byte) (HMACKey, error) {
	if len(secret) < 32 {
		return HMACKey{}, ErrWeakSecret
	}
	return HMACKey{secret: secret}, nil
}

// Algorithm is HS256.
func (HMACKey) Algorithm() Alg { return HS256 }

// KeyID is empty: the key is not published.
func (HMACKey) KeyID() string { return "" }

// Sign returns HMAC-SHA256 over the signing input.
func (k HMACKey) Sign(signingInput []byte) ([]byte, error) {
	m := hmac.New(crypto.SHA256.New, k.secret)
	m.Write(signingInput)
	return m.Sum(nil), nil
}

// SignWeakRSA signs RS256 (PKCS#1 v1.5, SHA-256) with an RSA key of any size,
// including those crypto/rsa refuses (below 1024 bits). It exists only for
// the deliberately weak keys of the fault catalog.
func SignWeakRSA(priv *rsa.PrivateKey, signingInput []byte) ([]byte, error) {
	digestInfo := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	sum := sha256.Sum256(signingInput)
	k := (priv.N.BitLen() + 7) / 8
	tLen := len(digestInfo) + len(sum)
	if k < tLen+11 {
		return nil, errors.New("keys: rsa key too small for PKCS#1 v1.5 with SHA-256")
	}
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-tLen:], digestInfo)
	copy(em[k-len(sum):], sum[:])
	m := new(big.Int).SetBytes(em)
	return new(big.Int).Exp(m, priv.D, priv.N).FillBytes(make([]byte, k)), nil
}
