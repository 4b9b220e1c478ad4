package endpoints

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/storage"
)

// site is one issuer: its URL and mount path, keys, clients, users, and the
// precomputed discovery documents.
type site struct {
	key        string // storage scope: the mount path, "/" for the root issuer
	prefix     string // mount path without trailing slash; "" for the root
	cfg        IssuerConfig
	iss        *issuer.Issuer
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
	assertions *replayCache
}

func newSite(ctx context.Context, p *Provider, cfg IssuerConfig, gen func(keys.Alg, time.Time) (*keys.Key, error)) (*site, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("endpoints: issuer %q: %w", cfg.URL, err)
	}
	s := &site{
		prefix: strings.TrimSuffix(u.Path, "/"), cfg: cfg, store: p.store, now: p.now, log: p.log,
		clients: map[string]*client{}, usersBySub: map[string]*User{}, users: cfg.Users,
		assertions: newReplayCache(),
	}
	s.key = s.prefix
	if s.key == "" {
		s.key = "/"
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = newClient(c)
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
	s.iss = issuer.New(cfg.URL, kr.ring, p.now)
	if err := s.buildDiscovery(); err != nil {
		return nil, err
	}
	s.op = s.opHandler()
	return s, nil
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
	return strings.TrimSuffix(s.iss.URL, "/") + path
}

// route is the router path of an endpoint path of this issuer.
func (s *site) route(path string) string { return s.prefix + path }

// client looks up a configured client.
func (s *site) client(id string) (*client, bool) {
	c, ok := s.clients[id]
	return c, ok
}
