package endpoints

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Profile shapes one issuer's discovery document and tokens like a
// well-known provider (google, auth0, keycloak, entra…). Profiles are data:
// the built-in ones are YAML documents in fixtures/profiles, and a
// configuration may define more under `profiles:`. An issuer picks one with
// `profile:`; its own settings (clients, users, lifetimes, claims) win over
// the profile's.
type Profile struct {
	// Description says what the profile imitates.
	Description string `yaml:"description"`
	// Path is the issuer path template, such as "/realms/{realm}" or
	// "/{tenant}/v2.0": an issuer of this profile must live at a path of
	// this shape, and its variables become template values. An issuer
	// without a path gets the template filled with Params.
	Path string `yaml:"path"`
	// Params are the defaults of the template variables (realm, tenant,
	// shop…), which claim templates can use too.
	Params map[string]string `yaml:"params"`
	// TrailingSlash: the issuer URL ends in "/" (Auth0 does this).
	TrailingSlash bool `yaml:"trailing_slash"`
	// TokenIssuer, a template, replaces "iss" in tokens, for tokens whose
	// issuer is not an OpenID Provider (a Shopify session token names the
	// shop's admin URL). Discovery keeps the issuer's URL.
	TokenIssuer string `yaml:"token_issuer"`
	// IDTokenAlg is the default id_token_alg of the issuer's clients.
	IDTokenAlg string `yaml:"id_token_alg"`
	// Lifetimes are the defaults of the issuer's lifetimes.
	Lifetimes Lifetimes `yaml:"lifetimes"`
	// Endpoints move endpoints to other paths below the issuer: keys
	// authorize, token, userinfo, jwks, introspect, revoke, end_session.
	Endpoints map[string]string `yaml:"endpoints"`
	// Discovery adds members to the discovery document; they may not
	// replace the members testidp writes.
	Discovery map[string]any `yaml:"discovery"`
	// UserClaims are the defaults of every user's claims (templates), so
	// released by scope like the user's own.
	UserClaims map[string]any `yaml:"user_claims"`
	// IDToken and AccessToken shape the two kinds of JWT.
	IDToken     TokenShape `yaml:"id_token"`
	AccessToken TokenShape `yaml:"access_token"`
	// Clients and Users are used by an issuer that lists none.
	Clients []Client `yaml:"clients"`
	Users   []User   `yaml:"users"`
}

// TokenShape is what a profile adds to one kind of token.
type TokenShape struct {
	// Claims are added to every token of this kind. String values and
	// member names are templates: {sub}, {client_id}, {issuer}, {jti},
	// {uuid:sub} (a UUID derived from the sub), and the profile's params.
	// The user's and the client's claims override them.
	Claims map[string]any `yaml:"claims"`
	// UserClaims names the user claims copied into the token whatever the
	// scope (access tokens carry none by default).
	UserClaims []string `yaml:"user_claims"`
	// AZP adds "azp" (the client id).
	AZP bool `yaml:"azp"`
	// JTI adds a unique "jti" to ID tokens (access tokens always have one).
	JTI bool `yaml:"jti"`
	// SID adds a "sid" when the token has none (no browser session).
	SID bool `yaml:"sid"`
	// NotBefore adds "nbf" at iat plus this offset (0s: nbf = iat; -10m:
	// ten minutes before).
	NotBefore *time.Duration `yaml:"not_before"`
	// AudienceArray writes "aud" as an array even with one audience.
	AudienceArray bool `yaml:"audience_array"`
}

// ParseProfile decodes one profile document (YAML or JSON). Unknown fields
// and values of the wrong type are reported in a *ConfigError with their
// paths.
func ParseProfile(data []byte) (Profile, error) {
	var p Profile
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return p, &ConfigError{Problems: []Problem{{Path: "(document)", Message: strings.TrimPrefix(err.Error(), "yaml: ")}}}
	}
	if len(doc.Content) == 0 {
		return p, nil
	}
	var ce ConfigError
	checkKnown(&ce, doc.Content[0], reflect.TypeOf(p), "")
	if len(ce.Problems) > 0 {
		return p, &ce
	}
	if err := doc.Content[0].Decode(&p); err != nil {
		return p, &ConfigError{Problems: []Problem{{Path: "(document)", Message: err.Error()}}}
	}
	return p, nil
}

// LoadProfiles reads every *.yaml file at the top of fsys as a profile named
// after the file ("google.yaml" is the profile google).
func LoadProfiles(fsys fs.FS) (map[string]Profile, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Profile, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("endpoints: profile %s: %w", name, err)
		}
		p, err := ParseProfile(data)
		if err != nil {
			return nil, fmt.Errorf("endpoints: profile %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".yaml")] = p
	}
	return out, nil
}

// WithProfilesNamed adds the profiles of fsys (read as LoadProfiles does)
// when the configuration names a profile it does not define itself, for the
// default issuer or another; otherwise it returns cfg as it is, and fsys is
// not read (parsing every profile would cost a millisecond of cold start).
func WithProfilesNamed(cfg Config, fsys fs.FS) (Config, error) {
	names := []string{cfg.Profile}
	for _, ic := range cfg.Issuers {
		names = append(names, ic.Profile)
	}
	for _, name := range names {
		if _, defined := cfg.Profiles[name]; name != "" && !defined {
			builtin, err := LoadProfiles(fsys)
			if err != nil {
				return cfg, fmt.Errorf("endpoints: built-in profiles: %w", err)
			}
			return WithProfiles(cfg, builtin), nil
		}
	}
	return cfg, nil
}

// WithProfiles returns cfg with the given profiles added to those it defines
// itself; a profile the configuration defines wins over one of the same name.
func WithProfiles(cfg Config, profiles map[string]Profile) Config {
	merged := maps.Clone(profiles)
	if merged == nil {
		merged = map[string]Profile{}
	}
	maps.Copy(merged, cfg.Profiles)
	cfg.Profiles = merged
	return cfg
}

// profile returns the named profile of cfg, and whether it exists; the
// empty name is the zero profile.
func (c Config) profile(name string) (Profile, bool) {
	if name == "" {
		return Profile{}, true
	}
	p, ok := c.Profiles[name]
	return p, ok
}
