package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/testidp/testidp/keys"
)

func TestEncryptToken(t *testing.T) {
	is := New(testIssuer, testRing(t), fixedNow)
	signed, err := is.MintIDToken(IDToken{ClientID: "c", Subject: "alice", TTL: time.Hour, Alg: keys.ES256})
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	secret := "client-secret-0123456789abcdef0123456789"
	cases := []struct {
		name    string
		e       Encryption
		decrypt any
	}{
		{"RSA-OAEP", Encryption{Alg: "RSA-OAEP", Key: &jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "r1"}}, rsaKey},
		{"RSA-OAEP-256 A256GCM", Encryption{Alg: "RSA-OAEP-256", Enc: "A256GCM", Key: &jose.JSONWebKey{Key: &rsaKey.PublicKey}}, rsaKey},
		{"ECDH-ES+A128KW", Encryption{Alg: "ECDH-ES+A128KW", Key: &jose.JSONWebKey{Key: &ecKey.PublicKey}}, ecKey},
		{"A128KW from the secret", Encryption{Alg: "A128KW", Secret: secret}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			jwe, err := EncryptToken(signed.Raw, tc.e)
			if err != nil {
				t.Fatal(err)
			}
			key := tc.decrypt
			if key == nil {
				k, _ := secretKey(secret, tc.e.Alg, defaultEnc)
				key = k
			}
			enc := tc.e.Enc
			if enc == "" {
				enc = defaultEnc
			}
			obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.KeyAlgorithm(tc.e.Alg)},
				[]jose.ContentEncryption{jose.ContentEncryption(enc)})
			if err != nil {
				t.Fatalf("parse JWE: %v", err)
			}
			if obj.Header.ExtraHeaders[jose.HeaderContentType] != "JWT" {
				t.Errorf("cty = %v, want JWT (a nested token)", obj.Header.ExtraHeaders[jose.HeaderContentType])
			}
			plain, err := obj.Decrypt(key)
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			inner, err := jwt.ParseSigned(string(plain), []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				t.Fatal(err)
			}
			k, _ := is.Ring.Active(keys.ES256)
			pub := k.Public()
			var c jwt.Claims
			if err := inner.Claims(&pub, &c); err != nil || c.Subject != "alice" {
				t.Errorf("inner token: sub %q, %v", c.Subject, err)
			}
		})
	}
	if _, err := EncryptToken(signed.Raw, Encryption{Alg: "RSA-OAEP"}); err == nil {
		t.Error("RSA-OAEP without a key: no error")
	}
}
