package issuer

import (
	"context"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// The verifier matrix decrypts as a relying party that registered ID-token
// encryption does with go-oidc or go-jose: a token of five parts is
// decrypted with the client's key, then the inner JWS goes to the verifier.
// A token that is not a JWE goes to the verifier as it is.
func init() {
	for i := range verifiers {
		next := verifiers[i].newVerify
		verifiers[i].newVerify = func(ctx context.Context, alg, jwksURL string) func(string) error {
			verify := next(ctx, alg, jwksURL)
			return func(tok string) error {
				if strings.Count(tok, ".") == 4 {
					inner, err := decryptForClient(tok)
					if err != nil {
						return err
					}
					tok = string(inner)
				}
				return verify(tok)
			}
		}
	}
}

// clientKeyAlgs and clientEncs are what the client accepts.
var (
	clientKeyAlgs = []jose.KeyAlgorithm{jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW,
		jose.RSA_OAEP, jose.RSA_OAEP_256, jose.A128KW, jose.A192KW, jose.A256KW, jose.DIRECT}
	clientEncs = []jose.ContentEncryption{jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512,
		jose.A128GCM, jose.A192GCM, jose.A256GCM}
)

// decryptForClient decrypts a compact JWE with the fixed world's client
// encryption key.
func decryptForClient(tok string) ([]byte, error) {
	key, err := worldEncryptionKey()
	if err != nil {
		return nil, err
	}
	return decryptWith(tok, key)
}

func decryptWith(tok string, key any) ([]byte, error) {
	obj, err := jose.ParseEncrypted(tok, clientKeyAlgs, clientEncs)
	if err != nil {
		return nil, err
	}
	return obj.Decrypt(key)
}
