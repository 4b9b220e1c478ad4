package endpoints

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfigJSON(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"login": "auto", "lifetimes": {"code": "30s"},
		"clients": [{"id": "c", "secret": "s", "redirect_uris": ["http://127.0.0.1/cb"]}],
		"users": [{"sub": "u", "claims": {"groups": ["a", "b"], "address": {"country": "NL"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Login != "auto" || cfg.Lifetimes.Code != 30*time.Second || cfg.Clients[0].ID != "c" || cfg.Users[0].Claims["address"] == nil {
		t.Errorf("JSON config decoded as %+v", cfg)
	}
	if err := Validate(Normalize(cfg)); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseConfigProblems(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"unknown top-level", "adr: x", `adr: line 1: unknown field "adr"`},
		{"unknown nested with hint", "clients:\n  - id: a\n    Redirect-URIs: []", `clients[0].Redirect-URIs: line 3: unknown field "Redirect-URIs" (did you mean "redirect_uris"?)`},
		{"list expected", "clients: {id: a}", "clients: line 1: must be a list"},
		{"duration", "lifetimes: {id_token: soon}", "lifetimes.id_token: line 1: not a duration"},
		{"not a mapping", "- a\n- b", "the configuration must be a mapping"},
		{"bad yaml", "a: [", "(document)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseConfig(%q) = %v, want an error containing %q", tc.doc, err, tc.want)
			}
		})
	}
}
