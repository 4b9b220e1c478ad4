package issuer

import (
	"encoding/base64"
	"fmt"
	"time"
	"unsafe"

	"github.com/testidp/testidp/keys"
)

// Draft is a token before signing: its JOSE header and payload as ordered
// members, and the key that will sign it (nil for alg "none").
type Draft struct {
	Header  Claims
	Payload Claims
	Signer  keys.Signer

	// Bookkeeping copied into the Token.
	Kind      Kind
	ID        string // jti, when the token has one
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Kind names what a token is for.
type Kind string

// Token kinds.
const (
	KindIDToken     Kind = "id_token"
	KindAccessToken Kind = "access_token"
)

// Token is a signed token with the parts it was built from.
type Token struct {
	Raw       string // compact serialization
	Header    []byte // JSON of the protected header
	Payload   []byte // JSON of the claims
	Kind      Kind
	Alg       keys.Alg
	KeyID     string
	ID        string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

var b64 = base64.RawURLEncoding

// Sign encodes the draft as a compact JWS (RFC 7515 §7.1): base64url of the
// header and payload, a dot between, and the signature over those bytes; an
// empty signature for alg "none".
func (d *Draft) Sign() (Token, error) {
	// Header and payload share one allocation, sized to fit.
	buf := d.Header.AppendJSON(make([]byte, 0, d.Header.jsonSize()+d.Payload.jsonSize()))
	header := buf[:len(buf):len(buf)]
	payload := d.Payload.AppendJSON(buf[len(buf):])
	raw, err := Encode(header, payload, d.Signer)
	if err != nil {
		return Token{}, err
	}
	t := Token{
		Raw: raw, Header: header, Payload: payload, Kind: d.Kind, ID: d.ID,
		IssuedAt: d.IssuedAt, ExpiresAt: d.ExpiresAt, Alg: keys.None,
	}
	if d.Signer != nil {
		t.Alg, t.KeyID = d.Signer.Algorithm(), d.Signer.KeyID()
	}
	return t, nil
}

// Encode builds a compact JWS from header and payload bytes, signed by s, or
// unsigned (empty third part) when s is nil.
func Encode(header, payload []byte, s keys.Signer) (string, error) {
	n := b64.EncodedLen(len(header)) + b64.EncodedLen(len(payload)) + 2
	buf := make([]byte, n, n+b64.EncodedLen(maxSignatureSize(s)))
	b64.Encode(buf, header)
	hl := b64.EncodedLen(len(header))
	buf[hl] = '.'
	b64.Encode(buf[hl+1:], payload)
	buf[n-1] = '.'
	if s == nil {
		return string(buf), nil
	}
	sig, err := s.Sign(buf[:n-1])
	if err != nil {
		return "", fmt.Errorf("issuer: sign: %w", err)
	}
	buf = b64.AppendEncode(buf, sig)
	// buf is not used after this: the string may share its bytes (as
	// strings.Builder does), which saves copying every token once.
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// maxSignatureSize is the most bytes a signature of s can have (RSA: a
// 4096-bit key), so that Encode allocates the token once.
func maxSignatureSize(s keys.Signer) int {
	if s == nil {
		return 0
	}
	switch s.Algorithm() {
	case keys.HS256:
		return 32
	case keys.ES256, keys.EdDSA:
		return 64
	case keys.ES384:
		return 96
	}
	return 512
}
