package endpoints

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/issuer"
)

// encryption is the client's ID-token encryption, or nil when it registered
// none. The public key is the first of its keys (jwks, else jwks_uri) meant
// for encryption — "use": "enc", or the registered alg — of the right type.
func (s *site) encryption(ctx context.Context, c *client) (*issuer.Encryption, error) {
	alg := c.IDTokenEncryptedResponseAlg
	if alg == "" {
		return nil, nil
	}
	e := &issuer.Encryption{Alg: alg, Enc: c.IDTokenEncryptedResponseEnc, Secret: c.Secret}
	if symmetricEncryption(alg) {
		return e, nil
	}
	set, err := s.clientKeys(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("endpoints: client %q encryption key: %w", c.ID, err)
	}
	for i := range set.Keys {
		k := &set.Keys[i]
		if (k.Use == "enc" || k.Algorithm == alg) && keyFitsEncryption(k, alg) {
			e.Key = k
			return e, nil
		}
	}
	return nil, fmt.Errorf("endpoints: client %q has no public key for %s (a key with \"use\": \"enc\")", c.ID, alg)
}

func keyFitsEncryption(k *jose.JSONWebKey, alg string) bool {
	switch k.Key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RSA-")
	case *ecdsa.PublicKey:
		return strings.HasPrefix(alg, "ECDH-ES")
	}
	return false
}
