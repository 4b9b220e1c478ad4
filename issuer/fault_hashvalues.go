package issuer

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/testidp/testidp/keys"
)

// Values and hash recipes of the hash-binding faults (fault_hashbinding.go).

// accessTokenValue is the access token delivered with the ID token in the
// hash-binding cases: Spec.AccessToken when the environment names one, else
// a deterministic opaque value shaped like testidp's (256 bits, base64url)
// whose at_hash contains "-" or "_", so that the #std-b64 variant differs
// from the correct value.
func (e *FaultEnv) accessTokenValue() string {
	s := e.spec()
	if s.AccessToken != "" {
		return s.AccessToken
	}
	return derivedHashable("access token", s.Alg)
}

// codeValue is the authorization code delivered with the ID token: Spec.Code
// or a deterministic value chosen as accessTokenValue's.
func (e *FaultEnv) codeValue() string {
	s := e.spec()
	if s.Code != "" {
		return s.Code
	}
	return derivedHashable("code", s.Alg)
}

// derivedHashable is the first of a deterministic series of 256-bit values
// whose half hash under alg has a character the standard alphabet spells
// differently.
func derivedHashable(label string, alg keys.Alg) string {
	for i := 0; ; i++ {
		v := faultValue(fmt.Sprintf("%s %d", label, i), 32)
		h, err := HalfHash(alg, v)
		if err != nil || strings.ContainsAny(h, "-_") {
			return v
		}
	}
}

// hashRecipe computes a hash claim over value, rightly or wrongly.
type hashRecipe func(alg keys.Alg, value string) (string, error)

// sumOf is the hash of value with h.
func sumOf(h crypto.Hash, value string) []byte {
	hh := h.New()
	hh.Write([]byte(value))
	return hh.Sum(nil)
}

// algHash is the hash function of alg for at_hash and c_hash.
func algHash(alg keys.Alg) crypto.Hash {
	if h := alg.Hash(); h != 0 {
		return h
	}
	return crypto.SHA256
}

// The wrong recipes of at-hash-wrong-construction (Core §3.2.2.9: the left
// half of the alg's hash, base64url without padding).
var wrongRecipes = []struct {
	name, desc string
	recipe     hashRecipe
}{
	{"full-length", "the whole hash, not its left half", func(alg keys.Alg, v string) (string, error) {
		return b64.EncodeToString(sumOf(algHash(alg), v)), nil
	}},
	{"wrong-hash-fn", "the left half of another hash function (SHA-512 for SHA-256 algorithms such as RS256, SHA-256 otherwise)", func(alg keys.Alg, v string) (string, error) {
		h := crypto.SHA512
		if algHash(alg) != crypto.SHA256 {
			h = crypto.SHA256
		}
		sum := sumOf(h, v)
		return b64.EncodeToString(sum[:len(sum)/2]), nil
	}},
	{"std-b64", "the left half in the standard base64 alphabet", func(alg keys.Alg, v string) (string, error) {
		sum := sumOf(algHash(alg), v)
		out := base64.RawStdEncoding.EncodeToString(sum[:len(sum)/2])
		if out == b64.EncodeToString(sum[:len(sum)/2]) {
			return "", wrapNeeds("the hash of this value reads the same in both base64 alphabets; deliver another value")
		}
		return out, nil
	}},
	{"padded", "the left half in base64url with \"=\" padding", func(alg keys.Alg, v string) (string, error) {
		sum := sumOf(algHash(alg), v)
		return base64.URLEncoding.EncodeToString(sum[:len(sum)/2]), nil
	}},
	{"bearer-prefix", "the correct recipe over \"Bearer \" followed by the value", func(alg keys.Alg, v string) (string, error) {
		return HalfHash(alg, "Bearer "+v)
	}},
}
