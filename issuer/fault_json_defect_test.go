package issuer

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/testidp/testidp/keys"
)

// Defect checks of rows 56 (JSON serialization), 59 (dup-claim) and 60
// (dup-header).

func init() {
	defects["json-serialization#flattened"] = func(t *testing.T, d defectCase) {
		b := partsOfB(t)
		wantDoc(t, d.last.Token, map[string]any{"protected": b[0], "payload": b[1], "signature": b[2]})
	}
	defects["json-serialization#general-two-sigs"] = twoSigsDefect
	defects["json-serialization#unprotected-alg"] = unprotectedAlgDefect
	defects["json-serialization#polyglot"] = polyglotDefect
	for name, wrong := range map[string]string{
		"iss": `"https://evil.example"`, "aud": `"evil-client"`, "sub": `"admin"`, "nonce": `"012345678"`,
		"exp": nowPlusRaw(-360 * time.Second),
	} {
		defects["dup-claim#"+name] = dupClaimDefect(name, wrong)
	}
	defects["dup-header"] = dupHeaderDefect
}

// wantDoc decodes a JSON document and compares it with want.
func wantDoc(t *testing.T, doc string, want map[string]any) map[string]any {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatalf("not a JSON document: %v: %q", err, doc)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("document\n got %v\nwant %v", got, want)
	}
	return got
}

func twoSigsDefect(t *testing.T, d defectCase) {
	b := partsOfB(t)
	var doc struct {
		Payload    string                                  `json:"payload"`
		Signatures []struct{ Protected, Signature string } `json:"signatures"`
	}
	if err := json.Unmarshal([]byte(d.last.Token), &doc); err != nil || len(doc.Signatures) != 2 || doc.Payload != b[1] {
		t.Fatalf("not a general serialization of B's payload with two signatures (%v): %s", err, d.last.Token)
	}
	if s := doc.Signatures[0]; s.Protected != b[0] || s.Signature != b[2] {
		t.Errorf("first signature is not B's: %+v", s)
	}
	s2 := doc.Signatures[1]
	h2 := jsonObject(t, decodePart(t, s2.Protected+".", 0))
	input := []byte(s2.Protected + "." + doc.Payload)
	sig := decodePart(t, "."+"."+s2.Signature, 2)
	if h2["alg"] != "RS256" || h2["kid"] == d.baseHeader["kid"] || rs256Verifies(t, d, "", input, sig) == nil {
		t.Errorf("second signature: header %v should differ from B's and its signature not verify with the issuer's key", h2)
	}
	attacker, err := keys.Derive("testidp attacker", "json-serialization", keys.RS256, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := keys.SignWith(attacker, keys.RS256, input); b64u(want) != s2.Signature {
		t.Errorf("second signature is not the attacker key's over its protected header and B's payload")
	}
}

func unprotectedAlgDefect(t *testing.T, d defectCase) {
	b := partsOfB(t)
	var doc struct {
		Protected, Payload, Signature string
		Header                        map[string]any
	}
	if err := json.Unmarshal([]byte(d.last.Token), &doc); err != nil || doc.Payload != b[1] {
		t.Fatalf("not a flattened serialization of B's payload (%v): %s", err, d.last.Token)
	}
	prot := jsonObject(t, decodePart(t, doc.Protected+".", 0))
	want := map[string]any{"alg": d.baseHeader["alg"], "kid": d.baseHeader["kid"]}
	if fmt.Sprint(prot) != fmt.Sprint(map[string]any{"typ": "JWT"}) || fmt.Sprint(doc.Header) != fmt.Sprint(want) {
		t.Errorf("protected %v, header %v: want alg and kid moved to the unprotected header", prot, doc.Header)
	}
	if err := rs256Verifies(t, d, "", []byte(doc.Protected+"."+doc.Payload), decodePart(t, ".."+doc.Signature, 2)); err != nil {
		t.Errorf("signature over the protected header without alg: %v", err)
	}
}

func polyglotDefect(t *testing.T, d defectCase) {
	b := partsOfB(t)
	ms := orderedMembers(t, []byte(d.last.Token))
	if len(ms) != 4 || ms[0].value != `""` {
		t.Fatalf("want a compact-looking member name, then the flattened members: %v", ms)
	}
	h, p, ok := strings.Cut(strings.TrimSuffix(ms[0].name, "."), ".")
	if !ok || h != b[0] || !strings.HasSuffix(ms[0].name, ".") {
		t.Fatalf("first member name %q is not B's header, a forged payload and a dot", ms[0].name)
	}
	wantChanged(t, d.base, jsonObject(t, decodePart(t, "."+p+".", 1)), "sub")
	if forged := jsonObject(t, decodePart(t, "."+p+".", 1)); forged["sub"] != "admin" {
		t.Errorf("forged sub %v, want admin", forged["sub"])
	}
	wantDoc(t, d.last.Token, map[string]any{ms[0].name: "", "protected": b[0], "payload": b[1], "signature": b[2]})
}

// dupClaimDefect: name twice, B's value first and wrong last; the
// first-wins reading is B, the last-wins reading has wrong.
func dupClaimDefect(name, wrong string) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		base := decodePart(t, tokenOfB(t), 1)
		baseValue, _ := lastRaw(t, base, name)
		var seen []string
		firstWins := map[string]any{}
		for _, m := range orderedMembers(t, lastPayload(t, d)) {
			if m.name == name {
				seen = append(seen, m.value)
			}
			if _, dup := firstWins[m.name]; !dup {
				var v any
				_ = json.Unmarshal([]byte(m.value), &v)
				firstWins[m.name] = v
			}
		}
		if len(seen) != 2 || seen[0] != baseValue || seen[1] != wrong {
			t.Errorf("%s values %v, want [%s %s]", name, seen, baseValue, wrong)
		}
		wantChanged(t, d.base, firstWins)
		wantSignatureValid(t, d, true)
	}
}

func dupHeaderDefect(t *testing.T, d defectCase) {
	b := partsOfB(t)
	parts := strings.Split(d.last.Token, ".")
	if len(parts) != 3 || parts[1] != b[1] {
		t.Fatalf("payload is not B's: %q", d.last.Token)
	}
	ms := orderedMembers(t, decodePart(t, d.last.Token, 0))
	baseMs := orderedMembers(t, decodePart(t, b[0]+".", 0))
	want := append(baseMs, rawMember{"alg", `"HS256"`})
	if fmt.Sprint(ms) != fmt.Sprint(want) || baseMs[0] != (rawMember{"alg", `"RS256"`}) {
		t.Errorf("header members %v, want %v", ms, want)
	}
	if err := rs256Verifies(t, d, "", []byte(parts[0]+"."+parts[1]), decodePart(t, d.last.Token, 2)); err != nil {
		t.Errorf("RS256 signature: %v", err)
	}
}
