package oidctest_test

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/oidctest"
)

// appVerifier is what a careful application builds on coreos/go-oidc: the
// library's Verify (signature, iss, aud contains the client, exp), then the
// checks go-oidc documents as the caller's — nonce and replay, at_hash,
// c_hash and s_hash, azp and extra audiences, sub, iat window, auth_time
// for max_age, acr, the UserInfo sub, a refreshed token's identity.
type appVerifier struct {
	now func() time.Time

	mu        sync.Mutex
	keys      *oidc.RemoteKeySet               // one key cache for the run, as in an application
	verifiers map[string]*oidc.IDTokenVerifier // per issuer, client and registered alg
	nonces    map[string]bool                  // nonces of accepted tokens
}

func newAppVerifier(now func() time.Time) *appVerifier {
	return &appVerifier{now: now, verifiers: map[string]*oidc.IDTokenVerifier{}, nonces: map[string]bool{}}
}

// iatWindow is the application's policy for iat (Core §3.1.3.7 step 10).
const (
	iatPast   = time.Hour
	iatFuture = 2 * time.Minute
	leeway    = time.Minute
)

func (a *appVerifier) verifier(st oidctest.SuiteStep) *oidc.IDTokenVerifier {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.keys == nil {
		a.keys = oidc.NewRemoteKeySet(context.Background(), st.JWKSURI)
	}
	key := st.Issuer + " " + st.ClientID + " " + st.Alg
	if v := a.verifiers[key]; v != nil {
		return v
	}
	ks := keySet{remote: a.keys, secret: []byte(st.ClientSecret)}
	v := oidc.NewVerifier(st.Issuer, ks, &oidc.Config{ClientID: st.ClientID, SupportedSigningAlgs: []string{st.Alg}, Now: a.now})
	a.verifiers[key] = v
	return v
}

// keySet verifies HS256 with the client secret, the rest with the JWKS.
type keySet struct {
	remote *oidc.RemoteKeySet
	secret []byte
}

func (k keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256, jose.RS256, jose.PS256, jose.ES256, jose.ES384, jose.EdDSA})
	if err != nil {
		return nil, err
	}
	if jws.Signatures[0].Header.Algorithm == string(jose.HS256) {
		if len(k.secret) == 0 {
			return nil, errors.New("app: HS256 without a client secret")
		}
		return jws.Verify(k.secret)
	}
	return k.remote.VerifySignature(ctx, raw)
}

// idClaims are the claims the application checks beyond go-oidc.
type idClaims struct {
	Sub      string          `json:"sub"`
	Aud      json.RawMessage `json:"aud"`
	Azp      *string         `json:"azp"`
	Nonce    *string         `json:"nonce"`
	AtHash   *string         `json:"at_hash"`
	CHash    *string         `json:"c_hash"`
	SHash    *string         `json:"s_hash"`
	AuthTime *float64        `json:"auth_time"`
	Acr      *string         `json:"acr"`
	Iat      *float64        `json:"iat"`
}

func (a *appVerifier) verify(ctx context.Context, raw string) error {
	st, ok := oidctest.SuiteStepFrom(ctx)
	if !ok {
		return fmt.Errorf("app: no suite step: %w", oidctest.ErrVerifierFailed)
	}
	tok, err := a.verifier(st).Verify(ctx, raw)
	if err != nil {
		return err
	}
	var c idClaims
	if err := tok.Claims(&c); err != nil {
		return fmt.Errorf("app: claims: %w", err)
	}
	alg := algOf(raw)
	for _, check := range []func() error{
		func() error { return checkSub(c.Sub) },
		func() error { return a.checkIat(c.Iat) },
		func() error { return checkAudience(st, c) },
		func() error { return a.checkNonce(st, c) },
		func() error { return checkHashes(st, tok, c, alg) },
		func() error { return a.checkAuth(st, c) },
		func() error { return checkUserinfo(st, c.Sub) },
		func() error { return checkRefresh(st, raw) },
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return a.remember(c.Nonce)
}

func checkSub(sub string) error {
	if sub == "" || len(sub) > 255 || strings.IndexFunc(sub, func(r rune) bool { return r > unicode.MaxASCII }) >= 0 {
		return fmt.Errorf("app: sub %q: want 1 to 255 ASCII characters", sub)
	}
	return nil
}

func (a *appVerifier) checkIat(iat *float64) error {
	if iat == nil {
		return errors.New("app: no iat")
	}
	t := time.Unix(int64(*iat), 0)
	if now := a.now(); t.Before(now.Add(-iatPast)) || t.After(now.Add(iatFuture)) {
		return fmt.Errorf("app: iat %v outside the window", t)
	}
	return nil
}

// checkAudience: every audience is the client or trusted, and azp, when
// present or required by several audiences, is the client.
func checkAudience(st oidctest.SuiteStep, c idClaims) error {
	var auds []string
	if json.Unmarshal(c.Aud, &auds) != nil {
		auds = nil // a single string: go-oidc compared it already
	}
	for _, aud := range auds {
		if aud != st.ClientID && !slices.Contains(st.TrustedAudiences, aud) {
			return fmt.Errorf("app: untrusted audience %q", aud)
		}
	}
	if len(auds) > 1 && c.Azp == nil {
		return errors.New("app: several audiences and no azp")
	}
	if c.Azp != nil && *c.Azp != st.ClientID {
		return fmt.Errorf("app: azp %q is not the client", *c.Azp)
	}
	return nil
}

func (a *appVerifier) checkNonce(st oidctest.SuiteStep, c idClaims) error {
	if st.Nonce == "" {
		return nil
	}
	if c.Nonce == nil || *c.Nonce != st.Nonce {
		return errors.New("app: nonce does not match the one sent")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.nonces[st.Nonce] {
		return errors.New("app: nonce already used")
	}
	return nil
}

func (a *appVerifier) remember(nonce *string) error {
	if nonce != nil {
		a.mu.Lock()
		a.nonces[*nonce] = true
		a.mu.Unlock()
	}
	return nil
}

// checkHashes: at_hash with go-oidc's VerifyAccessToken, c_hash and s_hash
// by hand; required as the response type says.
func checkHashes(st oidctest.SuiteStep, tok *oidc.IDToken, c idClaims, alg string) error {
	frontAT := st.ResponseType == "id_token token" || st.ResponseType == "code id_token token"
	if st.AccessToken != "" && (frontAT || c.AtHash != nil) {
		if err := tok.VerifyAccessToken(st.AccessToken); err != nil {
			return fmt.Errorf("app: at_hash: %w", err)
		}
	}
	if st.Code != "" && (strings.Contains(st.ResponseType, "code id_token") || c.CHash != nil) {
		if err := halfHashIs(c.CHash, st.Code, alg); err != nil {
			return fmt.Errorf("app: c_hash: %w", err)
		}
	}
	if st.State != "" {
		if err := halfHashIs(c.SHash, st.State, alg); err != nil {
			return fmt.Errorf("app: s_hash: %w", err)
		}
	}
	return nil
}

func halfHashIs(got *string, value, alg string) error {
	var h hash.Hash
	switch alg {
	case "RS256", "PS256", "ES256", "HS256":
		h = sha256.New()
	case "ES384":
		h = sha512.New384()
	case "EdDSA":
		h = sha512.New()
	default:
		return fmt.Errorf("no hash for %s", alg)
	}
	h.Write([]byte(value))
	want := base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:h.Size()/2])
	if got == nil || *got != want {
		return errors.New("missing or wrong")
	}
	return nil
}

func (a *appVerifier) checkAuth(st oidctest.SuiteStep, c idClaims) error {
	if st.MaxAge > 0 {
		if c.AuthTime == nil {
			return errors.New("app: max_age sent, no auth_time")
		}
		if age := a.now().Sub(time.Unix(int64(*c.AuthTime), 0)); age > time.Duration(st.MaxAge)*time.Second+leeway {
			return fmt.Errorf("app: authentication %v old, max_age %d", age, st.MaxAge)
		}
	}
	if len(st.ACRValues) > 0 && (c.Acr == nil || !slices.Contains(st.ACRValues, *c.Acr)) {
		return errors.New("app: acr not among those requested")
	}
	return nil
}

func checkUserinfo(st oidctest.SuiteStep, sub string) error {
	if st.Userinfo == nil {
		return nil
	}
	var info struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(st.Userinfo, &info); err != nil || info.Sub != sub {
		return fmt.Errorf("app: UserInfo sub %q is not the token's %q", info.Sub, sub)
	}
	return nil
}

// checkRefresh: a refreshed ID token keeps the original's identity (Core
// §12.2). The original was verified when it came.
func checkRefresh(st oidctest.SuiteStep, raw string) error {
	if st.PreviousToken == "" {
		return nil
	}
	was, now := payloadMembers(st.PreviousToken), payloadMembers(raw)
	for _, name := range []string{"iss", "sub", "aud", "azp", "auth_time"} {
		if string(was[name]) != string(now[name]) {
			return fmt.Errorf("app: refresh changed %s from %s to %s", name, was[name], now[name])
		}
	}
	return nil
}

func payloadMembers(raw string) map[string]json.RawMessage {
	parts := strings.Split(raw, ".")
	var m map[string]json.RawMessage
	if len(parts) == 3 {
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func algOf(raw string) string {
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	var h struct {
		Alg string `json:"alg"`
	}
	_ = json.Unmarshal(b, &h)
	return h.Alg
}
