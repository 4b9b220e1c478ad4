package issuer

import (
	"time"
	"unicode/utf16"

	"github.com/testidp/testidp/keys"
)

// JSON-text faults: fault-catalog.md rows 57–60 (a payload that is not one
// JSON object, is not plain UTF-8, or repeats a member; a header that
// repeats alg). Every token is correctly signed over its exact bytes.

func init() {
	register(&Case{
		Row: 57, ID: "not-json-object", Category: CatEncoding, Expect: MustReject,
		Description: "Correctly signed, but the payload decodes to something other than one JSON object.",
		Refs:        []string{"RFC 7519 §7.2", "RFC 7515 §5.2"},
		Variants: []Variant{
			payloadVariant("not-json", "The baseline's claims without the closing brace (truncated JSON).", func(_ *FaultEnv, b []byte) []byte { return b[:len(b)-1] }),
			payloadVariant("array", "A JSON array holding the baseline's claims object.", func(_ *FaultEnv, b []byte) []byte { return append(append([]byte("["), b...), ']') }),
			{Name: "string", Description: "A JSON string holding the compact valid token (a JWT inside a JWT, without cty).", Make: payloadIsJWT},
			payloadVariant("number", "The JSON number 42.", func(*FaultEnv, []byte) []byte { return []byte("42") }),
			payloadVariant("null", "The JSON literal null.", func(*FaultEnv, []byte) []byte { return []byte("null") }),
			payloadVariant("trailing-garbage", "The baseline's claims followed by xyz.", func(_ *FaultEnv, b []byte) []byte { return append(b, "xyz"...) }),
			payloadVariant("two-objects", "The baseline's claims object twice in a row.", func(_ *FaultEnv, b []byte) []byte { return append(b, b...) }),
		},
	})
	register(&Case{
		Row: 58, ID: "non-utf8-json", Category: CatEncoding, Expect: MustReject,
		Description: "Correctly signed, but the payload JSON is not plain UTF-8.",
		Refs:        []string{"RFC 8725 §2.6", "RFC 8725 §3.7", "RFC 7519 §7.2", "RFC 8259 §8.1"},
		Variants: []Variant{
			payloadVariant("utf16le", "The baseline's claims encoded in UTF-16LE without BOM.", func(_ *FaultEnv, b []byte) []byte { return utf16LE(b) }),
			payloadVariant("utf16-bom", "The baseline's claims encoded in UTF-16LE after the byte-order mark FF FE.", func(_ *FaultEnv, b []byte) []byte { return append([]byte{0xFF, 0xFE}, utf16LE(b)...) }),
			payloadVariant("utf8-bom", "The baseline's claims after the UTF-8 byte-order mark EF BB BF.", func(_ *FaultEnv, b []byte) []byte { return append([]byte{0xEF, 0xBB, 0xBF}, b...) }),
			{Name: "invalid-utf8", Description: "The bytes C0 AF (an overlong \"/\", never valid UTF-8) in the middle of sub.",
				Make: withRawClaim("sub", func(e *FaultEnv, _ *Draft) string { return subWith(e.baseSubject(), "\xC0\xAF") })},
			{Name: "lone-surrogate", Expect: ShouldReject, Description: "The escape \\ud800 (a lone surrogate) in the middle of sub.",
				Make: withRawClaim("sub", func(e *FaultEnv, _ *Draft) string { return subWith(e.baseSubject(), `\ud800`) })},
		},
	})
	register(&Case{
		Row: 59, ID: "dup-claim", Category: CatEncoding, Expect: MustReject,
		Description: "The payload repeats a member: the correct value first, a wrong one last. Refusing duplicates or keeping the last both fail the token; only a first-wins parser accepts it.",
		Refs:        []string{"RFC 7519 §4", "RFC 8725 §2.6"},
		Variants: []Variant{
			dupClaim("iss", `"https://evil.example"`),
			dupClaim("aud", `"evil-client"`),
			dupClaim("sub", `"admin"`),
			dupClaim("nonce", `"012345678"`),
			{Name: "exp", Description: "exp appears twice: the baseline's, then now − 360 s.", Make: func(e *FaultEnv) (*Forged, error) {
				return e.Signed(func(d *Draft) error {
					d.Payload.Append("exp", []byte(decimal(e.Issuer.Now().Add(-360*time.Second).Unix())))
					return nil
				})
			}},
		},
	})
	register(&Case{
		Row: 60, ID: "dup-header", Category: CatEncoding, Expect: MustReject,
		Description: "The protected header repeats alg: {\"alg\":\"RS256\", …, \"alg\":\"HS256\"} with a genuine RS256 signature. Refusing duplicates or keeping the last both fail it; a first-wins parser accepts it.",
		Refs:        []string{"RFC 7515 §4", "RFC 7515 §5.2"},
		Variants: []Variant{{Make: func(e *FaultEnv) (*Forged, error) {
			return e.Signed(func(d *Draft) error {
				second := keys.HS256
				if d.Signer != nil && d.Signer.Algorithm() == keys.HS256 {
					second = keys.RS256
				}
				d.Header.Append("alg", []byte(jsonQuote(string(second))))
				return nil
			})
		}}},
	})
}

// payloadVariant signs the baseline's header over the payload bytes
// change(e, claims JSON).
func payloadVariant(name, desc string, change func(e *FaultEnv, claims []byte) []byte) Variant {
	return Variant{Name: name, Description: desc, Make: func(e *FaultEnv) (*Forged, error) {
		d, err := e.Baseline()
		if err != nil {
			return nil, err
		}
		return One(e.RawStep(d.Header.AppendJSON(nil), change(e, d.Payload.AppendJSON(nil)), d.Signer))
	}}
}

func payloadIsJWT(e *FaultEnv) (*Forged, error) {
	d, inner, err := e.BaselineStep(nil)
	if err != nil {
		return nil, err
	}
	return One(e.RawStep(d.Header.AppendJSON(nil), []byte(jsonQuote(inner.Token)), d.Signer))
}

// utf16LE re-encodes UTF-8 text as UTF-16, little-endian.
func utf16LE(b []byte) []byte {
	units := utf16.Encode([]rune(string(b)))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// subWith is sub as a JSON string with raw inserted (unescaped) in its
// middle.
func subWith(sub, raw string) string {
	q := jsonQuote(sub)
	m := 1 + (len(q)-2)/2
	return q[:m] + raw + q[m:]
}

// dupClaim appends a second member name with the wrong raw value.
func dupClaim(name, wrong string) Variant {
	return Variant{Name: name, Description: name + " appears twice: the baseline's value, then " + wrong + ".",
		Make: func(e *FaultEnv) (*Forged, error) {
			if name == "nonce" {
				if err := e.needsIDToken("carry no nonce"); err != nil {
					return nil, err
				}
			}
			return e.Signed(func(d *Draft) error {
				d.Payload.Append(name, []byte(wrong))
				return nil
			})
		}}
}
