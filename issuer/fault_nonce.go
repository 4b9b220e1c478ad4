package issuer

// Nonce faults: fault-catalog.md rows 73–75.

func init() {
	register(&Case{
		Row: 73, ID: "nonce-mismatch", Category: CatNonce, Expect: MustReject,
		Description: "nonce differs from the one the relying party sent (Step.Nonce).",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 11", "OpenID Connect Core §3.2.2.11", "OpenID Connect Core §3.3.2.12", "CVE-2024-10318"},
		Variants: []Variant{
			{Name: "other", Description: "nonce is \"012345678\" (as the old OpenID RP test tool did).",
				Make: nonceRaw(func(string) string { return `"012345678"` })},
			{Name: "suffix", Description: "nonce is the sent value with \"1\" appended (as the OpenID Foundation suite does).",
				Make: nonceRaw(func(n string) string { return jsonQuote(n + "1") })},
			{Name: "case", Description: "nonce is the sent value with the case of its letters swapped.",
				Make: nonceCase},
			{Name: "other-session", Description: "nonce is the genuine nonce of another login of the same relying party (a concurrent session); this login sent Step.Nonce.",
				Make: nonceOtherSession},
			{Name: "number", Description: "nonce is the number 12345678.",
				Make: nonceRaw(func(string) string { return "12345678" })},
			{Name: "array", Description: "nonce is a one-element array holding the sent value.",
				Make: nonceRaw(func(n string) string { return "[" + jsonQuote(n) + "]" })},
		},
	})
	register(&Case{
		Row: 74, ID: "nonce-missing", Category: CatNonce, Expect: MustReject,
		Description: "The relying party sent a nonce (Step.Nonce); the token's is absent, null or empty.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 11", "OpenID Connect Core §3.2.2.10", "OpenID Connect Core §3.3.2.11"},
		Variants: []Variant{
			{Name: "absent", Description: "No nonce member.", Make: nonceEdit(func(d *Draft) { d.Payload.Delete("nonce") })},
			{Name: "null", Description: "nonce is null.", Make: nonceRaw(func(string) string { return "null" })},
			{Name: "empty", Description: "nonce is the empty string.", Make: nonceRaw(func(string) string { return `""` })},
		},
	})
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

// nonceEdit re-signs the baseline ID token changed by edit.
func nonceEdit(edit func(d *Draft)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken("carry no nonce"); err != nil {
			return nil, err
		}
		return e.Signed(func(d *Draft) error {
			edit(d)
			return nil
		})
	}
}

// nonceRaw sets the token's nonce to the raw JSON value(sent nonce).
func nonceRaw(value func(sent string) string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		sent := e.Nonce()
		return nonceEdit(func(d *Draft) { d.Payload.SetRaw("nonce", []byte(value(sent))) })(e)
	}
}

// nonceOtherSession: one step whose token carries the nonce of another login
// of the relying party, while Step.Nonce is this login's. (A first step
// delivering the other login's token would make the case a replay, which a
// verifier could reject for the wrong reason.)
func nonceOtherSession(e *FaultEnv) (*Forged, error) {
	other := otherSessionNonce(e.Nonce())
	f, err := nonceRaw(func(string) string { return jsonQuote(other) })(e)
	if err != nil {
		return nil, err
	}
	f.Steps[0].Note = "the token carries the nonce " + other + " of another login"
	return f, nil
}

// otherSessionNonce is a nonce of the same shape as sent, of another login.
func otherSessionNonce(sent string) string {
	n := max(len(sent), 12)
	other := faultValue("other session nonce", n)[:n]
	if other == sent {
		other = sameLengthOther(other)
	}
	return other
}

func nonceCase(e *FaultEnv) (*Forged, error) {
	if n := e.Nonce(); n != "" && swapLetterCase(n) == n {
		return nil, wrapNeeds("the nonce " + n + " has no letters to change the case of")
	}
	return nonceRaw(func(n string) string { return jsonQuote(swapLetterCase(n)) })(e)
}
