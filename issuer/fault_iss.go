package issuer

import (
	"net"
	"strings"
)

// Issuer faults: fault-catalog.md rows 29–30 (row 28 is in fault_claims.go).

func init() {
	register(&Case{
		Row: 29, ID: "iss-missing", Category: CatClaims, Expect: MustReject,
		Description: "iss is absent, null or empty.",
		Refs:        []string{"OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7 step 2"},
		Variants: []Variant{
			{Name: "absent", Description: "No iss member.", Make: withoutClaim("iss")},
			{Name: "null", Description: "iss is null.", Make: withRawClaim("iss", claimRaw("null"))},
			{Name: "empty", Description: "iss is the empty string.", Make: withRawClaim("iss", claimRaw(`""`))},
		},
	})
	register(&Case{
		Row: 30, ID: "iss-near-miss", Category: CatClaims, Expect: MustReject,
		Description: "iss differs from the issuer only in a way a normalising or substring comparison forgives.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 2", "RFC 7519 §2", "CVE-2024-53861"},
		Variants: []Variant{
			nearMiss("trailing-slash", "iss is the issuer with a trailing slash added (or removed when it has one).", issTrailingSlash),
			nearMiss("case", "iss is the issuer with scheme and host upper-cased.", issUpperHost),
			nearMiss("default-port", "iss is the issuer with the scheme's default port made explicit (:443 for https).", issDefaultPort),
			nearMiss("prefix", "iss is the issuer followed by /tenant2: the issuer is a prefix of it.", func(u string) (string, error) {
				return strings.TrimSuffix(u, "/") + "/tenant2", nil
			}),
			nearMiss("substring", "iss is the issuer without its scheme (a strict substring of it, the form Google once used).", issNoScheme),
			{Name: "array", Description: "iss is a one-element array holding the issuer.",
				Make: withRawClaim("iss", func(e *FaultEnv, _ *Draft) string { return "[" + jsonQuote(e.Issuer.URL) + "]" })},
		},
	})
}

// nearMiss is a variant whose iss is change(issuer).
func nearMiss(name, desc string, change func(string) (string, error)) Variant {
	return Variant{Name: name, Description: desc, Make: func(e *FaultEnv) (*Forged, error) {
		iss, err := change(e.Issuer.URL)
		if err != nil {
			return nil, err
		}
		if iss == e.Issuer.URL {
			return nil, wrapNeeds("the issuer " + e.Issuer.URL + " has no such near miss")
		}
		return e.Signed(func(d *Draft) error {
			d.Payload.SetString("iss", iss)
			return nil
		})
	}}
}

func issTrailingSlash(u string) (string, error) {
	if strings.HasSuffix(u, "/") {
		return strings.TrimSuffix(u, "/"), nil
	}
	return u + "/", nil
}

// splitIssuer cuts an issuer URL into scheme, host[:port] and the rest.
func splitIssuer(u string) (scheme, host, rest string, err error) {
	scheme, after, ok := strings.Cut(u, "://")
	if !ok || scheme == "" {
		return "", "", "", wrapNeeds("the issuer " + u + " is not an absolute URL")
	}
	host, rest = after, ""
	if i := strings.IndexByte(after, '/'); i >= 0 {
		host, rest = after[:i], after[i:]
	}
	return scheme, host, rest, nil
}

func issUpperHost(u string) (string, error) {
	scheme, host, rest, err := splitIssuer(u)
	return strings.ToUpper(scheme) + "://" + strings.ToUpper(host) + rest, err
}

func issNoScheme(u string) (string, error) {
	_, host, rest, err := splitIssuer(u)
	return host + rest, err
}

// issDefaultPort adds the scheme's default port, or removes it when the
// issuer spells it out; an issuer on another port has no such near miss.
func issDefaultPort(u string) (string, error) {
	scheme, host, rest, err := splitIssuer(u)
	if err != nil {
		return "", err
	}
	def := map[string]string{"https": "443", "http": "80"}[strings.ToLower(scheme)]
	if def == "" {
		return "", wrapNeeds("no default port for scheme " + scheme)
	}
	name, port, err := net.SplitHostPort(host)
	switch {
	case err != nil: // no port
		return scheme + "://" + net.JoinHostPort(strings.Trim(host, "[]"), def) + rest, nil
	case port == def:
		if strings.Contains(name, ":") {
			name = "[" + name + "]"
		}
		return scheme + "://" + name + rest, nil
	}
	return "", wrapNeeds("the issuer " + u + " uses port " + port + ", so no default-port spelling of it exists")
}
