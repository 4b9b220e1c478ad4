package issuer

import (
	"strings"

	"github.com/testidp/testidp/keys"
)

// Serialization-shape faults: fault-catalog.md rows 55–56 (the number of
// compact parts, and the JWS JSON serializations).

func init() {
	register(&Case{
		Row: 55, ID: "segment-count", Category: CatEncoding, Expect: MustReject,
		Description: "The compact token has another number of parts than three.",
		Refs:        []string{"RFC 7515 §7.1", "RFC 7515 Appendix F", "RFC 7516 §7.1", "RFC 7519 §7.2"},
		Variants: []Variant{
			segVariant("four", "A fourth part after the valid token: h.p.s.x (x = base64url of \"x\").", func(h, p, s string) string { return h + "." + p + "." + s + ".eA" }),
			segVariant("five-jws", "Five parts (the JWE count) but a JWS header: h.p.s.x.x.", func(h, p, s string) string { return h + "." + p + "." + s + ".eA.eA" }),
			segVariant("one", "One part: the payload alone.", func(_, p, _ string) string { return p }),
			segVariant("leading-dot", "A dot before the valid token: .h.p.s.", func(h, p, s string) string { return "." + h + "." + p + "." + s }),
			{Name: "empty-header", Description: "No header: .p.s, signed with the issuer's key over \".p\".", Make: segEmptyHeader},
			segVariant("empty-payload", "The detached-content form h..s (RFC 7515 Appendix F): the valid signature over h.p with the payload left out.",
				func(h, _, s string) string { return h + ".." + s }),
		},
	})
	register(&Case{
		Row: 56, ID: "json-serialization", Category: CatEncoding, Expect: MustReject,
		Description: "The token in the JWS JSON serialization instead of the compact one.",
		Refs:        []string{"RFC 7519 §1", "RFC 7515 §4.1.1", "draft-ietf-oauth-rfc8725bis (JWT Format Confusion)", "CVE-2022-39227", "CVE-2016-9122"},
		Variants: []Variant{
			jsonVariant("flattened", "The flattened JSON serialization of the valid token: {\"protected\", \"payload\", \"signature\"}.",
				func(_ *FaultEnv, h, p, s string) (string, error) {
					return `{"protected":"` + h + `","payload":"` + p + `","signature":"` + s + `"}`, nil
				}),
			jsonVariant("general-two-sigs", "The general JSON serialization with the issuer's valid signature and a second one by an attacker key under another protected header.", twoSigs),
			{Name: "unprotected-alg", Description: "Flattened JSON serialization whose protected header has no alg; alg (and kid) are only in the unprotected header member. Signed with the issuer's key.",
				Make: unprotectedAlg},
			jsonVariant("polyglot", "The flattened JSON serialization of the valid token whose first member name is a compact-looking \"h.p'.\" with a forged payload p' (sub \"admin\"): a parser that splits on dots reads p', the JSON parser verifies p (CVE-2022-39227).", polyglot),
		},
	})
}

// signedBaselineParts signs the baseline and returns its three parts.
func signedBaselineParts(e *FaultEnv) (Step, [3]string, error) {
	_, s, err := e.BaselineStep(nil)
	if err != nil {
		return s, [3]string{}, err
	}
	h, p, sig, err := splitJWS(s.Token)
	return s, [3]string{h, p, sig}, err
}

// segVariant rearranges the parts of the valid token.
func segVariant(name, desc string, join func(h, p, s string) string) Variant {
	return Variant{Name: name, Description: desc, Make: func(e *FaultEnv) (*Forged, error) {
		s, parts, err := signedBaselineParts(e)
		if err != nil {
			return nil, err
		}
		s.Token = join(parts[0], parts[1], parts[2])
		switch name {
		case "one":
			s.Header = nil
		case "empty-payload":
			s.Payload = nil
		}
		return One(s, nil)
	}}
}

func segEmptyHeader(e *FaultEnv) (*Forged, error) {
	d, err := e.Baseline()
	if err != nil {
		return nil, err
	}
	return One(e.RawStep(nil, d.Payload.AppendJSON(nil), d.Signer))
}

// jsonVariant wraps the valid token's parts in a JSON document.
func jsonVariant(name, desc string, doc func(e *FaultEnv, h, p, s string) (string, error)) Variant {
	return Variant{Name: name, Description: desc, Make: func(e *FaultEnv) (*Forged, error) {
		s, parts, err := signedBaselineParts(e)
		if err != nil {
			return nil, err
		}
		s.Token, err = doc(e, parts[0], parts[1], parts[2])
		return One(s, err)
	}}
}

func twoSigs(e *FaultEnv, h, p, s string) (string, error) {
	attacker, err := e.AttackerKey(keys.RS256, "json-serialization")
	if err != nil {
		return "", err
	}
	h2 := b64.EncodeToString([]byte(`{"alg":"RS256","kid":"attacker","typ":"JWT"}`))
	sig2, err := keys.SignWith(attacker, keys.RS256, []byte(h2+"."+p))
	if err != nil {
		return "", err
	}
	return `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","signature":"` + s +
		`"},{"protected":"` + h2 + `","signature":"` + b64.EncodeToString(sig2) + `"}]}`, nil
}

// unprotectedAlg moves alg and kid from the protected header to the
// unprotected one and signs over the remaining protected header.
func unprotectedAlg(e *FaultEnv) (*Forged, error) {
	d, err := e.Baseline()
	if err != nil {
		return nil, err
	}
	if d.Signer == nil {
		return nil, wrapNeeds("an unsigned token has no alg to move")
	}
	var unprotected Claims
	for _, name := range []string{"alg", "kid"} {
		if v, ok := d.Header.Get(name); ok {
			unprotected.SetRaw(name, v)
		}
		d.Header.Delete(name)
	}
	s, err := e.RawStep(d.Header.AppendJSON(nil), d.Payload.AppendJSON(nil), d.Signer)
	if err != nil {
		return nil, err
	}
	h, p, sig, err := splitJWS(s.Token)
	s.Token = `{"protected":"` + h + `","header":` + string(unprotected.AppendJSON(nil)) +
		`,"payload":"` + p + `","signature":"` + sig + `"}`
	return One(s, err)
}

func polyglot(e *FaultEnv, h, p, s string) (string, error) {
	raw, err := b64.DecodeString(p)
	if err != nil {
		return "", err
	}
	forged := strings.Replace(string(raw), `"sub":`+jsonQuote(e.baseSubject()), `"sub":"admin"`, 1)
	if forged == string(raw) {
		return "", wrapNeeds("the baseline payload has no plain sub to forge")
	}
	return `{"` + h + "." + b64.EncodeToString([]byte(forged)) + `.":"","protected":"` + h +
		`","payload":"` + p + `","signature":"` + s + `"}`, nil
}
