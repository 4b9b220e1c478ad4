package endpoints

import (
	"maps"
	"sort"

	"github.com/testidp/testidp/issuer"
)

// mintID signs an ID token shaped by the issuer's profile: azp, jti, sid, nbf
// and the audience array as the profile asks, and the profile's claims where
// the spec's own claims leave them out. Every ID token of the site is minted
// here.
func (s *site) mintID(spec issuer.IDToken) (issuer.Token, error) {
	d, err := s.draftID(spec)
	if err != nil {
		return issuer.Token{}, err
	}
	return d.Sign()
}

// draftID is mintID before signing.
func (s *site) draftID(spec issuer.IDToken) (*issuer.Draft, error) {
	shape := s.profile.IDToken
	if shape.AZP && spec.AZP == "" {
		spec.AZP = spec.ClientID
	}
	if shape.SID && spec.SID == "" {
		spec.SID = issuer.NewID()
	}
	d, err := s.iss.DraftIDToken(spec)
	if err != nil {
		return nil, err
	}
	if shape.JTI {
		d.ID = issuer.NewID()
		d.Payload.SetString("jti", d.ID)
	}
	return d, s.finishShape(d, shape, spec.Subject, spec.ClientID, spec.Audience)
}

// mintAccess signs a JWT access token shaped by the issuer's profile; user
// holds the claims of the user it is for (nil for a client's own token), of
// which the profile's access_token.user_claims are copied in.
func (s *site) mintAccess(spec issuer.AccessToken, user map[string]any) (issuer.Token, error) {
	d, err := s.draftAccess(spec, user)
	if err != nil {
		return issuer.Token{}, err
	}
	return d.Sign()
}

// draftAccess is mintAccess before signing.
func (s *site) draftAccess(spec issuer.AccessToken, user map[string]any) (*issuer.Draft, error) {
	shape := s.profile.AccessToken
	if len(shape.UserClaims) > 0 && len(user) > 0 {
		own := map[string]any{}
		for _, name := range shape.UserClaims {
			if v, ok := user[name]; ok {
				own[name] = v
			}
		}
		maps.Copy(own, spec.Claims)
		spec.Claims = own
	}
	d, err := s.iss.DraftAccessToken(spec)
	if err != nil {
		return nil, err
	}
	if shape.AZP {
		if _, ok := d.Payload.Get("azp"); !ok {
			d.Payload.SetString("azp", spec.ClientID)
		}
	}
	return d, s.finishShape(d, shape, spec.Subject, spec.ClientID, spec.Audience)
}

// finishShape adds the profile's claims that the token does not have yet
// (expanded, in sorted order), nbf, and writes aud as an array when the
// profile asks.
func (s *site) finishShape(d *issuer.Draft, shape TokenShape, sub, clientID string, aud []string) error {
	if len(shape.Claims) > 0 {
		vars := templateVars(map[string]string{"sub": sub, "client_id": clientID, "issuer": s.issuerURL, "jti": d.ID}, s.params)
		extra := expandClaims(shape.Claims, vars)
		names := make([]string, 0, len(extra))
		for name := range extra {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, ok := d.Payload.Get(name); ok {
				continue
			}
			if err := d.Payload.Set(name, extra[name]); err != nil {
				return err
			}
		}
	}
	if shape.NotBefore != nil {
		d.Payload.SetInt("nbf", d.IssuedAt.Add(*shape.NotBefore).Unix())
	}
	if shape.AudienceArray {
		if len(aud) == 0 {
			aud = []string{clientID}
		}
		d.Payload.SetStrings("aud", aud)
	}
	return nil
}
