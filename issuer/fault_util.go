package issuer

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/testidp/testidp/keys"
)

// splitJWS splits a compact JWS into its three parts.
func splitJWS(raw string) (header, payload, sig string, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("issuer: not a compact JWS: %d parts", len(parts))
	}
	return parts[0], parts[1], parts[2], nil
}

// mutateSignature decodes the signature of s.Token, lets f change the bytes
// (keeping or changing their length), and re-encodes it. The signing input
// is untouched.
func mutateSignature(s Step, f func(sig []byte) []byte) (Step, error) {
	h, p, sig, err := splitJWS(s.Token)
	if err != nil {
		return s, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return s, err
	}
	s.Token = h + "." + p + "." + base64.RawURLEncoding.EncodeToString(f(raw))
	return s, nil
}

// xor5A is the OpenID Foundation suite's length-preserving corruption.
func xor5A(sig []byte) []byte {
	out := make([]byte, len(sig))
	for i, b := range sig {
		out[i] = b ^ 0x5A
	}
	return out
}

// withAlg is the baseline signed with another algorithm: a ring key for
// asymmetric algorithms, the client secret for HS256.
func (e *FaultEnv) withAlg(alg keys.Alg) (*Draft, error) {
	if e.Kind == KindAccessToken {
		if alg == keys.HS256 {
			return nil, fmt.Errorf("%w: access tokens are never HS256", ErrFaultNeeds)
		}
		a := e.Access
		a.Alg = alg
		if a.TTL == 0 {
			a.TTL = BaselineTTL
		}
		return e.Issuer.DraftAccessToken(a)
	}
	if alg == keys.HS256 && len(e.spec().Secret) < 32 {
		return nil, fmt.Errorf("%w: HS256 needs a client registered with a secret of at least 32 bytes", ErrFaultNeeds)
	}
	return e.BaselineWith(func(s *IDToken) { s.Alg = alg })
}

// wrapNeeds is an ErrFaultNeeds with a reason.
func wrapNeeds(reason string) error { return fmt.Errorf("%w: %s", ErrFaultNeeds, reason) }

// baselineStep is B signed, as one step.
func (e *FaultEnv) baselineStep() (Step, error) {
	_, s, err := e.BaselineStep(nil)
	return s, err
}
