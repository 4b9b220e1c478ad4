package issuer

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Helpers shared by the claims and encoding fault families: edits of one
// claim of the baseline, raw JSON values, and values derived from the
// environment.

// withRawClaim re-signs the baseline with name set to the raw JSON text
// raw(e, d) (d is the baseline draft, for values derived from it).
func withRawClaim(name string, raw func(e *FaultEnv, d *Draft) string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		return e.Signed(func(d *Draft) error {
			d.Payload.SetRaw(name, []byte(raw(e, d)))
			return nil
		})
	}
}

// withoutClaim re-signs the baseline without the member name.
func withoutClaim(name string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		return e.Signed(func(d *Draft) error {
			d.Payload.Delete(name)
			return nil
		})
	}
}

// claimRaw is a raw value that does not depend on the environment.
func claimRaw(v string) func(*FaultEnv, *Draft) string {
	return func(*FaultEnv, *Draft) string { return v }
}

// jsonQuote is s as JSON string text.
func jsonQuote(s string) string { return string(appendString(nil, s)) }

// unixAt is the NumericDate (integer seconds) of now + offset, as JSON text.
func unixAt(offset time.Duration) func(*FaultEnv, *Draft) string {
	return func(e *FaultEnv, _ *Draft) string {
		return decimal(e.Issuer.Now().Add(offset).Unix())
	}
}

func decimal(n int64) string { return strconv.FormatInt(n, 10) }

// baseClientID is the baseline's client (the audience of B).
func (e *FaultEnv) baseClientID() string {
	if e.Kind == KindAccessToken {
		return e.Access.ClientID
	}
	return e.spec().ClientID
}

// baseSubject is the baseline's sub.
func (e *FaultEnv) baseSubject() string {
	if e.Kind == KindAccessToken {
		return e.Access.Subject
	}
	return e.spec().Subject
}

// needsIDToken fails for access-token environments, saying why the case is about
// ID tokens.
func (e *FaultEnv) needsIDToken(why string) error {
	if e.Kind == KindAccessToken {
		return wrapNeeds("access tokens " + why)
	}
	return nil
}

// swapLetterCase swaps the case of every ASCII letter of s (s unchanged when it
// has none).
func swapLetterCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return unicode.ToUpper(r)
		case r >= 'A' && r <= 'Z':
			return unicode.ToLower(r)
		}
		return r
	}, s)
}

// faultValue is a deterministic base64url value of n bytes for label (an
// opaque code, token, sid or state of realistic shape), stable across runs
// so that golden files are.
func faultValue(label string, n int) string {
	var out []byte
	for i := byte(0); len(out) < n; i++ {
		sum := sha256.Sum256(append([]byte("testidp fault value "+label), i))
		out = append(out, sum[:]...)
	}
	return b64.EncodeToString(out[:n])
}

// b64URLAlphabet is the base64url alphabet in value order (RFC 4648 §5).
const b64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// sameLengthOther is another value of the same length and alphabet: every
// base64url character is replaced by the next one in the alphabet, other
// characters (the dots of a JWT) are kept. It differs from v whenever v has
// a base64url character.
func sameLengthOther(v string) string {
	return strings.Map(func(r rune) rune {
		if i := strings.IndexRune(b64URLAlphabet, r); i >= 0 && r < 128 {
			return rune(b64URLAlphabet[(i+1)%64])
		}
		return r
	}, v)
}
