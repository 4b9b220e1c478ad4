package endpoints

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/storage"
)

// site is one issuer: its URL and mount path, keys, clients, users, and the
// precomputed discovery documents.
//
// With issuer_from_request a site is copied per request origin (see
// request_issuer.go): everything that can change at run time must therefore
// sit behind a pointer that the copies share.
type site struct {
	key    string // storage scope: the mount path, "/" for the root issuer
	prefix string // mount path without trailing slash; "" for the root
	cfg    IssuerConfig
	// issuerURL is the issuer identifier of discovery and of authorization
	// responses (RFC 9207).
	issuerURL string
	// iss mints and verifies tokens; its URL is issuerURL unless the
	// profile names another token issuer.
	iss        *issuer.Issuer
	profile    Profile
	params     map[string]string // the profile's params and the path's template values
	paths      endpointPaths
	ring       *keys.Ring // keys.ring, read by minting and the JWKS
	keys       *keyRing
	jwks       *jwksServer
	clients    map[string]*client
	users      []User
	usersBySub map[string]*User
	discovery  []byte
	asMetadata []byte
	op         http.Handler
	store      *storage.Store
	now        func() time.Time
	log        *slog.Logger
	tokenLog   *slog.Logger // log with the token issuer as "iss", formatted once
	assertions *replayCache
	failures   *failures
	rogue      *rogueDocs
}

func newSite(ctx context.Context, p *Provider, cfg IssuerConfig, gen func(keys.Alg, time.Time) (*keys.Key, error)) (*site, error) {
	prof, _ := p.cfg.profile(cfg.Profile)
	s := &site{
		prefix: urlPath(cfg.URL), cfg: cfg, store: p.store, now: p.now, log: p.log,
		clients: map[string]*client{}, usersBySub: map[string]*User{},
		assertions: newReplayCache(), failures: &failures{}, rogue: &rogueDocs{}, profile: prof, paths: pathsFor(prof),
	}
	s.key = s.prefix
	if s.key == "" {
		s.key = "/"
	}
	s.params = maps.Clone(prof.Params)
	if t, err := parsePathTemplate(prof.Path); err == nil {
		vars, _ := t.match(s.prefix)
		s.params = mapsMerge(s.params, vars)
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = newClient(c)
	}
	s.users = make([]User, len(cfg.Users))
	for i, u := range cfg.Users {
		u.Claims = s.userClaims(u.Sub, u.Claims)
		s.users[i] = u
	}
	for i := range s.users {
		s.usersBySub[s.users[i].Sub] = &s.users[i]
	}
	keyCfg := normalizeKeys(cfg.Keys, cfg.Lifetimes.Inherit(DefaultLifetimes), cfg.Clients)
	kr, err := newKeyRing(ctx, p, s.key, keyCfg, s.algsInUse(), gen)
	if err != nil {
		return nil, err
	}
	s.keys, s.ring = kr, kr.ring
	s.jwks = newJWKSServer(kr.ring, keyCfg.JWKSMaxAge)
	if err := s.setIssuerURL(cfg.URL); err != nil {
		return nil, err
	}
	return s, nil
}

// setIssuerURL sets the issuer identifier and what depends on it: the
// minting issuer, the discovery documents and zitadel's handler.
func (s *site) setIssuerURL(u string) error {
	s.issuerURL = u
	tokenIss := u
	if s.profile.TokenIssuer != "" {
		tokenIss = expandString(s.profile.TokenIssuer, templateVars(map[string]string{"issuer": u}, s.params))
	}
	s.iss = issuer.New(tokenIss, s.ring, s.now)
	s.tokenLog = s.log.With(slog.String("iss", tokenIss))
	if err := s.buildDiscovery(); err != nil {
		return err
	}
	s.op = s.opHandler()
	return nil
}

// userClaims returns a user's claims over the profile's default user claims.
func (s *site) userClaims(sub string, own map[string]any) map[string]any {
	if len(s.profile.UserClaims) == 0 {
		return own
	}
	out := expandClaims(s.profile.UserClaims, templateVars(map[string]string{"sub": sub}, s.params))
	maps.Copy(out, own)
	return out
}

// mapsMerge returns a with b's entries added (a new map when a is nil).
func mapsMerge[K comparable, V any](a, b map[K]V) map[K]V {
	if a == nil {
		a = make(map[K]V, len(b))
	}
	maps.Copy(a, b)
	return a
}

// algsInUse lists the ring algorithms some client signs with (RS256 always,
// the default).
func (s *site) algsInUse() []keys.Alg {
	seen := map[keys.Alg]bool{keys.RS256: true}
	out := []keys.Alg{keys.RS256}
	for _, c := range s.clients {
		for _, a := range []keys.Alg{c.idAlg, c.atAlg} {
			if a.Asymmetric() && !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// url is the absolute URL of an endpoint path of this issuer.
func (s *site) url(path string) string {
	return strings.TrimSuffix(s.issuerURL, "/") + path
}

// route is the router path of an endpoint path of this issuer.
func (s *site) route(path string) string { return s.prefix + path }

// client looks up a configured client.
func (s *site) client(id string) (*client, bool) {
	c, ok := s.clients[id]
	return c, ok
}
