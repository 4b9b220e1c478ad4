package issuer

import "fmt"

// Key-selection faults: fault-catalog.md rows 61–68.

func init() {
	register(&Case{
		Row: 61, ID: "kid-absent-single", Category: CatKeySelection, Expect: MustAccept,
		Description: "The JWKS holds exactly one key usable with the token's alg, without kid; the header has no kid.",
		Refs:        []string{"OpenID Connect Core §10.1", "RFC 7515 §4.1.4"},
		Variants: []Variant{{Delivery: Delivery{State: "jwks"}, Make: func(e *FaultEnv) (*Forged, error) {
			d, err := e.Baseline()
			if err != nil {
				return nil, err
			}
			d.Header.Delete("kid")
			s, err := e.Step(d)
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
}

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
