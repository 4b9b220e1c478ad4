package endpoints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/testidp/testidp/keys"
)

// Endpoint paths, relative to the issuer.
const (
	pathDiscovery  = "/.well-known/openid-configuration"
	pathASMetadata = "/.well-known/oauth-authorization-server"
	pathJWKS       = "/jwks"
	pathAuthorize  = "/authorize"
	pathToken      = "/token"
	pathUserinfo   = "/userinfo"
	pathIntrospect = "/introspect"
	pathRevoke     = "/revoke"
	pathEndSession = "/end_session"
	pathLogin      = "/login"
	pathLoggedOut  = "/logged-out"
)

// discoveryDoc is the provider metadata (OpenID Connect Discovery §3, RFC
// 8414 §2). Only what testidp really does is listed.
type discoveryDoc struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	IDTokenEncryptionAlgsSupported    []string `json:"id_token_encryption_alg_values_supported"`
	IDTokenEncryptionEncsSupported    []string `json:"id_token_encryption_enc_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	IntrospectionAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationResponseIssSupported bool     `json:"authorization_response_iss_parameter_supported"`
}

// discoveryMembers are the members testidp writes in discovery; a profile's
// extra members may not replace them.
var discoveryMembers = func() []string {
	t := reflect.TypeOf(discoveryDoc{})
	out := make([]string, t.NumField())
	for i := range out {
		out[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return out
}()

// assertionAlgs are the JWS algorithms accepted for client_secret_jwt and
// private_key_jwt assertions.
var assertionAlgs = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// buildDiscovery computes the discovery and RFC 8414 documents once; they
// only change when the configuration does.
func (s *site) buildDiscovery() error {
	d := discoveryDoc{
		Issuer:                            s.issuerURL,
		AuthorizationEndpoint:             s.url(s.paths.authorize),
		TokenEndpoint:                     s.url(s.paths.token),
		UserinfoEndpoint:                  s.url(s.paths.userinfo),
		JWKSURI:                           s.url(s.paths.jwks),
		EndSessionEndpoint:                s.url(s.paths.endSession),
		IntrospectionEndpoint:             s.url(s.paths.introspect),
		RevocationEndpoint:                s.url(s.paths.revoke),
		ScopesSupported:                   []string{"openid", "profile", "email", "address", "phone", "offline_access"},
		ResponseTypesSupported:            supportedResponseTypes,
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		GrantTypesSupported:               grantTypes,
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  s.idTokenAlgs(),
		TokenEndpointAuthMethodsSupported: authMethods,
		TokenEndpointAuthSigningAlgs:      assertionAlgs,
		IntrospectionAuthMethodsSupported: authMethods[1:],
		RevocationAuthMethodsSupported:    authMethods,
		CodeChallengeMethodsSupported:     []string{"S256", "plain"},
		ClaimsSupported:                   s.claimsSupported(),
		PromptValuesSupported:             []string{"none", "login", "consent", "select_account"},
		AuthorizationResponseIssSupported: true,
		IDTokenEncryptionAlgsSupported:    encryptionAlgs,
		IDTokenEncryptionEncsSupported:    encryptionEncs,
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("endpoints: encode discovery: %w", err)
	}
	if b, err = appendMembers(b, s.profile.Discovery); err != nil {
		return fmt.Errorf("endpoints: encode the profile's discovery members: %w", err)
	}
	s.discovery = b
	s.asMetadata = b
	return nil
}

// appendMembers adds a profile's members, in sorted order, to an indented
// JSON object.
func appendMembers(doc []byte, extra map[string]any) ([]byte, error) {
	if len(extra) == 0 {
		return doc, nil
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	out := bytes.TrimSuffix(bytes.TrimRight(doc, "\n"), []byte("}"))
	out = bytes.TrimRight(out, "\n")
	for _, name := range names {
		v, err := json.Marshal(extra[name])
		if err != nil {
			return nil, err
		}
		k, _ := json.Marshal(name)
		out = append(append(append(append(out, ",\n  "...), k...), ": "...), v...)
	}
	return append(out, "\n}"...), nil
}

// idTokenAlgs lists the ID token algorithms a client can register; "none"
// only when some client did.
func (s *site) idTokenAlgs() []string {
	out := []string{}
	for _, a := range append(append([]keys.Alg{}, keys.RingAlgs...), keys.HS256) {
		out = append(out, string(a))
	}
	for _, c := range s.clients {
		if c.idAlg == keys.None {
			return append(out, string(keys.None))
		}
	}
	return out
}

func (s *site) claimsSupported() []string {
	set := map[string]bool{}
	for _, n := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "sid",
		"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website",
		"gender", "birthdate", "zoneinfo", "locale", "updated_at", "email", "email_verified", "address", "phone_number", "phone_number_verified"} {
		set[n] = true
	}
	for _, u := range s.users {
		for n := range u.Claims {
			set[n] = true
		}
	}
	for _, c := range s.clients {
		for n := range c.Claims {
			set[n] = true
		}
	}
	for _, m := range []map[string]any{s.profile.UserClaims, s.profile.IDToken.Claims} {
		for n := range m {
			set[n] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return slices.Clip(out)
}

func (s *site) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	writeStatic(w, r, s.discovery, "application/json", "public, max-age=300")
}

func (s *site) serveASMetadata(w http.ResponseWriter, r *http.Request) {
	writeStatic(w, r, s.asMetadata, "application/json", "public, max-age=300")
}

// writeStatic writes precomputed bytes.
func writeStatic(w http.ResponseWriter, r *http.Request, body []byte, contentType, cacheControl string) {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Cache-Control"] = []string{cacheControl}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	_, _ = w.Write(body)
}
