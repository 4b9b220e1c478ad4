package oidctest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
)

// RunSuite is the conformance run without a test: it sends every selected
// case to verify, as RunVerifierSuite does, and returns the report (testidp
// conformance is built on it). It needs the provider: SuiteServer, or
// SuiteIssuer for one running elsewhere. An error means the run could not
// be done (the provider unreachable, a pattern that matches no case), not
// that the verifier got a case wrong: see SuiteReport.Passed.
func RunSuite(ctx context.Context, verify func(ctx context.Context, token string) error, opts ...SuiteOption) (*SuiteReport, error) {
	cfg := newSuiteConfig(opts)
	if cfg.issuer == "" {
		return nil, errors.New("oidctest: RunSuite needs the provider: SuiteServer or SuiteIssuer")
	}
	r, err := newSuiteRunner(ctx, cfg, verify)
	if err != nil {
		return nil, fmt.Errorf("oidctest: %w", err)
	}
	defer r.close()
	for _, e := range r.entries {
		if _, err := r.runCase(ctx, e); err != nil {
			return nil, fmt.Errorf("oidctest: %w", err)
		}
	}
	return r.finish(), nil
}

// suiteRunner is one run: the provider's coordinates, the selected cases
// and the results so far.
type suiteRunner struct {
	cfg       suiteConfig
	api       *suiteAPI
	verify    func(context.Context, string) error
	issuer    string
	jwksURI   string
	clientID  string
	clientAlg string
	algs      []string
	entries   []issuer.ManifestEntry
	rogue     *rogueServer
	runID     string
	jwksNow   string // what the runner last made the JWKS endpoint serve ("" unknown)
	results   []SuiteResult
	started   time.Time
}

func newSuiteRunner(ctx context.Context, cfg suiteConfig, verify func(context.Context, string) error) (*suiteRunner, error) {
	r := &suiteRunner{cfg: cfg, api: newSuiteAPI(cfg.issuer, cfg.adminToken), verify: verify, started: time.Now()}
	if err := r.discover(ctx); err != nil {
		return nil, err
	}
	if err := r.selectCases(ctx); err != nil {
		return nil, err
	}
	if err := r.probeClient(ctx); err != nil {
		return nil, err
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	r.runID = base64.RawURLEncoding.EncodeToString(id[:])
	var err error
	r.rogue, err = startRogueServer()
	return r, err
}

// discover reads the issuer and jwks_uri from discovery.
func (r *suiteRunner) discover(ctx context.Context) error {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := r.api.call(ctx, http.MethodGet, "/.well-known/openid-configuration", nil, &doc); err != nil {
		return fmt.Errorf("discovery of %s: %w", r.cfg.issuer, err)
	}
	r.issuer, r.jwksURI = doc.Issuer, doc.JWKSURI
	r.api.issuer = strings.TrimSuffix(doc.Issuer, "/")
	return nil
}

// selectCases reads the provider's manifest and keeps the cases the
// patterns select.
func (r *suiteRunner) selectCases(ctx context.Context) error {
	var all []issuer.ManifestEntry
	if err := r.api.call(ctx, http.MethodGet, "/_testidp/faults", nil, &all); err != nil {
		return fmt.Errorf("the fault manifest of %s: %w", r.issuer, err)
	}
	for _, p := range append(slices.Clone(r.cfg.only), r.cfg.skip...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", p, err)
		}
		if !slices.ContainsFunc(all, func(e issuer.ManifestEntry) bool { return matchRef(p, e) }) {
			return fmt.Errorf("pattern %q matches no case (see testidp faults)", p)
		}
	}
	for _, e := range all {
		only := len(r.cfg.only) == 0 || slices.ContainsFunc(r.cfg.only, func(p string) bool { return matchRef(p, e) })
		skip := slices.ContainsFunc(r.cfg.skip, func(p string) bool { return matchRef(p, e) })
		if only && !skip {
			r.entries = append(r.entries, e)
		}
	}
	return nil
}

// matchRef: a pattern names a case id (all its variants) or a ref, as it is
// or as a path.Match glob.
func matchRef(pattern string, e issuer.ManifestEntry) bool {
	for _, name := range []string{e.Ref, e.ID} {
		if ok, _ := path.Match(pattern, name); ok {
			return true
		}
	}
	return false
}

// probeClient mints a plain token for the client: it proves the testing
// API answers and tells the client id and its ID-token algorithm.
func (r *suiteRunner) probeClient(ctx context.Context) error {
	var m minted
	if err := r.api.call(ctx, http.MethodPost, "/_testidp/mint", suiteMintRequest{ClientID: r.cfg.clientID}, &m); err != nil {
		return fmt.Errorf("mint a token for client %q at %s: %w", r.cfg.clientID, r.issuer, err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	var c struct {
		Aud any `json:"aud"`
	}
	_ = json.Unmarshal(m.Header, &h)
	_ = json.Unmarshal(m.Claims, &c)
	r.clientID, r.clientAlg = r.cfg.clientID, h.Alg
	switch aud := c.Aud.(type) {
	case string:
		r.clientID = cmp.Or(r.clientID, aud)
	case []any:
		if len(aud) > 0 {
			first, _ := aud[0].(string)
			r.clientID = cmp.Or(r.clientID, first)
		}
	}
	r.algs = r.cfg.algs
	if len(r.algs) == 0 {
		r.algs = []string{r.clientAlg}
	}
	return nil
}

// finish closes the run and returns its report.
func (r *suiteRunner) finish() *SuiteReport {
	r.close()
	rep := &SuiteReport{Issuer: r.issuer, ClientID: r.clientID, Algs: r.algs, Results: r.results,
		Seconds: time.Since(r.started).Seconds()}
	for _, res := range r.results {
		rep.Counts.add(res.Verdict)
	}
	rep.Passed = rep.Counts.Wrong == 0
	return rep
}

func (r *suiteRunner) close() {
	if r.rogue != nil {
		r.rogue.close()
	}
}
