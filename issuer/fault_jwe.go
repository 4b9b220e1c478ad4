package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"math/big"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// Encryption faults, rows 23–27 (category header): nested tokens whose
// inner layer is broken, JWEs that are not nested, a missing encryption,
// invalid ECDH-ES ephemeral keys, and the valid nested token.

func init() {
	register(&Case{
		Row: 23, ID: "jwe-inner-unverified", Category: CatHeader, Expect: MustReject,
		Description: "The client registered ID-token encryption; a nested JWE (to the client's public encryption key, cty JWT) whose inner JWS is not valid. Anyone can build the outer layer.",
		Refs: []string{"RFC 8725 §3.3", "OpenID Connect Core §2", "OpenID Connect Core §16.14", "RFC 7519 §7.2 step 8",
			"CVE-2026-29000"},
		Variants: []Variant{
			{Name: "inner-none", Delivery: encrypted, Make: nested(algNone("none", false)),
				Description: "The inner JWS is B with alg none and an empty signature."},
			{Name: "inner-bad-sig", Delivery: encrypted, Make: nested(corruptBaseline(xor5A)),
				Description: "The inner JWS is B with its signature corrupted (every byte XOR 0x5A)."},
			{Name: "inner-foreign-key", Delivery: encrypted, Make: nested(foreignSigned),
				Description: "The inner JWS is B signed by an attacker key (kid: its thumbprint)."},
		},
	})
	register(&Case{
		Row: 24, ID: "jwe-bare-claims", Category: CatHeader, Expect: MustReject,
		Description: "A JWE whose plaintext is the claims JSON itself: no inner JWS, no cty. ID tokens must be signed.",
		Refs:        []string{"OpenID Connect Core §2", "RFC 8725 §3.3", "CVE-2023-51774"},
		Variants: []Variant{
			{Delivery: encrypted, Make: bareClaims(false),
				Description: "Encrypted to the client's registered encryption key."},
			{Name: "to-op-sig-key", Make: bareClaims(true),
				Description: "Encrypted (RSA-OAEP, A128CBC-HS256) to the issuer's RS256 signing key: hits verifiers that tell JWS from JWE by shape and reuse the verification key."},
		},
	})
	register(&Case{
		Row: 25, ID: "enc-expected-missing", Category: CatHeader, Expect: ShouldReject,
		Description: "The client registered ID-token encryption, but the token is B, signed and not encrypted.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 1"},
		Variants: []Variant{{Delivery: encrypted, Make: func(e *FaultEnv) (*Forged, error) {
			if err := e.needsIDToken(encryptionIsForIDTokens); err != nil {
				return nil, err
			}
			return One(e.baselineStep())
		}}},
	})
	register(&Case{
		Row: 26, ID: "jwe-epk-invalid-curve", Category: CatHeader, Expect: MustReject,
		Description: "The client registered ECDH-ES (or ECDH-ES+A*KW); the JWE's epk is not a valid point of the client key's curve. The content is B, encrypted under a key derived from Z = the epk's x-coordinate (what a verifier that skips the point check computes when its scalar is 1 modulo the point's order). All variants should fail alike (no oracle).",
		Refs:        []string{"RFC 8725 §2.5", "RFC 8725 §3.4", "RFC 7518 §4.6", "NIST SP 800-56A Rev. 3 §5.6.2.3", "CVE-2016-9121"},
		Variants: []Variant{
			{Name: "off-curve", Delivery: encrypted, Make: invalidEPK(offCurve),
				Description: "epk (x, y+1): a valid point with y moved off the curve."},
			{Name: "small-order", Delivery: encrypted, Make: invalidEPK(smallOrder),
				Description: "epk (5, 0): a point of order 2 on the weak curve y² = x³ − 3x + b′ through it."},
			{Name: "wrong-crv", Delivery: encrypted, Make: invalidEPK(wrongCurve),
				Description: "epk a valid P-384 point (crv P-384) for the client's P-256 key (a P-256 point for other curves)."},
			{Name: "infinity", Delivery: encrypted, Make: invalidEPK(infinity),
				Description: "epk (0, 0), the usual affine encoding of the point at infinity."},
		},
	})
	register(&Case{
		Row: 27, ID: "jwe-nested-valid", Category: CatHeader, Expect: MustAccept,
		Description: "The correct nested token: B signed, then encrypted with the algorithms the client registered (default RSA-OAEP or ECDH-ES by key type, A128CBC-HS256; A*KW and dir keyed from the client secret), cty JWT.",
		Refs:        []string{"OpenID Connect Core §2", "OpenID Connect Core §10.2", "OpenID Connect Core §16.14"},
		Variants: []Variant{{Delivery: encrypted, Make: nested(func(e *FaultEnv) (*Forged, error) {
			return One(e.baselineStep())
		})}},
	})
}

var encrypted = Delivery{Registration: "encryption"}

const encryptionIsForIDTokens = "are not encrypted: encryption is registered for ID tokens (id_token_encrypted_response_alg)"

// sealed is a step whose token is plaintext encrypted to t; Payload is the
// plaintext (the inner token, or the claims).
func (e *FaultEnv) sealed(t jweTarget, cty string, plaintext []byte) (Step, error) {
	tok, header, err := t.seal(cty, plaintext)
	return Step{Token: tok, Header: header, Payload: plaintext, Nonce: e.Nonce()}, err
}

// nested encrypts the token of inner to the client, cty JWT.
func nested(inner func(*FaultEnv) (*Forged, error)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken(encryptionIsForIDTokens); err != nil {
			return nil, err
		}
		t, err := e.encryptionTarget()
		if err != nil {
			return nil, err
		}
		f, err := inner(e)
		if err != nil {
			return nil, err
		}
		return One(e.sealed(t, "JWT", []byte(f.Last().Token)))
	}
}

// foreignSigned is B signed by the attacker's RSA key.
func foreignSigned(e *FaultEnv) (*Forged, error) {
	s, err := e.attackerSigner(keys.RS256, "")
	if err != nil {
		return nil, err
	}
	return e.resigned(s, nil)
}

// bareClaims encrypts B's claims, unsigned, to the client or to the
// issuer's signing key.
func bareClaims(toSigningKey bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken(encryptionIsForIDTokens); err != nil {
			return nil, err
		}
		d, err := e.Baseline()
		if err != nil {
			return nil, err
		}
		t := jweTarget{alg: string(jose.RSA_OAEP), enc: defaultEnc}
		if toSigningKey {
			k, pub, err := e.rsaKey()
			if err != nil {
				return nil, err
			}
			t.key, t.kid = &pub.PublicKey, k.ID
		} else if t, err = e.encryptionTarget(); err != nil {
			return nil, err
		}
		return One(e.sealed(t, "", d.Payload.AppendJSON(nil)))
	}
}

// point is an EC point as a JWK names it.
type point struct {
	crv  string
	x, y []byte
}

// invalidEPK is B (signed) encrypted with ECDH-ES under the epk pick gives
// for the client's key, Z being the epk's x.
func invalidEPK(pick func(pub *ecdsa.PublicKey) (point, error)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken(encryptionIsForIDTokens); err != nil {
			return nil, err
		}
		t, err := e.encryptionTarget()
		if err != nil {
			return nil, err
		}
		pub, ok := t.key.(*ecdsa.PublicKey)
		if !ok || !ecdhKeyAlg(t.alg) {
			return nil, wrapNeeds("the client must register ECDH-ES or ECDH-ES+A*KW with an EC encryption key")
		}
		p, err := pick(pub)
		if err != nil {
			return nil, err
		}
		_, inner, err := e.BaselineStep(nil)
		if err != nil {
			return nil, err
		}
		tok, header, err := t.sealWithEPK("JWT", []byte(inner.Token), ecJWK(p.crv, p.x, p.y), p.x)
		return One(Step{Token: tok, Header: header, Payload: []byte(inner.Token), Nonce: e.Nonce()}, err)
	}
}

// coord is v as a curve coordinate: big-endian, left-padded to the size of
// the curve's field.
func coord(c elliptic.Curve, v *big.Int) []byte {
	return v.FillBytes(make([]byte, (c.Params().BitSize+7)/8))
}

// offCurve takes a valid point of the curve and adds 1 to y.
func offCurve(pub *ecdsa.PublicKey) (point, error) {
	rp, err := pub.ECDH()
	if err != nil {
		return point{}, err
	}
	k, err := derivedECDHKey(rp.Curve(), []byte("off-curve"))
	if err != nil {
		return point{}, err
	}
	b := k.PublicKey().Bytes() // 0x04 ‖ x ‖ y
	size := (len(b) - 1) / 2
	y := new(big.Int).SetBytes(b[1+size:])
	y.Add(y, big.NewInt(1)).Mod(y, pub.Curve.Params().P)
	return point{pub.Curve.Params().Name, b[1 : 1+size], coord(pub.Curve, y)}, nil
}

// smallOrder is (5, 0): y = 0 makes it a point of order 2 on the curve
// with the same a through it; the NIST curves have prime order, so it is
// on none of them.
func smallOrder(pub *ecdsa.PublicKey) (point, error) {
	return point{pub.Curve.Params().Name, coord(pub.Curve, big.NewInt(5)), coord(pub.Curve, new(big.Int))}, nil
}

// wrongCurve is a valid point of P-384 (or of P-256 when the client's key
// is on P-384).
func wrongCurve(pub *ecdsa.PublicKey) (point, error) {
	alg := keys.ES384
	if pub.Curve == elliptic.P384() {
		alg = keys.ES256
	}
	k, err := keys.Derive("testidp attacker", "epk", alg, 0)
	if err != nil {
		return point{}, err
	}
	q := k.Public().(*ecdsa.PublicKey)
	return point{q.Curve.Params().Name, coord(q.Curve, q.X), coord(q.Curve, q.Y)}, nil
}

// infinity is (0, 0).
func infinity(pub *ecdsa.PublicKey) (point, error) {
	zero := new(big.Int)
	return point{pub.Curve.Params().Name, coord(pub.Curve, zero), coord(pub.Curve, zero)}, nil
}
