package issuer

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// defectCase is what a defect check sees: the forged token, the baseline B
// of the same world decoded, and the world (its keys and JWKS).
type defectCase struct {
	f          *Forged
	last       Step
	base       map[string]any // B's claims
	baseHeader map[string]any // B's header
	w          *faultWorld
}

// defects checks, for every case variant, that the token differs from B by
// its one defect and nothing else. The checks decode the token themselves;
// they share nothing with the code that made it.
var defects = map[string]func(t *testing.T, d defectCase){}

func init() {
	for _, alg := range []string{"RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"} {
		defects["baseline-valid#"+alg] = func(t *testing.T, d defectCase) {
			h := jsonObject(t, decodePart(t, d.last.Token, 0))
			wantHeaderAlg(t, h, alg)
			wantChanged(t, d.base, jsonObject(t, decodePart(t, d.last.Token, 1)))
			wantSignatureValid(t, d, true)
		}
		defects["sig-invalid#"+alg] = func(t *testing.T, d defectCase) {
			wantHeaderAlg(t, jsonObject(t, decodePart(t, d.last.Token, 0)), alg)
			wantChanged(t, d.base, jsonObject(t, decodePart(t, d.last.Token, 1)))
			wantSignatureValid(t, d, false)
			wantSigLength(t, d.last.Token, sigLen[alg])
		}
	}
	defects["sig-invalid#plus-expired"] = func(t *testing.T, d defectCase) {
		got := jsonObject(t, decodePart(t, d.last.Token, 1))
		wantChanged(t, d.base, got, "exp")
		if got["exp"].(float64) >= float64(goldenNow.Unix()) {
			t.Errorf("exp %v is not in the past", got["exp"])
		}
		wantSignatureValid(t, d, false)
	}
	defects["iss-wrong#other"] = claimIs("iss", "https://example.org/")
	defects["iss-wrong#suffix"] = claimIs("iss", goldenIssuer+"1")
	defects["b64-padding"] = func(t *testing.T, d defectCase) {
		parts := strings.Split(d.last.Token, ".")
		for i, p := range parts {
			if !strings.HasSuffix(p, "=") {
				t.Errorf("part %d %q has no padding", i, p)
			}
		}
		payload, err := base64.URLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		wantChanged(t, d.base, jsonObject(t, payload))
	}
	defects["kid-absent-single"] = func(t *testing.T, d defectCase) {
		h := jsonObject(t, decodePart(t, d.last.Token, 0))
		if _, ok := h["kid"]; ok {
			t.Errorf("header still has a kid: %v", h)
		}
		jwks := jsonObject(t, d.last.JWKS)
		ks := jwks["keys"].([]any)
		if len(ks) != 1 || ks[0].(map[string]any)["kid"] != nil || ks[0].(map[string]any)["alg"] != "RS256" {
			t.Errorf("JWKS should hold one RS256 key without kid: %s", d.last.JWKS)
		}
		wantChanged(t, d.base, jsonObject(t, decodePart(t, d.last.Token, 1)))
	}
	defects["rotation-new-kid"] = func(t *testing.T, d defectCase) {
		if len(d.f.Steps) != 2 {
			t.Fatalf("%d steps, want 2", len(d.f.Steps))
		}
		k1 := jsonObject(t, decodePart(t, d.f.Steps[0].Token, 0))["kid"]
		k2 := jsonObject(t, decodePart(t, d.last.Token, 0))["kid"]
		if k1 == k2 || !strings.Contains(string(d.w.ring.JWKS()), fmt.Sprint(k1)) || !strings.Contains(string(d.w.ring.JWKS()), fmt.Sprint(k2)) {
			t.Errorf("kids %v then %v: want two different kids, both published after the rotation", k1, k2)
		}
		wantChanged(t, d.base, jsonObject(t, decodePart(t, d.last.Token, 1)))
	}
	for _, v := range []string{"same-callback-twice", "new-login-attempt"} {
		defects["nonce-replay#"+v] = func(t *testing.T, d defectCase) {
			if len(d.f.Steps) != 2 || d.f.Steps[0].Token != d.last.Token {
				t.Fatalf("want the same token delivered twice")
			}
			wantChanged(t, d.base, jsonObject(t, decodePart(t, d.last.Token, 1)))
			if (d.last.Nonce != d.f.Steps[0].Nonce) != (v == "new-login-attempt") {
				t.Errorf("expected nonces %q then %q", d.f.Steps[0].Nonce, d.last.Nonce)
			}
		}
	}
}

// sigLen is the raw signature length of each algorithm with the world's keys.
var sigLen = map[string]int{"RS256": 256, "PS256": 256, "ES256": 64, "ES384": 96, "EdDSA": 64, "HS256": 32}

// TestFaultDefects runs the defect check of every manifest entry; a variant
// without a check fails.
func TestFaultDefects(t *testing.T) {
	base := baselineClaims(t)
	bf, _ := forge(t, "baseline-valid#RS256")
	baseHeader := jsonObject(t, decodePart(t, bf.Last().Token, 0))
	for _, m := range Manifest() {
		t.Run(m.Ref, func(t *testing.T) {
			check, ok := defects[m.Ref]
			if !ok {
				t.Fatalf("no defect check for %s", m.Ref)
			}
			f, w := forge(t, m.Ref)
			check(t, defectCase{f: f, last: f.Last(), base: base, baseHeader: baseHeader, w: w})
		})
	}
}

// wantChanged fails unless got differs from base in exactly the named
// members.
func wantChanged(t *testing.T, base, got map[string]any, names ...string) {
	t.Helper()
	changed := changedMembers(base, got)
	sortedNames := append([]string(nil), names...)
	sort.Strings(sortedNames)
	if fmt.Sprint(changed) != fmt.Sprint(sortedNames) {
		t.Errorf("changed members %v, want exactly %v\n got %v\nbase %v", changed, sortedNames, got, base)
	}
}

// claimIs checks that exactly one claim changed, to want.
func claimIs(name string, want any) func(t *testing.T, d defectCase) {
	return func(t *testing.T, d defectCase) {
		got := jsonObject(t, decodePart(t, d.last.Token, 1))
		wantChanged(t, d.base, got, name)
		if fmt.Sprint(got[name]) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
		wantSignatureValid(t, d, true)
	}
}

func wantHeaderAlg(t *testing.T, h map[string]any, alg string) {
	t.Helper()
	if h["alg"] != alg {
		t.Errorf("header alg %v, want %s", h["alg"], alg)
	}
}

func wantSigLength(t *testing.T, token string, n int) {
	t.Helper()
	if got := len(decodePart(t, token, 2)); got != n {
		t.Errorf("signature is %d bytes, want %d", got, n)
	}
}
