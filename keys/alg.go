package keys

import (
	"crypto"
	_ "crypto/sha256" // hash functions registered for Alg.Hash
	_ "crypto/sha512"
	"fmt"
)

// Alg is a JWS algorithm name (RFC 7518 §3.1, RFC 8037).
type Alg string

// The algorithms testidp signs with. None and HS256 are not ring algorithms:
// HS256 is keyed by a client secret (see HMAC) and none has no key.
const (
	RS256 Alg = "RS256"
	PS256 Alg = "PS256"
	ES256 Alg = "ES256"
	ES384 Alg = "ES384"
	EdDSA Alg = "EdDSA"
	HS256 Alg = "HS256"
	None  Alg = "none"
)

// RingAlgs lists the asymmetric algorithms a key ring can hold, in the order
// keys are listed.
var RingAlgs = []Alg{RS256, PS256, ES256, ES384, EdDSA}

// ParseAlg returns the Alg named s (case-sensitive, RFC 7515 §4.1.1).
func ParseAlg(s string) (Alg, error) {
	switch a := Alg(s); a {
	case RS256, PS256, ES256, ES384, EdDSA, HS256, None:
		return a, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedAlg, s)
}

// Asymmetric reports whether the algorithm is signed by a ring key.
func (a Alg) Asymmetric() bool {
	switch a {
	case RS256, PS256, ES256, ES384, EdDSA:
		return true
	}
	return false
}

// Hash is the hash function of the algorithm, also the one OpenID Connect
// uses for at_hash and c_hash (Core §3.1.3.6; SHA-512 for Ed25519, as in the
// errata and in coreos/go-oidc). It is 0 for none.
func (a Alg) Hash() crypto.Hash {
	switch a {
	case RS256, PS256, ES256, HS256:
		return crypto.SHA256
	case ES384:
		return crypto.SHA384
	case EdDSA:
		return crypto.SHA512
	}
	return 0
}
