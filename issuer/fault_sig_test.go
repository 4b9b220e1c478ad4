package issuer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"

	"github.com/testidp/testidp/keys"
)

// Defect checks for rows 3–8.
func init() {
	for v, parts := range map[string]int{"trailing-dot": 3, "two-parts": 2} {
		defects["sig-empty#"+v] = func(t *testing.T, d defectCase) {
			tok := d.last.Token
			if got := strings.Split(tok, "."); len(got) != parts || (parts == 3 && got[2] != "") {
				t.Fatalf("token %q: want %d parts, the last empty", tok, parts)
			}
			wantHeader(t, tok, d.baseHeader)
			wantClaimsB(t, d, tok)
		}
	}
	for v, want := range map[string]func(genuine []byte) []byte{
		"half":     func(g []byte) []byte { return g[:len(g)/2] },
		"one-byte": func(g []byte) []byte { return g[:1] },
		"zeros":    func(g []byte) []byte { return make([]byte, len(g)) },
	} {
		defects["sig-truncated#"+v] = func(t *testing.T, d defectCase) {
			wantHeader(t, d.last.Token, d.baseHeader)
			wantClaimsB(t, d, d.last.Token)
			input, sig := tokenParts(t, d.last.Token)
			if g := genuineRS256(t, d, input); !bytes.Equal(sig, want(g)) {
				t.Errorf("signature %x…, want %x… (from the genuine %d bytes)", sig[:1], want(g)[:1], len(g))
			}
		}
	}
	defects["signed-input-tampered#payload"] = func(t *testing.T, d defectCase) {
		got := claimsOf(t, d.last.Token)
		wantChanged(t, d.base, got, "sub")
		if got["sub"] != "bob" {
			t.Errorf("sub = %v, want bob", got["sub"])
		}
		wantHeader(t, d.last.Token, d.baseHeader)
		wantSignatureOver(t, d, strings.Replace(string(decodePart(t, d.last.Token, 1)), `"sub":"bob"`, `"sub":"alice"`, 1), "")
	}
	defects["signed-input-tampered#header"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "x", 1.0))
		wantClaimsB(t, d, d.last.Token)
		original := strings.Replace(string(decodePart(t, d.last.Token, 0)), `,"x":1`, "", 1)
		wantSignatureOver(t, d, "", original)
	}
	defects["signed-input-tampered#transplant"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, d.baseHeader)
		wantClaimsB(t, d, d.last.Token)
		wantSignatureOver(t, d, strings.Replace(string(decodePart(t, d.last.Token, 1)), `"sub":"alice"`, `"sub":"bob"`, 1), "")
	}
	n := elliptic.P256().Params().N
	for v, rs := range map[string]func(r, s *big.Int) bool{
		"zero":   func(r, s *big.Int) bool { return r.Sign() == 0 && s.Sign() == 0 },
		"n":      func(r, s *big.Int) bool { return r.Cmp(n) == 0 && s.Cmp(n) == 0 },
		"r-zero": func(r, s *big.Int) bool { return r.Sign() == 0 && s.Sign() > 0 && s.Cmp(n) < 0 },
	} {
		defects["ecdsa-psychic#"+v] = func(t *testing.T, d defectCase) {
			wantES256Header(t, d)
			_, sig := tokenParts(t, d.last.Token)
			if len(sig) != 64 || !rs(new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
				t.Errorf("signature %x: not the %s psychic signature", sig, v)
			}
		}
	}
	defects["sig-encoding-noncanonical#ecdsa-der"] = ecdsaEncoding(func(t *testing.T, sig []byte) (r, s *big.Int) {
		var rs struct{ R, S *big.Int }
		rest, err := asn1.Unmarshal(sig, &rs)
		if err != nil || len(rest) != 0 || sig[0] != 0x30 {
			t.Fatalf("signature is not one DER SEQUENCE: %v, %d bytes left", err, len(rest))
		}
		return rs.R, rs.S
	})
	defects["sig-encoding-noncanonical#ecdsa-short"] = ecdsaEncoding(func(t *testing.T, sig []byte) (r, s *big.Int) {
		if len(sig) != 63 || sig[31] == 0 {
			t.Fatalf("signature is %d bytes, want 63 with a full-length s", len(sig))
		}
		return new(big.Int).SetBytes(sig[:31]), new(big.Int).SetBytes(sig[31:])
	})
	defects["sig-encoding-noncanonical#ecdsa-long"] = ecdsaEncoding(func(t *testing.T, sig []byte) (r, s *big.Int) {
		if len(sig) != 66 || sig[0] != 0 || sig[33] != 0 {
			t.Fatalf("signature %x: want two 33-byte halves with a leading zero", sig)
		}
		return new(big.Int).SetBytes(sig[:33]), new(big.Int).SetBytes(sig[33:])
	})
	defects["sig-encoding-noncanonical#rsa-zero-prefix"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, d.baseHeader)
		wantClaimsB(t, d, d.last.Token)
		input, sig := tokenParts(t, d.last.Token)
		if len(sig) != 257 || sig[0] != 0 || !bytes.Equal(sig[1:], genuineRS256(t, d, input)) {
			t.Errorf("signature (%d bytes) is not 0x00 followed by the genuine RS256 signature", len(sig))
		}
	}
	for v, key := range map[string]string{"empty": "", "secret": "secret", "null-string": "null"} {
		defects["hmac-empty-key#"+v] = func(t *testing.T, d defectCase) {
			wantHeader(t, d.last.Token, map[string]any{"alg": "HS256", "typ": "JWT"})
			wantClaimsB(t, d, d.last.Token)
			wantSig(t, d.last.Token, "HS256", []byte(key))
		}
	}
}

// genuineRS256 is the (deterministic) RS256 signature of the world's key
// over input.
func genuineRS256(t *testing.T, d defectCase, input []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(input)
	sig, err := rsa.SignPKCS1v15(nil, d.activeKey(t, keys.RS256).Signer().(*rsa.PrivateKey), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// wantSignatureOver checks the token's signature is the world's RS256
// signature over another payload or header (given as JSON text; "" keeps
// the token's own), and not over the token's own signing input.
func wantSignatureOver(t *testing.T, d defectCase, payload, header string) {
	t.Helper()
	parts := strings.Split(d.last.Token, ".")
	if header != "" {
		parts[0] = b64.EncodeToString([]byte(header))
	}
	if payload != "" {
		parts[1] = b64.EncodeToString([]byte(payload))
	}
	pub := d.activeKey(t, keys.RS256).Signer().Public()
	wantNoSig(t, d.last.Token, "RS256", pub)
	wantSig(t, strings.Join(parts, "."), "RS256", pub)
}

// wantES256Header checks the header is B's for the world's ES256 key.
func wantES256Header(t *testing.T, d defectCase) {
	t.Helper()
	wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", "ES256", "kid", d.activeKey(t, keys.ES256).ID))
	wantClaimsB(t, d, d.last.Token)
}

// ecdsaEncoding checks an ES256 token whose signature, decoded by parse, is
// a valid ECDSA signature by the world's key.
func ecdsaEncoding(parse func(t *testing.T, sig []byte) (r, s *big.Int)) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		wantES256Header(t, d)
		input, sig := tokenParts(t, d.last.Token)
		r, s := parse(t, sig)
		sum := sha256.Sum256(input)
		pub := d.activeKey(t, keys.ES256).Signer().Public().(*ecdsa.PublicKey)
		if !ecdsa.Verify(pub, sum[:], r, s) {
			t.Errorf("the decoded signature does not verify with the world's ES256 key")
		}
	}
}
