package oidctest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testidp/testidp/endpoints"
)

// Server is an OpenID Provider serving on a loopback port for the length of
// one test: every endpoint of testidp, with in-memory storage.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string
	// Issuer is the default issuer's URL: the base URL, or its path when a
	// profile gives one (keycloak: URL/realms/testidp).
	Issuer string

	t         testing.TB
	p         *endpoints.Provider
	srv       *httptest.Server
	closeOnce sync.Once
}

// NewServer starts a provider on 127.0.0.1 and stops it when the test ends
// (t.Cleanup). It is ready when NewServer returns: the issuer URL is known,
// the keys exist, the built-in clients (web, spa, service, hs256) and users
// (alice, bob) are registered, logins need no page (the login_hint user, or
// alice), and nothing is written to disk. Options change any of this. A
// configuration that does not validate fails the test.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	st := defaultSettings()
	for _, o := range opts {
		o(&st)
	}
	cfg, err := st.config()
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	if cfg.Issuer == "" {
		cfg.Issuer = base
	}
	p, err := endpoints.New(context.Background(), cfg, endpoints.Options{Now: st.now, GenerateKey: st.keyGen()})
	if err != nil {
		hs.Close()
		t.Fatalf("oidctest: %v", err)
	}
	hs.Config.Handler = p
	hs.Start()
	s := &Server{URL: base, Issuer: p.Issuer(), t: t, p: p, srv: hs}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and closes its database. It is called when the
// test ends; calling it earlier, or twice, is fine.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.srv.Close()
		if err := s.p.Close(); err != nil {
			s.t.Fatalf("oidctest: close: %v", err)
		}
	})
}

// IssuerURL is the URL of the issuer at path: "" for the default issuer,
// or the path of an issuer added with WithIssuer (such as "/realms/acme").
// An unknown path fails the test.
func (s *Server) IssuerURL(path string) string {
	s.t.Helper()
	if path == "" || path == "/" {
		return s.Issuer
	}
	for _, iss := range s.p.Issuers() {
		if strings.TrimSuffix(strings.TrimPrefix(iss, s.URL), "/") == strings.TrimSuffix(path, "/") {
			return iss
		}
	}
	s.t.Fatalf("oidctest: no issuer at path %q (issuers: %v)", path, s.p.Issuers())
	return ""
}

// Provider is the provider behind the server, for what this package does
// not wrap: its configuration, or serving it from another handler.
func (s *Server) Provider() *endpoints.Provider { return s.p }

// Now is the provider's clock.
func (s *Server) Now() time.Time { return s.p.Now() }

// SetNow pins the provider's clock at t: tokens, codes, sessions and expiry
// checks all use it, and time stands still until it is moved again.
func (s *Server) SetNow(t time.Time) { s.p.SetNow(t) }

// Advance moves the provider's clock by d (negative: back).
func (s *Server) Advance(d time.Duration) { s.p.Advance(d) }

// Client returns an HTTP client that behaves like a browser towards the
// server: it keeps cookies, follows the server's redirects, and stops at the
// first redirect that leaves the server (to a client's redirect URI), whose
// response it returns with the Location header for the test to read.
func (s *Server) Client() *http.Client {
	return newBrowser(s.srv.Listener.Addr().String())
}
