package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks the provider at the configured address for /healthz and
// fails unless it answers 200. The container's HEALTHCHECK runs it (no curl
// in the image). It reads the same configuration as serve, so with TLS it
// speaks https and trusts the generated CA (tls.ca_out) or the configured
// certificate.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig("healthcheck", args, getenv, stderr)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	scheme := "http"
	if cfg.TLS.On() {
		scheme = "https"
		tc, err := clientTLSConfig(cfg.TLS, host)
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		client.Transport = &http.Transport{DisableKeepAlives: true, TLSClientConfig: tc}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url := scheme + "://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	return nil
}
