package issuer

import (
	"encoding/json"
	"testing"
	"time"
)

// Defect checks of rows 49–51 (logout token, UserInfo, refresh).

func init() {
	defects["logout-token-as-id-token"] = logoutDefect
	defects["userinfo-sub-mismatch"] = func(t *testing.T, d defectCase) {
		sameClaimsAsB(t, d)
		var info map[string]any
		if err := json.Unmarshal(d.last.Userinfo, &info); err != nil {
			t.Fatalf("Userinfo is not JSON: %v: %q", err, d.last.Userinfo)
		}
		if info["sub"] != "foobar" || d.base["sub"] != "alice" {
			t.Errorf("UserInfo sub %v, ID token sub %v: want foobar and alice", info["sub"], d.base["sub"])
		}
	}
	refreshDefects()
}

func logoutDefect(t *testing.T, d defectCase) {
	h := jsonObject(t, decodePart(t, d.last.Token, 0))
	wantChanged(t, d.baseHeader, h, "typ")
	if h["typ"] != "logout+jwt" {
		t.Errorf("typ %v, want logout+jwt", h["typ"])
	}
	got := jsonObject(t, lastPayload(t, d))
	wantChanged(t, d.base, got, "events", "jti", "nonce", "sid")
	events, _ := got["events"].(map[string]any)
	member, ok := events["http://schemas.openid.net/event/backchannel-logout"].(map[string]any)
	if !ok || len(member) != 0 || len(events) != 1 {
		t.Errorf("events %v: want only the back-channel-logout member, an empty object", got["events"])
	}
	if _, has := got["nonce"]; has || d.last.Nonce == "" {
		t.Errorf("nonce in token %v, sent %q: want none in the token and one sent", got["nonce"], d.last.Nonce)
	}
	if got["jti"] == "" || got["sid"] == "" {
		t.Errorf("jti %v, sid %v: want both", got["jti"], got["sid"])
	}
	wantSignatureValid(t, d, true)
}

// refreshDefects: step 1 is B issued a minute earlier; step 2, from a
// refresh, is B with the one changed claim.
func refreshDefects() {
	earlier := nowPlusRaw(-time.Minute)
	for v, want := range map[string][]string{
		"iss":               {"iss", jsonQuoted(goldenIssuer + "1")},
		"sub":               {"sub", `"alice1"`},
		"aud":               {"aud", `"web1"`},
		"azp-added":         {"azp", `"web"`},
		"auth-time-changed": {"auth_time", nowPlusRaw(0)},
	} {
		defects["refresh-identity-changed#"+v] = func(t *testing.T, d defectCase) {
			if len(d.f.Steps) != 2 || d.f.Steps[0].Refresh || !d.last.Refresh {
				t.Fatalf("want 2 steps, the second from a refresh")
			}
			first := withStep(d, 0)
			changed := []string{"exp", "iat"}
			if v == "auth-time-changed" {
				changed = append(changed, "auth_time")
				if got, _ := lastRaw(t, lastPayload(t, first), "auth_time"); got != nowPlusRaw(-3*time.Minute) || first.last.MaxAge != 300 {
					t.Errorf("original auth_time %s, max_age %d: want the login 3 minutes ago with max_age 300", got, first.last.MaxAge)
				}
			}
			wantChanged(t, d.base, jsonObject(t, lastPayload(t, first)), changed...)
			if got, _ := lastRaw(t, lastPayload(t, first), "iat"); got != earlier {
				t.Errorf("original iat %s, want %s", got, earlier)
			}
			wantSignatureValid(t, first, true)
			rawClaimIs(want...)(t, d)
		}
	}
}

// Verifier exceptions of rows 49–51.
func init() {
	both2 := func(ref, why string) { exceptBoth(ref, why, why) }
	exceptBoth("logout-token-as-id-token",
		whyNonceOIDC+"; it does not check typ either",
		whyNonceJose+"; go-jose does not check typ either")
	both2("userinfo-sub-mismatch", "caller: the token is valid; comparing Step.Userinfo's sub with it (Core §5.3.2) is the application's")
	for _, v := range []string{"sub", "azp-added", "auth-time-changed"} {
		both2("refresh-identity-changed#"+v, "caller: the token alone is valid; comparing it with the original ID token (Step.Refresh, Core §12.2) is the application's")
	}
}
