package issuer

import "encoding/base64"

// Encoding faults: fault-catalog.md rows 52–60.

func init() {
	register(&Case{
		Row: 52, ID: "b64-padding", Category: CatEncoding, Expect: MustReject,
		Description: "Every part carries \"=\" padding; the signature is computed over the padded text, so it is valid for that exact string.",
		Refs:        []string{"RFC 7515 §2", "RFC 7515 §7.1", "RFC 7519 §7.2"},
		Variants: []Variant{{Make: func(e *FaultEnv) (*Forged, error) {
			d, err := e.Baseline()
			if err != nil {
				return nil, err
			}
			header, payload := padTo(d.Header.AppendJSON(nil)), padTo(d.Payload.AppendJSON(nil))
			input := base64.URLEncoding.EncodeToString(header) + "." + base64.URLEncoding.EncodeToString(payload)
			sig, err := d.Signer.Sign([]byte(input))
			if err != nil {
				return nil, err
			}
			s := Step{Token: input + "." + base64.URLEncoding.EncodeToString(sig), Header: header, Payload: payload, Nonce: e.Nonce()}
			return One(s, nil)
		}}},
	})
}

// padTo inserts JSON whitespace before the closing brace until the length is
// not a multiple of 3, so that base64 needs padding. (Signatures need none:
// RSA-2048's 256 bytes and ES256's 64 bytes both encode with "==".)
func padTo(b []byte) []byte {
	for len(b)%3 == 0 {
		b = append(b[:len(b)-1:len(b)-1], ' ', '}')
	}
	return b
}
