package issuer

import "strings"

// Unknown claims and token-kind confusion: fault-catalog.md rows 48–49.

// backchannelLogoutEvent is the events member of a logout token
// (Back-Channel Logout 1.0 §2.4).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

func init() {
	register(&Case{
		Row: 48, ID: "extra-claims", Category: CatClaims, Expect: MustAccept,
		Description: "Valid token plus claims the verifier does not know: nested custom objects and arrays, optional standard claims (amr, acr, sid, a correct at_hash in the code flow, azp = client_id), non-ASCII claim names, a 4 KB string.",
		Refs:        []string{"RFC 7519 §4"},
		Variants:    []Variant{{Delivery: Delivery{ResponseType: "code"}, Make: extraClaims}},
	})
	register(&Case{
		Row: 49, ID: "logout-token-as-id-token", Category: CatClaims, Expect: MustReject,
		Description: "A correctly signed back-channel logout token (typ logout+jwt, events, sid, jti, no nonce) delivered where an ID token is expected, in a flow that sent a nonce.",
		Refs:        []string{"OpenID Connect Back-Channel Logout 1.0 §2.4", "RFC 8725 §2.8", "RFC 8725 §3.11–3.12"},
		Variants:    []Variant{{Make: logoutToken}},
	})
}

// extraClaims adds the unknown claims; ID tokens also get the optional
// standard ones (sid, azp, at_hash over the access token delivered with it).
func extraClaims(e *FaultEnv) (*Forged, error) {
	var d *Draft
	var err error
	var at string
	if e.Kind == KindAccessToken {
		d, err = e.Baseline()
		if err == nil {
			d.Payload.SetStrings("amr", []string{"pwd", "otp"})
			d.Payload.SetString("acr", acrRequested)
		}
	} else {
		at = e.accessTokenValue()
		d, err = e.BaselineWith(func(s *IDToken) {
			s.AMR, s.ACR, s.SID, s.AZP, s.AccessToken = []string{"pwd", "otp"}, acrRequested, faultValue("sid", 16), s.ClientID, at
		})
	}
	if err != nil {
		return nil, err
	}
	p := &d.Payload
	p.SetRaw("https://claims.example/org", []byte(`{"id":42,"roles":["admin","dev"],"nested":{"deep":[1,{"x":null}],"flag":true}}`))
	p.SetString("prénom", "Zoë")
	p.SetString("名前", "アリス")
	p.SetString("x_large", strings.Repeat(faultValue("large", 48), 64)) // 4096 characters
	s, err := e.Step(d)
	if at != "" {
		s.AccessToken, s.Note = at, "code flow: delivered from the token endpoint with the access token "+at
	}
	return One(s, err)
}

// logoutToken is the baseline turned into a logout token: typ logout+jwt,
// no nonce, jti, events and sid.
func logoutToken(e *FaultEnv) (*Forged, error) {
	if err := e.needsIDToken("have no nonce check that tells a logout token apart"); err != nil {
		return nil, err
	}
	d, err := e.BaselineWith(func(*IDToken) {})
	if err != nil {
		return nil, err
	}
	d.Header.SetString("typ", "logout+jwt")
	d.Payload.Delete("nonce")
	d.Payload.SetString("jti", faultValue("logout jti", 16))
	d.Payload.SetRaw("events", []byte(`{`+jsonQuote(backchannelLogoutEvent)+`:{}}`))
	d.Payload.SetString("sid", faultValue("sid", 16))
	s, err := e.Step(d)
	s.Note = "the relying party sent a nonce; a logout token carries none"
	return One(s, err)
}
