package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// trustingOnly is an HTTP client whose only root is the CA in caFile.
func trustingOnly(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(mustRead(t, caFile))) {
		t.Fatalf("%s holds no PEM certificate", caFile)
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// checkTLSProvider fetches discovery and a client_credentials token over
// https with client, and verifies the token with go-oidc against the JWKS
// fetched the same way.
func checkTLSProvider(t *testing.T, client *http.Client, issuer string) {
	t.Helper()
	ctx := oidc.ClientContext(context.Background(), client)
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery over https with a client trusting only the written CA: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, provider.Endpoint().TokenURL,
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("service", "service-secret")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("token request over https: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token request: status %d, decode error %v", resp.StatusCode, err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: "service"})
	if _, err := v.Verify(ctx, tok.AccessToken); err != nil {
		t.Errorf("go-oidc Verify of the access token: %v", err)
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "testidp.db")
	caFile := filepath.Join(dir, "testidp-ca.pem")
	args := []string{"--addr", "127.0.0.1:0", "--db", db, "--tls"}

	first := startServeStop(t, args, nil)
	if !strings.HasPrefix(first.issuer, "https://localhost:") {
		t.Fatalf("issuer with --tls = %s, want https://localhost:<port>", first.issuer)
	}
	if out := first.stdout.String(); !strings.Contains(out, "tls ca:    "+caFile) || !strings.Contains(out, "CA new, certificate new") {
		t.Errorf("banner does not name the new CA at %s:\n%s", caFile, out)
	}
	checkTLSProvider(t, trustingOnly(t, caFile), first.issuer)
	if _, err := http.Get(first.issuer + "/healthz"); err == nil {
		t.Error("a client with the system roots trusted the generated CA")
	}
	port := first.issuer[strings.LastIndex(first.issuer, ":")+1:]
	if err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:" + port, "--db", db, "--tls"}, env(nil), &syncBuffer{}, &syncBuffer{}); err != nil {
		t.Errorf("healthcheck --tls: %v", err)
	}
	if err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:" + port}, env(nil), &syncBuffer{}, &syncBuffer{}); err == nil {
		t.Error("plain-http healthcheck against the https server succeeded")
	}
	ca1 := mustRead(t, caFile)
	if err := first.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	// A restart (on another port: the names are the same) reuses both.
	second := startServeStop(t, args, nil)
	if out := second.stdout.String(); !strings.Contains(out, "CA reused, certificate reused") {
		t.Errorf("restart banner does not say both were reused:\n%s", out)
	}
	if ca2 := mustRead(t, caFile); ca2 != ca1 {
		t.Error("the restart wrote another CA")
	}
	checkTLSProvider(t, trustingOnly(t, caFile), second.issuer)
	second.stop()

	// New names: the same CA signs a new certificate that holds them.
	third := startServeStop(t, append(args, "--tls-hosts", "idp.test,10.1.2.3"), nil)
	if out := third.stdout.String(); !strings.Contains(out, "CA reused, certificate new") {
		t.Errorf("banner after adding hosts:\n%s", out)
	}
	cert, _, _, err := readPair(filepath.Join(dir, "testidp-tls", serverCertFile), filepath.Join(dir, "testidp-tls", serverKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.VerifyHostname("idp.test"); err != nil {
		t.Errorf("certificate after --tls-hosts: %v", err)
	}
	if err := cert.VerifyHostname("10.1.2.3"); err != nil {
		t.Errorf("certificate after --tls-hosts: %v", err)
	}
	if mustRead(t, caFile) != ca1 {
		t.Error("adding hosts replaced the CA")
	}
}

// TestServeOwnCertificate serves the user's certificate and key; the
// healthcheck trusts the certificates in the certificate file (the leaf
// itself when the file holds no CA).
func TestServeOwnCertificate(t *testing.T) {
	dir := t.TempDir()
	g, err := loadOrCreateTLS(filepath.Join(dir, "own"), []string{"127.0.0.1", "localhost"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		chain []byte
	}{
		{"leaf and CA", append(mustReadBytes(t, filepath.Join(dir, "own", serverCertFile)), g.caPEM...)},
		{"leaf only", mustReadBytes(t, filepath.Join(dir, "own", serverCertFile))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certFile := filepath.Join(t.TempDir(), "cert.pem")
			os.WriteFile(certFile, tc.chain, 0o644)
			// The CA of the "user's" certificate, for the client.
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			os.WriteFile(caFile, g.caPEM, 0o644)
			args := []string{"--addr", "127.0.0.1:0", "--db", ":memory:", "--tls-cert", certFile, "--tls-key", filepath.Join(dir, "own", serverKeyFile)}
			s := startServeStop(t, args, nil)
			if !strings.Contains(s.stdout.String(), "tls:       certificate "+certFile) {
				t.Errorf("banner does not name the certificate:\n%s", s.stdout.String())
			}
			checkTLSProvider(t, trustingOnly(t, caFile), s.issuer)
			port := s.issuer[strings.LastIndex(s.issuer, ":")+1:]
			hc := []string{"healthcheck", "--addr", "127.0.0.1:" + port, "--tls-cert", certFile, "--tls-key", "unused"}
			if err := run(context.Background(), hc, env(nil), &syncBuffer{}, &syncBuffer{}); err != nil {
				t.Errorf("healthcheck trusting the certificate file: %v", err)
			}
		})
	}
	if _, err := loadConfig("serve", []string{"--tls-cert", "c.pem"}, env(nil), &syncBuffer{}); err == nil || !strings.Contains(err.Error(), "tls.key") {
		t.Errorf("--tls-cert without --tls-key: %v", err)
	}
}

func mustReadBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(b)
}
