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
// every problem at once as a *ConfigError, or returns nil. Problems of the
// issuers under Issuers have paths such as "issuers[1].clients[0].id".
func Validate(cfg Config) error {
	var ce ConfigError
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		ce.add("addr", "%q is not host:port: %v", cfg.Addr, err)
	}
	if cfg.Issuer != "" {
		checkIssuerURL(&ce, "issuer", cfg.Issuer)
	}
	checkProfiles(&ce, cfg.Profiles)
	checkIssuer(&ce, "", cfg, cfg.defaultIssuer())
	for i, ic := range cfg.Issuers {
		checkIssuer(&ce, fmt.Sprintf("issuers[%d].", i), cfg, ic)
	}
	checkIssuerPaths(&ce, cfg)
	checkOps(&ce, cfg)
	checkKeys(&ce, "keys", cfg.Keys)
	for i, ic := range cfg.Issuers {
		checkKeys(&ce, fmt.Sprintf("issuers[%d].keys", i), ic.Keys)
	}
	if len(ce.Problems) > 0 {
		return &ce
	}
	return nil
}

// checkIssuer checks the settings of one issuer; prefix starts the field
// paths ("" for the default issuer, whose fields are at the top level).
func checkIssuer(ce *ConfigError, prefix string, cfg Config, ic IssuerConfig) {
	if _, ok := cfg.profile(ic.Profile); !ok {
		ce.add(prefix+"profile", "%q is not a profile; known: %v", ic.Profile, profileNames(cfg.Profiles))
	}
	if prefix != "" && ic.URL != "" {
		checkIssuerURL(ce, prefix+"url", ic.URL)
	}
	if ic.Login != LoginForm && ic.Login != LoginAuto {
		ce.add(prefix+"login", "%q: must be %q or %q", ic.Login, LoginForm, LoginAuto)
	}
	checkLifetimes(ce, prefix+"lifetimes", ic.Lifetimes)
	checkClients(ce, prefix+"clients", ic.Clients)
	checkUsers(ce, prefix+"users", ic.Users)
}

func checkClients(ce *ConfigError, path string, clients []Client) {
	ids := map[string]int{}
	for i, c := range clients {
		p := fmt.Sprintf("%s[%d]", path, i)
		if prev, dup := ids[c.ID]; dup && c.ID != "" {
			ce.add(p+".id", "%q is already the id of %s[%d]", c.ID, path, prev)
		}
		ids[c.ID] = i
		checkClient(ce, p, c)
	}
}

func checkUsers(ce *ConfigError, path string, users []User) {
	subs := map[string]int{}
	for i, u := range users {
		p := fmt.Sprintf("%s[%d]", path, i)
		if prev, dup := subs[u.Sub]; dup && u.Sub != "" {
			ce.add(p+".sub", "%q is already the sub of %s[%d]", u.Sub, path, prev)
		}
		subs[u.Sub] = i
		checkSub(ce, p+".sub", u.Sub)
		checkClaims(ce, p+".claims", u.Claims)
	}
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

type lifetimeField struct {
	name string
	d    time.Duration
}

func lifetimeFields(l Lifetimes) []lifetimeField {
	return []lifetimeField{{"id_token", l.IDToken}, {"access_token", l.AccessToken}, {"refresh_token", l.RefreshToken}, {"code", l.Code}, {"session", l.Session}}
}

func checkLifetimes(ce *ConfigError, path string, l Lifetimes) {
	for _, f := range lifetimeFields(l) {
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
	checkClientExtras(ce, path, c)
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
