package issuer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strings"
	"testing"

	"github.com/testidp/testidp/keys"
)

// Helpers for the defect checks of rows 3–27 and 62–72. They verify
// signatures with the standard library directly, not with the code that
// made them.

// tokenParts splits a compact JWS into its signing input and raw
// signature, failing unless it has three parts.
func tokenParts(t *testing.T, tok string) (input []byte, sig []byte) {
	t.Helper()
	i := strings.LastIndexByte(tok, '.')
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("token has %d dots, want 2: %.80s…", strings.Count(tok, "."), tok)
	}
	return []byte(tok[:i]), decodePart(t, tok, 2)
}

// headerOf and claimsOf decode the first two parts.
func headerOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	return jsonObject(t, decodePart(t, tok, 0))
}

func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	return jsonObject(t, decodePart(t, tok, 1))
}

// rawMembers decodes a JSON object keeping raw values.
func rawMembers(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return m
}

// wantHeader checks the token's header against want (a full header).
func wantHeader(t *testing.T, tok string, want map[string]any) {
	t.Helper()
	got := headerOf(t, tok)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("header %v, want %v", got, want)
	}
}

// withMembers is a copy of m with name/value pairs set (a nil value
// deletes).
func withMembers(m map[string]any, nameValues ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(nameValues); i += 2 {
		name := nameValues[i].(string)
		if nameValues[i+1] == nil {
			delete(out, name)
		} else {
			out[name] = nameValues[i+1]
		}
	}
	return out
}

// wantClaimsB checks the token's claims are B's.
func wantClaimsB(t *testing.T, d defectCase, tok string) {
	t.Helper()
	wantChanged(t, d.base, claimsOf(t, tok))
}

// activeKey is the world's active key for alg.
func (d defectCase) activeKey(t *testing.T, alg keys.Alg) *keys.Key {
	t.Helper()
	k, err := d.w.ring.Active(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// attackerKey derives the attacker's key as FaultEnv.AttackerKey does.
func attackerKey(t *testing.T, alg keys.Alg) crypto.Signer {
	t.Helper()
	k, err := keys.Derive("testidp attacker", "attacker", alg, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkSig verifies a JWS signature with the standard library. RSA is
// checked by hand (m = s^e mod n against the PKCS #1 v1.5 encoding), so
// that keys crypto/rsa refuses can be checked too.
func checkSig(alg string, pub crypto.PublicKey, input, sig []byte) error {
	switch alg {
	case "HS256", "HS384", "HS512":
		key, ok := pub.([]byte)
		if !ok {
			return fmt.Errorf("%s needs []byte, not %T", alg, pub)
		}
		if !hmac.Equal(mac(alg, key, input), sig) {
			return errors.New("mac mismatch")
		}
		return nil
	case "RS256", "RS512":
		h := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS512": crypto.SHA512}[alg]
		return checkPKCS1(pub.(*rsa.PublicKey), h, input, sig)
	case "PS256":
		sum := sha256.Sum256(input)
		return rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, sum[:], sig, nil)
	case "ES256":
		p, ok := pub.(*ecdsa.PublicKey)
		if !ok || len(sig) != 64 {
			return fmt.Errorf("ES256 with %T and %d signature bytes", pub, len(sig))
		}
		sum := sha256.Sum256(input)
		if !ecdsa.Verify(p, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return errors.New("ecdsa verification failed")
		}
		return nil
	}
	return fmt.Errorf("checkSig: alg %q", alg)
}

// mac is HMAC with the hash of alg.
func mac(alg string, key, input []byte) []byte {
	h := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}[alg]
	m := hmac.New(h, key)
	m.Write(input)
	return m.Sum(nil)
}

// checkPKCS1 is RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) by hand.
func checkPKCS1(pub *rsa.PublicKey, h crypto.Hash, input, sig []byte) error {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return fmt.Errorf("signature is %d bytes, modulus %d", len(sig), k)
	}
	prefix := map[crypto.Hash][]byte{
		crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
		crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
	}[h]
	hh := h.New()
	hh.Write(input)
	t := append(prefix, hh.Sum(nil)...)
	em := append([]byte{0, 1}, bytes.Repeat([]byte{0xff}, k-len(t)-3)...)
	em = append(append(em, 0), t...)
	m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(pub.E)), pub.N)
	if !bytes.Equal(m.FillBytes(make([]byte, k)), em) {
		return errors.New("rsa verification failed")
	}
	return nil
}

// wantSig fails unless the token's signature verifies under alg and pub.
func wantSig(t *testing.T, tok, alg string, pub crypto.PublicKey) {
	t.Helper()
	input, sig := tokenParts(t, tok)
	if err := checkSig(alg, pub, input, sig); err != nil {
		t.Errorf("%s signature does not verify with %T: %v", alg, pub, err)
	}
}

// wantNoSig fails if the token's signature verifies under alg and pub.
func wantNoSig(t *testing.T, tok, alg string, pub crypto.PublicKey) {
	t.Helper()
	input, sig := tokenParts(t, tok)
	if checkSig(alg, pub, input, sig) == nil {
		t.Errorf("%s signature verifies with the %T, want it not to", alg, pub)
	}
}

// wantBSigned checks the token is B (header and claims) with a valid RS256
// signature by the world's key.
func wantBSigned(t *testing.T, d defectCase, tok string) {
	t.Helper()
	wantHeader(t, tok, d.baseHeader)
	wantClaimsB(t, d, tok)
	wantSig(t, tok, "RS256", d.activeKey(t, keys.RS256).Signer().Public())
}

// publishedKeys decodes a JWK Set into raw members per key.
func publishedKeys(t *testing.T, jwks []byte) []map[string]any {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatalf("not a JWK Set: %v: %s", err, jwks)
	}
	return set.Keys
}

// keyByKid is the member of keys with kid (nil if none).
func keyByKid(ks []map[string]any, kid any) map[string]any {
	for _, k := range ks {
		if k["kid"] == kid {
			return k
		}
	}
	return nil
}
