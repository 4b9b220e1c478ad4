package issuer

import (
	"fmt"
	"time"

	"github.com/testidp/testidp/keys"
)

// IDToken specifies an ID token (OpenID Connect Core §2).
type IDToken struct {
	ClientID string
	// Audience defaults to the client id alone (then "aud" is a string).
	Audience []string
	Subject  string
	// Alg defaults to RS256. HS256 is keyed by Secret.
	Alg    keys.Alg
	Secret string
	TTL    time.Duration
	// IssuedAt defaults to the issuer's clock.
	IssuedAt time.Time
	// AuthTime is emitted as auth_time when not zero.
	AuthTime time.Time
	Nonce    string
	ACR      string
	AMR      []string
	// AZP is emitted when not empty (Core: needed when aud has several values).
	AZP string
	SID string
	// AccessToken and Code, when set, are hashed into at_hash and c_hash.
	AccessToken string
	Code        string
	// Claims are the user's and the client's claims, added after the
	// protocol claims in sorted order.
	Claims map[string]any
}

// DraftIDToken builds the unsigned ID token.
func (is *Issuer) DraftIDToken(spec IDToken) (*Draft, error) {
	if spec.ClientID == "" || spec.Subject == "" {
		return nil, fmt.Errorf("%w: id token needs client_id and sub", ErrBadSpec)
	}
	alg := spec.Alg
	if alg == "" {
		alg = keys.RS256
	}
	s, err := is.signer(alg, spec.Secret)
	if err != nil {
		return nil, err
	}
	d := is.start(KindIDToken, s, spec.ClientID, spec.Subject, spec.Audience, spec.IssuedAt, spec.TTL, 16+len(spec.Claims))
	p := &d.Payload
	if !spec.AuthTime.IsZero() {
		p.SetInt("auth_time", spec.AuthTime.Unix())
	}
	setIfNotEmpty(p, "nonce", spec.Nonce)
	setAuthContext(p, spec.ACR, spec.AMR)
	setIfNotEmpty(p, "azp", spec.AZP)
	if err := is.setHashes(p, alg, spec.AccessToken, spec.Code); err != nil {
		return nil, err
	}
	setIfNotEmpty(p, "sid", spec.SID)
	if err := p.Merge(spec.Claims); err != nil {
		return nil, err
	}
	return d, nil
}

// MintIDToken builds and signs an ID token.
func (is *Issuer) MintIDToken(spec IDToken) (Token, error) {
	d, err := is.DraftIDToken(spec)
	if err != nil {
		return Token{}, err
	}
	return d.Sign()
}

func (is *Issuer) setHashes(p *Claims, alg keys.Alg, accessToken, code string) error {
	for _, h := range []struct{ name, value string }{{"at_hash", accessToken}, {"c_hash", code}} {
		if h.value == "" {
			continue
		}
		v, err := HalfHash(alg, h.value)
		if err != nil {
			return err
		}
		p.SetString(h.name, v)
	}
	return nil
}

// start drafts a token of kind signed by s with its registered claims: iss,
// sub, aud (the client id by default; a string for one audience), exp and
// iat (the issuer's clock by default). size is the expected member count.
func (is *Issuer) start(kind Kind, s keys.Signer, clientID, sub string, aud []string, iat time.Time, ttl time.Duration, size int) *Draft {
	if iat.IsZero() {
		iat = is.Now()
	}
	if len(aud) == 0 {
		aud = []string{clientID}
	}
	typ := "JWT"
	if kind == KindAccessToken {
		typ = "at+jwt"
	}
	exp := iat.Add(ttl)
	d := &Draft{Header: header(s, typ), Signer: s, Kind: kind, IssuedAt: iat, ExpiresAt: exp}
	p := &d.Payload
	p.Members = make([]Member, 0, size)
	p.SetString("iss", is.URL)
	p.SetString("sub", sub)
	p.SetAudience(aud)
	p.SetInt("exp", exp.Unix())
	p.SetInt("iat", iat.Unix())
	return d
}

// setAuthContext sets acr and amr when given.
func setAuthContext(p *Claims, acr string, amr []string) {
	setIfNotEmpty(p, "acr", acr)
	if len(amr) > 0 {
		p.SetStrings("amr", amr)
	}
}

func setIfNotEmpty(c *Claims, name, v string) {
	if v != "" {
		c.SetString(name, v)
	}
}
