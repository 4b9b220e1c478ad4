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

// serve runs the provider until ctx ends, then shuts down gracefully:
// in-flight requests finish, the database closes.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if cfg.Issuer == "" {
		cfg.Issuer = issuerFor(ln.Addr())
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p, err := endpoints.New(ctx, cfg, endpoints.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer p.Close()
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	fmt.Fprintf(stdout, "testidp %s — an OpenID Provider for tests; never use it in production.\n", version())
	fmt.Fprintf(stdout, "issuer:    %s\ndiscovery: %s/.well-known/openid-configuration\ndatabase:  %s\n", p.Issuer(), trimSlash(p.Issuer()), cfg.DB)
	for _, iss := range p.Issuers()[1:] {
		fmt.Fprintf(stdout, "issuer:    %s\n", iss)
	}
	if cfg.IssuerFromRequest {
		fmt.Fprintln(stdout, "issuer URLs follow each request's Host (issuer_from_request)")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// issuerFor derives the issuer URL from the listen address: a wildcard,
// 127.0.0.1 or ::1 host becomes localhost.
func issuerFor(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip.IsUnspecified() || host == "127.0.0.1" || host == "::1" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}
