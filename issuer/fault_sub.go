package issuer

import "strings"

// Subject faults: fault-catalog.md rows 37–38.

func init() {
	register(&Case{
		Row: 37, ID: "sub-missing", Category: CatClaims, Expect: MustReject,
		Description: "sub removed.",
		Refs:        []string{"OpenID Connect Core §2"},
		Variants:    []Variant{{Make: withoutClaim("sub")}},
	})
	register(&Case{
		Row: 38, ID: "sub-malformed", Category: CatClaims, Expect: MustReject,
		Description: "sub is not a string of 1 to 255 ASCII characters.",
		Refs:        []string{"OpenID Connect Core §2", "RFC 7519 §4.1.2", "RFC 8725 §3.8"},
		Variants: []Variant{
			{Name: "number", Description: "sub is the number 12345.", Make: withRawClaim("sub", claimRaw("12345"))},
			{Name: "object", Description: "sub is an object holding the subject: {\"id\": sub}.",
				Make: withRawClaim("sub", func(e *FaultEnv, _ *Draft) string { return `{"id":` + jsonQuote(e.baseSubject()) + "}" })},
			{Name: "null", Description: "sub is null.", Make: withRawClaim("sub", claimRaw("null"))},
			{Name: "empty", Expect: ShouldReject, Description: "sub is the empty string.",
				Make: withRawClaim("sub", claimRaw(`""`))},
			{Name: "too-long", Expect: ShouldReject, Description: "sub is 256 ASCII characters (the subject, padded), one more than Core allows.",
				Make: withRawClaim("sub", func(e *FaultEnv, _ *Draft) string { return jsonQuote(tooLongSub(e.baseSubject())) })},
		},
	})
}

// maxSubLen is the longest sub Core §2 allows.
const maxSubLen = 255

// tooLongSub is sub padded with "-" and hex digits to maxSubLen+1 ASCII
// characters (or cut to that length).
func tooLongSub(sub string) string {
	s := sub + "-" + strings.Repeat("0123456789abcdef", (maxSubLen+16)/16)
	return s[:maxSubLen+1]
}
