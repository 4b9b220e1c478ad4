package oidctest

import (
	"fmt"
	"slices"
	"time"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/fixtures"
)

// Option changes what NewServer starts.
type Option func(*settings)

// settings collect the options before the configuration is built.
type settings struct {
	base     endpoints.Config // the built-in configuration, or WithConfig's
	custom   bool             // WithConfig was used
	clients  []endpoints.Client
	users    []endpoints.User
	issuers  []endpoints.IssuerConfig
	profile  string
	alg      string
	login    string
	seed     string
	now      func() time.Time
	setupErr error
}

func defaultSettings() settings {
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	return settings{base: cfg, setupErr: err}
}

// WithConfig starts the server from cfg instead of the built-in
// configuration (clients web, spa, service, hs256; users alice, bob). An
// empty Issuer becomes the server's URL, an empty DB ":memory:", an empty
// Login "auto". The other options apply on top of it.
func WithConfig(cfg endpoints.Config) Option {
	return func(s *settings) { s.base, s.custom = cfg, true }
}

// WithClient registers a client at the default issuer, replacing a client
// of the same id.
func WithClient(c endpoints.Client) Option {
	return func(s *settings) { s.clients = append(s.clients, c) }
}

// WithUser adds a user at the default issuer, replacing a user of the same
// sub.
func WithUser(u endpoints.User) Option {
	return func(s *settings) { s.users = append(s.users, u) }
}

// WithAlgorithm signs ID tokens with alg (RS256, PS256, ES256, ES384, EdDSA)
// for every client that does not choose its own; access tokens follow it.
func WithAlgorithm(alg string) Option {
	return func(s *settings) { s.alg = alg }
}

// WithClock starts the provider's clock at t and holds it there: time
// moves only with SetNow and Advance.
func WithClock(t time.Time) Option {
	return func(s *settings) { s.now = func() time.Time { return t } }
}

// WithLoginForm shows the login page at /login instead of logging the user
// in without one, for tests that drive the page.
func WithLoginForm() Option {
	return func(s *settings) { s.login = endpoints.LoginForm }
}

// WithSeed derives every signing key from seed, so that two servers with
// the same seed publish the same keys (and kids) in every run. Without it
// the keys come from a fixed set of test keys. Either way nothing is
// generated at start. Deriving an RSA key costs about 0.1 s once per process
// and seed.
func WithSeed(seed string) Option {
	return func(s *settings) { s.seed = seed }
}

// WithProfile shapes the default issuer like a well-known provider: google,
// auth0, keycloak, entra, web3auth, shopify-session, github-actions or
// kubernetes (see fixtures/profiles). A profile with its own clients and
// users (shopify-session, github-actions, kubernetes) brings them in place
// of the built-in ones; one with a path template moves the issuer (keycloak:
// /realms/testidp).
func WithProfile(name string) Option {
	return func(s *settings) { s.profile = name }
}

// WithIssuer adds an issuer beside the default one, under its own path,
// with its own keys, clients and users (by default copies of the default
// issuer's, or its profile's).
func WithIssuer(ic endpoints.IssuerConfig) Option {
	return func(s *settings) { s.issuers = append(s.issuers, ic) }
}

// config builds the provider configuration from the settings.
func (s *settings) config() (endpoints.Config, error) {
	if s.setupErr != nil {
		return endpoints.Config{}, fmt.Errorf("built-in configuration: %w", s.setupErr)
	}
	cfg := s.base
	if !s.custom {
		cfg.DB, cfg.Login, cfg.Addr = "", "", "" // the built-in file database and login page are for the command
	}
	cfg.DB = orDefault(cfg.DB, ":memory:")
	cfg.Login = orDefault(s.login, orDefault(cfg.Login, endpoints.LoginAuto))
	if s.profile != "" {
		cfg.Profile = s.profile
	}
	cfg.Issuers = append(slices.Clone(cfg.Issuers), s.issuers...)
	cfg, err := endpoints.WithProfilesNamed(cfg, fixtures.Profiles)
	if err != nil {
		return cfg, err
	}
	if prof := cfg.Profiles[cfg.Profile]; !s.custom && prof.Clients != nil {
		cfg.Clients = prof.Clients
	}
	if prof := cfg.Profiles[cfg.Profile]; !s.custom && prof.Users != nil {
		cfg.Users = prof.Users
	}
	cfg.Clients = upsert(cfg.Clients, s.clients, func(c endpoints.Client) string { return c.ID })
	cfg.Users = upsert(cfg.Users, s.users, func(u endpoints.User) string { return u.Sub })
	if s.alg != "" {
		for i := range cfg.Clients {
			if cfg.Clients[i].IDTokenAlg == "" {
				cfg.Clients[i].IDTokenAlg = s.alg
			}
		}
	}
	return cfg, nil
}

// upsert returns list with each of add replacing the entry of the same key,
// or appended.
func upsert[T any](list, add []T, key func(T) string) []T {
	out := slices.Clone(list)
	for _, a := range add {
		i := slices.IndexFunc(out, func(e T) bool { return key(e) == key(a) })
		if i >= 0 {
			out[i] = a
		} else {
			out = append(out, a)
		}
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
