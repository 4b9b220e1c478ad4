package issuer

// Audience and authorized-party faults: fault-catalog.md rows 31–36.

func init() {
	register(&Case{
		Row: 31, ID: "aud-wrong", Category: CatClaims, Expect: MustReject,
		Description: "aud does not name the client.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 3", "RFC 7519 §4.1.3", "RFC 8725 §3.9"},
		Variants: []Variant{
			{Name: "other", Description: "aud is https://example.com/ (as the old OpenID RP test tool did).",
				Make: withRawClaim("aud", claimRaw(`"https://example.com/"`))},
			{Name: "suffix", Description: "aud is the client_id with \"1\" appended (as the OpenID Foundation suite does).",
				Make: withRawClaim("aud", func(e *FaultEnv, _ *Draft) string { return jsonQuote(e.baseClientID() + "1") })},
			{Name: "case", Description: "aud is the client_id with the case of its letters swapped.", Make: audSwapCase},
			{Name: "other-array", Description: "aud is [\"someone-else\"].",
				Make: withRawClaim("aud", claimRaw(`["someone-else"]`))},
		},
	})
	register(&Case{
		Row: 32, ID: "aud-missing-or-empty", Category: CatClaims, Expect: MustReject,
		Description: "aud is absent, null, empty, or holds no usable audience.",
		Refs:        []string{"OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7 step 3", "RFC 8725 §3.9", "CVE-2020-26160"},
		Variants: []Variant{
			{Name: "absent", Description: "No aud member.", Make: withoutClaim("aud")},
			{Name: "null", Description: "aud is null.", Make: withRawClaim("aud", claimRaw("null"))},
			{Name: "empty-string", Description: "aud is \"\".", Make: withRawClaim("aud", claimRaw(`""`))},
			{Name: "empty-array", Description: "aud is [].", Make: withRawClaim("aud", claimRaw(`[]`))},
			{Name: "array-of-empty", Description: "aud is [\"\"].", Make: withRawClaim("aud", claimRaw(`[""]`))},
			{Name: "non-string", Description: "aud is [42].", Make: withRawClaim("aud", claimRaw(`[42]`))},
		},
	})
	register(&Case{
		Row: 33, ID: "aud-extra-untrusted", Category: CatClaims, Expect: MustReject,
		Description: "aud is [client_id, client_id + \"1\"]; the second audience is unknown to the relying party.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 3", "OpenID Connect Core §3.1.3.7 step 4 (errata 1)"},
		Variants: []Variant{
			{Name: "azp-client", Description: "aud is [client_id, client_id + \"1\"] and azp is the client_id.",
				Make: audMulti(func(cid string) []string { return []string{cid, cid + "1"} }, true)},
			{Name: "no-azp", Description: "aud is [client_id, client_id + \"1\"] without azp.",
				Make: audMulti(func(cid string) []string { return []string{cid, cid + "1"} }, false)},
		},
	})
	register(&Case{
		Row: 34, ID: "aud-array-single", Category: CatClaims, Expect: MustAccept,
		Description: "aud is [client_id], a one-element array; all else valid.",
		Refs:        []string{"RFC 7519 §4.1.3", "OpenID Connect Core §3.1.3.7 step 3"},
		Variants: []Variant{{Make: withRawClaim("aud", func(e *FaultEnv, _ *Draft) string {
			return "[" + jsonQuote(e.baseClientID()) + "]"
		})}},
	})
	register(aud35)
	register(&Case{
		Row: 36, ID: "azp-mismatch", Category: CatClaims, Expect: ShouldReject,
		Description: "azp names another party than the client.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 5", "OpenID Connect Core §12.2"},
		Variants: []Variant{
			{Name: "multi", Description: "aud is [client_id, \"other\"] and azp is \"other\".",
				Make: audAZP(func(cid string) []string { return []string{cid, "other"} }, "other")},
			{Name: "single", Description: "aud is the client_id and azp is \"other\".",
				Make: audAZP(nil, "other")},
		},
	})
}

var aud35 = &Case{
	Row: 35, ID: "aud-multi-trusted-azp", Category: CatClaims, Expect: ShouldAccept,
	Description: "Several audiences the relying party trusts, with azp naming the client.",
	Refs:        []string{"OpenID Connect Core §3.1.3.7 steps 3–5"},
	Variants: []Variant{
		{Name: "trusted-extra", Delivery: Delivery{Registration: "trusted-audience"},
			Description: "aud is [client_id, X] where X is an audience the relying party trusts (Step.TrustedAudiences), and azp is the client_id. Without that setting this is aud-extra-untrusted.",
			Make: func(e *FaultEnv) (*Forged, error) {
				trusted := e.baseClientID() + "-api"
				f, err := audMulti(func(cid string) []string { return []string{cid, trusted} }, true)(e)
				if err != nil {
					return nil, err
				}
				f.Steps[0].TrustedAudiences = []string{trusted}
				f.Steps[0].Note = "the relying party trusts the audience " + trusted
				return f, nil
			}},
		{Name: "single-with-azp", Expect: MustAccept, Description: "aud is the client_id and azp is the client_id.",
			Make: func(e *FaultEnv) (*Forged, error) { return audAZP(nil, e.baseClientID())(e) }},
	},
}

func audSwapCase(e *FaultEnv) (*Forged, error) {
	cid := e.baseClientID()
	if swapLetterCase(cid) == cid {
		return nil, wrapNeeds("the client_id " + cid + " has no letters to change the case of")
	}
	return e.Signed(func(d *Draft) error {
		d.Payload.SetString("aud", swapLetterCase(cid))
		return nil
	})
}

// audMulti is the baseline ID token with aud = auds(client_id), and azp =
// client_id when withAZP.
func audMulti(auds func(cid string) []string, withAZP bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		azp := ""
		if withAZP {
			azp = e.baseClientID()
		}
		return audAZP(auds, azp)(e)
	}
}

// audAZP is the baseline ID token with aud = auds(client_id) (nil: the
// client_id alone) and azp (empty: none). Several audiences and azp are ID
// token matters: access tokens may name several resource servers.
func audAZP(auds func(cid string) []string, azp string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken("may name several audiences and carry no azp (RFC 9068)"); err != nil {
			return nil, err
		}
		d, err := e.BaselineWith(func(s *IDToken) {
			if auds != nil {
				s.Audience = auds(s.ClientID)
			}
			s.AZP = azp
		})
		if err != nil {
			return nil, err
		}
		return One(e.Step(d))
	}
}
