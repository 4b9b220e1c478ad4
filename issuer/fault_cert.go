package issuer

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/url"
	"time"
)

// Certificates and URLs for the header faults that point at keys (x5c,
// x5t, x5u, jku).

// selfSignedCert is a self-signed certificate for priv's public key, valid
// from an hour before now for a year. RSA PKCS #1 v1.5 signatures are
// deterministic, so the same key and time give the same bytes.
func selfSignedCert(priv crypto.Signer, cn string, now time.Time) ([]byte, error) {
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true, // as openssl req -x509 makes them
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return nil, fmt.Errorf("issuer: certificate: %w", err)
	}
	return der, nil
}

// defaultRogueBase is where rogue content lives when the environment names
// no RogueURL: a host nobody serves, so that a fetch fails but is visible.
const defaultRogueBase = "https://attacker.example/"

// rogueURL is the harness's rogue URL, or file on attacker.example.
func (e *FaultEnv) rogueURL(file string) string {
	if e.RogueURL != "" {
		return e.RogueURL
	}
	return defaultRogueBase + file
}

// sameHostURL is a rogue URL on the issuer's own host: RogueURL's path on
// the host of the jwks_uri, or file next to the jwks_uri.
func (e *FaultEnv) sameHostURL(file string) (string, error) {
	if e.JWKSURI == "" {
		return "", wrapNeeds("the issuer's jwks_uri (FaultEnv.JWKSURI) names the host")
	}
	j, err := url.Parse(e.JWKSURI)
	if err != nil {
		return "", fmt.Errorf("issuer: jwks_uri: %w", err)
	}
	if e.RogueURL == "" {
		return j.ResolveReference(&url.URL{Path: file}).String(), nil
	}
	r, err := url.Parse(e.RogueURL)
	if err != nil {
		return "", fmt.Errorf("issuer: rogue url: %w", err)
	}
	j.Path, j.RawPath, j.RawQuery = r.Path, r.RawPath, r.RawQuery
	return j.String(), nil
}
