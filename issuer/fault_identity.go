package issuer

import "time"

// Identity consistency across responses: fault-catalog.md rows 50–51 (the
// UserInfo sub, and the ID token of a refresh grant).

// refreshAfter is how long after the original login the refresh happens.
const refreshAfter = time.Minute

func init() {
	register(&Case{
		Row: 50, ID: "userinfo-sub-mismatch", Category: CatClaims, Expect: MustReject,
		Description: "The UserInfo response (plain JSON, Step.Userinfo) carries a sub different from the ID token's (\"foobar\", as the old tool did); the ID token is the valid baseline.",
		Refs:        []string{"OpenID Connect Core §5.3.2"},
		Variants:    []Variant{{Delivery: Delivery{State: "userinfo"}, Make: userinfoSubMismatch}},
	})
	refresh := Delivery{State: "refresh"}
	register(&Case{
		Row: 51, ID: "refresh-identity-changed", Category: CatClaims, Expect: MustReject,
		Description: "Step 1 is the original ID token; step 2, the ID token of a refresh grant a minute later (Step.Refresh), differs from it in one claim Core §12.2 requires to stay the same.",
		Refs:        []string{"OpenID Connect Core §12.2"},
		Variants: []Variant{
			{Name: "iss", Delivery: refresh, Description: "The refreshed token's iss is the issuer with \"1\" appended.",
				Make: refreshChanged(false, func(e *FaultEnv, d *Draft) { d.Payload.SetString("iss", e.Issuer.URL+"1") })},
			{Name: "sub", Delivery: refresh, Description: "The refreshed token's sub is the original sub with \"1\" appended.",
				Make: refreshChanged(false, func(e *FaultEnv, d *Draft) { d.Payload.SetString("sub", e.baseSubject()+"1") })},
			{Name: "aud", Delivery: refresh, Description: "The refreshed token's aud is the client_id with \"1\" appended.",
				Make: refreshChanged(false, func(e *FaultEnv, d *Draft) { d.Payload.SetString("aud", e.baseClientID()+"1") })},
			{Name: "azp-added", Delivery: refresh, Description: "The original token has no azp; the refreshed one has azp = client_id.",
				Make: refreshChanged(false, func(e *FaultEnv, d *Draft) { d.Payload.SetString("azp", e.baseClientID()) })},
			{Name: "auth-time-changed", Delivery: Delivery{State: "refresh", Registration: "max_age"},
				Description: "The original token has auth_time (max_age was sent); the refreshed one claims the login happened at the refresh.",
				Make:        refreshChanged(true, func(e *FaultEnv, d *Draft) { d.Payload.SetInt("auth_time", d.IssuedAt.Unix()) })},
		},
	})
}

func userinfoSubMismatch(e *FaultEnv) (*Forged, error) {
	if err := e.needsIDToken("are not compared with a UserInfo response"); err != nil {
		return nil, err
	}
	s, err := e.idStep()
	if err != nil {
		return nil, err
	}
	other := "foobar"
	if e.baseSubject() == other {
		other += "1"
	}
	var info Claims
	info.SetString("sub", other)
	if err := info.Merge(e.spec().Claims); err != nil {
		return nil, err
	}
	s.Userinfo = info.AppendJSON(nil)
	s.Note = "UserInfo response: " + string(s.Userinfo)
	return One(s, nil)
}

// refreshChanged: step 1 is the original ID token, issued refreshAfter
// before now (with auth_time, the login two minutes before that, when
// withAuthTime); step 2 is the baseline issued now from a refresh grant,
// with the same auth_time, changed by defect.
func refreshChanged(withAuthTime bool, defect func(e *FaultEnv, d *Draft)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken("have no refresh-grant identity rules (Core §12.2 is about ID tokens)"); err != nil {
			return nil, err
		}
		now := e.Issuer.Now()
		var authTime time.Time
		if withAuthTime {
			authTime = now.Add(-refreshAfter - faultLoginAgo)
		}
		orig, err := e.BaselineWith(func(s *IDToken) { s.IssuedAt, s.AuthTime = now.Add(-refreshAfter), authTime })
		if err != nil {
			return nil, err
		}
		refreshed, err := e.BaselineWith(func(s *IDToken) { s.IssuedAt, s.AuthTime = now, authTime })
		if err != nil {
			return nil, err
		}
		defect(e, refreshed)
		s1, err := e.Step(orig)
		if err != nil {
			return nil, err
		}
		s2, err := e.Step(refreshed)
		s1.Note, s2.Note, s2.Refresh = "the original ID token, from the login", "the ID token of a refresh grant", true
		if withAuthTime {
			s1.MaxAge = faultMaxAge
		}
		return &Forged{Steps: []Step{s1, s2}}, err
	}
}
