package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/testidp/testidp/endpoints"
)

// tlsSetup is the server side of HTTPS: the tls.Config to serve with and
// what the banner says about it.
type tlsSetup struct {
	config *tls.Config
	// caOut is where the generated CA was written; empty with the user's
	// own certificate.
	caOut string
	// summary is the banner's line, such as "CA reused, certificate new".
	summary string
}

// setupTLS loads the user's certificate, or loads or creates the generated
// CA and server certificate (for hosts) and writes the CA to tls.ca_out.
func setupTLS(t endpoints.TLSConfig, hosts []string, now time.Time) (*tlsSetup, error) {
	if !t.Generated() {
		cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, fmt.Errorf("tls.cert, tls.key: %w", err)
		}
		return &tlsSetup{config: serverTLSConfig(cert), summary: "certificate " + t.Cert}, nil
	}
	g, err := loadOrCreateTLS(t.Dir, hosts, now)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(t.CAOut); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("tls.ca_out: %w", err)
		}
	}
	if err := writeAtomic(t.CAOut, g.caPEM, 0o644); err != nil {
		return nil, fmt.Errorf("tls.ca_out: %w", err)
	}
	return &tlsSetup{config: serverTLSConfig(g.serverCert), caOut: t.CAOut, summary: generatedSummary(t.Dir, g)}, nil
}

func serverTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

func generatedSummary(dir string, g *generatedTLS) string {
	if dir == "" {
		return "new CA (not kept: the database is in memory; set tls.dir to keep it)"
	}
	state := func(reused bool) string {
		if reused {
			return "reused"
		}
		return "new"
	}
	return fmt.Sprintf("CA %s, certificate %s, kept in %s", state(g.reusedCA), state(g.reusedServer), dir)
}

// issuerURLs lists the configured issuer URLs: the default issuer, then
// the others that name a URL.
func issuerURLs(cfg endpoints.Config) []string {
	out := []string{cfg.Issuer}
	for _, is := range cfg.Issuers {
		if is.URL != "" {
			out = append(out, is.URL)
		} else if is.Path != "" {
			out = append(out, trimSlash(cfg.Issuer)+is.Path)
		}
	}
	return out
}

// urlHost is the host of an absolute URL, without the port.
func urlHost(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	return u.Hostname(), true
}

// clientTLSConfig is what `testidp healthcheck` trusts: the generated CA
// (read from tls.ca_out), or with the user's certificate the system roots
// plus the certificates in tls.cert, checked without a host name (the
// check dials the loopback address, which the user's certificate need not
// name).
func clientTLSConfig(t endpoints.TLSConfig, serverName string) (*tls.Config, error) {
	if t.Generated() {
		pem, err := os.ReadFile(t.CAOut)
		if err != nil {
			return nil, fmt.Errorf("read the CA (tls.ca_out): %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", t.CAOut)
		}
		return &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(t.Cert)
	if err != nil {
		return nil, fmt.Errorf("read tls.cert: %w", err)
	}
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection: the chain, not the name
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no server certificate")
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter})
			return err
		},
	}, nil
}

// isLoopback tells whether a listener accepts only local connections.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
