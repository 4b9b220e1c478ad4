package endpoints

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

// Mint asks for a token without a protocol flow: what the token endpoint
// would issue to Client after Subject logged in with Scopes, changed by the
// other fields. The zero Mint is the default issuer's first client and first
// user.
type Mint struct {
	// Issuer is the issuer's path ("" or "/" for the default issuer).
	Issuer string
	// Client is the client id; default the issuer's first client.
	Client string
	// Subject is the sub; default the issuer's first user. A configured
	// user brings its claims; any other subject only the profile's.
	Subject string
	// Scopes release the user's standard claims (default openid, profile,
	// email); an access token carries them in "scope".
	Scopes []string
	// Claims are added over the user's and the client's.
	Claims map[string]any
	// Audience replaces the default audience (the client id, or the
	// client's access_token_audience).
	Audience []string
	// Alg replaces the client's algorithm.
	Alg keys.Alg
	// TTL replaces the client's lifetime; IssuedAt the provider's clock.
	TTL      time.Duration
	IssuedAt time.Time
	// Nonce is put in ID tokens.
	Nonce string
}

// defaultScopes are a minted token's scopes when Mint gives none.
var defaultScopes = []string{"openid", "profile", "email"}

// MintIDToken signs an ID token as the issuer would issue it to the client
// (its algorithm, secret and lifetime, the issuer's profile), without a
// login.
func (p *Provider) MintIDToken(m Mint) (issuer.Token, error) {
	s, _, spec, err := p.idSpec(m)
	if err != nil {
		return issuer.Token{}, err
	}
	return s.mintID(spec)
}

// idSpec resolves a Mint into the issuer, client and ID-token spec.
func (p *Provider) idSpec(m Mint) (*site, *client, issuer.IDToken, error) {
	s, c, err := p.mintTarget(m)
	if err != nil {
		return nil, nil, issuer.IDToken{}, err
	}
	return s, c, s.idSpecFor(c, m), nil
}

// idSpecFor is the ID-token spec of a Mint for a client of this issuer.
func (s *site) idSpecFor(c *client, m Mint) issuer.IDToken {
	sub, user := s.mintUser(m.Subject)
	claims := issuer.ScopedClaims(orScopes(m.Scopes), user)
	maps.Copy(claims, c.Claims)
	maps.Copy(claims, m.Claims)
	alg := c.idAlg
	if m.Alg != "" {
		alg = m.Alg
	}
	return issuer.IDToken{ClientID: c.ID, Audience: m.Audience, Subject: sub, Alg: alg, Secret: c.Secret,
		TTL: orDuration(m.TTL, c.Lifetimes.IDToken), IssuedAt: m.IssuedAt, Nonce: m.Nonce, Claims: claims}
}

// MintAccessToken signs a JWT access token (RFC 9068) as the issuer would
// issue it to the client after the user's login, without one. testidp's
// userinfo and introspection accept it.
func (p *Provider) MintAccessToken(m Mint) (issuer.Token, error) {
	s, _, spec, user, err := p.accessSpec(m)
	if err != nil {
		return issuer.Token{}, err
	}
	return s.mintAccess(spec, user)
}

// accessSpec resolves a Mint into the issuer, client, access-token spec
// and the user's claims.
func (p *Provider) accessSpec(m Mint) (*site, *client, issuer.AccessToken, map[string]any, error) {
	s, c, err := p.mintTarget(m)
	if err != nil {
		return nil, nil, issuer.AccessToken{}, nil, err
	}
	spec, user := s.accessSpecFor(c, m)
	return s, c, spec, user, nil
}

// accessSpecFor is the access-token spec of a Mint for a client of this
// issuer, and the user's claims.
func (s *site) accessSpecFor(c *client, m Mint) (issuer.AccessToken, map[string]any) {
	sub, user := s.mintUser(m.Subject)
	claims := maps.Clone(c.Claims)
	if claims == nil {
		claims = map[string]any{}
	}
	maps.Copy(claims, m.Claims)
	alg := c.atAlg
	if m.Alg != "" {
		alg = m.Alg
	}
	aud := c.AccessTokenAudience
	if m.Audience != nil {
		aud = m.Audience
	}
	return issuer.AccessToken{ClientID: c.ID, Subject: sub, Audience: aud, Scope: strings.Join(orScopes(m.Scopes), " "),
		Alg: alg, TTL: orDuration(m.TTL, c.Lifetimes.AccessToken), IssuedAt: m.IssuedAt, Claims: claims}, user
}

// mintTarget finds the issuer and client of a Mint.
func (p *Provider) mintTarget(m Mint) (*site, *client, error) {
	s := p.siteAt(m.Issuer)
	if s == nil {
		return nil, nil, fmt.Errorf("%w: no issuer at path %q", ErrUnknown, m.Issuer)
	}
	c, err := s.mintClient(m.Client)
	return s, c, err
}

// mintClient is the named client, or the issuer's first one.
func (s *site) mintClient(id string) (*client, error) {
	if id == "" && len(s.cfg.Clients) > 0 {
		id = s.cfg.Clients[0].ID
	}
	c, ok := s.client(id)
	if !ok {
		return nil, fmt.Errorf("%w: no client %q at issuer %s", ErrUnknown, id, s.issuerURL)
	}
	return c, nil
}

// mintUser resolves the subject of a Mint and its claims.
func (s *site) mintUser(sub string) (string, map[string]any) {
	if sub == "" && len(s.users) > 0 {
		sub = s.users[0].Sub
	}
	if u, ok := s.usersBySub[sub]; ok {
		return sub, u.Claims
	}
	return sub, s.userClaims(sub, nil)
}

// siteAt finds the issuer at a path ("" or "/" for the default issuer).
func (p *Provider) siteAt(path string) *site {
	path = strings.TrimSuffix(path, "/")
	for _, s := range p.sites {
		if s.prefix == path {
			return s
		}
	}
	if path == "" {
		return p.sites[0]
	}
	return nil
}

func orScopes(s []string) []string {
	if s == nil {
		return defaultScopes
	}
	return s
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// MintFault builds a fault case ("id" or "id#variant") over the ID token
// the Mint describes, as the mint API does: cases that need state change
// the issuer (a rotation, the JWKS it serves). The last step is the case.
func (p *Provider) MintFault(m Mint, ref string) (*issuer.Forged, *issuer.Case, issuer.Variant, error) {
	s, c, spec, err := p.idSpec(m)
	if err != nil {
		return nil, nil, issuer.Variant{}, err
	}
	env := s.faultEnv(context.Background(), c, spec)
	env.NoNonce = false
	return s.forge(env, ref)
}

// RotateKeys makes a new key of alg sign at once at the issuer at path
// ("" for the default one); the replaced key stays published, so tokens it
// signed still verify after a verifier re-fetches the JWKS.
func (p *Provider) RotateKeys(path string, alg keys.Alg) error {
	s := p.siteAt(path)
	if s == nil {
		return fmt.Errorf("%w: no issuer at path %q", ErrUnknown, path)
	}
	return s.withKeyFor(func() error { return s.rotateSigningKeyNow(alg) })
}
