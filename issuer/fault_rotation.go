package issuer

import "github.com/testidp/testidp/keys"

// Rotation faults: fault-catalog.md rows 69–72.

func init() {
	register(&Case{
		Row: 69, ID: "rotation-new-kid", Category: CatRotation, Expect: MustAccept,
		Description: "After a first token was verified (and the JWKS cached), the issuer publishes a new key under a new kid and signs the next token with it.",
		Refs:        []string{"OpenID Connect Core §10.1.1"},
		Variants: []Variant{{Delivery: Delivery{State: "rotation"}, Make: func(e *FaultEnv) (*Forged, error) {
			if e.Rotate == nil {
				return nil, errNeedsRotation
			}
			first, err := e.Baseline()
			if err != nil {
				return nil, err
			}
			s1, err := e.Step(first)
			if err != nil {
				return nil, err
			}
			s1.Note = "signed with the key in use before the rotation"
			if err := e.Rotate(keys.Alg(first.Signer.Algorithm())); err != nil {
				return nil, err
			}
			second, err := e.Baseline()
			if err != nil {
				return nil, err
			}
			s2, err := e.Step(second)
			s2.Note = "signed with the new key"
			return &Forged{Steps: []Step{s1, s2}}, err
		}}},
	})
}

var errNeedsRotation = wrapNeeds("the key ring must be rotatable (the mint API and the conformance runner provide it)")
