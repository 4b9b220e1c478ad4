package issuer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Defect checks of the claims rows 29–48 (B: iss https://op.example, sub
// alice, aud web, iat goldenNow, exp goldenNow + 300 s).

func init() {
	iss := goldenIssuer
	for name, check := range map[string]func(*testing.T, defectCase){
		"iss-missing#absent":                    claimAbsent("iss"),
		"iss-missing#null":                      rawClaimIs("iss", "null"),
		"iss-missing#empty":                     rawClaimIs("iss", `""`),
		"iss-near-miss#trailing-slash":          rawClaimIs("iss", jsonQuoted(iss+"/")),
		"iss-near-miss#case":                    rawClaimIs("iss", `"HTTPS://OP.EXAMPLE"`),
		"iss-near-miss#default-port":            rawClaimIs("iss", `"https://op.example:443"`),
		"iss-near-miss#prefix":                  rawClaimIs("iss", jsonQuoted(iss+"/tenant2")),
		"iss-near-miss#substring":               rawClaimIs("iss", `"op.example"`),
		"iss-near-miss#array":                   rawClaimIs("iss", "["+jsonQuoted(iss)+"]"),
		"aud-wrong#other":                       rawClaimIs("aud", `"https://example.com/"`),
		"aud-wrong#suffix":                      rawClaimIs("aud", `"web1"`),
		"aud-wrong#case":                        rawClaimIs("aud", `"WEB"`),
		"aud-wrong#other-array":                 rawClaimIs("aud", `["someone-else"]`),
		"aud-missing-or-empty#absent":           claimAbsent("aud"),
		"aud-missing-or-empty#null":             rawClaimIs("aud", "null"),
		"aud-missing-or-empty#empty-string":     rawClaimIs("aud", `""`),
		"aud-missing-or-empty#empty-array":      rawClaimIs("aud", `[]`),
		"aud-missing-or-empty#array-of-empty":   rawClaimIs("aud", `[""]`),
		"aud-missing-or-empty#non-string":       rawClaimIs("aud", `[42]`),
		"aud-extra-untrusted#azp-client":        rawClaimIs("aud", `["web","web1"]`, "azp", `"web"`),
		"aud-extra-untrusted#no-azp":            rawClaimIs("aud", `["web","web1"]`),
		"aud-array-single":                      rawClaimIs("aud", `["web"]`),
		"aud-multi-trusted-azp#single-with-azp": rawClaimIs("azp", `"web"`),
		"azp-mismatch#multi":                    rawClaimIs("aud", `["web","other"]`, "azp", `"other"`),
		"azp-mismatch#single":                   rawClaimIs("azp", `"other"`),
		"sub-missing":                           claimAbsent("sub"),
		"sub-malformed#number":                  rawClaimIs("sub", "12345"),
		"sub-malformed#object":                  rawClaimIs("sub", `{"id":"alice"}`),
		"sub-malformed#null":                    rawClaimIs("sub", "null"),
		"sub-malformed#empty":                   rawClaimIs("sub", `""`),
		"exp-past":                              rawClaimIs("exp", nowPlusRaw(-360*time.Second)),
		"exp-past#epoch":                        rawClaimIs("exp", "0"),
		"exp-past#negative":                     rawClaimIs("exp", "-1"),
		"exp-missing#absent":                    claimAbsent("exp"),
		"exp-missing#null":                      rawClaimIs("exp", "null"),
		"clock-skew-tolerated#exp-30s-ago":      rawClaimIs("exp", nowPlusRaw(-30*time.Second)),
		"clock-skew-tolerated#iat-30s-ahead":    rawClaimIs("iat", nowPlusRaw(30*time.Second)),
		"clock-skew-tolerated#nbf-30s-ahead":    rawClaimIs("nbf", nowPlusRaw(30*time.Second)),
		"numericdate-float":                     rawClaimIs("exp", nowPlusRaw(BaselineTTL)+".5", "iat", nowPlusRaw(-time.Second)+".75"),
		"numericdate-float#exponent":            rawClaimIs("exp", "1.7803155E+09"),
		"nbf-future":                            rawClaimIs("nbf", nowPlusRaw(time.Hour)),
		"iat-missing#absent":                    claimAbsent("iat"),
		"iat-missing#null":                      rawClaimIs("iat", "null"),
		"iat-out-of-window#future":              rawClaimIs("iat", nowPlusRaw(time.Hour)),
		"iat-out-of-window#week-old":            rawClaimIs("iat", nowPlusRaw(-7*24*time.Hour)),
	} {
		defects[name] = check
	}
	defects["sub-malformed#too-long"] = func(t *testing.T, d defectCase) {
		raw, _ := lastRaw(t, lastPayload(t, d), "sub")
		sub, err := strconv.Unquote(raw)
		if err != nil || len(sub) != 256 || !strings.HasPrefix(sub, "alice") || strings.ContainsFunc(sub, func(r rune) bool { return r > 126 || r < 32 }) {
			t.Errorf("sub %s: want 256 printable ASCII characters starting with alice", raw)
		}
		rawClaimIs("sub", raw)(t, d)
	}
	defects["aud-multi-trusted-azp#trusted-extra"] = func(t *testing.T, d defectCase) {
		rawClaimIs("aud", `["web","web-api"]`, "azp", `"web"`)(t, d)
		if !slices.Equal(d.last.TrustedAudiences, []string{"web-api"}) {
			t.Errorf("TrustedAudiences %v, want [web-api]", d.last.TrustedAudiences)
		}
	}
	defects["numericdate-float#exponent"] = func(t *testing.T, d defectCase) {
		// The same time as B's exp, only written in E-notation.
		if raw, _ := lastRaw(t, lastPayload(t, d), "exp"); raw != "1.7803155E+09" {
			t.Errorf("exp %s, want 1.7803155E+09", raw)
		}
		sameClaimsAsB(t, d)
	}
	numericDateDefects()
	authTimeDefects()
	defects["extra-claims"] = extraClaimsDefect
}

// numericDateDefects: each time claim in each wrong type, holding B's time
// (nbf: B's iat).
func numericDateDefects() {
	for _, claim := range []string{"exp", "iat", "nbf"} {
		at := goldenNow
		if claim == "exp" {
			at = goldenNow.Add(BaselineTTL)
		}
		digits := strconv.FormatInt(at.Unix(), 10)
		prefix := claim + "-"
		if claim == "exp" {
			prefix = ""
		}
		for kind, raw := range map[string]string{
			"string-digits": `"` + digits + `"`,
			"iso8601":       `"` + at.UTC().Format("2006-01-02T15:04:05Z") + `"`,
			"bool":          "true",
			"object":        `{"seconds":` + digits + `}`,
		} {
			defects["numericdate-string#"+prefix+kind] = rawClaimIs(claim, raw)
		}
	}
}

func authTimeDefects() {
	withMaxAge := func(check func(*testing.T, defectCase)) func(*testing.T, defectCase) {
		return func(t *testing.T, d defectCase) {
			if d.last.MaxAge != 300 {
				t.Errorf("Step.MaxAge %d, want 300", d.last.MaxAge)
			}
			check(t, d)
		}
	}
	loginAt := goldenNow.Add(-2 * time.Minute).Unix()
	defects["auth-time-missing#absent"] = withMaxAge(sameClaimsAsB)
	defects["auth-time-missing#string"] = withMaxAge(rawClaimIs("auth_time", fmt.Sprintf(`"%d"`, loginAt)))
	defects["auth-time-missing#stale"] = withMaxAge(func(t *testing.T, d defectCase) {
		rawClaimIs("auth_time", nowPlusRaw(-time.Hour))(t, d)
		if goldenNow.Add(-time.Hour).Unix() >= goldenNow.Unix()-int64(d.last.MaxAge) {
			t.Errorf("auth_time is not older than max_age %d allows", d.last.MaxAge)
		}
	})
	defects["auth-time-missing#acr-low"] = func(t *testing.T, d defectCase) {
		rawClaimIs("acr", `"urn:mace:incommon:iap:bronze"`)(t, d)
		if !slices.Equal(d.last.ACRValues, []string{"urn:mace:incommon:iap:silver"}) || d.last.MaxAge != 0 {
			t.Errorf("Step.ACRValues %v, MaxAge %d: want [silver] requested and no max_age", d.last.ACRValues, d.last.MaxAge)
		}
	}
}

// extraClaimsDefect: only added claims; the optional standard ones are
// right (at_hash over the delivered access token computed here).
func extraClaimsDefect(t *testing.T, d defectCase) {
	p := lastPayload(t, d)
	got := jsonObject(t, p)
	wantChanged(t, d.base, got, "acr", "amr", "at_hash", "azp", "https://claims.example/org", "prénom", "sid", "x_large", "名前")
	wantSignatureValid(t, d, true)
	at := d.last.AccessToken
	if len(at) != 43 || got["at_hash"] != b64u(halfSHA256(at)) {
		t.Errorf("at_hash %v for access token %q (want a 43-character token and its left-half SHA-256)", got["at_hash"], at)
	}
	if got["azp"] != "web" || len(fmt.Sprint(got["x_large"])) < 4000 {
		t.Errorf("azp %v, x_large of %d characters: want web and about 4 KB", got["azp"], len(fmt.Sprint(got["x_large"])))
	}
	org, ok := got["https://claims.example/org"].(map[string]any)
	if !ok || org["nested"] == nil || org["roles"] == nil {
		t.Errorf("custom claim not a nested object with arrays: %v", got["https://claims.example/org"])
	}
}

// Verifier exceptions of rows 29–48 (see fault_verifier_b_test.go).
func init() {
	for _, v := range []string{"azp-client", "no-azp"} {
		exceptBoth("aud-extra-untrusted#"+v,
			"caller: go-oidc only ensures aud contains the client ID (documented on Config.ClientID/IDToken.Audience); rejecting untrusted extra audiences and checking azp is the caller's",
			"caller: go-jose's Expected.AnyAudience matches on a non-empty intersection (documented); rejecting extra audiences is the caller's")
	}
	for _, ref := range []string{"sub-missing", "sub-malformed#null"} {
		exceptBoth(ref,
			"caller: go-oidc's Verify checks only what its Config names (issuer, client ID, expiry, nbf), never sub (null decodes to \"\"); requiring sub is the caller's",
			"caller: go-jose skips claims whose Expected field is zero (documented), and a verifier cannot expect a sub; requiring it is the caller's")
	}
	for _, ref := range []string{"exp-missing#absent", "exp-missing#null"} {
		except(ref, "go-jose", "caller: go-jose does not validate a nil exp (documented on Expected: set the claim to nil to skip it); requiring exp is the caller's")
	}
	except("iat-missing#absent", "go-oidc", "caller: go-oidc's Verify has no iat check at all (Config offers none); requiring iat is the caller's")
	for _, ref := range []string{"iat-missing#absent", "iat-missing#null"} {
		except(ref, "go-jose", "caller: go-jose does not validate a nil iat (documented on Expected); requiring iat is the caller's")
	}
	for _, ref := range []string{"numericdate-string#string-digits", "numericdate-string#iat-string-digits", "numericdate-string#nbf-string-digits"} {
		except(ref, "go-oidc", "finding: go-oidc decodes NumericDates into json.Number, which encoding/json also fills from a JSON string of digits, so \"1780315500\" passes as a time")
	}
}
