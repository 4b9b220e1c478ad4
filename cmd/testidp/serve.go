package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/testidp/testidp/endpoints"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// after SIGTERM or SIGINT.
const shutdownTimeout = 10 * time.Second

// Limits on what one connection may hold: a client that never finishes
// its request headers is cut after readHeaderTimeout, one that trickles its
// body after readTimeout, an idle keep-alive connection after idleTimeout;
// request line and headers are capped at maxHeaderBytes (request bodies at
// 64 KiB by the endpoints). There is no write timeout: the JWKS "slow"
// behaviour delays its answer on purpose. Variables so that tests can
// shorten them.
var (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// serve runs the provider until ctx ends, then shuts down gracefully:
// in-flight requests finish, the database closes.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, stderr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	ts, err := prepareURLs(&cfg, ln.Addr())
	if err != nil {
		return err
	}
	p, err := endpoints.New(ctx, cfg, endpoints.Options{Logger: logger})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	banner(stdout, cfg, p.Issuers(), schemeOf(cfg)+"://"+ln.Addr().String(), ts, isLoopback(ln.Addr()))
	logger.Info("serving", "addr", ln.Addr().String(), "issuer", p.Issuer(), "tls", cfg.TLS.On(), "version", version())
	errc := make(chan error, 1)
	go func() {
		if ts != nil {
			srv.TLSConfig = ts.config
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return errors.Join(fmt.Errorf("serve: %w", err), p.Close())
	case <-ctx.Done():
	}
	return shutdown(srv, p, logger)
}

// prepareURLs derives the issuer URL from the listen address unless it is
// configured, and with TLS prepares the certificate for the issuers' hosts.
func prepareURLs(cfg *endpoints.Config, addr net.Addr) (*tlsSetup, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = issuerFor(schemeOf(*cfg), addr)
	}
	if !cfg.TLS.On() {
		return nil, nil
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	// Certificates are about wall time, not the provider's clock.
	return setupTLS(cfg.TLS, tlsHosts(host, issuerURLs(*cfg), cfg.TLS.Hosts), time.Now())
}

func schemeOf(cfg endpoints.Config) string {
	if cfg.TLS.On() {
		return "https"
	}
	return "http"
}

// shutdown stops accepting connections, lets in-flight requests finish
// (within shutdownTimeout), then closes the database, which checkpoints
// its write-ahead log.
func shutdown(srv *http.Server, p *endpoints.Provider, logger *slog.Logger) error {
	logger.Info("shutting down: finishing in-flight requests", "timeout", shutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var err error
	if err = srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		err = fmt.Errorf("shutdown: %w; open connections were cut", err)
	}
	if cerr := p.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close the database: %w", cerr))
	}
	if err == nil {
		logger.Info("stopped; database closed")
	}
	return err
}

// banner tells the person who started testidp what runs where.
func banner(w io.Writer, cfg endpoints.Config, issuers []string, listen string, ts *tlsSetup, loopback bool) {
	fmt.Fprintf(w, "testidp %s — an OpenID Provider for tests only — never production.\n", version())
	fmt.Fprintf(w, "listening: %s\n", listen)
	for _, iss := range issuers {
		fmt.Fprintf(w, "issuer:    %s\n", iss)
	}
	fmt.Fprintf(w, "discovery: %s/.well-known/openid-configuration\n", trimSlash(issuers[0]))
	if cfg.IssuerFromRequest {
		fmt.Fprintln(w, "issuer URLs follow each request's Host (issuer_from_request)")
	}
	fmt.Fprintf(w, "database:  %s\n", cfg.DB)
	if ts != nil && ts.caOut != "" {
		fmt.Fprintf(w, "tls ca:    %s (clients trust this file; %s)\n", ts.caOut, ts.summary)
	} else if ts != nil {
		fmt.Fprintf(w, "tls:       %s\n", ts.summary)
	}
	if !loopback && cfg.AdminToken == "" && (cfg.TestingAPI == nil || *cfg.TestingAPI) {
		fmt.Fprintf(w, "warning:   listening beyond loopback without admin_token: anyone who reaches %s can mint tokens and move the clock through the testing API\n", listen)
	}
}

// issuerFor derives the issuer URL from the listen address: a wildcard,
// 127.0.0.1 or ::1 host becomes localhost.
func issuerFor(scheme string, addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip.IsUnspecified() || host == "127.0.0.1" || host == "::1" {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}
