package issuer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/testidp/testidp/keys"
)

// Rotation faults: fault-catalog.md rows 69–72.

func init() {
	register(&Case{
		Row: 69, ID: "rotation-new-kid", Category: CatRotation, Expect: MustAccept,
		Description: "After a first token was verified (and the JWKS cached), the issuer publishes a new key under a new kid and signs the next token with it.",
		Refs:        []string{"OpenID Connect Core §10.1.1"},
		Variants:    []Variant{{Delivery: Delivery{State: "rotation"}, Make: rotationNewKid}},
	})
	register(&Case{
		Row: 70, ID: "rotation-before-first-use", Category: CatRotation, Expect: MustAccept,
		Description: "The issuer rotates immediately before signing the very first token, so a relying party that fetched the JWKS at start-up already sees an unknown kid.",
		Refs:        []string{"OpenID Connect Core §10.1.1"},
		Variants:    []Variant{{Delivery: Delivery{State: "rotation"}, Make: rotationBeforeFirstUse}},
	})
	register(&Case{
		Row: 71, ID: "rotation-retired-key", Category: CatRotation, Expect: ShouldReject,
		Description: "The issuer drops key K1 from its JWKS; after the relying party has re-fetched (on a token with the new kid K2), a token signed with K1 (kid K1) arrives.",
		Refs:        []string{"OpenID Connect Core §10.1.1", "RFC 8725 §3.8"},
		Variants:    []Variant{{Delivery: Delivery{State: "rotation"}, Make: rotationRetiredKey}},
	})
	register(&Case{
		Row: 72, ID: "jwks-unparseable-key", Category: CatRotation, Expect: MustAccept,
		Description: "The JWKS holds the issuer's keys plus entries no verifier can use, each with its own kid: an unknown kty, a post-quantum AKP key, an RSA key with a malformed n, an EC key on an unknown curve. The token is B.",
		Refs:        []string{"RFC 7517 §5"},
		Variants:    []Variant{{Delivery: Delivery{State: "jwks"}, Make: jwksUnparseable}},
	})
}

// rotationBeforeFirstUse rotates, then signs B with the new key.
func rotationBeforeFirstUse(e *FaultEnv) (*Forged, error) {
	if e.Rotate == nil {
		return nil, errNeedsRotation
	}
	d, err := e.Baseline()
	if err != nil {
		return nil, err
	}
	if err := e.Rotate(d.Signer.Algorithm()); err != nil {
		return nil, err
	}
	if d, err = e.Baseline(); err != nil {
		return nil, err
	}
	s, err := e.Step(d)
	s.Note = "signed with a key made just before this token: a JWKS fetched earlier (at start-up) does not hold it"
	return One(s, err)
}

// rotationRetiredKey: a token signed with K1 while the relying party caches
// K1; rotation to K2 and removal of K1; a token with K2 (the relying party
// re-fetches); then B signed with K1. The setup logins use their own
// nonces, so that the last token replays nothing.
// rotationNewKid: a first login's token signed with K1 (its own nonce, so
// that the case token is not a replay), a rotation, then B signed with K2.
func rotationNewKid(e *FaultEnv) (*Forged, error) {
	if e.Rotate == nil {
		return nil, errNeedsRotation
	}
	s1, k1, err := e.setupStep(1)
	if err != nil {
		return nil, err
	}
	s1.JWKS = append([]byte(nil), e.Issuer.Ring.JWKS()...)
	s1.Note = "an earlier login, signed with the key in use before the rotation (this step's JWKS is the one before it)"
	if err := e.Rotate(k1.Algorithm()); err != nil {
		return nil, err
	}
	second, err := e.Baseline()
	if err != nil {
		return nil, err
	}
	s2, err := e.Step(second)
	s2.Note = "signed with the new key"
	return &Forged{Steps: []Step{s1, s2}}, err
}

func rotationRetiredKey(e *FaultEnv) (*Forged, error) {
	if e.Rotate == nil || e.Unpublish == nil {
		return nil, errNeedsRotation
	}
	s1, k1, err := e.setupStep(1)
	if err != nil {
		return nil, err
	}
	s1.JWKS = append([]byte(nil), e.Issuer.Ring.JWKS()...)
	s1.Note = "signed with K1, published (this step's JWKS is the one before the rotation)"
	if err := e.Rotate(k1.Algorithm()); err != nil {
		return nil, err
	}
	if err := e.Unpublish(k1.KeyID()); err != nil {
		return nil, err
	}
	s2, _, err := e.setupStep(2)
	if err != nil {
		return nil, err
	}
	s2.Note = "signed with the new key K2; K1 is no longer published"
	d, err := e.Baseline()
	if err != nil {
		return nil, err
	}
	d.Signer = k1
	d.Header.SetString("kid", k1.KeyID())
	s3, err := e.Step(d)
	s3.Note = "signed with K1, which the JWKS no longer holds"
	return &Forged{Steps: []Step{s1, s2, s3}}, err
}

// setupStep is the baseline of an earlier login, with its own nonce
// ("-setup1"…), and the key that signed it.
func (e *FaultEnv) setupStep(n int) (Step, keys.Signer, error) {
	nonce := e.Nonce()
	var d *Draft
	var err error
	if e.Kind == KindAccessToken {
		d, err = e.Baseline()
	} else {
		nonce += "-setup" + strconv.Itoa(n)
		d, err = e.BaselineWith(func(s *IDToken) { s.Nonce = nonce })
	}
	if err != nil {
		return Step{}, nil, err
	}
	s, err := e.Step(d)
	s.Nonce = nonce
	return s, d.Signer, err
}

// jwksUnparseable is B with a JWKS that adds four unusable keys.
func jwksUnparseable(e *FaultEnv) (*Forged, error) {
	f, err := One(e.baselineStep())
	if err != nil {
		return nil, err
	}
	return e.withJWKS(f, func(set []map[string]any) []map[string]any { return append(set, unusableKeys()...) })
}

// unusableKeys are JWKs a verifier must skip (RFC 7517 §5).
func unusableKeys() []map[string]any {
	pub := make([]byte, 1312) // the size of an ML-DSA-44 public key
	for i := 0; i < len(pub); i += sha256.Size {
		sum := sha256.Sum256(fmt.Appendf(nil, "testidp akp %d", i))
		copy(pub[i:], sum[:])
	}
	secp256k1G := [2]string{ // the generator of secp256k1 (SEC 2 §2.4.1)
		"79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
		"483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"}
	coord := func(h string) string { b, _ := hex.DecodeString(h); return b64.EncodeToString(b) }
	return []map[string]any{
		{"kty": "XYZ", "kid": "unusable-unknown-kty", "use": "sig", "x": "AQAB"},
		{"kty": "AKP", "kid": "unusable-akp", "use": "sig", "alg": "ML-DSA-44", "pub": b64.EncodeToString(pub)},
		{"kty": "RSA", "kid": "unusable-malformed-n", "use": "sig", "alg": "RS256", "n": "not+base64url/==", "e": "AQAB"},
		{"kty": "EC", "kid": "unusable-unknown-crv", "use": "sig", "crv": "secp256k1",
			"x": coord(secp256k1G[0]), "y": coord(secp256k1G[1])},
	}
}

var errNeedsRotation = wrapNeeds("the key ring must be rotatable (the mint API and the conformance runner provide it)")
