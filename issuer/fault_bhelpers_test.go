package issuer

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Helpers for the defect checks of the claims, encoding, nonce and
// hash-binding families. They decode tokens with the standard library only
// and share no code with the producers.

// rawMember is one member of a JSON object as written.
type rawMember struct {
	name  string
	value string // compact raw JSON
}

// orderedMembers lists the members of a JSON object in order, duplicates kept.
func orderedMembers(t *testing.T, b []byte) []rawMember {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object (%v): %q", err, b)
	}
	var out []rawMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("member name: %v in %q", err, b)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("member %v: %v in %q", tok, err, b)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			t.Fatal(err)
		}
		out = append(out, rawMember{tok.(string), c.String()})
	}
	return out
}

// lastRaw is the raw value of the last member called name, and whether any.
func lastRaw(t *testing.T, b []byte, name string) (string, bool) {
	t.Helper()
	v, ok := "", false
	for _, m := range orderedMembers(t, b) {
		if m.name == name {
			v, ok = m.value, true
		}
	}
	return v, ok
}

// lastPayload is the decoded payload of the last step.
func lastPayload(t *testing.T, d defectCase) []byte { return decodePart(t, d.last.Token, 1) }

// rawClaimIs: exactly the claims names changed from B, each to the raw JSON
// given (name, raw, name, raw…); the signature is valid.
func rawClaimIs(pairs ...string) func(t *testing.T, d defectCase) {
	return func(t *testing.T, d defectCase) {
		p := lastPayload(t, d)
		var names []string
		for i := 0; i < len(pairs); i += 2 {
			names = append(names, pairs[i])
			if got, _ := lastRaw(t, p, pairs[i]); got != pairs[i+1] {
				t.Errorf("%s = %s, want %s", pairs[i], got, pairs[i+1])
			}
		}
		wantChanged(t, d.base, jsonObject(t, p), names...)
		wantSignatureValid(t, d, true)
	}
}

// claimAbsent: the claim name is gone, nothing else changed, signature valid.
func claimAbsent(name string) func(t *testing.T, d defectCase) {
	return func(t *testing.T, d defectCase) {
		p := lastPayload(t, d)
		if _, ok := lastRaw(t, p, name); ok {
			t.Errorf("%s still present: %s", name, p)
		}
		wantChanged(t, d.base, jsonObject(t, p), name)
		wantSignatureValid(t, d, true)
	}
}

// sameClaimsAsB: the token's claims are B's and the signature is valid.
func sameClaimsAsB(t *testing.T, d defectCase) {
	t.Helper()
	wantChanged(t, d.base, jsonObject(t, lastPayload(t, d)))
	wantSignatureValid(t, d, true)
}

// nowPlusRaw is goldenNow + offset as a JSON integer.
func nowPlusRaw(offset time.Duration) string {
	b, _ := json.Marshal(goldenNow.Add(offset).Unix())
	return string(b)
}

// jsonQuoted is s as a JSON string.
func jsonQuoted(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// partsOfB are the three compact parts of B in the fixed world.
func partsOfB(t *testing.T) [3]string {
	t.Helper()
	f, _ := forge(t, "baseline-valid#RS256")
	p := strings.Split(f.Last().Token, ".")
	return [3]string{p[0], p[1], p[2]}
}

// tokenOfB is B's compact serialization.
func tokenOfB(t *testing.T) string {
	p := partsOfB(t)
	return strings.Join(p[:], ".")
}

// rs256Verifies checks an RS256 signature over input with the world's key
// named kid (the world's RS256 key when kid is empty).
func rs256Verifies(t *testing.T, d defectCase, kid string, input []byte, sig []byte) error {
	t.Helper()
	if kid == "" {
		kid, _ = jsonObject(t, decodePart(t, tokenOfB(t), 0))["kid"].(string)
	}
	k, ok := d.w.ring.Lookup(kid)
	if !ok {
		t.Fatalf("no key %q in the world", kid)
	}
	pub, ok := k.Public().Key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("key %q is not RSA", kid)
	}
	sum := sha256.Sum256(input)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// halfSHA256 / halfSHA512 are at_hash-style values computed here.
func halfSHA256(v string) []byte {
	s := sha256.Sum256([]byte(v))
	return s[:16]
}

func halfSHA512(v string) []byte {
	s := sha512.Sum512([]byte(v))
	return s[:32]
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// shiftB64 replaces every base64url character by the next one of the
// alphabet (the "other value of the same length" of the hash cases).
func shiftB64(v string) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if j := strings.IndexByte(a, v[i]); j >= 0 {
			b.WriteByte(a[(j+1)%len(a)])
		} else {
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// withStep is d with another step as the one under check.
func withStep(d defectCase, i int) defectCase {
	d.last = d.f.Steps[i]
	return d
}
