package endpoints

import (
	"slices"
	"strings"

	"github.com/testidp/testidp/issuer"
)

var (
	encryptionAlgs = []string{"RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
		"A128KW", "A192KW", "A256KW", "dir"}
	encryptionEncs = []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"}
)

// checkClientExtras validates a client's ID-token encryption and fault.
func checkClientExtras(ce *ConfigError, path string, c Client) {
	alg, enc := c.IDTokenEncryptedResponseAlg, c.IDTokenEncryptedResponseEnc
	switch {
	case alg == "" && enc != "":
		ce.add(path+".id_token_encrypted_response_enc", "needs id_token_encrypted_response_alg too")
	case alg != "" && !slices.Contains(encryptionAlgs, alg):
		ce.add(path+".id_token_encrypted_response_alg", "%q: must be one of %v", alg, encryptionAlgs)
	case enc != "" && !slices.Contains(encryptionEncs, enc):
		ce.add(path+".id_token_encrypted_response_enc", "%q: must be one of %v", enc, encryptionEncs)
	case alg != "" && symmetricEncryption(alg) && c.Secret == "":
		ce.add(path+".secret", "%s derives the encryption key from the client secret (OpenID Connect Core §10.2)", alg)
	case alg != "" && !symmetricEncryption(alg) && c.JWKS == nil && c.JWKSURI == "":
		ce.add(path+".jwks", "%s needs the client's public encryption key (a key with \"use\": \"enc\") in jwks or jwks_uri", alg)
	}
	if c.Fault != "" {
		if _, _, err := issuer.LookupFault(c.Fault); err != nil {
			ce.add(path+".fault", "%v", strings.TrimPrefix(err.Error(), "issuer: unknown fault: "))
		}
	}
}

// symmetricEncryption reports whether alg takes its key from the secret.
func symmetricEncryption(alg string) bool {
	return alg == "dir" || (strings.HasPrefix(alg, "A") && strings.HasSuffix(alg, "KW"))
}
