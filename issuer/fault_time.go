package issuer

import (
	"strconv"
	"time"
)

// Time-claim faults: fault-catalog.md rows 39–46 (exp, nbf, iat and their
// NumericDate encoding).

func init() {
	register(&Case{
		Row: 39, ID: "exp-past", Category: CatClaims, Expect: MustReject,
		Description: "exp is now − 360 s, beyond normal leeway (the FAPI test uses six minutes).",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 9", "RFC 7519 §4.1.4"},
		Variants: []Variant{
			{Make: withRawClaim("exp", unixAt(-360*time.Second))},
			{Name: "epoch", Description: "exp is 0.", Make: withRawClaim("exp", claimRaw("0"))},
			{Name: "negative", Description: "exp is −1.", Make: withRawClaim("exp", claimRaw("-1"))},
		},
	})
	register(&Case{
		Row: 40, ID: "exp-missing", Category: CatClaims, Expect: MustReject,
		Description: "exp is absent or null.",
		Refs:        []string{"OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7 step 9"},
		Variants: []Variant{
			{Name: "absent", Description: "No exp member.", Make: withoutClaim("exp")},
			{Name: "null", Description: "exp is null.", Make: withRawClaim("exp", claimRaw("null"))},
		},
	})
	register(&Case{
		Row: 41, ID: "clock-skew-tolerated", Category: CatClaims, Expect: ShouldAccept,
		Description: "Valid apart from a small clock offset; zero-leeway verifiers are strict, not insecure.",
		Refs:        []string{"RFC 7519 §4.1.4", "RFC 7519 §4.1.5", "OpenID Connect Core §3.1.3.7 step 10"},
		Variants: []Variant{
			{Name: "exp-30s-ago", Description: "exp is now − 30 s.", Make: withRawClaim("exp", unixAt(-30*time.Second))},
			{Name: "iat-30s-ahead", Description: "iat is now + 30 s.", Make: withRawClaim("iat", unixAt(30*time.Second))},
			{Name: "nbf-30s-ahead", Description: "nbf is now + 30 s.", Make: withRawClaim("nbf", unixAt(30*time.Second))},
		},
	})
	register(&Case{
		Row: 42, ID: "numericdate-string", Category: CatClaims, Expect: MustReject,
		Description: "A time claim with another JSON type than number.",
		Refs:        []string{"RFC 7519 §2", "RFC 7519 §4.1.4–4.1.6", "OpenID Connect Core §2"},
		Variants:    numericDateVariants(),
	})
	register(&Case{
		Row: 43, ID: "numericdate-float", Category: CatClaims, Expect: ShouldAccept,
		Description: "Valid times written as non-integer NumericDates: exp = now + 300.5, iat = now − 0.25.",
		Refs:        []string{"RFC 7519 §2"},
		Variants: []Variant{
			{Make: func(e *FaultEnv) (*Forged, error) {
				return e.Signed(func(d *Draft) error {
					d.Payload.SetRaw("exp", []byte(strconv.FormatFloat(claimSeconds(d, "exp")+0.5, 'f', -1, 64)))
					d.Payload.SetRaw("iat", []byte(strconv.FormatFloat(claimSeconds(d, "iat")-0.25, 'f', -1, 64)))
					return nil
				})
			}},
			{Name: "exponent", Description: "exp is the baseline's (now + 300 s) written in E-notation.",
				Make: withRawClaim("exp", func(_ *FaultEnv, d *Draft) string {
					return strconv.FormatFloat(claimSeconds(d, "exp"), 'E', -1, 64)
				})},
		},
	})
	register(&Case{
		Row: 44, ID: "nbf-future", Category: CatClaims, Expect: MustReject,
		Description: "nbf is now + 3600 s; all else valid.",
		Refs:        []string{"RFC 7519 §4.1.5"},
		Variants:    []Variant{{Make: withRawClaim("nbf", unixAt(time.Hour))}},
	})
	register(&Case{
		Row: 45, ID: "iat-missing", Category: CatClaims, Expect: MustReject,
		Description: "iat is absent or null.",
		Refs:        []string{"OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7 step 10"},
		Variants: []Variant{
			{Name: "absent", Description: "No iat member.", Make: withoutClaim("iat")},
			{Name: "null", Description: "iat is null.", Make: withRawClaim("iat", claimRaw("null"))},
		},
	})
	register(&Case{
		Row: 46, ID: "iat-out-of-window", Category: CatClaims, Expect: ShouldReject,
		Description: "iat far from now (the window is relying-party policy).",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 10", "CVE-2020-26244"},
		Variants: []Variant{
			{Name: "future", Description: "iat is now + 3600 s.", Make: withRawClaim("iat", unixAt(time.Hour))},
			{Name: "week-old", Description: "iat is now − 7 days while exp is still in the future.",
				Make: withRawClaim("iat", unixAt(-7*24*time.Hour))},
		},
	})
}

// numericDateVariants: each wrong JSON type for exp (named as in the
// catalog), then the same for iat and nbf (prefixed with the claim). The
// value is the baseline's own time (nbf: the baseline's iat) in that type,
// so the type is the only defect.
func numericDateVariants() []Variant {
	kinds := []struct{ name, desc string }{
		{"string-digits", "the decimal digits of the time as a JSON string"},
		{"iso8601", "the time as an ISO 8601 string"},
		{"bool", "true"},
		{"object", `an object {"seconds": time}`},
	}
	var out []Variant
	for _, claim := range []string{"exp", "iat", "nbf"} {
		for _, k := range kinds {
			name := k.name
			if claim != "exp" {
				name = claim + "-" + k.name
			}
			out = append(out, Variant{Name: name, Description: claim + " is " + k.desc + ".",
				Make: withRawClaim(claim, numericDateAs(claim, k.name))})
		}
	}
	return out
}

// numericDateAs writes the baseline's time for claim (nbf: iat's) as kind.
func numericDateAs(claim, kind string) func(*FaultEnv, *Draft) string {
	return func(_ *FaultEnv, d *Draft) string {
		src := claim
		if claim == "nbf" {
			src = "iat"
		}
		digits, _ := d.Payload.Get(src)
		switch kind {
		case "string-digits":
			return `"` + string(digits) + `"`
		case "iso8601":
			n, _ := strconv.ParseInt(string(digits), 10, 64)
			return jsonQuote(time.Unix(n, 0).UTC().Format(time.RFC3339))
		case "bool":
			return "true"
		}
		return `{"seconds":` + string(digits) + "}"
	}
}

// claimSeconds is the baseline's integer time claim name as a float.
func claimSeconds(d *Draft, name string) float64 {
	raw, _ := d.Payload.Get(name)
	f, _ := strconv.ParseFloat(string(raw), 64)
	return f
}
