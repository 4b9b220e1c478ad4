package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

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
}

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
		cf.values[s.field] = fs.String(s.field, "", s.usage+" (env "+s.env+")")
	}
	return cf
}

// load layers the configuration once the flags are parsed.
func (cf *configFlags) load(getenv func(string) string) (endpoints.Config, error) {
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	if err != nil {
		return cfg, fmt.Errorf("built-in defaults: %w", err)
	}
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
		if v := getenv(s.env); v != "" {
			setField(&cfg, s.field, v)
			sources[s.field] = "environment variable " + s.env
		}
		if v := *cf.values[s.field]; v != "" {
			setField(&cfg, s.field, v)
			sources[s.field] = "flag --" + s.field
		}
	}
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
	imports := slices.Clone(cfg.Keys.Import)
	for i, imp := range imports {
		if imp.File != "" && !filepath.IsAbs(imp.File) {
			imports[i].File = filepath.Join(dir, imp.File)
		}
	}
	cfg.Keys.Import = imports
	return cfg
}

// overlay applies a config file over the defaults: scalar fields, lifetimes
// and keys settings one by one, clients, users and key imports as whole
// lists.
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
	out.Keys = overlayKeys(base.Keys, over.Keys)
	return out
}

// overlayKeys applies a file's keys settings over the defaults'.
func overlayKeys(base, over endpoints.KeysConfig) endpoints.KeysConfig {
	out := base
	out.Seed = firstNonEmpty(over.Seed, base.Seed)
	for _, f := range []struct{ dst, src *time.Duration }{{&out.RotateEvery, &over.RotateEvery}, {&out.PublishAhead, &over.PublishAhead},
		{&out.RetireAfter, &over.RetireAfter}, {&out.JWKSMaxAge, &over.JWKSMaxAge}} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
	if over.RSABits != 0 {
		out.RSABits = over.RSABits
	}
	if over.Import != nil {
		out.Import = over.Import
	}
	return out
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
