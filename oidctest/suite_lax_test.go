package oidctest_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/oidctest"
)

// laxVerifier checks nothing but the signature: go-jose, RS256 only, the key
// by kid from the issuer's jwks_uri (fetched for every token; the only key
// when the token names none). No claim is looked at. It records what each
// delivery looked like, for the test's own judgement.
type laxVerifier struct {
	mu   sync.Mutex
	seen map[string][]delivery // by case ref, in order
}

// delivery is one token as the verifier got it, and the JWK Set it saw.
type delivery struct {
	token string
	jwks  []byte
	step  oidctest.SuiteStep
}

func (l *laxVerifier) verify(ctx context.Context, raw string) error {
	st, _ := oidctest.SuiteStepFrom(ctx)
	body, err := getBody(ctx, st.JWKSURI)
	l.mu.Lock()
	if l.seen == nil {
		l.seen = map[string][]delivery{}
	}
	l.seen[st.Case] = append(l.seen[st.Case], delivery{token: raw, jwks: body, step: st})
	l.mu.Unlock()
	if err != nil {
		return errors.Join(oidctest.ErrVerifierFailed, err)
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return err
	}
	kid := jws.Signatures[0].Header.KeyID
	found := set.Key(kid)
	if kid == "" && len(set.Keys) == 1 {
		found = set.Keys
	}
	if len(found) == 0 {
		return errors.New("lax: no key for kid " + kid)
	}
	_, err = jws.Verify(found[0])
	return err
}

func getBody(ctx context.Context, url string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// strictlySigned is the test's own judgement of a delivery, without
// go-jose: a compact JWS of three strict base64url parts, a JSON header
// with alg RS256 and no crit, signed (RSASSA-PKCS1-v1_5, SHA-256) over
// exactly its first two parts by the RSA key of its kid in the JWK Set the
// verifier saw (the only key when it names no kid).
func strictlySigned(d delivery) bool {
	parts := strings.Split(d.token, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	sig, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	var h map[string]any
	if err1 != nil || err2 != nil || json.Unmarshal(hb, &h) != nil || h["alg"] != "RS256" || h["crit"] != nil {
		return false
	}
	pub := rsaKeyFor(d.jwks, h["kid"])
	if pub == nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

// rsaKeyFor finds the RSA key of kid (nil: the only key) in a JWK Set.
func rsaKeyFor(jwks []byte, kid any) *rsa.PublicKey {
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if json.Unmarshal(jwks, &set) != nil {
		return nil
	}
	var k map[string]any
	for _, c := range set.Keys {
		if kid != nil && c["kid"] == kid || kid == nil && len(set.Keys) == 1 {
			k = c
			break
		}
	}
	if k == nil || k["kty"] != "RSA" {
		return nil
	}
	n, _ := base64.RawURLEncoding.DecodeString(str(k["n"]))
	e, _ := base64.RawURLEncoding.DecodeString(str(k["e"]))
	if len(n) == 0 || len(e) == 0 || len(e) > 4 {
		return nil
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

func str(v any) string { s, _ := v.(string); return s }
