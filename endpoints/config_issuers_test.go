package endpoints

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// builtinProfiles loads fixtures/profiles the way the command does (the
// fixtures package is not importable from here).
func builtinProfiles(t testing.TB) map[string]Profile {
	t.Helper()
	p, err := LoadProfiles(os.DirFS("../fixtures/profiles"))
	if err != nil {
		t.Fatalf("LoadProfiles(fixtures/profiles): %v", err)
	}
	return p
}

// issuersConfig is the default configuration with the built-in profiles and
// an issuer URL, changed by mutate.
func issuersConfig(t *testing.T, mutate func(*Config)) Config {
	t.Helper()
	cfg := WithProfiles(defaultTestConfig(t), builtinProfiles(t))
	cfg.Issuer = "http://localhost:8080"
	mutate(&cfg)
	return Normalize(cfg)
}

func TestBuiltinProfilesAreValid(t *testing.T) {
	profiles := builtinProfiles(t)
	want := []string{"auth0", "entra", "github-actions", "google", "keycloak", "kubernetes", "shopify-session", "web3auth"}
	if got := profileNames(profiles); !slices.Equal(got, want) {
		t.Errorf("built-in profiles = %v, want %v", got, want)
	}
	for _, name := range want {
		t.Run(name, func(t *testing.T) {
			cfg := issuersConfig(t, func(c *Config) {
				c.Issuers = []IssuerConfig{{Profile: name, Path: defaultProfilePath(profiles[name], name)}}
			})
			if err := Validate(cfg); err != nil {
				t.Errorf("Validate(an issuer with profile %s) = %v", name, err)
			}
			if profiles[name].Description == "" {
				t.Errorf("profile %s has no description", name)
			}
		})
	}
}

// defaultProfilePath is "" for a profile with a path template (the template
// gives the path) and /NAME otherwise.
func defaultProfilePath(p Profile, name string) string {
	if p.Path != "" {
		return ""
	}
	return "/" + name
}

func TestNormalizeIssuers(t *testing.T) {
	cfg := issuersConfig(t, func(c *Config) {
		c.Lifetimes.AccessToken = 30 * time.Minute
		c.Issuers = []IssuerConfig{
			{Path: "/tenant-a", Lifetimes: Lifetimes{IDToken: 5 * time.Minute}},
			{Profile: "keycloak"},
			{Profile: "auth0", Path: "/auth0", Clients: []Client{{ID: "own", Secret: "s", RedirectURIs: []string{"http://127.0.0.1/cb"}}}},
			{URL: "https://login.example.com/other"},
		}
	})
	cases := []struct {
		name, got, want string
	}{
		{"plain URL", cfg.Issuers[0].URL, "http://localhost:8080/tenant-a"},
		{"template path", cfg.Issuers[1].Path, "/realms/testidp"},
		{"template URL", cfg.Issuers[1].URL, "http://localhost:8080/realms/testidp"},
		{"trailing slash", cfg.Issuers[2].URL, "http://localhost:8080/auth0/"},
		{"path from URL", cfg.Issuers[3].Path, "/other"},
		{"login inherited", cfg.Issuers[0].Login, cfg.Login},
		{"own id_token lifetime", cfg.Issuers[0].Lifetimes.IDToken.String(), "5m0s"},
		{"top-level access_token lifetime", cfg.Issuers[0].Lifetimes.AccessToken.String(), "30m0s"},
		{"client inherits issuer lifetime", cfg.Issuers[0].Clients[0].Lifetimes.IDToken.String(), "5m0s"},
		{"profile lifetime", cfg.Issuers[1].Lifetimes.AccessToken.String(), "5m0s"},
		{"profile lifetime auth0", cfg.Issuers[2].Lifetimes.IDToken.String(), "10h0m0s"},
		{"clients copied from top level", cfg.Issuers[0].Clients[0].ID, cfg.Clients[0].ID},
		{"own clients", cfg.Issuers[2].Clients[0].ID, "own"},
		{"own client, profile alg", cfg.Issuers[2].Clients[0].IDTokenAlg, "RS256"},
		{"users copied", cfg.Issuers[1].Users[0].Sub, "alice"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if err := Validate(cfg); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if again := Normalize(cfg); again.Issuers[1].URL != cfg.Issuers[1].URL || again.Issuers[0].Clients[0].Lifetimes != cfg.Issuers[0].Clients[0].Lifetimes {
		t.Errorf("Normalize is not idempotent: %+v became %+v", cfg.Issuers[0], again.Issuers[0])
	}
}

func TestNormalizeDefaultIssuerProfile(t *testing.T) {
	cases := []struct {
		profile, issuer, want string
	}{
		{"keycloak", "http://localhost:8080", "http://localhost:8080/realms/testidp"},
		{"keycloak", "http://localhost:8080/", "http://localhost:8080/realms/testidp"},
		{"keycloak", "http://localhost:8080/realms/acme", "http://localhost:8080/realms/acme"},
		{"entra", "http://localhost:8080", "http://localhost:8080/7a9b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/v2.0"},
		{"auth0", "http://localhost:8080", "http://localhost:8080/"},
		{"google", "http://localhost:8080", "http://localhost:8080"},
		{"", "", ""},
	}
	for _, tc := range cases {
		cfg := issuersConfig(t, func(c *Config) { c.Profile, c.Issuer = tc.profile, tc.issuer })
		if cfg.Issuer != tc.want {
			t.Errorf("Normalize(profile %q, issuer %q).Issuer = %q, want %q", tc.profile, tc.issuer, cfg.Issuer, tc.want)
		}
	}
}

func TestValidateIssuerProblems(t *testing.T) {
	web := Client{ID: "web", Secret: "s", RedirectURIs: []string{"http://127.0.0.1/cb"}}
	cases := []struct {
		name    string
		issuers []IssuerConfig
		top     func(*Config)
		want    []string // problems, each "path: part of the message"
	}{
		{name: "missing path", issuers: []IssuerConfig{{}}, want: []string{"issuers[0].path: required"}},
		{name: "relative", issuers: []IssuerConfig{{Path: "realms/a"}}, want: []string{"issuers[0].path: \"realms/a\" must start with /"}},
		{name: "root", issuers: []IssuerConfig{{Path: "/"}}, want: []string{"issuers[0].path: \"/\" is the default issuer's place"}},
		{name: "trailing slash", issuers: []IssuerConfig{{Path: "/a/"}}, want: []string{"must not end with /"}},
		{name: "dot segment", issuers: []IssuerConfig{{Path: "/.well-known/x"}}, want: []string{"must start with a letter or digit"}},
		{name: "testing API", issuers: []IssuerConfig{{Path: "/_testidp"}}, want: []string{"must start with a letter or digit"}},
		{name: "router pattern", issuers: []IssuerConfig{{Path: "/a/x{y}"}}, want: []string{"may only hold letters, digits"}},
		{name: "duplicate", issuers: []IssuerConfig{{Path: "/a"}, {Path: "/a"}}, want: []string{`issuers[1].path: "/a" is already the path of issuers[0].path`}},
		{name: "default issuer's path", top: func(c *Config) { c.Issuer = "http://localhost:8080/base" }, issuers: []IssuerConfig{{Path: "/base"}},
			want: []string{`issuers[0].path: "/base" is already the path of issuer`}},
		{name: "hides token endpoint", issuers: []IssuerConfig{{Path: "/token"}}, want: []string{`issuers[0].path: "/token" would hide the endpoint /token of the issuer at /`}},
		{name: "under jwks", issuers: []IssuerConfig{{Path: "/a"}, {Path: "/a/jwks/b"}}, want: []string{`issuers[1].path: "/a/jwks/b" would hide the endpoint /a/jwks of the issuer at /a`}},
		{name: "under profile endpoint", issuers: []IssuerConfig{{Profile: "keycloak", Path: "/realms/a"}, {Path: "/realms/a/protocol/openid-connect/token"}},
			want: []string{"would hide the endpoint /realms/a/protocol/openid-connect/token"}},
		{name: "healthz", issuers: []IssuerConfig{{Path: "/healthz"}}, want: []string{"would hide the health endpoint"}},
		{name: "profile endpoint inside another issuer", top: func(c *Config) {
			c.Profile = "p"
			c.Profiles["p"] = Profile{Endpoints: map[string]string{"token": "/realms/a/token"}}
		}, issuers: []IssuerConfig{{Path: "/realms/a"}}, want: []string{`issuers[0].path: "/realms/a" holds the endpoint /realms/a/token of the issuer at /`}},
		{name: "template mismatch", issuers: []IssuerConfig{{Profile: "keycloak", Path: "/tenants/a"}}, want: []string{`issuers[0].path: path "/tenants/a" does not fit the profile's path /realms/{realm}`}},
		{name: "unknown profile", issuers: []IssuerConfig{{Path: "/a", Profile: "okta"}}, want: []string{`issuers[0].profile: "okta" is not a profile; known: [auth0`}},
		{name: "url and path disagree", issuers: []IssuerConfig{{Path: "/a", URL: "http://h/b"}}, want: []string{`issuers[0].path: "/a" differs from the path of url`}},
		{name: "nested problems, all at once", issuers: []IssuerConfig{
			{Path: "/a", Login: "popup", Clients: []Client{web, web}, Users: []User{{Sub: ""}}},
			{Path: "/b", Lifetimes: Lifetimes{Code: time.Millisecond}, URL: "ftp://x/b"},
		}, want: []string{
			`issuers[0].login: "popup"`, `issuers[0].clients[1].id: "web" is already the id of issuers[0].clients[0]`,
			"issuers[0].users[0].sub: required", "issuers[1].lifetimes.code", "issuers[1].url: \"ftp://x/b\" must be an absolute http or https URL",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := issuersConfig(t, func(c *Config) {
				if tc.top != nil {
					tc.top(c)
				}
				c.Issuers = tc.issuers
			})
			err := Validate(cfg)
			if err == nil {
				t.Fatalf("Validate(issuers %+v) = nil, want problems %q", tc.issuers, tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate(issuers %+v) = %v\nwant a problem containing %q", tc.issuers, err, w)
				}
			}
		})
	}
}

func TestValidateProfiles(t *testing.T) {
	ten := -10 * time.Minute
	cases := []struct {
		name    string
		profile Profile
		want    string
	}{
		{"bad template", Profile{Path: "/realms/{Realm}"}, "profiles.p.path"},
		{"template default missing", Profile{Path: "/realms/{realm}"}, "profiles.p.params: no default for {realm}"},
		{"bad alg", Profile{IDTokenAlg: "RS1"}, "profiles.p.id_token_alg"},
		{"short lifetime", Profile{Lifetimes: Lifetimes{IDToken: time.Millisecond}}, "profiles.p.lifetimes.id_token"},
		{"unknown endpoint", Profile{Endpoints: map[string]string{"device": "/device"}}, "profiles.p.endpoints.device: not an endpoint"},
		{"endpoint on login page", Profile{Endpoints: map[string]string{"token": "/login"}}, "is taken by testidp's /login"},
		{"endpoint path", Profile{Endpoints: map[string]string{"token": "oauth/token"}}, "must be a path"},
		{"endpoints collide", Profile{Endpoints: map[string]string{"token": "/t", "userinfo": "/t"}}, "profiles.p.endpoints.userinfo: \"/t\" is already the path of token"},
		{"discovery member taken", Profile{Discovery: map[string]any{"issuer": "x"}}, "profiles.p.discovery.issuer: testidp writes this member itself"},
		{"reserved claim", Profile{IDToken: TokenShape{Claims: map[string]any{"nbf": 1}, NotBefore: &ten}}, "profiles.p.id_token.claims.nbf"},
		{"unknown variable", Profile{UserClaims: map[string]any{"x": "{client_id}"}}, "profiles.p.user_claims: unknown template variable {client_id}"},
		{"unknown token variable", Profile{AccessToken: TokenShape{Claims: map[string]any{"x": []any{"{tenant}"}}}}, "unknown template variable {tenant}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := issuersConfig(t, func(c *Config) { c.Profiles = map[string]Profile{"p": tc.profile} })
			err := Validate(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate(profile %+v) = %v, want a problem containing %q", tc.profile, err, tc.want)
			}
		})
	}
}

func TestParseConfigIssuersAndProfiles(t *testing.T) {
	doc := `
issuer_from_request: true
issuers:
  - path: /realms/a
    profile: mine
    clients: [{id: c, secret: s, redirect_uris: ["http://127.0.0.1/cb"]}]
profiles:
  mine:
    description: mine
    path: /realms/{realm}
    params: {realm: x}
    id_token: {jti: true, not_before: -1m, claims: {typ: ID}}
`
	cfg, err := ParseConfig([]byte(doc))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	p := cfg.Profiles["mine"]
	if !cfg.IssuerFromRequest || cfg.Issuers[0].Path != "/realms/a" || !p.IDToken.JTI || p.IDToken.NotBefore == nil || *p.IDToken.NotBefore != -time.Minute {
		t.Errorf("ParseConfig = %+v, profile %+v", cfg, p)
	}
	_, err = ParseConfig([]byte("profiles:\n  mine:\n    id_tokn: {}\n"))
	if err == nil || !strings.Contains(err.Error(), `profiles.mine.id_tokn: line 3: unknown field "id_tokn"`) {
		t.Errorf("ParseConfig(unknown field in a profile) = %v, want its path", err)
	}
	_, err = ParseProfile([]byte("endpoints: {jwks: 3}\nlifetimes: {id_token: soon}"))
	if err == nil || !strings.Contains(err.Error(), "lifetimes.id_token") {
		t.Errorf("ParseProfile(bad duration) = %v, want the field's path", err)
	}
}
