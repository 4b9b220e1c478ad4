package endpoints

import (
	"slices"
	"time"

	"github.com/testidp/testidp/keys"
)

// Normalize returns a copy of cfg with every default filled in: listen
// address, database, login mode, lifetimes (the issuer's inherit the built-in
// defaults, each client's inherit the issuer's), and per client the grant
// types, response types, algorithms and access-token format.
func Normalize(cfg Config) Config {
	out := cfg
	out.Addr = orDefault(cfg.Addr, "127.0.0.1:8080")
	out.DB = orDefault(cfg.DB, "testidp.db")
	out.Login = orDefault(cfg.Login, LoginForm)
	out.Lifetimes = cfg.Lifetimes.Inherit(DefaultLifetimes)
	if cfg.TestingAPI == nil {
		on := true
		out.TestingAPI = &on
	}
	out.Clients = make([]Client, len(cfg.Clients))
	for i, c := range cfg.Clients {
		out.Clients[i] = normalizeClient(c, out.Lifetimes)
	}
	out.Users = slices.Clone(cfg.Users)
	out.Keys = normalizeKeys(cfg.Keys, out.Lifetimes, out.Clients)
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
