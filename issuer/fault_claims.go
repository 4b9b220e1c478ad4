package issuer

// Claims faults: fault-catalog.md rows 28–51.

func init() {
	register(&Case{
		Row: 28, ID: "iss-wrong", Category: CatClaims, Expect: MustReject,
		Description: "iss names another issuer.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 2", "RFC 8725 §3.8"},
		Variants: []Variant{
			{Name: "other", Description: "iss is https://example.org/ (as the old OpenID RP test tool did).",
				Make: setClaim("iss", func(e *FaultEnv) any { return "https://example.org/" })},
			{Name: "suffix", Description: "iss is the issuer with \"1\" appended (as the OpenID Foundation suite does).",
				Make: setClaim("iss", func(e *FaultEnv) any { return e.Issuer.URL + "1" })},
		},
	})
}

// setClaim re-signs the baseline with one claim replaced by value(e).
func setClaim(name string, value func(e *FaultEnv) any) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		return e.Signed(func(d *Draft) error { return d.Payload.Set(name, value(e)) })
	}
}
