package issuer

import (
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"

	"github.com/testidp/testidp/keys"
)

// Key-selection faults: fault-catalog.md rows 61–68.

func init() {
	register(&Case{
		Row: 61, ID: "kid-absent-single", Category: CatKeySelection, Expect: MustAccept,
		Description: "The JWKS holds exactly one key usable with the token's alg, without kid; the header has no kid.",
		Refs:        []string{"OpenID Connect Core §10.1", "RFC 7515 §4.1.4"},
		Variants: []Variant{{Delivery: Delivery{State: "jwks"}, Make: func(e *FaultEnv) (*Forged, error) {
			d, s, err := e.BaselineStep(func(d *Draft) { d.Header.Delete("kid") })
			if err != nil {
				return nil, err
			}
			key, err := e.publishedKey(d.Signer.KeyID())
			if err != nil {
				return nil, err
			}
			delete(key, "kid")
			s.JWKS = EncodeJWKS([]map[string]any{key})
			return One(s, nil)
		}}},
	})
	register(&Case{
		Row: 62, ID: "kid-absent-multiple", Category: CatKeySelection, Expect: Either,
		Description: "The JWKS holds two RS256 signing keys, neither with a kid; the header has no kid; the token is signed by the second key listed.",
		Refs:        []string{"OpenID Connect Core §10.1"},
		Variants:    []Variant{{Delivery: jwksState, Make: kidAbsentMultiple}},
	})
	register(&Case{
		Row: 63, ID: "kid-unknown", Category: CatKeySelection, Expect: MustReject,
		Description: "The token is signed by a key that is not in the JWKS, even after a re-fetch (an attacker's).",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 6", "OpenID Connect Core §10.1.1"},
		Variants: []Variant{
			{Name: "random-kid", Description: "kid names no key at all.", Make: kidUnknown(randomKid)},
			{Name: "no-kid", Description: "No kid in the header.", Make: kidUnknown(nil)},
			{Name: "real-kid", Description: "kid of the issuer's genuine RS256 key; the signature is by another key.", Make: kidUnknown(ringKid(keys.RS256))},
		},
	})
	register(&Case{
		Row: 64, ID: "kid-kty-mismatch", Category: CatKeySelection, Expect: MustReject,
		Description: "kid names a published key of the wrong type or curve for alg; the token is signed by an attacker key that fits alg. The verifier must fail cleanly.",
		Refs:        []string{"RFC 8725 §3.1", "RFC 7517 §4.1", "RFC 7518 §3.4"},
		Variants: []Variant{
			{Name: "rsa-key-es256", Delivery: es256, Make: ktyMismatch(keys.RS256, keys.ES256),
				Description: "alg ES256, kid of the issuer's RSA (RS256) key."},
			{Name: "ec-key-rs256", Make: ktyMismatch(keys.ES256, keys.RS256),
				Description: "alg RS256, kid of the issuer's P-256 (ES256) key."},
			{Name: "okp-key-es256", Delivery: es256, Make: ktyMismatch(keys.EdDSA, keys.ES256),
				Description: "alg ES256, kid of the issuer's Ed25519 (OKP) key."},
			{Name: "p384-key-es256", Delivery: es256, Make: ktyMismatch(keys.ES384, keys.ES256),
				Description: "alg ES256, kid of the issuer's P-384 (ES384) key: the curve does not match."},
		},
	})
	register(&Case{
		Row: 65, ID: "jwk-metadata-mismatch", Category: CatKeySelection, Expect: ShouldReject,
		Description: "A genuine signature, but the published JWK's metadata forbids this use of the key.",
		Refs:        []string{"RFC 7517 §4.2", "RFC 7517 §4.3", "RFC 7517 §4.4", "OpenID Connect Discovery §3 (jwks_uri)"},
		Variants: []Variant{
			{Name: "use-enc", Delivery: jwksState, Description: "The signing key is published with \"use\":\"enc\".",
				Make: signingJWK(func(k map[string]any) { k["use"] = "enc" })},
			{Name: "key-ops", Delivery: jwksState, Description: "The signing key is published with \"key_ops\":[\"encrypt\"] (and no use).",
				Make: signingJWK(func(k map[string]any) { delete(k, "use"); k["key_ops"] = []string{"encrypt"} })},
			{Name: "jwk-alg", Delivery: jwksState, Description: "The signing key is published with \"alg\":\"RS512\"; the token is RS256.",
				Make: signingJWK(func(k map[string]any) { k["alg"] = "RS512" })},
		},
	})
	register(&Case{
		Row: 66, ID: "jwks-oct-key", Category: CatKeySelection, Expect: MustReject,
		Description: "The published JWKS holds a symmetric {\"kty\":\"oct\"} key with a kid; the token is HS256 under that kid, MAC'd with the now public k. The client registered HS256: its only HMAC key is its client_secret.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 8", "RFC 8725 §3.1"},
		Variants:    []Variant{{Delivery: Delivery{Alg: hs256.Alg, Registration: hs256.Registration, State: jwksState.State}, Make: jwksOctKey}},
	})
	register(&Case{
		Row: 67, ID: "rsa-weak-key", Category: CatKeySelection, Expect: ShouldReject,
		Description: "The issuer's published RS256 key is too small; the token is correctly signed with it.",
		Refs:        []string{"RFC 7518 §3.3", "RFC 8725 §3.2"},
		Variants: []Variant{
			{Name: "1024", Delivery: jwksState, Make: weakKey(1024), Description: "A 1024-bit RSA key."},
			{Name: "512", Expect: MustReject, Delivery: jwksState, Make: weakKey(512), Description: "A 512-bit RSA key (factorable: treat as MUST reject)."},
		},
	})
	register(&Case{
		Row: 68, ID: "kid-injection", Category: CatKeySelection, Expect: MustReject,
		Description: "kid crafted for naive key lookups, with an HS256 MAC under the key such a lookup would yield. The client registered HS256; there must be no observable delay or side effect.",
		Refs:        []string{"RFC 8725 §3.10", "RFC 7515 §4.1.4"},
		Variants: []Variant{
			{Name: "path-traversal", Delivery: hs256, Make: kidInjection(jsonString("../../../../../../dev/null"), ""),
				Description: "kid \"../../../../../../dev/null\"; MAC under an empty key (the file's content)."},
			{Name: "sqli", Delivery: hs256, Make: kidInjection(jsonString("x' UNION SELECT 'AAAA'-- "), "AAAA"),
				Description: "kid \"x' UNION SELECT 'AAAA'-- \"; MAC under \"AAAA\" (what the query returns)."},
			{Name: "cmd", Delivery: hs256, Make: kidInjection(jsonString("x; printf AAAA #"), "AAAA"),
				Description: "kid \"x; printf AAAA #\"; MAC under \"AAAA\" (what a shell lookup such as cat keys/$kid.pem prints)."},
			{Name: "non-string", Delivery: hs256, Make: kidInjection([]byte("0"), ""),
				Description: "kid 0 (a JSON number); MAC under an empty key."},
			{Name: "huge", Delivery: hs256, Make: kidInjection(jsonString(strings.Repeat("k", 10240)), ""),
				Description: "kid of 10 KiB; MAC under an empty key."},
		},
	})
}

var jwksState = Delivery{State: "jwks"}

// secondKey is a second RSA key the issuer publishes for
// kid-absent-multiple (derived: its private half signs nothing).
func secondKey() (*rsa.PrivateKey, error) {
	k, err := keys.Derive("testidp second key", "kid-absent-multiple", keys.RS256, 2048)
	if err != nil {
		return nil, err
	}
	return k.(*rsa.PrivateKey), nil
}

// kidAbsentMultiple is B without kid, and a JWKS of two RSA keys without
// kids, the signing key last.
func kidAbsentMultiple(e *FaultEnv) (*Forged, error) {
	d, s, err := e.BaselineStep(func(d *Draft) { d.Header.Delete("kid") })
	if err != nil {
		return nil, err
	}
	signing, err := e.publishedKey(d.Signer.KeyID())
	if err != nil {
		return nil, err
	}
	delete(signing, "kid")
	priv, err := secondKey()
	if err != nil {
		return nil, err
	}
	jwk, err := publicJWK(&priv.PublicKey, keys.RS256, "")
	if err != nil {
		return nil, err
	}
	other, err := jwkMember(jwk)
	if err != nil {
		return nil, err
	}
	s.JWKS = EncodeJWKS([]map[string]any{other, signing})
	return One(s, nil)
}

// randomKid is a kid no key has (fixed, for stable golden files).
func randomKid(*FaultEnv) (string, error) {
	sum := sha256.Sum256([]byte("testidp random kid"))
	return b64.EncodeToString(sum[:16]), nil
}

// ringKid is the kid of the issuer's key for alg.
func ringKid(alg keys.Alg) func(*FaultEnv) (string, error) {
	return func(e *FaultEnv) (string, error) {
		k, err := e.ActiveKey(alg)
		if err != nil {
			return "", err
		}
		return k.ID, nil
	}
}

// kidUnknown is B signed by the attacker's RSA key under the kid kid gives
// (nil: no kid).
func kidUnknown(kid func(*FaultEnv) (string, error)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		priv, _, err := e.attacker(keys.RS256)
		if err != nil {
			return nil, err
		}
		name := ""
		if kid != nil {
			if name, err = kid(e); err != nil {
				return nil, err
			}
		}
		return e.resigned(privateSigner(priv, keys.RS256, name), nil)
	}
}

// ktyMismatch is B as alg, signed by an attacker key for alg, under the
// kid of the issuer's key for keyAlg.
func ktyMismatch(keyAlg, alg keys.Alg) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		kid, err := ringKid(keyAlg)(e)
		if err != nil {
			return nil, err
		}
		s, err := e.attackerSigner(alg, kid)
		if err != nil {
			return nil, err
		}
		return e.resigned(s, nil)
	}
}

// signingJWK is B with a JWKS in which change edited B's signing key.
func signingJWK(change func(jwk map[string]any)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		d, s, err := e.BaselineStep(nil)
		if err != nil {
			return nil, err
		}
		f, _ := One(s, nil)
		return e.withJWKS(f, func(set []map[string]any) []map[string]any {
			for _, k := range set {
				if k["kid"] == d.Signer.KeyID() {
					change(k)
				}
			}
			return set
		})
	}
}

// jwksOctKey publishes an oct key and MACs B with it, under its kid.
func jwksOctKey(e *FaultEnv) (*Forged, error) {
	k := sha256.Sum256([]byte("testidp jwks-oct-key"))
	kid := "oct-" + b64.EncodeToString(k[:6])
	s, err := macSigner(keys.HS256, k[:])
	if err != nil {
		return nil, err
	}
	s.kid = kid
	f, err := e.resigned(s, nil)
	if err != nil {
		return nil, err
	}
	return e.withJWKS(f, func(set []map[string]any) []map[string]any {
		return append(set, map[string]any{"kty": "oct", "kid": kid, "use": "sig", "alg": "HS256", "k": b64.EncodeToString(k[:])})
	})
}

// weakKey is B signed RS256 by an RSA key of bits bits, which the JWKS
// publishes instead of the issuer's RS256 key.
func weakKey(bits int) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		k, err := keys.Derive("testidp weak rsa", strconv.Itoa(bits), keys.RS256, bits)
		if err != nil {
			return nil, err
		}
		priv := k.(*rsa.PrivateKey)
		weak, kid, err := jwkWithThumbprint(&priv.PublicKey)
		if err != nil {
			return nil, err
		}
		strong, err := e.ActiveKey(keys.RS256)
		if err != nil {
			return nil, err
		}
		f, err := e.resigned(forgedSigner{alg: keys.RS256, kid: kid, sign: func(in []byte) ([]byte, error) {
			return keys.SignWeakRSA(priv, in)
		}}, nil)
		if err != nil {
			return nil, err
		}
		return e.withJWKS(f, func(set []map[string]any) []map[string]any {
			for i, m := range set {
				if m["kid"] == strong.ID {
					set[i] = weak
				}
			}
			return set
		})
	}
}

// jwkWithThumbprint is an RS256 public JWK member whose kid is its
// thumbprint.
func jwkWithThumbprint(pub *rsa.PublicKey) (map[string]any, string, error) {
	kid, err := thumbprint(pub)
	if err != nil {
		return nil, "", err
	}
	jwk, err := publicJWK(pub, keys.RS256, kid)
	if err != nil {
		return nil, "", err
	}
	m, err := jwkMember(jwk)
	return m, kid, err
}

// kidInjection is B as HS256 with the raw kid, MAC'd under key.
func kidInjection(rawKid []byte, key string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		s, err := macSigner(keys.HS256, []byte(key))
		if err != nil {
			return nil, err
		}
		return e.Signed(func(d *Draft) error {
			d.Header.SetString("alg", string(keys.HS256))
			d.Header.SetRaw("kid", rawKid)
			d.Signer = s
			return nil
		})
	}
}

// jsonString is s as a JSON string literal.
func jsonString(s string) []byte { return appendString(nil, s) }

// publishedKey is the issuer's published JWK with the given kid.
func (e *FaultEnv) publishedKey(kid string) (map[string]any, error) {
	ks, err := e.PublicJWKS()
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if k["kid"] == kid {
			return k, nil
		}
	}
	return nil, fmt.Errorf("issuer: key %q is not published", kid)
}
