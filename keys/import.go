package keys

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ImportOptions tune Import.
type ImportOptions struct {
	// Alg is what the keys sign with. RSA keys need it (RS256 or PS256)
	// unless a JWK or a PEM "alg:" line names it; for EC and Ed25519 keys
	// it follows from the curve, and a given Alg must fit.
	Alg Alg
	// KeyID overrides the kid (of a JWK or a PEM "kid:" line, else the RFC
	// 7638 thumbprint). Only for material holding one key.
	KeyID string
}

// Import reads private signing keys: PEM blocks (PKCS#1 "RSA PRIVATE KEY",
// PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY"; certificates and "EC
// PARAMETERS" blocks are skipped; "kid: …" and "alg: …" lines before a block,
// as ExportPEM writes them, name its key) or JSON (one JWK, or a JWK Set).
// Keys come back in state Next, created at now.
func Import(data []byte, opts ImportOptions, now time.Time) ([]*Key, error) {
	var items []imported
	var err error
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		items, err = parseJWKs(trimmed)
	} else {
		items, err = parsePEM(data)
	}
	if err != nil {
		return nil, err
	}
	if opts.KeyID != "" && len(items) != 1 {
		return nil, fmt.Errorf("keys: import: a kid can only be given for one key; this holds %d", len(items))
	}
	out := make([]*Key, 0, len(items))
	for i, it := range items {
		if opts.KeyID != "" {
			it.kid = opts.KeyID
		}
		k, err := it.key(opts.Alg, now)
		if err != nil {
			return nil, fmt.Errorf("keys: import key %d: %w", i+1, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// imported is one private key read from a file, with what the file says
// about it.
type imported struct {
	signer crypto.Signer
	kid    string
	alg    Alg
}

func (it imported) key(want Alg, now time.Time) (*Key, error) {
	if want != "" && it.alg != "" && want != it.alg {
		return nil, fmt.Errorf("%w: the key is marked %s, not %s", ErrKeyMismatch, it.alg, want)
	}
	alg := want
	if alg == "" {
		alg = it.alg
	}
	if alg == "" {
		var err error
		if alg, err = impliedAlg(it.signer); err != nil {
			return nil, err
		}
	}
	if !alg.Asymmetric() {
		return nil, fmt.Errorf("%w for a ring key: %q", ErrUnsupportedAlg, alg)
	}
	return New(alg, it.signer, it.kid, now)
}

// impliedAlg is the algorithm a key type allows; RSA keys allow two.
func impliedAlg(s crypto.Signer) (Alg, error) {
	switch k := s.(type) {
	case *rsa.PrivateKey:
		return "", errors.New("an RSA key needs its algorithm: RS256 or PS256")
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return ES256, nil
		case elliptic.P384():
			return ES384, nil
		}
		return "", fmt.Errorf("%w: curve %s", ErrUnsupportedAlg, k.Curve.Params().Name)
	case ed25519.PrivateKey:
		return EdDSA, nil
	}
	return "", fmt.Errorf("%w: %T", ErrUnsupportedAlg, s)
}

// parsePEM reads every private key block of a PEM file.
func parsePEM(data []byte) ([]imported, error) {
	var out []imported
	rest := data
	for {
		start := bytes.Index(rest, []byte("-----BEGIN "))
		if start < 0 {
			break
		}
		preamble := rest[:start]
		block, after := pem.Decode(rest[start:])
		if block == nil {
			return nil, errors.New("keys: import: malformed PEM block")
		}
		rest = after
		it, skip, err := pemKey(block)
		if err != nil {
			return nil, fmt.Errorf("keys: import PEM block %q: %w", block.Type, err)
		}
		if skip {
			continue
		}
		it.kid, it.alg = pemNotes(preamble)
		out = append(out, it)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no PEM private key block (PKCS#1, PKCS#8 or SEC1) and no JWK", ErrNoPrivateKey)
	}
	return out, nil
}

// pemKey parses one PEM block; skip is set for blocks that hold no key
// (certificates, curve parameters).
func pemKey(b *pem.Block) (it imported, skip bool, err error) {
	if _, encrypted := b.Headers["Proc-Type"]; encrypted || b.Type == "ENCRYPTED PRIVATE KEY" {
		return it, false, errors.New("encrypted keys are not supported: decrypt it first (openssl pkcs8 -nocrypt)")
	}
	var priv any
	switch b.Type {
	case "RSA PRIVATE KEY":
		priv, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "PRIVATE KEY":
		priv, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		priv, err = x509.ParseECPrivateKey(b.Bytes)
	case "CERTIFICATE", "EC PARAMETERS":
		return it, true, nil
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		return it, false, fmt.Errorf("%w: a public key cannot sign", ErrNoPrivateKey)
	default:
		return it, false, errors.New("not a private key block")
	}
	if err != nil {
		return it, false, err
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return it, false, fmt.Errorf("%w: %T is not a signing key", ErrKeyMismatch, priv)
	}
	return imported{signer: s}, false, nil
}

// pemNotes reads "kid: …" and "alg: …" lines (optionally after "#") from
// the text before a PEM block.
func pemNotes(preamble []byte) (kid string, alg Alg) {
	sc := bufio.NewScanner(bytes.NewReader(preamble))
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "#"))
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(name) {
		case "kid":
			kid = strings.TrimSpace(value)
		case "alg":
			alg = Alg(strings.TrimSpace(value))
		}
	}
	return kid, alg
}

// parseJWKs reads one private JWK or a JWK Set of them.
func parseJWKs(data []byte) ([]imported, error) {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("keys: import JSON: %w", err)
	}
	var jwks []jose.JSONWebKey
	if probe.Keys != nil {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, fmt.Errorf("keys: import JWK Set: %w", err)
		}
		jwks = set.Keys
	} else {
		var k jose.JSONWebKey
		if err := json.Unmarshal(data, &k); err != nil {
			return nil, fmt.Errorf("keys: import JWK: %w", err)
		}
		jwks = []jose.JSONWebKey{k}
	}
	if len(jwks) == 0 {
		return nil, fmt.Errorf("%w: the JWK Set is empty", ErrNoPrivateKey)
	}
	out := make([]imported, 0, len(jwks))
	for i, k := range jwks {
		it, err := jwkKey(k)
		if err != nil {
			return nil, fmt.Errorf("keys: import JWK %d (kid %q): %w", i+1, k.KeyID, err)
		}
		out = append(out, it)
	}
	return out, nil
}

func jwkKey(k jose.JSONWebKey) (imported, error) {
	if _, symmetric := k.Key.([]byte); symmetric {
		return imported{}, errors.New("a symmetric (oct) key cannot be a published signing key")
	}
	if k.IsPublic() {
		return imported{}, fmt.Errorf("%w: the JWK is public (no \"d\")", ErrNoPrivateKey)
	}
	if k.Use != "" && k.Use != "sig" {
		return imported{}, fmt.Errorf("the JWK is for use %q, not sig", k.Use)
	}
	s, ok := k.Key.(crypto.Signer)
	if !ok {
		return imported{}, fmt.Errorf("%w: %T is not a signing key", ErrKeyMismatch, k.Key)
	}
	return imported{signer: s, kid: k.KeyID, alg: Alg(k.Algorithm)}, nil
}
