package issuer

import (
	"fmt"
	"time"

	"github.com/testidp/testidp/keys"
)

// AccessToken specifies a JWT access token (RFC 9068).
type AccessToken struct {
	ClientID string
	// Subject is the resource owner, or the client id for client
	// credentials (RFC 9068 §2.2).
	Subject string
	// Audience is required by RFC 9068; it defaults to the client id.
	Audience []string
	Scope    string
	// Alg must be asymmetric (resource servers verify with the JWKS);
	// defaults to RS256.
	Alg      keys.Alg
	TTL      time.Duration
	IssuedAt time.Time
	AuthTime time.Time
	ACR      string
	AMR      []string
	// Claims are added after the protocol claims in sorted order.
	Claims map[string]any
}

// DraftAccessToken builds the unsigned access token, header typ "at+jwt".
func (is *Issuer) DraftAccessToken(spec AccessToken) (*Draft, error) {
	if spec.ClientID == "" || spec.Subject == "" {
		return nil, fmt.Errorf("%w: access token needs client_id and sub", ErrBadSpec)
	}
	alg := spec.Alg
	if alg == "" {
		alg = keys.RS256
	}
	if !alg.Asymmetric() {
		return nil, fmt.Errorf("%w: access tokens are signed with a published key, not %s", ErrAlgNotAllowed, alg)
	}
	s, err := is.signer(alg, "")
	if err != nil {
		return nil, err
	}
	d := is.start(KindAccessToken, s, spec.ClientID, spec.Subject, spec.Audience, spec.IssuedAt, spec.TTL, 12+len(spec.Claims))
	d.ID = NewID()
	p := &d.Payload
	p.SetString("jti", d.ID)
	p.SetString("client_id", spec.ClientID)
	setIfNotEmpty(p, "scope", spec.Scope)
	if !spec.AuthTime.IsZero() {
		p.SetInt("auth_time", spec.AuthTime.Unix())
	}
	setAuthContext(p, spec.ACR, spec.AMR)
	if err := p.Merge(spec.Claims); err != nil {
		return nil, err
	}
	return d, nil
}

// MintAccessToken builds and signs a JWT access token.
func (is *Issuer) MintAccessToken(spec AccessToken) (Token, error) {
	d, err := is.DraftAccessToken(spec)
	if err != nil {
		return Token{}, err
	}
	return d.Sign()
}
