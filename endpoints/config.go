package endpoints

import (
	"time"
)

// Config is the whole provider configuration: what a YAML or JSON file holds
// (see ParseConfig), after environment variables and flags were applied by the
// command. The zero values of optional fields mean "the default"; Normalize
// fills them in and Validate reports every problem at once.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string `yaml:"addr"`
	// Issuer is the public issuer URL. Empty: derived from the listen address.
	// Its scheme and host are also the base of every issuer in Issuers.
	Issuer string `yaml:"issuer"`
	// IssuerFromRequest derives each issuer's URL per request from the
	// Host header, or X-Forwarded-Host and X-Forwarded-Proto when a proxy
	// sets them, instead of the fixed Issuer: a container reached under
	// several names then answers each caller under the name it used.
	IssuerFromRequest bool `yaml:"issuer_from_request"`
	// DB is the SQLite file, or ":memory:" for an ephemeral run.
	DB string `yaml:"db"`
	// Login is "form" (a login page) or "auto" (no page: the login_hint user,
	// or the first configured user).
	Login     string    `yaml:"login"`
	Lifetimes Lifetimes `yaml:"lifetimes"`
	Clients   []Client  `yaml:"clients"`
	Users     []User    `yaml:"users"`
	// Profile and Keys belong to the default issuer (see IssuerConfig).
	Profile string     `yaml:"profile"`
	Keys    KeysConfig `yaml:"keys"`
	// Issuers are more issuers served beside the default one, each under
	// its own path.
	Issuers []IssuerConfig `yaml:"issuers"`
	// Profiles defines provider profiles by name, beside (and over) the
	// built-in ones the command and oidctest add (see WithProfiles).
	Profiles map[string]Profile `yaml:"profiles"`
	// TestingAPI enables {issuer}/_testidp/ (default true).
	TestingAPI *bool `yaml:"testing_api"`
	// AdminToken, when set, is required as a Bearer token by the testing
	// API.
	AdminToken string `yaml:"admin_token"`
	// TLS and Log are the command's HTTPS and logging settings
	// (config_ops.go).
	TLS TLSConfig `yaml:"tls"`
	Log LogConfig `yaml:"log"`
}

// Lifetimes of what the provider issues. Zero means "inherit" (from the
// issuer for a client, from the built-in defaults for the issuer).
type Lifetimes struct {
	IDToken      time.Duration `yaml:"id_token"`
	AccessToken  time.Duration `yaml:"access_token"`
	RefreshToken time.Duration `yaml:"refresh_token"`
	Code         time.Duration `yaml:"code"`
	// Session is how long a browser login is remembered for SSO and
	// prompt=none.
	Session time.Duration `yaml:"session"`
}

// DefaultLifetimes are used where neither the issuer nor the client says.
var DefaultLifetimes = Lifetimes{
	IDToken:      time.Hour,
	AccessToken:  time.Hour,
	RefreshToken: 720 * time.Hour,
	Code:         time.Minute,
	Session:      24 * time.Hour,
}

// Client is a registered OAuth client (relying party).
type Client struct {
	ID string `yaml:"id"`
	// Secret is the client secret. Clients without a secret (and without
	// jwks for private_key_jwt) are public.
	Secret string `yaml:"secret"`
	// TokenEndpointAuthMethod pins one method: none, client_secret_basic,
	// client_secret_post, client_secret_jwt or private_key_jwt. Empty: a
	// client with a secret may use any of the three secret methods.
	TokenEndpointAuthMethod string `yaml:"token_endpoint_auth_method"`
	// RedirectURIs are matched exactly, except that a loopback URI
	// (127.0.0.1, [::1], localhost) matches on any port (RFC 8252 §7.3) and
	// a URI whose path ends in "/*" matches any path below it.
	RedirectURIs           []string `yaml:"redirect_uris"`
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`
	// GrantTypes: authorization_code, implicit, refresh_token,
	// client_credentials, password. Default: authorization_code and
	// refresh_token.
	GrantTypes []string `yaml:"grant_types"`
	// ResponseTypes default to what the grant types allow.
	ResponseTypes []string `yaml:"response_types"`
	// IDTokenAlg signs this client's ID tokens: RS256 (default), PS256,
	// ES256, ES384, EdDSA, HS256 (keyed by the secret) or none (code flow
	// only).
	IDTokenAlg string `yaml:"id_token_alg"`
	// AccessToken is "jwt" (RFC 9068, default) or "opaque".
	AccessToken string `yaml:"access_token"`
	// AccessTokenAlg signs JWT access tokens; default the ID token alg
	// when asymmetric, else RS256.
	AccessTokenAlg string `yaml:"access_token_alg"`
	// AccessTokenAudience is the "aud" of access tokens; default the
	// client id.
	AccessTokenAudience []string `yaml:"access_token_audience"`
	// RequirePKCE forces PKCE for a confidential client; public clients
	// always need it.
	RequirePKCE bool `yaml:"require_pkce"`
	// Claims are added to every token issued to this client.
	Claims    map[string]any `yaml:"claims"`
	Lifetimes Lifetimes      `yaml:"lifetimes"`
	// JWKS (inline JWK Set) or JWKSURI hold the client's public keys for
	// private_key_jwt.
	JWKS    map[string]any `yaml:"jwks"`
	JWKSURI string         `yaml:"jwks_uri"`
	// IDTokenEncryptedResponseAlg and IDTokenEncryptedResponseEnc make
	// this client's ID tokens nested JWTs, signed then encrypted (OpenID
	// Connect Core §10.2, Registration §2): RSA-OAEP, RSA-OAEP-256,
	// ECDH-ES(+A128KW/A192KW/A256KW) with a key of use "enc" in jwks or
	// jwks_uri, or A128KW/A192KW/A256KW/dir with a key derived from the
	// secret. enc defaults to A128CBC-HS256.
	IDTokenEncryptedResponseAlg string `yaml:"id_token_encrypted_response_alg"`
	IDTokenEncryptedResponseEnc string `yaml:"id_token_encrypted_response_enc"`
	// Fault breaks every ID token issued to this client the way a fault
	// catalog case does ("id" or "id#variant"; see testidp faults).
	Fault string `yaml:"fault"`
}

// User is a configured end-user.
type User struct {
	// Sub is the subject identifier (at most 255 ASCII characters).
	Sub string `yaml:"sub"`
	// Password enables the password grant and is matched against
	// "username", which may be the sub, or the user's preferred_username or
	// email claim.
	Password string `yaml:"password"`
	// Claims are the user's claims, released by scope (profile, email,
	// address, phone) or always (custom claims).
	Claims map[string]any `yaml:"claims"`
}

// Login modes.
const (
	LoginForm = "form"
	LoginAuto = "auto"
)

// Token endpoint authentication methods.
const (
	AuthNone              = "none"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretJWT   = "client_secret_jwt"
	AuthPrivateKeyJWT     = "private_key_jwt"
)

// Grant types.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantImplicit          = "implicit"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
)

// Access token formats.
const (
	AccessTokenJWT    = "jwt"
	AccessTokenOpaque = "opaque"
)
