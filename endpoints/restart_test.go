package endpoints

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
)

func (e *testEnv) get(path string) []byte {
	e.t.Helper()
	resp, err := http.Get(e.issuer + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

// kids lists the key ids of a JWKS document.
func kids(t *testing.T, jwks []byte) []string {
	var set struct{ Keys []struct{ Kid string } }
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// These tests generate real keys (no key pool): what is under test is where
// keys come from.
func TestRestartKeepsKeys(t *testing.T) {
	db := filepath.Join(t.TempDir(), "testidp.db")
	cfg := defaultTestConfig(t)
	cfg.DB = db
	cfg.Clients = append(cfg.Clients, Client{ID: "es", Secret: "s", IDTokenAlg: "ES256", RedirectURIs: []string{"http://127.0.0.1/cb"}})
	first := startEnvWith(t, cfg, Options{})
	jwks1 := first.get("/jwks")
	if n := len(kids(t, jwks1)); n != 2 {
		t.Fatalf("first start published %d keys, want 2 (RS256 and ES256, the algorithms in use): %s", n, jwks1)
	}
	first.srv.Close()
	if err := first.p.Close(); err != nil {
		t.Fatal(err)
	}
	second := startEnvWith(t, cfg, Options{})
	if jwks2 := second.get("/jwks"); string(jwks2) != string(jwks1) {
		t.Errorf("JWKS changed across a restart on the same database:\n before %s\n after  %s", jwks1, jwks2)
	}
}

func TestMemoryStartsFresh(t *testing.T) {
	cfg := defaultTestConfig(t)
	a := startEnvWith(t, cfg, Options{}).get("/jwks")
	b := startEnvWith(t, cfg, Options{}).get("/jwks")
	if kids(t, a)[0] == kids(t, b)[0] {
		t.Errorf("two :memory: runs share kid %s; each should generate its own key", kids(t, a)[0])
	}
}
