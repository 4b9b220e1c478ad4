package endpoints

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/testidp/testidp/keys"
)

// Normalize returns a copy of cfg with every default filled in: listen
// address, database, login mode, lifetimes (the issuer's inherit its
// profile's, then the built-in defaults; each client's inherit its issuer's),
// and per client the grant types, response types, algorithms and
// access-token format. The issuers under Issuers get their URL (the scheme
// and host of Issuer, and their path), and inherit the top level's login
// mode and lifetimes; those without clients or users take their profile's,
// or else the top level's. A profile with a path template puts an issuer
// without a path (the default issuer at the root, too) at the template's
// default path.
func Normalize(cfg Config) Config {
	out := cfg
	out.Addr = orDefault(cfg.Addr, "127.0.0.1:8080")
	out.DB = orDefault(cfg.DB, "testidp.db")
	prof, _ := cfg.profile(cfg.Profile)
	out.Issuer = profileIssuerURL(cfg.Issuer, prof)
	out.Login = orDefault(cfg.Login, LoginForm)
	out.Lifetimes = cfg.Lifetimes.Inherit(prof.Lifetimes).Inherit(DefaultLifetimes)
	if cfg.TestingAPI == nil {
		on := true
		out.TestingAPI = &on
	}
	out.Clients = normalizeClients(firstList(cfg.Clients, prof.Clients), out.Lifetimes, prof.IDTokenAlg)
	out.Users = slices.Clone(firstList(cfg.Users, prof.Users))
	if cfg.Issuers != nil {
		out.Issuers = make([]IssuerConfig, len(cfg.Issuers))
		for i, ic := range cfg.Issuers {
			out.Issuers[i] = normalizeIssuer(ic, cfg, out)
		}
	}
	out.Keys = normalizeKeys(cfg.Keys, out.Lifetimes, out.Clients)
	normalizeOps(&out)
	return out
}

// normalizeIssuer fills in one issuer of Issuers from its profile and from
// the top level (in as given, out normalized).
func normalizeIssuer(ic IssuerConfig, in, out Config) IssuerConfig {
	prof, _ := in.profile(ic.Profile)
	if ic.Path == "" && ic.URL != "" {
		ic.Path = urlPath(ic.URL)
	}
	if ic.Path == "" && prof.Path != "" {
		ic.Path = expandString(prof.Path, templateVars(nil, prof.Params))
	}
	if ic.URL == "" && ic.Path != "" && out.Issuer != "" {
		if origin, ok := urlOrigin(out.Issuer); ok {
			ic.URL = origin + ic.Path
			if prof.TrailingSlash {
				ic.URL += "/"
			}
		}
	}
	ic.Login = orDefault(ic.Login, out.Login)
	ic.Lifetimes = ic.Lifetimes.Inherit(prof.Lifetimes).Inherit(out.Lifetimes)
	ic.Clients = normalizeClients(firstList(ic.Clients, prof.Clients, in.Clients), ic.Lifetimes, prof.IDTokenAlg)
	ic.Keys = normalizeKeys(ic.Keys.Inherit(in.Keys), ic.Lifetimes, ic.Clients)
	ic.Users = slices.Clone(firstList(ic.Users, prof.Users, in.Users))
	return ic
}

// profileIssuerURL applies a profile to the default issuer's URL: the path
// template's default path when the URL is at the root, and the trailing
// slash.
func profileIssuerURL(raw string, prof Profile) string {
	if raw == "" {
		return raw
	}
	if p := urlPath(raw); (p == "" || p == "/") && prof.Path != "" {
		raw = strings.TrimSuffix(raw, "/") + expandString(prof.Path, templateVars(nil, prof.Params))
	}
	if prof.TrailingSlash && !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw
}

// urlPath is the path of an issuer URL without its trailing slash ("" for
// the root); "" too when raw is not a URL (Validate reports that).
func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// urlOrigin is scheme://host of an absolute URL.
func urlOrigin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	return u.Scheme + "://" + u.Host, true
}

// firstList returns the first list that is not nil.
func firstList[T any](lists ...[]T) []T {
	for _, l := range lists {
		if l != nil {
			return l
		}
	}
	return nil
}

func normalizeClients(cs []Client, parent Lifetimes, defaultAlg string) []Client {
	if cs == nil {
		return nil
	}
	out := make([]Client, len(cs))
	for i, c := range cs {
		if c.IDTokenAlg == "" {
			c.IDTokenAlg = defaultAlg
		}
		out[i] = normalizeClient(c, parent)
	}
	return out
}

func normalizeClient(c Client, parent Lifetimes) Client {
	c.Lifetimes = c.Lifetimes.Inherit(parent)
	if c.GrantTypes == nil {
		c.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	if c.ResponseTypes == nil {
		c.ResponseTypes = responseTypesFor(c.GrantTypes)
	} else {
		rts := make([]string, len(c.ResponseTypes))
		for i, rt := range c.ResponseTypes {
			rts[i] = canonicalResponseType(rt)
		}
		c.ResponseTypes = rts
	}
	if c.TokenEndpointAuthMethod == "" && c.Secret == "" {
		if c.JWKS != nil || c.JWKSURI != "" {
			c.TokenEndpointAuthMethod = AuthPrivateKeyJWT
		} else {
			c.TokenEndpointAuthMethod = AuthNone
		}
	}
	c.IDTokenAlg = orDefault(c.IDTokenAlg, string(keys.RS256))
	c.AccessToken = orDefault(c.AccessToken, AccessTokenJWT)
	if c.AccessTokenAlg == "" {
		c.AccessTokenAlg = string(keys.RS256)
		if keys.Alg(c.IDTokenAlg).Asymmetric() {
			c.AccessTokenAlg = c.IDTokenAlg
		}
	}
	return c
}

// responseTypesFor lists the response types a set of grant types allows.
func responseTypesFor(grants []string) []string {
	code, implicit := slices.Contains(grants, GrantAuthorizationCode), slices.Contains(grants, GrantImplicit)
	var out []string
	if code {
		out = append(out, "code")
	}
	if implicit {
		out = append(out, "id_token", "id_token token")
	}
	if code && implicit {
		out = append(out, "code id_token", "code token", "code id_token token")
	}
	return out
}

// Inherit returns l with its zero fields taken from parent.
func (l Lifetimes) Inherit(parent Lifetimes) Lifetimes {
	pick := func(own, p time.Duration) time.Duration {
		if own == 0 {
			return p
		}
		return own
	}
	return Lifetimes{
		IDToken:      pick(l.IDToken, parent.IDToken),
		AccessToken:  pick(l.AccessToken, parent.AccessToken),
		RefreshToken: pick(l.RefreshToken, parent.RefreshToken),
		Code:         pick(l.Code, parent.Code),
		Session:      pick(l.Session, parent.Session),
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
