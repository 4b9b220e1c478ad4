package endpoints

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/storage"
)

// Options are the runtime settings of a Provider that are not part of the
// configuration file.
type Options struct {
	// Now is the clock for every token, code, session and key decision.
	// Defaults to time.Now.
	Now func() time.Time
	// Logger receives request and token decisions. Defaults to discarding.
	Logger *slog.Logger
	// GenerateKey creates every new signing key (for an algorithm in use
	// without a key, and at each rotation) of issuers without keys.seed.
	// Defaults to keys.Generate with keys.rsa_bits.
	GenerateKey func(alg keys.Alg, now time.Time) (*keys.Key, error)
}

// Provider is a running OpenID Provider: every endpoint of every issuer as
// one http.Handler, backed by one database.
type Provider struct {
	cfg     Config
	store   *storage.Store
	sites   []*site
	handler http.Handler
	log     *slog.Logger
	clock   *clock
	now     func() time.Time
	origins *originCache // with issuer_from_request: handlers per request origin
	loop    keyLoop
}

// New opens the database named by cfg.DB, loads or creates the signing keys,
// and prepares every endpoint. cfg is normalized and validated first; the
// issuer URL must be known (the command derives it from the listen address).
func New(ctx context.Context, cfg Config, opts Options) (*Provider, error) {
	cfg = Normalize(cfg)
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	if cfg.Issuer == "" {
		return nil, errors.New("endpoints: the issuer URL is not set")
	}
	for i, ic := range cfg.Issuers {
		if ic.URL == "" {
			return nil, fmt.Errorf("endpoints: issuers[%d] has no URL", i)
		}
	}
	p := &Provider{cfg: cfg, log: opts.Logger, clock: newClock(opts.Now)}
	p.now = p.clock.Now
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	gen := opts.GenerateKey
	st, err := storage.Open(ctx, cfg.DB, storage.Options{Now: p.now})
	if err != nil {
		return nil, fmt.Errorf("endpoints: open database %q: %w", cfg.DB, err)
	}
	p.store = st
	for _, ic := range cfg.allIssuers() {
		s, err := newSite(ctx, p, ic, gen)
		if err != nil {
			st.Close()
			return nil, err
		}
		p.sites = append(p.sites, s)
	}
	p.handler = p.routes(p.sites)
	if cfg.IssuerFromRequest {
		p.origins = newOriginCache(p)
	}
	p.loop.start(p)
	return p, nil
}

// ServeHTTP serves every endpoint.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.origins != nil {
		p.serveForOrigin(w, r)
		return
	}
	p.handler.ServeHTTP(w, r)
}

// Close stops the background key loop, then flushes and closes the
// database.
func (p *Provider) Close() error {
	p.loop.stop()
	return p.store.Close()
}

// Issuer is the default issuer's URL.
func (p *Provider) Issuer() string { return p.sites[0].issuerURL }

// Issuers lists the URL of every issuer, the default one first.
func (p *Provider) Issuers() []string {
	out := make([]string, len(p.sites))
	for i, s := range p.sites {
		out[i] = s.issuerURL
	}
	return out
}

// Config is the normalized configuration the provider runs with.
func (p *Provider) Config() Config { return p.cfg }

// Now is the provider's clock: Options.Now, moved by SetNow and Advance.
func (p *Provider) Now() time.Time { return p.clock.Now() }

// SetNow pins the provider's clock to t.
func (p *Provider) SetNow(t time.Time) { p.clock.Set(t) }

// Advance moves the provider's clock by d.
func (p *Provider) Advance(d time.Duration) { p.clock.Advance(d) }

// ResetClock returns the provider to Options.Now.
func (p *Provider) ResetClock() { p.clock.Reset() }
