package endpoints

import (
	"maps"
	"strings"
	"testing"
)

func TestPathTemplate(t *testing.T) {
	cases := []struct {
		tmpl, path string
		ok         bool
		vars       map[string]string
	}{
		{"/realms/{realm}", "/realms/acme", true, map[string]string{"realm": "acme"}},
		{"/realms/{realm}", "/realms/acme/x", false, nil},
		{"/realms/{realm}", "/tenants/acme", false, nil},
		{"/{tenant}/v2.0", "/abc/v2.0", true, map[string]string{"tenant": "abc"}},
		{"/{tenant}/v2.0", "/abc/v1.0", false, nil},
		{"", "/anything", true, nil},
	}
	for _, tc := range cases {
		tmpl, err := parsePathTemplate(tc.tmpl)
		if err != nil {
			t.Fatalf("parsePathTemplate(%q): %v", tc.tmpl, err)
		}
		vars, ok := tmpl.match(tc.path)
		if ok != tc.ok || (ok && !maps.Equal(vars, tc.vars)) {
			t.Errorf("template %q match %q = %v, %v; want %v, %v", tc.tmpl, tc.path, vars, ok, tc.vars, tc.ok)
		}
	}
	for _, bad := range []string{"realms/{r}", "/realms/", "/realms/{R}", "/realms/{r", "/a//b", "/.hidden"} {
		if _, err := parsePathTemplate(bad); err == nil {
			t.Errorf("parsePathTemplate(%q) = nil error, want one", bad)
		}
	}
}

func TestExpandClaims(t *testing.T) {
	vars := templateVars(map[string]string{"sub": "alice", "client_id": "web"}, map[string]string{"realm": "acme", "sub": "param loses"})
	got := expandClaims(map[string]any{
		"role":           "default-roles-{realm}",
		"oid":            "{uuid:sub}",
		"{client_id}":    map[string]any{"roles": []any{"{realm}-user", 3}},
		"unknown":        "{nope} stays",
		"not a template": true,
	}, vars)
	want := map[string]any{
		"role":           "default-roles-acme",
		"oid":            nameUUID("alice"),
		"web":            map[string]any{"roles": []any{"acme-user", 3}},
		"unknown":        "{nope} stays",
		"not a template": true,
	}
	if !strings.EqualFold(string(mustJSON(got)), string(mustJSON(want))) {
		t.Errorf("expandClaims = %s, want %s", mustJSON(got), mustJSON(want))
	}
}

func TestNameUUID(t *testing.T) {
	// Known answers from Python: uuid.uuid5(uuid.NAMESPACE_URL, name).
	for name, want := range map[string]string{
		"alice": "9750dcc2-516e-5ea0-8a26-54fa6ff6986b",
	} {
		if got := nameUUID(name); got != want {
			t.Errorf("nameUUID(%q) = %s, want %s", name, got, want)
		}
	}
	if nameUUID("alice") == nameUUID("bob") {
		t.Error("nameUUID gives two names the same UUID")
	}
}

func FuzzParseProfile(f *testing.F) {
	f.Add([]byte("path: /realms/{realm}\nparams: {realm: x}\nid_token: {jti: true, not_before: -10m}"))
	f.Add([]byte("endpoints: {jwks: /.well-known/jwks.json}\ndiscovery: {a: [1, {b: c}]}"))
	f.Add([]byte("user_claims: {\"{client_id}\": {roles: [\"{sub}\"]}}"))
	f.Add([]byte("- not a mapping"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		if err != nil {
			return
		}
		var ce ConfigError
		checkProfile(&ce, "profiles.f", p)
		if len(ce.Problems) == 0 {
			vars := templateVars(map[string]string{"sub": "s"}, p.Params)
			_ = expandClaims(p.UserClaims, vars)
			_ = pathsFor(p)
		}
	})
}
