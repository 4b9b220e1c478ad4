package endpoints

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// assertion signs a client assertion (RFC 7523) with go-jose.
func assertion(t *testing.T, key any, alg jose.SignatureAlgorithm, kid string, c jwt.Claims) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestClientAssertions(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub := jose.JSONWebKey{Key: ecKey.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}
	pubJSON, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	var jwks map[string]any
	_ = json.Unmarshal(pubJSON, &jwks)
	secret := "jwt-secret-0123456789abcdef0123456789"
	e := startEnv(t, func(c *Config) {
		c.Clients = append(c.Clients,
			Client{ID: "pkjwt", JWKS: jwks, GrantTypes: []string{GrantClientCredentials}},
			Client{ID: "csjwt", Secret: secret, TokenEndpointAuthMethod: AuthClientSecretJWT, GrantTypes: []string{GrantClientCredentials}})
	})
	now := e.clock.Now()
	claims := func(sub, aud, jti string) jwt.Claims {
		return jwt.Claims{Issuer: sub, Subject: sub, Audience: jwt.Audience{aud}, ID: jti,
			Expiry: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now)}
	}
	tokenURL := e.issuer + "/token"
	cases := []struct {
		name       string
		assertion  string
		wantStatus int
	}{
		{"private_key_jwt", assertion(t, ecKey, jose.ES256, "k1", claims("pkjwt", tokenURL, "a1")), 200},
		{"private_key_jwt replayed jti", assertion(t, ecKey, jose.ES256, "k1", claims("pkjwt", tokenURL, "a1")), 401},
		{"private_key_jwt aud = issuer", assertion(t, ecKey, jose.ES256, "k1", claims("pkjwt", e.issuer, "a2")), 200},
		{"private_key_jwt wrong aud", assertion(t, ecKey, jose.ES256, "k1", claims("pkjwt", "https://other.example/token", "a3")), 401},
		{"private_key_jwt foreign key", assertion(t, mustEC(t), jose.ES256, "k1", claims("pkjwt", tokenURL, "a4")), 401},
		{"private_key_jwt expired", assertion(t, ecKey, jose.ES256, "k1", jwt.Claims{Issuer: "pkjwt", Subject: "pkjwt", Audience: jwt.Audience{tokenURL}, ID: "a5",
			Expiry: jwt.NewNumericDate(now.Add(-time.Hour))}), 401},
		{"client_secret_jwt", assertion(t, []byte(secret), jose.HS256, "", claims("csjwt", tokenURL, "b1")), 200},
		{"client_secret_jwt wrong secret", assertion(t, []byte("x"+secret), jose.HS256, "", claims("csjwt", tokenURL, "b2")), 401},
		{"HMAC assertion for a private_key_jwt client", assertion(t, []byte(secret), jose.HS256, "", claims("pkjwt", tokenURL, "c1")), 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion":      {tc.assertion}}, "", "")
			if status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tc.wantStatus, body)
			}
			if status == 401 && body["error"] != "invalid_client" {
				t.Errorf("error %v, want invalid_client", body["error"])
			}
		})
	}
	// A secret sent the plain way is refused for a client that pinned client_secret_jwt.
	if status, _, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, "csjwt", secret); status != http.StatusUnauthorized {
		t.Errorf("Basic secret for a client_secret_jwt client: status %d, want 401", status)
	}
}

func mustEC(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
