package issuer

// Nonce faults: fault-catalog.md rows 73–75.

func init() {
	register(&Case{
		Row: 75, ID: "nonce-replay", Category: CatNonce, Expect: ShouldReject,
		Description: "A token already accepted for an earlier, completed login is delivered again.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 11", "OpenID Connect Core §15.5.2"},
		Variants: []Variant{
			{Name: "same-callback-twice", Delivery: Delivery{State: "nonce-replay"},
				Description: "The same token is delivered twice to the same callback.",
				Make: func(e *FaultEnv) (*Forged, error) {
					s, err := e.idStep()
					if err != nil {
						return nil, err
					}
					first, again := s, s
					first.Note, again.Note = "first delivery (accepted)", "the same token again"
					return &Forged{Steps: []Step{first, again}}, nil
				}},
			{Name: "new-login-attempt", Delivery: Delivery{State: "nonce-replay"},
				Description: "A token of a completed login is delivered during a new login, which sent a new nonce.",
				Make: func(e *FaultEnv) (*Forged, error) {
					s, err := e.idStep()
					if err != nil {
						return nil, err
					}
					first, again := s, s
					first.Note = "the first login (accepted)"
					again.Nonce = s.Nonce + "-second-login"
					again.Note = "a new login sent a new nonce; the old token arrives"
					return &Forged{Steps: []Step{first, again}}, nil
				}},
		},
	})
}

// idStep is the signed baseline ID token (nonce cases make no sense for
// access tokens).
func (e *FaultEnv) idStep() (Step, error) {
	d, err := e.BaselineWith(func(*IDToken) {})
	if err != nil {
		return Step{}, err
	}
	return e.Step(d)
}
