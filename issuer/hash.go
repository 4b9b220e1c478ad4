package issuer

import (
	"fmt"

	"github.com/testidp/testidp/keys"
)

// HalfHash computes at_hash / c_hash (OpenID Connect Core §3.1.3.6,
// §3.3.2.11): base64url of the left half of the hash of the ASCII value,
// with the hash function of the ID token's alg.
func HalfHash(alg keys.Alg, value string) (string, error) {
	h := alg.Hash()
	if h == 0 {
		// alg none: Core gives no hash; use SHA-256 like the default alg.
		h = keys.RS256.Hash()
	}
	if !h.Available() {
		return "", fmt.Errorf("issuer: hash for %s unavailable", alg)
	}
	hh := h.New()
	hh.Write([]byte(value))
	sum := hh.Sum(nil)
	return b64.EncodeToString(sum[:len(sum)/2]), nil
}
