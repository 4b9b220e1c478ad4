package endpoints

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// redirectPattern is one registered redirect URI. Matching is exact, with two
// documented relaxations: loopback URIs match on any port (RFC 8252 §7.3), and
// a path ending in "/*" matches any path below it (opt-in wildcard, for tests
// only).
type redirectPattern struct {
	raw      string
	u        *url.URL
	loopback bool
	prefix   string // set when the path ends in "/*": the path without "*"
}

func parseRedirectPattern(raw string) (redirectPattern, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return redirectPattern{}, fmt.Errorf("%q is not a URI: %v", raw, err)
	case u.Scheme == "" || (u.Host == "" && u.Opaque == "" && u.Path == ""):
		return redirectPattern{}, fmt.Errorf("%q must be an absolute URI (RFC 6749 §3.1.2)", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return redirectPattern{}, fmt.Errorf("%q must not contain a fragment (RFC 6749 §3.1.2)", raw)
	case u.User != nil:
		return redirectPattern{}, fmt.Errorf("%q must not contain user information", raw)
	}
	p := redirectPattern{raw: raw, u: u, loopback: isLoopback(u)}
	if strings.Contains(u.Path, "*") {
		if !strings.HasSuffix(u.Path, "/*") || strings.Count(u.Path, "*") != 1 || u.RawQuery != "" {
			return redirectPattern{}, fmt.Errorf("%q: a wildcard is only allowed as a final \"/*\" path segment", raw)
		}
		p.prefix = strings.TrimSuffix(u.Path, "*")
	}
	return p, nil
}

// isLoopback reports whether u is an http(s) URI on a loopback host.
func isLoopback(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// matches reports whether the requested redirect URI is allowed by p.
func (p redirectPattern) matches(requested string) bool {
	if requested == p.raw && p.prefix == "" {
		return true
	}
	u, err := url.Parse(requested)
	if err != nil || u.Fragment != "" || strings.Contains(requested, "#") || u.User != nil || u.Opaque != p.u.Opaque {
		return false
	}
	if u.Scheme != p.u.Scheme || !strings.EqualFold(u.Hostname(), p.u.Hostname()) {
		return false
	}
	if !p.loopback && u.Port() != p.u.Port() {
		return false
	}
	if p.prefix != "" {
		return strings.HasPrefix(u.Path, p.prefix) && !strings.Contains(u.Path, "/../")
	}
	return u.Path == p.u.Path && u.RawQuery == p.u.RawQuery
}

// matchRedirect reports whether requested is allowed by any pattern.
func matchRedirect(patterns []redirectPattern, requested string) bool {
	if requested == "" {
		return false
	}
	for _, p := range patterns {
		if p.matches(requested) {
			return true
		}
	}
	return false
}
