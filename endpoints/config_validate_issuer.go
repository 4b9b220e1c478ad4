package endpoints

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// mountedIssuer is one issuer's place on the server, for the path checks.
type mountedIssuer struct {
	field string // config path that names the place: "issuer" or "issuers[i].path"
	mount string // path without trailing slash; "" for the root
	paths endpointPaths
}

// checkIssuerPaths checks where the issuers live: each issuer of Issuers has
// a path that starts with "/", fits its profile's template, differs from
// every other issuer's (the default issuer's too), and does not lie on or
// under another issuer's endpoint (which it would hide).
func checkIssuerPaths(ce *ConfigError, cfg Config) {
	def := cfg.defaultIssuer()
	prof, _ := cfg.profile(def.Profile)
	mounted := []mountedIssuer{{field: "issuer", mount: def.Path, paths: pathsFor(prof)}}
	if cfg.Issuer != "" {
		checkTemplate(ce, "issuer", def.Path, prof)
	}
	for i, ic := range cfg.Issuers {
		field := fmt.Sprintf("issuers[%d].path", i)
		prof, _ := cfg.profile(ic.Profile)
		if !checkIssuerPath(ce, field, ic) {
			continue
		}
		checkTemplate(ce, field, ic.Path, prof)
		for _, m := range mounted {
			if m.mount == ic.Path {
				ce.add(field, "%q is already the path of %s", ic.Path, m.field)
			}
		}
		mounted = append(mounted, mountedIssuer{field: field, mount: ic.Path, paths: pathsFor(prof)})
	}
	checkShadowing(ce, mounted)
}

// checkIssuerPath checks the form of one path of Issuers.
func checkIssuerPath(ce *ConfigError, field string, ic IssuerConfig) bool {
	switch {
	case ic.Path == "":
		ce.add(field, "required: where the issuer lives, such as /realms/acme")
		return false
	case ic.Path == "/":
		ce.add(field, `"/" is the default issuer's place: give this issuer a path such as /realms/acme`)
		return false
	case !strings.HasPrefix(ic.Path, "/"):
		ce.add(field, "%q must start with /", ic.Path)
		return false
	case strings.HasSuffix(ic.Path, "/"):
		ce.add(field, "%q must not end with / (the profile's trailing_slash puts one on the issuer URL)", ic.Path)
		return false
	case ic.URL != "" && urlPath(ic.URL) != ic.Path:
		ce.add(field, "%q differs from the path of url %q", ic.Path, ic.URL)
		return false
	}
	for _, seg := range strings.Split(ic.Path[1:], "/") {
		if msg := checkSegment(seg); msg != "" {
			ce.add(field, "%q: %s", ic.Path, msg)
			return false
		}
	}
	return true
}

// checkTemplate checks that an issuer path fits its profile's template.
func checkTemplate(ce *ConfigError, field, path string, prof Profile) {
	t, err := parsePathTemplate(prof.Path)
	if err != nil {
		return // reported with the profile
	}
	if _, ok := t.match(path); !ok {
		ce.add(field, "path %q does not fit the profile's path %s", path, prof.Path)
	}
}

// checkShadowing reports an issuer whose path is, or lies under, one of
// another issuer's endpoints, or under /healthz.
func checkShadowing(ce *ConfigError, mounted []mountedIssuer) {
	for _, b := range mounted {
		if b.mount == "/healthz" || strings.HasPrefix(b.mount, "/healthz/") {
			ce.add(b.field, "%q would hide the health endpoint /healthz", b.mount)
		}
		for _, a := range mounted {
			if a.field == b.field {
				continue
			}
			for _, rel := range a.paths.routed() {
				full := a.mount + rel
				switch {
				case b.mount == full || strings.HasPrefix(b.mount, full+"/"):
					ce.add(b.field, "%q would hide the endpoint %s of the issuer at %s", b.mount, full, orDefault(a.mount, "/"))
				case b.mount != "" && strings.HasPrefix(full, b.mount+"/"):
					ce.add(b.field, "%q holds the endpoint %s of the issuer at %s (its profile's endpoints reach into this path)", b.mount, full, orDefault(a.mount, "/"))
				}
			}
		}
	}
}

// checkProfiles checks the profiles a configuration defines or was given.
func checkProfiles(ce *ConfigError, profiles map[string]Profile) {
	for _, name := range profileNames(profiles) {
		checkProfile(ce, "profiles."+name, profiles[name])
	}
}

func checkProfile(ce *ConfigError, path string, p Profile) {
	t, err := parsePathTemplate(p.Path)
	if err != nil {
		ce.add(path+".path", "%v", err)
	}
	for _, seg := range t.segments {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			if _, ok := p.Params[strings.TrimSuffix(name, "}")]; !ok {
				ce.add(path+".params", "no default for %s of the path template", seg)
			}
		}
	}
	checkTemplateVars(ce, path+".token_issuer", p.TokenIssuer, p.Params, "issuer")
	if p.IDTokenAlg != "" {
		checkClientAlgs(ce, path, Client{IDTokenAlg: p.IDTokenAlg, AccessTokenAlg: "RS256", Secret: strings.Repeat("x", 32)})
	}
	for _, f := range lifetimeFields(p.Lifetimes) {
		if f.d != 0 && f.d < time.Second {
			ce.add(path+".lifetimes."+f.name, "%v is too short: give a duration of at least 1s, such as 60s or 1h", f.d)
		}
	}
	checkProfileEndpoints(ce, path+".endpoints", p.Endpoints)
	for name := range p.Discovery {
		if slices.Contains(discoveryMembers, name) {
			ce.add(path+".discovery."+name, "testidp writes this member itself")
		}
	}
	checkClaims(ce, path+".user_claims", p.UserClaims)
	checkTemplateVars(ce, path+".user_claims", p.UserClaims, p.Params, "sub")
	checkClaims(ce, path+".id_token.claims", p.IDToken.Claims)
	checkTemplateVars(ce, path+".id_token.claims", p.IDToken.Claims, p.Params, tokenVars...)
	checkClaims(ce, path+".access_token.claims", p.AccessToken.Claims)
	checkTemplateVars(ce, path+".access_token.claims", p.AccessToken.Claims, p.Params, tokenVars...)
}

func checkProfileEndpoints(ce *ConfigError, path string, eps map[string]string) {
	seen := map[string]string{}
	names := make([]string, 0, len(eps))
	for name := range eps {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := eps[name]
		if !slices.Contains(endpointNames, name) {
			ce.add(path+"."+name, "not an endpoint; known: %v", endpointNames)
			continue
		}
		if msg := checkEndpointPath(p); msg != "" {
			ce.add(path+"."+name, "%q %s", p, msg)
			continue
		}
		if other, dup := seen[p]; dup {
			ce.add(path+"."+name, "%q is already the path of %s", p, other)
		}
		seen[p] = name
	}
}

// checkTemplateVars reports {variables} in the strings of v that are neither
// params, nor among allowed, nor uuid: of one of those.
func checkTemplateVars(ce *ConfigError, path string, v any, params map[string]string, allowed ...string) {
	known := func(name string) bool {
		name = strings.TrimPrefix(name, "uuid:")
		_, isParam := params[name]
		return isParam || slices.Contains(allowed, name)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			for _, m := range templateVar.FindAllStringSubmatch(x, -1) {
				if !known(m[1]) {
					ce.add(path, "unknown template variable {%s} in %q (known: %v and the params)", m[1], x, allowed)
				}
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(k)
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

func profileNames(profiles map[string]Profile) []string {
	out := make([]string, 0, len(profiles))
	for name := range profiles {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// checkEndpointPath says what is wrong with a profile's endpoint path, or "".
func checkEndpointPath(p string) string {
	if !strings.HasPrefix(p, "/") || p == "/" || strings.HasSuffix(p, "/") {
		return "must be a path such as /oauth/token: starting with / and not ending with /"
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~") != "" {
			return "may only hold segments of letters, digits and - . _ ~"
		}
	}
	for _, own := range []string{pathLogin, pathLoggedOut, pathDiscovery, pathASMetadata, pathTestingAPI, "/healthz"} {
		if p == own || strings.HasPrefix(p, own+"/") {
			return "is taken by testidp's " + own
		}
	}
	return ""
}
