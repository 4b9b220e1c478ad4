package endpoints

import (
	"encoding/json"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/testidp/testidp/keys"
)

// client is a configured client prepared for request handling.
type client struct {
	Client
	redirects  []redirectPattern
	postLogout []redirectPattern
	idAlg      keys.Alg
	atAlg      keys.Alg
	jwks       *jose.JSONWebKeySet // inline keys for private_key_jwt
}

// newClient prepares a normalized, validated client configuration.
func newClient(c Client) *client {
	cl := &client{Client: c, idAlg: keys.Alg(c.IDTokenAlg), atAlg: keys.Alg(c.AccessTokenAlg)}
	for _, raw := range c.RedirectURIs {
		p, _ := parseRedirectPattern(raw) // validated by Validate
		cl.redirects = append(cl.redirects, p)
	}
	for _, raw := range c.PostLogoutRedirectURIs {
		p, _ := parseRedirectPattern(raw)
		cl.postLogout = append(cl.postLogout, p)
	}
	if c.JWKS != nil {
		raw, _ := json.Marshal(c.JWKS)
		var set jose.JSONWebKeySet
		if json.Unmarshal(raw, &set) == nil {
			cl.jwks = &set
		}
	}
	return cl
}

func (c *client) public() bool { return c.TokenEndpointAuthMethod == AuthNone }

func (c *client) allowsGrant(g string) bool { return slices.Contains(c.GrantTypes, g) }

func (c *client) allowsResponseType(canonical string) bool {
	return slices.Contains(c.ResponseTypes, canonical)
}

func (c *client) requiresPKCE() bool { return c.public() || c.RequirePKCE }

// opClient adapts a client to zitadel's op.Client, which the op server uses
// to check the grant type and public-client rules before calling us.
type opClient struct{ *client }

var _ op.Client = opClient{}

func (c opClient) GetID() string                    { return c.ID }
func (c opClient) RedirectURIs() []string           { return c.Client.RedirectURIs }
func (c opClient) PostLogoutRedirectURIs() []string { return c.Client.PostLogoutRedirectURIs }
func (c opClient) ApplicationType() op.ApplicationType {
	if c.public() {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}
func (c opClient) AuthMethod() oidc.AuthMethod {
	if c.TokenEndpointAuthMethod == "" {
		return oidc.AuthMethodBasic
	}
	return oidc.AuthMethod(c.TokenEndpointAuthMethod)
}
func (c opClient) ResponseTypes() []oidc.ResponseType {
	out := make([]oidc.ResponseType, len(c.Client.ResponseTypes))
	for i, rt := range c.Client.ResponseTypes {
		out[i] = oidc.ResponseType(rt)
	}
	return out
}
func (c opClient) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, 0, len(c.Client.GrantTypes))
	for _, g := range c.Client.GrantTypes {
		out = append(out, oidc.GrantType(g))
	}
	return out
}
func (c opClient) LoginURL(string) string { return "" }
func (c opClient) AccessTokenType() op.AccessTokenType {
	if c.AccessToken == AccessTokenOpaque {
		return op.AccessTokenTypeBearer
	}
	return op.AccessTokenTypeJWT
}
func (c opClient) IDTokenLifetime() time.Duration { return c.Lifetimes.IDToken }
func (c opClient) DevMode() bool                  { return true }
func (c opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) IsScopeAllowed(string) bool           { return true }
func (c opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c opClient) ClockSkew() time.Duration             { return 0 }
