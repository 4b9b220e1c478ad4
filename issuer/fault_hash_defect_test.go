package issuer

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// Defect checks of the hash-binding rows 76–80: the values are computed here
// from the access token / code the step delivers (RS256: SHA-256).

// hashCheck names the claim and the step value it covers.
type hashCheck struct {
	claim string
	value func(s Step) string
}

var (
	atCheck = hashCheck{"at_hash", func(s Step) string { return s.AccessToken }}
	cCheck  = hashCheck{"c_hash", func(s Step) string { return s.Code }}
)

// is: the claim (and only it) differs from B, with the value want(v) over
// the delivered value v, a realistic 43-character opaque value.
func (h hashCheck) is(want func(v string) string) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		v := h.value(d.last)
		if len(v) != 43 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("delivered value %q: want 43 base64url characters", v)
		}
		got, _ := lastRaw(t, lastPayload(t, d), h.claim)
		if correct := jsonQuoted(b64u(halfSHA256(v))); got == correct {
			t.Errorf("%s %s is the correct value", h.claim, got)
		}
		rawClaimIs(h.claim, jsonQuoted(want(v)))(t, d)
	}
}

// missing: the token is B (no hash claim) while a value was delivered.
func (h hashCheck) missing(t *testing.T, d defectCase) {
	if len(h.value(d.last)) != 43 {
		t.Errorf("no value delivered with the token: %+v", d.last)
	}
	sameClaimsAsB(t, d)
}

func init() {
	for _, h := range []struct {
		check  hashCheck
		wrong  string // the id of the "wrong" row
		prefix string // of the construction variants
	}{{atCheck, "at-hash-wrong", ""}, {cCheck, "c-hash-wrong", "c-hash-"}} {
		h := h
		other := h.check.is(func(v string) string { return b64u(halfSHA256(shiftB64(v))) })
		defects[h.wrong] = other
		defects[h.wrong+"#append-1"] = h.check.is(func(v string) string { return b64u(halfSHA256(v)) + "1" })
		c := "at-hash-wrong-construction#" + h.prefix
		defects[c+"full-length"] = h.check.is(func(v string) string { s := sha256.Sum256([]byte(v)); return b64u(s[:]) })
		defects[c+"wrong-hash-fn"] = h.check.is(func(v string) string { return b64u(halfSHA512(v)) })
		defects[c+"std-b64"] = h.check.is(func(v string) string {
			std := base64.RawStdEncoding.EncodeToString(halfSHA256(v))
			if std == b64u(halfSHA256(v)) {
				panic("std-b64: the delivered value's hash reads the same in both alphabets")
			}
			return std
		})
		defects[c+"padded"] = h.check.is(func(v string) string { return base64.URLEncoding.EncodeToString(halfSHA256(v)) })
		defects[c+"bearer-prefix"] = h.check.is(func(v string) string { return b64u(halfSHA256("Bearer " + v)) })
	}
	defects["at-hash-wrong#code-flow"] = defects["at-hash-wrong"]
	defects["at-hash-missing"] = atCheck.missing
	defects["c-hash-missing"] = cCheck.missing
	defects["c-hash-wrong#s-hash"] = func(t *testing.T, d defectCase) {
		state, code := d.last.State, d.last.Code
		if len(state) != 22 || len(code) != 43 {
			t.Fatalf("state %q, code %q: want 22 and 43 characters", state, code)
		}
		if b64u(halfSHA256(shiftB64(state))) == b64u(halfSHA256(state)) {
			t.Fatal("the other state hashes like the state")
		}
		rawClaimIs("c_hash", jsonQuoted(b64u(halfSHA256(code))), "s_hash", jsonQuoted(b64u(halfSHA256(shiftB64(state)))))(t, d)
	}
}

// Verifier exceptions of rows 76–80.
func init() {
	for _, ref := range []string{"at-hash-wrong", "at-hash-wrong#append-1", "at-hash-missing",
		"c-hash-wrong", "c-hash-wrong#append-1", "c-hash-wrong#s-hash", "c-hash-missing"} {
		exceptBoth(ref, whyHashOIDC, whyHashJose)
	}
	for _, r := range []string{"full-length", "wrong-hash-fn", "std-b64", "padded", "bearer-prefix"} {
		exceptBoth("at-hash-wrong-construction#"+r, whyHashOIDC, whyHashJose)
		exceptBoth("at-hash-wrong-construction#c-hash-"+r, whyHashOIDC, whyHashJose)
	}
}
