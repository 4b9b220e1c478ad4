package issuer

import (
	"github.com/testidp/testidp/keys"
)

// Signature faults: fault-catalog.md rows 1–14.

func init() {
	register(&Case{
		Row: 1, ID: "baseline-valid", Category: CatSignature, Expect: MustAccept,
		Description: "A valid token, exactly the baseline B, one variant per algorithm.",
		Refs:        []string{"OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7"},
		Variants:    algVariants(Delivery{}, nil),
	})
	register(&Case{
		Row: 2, ID: "sig-invalid", Category: CatSignature, Expect: MustReject,
		Description: "Signature corrupted with its length kept (every byte XOR 0x5A).",
		Refs:        []string{"RFC 7515 §5.2", "OpenID Connect Core §3.1.3.7 step 6", "OpenID Connect Core §3.2.2.11"},
		Variants: append(algVariants(Delivery{FrontChannel: true}, xor5A), Variant{
			Name: "plus-expired", Delivery: Delivery{FrontChannel: true},
			Description: "Signature corrupted and exp in the past: an \"expired\" error must not lead to trusting the claims (CVE-2024-51744 pattern).",
			Make: func(e *FaultEnv) (*Forged, error) {
				d, err := e.Baseline()
				if err != nil {
					return nil, err
				}
				d.Payload.SetInt("exp", e.Issuer.Now().Add(-360e9).Unix())
				s, err := e.Step(d)
				if err != nil {
					return nil, err
				}
				return One(mutateSignature(s, xor5A))
			},
		}),
	})
}

// algVariants makes one variant per signing algorithm: the baseline signed
// with it, then its signature passed through corrupt (nil: left valid).
func algVariants(dl Delivery, corrupt func([]byte) []byte) []Variant {
	var out []Variant
	for _, alg := range []keys.Alg{keys.RS256, keys.PS256, keys.ES256, keys.ES384, keys.EdDSA, keys.HS256} {
		d := dl
		d.Alg = string(alg)
		if alg == keys.HS256 {
			d.Registration = "HS256"
		}
		out = append(out, Variant{Name: string(alg), Delivery: d, Make: func(e *FaultEnv) (*Forged, error) {
			dr, err := e.withAlg(alg)
			if err != nil {
				return nil, err
			}
			s, err := e.Step(dr)
			if err != nil || corrupt == nil {
				return One(s, err)
			}
			return One(mutateSignature(s, corrupt))
		}})
	}
	return out
}
