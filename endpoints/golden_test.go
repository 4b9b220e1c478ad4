package endpoints

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestWireGolden pins the wire formats: the discovery document and RFC 8414
// metadata of the default issuer and of each built-in profile, and the JWKS
// of seeded keys. Run with -update after an intended change and review the
// diff.
func TestWireGolden(t *testing.T) {
	profiles := builtinProfiles(t)
	names := []string{""}
	for name := range profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cfg := WithProfiles(defaultTestConfig(t), profiles)
		cfg.Issuer = "https://op.example"
		cfg.Profile = name
		cfg.Keys.Seed = "testidp golden"
		if prof := profiles[name]; prof.Clients != nil {
			cfg.Clients = nil
		}
		p, err := New(context.Background(), cfg, Options{})
		if err != nil {
			t.Fatalf("profile %q: %v", name, err)
		}
		label := name
		if label == "" {
			label = "default"
		}

		paths := map[string]string{
			"discovery": pathDiscovery,
			"jwks":      p.sites[0].paths.jwks,
		}
		for kind, path := range paths {
			golden(t, filepath.Join("testdata", "wire", label+"."+kind+".json"), get(t, p, p.sites[0].route(path)))
		}
		if name == "" {
			golden(t, filepath.Join("testdata", "wire", "default.oauth-authorization-server.json"), get(t, p, pathASMetadata))
		}
		p.Close()
	}
}

// get serves a GET in process and returns the body of a 200.
func get(t *testing.T, p *Provider, path string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://op.example"+path, nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, body)
	}
	return body
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./endpoints -run TestWireGolden -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (run with -update and review the diff):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
