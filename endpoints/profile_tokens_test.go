package endpoints

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// verifiedJWT is a token checked by go-jose: signature with the allowed
// algorithm (against the JWKS, or the secret for HS256), iss, aud, and exp,
// nbf and iat at the given time.
type verifiedJWT struct {
	header jose.Header
	claims map[string]any
	raw    map[string]json.RawMessage
}

func verifyWithJose(t *testing.T, raw, jwksURL, secret, alg, iss, aud string, now time.Time) verifiedJWT {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		t.Fatalf("jwt.ParseSigned(%s only): %v", alg, err)
	}
	var key any = []byte(secret)
	if secret == "" {
		var set jose.JSONWebKeySet
		if code, m := getJSON(t, jwksURL, nil); code != 200 {
			t.Fatalf("GET %s: %d %v", jwksURL, code, m)
		}
		resp, err := http.Get(jwksURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
			t.Fatal(err)
		}
		keys := set.Key(tok.Headers[0].KeyID)
		if len(keys) != 1 {
			t.Fatalf("JWKS %s has %d keys with kid %q, want 1", jwksURL, len(keys), tok.Headers[0].KeyID)
		}
		key = keys[0]
	}
	var std jwt.Claims
	out := verifiedJWT{header: tok.Headers[0]}
	if err := tok.Claims(key, &std, &out.claims, &out.raw); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: iss, AnyAudience: jwt.Audience{aud}, Time: now}, 0); err != nil {
		t.Fatalf("go-jose validation (iss %s, aud %s, time %v): %v\nclaims: %v", iss, aud, now, err, out.claims)
	}
	return out
}

// num reads a numeric claim.
func (v verifiedJWT) num(name string) int64 {
	f, _ := v.claims[name].(float64)
	return int64(f)
}

// expectClaims compares claims given as JSON text with the token's.
func expectClaims(t *testing.T, what string, v verifiedJWT, want map[string]string) {
	t.Helper()
	for name, w := range want {
		got, ok := v.raw[name]
		switch {
		case w == "<absent>" && ok:
			t.Errorf("%s: claim %s = %s, want it absent", what, name, got)
		case w == "<present>" && !ok:
			t.Errorf("%s: claim %s missing", what, name)
		case w != "<absent>" && w != "<present>" && string(got) != w:
			t.Errorf("%s: claim %s = %s, want %s", what, name, got, w)
		}
	}
}

var uuidShape = regexp.MustCompile(`^"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`)

// profileCase is what one profile promises, checked on a token minted
// through the code flow (an interactive provider) or MintIDToken (a token
// without a login).
type profileCase struct {
	profile, path string
	issuerPath    string // the issuer's path, trailing slash included
	tokenIss      string // iss of tokens when not the issuer URL (after the base URL is replaced)
	alg           string
	endpoints     map[string]string // discovery member → path below the issuer
	discovery     map[string]any    // extra discovery members
	idTTL, atTTL  time.Duration
	nbf           *time.Duration
	id            map[string]string // ID token claims (JSON text)
	at            map[string]string // access token claims (JSON text)
	check         func(t *testing.T, id verifiedJWT)
	flow          bool // get tokens through the code flow; else MintIDToken
}

func dur(d time.Duration) *time.Duration { return &d }

var profileCases = []profileCase{
	{profile: "google", path: "/google", issuerPath: "/google", alg: "RS256", flow: true,
		endpoints: map[string]string{"jwks_uri": "/oauth2/v3/certs", "authorization_endpoint": "/o/oauth2/v2/auth", "userinfo_endpoint": "/v1/userinfo", "token_endpoint": "/token"},
		idTTL:     time.Hour, atTTL: time.Hour,
		id: map[string]string{"azp": `"web"`, "email_verified": "true", "picture": `"https://lh3.googleusercontent.com/a/alice=s96-c"`, "locale": `"en"`, "email": `"alice@example.com"`, "at_hash": "<present>"}},
	{profile: "auth0", path: "/auth0", issuerPath: "/auth0/", alg: "RS256", flow: true,
		endpoints: map[string]string{"jwks_uri": "/.well-known/jwks.json", "token_endpoint": "/oauth/token", "end_session_endpoint": "/oidc/logout", "revocation_endpoint": "/oauth/revoke"},
		idTTL:     10 * time.Hour, atTTL: 24 * time.Hour,
		id: map[string]string{"sid": "<present>", "nickname": `"alice"`, "updated_at": `"2024-01-01T00:00:00.000Z"`},
		at: map[string]string{"azp": `"web"`}},
	{profile: "keycloak", path: "/realms/acme", issuerPath: "/realms/acme", alg: "RS256", flow: true,
		endpoints: map[string]string{"authorization_endpoint": "/protocol/openid-connect/auth", "token_endpoint": "/protocol/openid-connect/token",
			"userinfo_endpoint": "/protocol/openid-connect/userinfo", "jwks_uri": "/protocol/openid-connect/certs",
			"introspection_endpoint": "/protocol/openid-connect/token/introspect", "end_session_endpoint": "/protocol/openid-connect/logout"},
		idTTL: 5 * time.Minute, atTTL: 5 * time.Minute,
		id: map[string]string{"azp": `"web"`, "typ": `"ID"`, "jti": "<present>", "realm_access": "<absent>"},
		at: map[string]string{"azp": `"web"`, "typ": `"Bearer"`, "preferred_username": `"alice"`, "email": `"alice@example.com"`,
			"realm_access":    `{"roles":["default-roles-acme","offline_access","uma_authorization"]}`,
			"resource_access": `{"account":{"roles":["manage-account","manage-account-links","view-profile"]}}`}},
	{profile: "entra", path: "/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/v2.0", issuerPath: "/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/v2.0", alg: "RS256", flow: true,
		endpoints: map[string]string{"jwks_uri": "/discovery/v2.0/keys", "token_endpoint": "/oauth2/v2.0/token", "authorization_endpoint": "/oauth2/v2.0/authorize"},
		discovery: map[string]any{"cloud_instance_name": "microsoftonline.com", "tenant_region_scope": "WW", "http_logout_supported": true},
		idTTL:     time.Hour, atTTL: time.Hour, nbf: dur(0),
		id: map[string]string{"ver": `"2.0"`, "tid": `"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"`, "name": `"Alice Example"`},
		at: map[string]string{"ver": `"2.0"`, "tid": `"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"`, "azp": `"web"`, "nbf": "<present>"},
		check: func(t *testing.T, id verifiedJWT) {
			if !uuidShape.Match(id.raw["oid"]) {
				t.Errorf("entra oid = %s, want a UUID", id.raw["oid"])
			}
			if want := `"` + nameUUID("alice") + `"`; string(id.raw["oid"]) != want {
				t.Errorf("entra oid = %s, want %s (the same for the user everywhere)", id.raw["oid"], want)
			}
		}},
	{profile: "web3auth", path: "/web3auth", issuerPath: "/web3auth", alg: "ES256",
		endpoints: map[string]string{"jwks_uri": "/.well-known/jwks.json"},
		idTTL:     24 * time.Hour,
		id:        map[string]string{"userId": `"alice"`, "authConnection": `"testidp"`, "iat": "<present>"},
		check: func(t *testing.T, id verifiedJWT) {
			var w struct {
				Wallets []struct {
					PublicKey string `json:"public_key"`
					Type      string `json:"type"`
					Curve     string `json:"curve"`
				} `json:"wallets"`
			}
			if err := json.Unmarshal(mustJSON(id.claims), &w); err != nil || len(w.Wallets) != 1 || w.Wallets[0].Type != "web3auth_app_key" ||
				w.Wallets[0].Curve != "secp256k1" || len(w.Wallets[0].PublicKey) != 66 {
				t.Errorf("web3auth wallets = %+v (%v), want one secp256k1 web3auth_app_key with a compressed public key", w, err)
			}
			if id.header.KeyID == "" {
				t.Error("web3auth needs kid in the header")
			}
		}},
	{profile: "shopify-session", path: "/shopify/acme", issuerPath: "/shopify/acme", tokenIss: "https://acme.myshopify.com/admin", alg: "HS256",
		idTTL: time.Minute, nbf: dur(0),
		id: map[string]string{"dest": `"https://acme.myshopify.com"`, "aud": `"shopify-app"`, "sub": `"42"`, "sid": "<present>", "jti": "<present>"}},
	{profile: "github-actions", path: "/gha", issuerPath: "/gha", alg: "RS256",
		endpoints: map[string]string{"jwks_uri": "/.well-known/jwks"},
		idTTL:     5 * time.Minute, nbf: dur(-10 * time.Minute),
		id: map[string]string{"sub": `"repo:octo-org/octo-repo:ref:refs/heads/main"`, "aud": `"https://github.com/octo-org"`, "jti": "<present>",
			"repository": `"octo-org/octo-repo"`, "ref": `"refs/heads/main"`, "job_workflow_ref": `"octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main"`,
			"runner_environment": `"github-hosted"`}},
	{profile: "kubernetes", path: "/k8s", issuerPath: "/k8s", alg: "RS256",
		endpoints: map[string]string{"jwks_uri": "/openid/v1/jwks"},
		idTTL:     time.Hour, nbf: dur(0),
		id: map[string]string{"sub": `"system:serviceaccount:default:app"`, "aud": `["https://kubernetes.default.svc.cluster.local"]`, "jti": "<present>"},
		check: func(t *testing.T, id verifiedJWT) {
			var k struct {
				K8s struct {
					Namespace      string            `json:"namespace"`
					ServiceAccount map[string]string `json:"serviceaccount"`
				} `json:"kubernetes.io"`
			}
			if err := json.Unmarshal(mustJSON(id.claims), &k); err != nil || k.K8s.Namespace != "default" || k.K8s.ServiceAccount["name"] != "app" {
				t.Errorf("kubernetes.io claim = %+v (%v), want namespace default and service account app", k, err)
			}
		}},
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestProfileTokens(t *testing.T) {
	var issuers []IssuerConfig
	for _, tc := range profileCases {
		issuers = append(issuers, IssuerConfig{Path: tc.path, Profile: tc.profile})
	}
	e := startIssuers(t, issuers...)
	for i, tc := range profileCases {
		t.Run(tc.profile, func(t *testing.T) {
			ic := e.p.Config().Issuers[i]
			issURL := e.issuer + tc.issuerPath
			if ic.URL != issURL {
				t.Fatalf("issuer URL = %q, want %q", ic.URL, issURL)
			}
			checkProfileDiscovery(t, issURL, tc)
			client := ic.Clients[0]
			id, at := profileTokens(t, e, issURL, tc, client)
			jwks := strings.TrimSuffix(issURL, "/") + orDefault(tc.endpoints["jwks_uri"], pathJWKS)
			tokenIss, secret := orDefault(tc.tokenIss, issURL), ""
			if tc.alg == "HS256" {
				secret = client.Secret
			}
			now := e.clock.Now()
			v := verifyWithJose(t, id, jwks, secret, tc.alg, tokenIss, client.ID, now)
			if v.header.Algorithm != tc.alg {
				t.Errorf("ID token alg = %s, want %s", v.header.Algorithm, tc.alg)
			}
			checkTimes(t, "ID token", v, tc.idTTL, tc.nbf)
			expectClaims(t, "ID token", v, tc.id)
			if tc.check != nil {
				tc.check(t, v)
			}
			if tc.alg != "HS256" {
				if _, err := oidcVerifier(t, issURL, client.ID, tc.alg, e.clock.Now).Verify(context.Background(), id); err != nil {
					t.Errorf("go-oidc (discovery of %s) rejects the ID token: %v", issURL, err)
				}
			}
			if at != "" && tc.at != nil {
				va := verifyWithJose(t, at, jwks, "", "RS256", tokenIss, client.ID, now)
				checkTimes(t, "access token", va, tc.atTTL, tc.nbf)
				expectClaims(t, "access token", va, tc.at)
			}
		})
	}
}

// checkProfileDiscovery checks the endpoints the profile moves, and that
// they answer.
func checkProfileDiscovery(t *testing.T, issURL string, tc profileCase) {
	t.Helper()
	base := strings.TrimSuffix(issURL, "/")
	code, doc := getJSON(t, base+pathDiscovery, nil)
	if code != 200 || doc["issuer"] != issURL {
		t.Fatalf("discovery of %s: %d, issuer %v", issURL, code, doc["issuer"])
	}
	for member, path := range tc.endpoints {
		if doc[member] != base+path {
			t.Errorf("discovery %s = %v, want %s", member, doc[member], base+path)
		}
	}
	for member, want := range tc.discovery {
		if doc[member] != want {
			t.Errorf("discovery %s = %v, want %v (the profile's extra member)", member, doc[member], want)
		}
	}
	if code, set := getJSON(t, doc["jwks_uri"].(string), nil); code != 200 || len(set["keys"].([]any)) == 0 {
		t.Errorf("GET jwks_uri %v: %d %v", doc["jwks_uri"], code, set)
	}
}

// profileTokens gets an ID token and, through the code flow, an access
// token of the issuer's first client for its first user.
func profileTokens(t *testing.T, e *testEnv, issURL string, tc profileCase, c Client) (id, at string) {
	t.Helper()
	if !tc.flow {
		tok, err := e.p.MintIDToken(Mint{Issuer: tc.path})
		if err != nil {
			t.Fatalf("MintIDToken: %v", err)
		}
		return tok.Raw, ""
	}
	prov, err := oidc.NewProvider(context.Background(), issURL)
	if err != nil {
		t.Fatalf("go-oidc discovery of %s: %v", issURL, err)
	}
	tok := loginAt(t, e, e.browser(), prov, issURL, c.ID, c.Secret)
	id, _ = tok.Extra("id_token").(string)
	if _, err := prov.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err != nil {
		t.Errorf("userinfo with the profile's access token: %v", err)
	}
	return id, tok.AccessToken
}

func oidcVerifier(t *testing.T, issURL, clientID, alg string, now func() time.Time) *oidc.IDTokenVerifier {
	t.Helper()
	prov, err := oidc.NewProvider(context.Background(), issURL)
	if err != nil {
		t.Fatalf("go-oidc discovery of %s: %v", issURL, err)
	}
	return prov.Verifier(&oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{alg}, Now: now})
}

// checkTimes checks exp − iat and nbf − iat.
func checkTimes(t *testing.T, what string, v verifiedJWT, ttl time.Duration, nbf *time.Duration) {
	t.Helper()
	iat := v.num("iat")
	if got := v.num("exp") - iat; ttl != 0 && got != int64(ttl/time.Second) {
		t.Errorf("%s: exp − iat = %d s, want %d s", what, got, int64(ttl/time.Second))
	}
	_, has := v.raw["nbf"]
	switch {
	case nbf == nil && has && what == "ID token":
		t.Errorf("%s: nbf = %s, want none", what, v.raw["nbf"])
	case nbf != nil && !has:
		t.Errorf("%s: no nbf, want iat %+v", what, *nbf)
	case nbf != nil && v.num("nbf")-iat != int64(*nbf/time.Second):
		t.Errorf("%s: nbf − iat = %d s, want %d s", what, v.num("nbf")-iat, int64(*nbf/time.Second))
	}
}

func TestProfileClaimsOverridden(t *testing.T) {
	e := startIssuers(t, IssuerConfig{Path: "/realms/acme", Profile: "keycloak", Users: []User{
		{Sub: "admin", Claims: map[string]any{"realm_access": map[string]any{"roles": []any{"admin"}}, "preferred_username": "root"}},
	}}, IssuerConfig{Path: "/google", Profile: "google", Users: []User{{Sub: "dave", Claims: map[string]any{"locale": "nl", "email": "d@example.com"}}}})
	at, err := e.p.MintAccessToken(Mint{Issuer: "/realms/acme"})
	if err != nil {
		t.Fatal(err)
	}
	v := verifyWithJose(t, at.Raw, e.issuer+"/realms/acme/protocol/openid-connect/certs", "", "RS256", e.issuer+"/realms/acme", "web", e.clock.Now())
	expectClaims(t, "keycloak access token", v, map[string]string{"realm_access": `{"roles":["admin"]}`, "preferred_username": `"root"`, "typ": `"Bearer"`})
	id, err := e.p.MintIDToken(Mint{Issuer: "/google", Claims: map[string]any{"picture": "https://example.com/d.png"}})
	if err != nil {
		t.Fatal(err)
	}
	v = verifyWithJose(t, id.Raw, e.issuer+"/google/oauth2/v3/certs", "", "RS256", e.issuer+"/google", "web", e.clock.Now())
	expectClaims(t, "google ID token", v, map[string]string{"locale": `"nl"`, "picture": `"https://example.com/d.png"`, "email_verified": "true", "sub": `"dave"`})
}

func TestShopifySessionTokenWithShopifyChecks(t *testing.T) {
	e := startIssuers(t, IssuerConfig{Profile: "shopify-session"})
	tok, err := e.p.MintIDToken(Mint{Issuer: "/shopify/testidp-dev"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok.Raw, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header = %s, want the HS256 JWT header Shopify sends", header)
	}
	// What @shopify/shopify-api does: HS256 with the secret, 10 s clock
	// tolerance, aud equals the API key; the shop comes from dest.
	v := verifyWithJose(t, tok.Raw, "", "shopify-app-secret-0123456789abcdef", "HS256", "https://testidp-dev.myshopify.com/admin", "shopify-app", e.clock.Now())
	if dest, _ := v.claims["dest"].(string); strings.TrimPrefix(dest, "https://") != "testidp-dev.myshopify.com" {
		t.Errorf("dest = %q, want https://testidp-dev.myshopify.com", dest)
	}
	if iss, dest := v.claims["iss"].(string), v.claims["dest"].(string); iss != dest+"/admin" {
		t.Errorf("iss %q is not dest %q + /admin, which Shopify's libraries compare", iss, dest)
	}
	names := make([]string, 0, len(v.claims))
	for n := range v.claims {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"aud", "dest", "email", "exp", "iat", "iss", "jti", "name", "nbf", "sid", "sub"}; !slices.Equal(names, want) {
		t.Errorf("claims = %v, want %v (name and email are the configured user's claims)", names, want)
	}
	e.clock.Advance(61 * time.Second)
	if _, err := jwt.ParseSigned(tok.Raw, []jose.SignatureAlgorithm{jose.HS256}); err != nil {
		t.Fatal(err)
	}
	var std jwt.Claims
	parsed, _ := jwt.ParseSigned(tok.Raw, []jose.SignatureAlgorithm{jose.HS256})
	_ = parsed.Claims([]byte("shopify-app-secret-0123456789abcdef"), &std)
	if err := std.ValidateWithLeeway(jwt.Expected{Time: e.clock.Now()}, 0); err == nil {
		t.Error("a session token is still valid 61 s after it was issued; it lives one minute")
	}
}
