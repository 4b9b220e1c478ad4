package issuer

import (
	"strconv"
	"time"
)

// Authentication-time and acr faults: fault-catalog.md row 47.

// faultMaxAge is the max_age (seconds) the relying party sends in the
// auth_time cases; the baseline's login happened two minutes before now.
const (
	faultMaxAge   = 300
	faultLoginAgo = 2 * time.Minute
)

// The acr values of #acr-low (OpenID Connect Core §5.5.1.1's example): the
// relying party asks for silver as essential, the token says bronze.
const (
	acrRequested = "urn:mace:incommon:iap:silver"
	acrWeaker    = "urn:mace:incommon:iap:bronze"
)

func init() {
	maxAge := Delivery{Registration: "max_age"}
	register(&Case{
		Row: 47, ID: "auth-time-missing", Category: CatClaims, Expect: ShouldReject,
		Description: "The relying party sent max_age (Step.MaxAge); auth_time is missing, malformed or too old.",
		Refs:        []string{"OpenID Connect Core §3.1.2.1", "OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7 steps 12–13"},
		Variants: []Variant{
			{Name: "absent", Delivery: maxAge, Description: "max_age was sent; the token has no auth_time.",
				Make: authTimeFault(func(d *Draft) { d.Payload.Delete("auth_time") })},
			{Name: "string", Delivery: maxAge, Description: "max_age was sent; auth_time is its decimal digits as a JSON string.",
				Make: authTimeFault(func(d *Draft) {
					raw, _ := d.Payload.Get("auth_time")
					d.Payload.SetRaw("auth_time", []byte(`"`+string(raw)+`"`))
				})},
			{Name: "stale", Delivery: maxAge, Description: "max_age 300 s was sent; auth_time is an hour ago.",
				Make: authTimeFault(func(d *Draft) {
					d.Payload.SetInt("auth_time", d.IssuedAt.Add(-time.Hour).Unix())
				})},
			{Name: "acr-low", Delivery: Delivery{Registration: "acr"},
				Description: "acr " + acrRequested + " was requested as essential (Step.ACRValues); the token's acr is " + acrWeaker + ".",
				Make:        acrLow},
		},
	})
}

// authTimeFault is the baseline with auth_time (the relying party sent
// max_age), changed by defect.
func authTimeFault(defect func(d *Draft)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken("are not where a relying party checks max_age against auth_time"); err != nil {
			return nil, err
		}
		d, err := e.BaselineWith(func(s *IDToken) { s.AuthTime = e.Issuer.Now().Add(-faultLoginAgo) })
		if err != nil {
			return nil, err
		}
		defect(d)
		s, err := e.Step(d)
		s.MaxAge = faultMaxAge
		s.Note = "the relying party sent max_age=" + strconv.Itoa(faultMaxAge)
		return One(s, err)
	}
}

func acrLow(e *FaultEnv) (*Forged, error) {
	if err := e.needsIDToken("are not where a relying party checks the acr it requested"); err != nil {
		return nil, err
	}
	d, err := e.BaselineWith(func(s *IDToken) { s.ACR = acrRequested })
	if err != nil {
		return nil, err
	}
	d.Payload.SetString("acr", acrWeaker)
	s, err := e.Step(d)
	s.ACRValues = []string{acrRequested}
	s.Note = "the relying party requested acr " + acrRequested + " as essential"
	return One(s, err)
}
