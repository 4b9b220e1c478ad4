package issuer

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"github.com/testidp/testidp/keys"
)

// Non-canonical ECDSA encodings (row 7): genuine ES256 signatures by the
// issuer's key, in encodings RFC 7518 §3.4 forbids.

// ecdsaVariant signs B as ES256 with the issuer's key and re-encodes the
// raw r‖s with f (which may ask for another signature by returning nil).
func ecdsaVariant(f func(priv *ecdsa.PrivateKey, digest []byte) ([]byte, error)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		k, priv, err := e.ecKey()
		if err != nil {
			return nil, err
		}
		return e.signedAs(keys.ES256, forgedSigner{alg: keys.ES256, kid: k.ID, sign: func(in []byte) ([]byte, error) {
			sum := sha256.Sum256(in)
			return f(priv, sum[:])
		}})
	}
}

// derSignature is the ASN.1 DER form crypto/ecdsa produces.
var derSignature = ecdsaVariant(func(priv *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	return ecdsa.SignASN1(rand.Reader, priv, digest)
})

// shortSignature signs until r has a leading zero byte (and s has none),
// then drops that byte: 31 + 32 bytes. About one signature in 256 fits.
var shortSignature = ecdsaVariant(func(priv *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	for range 1 << 14 {
		raw, err := rawECDSA(priv, digest)
		if err != nil {
			return nil, err
		}
		if raw[0] == 0 && raw[32] != 0 {
			return raw[1:], nil
		}
	}
	return nil, errors.New("issuer: no ECDSA signature with a short r found")
})

// longSignature pads r and s to 33 bytes each.
var longSignature = ecdsaVariant(func(priv *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	raw, err := rawECDSA(priv, digest)
	if err != nil {
		return nil, err
	}
	out := append([]byte{0}, raw[:32]...)
	return append(append(out, 0), raw[32:]...), nil
})

// rawECDSA is a fresh P-256 signature as raw r‖s (32 bytes each).
func rawECDSA(priv *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest)
	if err != nil {
		return nil, err
	}
	return keys.RawECDSA(der, 32)
}
