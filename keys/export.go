package keys

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// ExportJWKS writes keys as a JWK Set, indented: public keys (kty, kid, use
// "sig", alg and the public members only) unless private is set, in which
// case each JWK also carries its private members ("d" and the rest), for
// users who sign their own tokens. Import reads both back.
func ExportJWKS(ks []*Key, private bool) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(ks))}
	for _, k := range ks {
		jwk := k.public
		if private {
			jwk.Key = k.signer
		}
		set.Keys = append(set.Keys, jwk)
	}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("keys: export jwks: %w", err)
	}
	return append(b, '\n'), nil
}

// ExportPEM writes the private keys as PKCS#8 "PRIVATE KEY" blocks, each
// after "kid: …" and "alg: …" lines (text before a PEM block, which PEM
// readers such as OpenSSL skip, and Import reads back).
func ExportPEM(ks []*Key) ([]byte, error) {
	var b bytes.Buffer
	for _, k := range ks {
		der, err := k.MarshalPrivate()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "kid: %s\nalg: %s\n", k.ID, k.Alg)
		if err := pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			return nil, fmt.Errorf("keys: export pem: %w", err)
		}
	}
	return b.Bytes(), nil
}
