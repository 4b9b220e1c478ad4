package endpoints

import (
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/testidp/testidp/keys"
)

// ownToken is a JWT this issuer signed, after verification.
type ownToken struct {
	Typ    string
	Claims jwt.Claims
	Extra  map[string]any
}

// verifyOwn checks a JWT signed by this issuer: a published ring key (or the
// client secret, for an HS256 ID token of that client), iss equal to ours,
// and, unless allowExpired, exp in the future by the provider's clock.
func (s *site) verifyOwn(raw string, allowExpired bool) (*ownToken, error) {
	algs := []jose.SignatureAlgorithm{jose.HS256}
	for _, a := range keys.RingAlgs {
		algs = append(algs, jose.SignatureAlgorithm(a))
	}
	tok, err := jwt.ParseSigned(raw, algs)
	if err != nil {
		return nil, fmt.Errorf("not a signed JWT: %w", err)
	}
	h := tok.Headers[0]
	key, err := s.ownKey(tok, h)
	if err != nil {
		return nil, err
	}
	out := &ownToken{Extra: map[string]any{}}
	if typ, ok := h.ExtraHeaders[jose.HeaderType].(string); ok {
		out.Typ = typ
	}
	if err := tok.Claims(key, &out.Claims, &out.Extra); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	exp := jwt.Expected{Issuer: s.iss.URL, Time: s.now()}
	if allowExpired {
		exp.Time = time.Time{}
		if out.Claims.Expiry != nil {
			exp.Time = out.Claims.Expiry.Time().Add(-time.Second)
		}
	}
	if err := out.Claims.ValidateWithLeeway(exp, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *site) ownKey(tok *jwt.JSONWebToken, h jose.Header) (any, error) {
	if h.Algorithm == string(keys.HS256) {
		var c jwt.Claims
		if err := tok.UnsafeClaimsWithoutVerification(&c); err != nil || len(c.Audience) != 1 {
			return nil, fmt.Errorf("HS256 token must name exactly one client in aud")
		}
		cl, ok := s.client(c.Audience[0])
		if !ok || cl.idAlg != keys.HS256 {
			return nil, fmt.Errorf("HS256 token for a client that does not use HS256")
		}
		return []byte(cl.Secret), nil
	}
	for _, k := range s.ring.PublicSet().Keys {
		if k.KeyID == h.KeyID && k.Algorithm == h.Algorithm {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no published key %q for %s", h.KeyID, h.Algorithm)
}

// looksLikeJWT tells JWT access tokens from opaque ones (which have no dots).
func looksLikeJWT(v string) bool { return strings.Count(v, ".") == 2 }
