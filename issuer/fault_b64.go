package issuer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// Base64 faults: fault-catalog.md rows 53–54 (row 52 is in
// fault_encoding.go).

// stdProbe is content whose base64 encoding surely has both "+" and "/":
// among three consecutive '?' (0x3F) one is the last byte of a 3-byte group
// and encodes as "/", and likewise one of three '>' (0x3E) encodes as "+".
const (
	stdProbeMember = "x-b64-probe"
	stdProbeValue  = "???>>>"
)

func init() {
	register(&Case{
		Row: 53, ID: "b64-std-alphabet", Category: CatEncoding, Expect: MustReject,
		Description: "Every part uses the standard base64 alphabet (\"+\" and \"/\") instead of base64url; the signature is computed over that text. Header and payload carry a member x-b64-probe \"???>>>\" so that their encodings surely contain \"+\" and \"/\".",
		Refs:        []string{"RFC 7515 §2", "RFC 4648 §5", "draft-ietf-oauth-rfc8725bis (Check JWT Format Type)", "CVE-2022-25898"},
		Variants: []Variant{
			{Make: func(e *FaultEnv) (*Forged, error) {
				d, err := e.Baseline()
				if err != nil {
					return nil, err
				}
				d.Header.SetString(stdProbeMember, stdProbeValue)
				d.Payload.SetString(stdProbeMember, stdProbeValue)
				return One(stdSigned(e, d, base64.RawStdEncoding.EncodeToString))
			}},
			{Name: "sig-only", Description: "Only the signature part is in the standard alphabet (it contains \"+\" and \"/\").",
				Make: func(e *FaultEnv) (*Forged, error) {
					d, err := e.Baseline()
					if err != nil {
						return nil, err
					}
					return One(stdSigned(e, d, b64.EncodeToString))
				}},
		},
	})
	register(&Case{
		Row: 54, ID: "b64-junk-chars", Category: CatEncoding, Expect: MustReject,
		Description: "Characters outside the base64url alphabet inserted into a valid token; the signing input is untouched.",
		Refs:        []string{"RFC 7519 §7.2", "RFC 4648 §3.3", "RFC 4648 §3.5", "draft-ietf-oauth-rfc8725bis (Check JWT Format Type)", "CVE-2022-25898"},
		Variants: []Variant{
			junkVariant("space", "A space in the middle of the signature part.", midInsert(" ")),
			junkVariant("newline", "A line feed in the middle of the signature part.", midInsert("\n")),
			junkVariant("backslash", "A backslash in the middle of the signature part.", midInsert(`\`)),
			junkVariant("percent-escape", "The middle character of the signature part written as a percent escape (\"A\" as \"%41\").", midPercent),
			junkVariant("non-ascii", "A no-break space (U+00A0, UTF-8 C2 A0) in the middle of the signature part.", midInsert("\u00a0")),
			{Name: "trailing-whitespace", Description: "A line feed after the token.",
				Make: junkToken(func(tok string) (string, error) { return tok + "\n", nil })},
			{Name: "nonzero-pad-bits", Expect: ShouldReject,
				Description: "The last signature character changed so that only its unused low bits differ: it decodes to the same signature bytes.",
				Make:        junkToken(nonzeroPadBits)},
		},
	})
}

// withSpaces is the JSON of c with n spaces before its closing brace.
func withSpaces(c Claims, n int) []byte {
	b := c.AppendJSON(nil)
	return append(append(b[:len(b)-1], bytes.Repeat([]byte{' '}, n)...), '}')
}

// stdSigned encodes header and payload with enc, signs that text, and
// encodes the signature in the standard alphabet. It adds JSON whitespace to
// the payload until the signature has both "+" and "/".
func stdSigned(e *FaultEnv, d *Draft, enc func([]byte) string) (Step, error) {
	if d.Signer == nil {
		return Step{}, wrapNeeds("an unsigned token has no signature to re-encode")
	}
	for n := 0; n < 64; n++ {
		header, payload := d.Header.AppendJSON(nil), withSpaces(d.Payload, n)
		input := enc(header) + "." + enc(payload)
		sig, err := d.Signer.Sign([]byte(input))
		if err != nil {
			return Step{}, err
		}
		if s := base64.RawStdEncoding.EncodeToString(sig); strings.Contains(s, "+") && strings.Contains(s, "/") {
			return Step{Token: input + "." + s, Header: header, Payload: payload, Nonce: e.Nonce()}, nil
		}
	}
	return Step{}, fmt.Errorf("issuer: no signature with both + and / found")
}

// junkToken signs the baseline and then rewrites the token text.
func junkToken(change func(tok string) (string, error)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		_, s, err := e.BaselineStep(nil)
		if err != nil {
			return nil, err
		}
		s.Token, err = change(s.Token)
		return One(s, err)
	}
}

// junkVariant rewrites the signature part of the token with change.
func junkVariant(name, desc string, change func(sig string) string) Variant {
	return Variant{Name: name, Description: desc, Make: junkToken(func(tok string) (string, error) {
		i := strings.LastIndexByte(tok, '.')
		if i == len(tok)-1 {
			return "", wrapNeeds("an unsigned token has no signature part")
		}
		return tok[:i+1] + change(tok[i+1:]), nil
	})}
}

func midInsert(junk string) func(string) string {
	return func(sig string) string { return sig[:len(sig)/2] + junk + sig[len(sig)/2:] }
}

func midPercent(sig string) string {
	m := len(sig) / 2
	return sig[:m] + fmt.Sprintf("%%%02X", sig[m]) + sig[m+1:]
}

// nonzeroPadBits sets the lowest unused bit of the signature's last
// character (RFC 4648 §3.5); signatures whose length is a multiple of three
// bytes have no unused bits.
func nonzeroPadBits(tok string) (string, error) {
	i := strings.LastIndexByte(tok, '.')
	sig := tok[i+1:]
	if len(sig)%4 == 0 || len(sig)%4 == 1 {
		return "", wrapNeeds("the signature's base64url form has no unused bits")
	}
	last := strings.IndexByte(b64URLAlphabet, sig[len(sig)-1])
	return tok[:len(tok)-1] + string(b64URLAlphabet[last|1]), nil
}
