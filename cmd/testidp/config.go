package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/fixtures"
)

// settings are the scalar settings that environment variables and flags can
// override: the field's path in the configuration, its variable, its flag
// (the path when empty; "-" for none: a secret is not passed on a command
// line, where ps shows it), and whether the flag is a switch.
var settings = []struct {
	field, env, flag, usage string
	boolean                 bool
}{
	{field: "addr", env: "TESTIDP_ADDR", usage: "listen address (host:port)"},
	{field: "issuer", env: "TESTIDP_ISSUER", usage: "public issuer URL (default: derived from addr)"},
	{field: "db", env: "TESTIDP_DB", usage: `SQLite database file, or ":memory:"`},
	{field: "login", env: "TESTIDP_LOGIN", usage: `login mode: "form" or "auto"`},
	{field: "profile", env: "TESTIDP_PROFILE", usage: "provider profile of the default issuer: google, auth0, keycloak, entra, …"},
	{field: "issuer_from_request", env: "TESTIDP_ISSUER_FROM_REQUEST", flag: "issuer-from-request", boolean: true,
		usage: "derive the issuer URL from each request's Host or X-Forwarded-Host/-Proto"},
	{field: "log.format", env: "TESTIDP_LOG_FORMAT", flag: "log-format", usage: `log format: "text" or "json"`},
	{field: "log.level", env: "TESTIDP_LOG_LEVEL", flag: "log-level", usage: "log level: debug, info, warn or error"},
	{field: "tls.enabled", env: "TESTIDP_TLS", flag: "tls", boolean: true, usage: "serve HTTPS with a generated CA and certificate"},
	{field: "tls.cert", env: "TESTIDP_TLS_CERT", flag: "tls-cert", usage: "serve HTTPS with this PEM certificate (chain)"},
	{field: "tls.key", env: "TESTIDP_TLS_KEY", flag: "tls-key", usage: "the PEM private key of --tls-cert"},
	{field: "tls.ca_out", env: "TESTIDP_TLS_CA_OUT", flag: "tls-ca-out", usage: "where to write the generated CA certificate (default: testidp-ca.pem beside the database)"},
	{field: "tls.dir", env: "TESTIDP_TLS_DIR", flag: "tls-dir", usage: "where the generated CA and certificate are kept (default: testidp-tls beside the database)"},
	{field: "tls.hosts", env: "TESTIDP_TLS_HOSTS", flag: "tls-hosts", usage: "extra DNS names or IPs for the generated certificate, comma-separated"},
	{field: "testing_api", env: "TESTIDP_TESTING_API", flag: "testing-api", boolean: true, usage: "serve the testing API under {issuer}/_testidp/ (default true)"},
	{field: "admin_token", env: "TESTIDP_ADMIN_TOKEN", flag: "-", usage: "bearer token the testing API requires"},
}

// flagName is the command-line name of a setting.
func flagName(field, flag string) string {
	if flag != "" {
		return flag
	}
	return field
}

// switchFlag is a boolean flag (--tls, --tls=false) kept as the string
// setField parses, "" while unset.
type switchFlag struct{ v *string }

func (f switchFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}
func (f switchFlag) Set(s string) error { *f.v = s; return nil }
func (f switchFlag) IsBoolFlag() bool   { return true }

// loadConfig builds the configuration: built-in defaults, then the config
// file, then TESTIDP_* variables, then flags. It returns the normalized and
// validated configuration, or every problem at once.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (endpoints.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addConfigFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return endpoints.Config{}, err
		}
		return endpoints.Config{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return endpoints.Config{}, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return cf.load(getenv)
}

// configFlags are the flags every command that reads the configuration
// has: --config and one per setting.
type configFlags struct {
	file   *string
	values map[string]*string
}

func addConfigFlags(fs *flag.FlagSet) *configFlags {
	cf := &configFlags{file: fs.String("config", "", "YAML or JSON configuration file (env TESTIDP_CONFIG)"), values: map[string]*string{}}
	for _, s := range settings {
		usage := s.usage + " (env " + s.env + ")"
		if s.flag == "-" {
			cf.values[s.field] = new(string)
			continue
		}
		if s.boolean {
			cf.values[s.field] = new(string)
			fs.Var(switchFlag{cf.values[s.field]}, flagName(s.field, s.flag), usage)
			continue
		}
		cf.values[s.field] = fs.String(flagName(s.field, s.flag), "", usage)
	}
	return cf
}

// load layers the configuration once the flags are parsed.
func (cf *configFlags) load(getenv func(string) string) (endpoints.Config, error) {
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	if err != nil {
		return cfg, fmt.Errorf("built-in defaults: %w", err)
	}
	// The built-in clients and users apply only when neither the file nor
	// the default issuer's profile brings its own (see withDefaultLists).
	defaults := cfg
	cfg.Clients, cfg.Users = nil, nil
	var problems endpoints.ConfigError
	file := firstNonEmpty(*cf.file, getenv("TESTIDP_CONFIG"))
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		fileCfg, err := endpoints.ParseConfig(data)
		var ce *endpoints.ConfigError
		if errors.As(err, &ce) {
			problems.Problems = append(problems.Problems, ce.Problems...)
		} else if err != nil {
			return cfg, fmt.Errorf("%s: %w", file, err)
		}
		cfg = overlay(cfg, relativeTo(filepath.Dir(file), fileCfg))
	}
	sources := map[string]string{}
	for _, s := range settings {
		for _, src := range []struct{ v, name string }{
			{getenv(s.env), "environment variable " + s.env},
			{*cf.values[s.field], "flag --" + flagName(s.field, s.flag)},
		} {
			if src.v == "" {
				continue
			}
			sources[s.field] = src.name
			if err := setField(&cfg, s.field, src.v); err != nil {
				problems.Problems = append(problems.Problems, endpoints.Problem{Path: s.field + " (from " + src.name + ")", Message: err.Error()})
			}
		}
	}
	cfg, err = endpoints.WithProfilesNamed(cfg, fixtures.Profiles)
	if err != nil {
		return cfg, err
	}
	cfg = withDefaultLists(cfg, defaults)
	cfg = endpoints.Normalize(cfg)
	var ce *endpoints.ConfigError
	if err := endpoints.Validate(cfg); errors.As(err, &ce) {
		for _, p := range ce.Problems {
			if src, ok := sources[p.Path]; ok {
				p.Path += " (from " + src + ")"
			}
			problems.Problems = append(problems.Problems, p)
		}
	}
	if len(problems.Problems) > 0 {
		if file != "" {
			return cfg, fmt.Errorf("%s: %w", file, &problems)
		}
		return cfg, &problems
	}
	return cfg, nil
}

// relativeTo makes the key files a config file names relative to its
// directory, as a reader of the file expects.
func relativeTo(dir string, cfg endpoints.Config) endpoints.Config {
	fix := func(imports []endpoints.KeyImport) []endpoints.KeyImport {
		imports = slices.Clone(imports)
		for i, imp := range imports {
			if imp.File != "" && !filepath.IsAbs(imp.File) {
				imports[i].File = filepath.Join(dir, imp.File)
			}
		}
		return imports
	}
	cfg.Keys.Import = fix(cfg.Keys.Import)
	cfg.Issuers = slices.Clone(cfg.Issuers)
	for i := range cfg.Issuers {
		cfg.Issuers[i].Keys.Import = fix(cfg.Issuers[i].Keys.Import)
	}
	return cfg
}

// overlay applies a config file over the defaults: scalar fields, lifetimes
// and keys settings one by one, clients, users, key imports and issuers as
// whole lists, profiles by name.
func overlay(base, over endpoints.Config) endpoints.Config {
	out := base
	for _, s := range settings {
		if v := getField(over, s.field); v != "" {
			_ = setField(&out, s.field, v) // getField's output always parses
		}
	}
	out.Lifetimes = over.Lifetimes.Inherit(base.Lifetimes)
	out.Keys = over.Keys.Inherit(base.Keys)
	if over.Keys.Import == nil {
		out.Keys.Import = base.Keys.Import
	}
	if over.Clients != nil {
		out.Clients = over.Clients
	}
	if over.Users != nil {
		out.Users = over.Users
	}
	if over.TestingAPI != nil {
		out.TestingAPI = over.TestingAPI
	}
	if over.AdminToken != "" {
		out.AdminToken = over.AdminToken
	}
	if over.Issuers != nil {
		out.Issuers = over.Issuers
	}
	if over.Profiles != nil {
		out.Profiles = endpoints.WithProfiles(over, base.Profiles).Profiles
	}
	return out
}

// withDefaultLists gives the default issuer the built-in clients and users
// when neither the file nor its profile lists any.
func withDefaultLists(cfg, defaults endpoints.Config) endpoints.Config {
	prof := cfg.Profiles[cfg.Profile]
	if cfg.Clients == nil && prof.Clients == nil {
		cfg.Clients = defaults.Clients
	}
	if cfg.Users == nil && prof.Users == nil {
		cfg.Users = defaults.Users
	}
	return cfg
}

// field returns a pointer to a string setting, or nil.
func field(c *endpoints.Config, name string) *string {
	switch name {
	case "addr":
		return &c.Addr
	case "issuer":
		return &c.Issuer
	case "db":
		return &c.DB
	case "login":
		return &c.Login
	case "profile":
		return &c.Profile
	case "log.format":
		return &c.Log.Format
	case "log.level":
		return &c.Log.Level
	case "tls.cert":
		return &c.TLS.Cert
	case "tls.key":
		return &c.TLS.Key
	case "tls.ca_out":
		return &c.TLS.CAOut
	case "tls.dir":
		return &c.TLS.Dir
	case "admin_token":
		return &c.AdminToken
	}
	return nil
}

func getField(c endpoints.Config, name string) string {
	switch name {
	case "tls.enabled":
		if c.TLS.Enabled {
			return "true"
		}
		return ""
	case "tls.hosts":
		return strings.Join(c.TLS.Hosts, ",")
	case "issuer_from_request":
		if c.IssuerFromRequest {
			return "true"
		}
		return ""
	case "testing_api":
		if c.TestingAPI == nil {
			return ""
		}
		return strconv.FormatBool(*c.TestingAPI)
	}
	if p := field(&c, name); p != nil {
		return *p
	}
	return ""
}

func setField(c *endpoints.Config, name, v string) error {
	switch name {
	case "tls.enabled":
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not a boolean: write true or false", v)
		}
		c.TLS.Enabled = on
		return nil
	case "issuer_from_request":
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q: must be true or false", v)
		}
		c.IssuerFromRequest = on
		return nil
	case "testing_api":
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q: must be true or false", v)
		}
		c.TestingAPI = &on
		return nil
	case "tls.hosts":
		c.TLS.Hosts = nil
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				c.TLS.Hosts = append(c.TLS.Hosts, h)
			}
		}
		return nil
	}
	if p := field(c, name); p != nil {
		*p = v
	}
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
