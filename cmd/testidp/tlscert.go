package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The generated TLS material: a CA that lives ten years and a server
// certificate it signs, reissued when it nears expiry or when its names
// change. Both keys are ECDSA P-256. In the TLS directory:
const (
	caCertFile     = "ca.pem"
	caKeyFile      = "ca-key.pem"
	serverCertFile = "server.pem"
	serverKeyFile  = "server-key.pem"
)

const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 397 * 24 * time.Hour // the longest browsers accept
	renewBefore    = 30 * 24 * time.Hour  // reissue when less is left
	backdate       = time.Hour            // tolerate clients whose clock is behind
)

// generatedTLS is the CA and server certificate of a --tls run.
type generatedTLS struct {
	caCert     *x509.Certificate
	caKey      crypto.Signer
	caPEM      []byte
	serverCert tls.Certificate
	// reused tells whether each part came from the directory.
	reusedCA, reusedServer bool
}

// loadOrCreateTLS returns the CA and server certificate kept in dir,
// creating or renewing what is missing, invalid, near expiry or (for the
// server certificate) not for exactly hosts. An empty dir keeps nothing:
// a new CA each time.
func loadOrCreateTLS(dir string, hosts []string, now time.Time) (*generatedTLS, error) {
	if len(hosts) == 0 {
		return nil, errors.New("tls: no host names for the certificate")
	}
	hosts = slices.Clone(hosts)
	slices.Sort(hosts)
	g := &generatedTLS{}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
	}
	if err := g.loadOrCreateCA(dir, now); err != nil {
		return nil, err
	}
	if err := g.loadOrCreateServer(dir, hosts, now); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *generatedTLS) loadOrCreateCA(dir string, now time.Time) error {
	if dir != "" {
		cert, key, certPEM, err := readPair(filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile))
		if err == nil && cert.IsCA && cert.NotAfter.Sub(now) > renewBefore {
			g.caCert, g.caKey, g.caPEM, g.reusedCA = cert, key, certPEM, true
			return nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "testidp test CA " + now.UTC().Format("2006-01-02") + " (tests only, never production)", Organization: []string{"testidp"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return fmt.Errorf("tls: create CA: %w", err)
	}
	g.caCert, _ = x509.ParseCertificate(der)
	g.caKey, g.caPEM = key, pemBlock("CERTIFICATE", der)
	if dir == "" {
		return nil
	}
	return writePair(filepath.Join(dir, caCertFile), g.caPEM, filepath.Join(dir, caKeyFile), key)
}

func (g *generatedTLS) loadOrCreateServer(dir string, hosts []string, now time.Time) error {
	if dir != "" && g.reusedCA {
		cert, key, certPEM, err := readPair(filepath.Join(dir, serverCertFile), filepath.Join(dir, serverKeyFile))
		if err == nil && cert.CheckSignatureFrom(g.caCert) == nil && cert.NotAfter.Sub(now) > renewBefore &&
			!cert.NotBefore.After(now) && slices.Equal(certHosts(cert), hosts) {
			g.serverCert, err = tls.X509KeyPair(certPEM, pemKey(key))
			if err == nil {
				g.reusedServer = true
				return nil
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"testidp"}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, g.caCert, key.Public(), g.caKey)
	if err != nil {
		return fmt.Errorf("tls: create server certificate: %w", err)
	}
	certPEM := pemBlock("CERTIFICATE", der)
	if g.serverCert, err = tls.X509KeyPair(certPEM, pemKey(key)); err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	if dir == "" {
		return nil
	}
	return writePair(filepath.Join(dir, serverCertFile), certPEM, filepath.Join(dir, serverKeyFile), key)
}

// certHosts lists a certificate's names the way tlsHosts does: sorted,
// IP addresses in their canonical text.
func certHosts(c *x509.Certificate) []string {
	out := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	slices.Sort(out)
	return out
}

// tlsHosts is the sorted set of names the generated certificate must hold:
// localhost, the loopback addresses, the listen host unless it is a
// wildcard, the issuers' hosts and the configured extra hosts.
func tlsHosts(listenHost string, issuers, extra []string) []string {
	set := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	add := func(h string) {
		h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
		if h == "" {
			return
		}
		if ip := net.ParseIP(h); ip != nil {
			if ip.IsUnspecified() {
				return
			}
			h = ip.String()
		} else {
			h = strings.ToLower(h)
		}
		set[h] = true
	}
	add(listenHost)
	for _, iss := range issuers {
		if host, ok := urlHost(iss); ok {
			add(host)
		}
	}
	for _, h := range extra {
		add(h)
	}
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

// readPair reads a PEM certificate and its PEM PKCS#8 key.
func readPair(certPath, keyPath string) (*x509.Certificate, crypto.Signer, []byte, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, nil, errors.New("tls: not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok || !publicKeyEqual(signer.Public(), cert.PublicKey) {
		return nil, nil, nil, errors.New("tls: the key does not match the certificate")
	}
	return cert, signer, certPEM, nil
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

// writePair writes a certificate (0644) and its key (0600), each
// atomically, so that a reader never sees half a file.
func writePair(certPath string, certPEM []byte, keyPath string, key crypto.Signer) error {
	if err := writeAtomic(keyPath, pemKey(key), 0o600); err != nil {
		return err
	}
	return writeAtomic(certPath, certPEM, 0o644)
}

// writeAtomic replaces path with data through a temporary file in the same
// directory. An identical file is left alone.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("tls: write %s: %w", path, err)
	}
	return nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pemKey(key crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err) // ECDSA keys always marshal
	}
	return pemBlock("PRIVATE KEY", der)
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}
