package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/fixtures"
	"github.com/testidp/testidp/oidctest"
)

// ownProvider is the provider testidp conformance starts when it is given
// none: the built-in configuration plus the conformance client, in memory,
// on addr.
type ownProvider struct {
	issuer string
	client endpoints.Client
	srv    *http.Server
	p      *endpoints.Provider
}

func startOwnProvider(ctx context.Context, addr string) (*ownProvider, error) {
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	if err != nil {
		return nil, fmt.Errorf("conformance: built-in configuration: %w", err)
	}
	client := oidctest.ConformanceClient()
	cfg.DB, cfg.Login, cfg.Addr = ":memory:", endpoints.LoginAuto, addr
	cfg.Clients = append(cfg.Clients, client)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: conformance: listen on --addr %s: %v", errUsage, addr, err)
	}
	cfg.Issuer = issuerFor("http", ln.Addr())
	p, err := endpoints.New(ctx, cfg, endpoints.Options{})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("conformance: start the provider: %w", err)
	}
	o := &ownProvider{issuer: p.Issuer(), client: client, p: p,
		srv: &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = o.srv.Serve(ln) }()
	return o, nil
}

func (o *ownProvider) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if o.srv.Shutdown(ctx) != nil {
		_ = o.srv.Close()
	}
	_ = o.p.Close()
}
