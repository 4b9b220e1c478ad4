package endpoints

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// authenticateClient checks client credentials at the token, introspection
// and revocation endpoints: a client assertion (client_secret_jwt,
// private_key_jwt), a secret (Basic or form), or nothing for a public client.
// A client that registered one method must use it. Failures are
// invalid_client with status 401 (RFC 6749 §5.2).
func (s *site) authenticateClient(ctx context.Context, cc *op.ClientCredentials, h http.Header, path string) (*client, error) {
	if cc.ClientAssertion != "" {
		return s.authenticateAssertion(ctx, cc, path)
	}
	c, ok := s.client(cc.ClientID)
	if !ok {
		return nil, invalidClient("unknown client %q", cc.ClientID)
	}
	usedBasic := strings.HasPrefix(h.Get("Authorization"), "Basic ")
	method := c.TokenEndpointAuthMethod
	switch {
	case method == AuthNone:
		if cc.ClientSecret != "" {
			return nil, invalidClient("client %q is public and must not send a secret", c.ID)
		}
		return c, nil
	case method == AuthPrivateKeyJWT || method == AuthClientSecretJWT:
		return nil, invalidClient("client %q must authenticate with %s", c.ID, method)
	case method == AuthClientSecretBasic && !usedBasic && cc.ClientSecret != "":
		return nil, invalidClient("client %q registered client_secret_basic: send the secret in the Authorization header", c.ID)
	case method == AuthClientSecretPost && usedBasic:
		return nil, invalidClient("client %q registered client_secret_post: send the secret in the request body", c.ID)
	case cc.ClientSecret == "":
		return nil, invalidClient("client %q must authenticate", c.ID)
	}
	if subtle.ConstantTimeCompare([]byte(cc.ClientSecret), []byte(c.Secret)) != 1 {
		return nil, invalidClient("client authentication failed for %q", c.ID)
	}
	return c, nil
}

// invalidClient is an invalid_client error with status 401.
func invalidClient(format string, args ...any) error {
	return withStatus(oauthErrf("invalid_client", format, args...), http.StatusUnauthorized)
}
