package issuer

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/elliptic"
	"encoding/binary"
	"math/big"
	"strings"
	"testing"

	josecipher "github.com/go-jose/go-jose/v4/cipher"

	"github.com/testidp/testidp/keys"
)

// Defect checks for rows 23–27.
func init() {
	defects["jwe-inner-unverified#inner-none"] = nestedCheck(func(t *testing.T, d defectCase, inner string) {
		wantHeader(t, inner, withMembers(d.baseHeader, "alg", "none"))
		wantClaimsB(t, d, inner)
		if !strings.HasSuffix(inner, ".") {
			t.Errorf("inner token %q: want an empty signature", inner)
		}
	})
	defects["jwe-inner-unverified#inner-bad-sig"] = nestedCheck(func(t *testing.T, d defectCase, inner string) {
		wantHeader(t, inner, d.baseHeader)
		wantClaimsB(t, d, inner)
		input, sig := tokenParts(t, inner)
		genuine := genuineRS256(t, d, input)
		for i := range genuine {
			genuine[i] ^= 0x5A
		}
		if !bytes.Equal(sig, genuine) {
			t.Errorf("inner signature is not the genuine one XOR 0x5A")
		}
	})
	defects["jwe-inner-unverified#inner-foreign-key"] = nestedCheck(func(t *testing.T, d defectCase, inner string) {
		wantHeader(t, inner, withMembers(d.baseHeader, "kid", attackerThumbprint(t)))
		wantClaimsB(t, d, inner)
		wantSig(t, inner, "RS256", attackerKey(t, keys.RS256).Public())
	})
	defects["jwe-nested-valid"] = nestedCheck(func(t *testing.T, d defectCase, inner string) {
		wantBSigned(t, d, inner)
	})
	defects["jwe-bare-claims"] = func(t *testing.T, d defectCase) {
		h := jweHeader(t, d, "ECDH-ES+A128KW", "web-enc-1", "")
		plain, err := decryptForClient(d.last.Token)
		if err != nil {
			t.Fatalf("the client cannot decrypt: %v (header %v)", err, h)
		}
		wantChanged(t, d.base, jsonObject(t, plain))
	}
	defects["jwe-bare-claims#to-op-sig-key"] = func(t *testing.T, d defectCase) {
		k := d.activeKey(t, keys.RS256)
		jweHeader(t, d, "RSA-OAEP", k.ID, "")
		plain, err := decryptWith(d.last.Token, k.Signer())
		if err != nil {
			t.Fatalf("the issuer's RS256 key cannot decrypt: %v", err)
		}
		wantChanged(t, d.base, jsonObject(t, plain))
		if _, err := decryptForClient(d.last.Token); err == nil {
			t.Errorf("the client's key decrypts a token meant for the signing key")
		}
	}
	defects["enc-expected-missing"] = func(t *testing.T, d defectCase) { wantBSigned(t, d, d.last.Token) }
	p256, p384 := elliptic.P256(), elliptic.P384()
	defects["jwe-epk-invalid-curve#off-curve"] = epkCheck(func(t *testing.T, crv string, x, y *big.Int) {
		below := new(big.Int).Sub(y, big.NewInt(1))
		if crv != "P-256" || p256.IsOnCurve(x, y) || !p256.IsOnCurve(x, below.Mod(below, p256.Params().P)) {
			t.Errorf("epk (%s) is not a P-256 point with y+1", crv)
		}
	})
	defects["jwe-epk-invalid-curve#small-order"] = epkCheck(func(t *testing.T, crv string, x, y *big.Int) {
		if crv != "P-256" || x.Int64() != 5 || y.Sign() != 0 || p256.IsOnCurve(x, y) {
			t.Errorf("epk %s (%v, %v), want P-256 (5, 0)", crv, x, y)
		}
	})
	defects["jwe-epk-invalid-curve#wrong-crv"] = epkCheck(func(t *testing.T, crv string, x, y *big.Int) {
		if crv != "P-384" || !p384.IsOnCurve(x, y) {
			t.Errorf("epk %s: want a valid P-384 point", crv)
		}
	})
	defects["jwe-epk-invalid-curve#infinity"] = epkCheck(func(t *testing.T, crv string, x, y *big.Int) {
		if crv != "P-256" || x.Sign() != 0 || y.Sign() != 0 {
			t.Errorf("epk %s (%v, %v), want P-256 (0, 0)", crv, x, y)
		}
	})
}

// jweHeader checks the five parts and the protected header's alg, enc,
// kid and cty, and returns the header.
func jweHeader(t *testing.T, d defectCase, alg, kid, cty string) map[string]any {
	t.Helper()
	if n := strings.Count(d.last.Token, "."); n != 4 {
		t.Fatalf("token has %d dots, want a compact JWE", n)
	}
	h := headerOf(t, d.last.Token)
	if h["alg"] != alg || h["enc"] != "A128CBC-HS256" || h["kid"] != kid || (h["cty"] != nil) != (cty != "") || (cty != "" && h["cty"] != cty) {
		t.Errorf("JWE header %v, want alg %s, enc A128CBC-HS256, kid %s, cty %q", h, alg, kid, cty)
	}
	if string(d.last.Header) != string(decodePart(t, d.last.Token, 0)) {
		t.Errorf("Step.Header %s is not the protected header", d.last.Header)
	}
	return h
}

// nestedCheck decrypts a nested token to the client and checks its inner
// token.
func nestedCheck(inner func(t *testing.T, d defectCase, inner string)) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		h := jweHeader(t, d, "ECDH-ES+A128KW", "web-enc-1", "JWT")
		epk, _ := h["epk"].(map[string]any)
		x, y := epkCoords(t, epk)
		if epk["crv"] != "P-256" || !elliptic.P256().IsOnCurve(x, y) {
			t.Errorf("epk %v is not a P-256 point", epk)
		}
		plain, err := decryptForClient(d.last.Token)
		if err != nil {
			t.Fatalf("the client cannot decrypt: %v", err)
		}
		if string(plain) != string(d.last.Payload) {
			t.Errorf("Step.Payload is not the plaintext")
		}
		inner(t, d, string(plain))
	}
}

func epkCoords(t *testing.T, epk map[string]any) (x, y *big.Int) {
	t.Helper()
	xs, _ := epk["x"].(string)
	ys, _ := epk["y"].(string)
	xb, err1 := b64.DecodeString(xs)
	yb, err2 := b64.DecodeString(ys)
	if err1 != nil || err2 != nil || epk["kty"] != "EC" {
		t.Fatalf("epk %v malformed", epk)
	}
	return new(big.Int).SetBytes(xb), new(big.Int).SetBytes(yb)
}

// epkCheck checks the epk with point, that go-jose refuses the token, and
// that apart from the epk the JWE is B encrypted correctly under a key
// derived from Z = the epk's x (decrypted here with go-jose's primitives).
func epkCheck(point func(t *testing.T, crv string, x, y *big.Int)) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		h := jweHeader(t, d, "ECDH-ES+A128KW", "web-enc-1", "JWT")
		epk, _ := h["epk"].(map[string]any)
		x, y := epkCoords(t, epk)
		crv, _ := epk["crv"].(string)
		point(t, crv, x, y)
		if _, err := decryptForClient(d.last.Token); err == nil {
			t.Errorf("go-jose decrypts a JWE with an invalid epk")
		}
		z, _ := b64.DecodeString(epk["x"].(string))
		lp := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
		kek := make([]byte, 16)
		_, _ = josecipher.NewConcatKDF(crypto.SHA256, z, lp([]byte("ECDH-ES+A128KW")), lp(nil), lp(nil),
			binary.BigEndian.AppendUint32(nil, 128), nil).Read(kek)
		block, _ := aes.NewCipher(kek)
		cek, err := josecipher.KeyUnwrap(block, decodePart(t, d.last.Token, 1))
		if err != nil {
			t.Fatalf("encrypted key does not unwrap under the key from Z = x: %v", err)
		}
		aead, err := josecipher.NewCBCHMAC(cek, aes.NewCipher)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(d.last.Token, ".")
		sealed := append(decodePart(t, d.last.Token, 3), decodePart(t, d.last.Token, 4)...)
		plain, err := aead.Open(nil, decodePart(t, d.last.Token, 2), sealed, []byte(parts[0]))
		if err != nil {
			t.Fatalf("content does not decrypt: %v", err)
		}
		wantBSigned(t, d, string(plain))
	}
}
