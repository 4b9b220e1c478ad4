package endpoints

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

// Validate checks a normalized configuration (see Normalize) and reports
// every problem at once as a *ConfigError, or returns nil.
func Validate(cfg Config) error {
	var ce ConfigError
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		ce.add("addr", "%q is not host:port: %v", cfg.Addr, err)
	}
	if cfg.Issuer != "" {
		checkIssuerURL(&ce, "issuer", cfg.Issuer)
	}
	if cfg.Login != LoginForm && cfg.Login != LoginAuto {
		ce.add("login", "%q: must be %q or %q", cfg.Login, LoginForm, LoginAuto)
	}
	checkLifetimes(&ce, "lifetimes", cfg.Lifetimes)
	ids := map[string]int{}
	for i, c := range cfg.Clients {
		path := fmt.Sprintf("clients[%d]", i)
		if prev, dup := ids[c.ID]; dup && c.ID != "" {
			ce.add(path+".id", "%q is already the id of clients[%d]", c.ID, prev)
		}
		ids[c.ID] = i
		checkClient(&ce, path, c)
	}
	subs := map[string]int{}
	for i, u := range cfg.Users {
		path := fmt.Sprintf("users[%d]", i)
		if prev, dup := subs[u.Sub]; dup && u.Sub != "" {
			ce.add(path+".sub", "%q is already the sub of users[%d]", u.Sub, prev)
		}
		subs[u.Sub] = i
		checkSub(&ce, path+".sub", u.Sub)
		checkClaims(&ce, path+".claims", u.Claims)
	}
	checkKeys(&ce, "keys", cfg.Keys)
	if len(ce.Problems) > 0 {
		return &ce
	}
	return nil
}

func checkIssuerURL(ce *ConfigError, path, raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		ce.add(path, "%q is not a URL: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		ce.add(path, "%q must be an absolute http or https URL", raw)
	case u.RawQuery != "" || u.Fragment != "":
		ce.add(path, "%q must not have a query or fragment (OpenID Connect Discovery §2)", raw)
	}
}

func checkLifetimes(ce *ConfigError, path string, l Lifetimes) {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"id_token", l.IDToken}, {"access_token", l.AccessToken}, {"refresh_token", l.RefreshToken}, {"code", l.Code}, {"session", l.Session}} {
		if f.d < time.Second {
			ce.add(path+"."+f.name, "%v is too short: give a duration of at least 1s, such as 60s or 1h", f.d)
		}
	}
}

func checkSub(ce *ConfigError, path, sub string) {
	if sub == "" {
		ce.add(path, "required")
		return
	}
	if len(sub) > 255 {
		ce.add(path, "%d characters: at most 255 (OpenID Connect Core §2)", len(sub))
	}
	for _, r := range sub {
		if r < 0x21 || r > 0x7e {
			ce.add(path, "%q: only printable ASCII without spaces", sub)
			break
		}
	}
}

func checkClaims(ce *ConfigError, path string, claims map[string]any) {
	for _, name := range issuer.Reserved {
		if _, ok := claims[name]; ok {
			ce.add(path+"."+name, "%q is set by testidp itself and cannot be configured", name)
		}
	}
	if _, err := json.Marshal(claims); err != nil {
		ce.add(path, "cannot be written as JSON: %v", err)
	}
}

var (
	authMethods = []string{AuthNone, AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT}
	grantTypes  = []string{GrantAuthorizationCode, GrantImplicit, GrantRefreshToken, GrantClientCredentials, GrantPassword}
)

func checkClient(ce *ConfigError, path string, c Client) {
	if c.ID == "" {
		ce.add(path+".id", "required")
	}
	checkClientAuth(ce, path, c)
	for i, g := range c.GrantTypes {
		if !slices.Contains(grantTypes, g) {
			ce.add(fmt.Sprintf("%s.grant_types[%d]", path, i), "%q: must be one of %v", g, grantTypes)
		}
	}
	checkResponseTypes(ce, path, c)
	checkRedirectURIs(ce, path+".redirect_uris", c.RedirectURIs)
	checkRedirectURIs(ce, path+".post_logout_redirect_uris", c.PostLogoutRedirectURIs)
	checkClientAlgs(ce, path, c)
	if c.AccessToken != AccessTokenJWT && c.AccessToken != AccessTokenOpaque {
		ce.add(path+".access_token", "%q: must be %q or %q", c.AccessToken, AccessTokenJWT, AccessTokenOpaque)
	}
	checkClaims(ce, path+".claims", c.Claims)
	checkLifetimes(ce, path+".lifetimes", c.Lifetimes)
}

func checkClientAuth(ce *ConfigError, path string, c Client) {
	m := c.TokenEndpointAuthMethod
	switch {
	case m != "" && !slices.Contains(authMethods, m):
		ce.add(path+".token_endpoint_auth_method", "%q: must be one of %v", m, authMethods)
	case m == AuthNone && c.Secret != "":
		ce.add(path+".secret", "a public client (token_endpoint_auth_method none) has no secret")
	case m == AuthNone && slices.Contains(c.GrantTypes, GrantClientCredentials):
		ce.add(path+".grant_types", "client_credentials needs a confidential client (a secret or jwks)")
	case (m == AuthClientSecretBasic || m == AuthClientSecretPost) && c.Secret == "":
		ce.add(path+".secret", "required for %s", m)
	case m == AuthClientSecretJWT && len(c.Secret) < 32:
		ce.add(path+".secret", "client_secret_jwt signs with HS256, which needs a secret of at least 32 bytes (RFC 7518 §3.2)")
	case m == AuthPrivateKeyJWT && c.JWKS == nil && c.JWKSURI == "":
		ce.add(path+".jwks", "private_key_jwt needs the client's public keys in jwks or jwks_uri")
	}
	if c.JWKS != nil {
		raw, _ := json.Marshal(c.JWKS)
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(raw, &set); err != nil || len(set.Keys) == 0 {
			ce.add(path+".jwks", "not a JWK Set with at least one key: %v", err)
		}
	}
	if c.JWKSURI != "" {
		if u, err := url.Parse(c.JWKSURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			ce.add(path+".jwks_uri", "%q must be an absolute http or https URL", c.JWKSURI)
		}
	}
}

func checkResponseTypes(ce *ConfigError, path string, c Client) {
	hasCode, hasImplicit := slices.Contains(c.GrantTypes, GrantAuthorizationCode), slices.Contains(c.GrantTypes, GrantImplicit)
	for i, rt := range c.ResponseTypes {
		p := fmt.Sprintf("%s.response_types[%d]", path, i)
		if !slices.Contains(supportedResponseTypes, rt) {
			ce.add(p, "%q: must be one of %q", rt, supportedResponseTypes)
			continue
		}
		t := parseResponseType(rt)
		if t.code && !hasCode {
			ce.add(p, "%q needs the authorization_code grant type", rt)
		}
		if t.frontChannelTokens() && !hasImplicit {
			ce.add(p, "%q needs the implicit grant type", rt)
		}
	}
	if (hasCode || hasImplicit) && len(c.RedirectURIs) == 0 {
		ce.add(path+".redirect_uris", "required for the authorization_code and implicit grants")
	}
}

func checkRedirectURIs(ce *ConfigError, path string, uris []string) {
	for i, raw := range uris {
		if _, err := parseRedirectPattern(raw); err != nil {
			ce.add(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
}

func checkClientAlgs(ce *ConfigError, path string, c Client) {
	alg, err := keys.ParseAlg(c.IDTokenAlg)
	switch {
	case err != nil:
		ce.add(path+".id_token_alg", "%q: must be one of RS256, PS256, ES256, ES384, EdDSA, HS256, none", c.IDTokenAlg)
	case alg == keys.HS256 && len(c.Secret) < 32:
		ce.add(path+".secret", "HS256 ID tokens are keyed by the client secret, which must be at least 32 bytes (RFC 7518 §3.2; OpenID Connect Core §10.1); this one has %d", len(c.Secret))
	case alg == keys.None && slices.ContainsFunc(c.ResponseTypes, func(rt string) bool { return parseResponseType(rt).idToken }):
		ce.add(path+".id_token_alg", "none is only allowed when no ID token comes from the authorization endpoint (OpenID Connect Core §2): remove the implicit and hybrid response types")
	}
	if a, err := keys.ParseAlg(c.AccessTokenAlg); err != nil || !a.Asymmetric() {
		ce.add(path+".access_token_alg", "%q: must be one of RS256, PS256, ES256, ES384, EdDSA (resource servers verify access tokens with the JWKS)", c.AccessTokenAlg)
	}
}
