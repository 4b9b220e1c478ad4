package endpoints

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestOpsConfigDefaults(t *testing.T) {
	cases := []struct {
		name                  string
		db                    string
		tls                   TLSConfig
		wantCAOut, wantDir    string
		wantFormat, wantLevel string
	}{
		{"no tls", "data/testidp.db", TLSConfig{}, "", "", "text", "info"},
		{"generated beside the database", "data/testidp.db", TLSConfig{Enabled: true},
			filepath.Join("data", "testidp-ca.pem"), filepath.Join("data", "testidp-tls"), "text", "info"},
		{"memory: working directory, nothing kept", ":memory:", TLSConfig{Enabled: true}, "testidp-ca.pem", "", "text", "info"},
		{"given paths kept", "x.db", TLSConfig{Enabled: true, CAOut: "/tmp/ca.pem", Dir: "/tmp/tls"}, "/tmp/ca.pem", "/tmp/tls", "text", "info"},
		{"user's certificate: no CA", "x.db", TLSConfig{Cert: "c.pem", Key: "k.pem"}, "", "", "text", "info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Normalize(Config{DB: tc.db, TLS: tc.tls})
			if cfg.TLS.CAOut != tc.wantCAOut || cfg.TLS.Dir != tc.wantDir {
				t.Errorf("Normalize: tls.ca_out %q, tls.dir %q; want %q, %q", cfg.TLS.CAOut, cfg.TLS.Dir, tc.wantCAOut, tc.wantDir)
			}
			if cfg.Log.Format != tc.wantFormat || cfg.Log.Level != tc.wantLevel {
				t.Errorf("Normalize: log %+v, want format %q level %q", cfg.Log, tc.wantFormat, tc.wantLevel)
			}
		})
	}
}

func TestOpsConfigProblems(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" for valid
	}{
		{"json logs", func(c *Config) { c.Log = LogConfig{Format: "JSON", Level: "Debug"} }, ""},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, `log.format: "xml": must be one of`},
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, `log.level: "verbose": must be one of`},
		{"cert without key", func(c *Config) { c.TLS.Cert = "c.pem" }, "tls.key: required with tls.cert"},
		{"key without cert", func(c *Config) { c.TLS.Key = "k.pem" }, "tls.cert: required with tls.key"},
		{"ca_out with own cert", func(c *Config) { c.TLS = TLSConfig{Cert: "c", Key: "k", CAOut: "ca.pem"} }, "tls: ca_out, dir and hosts apply to a generated certificate"},
		{"hosts", func(c *Config) {
			c.TLS = TLSConfig{Enabled: true, Hosts: []string{"idp", "10.0.0.1", "*.svc.local", "bad host"}}
		}, `tls.hosts[3]: "bad host" is not a DNS name`},
		{"http issuer with tls", func(c *Config) { c.TLS.Enabled = true; c.Issuer = "http://localhost:8443" }, "issuer: \"http://localhost:8443\" is http, but tls is on"},
		{"https issuer with tls", func(c *Config) { c.TLS.Enabled = true; c.Issuer = "https://idp.test:8443" }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultTestConfig(t)
			tc.mutate(&cfg)
			err := Validate(Normalize(cfg))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v, want no problem", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v, want a problem containing %q", err, tc.want)
			}
		})
	}
}

func TestParseOpsConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte("tls: {enabled: true, hosts: [idp.test], ca_out: /data/ca.pem}\nlog: {format: json, level: debug}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.TLS.Enabled || cfg.TLS.Hosts[0] != "idp.test" || cfg.TLS.CAOut != "/data/ca.pem" || cfg.Log.Format != "json" || cfg.Log.Level != "debug" {
		t.Errorf("ParseConfig: tls %+v, log %+v", cfg.TLS, cfg.Log)
	}
	if _, err := ParseConfig([]byte("tls: {cafile: x}")); err == nil || !strings.Contains(err.Error(), `tls.cafile: line 1: unknown field`) {
		t.Errorf("unknown tls field: %v", err)
	}
}
