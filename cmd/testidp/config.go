package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/fixtures"
)

// settings are the scalar settings that environment variables and flags can
// override, with the variable that names each.
var settings = []struct {
	field, env, usage string
}{
	{"addr", "TESTIDP_ADDR", "listen address (host:port)"},
	{"issuer", "TESTIDP_ISSUER", "public issuer URL (default: derived from addr)"},
	{"db", "TESTIDP_DB", `SQLite database file, or ":memory:"`},
	{"login", "TESTIDP_LOGIN", `login mode: "form" or "auto"`},
	{"profile", "TESTIDP_PROFILE", "provider profile of the default issuer: google, auth0, keycloak, entra, …"},
	{"issuer_from_request", "TESTIDP_ISSUER_FROM_REQUEST", "derive the issuer URL from each request's Host or X-Forwarded-Host/-Proto (true or false)"},
}

// flagName is the command-line name of a setting: issuer_from_request is
// --issuer-from-request.
func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

// loadConfig builds the configuration: built-in defaults, then the config
// file, then TESTIDP_* variables, then flags. It returns the normalized and
// validated configuration, or every problem at once.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (endpoints.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "YAML or JSON configuration file (env TESTIDP_CONFIG)")
	flagValues := map[string]*string{}
	for _, s := range settings {
		flagValues[s.field] = fs.String(flagName(s.field), "", s.usage+" (env "+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return endpoints.Config{}, err
		}
		return endpoints.Config{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return endpoints.Config{}, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	if err != nil {
		return cfg, fmt.Errorf("built-in defaults: %w", err)
	}
	// The built-in clients and users apply only when neither the file nor
	// the default issuer's profile brings its own (see withDefaultLists).
	defaults := cfg
	cfg.Clients, cfg.Users = nil, nil
	var problems endpoints.ConfigError
	file := firstNonEmpty(*configFile, getenv("TESTIDP_CONFIG"))
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
		cfg = overlay(cfg, fileCfg)
	}
	sources := map[string]string{}
	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			setSetting(&cfg, &problems, s.field, v, "environment variable "+s.env)
			sources[s.field] = "environment variable " + s.env
		}
		if v := *flagValues[s.field]; v != "" {
			setSetting(&cfg, &problems, s.field, v, "flag --"+flagName(s.field))
			sources[s.field] = "flag --" + flagName(s.field)
		}
	}
	cfg, err = withBuiltinProfiles(cfg)
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

// overlay applies a config file over the defaults: scalar fields and
// lifetimes one by one, clients, users and issuers as whole lists, profiles
// by name.
func overlay(base, over endpoints.Config) endpoints.Config {
	out := base
	for _, s := range settings {
		if v := getField(over, s.field); v != "" {
			setField(&out, s.field, v)
		}
	}
	out.Lifetimes = over.Lifetimes.Inherit(base.Lifetimes)
	if over.Clients != nil {
		out.Clients = over.Clients
	}
	if over.Users != nil {
		out.Users = over.Users
	}
	if over.Issuers != nil {
		out.Issuers = over.Issuers
	}
	if over.Profiles != nil {
		out.Profiles = endpoints.WithProfiles(over, base.Profiles).Profiles
	}
	return out
}

// withBuiltinProfiles adds the built-in profiles when the configuration
// names a profile it does not define (parsing them costs a millisecond of
// the cold start otherwise).
func withBuiltinProfiles(cfg endpoints.Config) (endpoints.Config, error) {
	names := []string{cfg.Profile}
	for _, ic := range cfg.Issuers {
		names = append(names, ic.Profile)
	}
	for _, name := range names {
		if _, defined := cfg.Profiles[name]; name != "" && !defined {
			builtin, err := endpoints.LoadProfiles(fixtures.Profiles)
			if err != nil {
				return cfg, fmt.Errorf("built-in profiles: %w", err)
			}
			return endpoints.WithProfiles(cfg, builtin), nil
		}
	}
	return cfg, nil
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

// setSetting sets a setting from the environment or a flag, recording a
// problem for a value of the wrong form.
func setSetting(c *endpoints.Config, problems *endpoints.ConfigError, field, v, source string) {
	if field == "issuer_from_request" {
		if _, err := strconv.ParseBool(v); err != nil {
			problems.Problems = append(problems.Problems, endpoints.Problem{Path: field + " (from " + source + ")", Message: fmt.Sprintf("%q: must be true or false", v)})
			return
		}
	}
	setField(c, field, v)
}

func getField(c endpoints.Config, field string) string {
	switch field {
	case "addr":
		return c.Addr
	case "issuer":
		return c.Issuer
	case "db":
		return c.DB
	case "login":
		return c.Login
	case "profile":
		return c.Profile
	case "issuer_from_request":
		if c.IssuerFromRequest {
			return "true"
		}
	}
	return ""
}

func setField(c *endpoints.Config, field, v string) {
	switch field {
	case "addr":
		c.Addr = v
	case "issuer":
		c.Issuer = v
	case "db":
		c.DB = v
	case "login":
		c.Login = v
	case "profile":
		c.Profile = v
	case "issuer_from_request":
		c.IssuerFromRequest, _ = strconv.ParseBool(v)
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
