package endpoints

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// TLSConfig is how the server speaks HTTPS. The command acts on it (the
// Provider itself is a plain http.Handler); it lives in Config so that a
// config file can hold it.
type TLSConfig struct {
	// Enabled serves HTTPS with a certificate signed by a CA that testidp
	// creates and keeps in Dir, unless Cert and Key name the user's own
	// (which turn TLS on by themselves).
	Enabled bool `yaml:"enabled"`
	// Cert and Key are the user's own PEM certificate (chain) and key.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	// CAOut is where the generated CA certificate (PEM) is written for
	// clients to trust. Default: testidp-ca.pem beside the database.
	CAOut string `yaml:"ca_out"`
	// Dir keeps the generated CA, server certificate and keys across
	// restarts. Default: testidp-tls beside the database; with a ":memory:"
	// database, nothing is kept (a new CA on every start).
	Dir string `yaml:"dir"`
	// Hosts are extra DNS names or IP addresses for the generated
	// certificate, beside localhost, 127.0.0.1, ::1, the listen host and
	// the issuers' hosts (a container's name, for example).
	Hosts []string `yaml:"hosts"`
}

// On reports whether the server speaks HTTPS.
func (t TLSConfig) On() bool { return t.Enabled || t.Cert != "" || t.Key != "" }

// Generated reports whether the server's certificate is testidp's own.
func (t TLSConfig) Generated() bool { return t.On() && t.Cert == "" && t.Key == "" }

// LogConfig is how the command logs (log/slog).
type LogConfig struct {
	// Format is "text" (default) or "json".
	Format string `yaml:"format"`
	// Level is "debug", "info" (default), "warn" or "error".
	Level string `yaml:"level"`
}

// Log formats and levels.
var (
	logFormats = []string{"text", "json"}
	logLevels  = []string{"debug", "info", "warn", "error"}
)

// normalizeOps fills in the defaults of the log and TLS settings.
func normalizeOps(out *Config) {
	out.Log.Format = orDefault(strings.ToLower(out.Log.Format), "text")
	out.Log.Level = orDefault(strings.ToLower(out.Log.Level), "info")
	if !out.TLS.Generated() {
		return
	}
	beside := filepath.Dir(out.DB) // "." for ":memory:": the working directory
	out.TLS.CAOut = orDefault(out.TLS.CAOut, filepath.Join(beside, "testidp-ca.pem"))
	if out.TLS.Dir == "" && out.DB != ":memory:" {
		out.TLS.Dir = filepath.Join(beside, "testidp-tls")
	}
}

// checkOps validates the log and TLS settings.
func checkOps(ce *ConfigError, cfg Config) {
	if !slices.Contains(logFormats, cfg.Log.Format) {
		ce.add("log.format", "%q: must be one of %q", cfg.Log.Format, logFormats)
	}
	if !slices.Contains(logLevels, cfg.Log.Level) {
		ce.add("log.level", "%q: must be one of %q", cfg.Log.Level, logLevels)
	}
	t := cfg.TLS
	switch {
	case t.Cert != "" && t.Key == "":
		ce.add("tls.key", "required with tls.cert (the certificate's private key, PEM)")
	case t.Key != "" && t.Cert == "":
		ce.add("tls.cert", "required with tls.key (the certificate chain, PEM)")
	case t.Cert != "" && (t.CAOut != "" || t.Dir != "" || len(t.Hosts) > 0):
		ce.add("tls", "ca_out, dir and hosts apply to a generated certificate, not to tls.cert and tls.key")
	}
	for i, h := range t.Hosts {
		if !validHost(h) {
			ce.add(fmt.Sprintf("tls.hosts[%d]", i), "%q is not a DNS name or an IP address", h)
		}
	}
	if t.On() && cfg.Issuer != "" {
		if u, err := url.Parse(cfg.Issuer); err == nil && u.Scheme == "http" {
			ce.add("issuer", "%q is http, but tls is on: the server speaks only https", cfg.Issuer)
		}
	}
}

// validHost accepts an IP address or a DNS name (labels of letters, digits,
// hyphens and underscores; a leading "*." for a wildcard).
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.Trim(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return false
		}
	}
	return true
}
