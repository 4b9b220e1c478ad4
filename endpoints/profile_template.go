package endpoints

import (
	"crypto/sha1"
	"fmt"
	"regexp"
	"strings"
)

// pathTemplate is an issuer path such as "/realms/{realm}": literal segments
// and whole-segment variables.
type pathTemplate struct {
	raw      string
	segments []string // "{name}" for a variable
}

var (
	templateVar = regexp.MustCompile(`\{([a-z][a-z0-9_:]*)\}`)
	varName     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// parsePathTemplate checks a profile's path template.
func parsePathTemplate(raw string) (pathTemplate, error) {
	t := pathTemplate{raw: raw}
	if raw == "" {
		return t, nil
	}
	if !strings.HasPrefix(raw, "/") || strings.HasSuffix(raw, "/") {
		return t, fmt.Errorf("%q must start with / and not end with /", raw)
	}
	for _, seg := range strings.Split(raw[1:], "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name, ok = strings.CutSuffix(name, "}")
			if !ok || !varName.MatchString(name) {
				return t, fmt.Errorf("%q: segment %q is neither a literal nor a {variable}", raw, seg)
			}
		} else if msg := checkSegment(seg); msg != "" {
			return t, fmt.Errorf("%q: %s", raw, msg)
		}
		t.segments = append(t.segments, seg)
	}
	return t, nil
}

// match reports whether path has the template's shape, and the values of
// its variables.
func (t pathTemplate) match(path string) (map[string]string, bool) {
	if t.raw == "" {
		return nil, true
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) != len(t.segments) {
		return nil, false
	}
	vars := map[string]string{}
	for i, seg := range t.segments {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			vars[strings.TrimSuffix(name, "}")] = segs[i]
		} else if seg != segs[i] {
			return nil, false
		}
	}
	return vars, true
}

// expandString replaces each {name} in s by vars(name); unknown names stay.
func expandString(s string, vars func(string) (string, bool)) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return templateVar.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars(m[1 : len(m)-1]); ok {
			return v
		}
		return m
	})
}

// expandValue copies a claim value, expanding templates in strings and in
// the member names of objects.
func expandValue(v any, vars func(string) (string, bool)) any {
	switch x := v.(type) {
	case string:
		return expandString(x, vars)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[expandString(k, vars)] = expandValue(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expandValue(e, vars)
		}
		return out
	}
	return v
}

// expandClaims expands every member of m into a new map.
func expandClaims(m map[string]any, vars func(string) (string, bool)) map[string]any {
	if len(m) == 0 {
		return map[string]any{}
	}
	return expandValue(m, vars).(map[string]any)
}

// templateVars resolves the variables of claim templates: the given values,
// then uuid:NAME (a name-based UUID of another variable), then the profile's
// params.
func templateVars(values map[string]string, params map[string]string) func(string) (string, bool) {
	var get func(string) (string, bool)
	get = func(name string) (string, bool) {
		if v, ok := values[name]; ok {
			return v, true
		}
		if inner, ok := strings.CutPrefix(name, "uuid:"); ok {
			if v, ok := get(inner); ok {
				return nameUUID(v), true
			}
			return "", false
		}
		v, ok := params[name]
		return v, ok
	}
	return get
}

// tokenVars are the variables a token template may use besides the params.
var tokenVars = []string{"sub", "client_id", "issuer", "jti"}

// nameUUID is the RFC 9562 version 5 UUID of name in the URL namespace: the
// same name always gives the same UUID, as Entra's oid does for one user.
func nameUUID(name string) string {
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// checkSegment says what is wrong with one segment of an issuer path, or "".
// Segments start with a letter or digit (so that no issuer hides under
// /.well-known or /_testidp) and use only unreserved characters (RFC 3986
// §2.3), which also keeps router patterns out.
func checkSegment(seg string) string {
	if seg == "" {
		return "empty segment (// or a trailing /)"
	}
	for i, r := range seg {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if i == 0 && !alnum {
			return fmt.Sprintf("segment %q must start with a letter or digit", seg)
		}
		if !alnum && r != '-' && r != '.' && r != '_' && r != '~' {
			return fmt.Sprintf("segment %q may only hold letters, digits and - . _ ~", seg)
		}
	}
	return ""
}
