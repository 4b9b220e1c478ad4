package oidctest

import (
	"time"

	"github.com/testidp/testidp/endpoints"
)

// SuiteOption changes a conformance run (RunVerifierSuite, RunSuite).
type SuiteOption func(*suiteConfig)

// suiteConfig collects the options.
type suiteConfig struct {
	issuer, adminToken     string
	clientID, clientSecret string
	srv                    *Server
	algs                   []string
	only, skip             []string
	timeout                time.Duration
}

// defaultSuiteTimeout bounds one verify call.
const defaultSuiteTimeout = 10 * time.Second

func newSuiteConfig(opts []SuiteOption) suiteConfig {
	c := suiteConfig{timeout: defaultSuiteTimeout}
	for _, o := range opts {
		o(&c)
	}
	if c.srv != nil {
		c.useServer(c.srv)
	}
	return c
}

// useServer takes the issuer, admin token and client secrets of srv.
func (c *suiteConfig) useServer(srv *Server) {
	c.srv, c.issuer = srv, srv.Issuer
	cfg := srv.Provider().Config()
	c.adminToken = cfg.AdminToken
	if c.clientID != "" && c.clientSecret == "" {
		for _, cl := range cfg.Clients {
			if cl.ID == c.clientID {
				c.clientSecret = cl.Secret
			}
		}
	}
}

// SuiteServer runs the suite against srv, so that the verifier under test
// can be built with srv.Issuer before the run. Without SuiteClient the
// cases are minted for srv's first client (web, whose short secret rules
// out the HS256 cases); register ConformanceClient and name it with
// SuiteClient for those.
func SuiteServer(srv *Server) SuiteOption {
	return func(c *suiteConfig) { c.srv = srv }
}

// SuiteIssuer runs the suite against a provider that is already running
// (testidp serve, its container), through its testing API at
// issuer/_testidp; adminToken is its admin_token, or "".
func SuiteIssuer(issuer, adminToken string) SuiteOption {
	return func(c *suiteConfig) { c.issuer, c.adminToken = issuer, adminToken }
}

// SuiteClient mints the cases for the client id (default: the provider's
// first client, or ConformanceClient on the suite's own provider). secret is
// handed to the verifier (SuiteStep.ClientSecret) for the HS256 cases; with
// SuiteServer an empty secret is looked up in the server's configuration.
func SuiteClient(id, secret string) SuiteOption {
	return func(c *suiteConfig) { c.clientID, c.clientSecret = id, secret }
}

// SuiteAlgs lists the ID-token algorithms the verifier supports (default:
// the client's own, RS256 for the built-in clients). A case that needs
// another is skipped.
func SuiteAlgs(algs ...string) SuiteOption {
	return func(c *suiteConfig) { c.algs = algs }
}

// SuiteOnly runs only the cases matching one of the patterns: a case id
// ("nonce-mismatch", every variant), a ref ("nonce-mismatch#suffix"), or a
// path.Match glob over either ("nonce-*", "sig-invalid#E*").
func SuiteOnly(patterns ...string) SuiteOption {
	return func(c *suiteConfig) { c.only = append(c.only, patterns...) }
}

// SuiteSkip leaves out the cases matching one of the patterns (as for
// SuiteOnly); they are not reported at all.
func SuiteSkip(patterns ...string) SuiteOption {
	return func(c *suiteConfig) { c.skip = append(c.skip, patterns...) }
}

// SuiteTimeout bounds each verify call (default 10s); a call that takes
// longer counts as an error.
func SuiteTimeout(d time.Duration) SuiteOption {
	return func(c *suiteConfig) { c.timeout = d }
}

// The client of the suite's own provider.
const (
	conformanceClientID = "conformance"
	conformanceSecret   = "conformance-secret-0123456789abcdef0123456789abcdef"
)

// ConformanceClient is the client RunVerifierSuite and testidp conformance
// register on the provider they start: id "conformance", RS256 ID tokens, a
// secret of 51 bytes (long enough for the HS256 cases: "conformance-secret-"
// followed by 0123456789abcdef twice), any loopback redirect URI. Register
// it on your own server (WithClient) and name it with SuiteClient to run the
// HS256 cases there.
func ConformanceClient() endpoints.Client {
	loopback := []string{"http://localhost/*", "http://127.0.0.1/*", "http://[::1]/*"}
	return endpoints.Client{ID: conformanceClientID, Secret: conformanceSecret, RedirectURIs: loopback,
		PostLogoutRedirectURIs: loopback, GrantTypes: []string{"authorization_code", "refresh_token"}}
}
