package issuer

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Encryption is what a client registered for encrypted ID tokens
// (OpenID Connect Registration: id_token_encrypted_response_alg and _enc;
// Core §10.2): the key-management algorithm, the content encryption, and the
// client's public encryption key, or its secret for the symmetric
// algorithms (A128KW…, dir).
type Encryption struct {
	Alg    string
	Enc    string // default A128CBC-HS256
	Key    *jose.JSONWebKey
	Secret string
}

// EncryptToken seals a signed token as a nested JWT (sign, then encrypt:
// Core §16.14), content type "JWT". Asymmetric algorithms use a fresh
// ephemeral key or content key each time.
func EncryptToken(signed string, e Encryption) (string, error) {
	enc := e.Enc
	if enc == "" {
		enc = defaultEnc
	}
	var key any
	kid := ""
	switch {
	case symmetricKeyAlg(e.Alg):
		k, err := secretKey(e.Secret, e.Alg, enc)
		if err != nil {
			return "", err
		}
		key = k
	case e.Key == nil:
		return "", fmt.Errorf("%w: %s needs the client's public encryption key", ErrBadSpec, e.Alg)
	default:
		key, kid = e.Key.Key, e.Key.KeyID
		switch key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
		default:
			return "", fmt.Errorf("%w: encryption key of type %T", ErrBadSpec, key)
		}
	}
	encrypter, err := jose.NewEncrypter(jose.ContentEncryption(enc),
		jose.Recipient{Algorithm: jose.KeyAlgorithm(e.Alg), Key: key, KeyID: kid},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return "", fmt.Errorf("issuer: encrypt: %w", err)
	}
	obj, err := encrypter.Encrypt([]byte(signed))
	if err != nil {
		return "", fmt.Errorf("issuer: encrypt: %w", err)
	}
	return obj.CompactSerialize()
}
