package issuer

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// Defect checks and verifier exceptions of the nonce rows 73–74.

func init() {
	nonceDefects()
	for _, v := range []string{"other", "suffix", "case", "other-session", "number", "array"} {
		except("nonce-mismatch#"+v, "go-jose", whyNonceJose)
		if v != "number" && v != "array" {
			except("nonce-mismatch#"+v, "go-oidc", whyNonceOIDC)
		}
	}
	for _, v := range []string{"absent", "null", "empty"} {
		exceptBoth("nonce-missing#"+v, whyNonceOIDC, whyNonceJose)
	}
}

func nonceDefects() {
	sent := DefaultNonce
	swapped := strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, sent)
	for name, check := range map[string]func(*testing.T, defectCase){
		"nonce-mismatch#other":  rawClaimIs("nonce", `"012345678"`),
		"nonce-mismatch#suffix": rawClaimIs("nonce", jsonQuoted(sent+"1")),
		"nonce-mismatch#case":   rawClaimIs("nonce", jsonQuoted(swapped)),
		"nonce-mismatch#number": rawClaimIs("nonce", "12345678"),
		"nonce-mismatch#array":  rawClaimIs("nonce", "["+jsonQuoted(sent)+"]"),
		"nonce-mismatch#other-session": func(t *testing.T, d defectCase) {
			raw, _ := lastRaw(t, lastPayload(t, d), "nonce")
			var n string
			if err := json.Unmarshal([]byte(raw), &n); err != nil || n == sent || len(n) != len(sent) {
				t.Errorf("nonce %s: want another string of the length of %q", raw, sent)
			}
			rawClaimIs("nonce", raw)(t, d)
		},
		"nonce-missing#absent": claimAbsent("nonce"),
		"nonce-missing#null":   rawClaimIs("nonce", "null"),
		"nonce-missing#empty":  rawClaimIs("nonce", `""`),
	} {
		defects[name] = func(t *testing.T, d defectCase) {
			if d.last.Nonce != sent || len(d.f.Steps) != 1 {
				t.Errorf("Step.Nonce %q in %d steps, want %q in one", d.last.Nonce, len(d.f.Steps), sent)
			}
			check(t, d)
		}
	}
}
