package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"hash"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// Keys and signers for the signature, header and key-selection faults:
// attacker keys, deliberately weak keys, MACs under any key bytes.

// attackerLabel names the one attacker key per key type; the tests derive
// the same keys to check what signed a token.
const attackerLabel = "attacker"

// forgedSigner signs with any algorithm name and any key under any kid: the
// header says what the token claims, the signer does what the fault needs.
type forgedSigner struct {
	alg  keys.Alg
	kid  string
	sign func(signingInput []byte) ([]byte, error)
}

func (s forgedSigner) Algorithm() keys.Alg               { return s.alg }
func (s forgedSigner) KeyID() string                     { return s.kid }
func (s forgedSigner) Sign(input []byte) ([]byte, error) { return s.sign(input) }

// macSigner is HS256, HS384 or HS512 under any key, including an empty one
// or a public key's bytes.
func macSigner(alg keys.Alg, key []byte) (forgedSigner, error) {
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return forgedSigner{}, fmt.Errorf("issuer: %q is not an HMAC algorithm", alg)
	}
	return forgedSigner{alg: alg, sign: func(in []byte) ([]byte, error) {
		m := hmac.New(h, key)
		m.Write(in)
		return m.Sum(nil), nil
	}}, nil
}

// privateSigner signs alg with a private key outside the ring, naming kid.
func privateSigner(priv crypto.Signer, alg keys.Alg, kid string) keys.Signer {
	return forgedSigner{alg: alg, kid: kid, sign: func(in []byte) ([]byte, error) {
		return keys.SignWith(priv, alg, in)
	}}
}

// rsaHashSigner is PKCS#1 v1.5 with any hash (RS384, RS512), which the ring
// does not sign with.
func rsaHashSigner(priv *rsa.PrivateKey, alg keys.Alg, h crypto.Hash, kid string) keys.Signer {
	return forgedSigner{alg: alg, kid: kid, sign: func(in []byte) ([]byte, error) {
		hh := h.New()
		hh.Write(in)
		return rsa.SignPKCS1v15(nil, priv, h, hh.Sum(nil))
	}}
}

// attacker is the attacker's key for alg (never published) and its kid, the
// RFC 7638 thumbprint.
func (e *FaultEnv) attacker(alg keys.Alg) (crypto.Signer, string, error) {
	priv, err := e.AttackerKey(alg, attackerLabel)
	if err != nil {
		return nil, "", err
	}
	kid, err := thumbprint(priv.Public())
	return priv, kid, err
}

// attackerSigner signs alg with the attacker's key; kid "" names the
// attacker key's own thumbprint.
func (e *FaultEnv) attackerSigner(alg keys.Alg, kid string) (keys.Signer, error) {
	priv, own, err := e.attacker(alg)
	if err != nil {
		return nil, err
	}
	if kid == "" {
		kid = own
	}
	return privateSigner(priv, alg, kid), nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url.
func thumbprint(pub crypto.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("issuer: thumbprint: %w", err)
	}
	return b64.EncodeToString(tp), nil
}

// publicJWK is the JWK text of a public key with kid, alg and use "sig".
func publicJWK(pub crypto.PublicKey, alg keys.Alg, kid string) ([]byte, error) {
	b, err := json.Marshal(jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: string(alg), Use: "sig"})
	if err != nil {
		return nil, fmt.Errorf("issuer: jwk: %w", err)
	}
	return b, nil
}

// jwkMember decodes JWK text into a JWK Set member.
func jwkMember(jwk []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(jwk, &m); err != nil {
		return nil, fmt.Errorf("issuer: jwk: %w", err)
	}
	return m, nil
}

// ringKey is the issuer's active key for alg with its private key of type T.
func ringKey[T any](e *FaultEnv, alg keys.Alg) (*keys.Key, T, error) {
	var zero T
	k, err := e.ActiveKey(alg)
	if err != nil {
		return nil, zero, err
	}
	priv, ok := k.Signer().(T)
	if !ok {
		return nil, zero, fmt.Errorf("issuer: the %s key is a %T", alg, k.Signer())
	}
	return k, priv, nil
}

// ecKey is the issuer's ES256 key.
func (e *FaultEnv) ecKey() (*keys.Key, *ecdsa.PrivateKey, error) {
	return ringKey[*ecdsa.PrivateKey](e, keys.ES256)
}

// rsaKey is the issuer's RS256 key.
func (e *FaultEnv) rsaKey() (*keys.Key, *rsa.PrivateKey, error) {
	return ringKey[*rsa.PrivateKey](e, keys.RS256)
}

// withJWKS sets the last step's JWKS to the issuer's published keys as
// edit changes them.
func (e *FaultEnv) withJWKS(f *Forged, edit func(set []map[string]any) []map[string]any) (*Forged, error) {
	set, err := e.PublicJWKS()
	if err != nil {
		return nil, err
	}
	f.Steps[len(f.Steps)-1].JWKS = EncodeJWKS(edit(set))
	return f, nil
}
