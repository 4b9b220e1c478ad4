package endpoints

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// With issuer_from_request the issuer URL is built per request from the
// origin the caller used (Host, or X-Forwarded-Host and X-Forwarded-Proto
// set by a proxy), so that a container reached as http://testidp:8080 by
// services and as http://localhost:8080 by a browser answers each under the
// name it used. For every origin the provider keeps copies of its sites with
// that origin in their issuer URL, their own discovery bytes and their own
// routes; the copies share keys, clients, users and the database, so a
// token's iss is the origin it was issued through, and testidp accepts it
// (userinfo, introspection, id_token_hint) on requests through that origin.

// maxOrigins bounds the per-origin handlers kept; beyond it one is dropped.
const maxOrigins = 32

// originCache holds the routes of each request origin seen.
type originCache struct {
	p    *Provider
	base string // origin of the configured issuer URL: served by p.handler
	mu   sync.RWMutex
	m    map[string]http.Handler
}

func newOriginCache(p *Provider) *originCache {
	base, _ := urlOrigin(p.cfg.Issuer)
	return &originCache{p: p, base: base, m: map[string]http.Handler{}}
}

// serveForOrigin serves a request with the routes of its origin.
func (p *Provider) serveForOrigin(w http.ResponseWriter, r *http.Request) {
	origin, ok := requestOrigin(r)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalid_request",
			"the Host (or X-Forwarded-Host / X-Forwarded-Proto) header does not name an http or https origin")
		return
	}
	h, err := p.origins.handler(origin)
	if err != nil {
		p.log.Error("issuer for request origin", "origin", origin, "err", err)
		writeAPIError(w, http.StatusInternalServerError, "server_error", "could not serve this origin")
		return
	}
	h.ServeHTTP(w, r)
}

// handler returns the routes for origin, building them on first use.
func (c *originCache) handler(origin string) (http.Handler, error) {
	if origin == c.base {
		return c.p.handler, nil
	}
	c.mu.RLock()
	h := c.m[origin]
	c.mu.RUnlock()
	if h != nil {
		return h, nil
	}
	sites := make([]*site, len(c.p.sites))
	for i, s := range c.p.sites {
		v, err := s.atOrigin(origin)
		if err != nil {
			return nil, err
		}
		sites[i] = v
	}
	h = c.p.routes(sites)
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[origin]; prev != nil {
		return prev, nil
	}
	if len(c.m) >= maxOrigins {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[origin] = h
	return h, nil
}

// atOrigin returns a copy of the site whose issuer URL has the given origin
// (scheme://host) instead of the configured one, keeping its path and
// trailing slash.
func (s *site) atOrigin(origin string) (*site, error) {
	v := *s
	u := origin + s.prefix
	if strings.HasSuffix(s.issuerURL, "/") {
		u += "/"
	}
	if err := v.setIssuerURL(u); err != nil {
		return nil, err
	}
	return &v, nil
}

// requestOrigin is scheme://host as the caller sees the provider: the first
// X-Forwarded-Proto and X-Forwarded-Host values when a proxy set them, else
// the connection's scheme and the Host header. The host is lower-cased
// (host names are case-insensitive) and must be a plain host[:port].
func requestOrigin(r *http.Request) (string, bool) {
	proto := firstValue(r.Header.Get("X-Forwarded-Proto"))
	if proto == "" {
		proto = "http"
		if r.TLS != nil {
			proto = "https"
		}
	}
	proto = strings.ToLower(proto)
	host := firstValue(r.Header.Get("X-Forwarded-Host"))
	if host == "" {
		host = r.Host
	}
	host = strings.ToLower(host)
	if (proto != "http" && proto != "https") || host == "" {
		return "", false
	}
	u, err := url.Parse(proto + "://" + host)
	if err != nil || u.Host != host || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
		strings.ContainsAny(host, "/?#@\\ ") || u.Hostname() == "" {
		return "", false
	}
	return proto + "://" + host, true
}

// firstValue is the first of a comma-separated header's values.
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}
