package endpoints

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authenticateAssertion checks a client_assertion (RFC 7523 §2.2, OpenID
// Connect Core §9): HS* keyed by the client secret for client_secret_jwt,
// asymmetric keys from the client's jwks or jwks_uri for private_key_jwt;
// iss and sub are the client id, aud names this issuer or the endpoint, exp
// is in the future, and the jti is used once.
func (s *site) authenticateAssertion(ctx context.Context, cc *op.ClientCredentials, path string) (*client, error) {
	algs := make([]jose.SignatureAlgorithm, len(assertionAlgs))
	for i, a := range assertionAlgs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	tok, err := jwt.ParseSigned(cc.ClientAssertion, algs)
	if err != nil {
		return nil, invalidClient("client_assertion is not a signed JWT with a supported alg: %v", err)
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, invalidClient("client_assertion claims: %v", err)
	}
	c, ok := s.client(unverified.Subject)
	if !ok || unverified.Issuer != unverified.Subject {
		return nil, invalidClient("client_assertion iss and sub must both be a registered client id (got iss %q, sub %q)", unverified.Issuer, unverified.Subject)
	}
	if cc.ClientID != "" && cc.ClientID != c.ID {
		return nil, invalidClient("client_id %q differs from the client_assertion subject %q", cc.ClientID, c.ID)
	}
	key, err := s.assertionKey(ctx, c, tok.Headers[0])
	if err != nil {
		return nil, err
	}
	var claims jwt.Claims
	if err := tok.Claims(key, &claims); err != nil {
		return nil, invalidClient("client_assertion signature does not verify: %v", err)
	}
	return c, s.checkAssertionClaims(claims, path)
}

// assertionKey picks the verification key for the assertion's alg.
func (s *site) assertionKey(ctx context.Context, c *client, h jose.Header) (any, error) {
	hmacAlg := strings.HasPrefix(h.Algorithm, "HS")
	method := c.TokenEndpointAuthMethod
	if hmacAlg {
		if (method != "" && method != AuthClientSecretJWT) || c.Secret == "" {
			return nil, invalidClient("client %q may not use client_secret_jwt", c.ID)
		}
		return []byte(c.Secret), nil
	}
	if method != AuthPrivateKeyJWT {
		return nil, invalidClient("client %q may not use private_key_jwt (register token_endpoint_auth_method private_key_jwt and its keys)", c.ID)
	}
	set, err := s.clientKeys(ctx, c)
	if err != nil {
		return nil, invalidClient("client %q keys: %v", c.ID, err)
	}
	for _, k := range set.Keys {
		if (h.KeyID == "" || k.KeyID == h.KeyID) && (k.Algorithm == "" || k.Algorithm == h.Algorithm) && k.Use != "enc" {
			return k, nil
		}
	}
	return nil, invalidClient("client %q has no key with kid %q for %s", c.ID, h.KeyID, h.Algorithm)
}

func (s *site) checkAssertionClaims(claims jwt.Claims, path string) error {
	now := s.now()
	if claims.Expiry == nil {
		return invalidClient("client_assertion has no exp")
	}
	if claims.ID == "" {
		return invalidClient("client_assertion has no jti (OpenID Connect Core §9)")
	}
	audiences := []string{s.issuerURL, s.url(s.paths.token), s.url(strings.TrimPrefix(path, s.prefix))}
	if !slices.ContainsFunc(claims.Audience, func(a string) bool { return slices.Contains(audiences, a) }) {
		return invalidClient("client_assertion aud %q names neither the issuer nor the token endpoint", []string(claims.Audience))
	}
	if err := claims.ValidateWithLeeway(jwt.Expected{Time: now}, 30*time.Second); err != nil {
		return invalidClient("client_assertion: %v", err)
	}
	if !s.assertions.first(claims.Subject+"\x00"+claims.ID, claims.Expiry.Time(), now) {
		return invalidClient("client_assertion jti %q was already used", claims.ID)
	}
	return nil
}

// clientKeys returns the client's inline keys or fetches its jwks_uri,
// caching the result for a minute.
func (s *site) clientKeys(ctx context.Context, c *client) (*jose.JSONWebKeySet, error) {
	if c.jwks != nil {
		return c.jwks, nil
	}
	return jwksFetcher.get(ctx, c.JWKSURI, s.now())
}

var jwksFetcher = &remoteKeys{cache: map[string]cachedKeys{}, http: &http.Client{Timeout: 5 * time.Second}}

type remoteKeys struct {
	mu    sync.Mutex
	cache map[string]cachedKeys
	http  *http.Client
}

type cachedKeys struct {
	set     *jose.JSONWebKeySet
	fetched time.Time
}

func (rk *remoteKeys) get(ctx context.Context, uri string, now time.Time) (*jose.JSONWebKeySet, error) {
	rk.mu.Lock()
	c, ok := rk.cache[uri]
	rk.mu.Unlock()
	if ok && now.Sub(c.fetched) < time.Minute && now.Sub(c.fetched) >= 0 {
		return c.set, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	resp, err := rk.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks_uri: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks_uri: status %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("jwks_uri is not a JWK Set: %w", err)
	}
	rk.mu.Lock()
	rk.cache[uri] = cachedKeys{set: &set, fetched: now}
	rk.mu.Unlock()
	return &set, nil
}
