package issuer

import (
	"crypto/sha256"
	"math/big"
	"strings"

	"github.com/testidp/testidp/keys"
)

// Signature faults, rows 3–8: missing, cut, misplaced and mis-encoded
// signatures, and MACs under guessable keys.

func init() {
	register(&Case{
		Row: 3, ID: "sig-empty", Category: CatSignature, Expect: MustReject,
		Description: "The header still claims RS256 but there is no signature.",
		Refs:        []string{"RFC 7515 §7.1", "RFC 7515 §5.2", "CVE-2020-28042"},
		Variants: []Variant{
			{Name: "trailing-dot", Description: "header.payload. — the third part is empty.",
				Make: unsignedBaseline(func(tok string) string { return tok })},
			{Name: "two-parts", Description: "header.payload — there is no third part at all.",
				Make: unsignedBaseline(func(tok string) string { return strings.TrimSuffix(tok, ".") })},
		},
	})
	register(&Case{
		Row: 4, ID: "sig-truncated", Category: CatSignature, Expect: MustReject,
		Description: "A genuine RS256 signature cut short or zeroed.",
		Refs:        []string{"RFC 8017 §8.2.2", "RFC 7518 §3.3"},
		Variants: []Variant{
			{Name: "half", Description: "Only the first half of the signature bytes.",
				Make: corruptBaseline(func(sig []byte) []byte { return sig[:len(sig)/2] })},
			{Name: "one-byte", Description: "Only the first byte of the signature.",
				Make: corruptBaseline(func(sig []byte) []byte { return sig[:1] })},
			{Name: "zeros", Description: "A signature of the right length, all 0x00 bytes.",
				Make: corruptBaseline(func(sig []byte) []byte { return make([]byte, len(sig)) })},
		},
	})
	register(&Case{
		Row: 5, ID: "signed-input-tampered", Category: CatSignature, Expect: MustReject,
		Description: "A genuine signature over other bytes than the ones sent: the signed input was changed afterwards.",
		Refs:        []string{"RFC 7515 §5.2", "CVE-2021-22573"},
		Variants: []Variant{
			{Name: "payload", Delivery: Delivery{FrontChannel: true},
				Description: "sub changed to another user (bob) after signing; the signature is the original one.",
				Make:        tamperedPayload},
			{Name: "header", Delivery: Delivery{FrontChannel: true},
				Description: "Member \"x\":1 added to the header after signing; the signature is the original one.",
				Make:        tamperedHeader},
			{Name: "transplant", Delivery: Delivery{FrontChannel: true},
				Description: "The header and payload of the genuine token B with the signature of another genuine token (the same claims for user bob).",
				Make:        transplanted},
		},
	})
	register(&Case{
		Row: 6, ID: "ecdsa-psychic", Category: CatSignature, Expect: MustReject,
		Description: "An ES256 token whose signature has r or s outside [1, n−1]: a verifier that skips the range check accepts it for any payload.",
		Refs:        []string{"FIPS 186-5 §6.4.2", "RFC 8725 §3.3", "RFC 8725 §3.4", "CVE-2022-21449"},
		Variants: []Variant{
			{Name: "zero", Delivery: es256, Description: "64 zero bytes: r = s = 0.",
				Make: psychic(func(n *big.Int) (r, s *big.Int) { return new(big.Int), new(big.Int) })},
			{Name: "n", Delivery: es256, Description: "r = s = n, the order of P-256.",
				Make: psychic(func(n *big.Int) (r, s *big.Int) { return n, n })},
			{Name: "r-zero", Delivery: es256, Description: "r = 0 and an arbitrary s in [1, n−1].",
				Make: psychic(func(n *big.Int) (r, s *big.Int) { return new(big.Int), arbitraryScalar(n) })},
		},
	})
	register(&Case{
		Row: 7, ID: "sig-encoding-noncanonical", Category: CatSignature, Expect: MustReject,
		Description: "A mathematically valid signature in an encoding JOSE does not allow.",
		Refs:        []string{"RFC 7518 §3.4", "RFC 8017 §8.2.2", "CVE-2020-14966", "CVE-2020-14968"},
		Variants: []Variant{
			{Name: "ecdsa-der", Delivery: es256, Make: derSignature,
				Description: "ES256 signature as an ASN.1 DER SEQUENCE of two INTEGERs instead of the raw 64-byte r‖s."},
			{Name: "ecdsa-short", Delivery: es256, Make: shortSignature,
				Description: "ES256 signature whose r is 31 bytes, not left-padded: 63 bytes in all."},
			{Name: "ecdsa-long", Delivery: es256, Make: longSignature,
				Description: "ES256 signature with r and s each left-padded to 33 bytes: 66 bytes in all."},
			{Name: "rsa-zero-prefix", Description: "A 0x00 byte prepended to a valid RS256 signature (257 bytes for a 2048-bit key).",
				Make: corruptBaseline(func(sig []byte) []byte { return append([]byte{0}, sig...) })},
		},
	})
	register(&Case{
		Row: 8, ID: "hmac-empty-key", Category: CatSignature, Expect: MustReject,
		Description: "HS256 with a MAC under an empty or guessable key; the client registered HS256 with a real secret.",
		Refs:        []string{"RFC 7518 §3.2", "RFC 8725 §3.5", "CVE-2019-20933"},
		Variants: []Variant{
			{Name: "empty", Delivery: hs256, Description: "MAC under a zero-length key.", Make: weakMAC("")},
			{Name: "secret", Delivery: hs256, Description: "MAC under the key \"secret\".", Make: weakMAC("secret")},
			{Name: "null-string", Delivery: hs256, Description: "MAC under the key \"null\".", Make: weakMAC("null")},
		},
	})
}

// Deliveries shared by several variants.
var (
	es256 = Delivery{Alg: string(keys.ES256)}
	hs256 = Delivery{Alg: string(keys.HS256), Registration: "HS256"}
)

// unsignedBaseline is B's header and payload with no signature, then shaped
// by f.
func unsignedBaseline(f func(token string) string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		d, err := e.Baseline()
		if err != nil {
			return nil, err
		}
		s, err := e.RawStep(d.Header.AppendJSON(nil), d.Payload.AppendJSON(nil), nil)
		s.Token = f(s.Token)
		return One(s, err)
	}
}

// corruptBaseline is B (RS256) with its signature bytes passed through f.
func corruptBaseline(f func(sig []byte) []byte) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		_, s, err := e.BaselineStep(nil)
		if err != nil {
			return nil, err
		}
		return One(mutateSignature(s, f))
	}
}

// withSignatureOf gives s the signature part of the token other.
func withSignatureOf(s Step, other string) (Step, error) {
	h, p, _, err := splitJWS(s.Token)
	if err != nil {
		return s, err
	}
	_, _, sig, err := splitJWS(other)
	s.Token = h + "." + p + "." + sig
	return s, err
}

// tamperedPayload sends B's header, B's payload with sub "bob", and B's
// signature.
func tamperedPayload(e *FaultEnv) (*Forged, error) {
	d, genuine, err := e.BaselineStep(nil)
	if err != nil {
		return nil, err
	}
	d.Payload.SetString("sub", otherUser)
	s, err := e.RawStep(genuine.Header, d.Payload.AppendJSON(nil), nil)
	if err != nil {
		return nil, err
	}
	return One(withSignatureOf(s, genuine.Token))
}

// otherUser is the user whose identity tampered tokens claim.
const otherUser = "bob"

// tamperedHeader adds "x":1 to B's header after signing.
func tamperedHeader(e *FaultEnv) (*Forged, error) {
	d, genuine, err := e.BaselineStep(nil)
	if err != nil {
		return nil, err
	}
	d.Header.SetRaw("x", []byte("1"))
	s, err := e.RawStep(d.Header.AppendJSON(nil), genuine.Payload, nil)
	if err != nil {
		return nil, err
	}
	return One(withSignatureOf(s, genuine.Token))
}

// transplanted is B with the signature of a genuine token for bob.
func transplanted(e *FaultEnv) (*Forged, error) {
	d, s, err := e.BaselineStep(nil)
	if err != nil {
		return nil, err
	}
	d.Payload.SetString("sub", otherUser)
	other, err := e.Step(d)
	if err != nil {
		return nil, err
	}
	return One(withSignatureOf(s, other.Token))
}

// psychic is B signed ES256 (kid of the issuer's ES256 key) with the raw
// signature r‖s chosen from the curve order n.
func psychic(pick func(n *big.Int) (r, s *big.Int)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		k, priv, err := e.ecKey()
		if err != nil {
			return nil, err
		}
		r, s := pick(priv.Curve.Params().N)
		size := (priv.Curve.Params().BitSize + 7) / 8
		sig := append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
		return e.signedAs(keys.ES256, forgedSigner{alg: keys.ES256, kid: k.ID, sign: constant(sig)})
	}
}

// constant is a signing function that ignores its input.
func constant(sig []byte) func([]byte) ([]byte, error) {
	return func([]byte) ([]byte, error) { return sig, nil }
}

// arbitraryScalar is a fixed value in [1, n−1] (fixed so that the golden
// files are stable): SHA-256 of a label, reduced.
func arbitraryScalar(n *big.Int) *big.Int {
	sum := sha256.Sum256([]byte("testidp psychic s"))
	v := new(big.Int).SetBytes(sum[:])
	v.Mod(v, new(big.Int).Sub(n, big.NewInt(1)))
	return v.Add(v, big.NewInt(1))
}

// signedAs is the baseline for alg (its header names alg and the ring key's
// kid) signed by s instead of the ring key.
func (e *FaultEnv) signedAs(alg keys.Alg, s keys.Signer) (*Forged, error) {
	d, err := e.withAlg(alg)
	if err != nil {
		return nil, err
	}
	d.Signer = s
	return One(e.Step(d))
}

// weakMAC is B as an HS256 token (header {"alg":"HS256","typ":…}, as the
// baseline signed with the client secret has) MAC'd under key.
func weakMAC(key string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		s, err := macSigner(keys.HS256, []byte(key))
		if err != nil {
			return nil, err
		}
		return e.resigned(s, nil)
	}
}

// resigned is B re-signed by s: alg set to s's, kid set to s's (removed
// when it has none); change, if not nil, edits the draft first.
func (e *FaultEnv) resigned(s keys.Signer, change func(d *Draft) error) (*Forged, error) {
	return e.Signed(func(d *Draft) error {
		d.Header.SetString("alg", string(s.Algorithm()))
		if kid := s.KeyID(); kid != "" {
			d.Header.SetString("kid", kid)
		} else {
			d.Header.Delete("kid")
		}
		d.Signer = s
		if change != nil {
			return change(d)
		}
		return nil
	})
}
