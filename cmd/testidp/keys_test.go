package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/keys"
)

// runKeys runs `testidp keys …` and returns stdout; the error is run's.
func runKeys(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr syncBuffer
	err := run(context.Background(), append([]string{"keys"}, args...), env(vars), &stdout, &stderr)
	return stdout.String(), err
}

func mustRunKeys(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	out, err := runKeys(t, vars, args...)
	if err != nil {
		t.Fatalf("testidp keys %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// listed is `keys list --json` decoded.
func listed(t *testing.T, vars map[string]string, args ...string) ringAnswer {
	t.Helper()
	var r ringAnswer
	out := mustRunKeys(t, vars, append([]string{"list", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("keys list --json: %v\n%s", err, out)
	}
	return r
}

func (r ringAnswer) states() map[string]string {
	out := map[string]string{}
	for _, k := range r.Keys {
		out[k.Kid] = k.Alg + " " + k.State
	}
	return out
}

func TestKeysOnDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "testidp.db")
	first := listed(t, nil, "--db", db)
	if len(first.Keys) != 1 || first.Keys[0].State != "active" || first.Keys[0].Alg != "RS256" {
		t.Fatalf("keys list on a new database: %+v, want one active RS256 key", first.Keys)
	}
	out := mustRunKeys(t, nil, "rotate", "--db", db, "--alg", "RS256", "--publish-ahead", "0s")
	if !strings.Contains(out, "retired") || !strings.Contains(out, " *") || !strings.Contains(out, "next change:") {
		t.Errorf("keys rotate printed:\n%s\nwant the ring with the old key retired and the new one marked", out)
	}
	after := listed(t, nil, "--db", db)
	if got := after.states()[first.Keys[0].Kid]; got != "RS256 retired" || len(after.Keys) != 2 {
		t.Errorf("after rotate: %v", after.states())
	}

	pub := mustRunKeys(t, nil, "export", "--db", db)
	if n := strings.Count(pub, `"kid"`); n != 2 || strings.Contains(pub, `"d"`) {
		t.Errorf("keys export: %d keys, private members %v:\n%s", n, strings.Contains(pub, `"d"`), pub)
	}
	pemFile := filepath.Join(dir, "keys.pem")
	mustRunKeys(t, nil, "export", "--db", db, "--private", "--format", "pem", "--out", pemFile)
	if fi, err := os.Stat(pemFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private export file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	data, _ := os.ReadFile(pemFile)
	if ks, err := keys.Import(data, keys.ImportOptions{}, time.Now()); err != nil || len(ks) != 2 {
		t.Errorf("exported PEM imports as %d keys, %v", len(ks), err)
	}

	es, _ := keys.DeriveKey("cli-test", "es", keys.ES256, time.Now(), keys.GenerateOptions{KeyID: "mine"})
	esFile := filepath.Join(dir, "es.jwk")
	b, _ := keys.ExportJWKS([]*keys.Key{es}, true)
	os.WriteFile(esFile, b, 0o600)
	mustRunKeys(t, nil, "import", esFile, "--db", db) // flags after the file work too
	if got := listed(t, nil, "--db", db).states()["mine"]; got != "ES256 active" {
		t.Errorf("imported key: %q, want ES256 active", got)
	}
	mustRunKeys(t, nil, "unpublish", first.Keys[0].Kid, "--db", db)
	if _, ok := listed(t, nil, "--db", db).states()[first.Keys[0].Kid]; ok {
		t.Error("unpublished key still listed")
	}
}

func TestKeysUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "testidp.db")
	tests := []struct {
		args []string
		want string
	}{
		{nil, "needs a subcommand"},
		{[]string{"spin"}, "unknown keys subcommand"},
		{[]string{"import", "--db", db}, "exactly one argument"},
		{[]string{"list", "extra", "--db", db}, "unexpected argument"},
		{[]string{"rotate", "--db", db, "--publish-ahead", "soon"}, "--publish-ahead"},
		{[]string{"list", "--db", ":memory:"}, ":memory:"},
		{[]string{"list", "--server", "localhost:8080"}, "issuer URL"},
		{[]string{"list", "--bogus"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		_, err := runKeys(t, nil, tc.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("keys %v: %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
	if _, err := runKeys(t, nil, "rotate", "--db", db, "--alg", "HS256"); err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("keys rotate --alg HS256: %v, want the API's 400", err)
	}
}

// jwksKids fetches the kids a server publishes.
func jwksKids(t *testing.T, issuer string) []string {
	t.Helper()
	resp, err := http.Get(issuer + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct{ Keys []struct{ Kid string } }
	json.NewDecoder(resp.Body).Decode(&set)
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

func TestKeysAgainstServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "testidp.db")
	issuer := startServe(t, []string{"--addr", "127.0.0.1:0", "--db", db}, nil)
	before := jwksKids(t, issuer)
	r := listed(t, nil, "--server", issuer)
	if len(r.Keys) != len(before) {
		t.Errorf("keys list --server: %d keys, the server publishes %d", len(r.Keys), len(before))
	}
	var rot ringAnswer
	out := mustRunKeys(t, map[string]string{"TESTIDP_SERVER": issuer}, "rotate", "--publish-ahead", "0s", "--json")
	if err := json.Unmarshal([]byte(out), &rot); err != nil || len(rot.Changed) != 1 {
		t.Fatalf("keys rotate via TESTIDP_SERVER: %v %s", err, out)
	}
	if kids := jwksKids(t, issuer); !slices.Contains(kids, rot.Changed[0]) {
		t.Errorf("the server publishes %v, not the new key %s", kids, rot.Changed[0])
	}
	if _, err := runKeys(t, nil, "list", "--server", issuer+"/nowhere"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("keys list against a wrong URL: %v", err)
	}
}

// The CLI changes the database under a running server; the server serves
// the new key within its poll interval (1s).
func TestKeysOnDatabaseWhileServing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "testidp.db")
	issuer := startServe(t, []string{"--addr", "127.0.0.1:0", "--db", db}, nil)
	var rot ringAnswer
	out := mustRunKeys(t, nil, "rotate", "--db", db, "--publish-ahead", "0s", "--json")
	if err := json.Unmarshal([]byte(out), &rot); err != nil || len(rot.Changed) != 1 {
		t.Fatalf("keys rotate --db: %v %s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(jwksKids(t, issuer), rot.Changed[0]) {
		if time.Now().After(deadline) {
			t.Fatalf("10s after keys rotate --db the server still publishes %v, not %s", jwksKids(t, issuer), rot.Changed[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestKeysAdminToken(t *testing.T) {
	cfg := endpoints.Config{DB: ":memory:", Issuer: "http://placeholder", AdminToken: "s3cret",
		Clients: []endpoints.Client{{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1/cb"}}}}
	srv := httptest.NewUnstartedServer(nil)
	cfg.Issuer = "http://" + srv.Listener.Addr().String()
	p, err := endpoints.New(context.Background(), cfg, endpoints.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p
	srv.Start()
	t.Cleanup(func() { srv.Close(); p.Close() })
	if _, err := runKeys(t, nil, "list", "--server", cfg.Issuer); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("without the admin token: %v, want HTTP 401", err)
	}
	if _, err := runKeys(t, map[string]string{"TESTIDP_ADMIN_TOKEN": "s3cret"}, "list", "--server", cfg.Issuer); err != nil {
		t.Errorf("with TESTIDP_ADMIN_TOKEN: %v", err)
	}
	if _, err := runKeys(t, nil, "list", "--server", cfg.Issuer, "--admin-token", "s3cret"); err != nil {
		t.Errorf("with --admin-token: %v", err)
	}
}

func TestConfigFileKeys(t *testing.T) {
	dir := t.TempDir()
	k, _ := keys.DeriveKey("cli-config", "ed", keys.EdDSA, time.Now(), keys.GenerateOptions{})
	pemText, _ := keys.ExportPEM([]*keys.Key{k})
	os.Mkdir(filepath.Join(dir, "keys"), 0o700)
	os.WriteFile(filepath.Join(dir, "keys", "ed.pem"), pemText, 0o600)
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte("keys:\n  seed: repeatable\n  rotate_every: 2h\n  jwks_max_age: 30s\n  import:\n    - file: keys/ed.pem\n"), 0o600)
	cfg, err := loadConfig("serve", []string{"--config", file}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Keys
	if got.Seed != "repeatable" || got.RotateEvery != 2*time.Hour || got.JWKSMaxAge != 30*time.Second || got.RSABits != 2048 {
		t.Errorf("keys from the file: %+v", got)
	}
	if len(got.Import) != 1 || got.Import[0].File != filepath.Join(dir, "keys", "ed.pem") {
		t.Errorf("import path %v, want it relative to the config file's directory", got.Import)
	}
	os.WriteFile(file, []byte("keys:\n  rotate_every: 10ms\n  import:\n    - file: missing.pem\n"), 0o600)
	_, err = loadConfig("serve", []string{"--config", file}, env(nil), io.Discard)
	for _, want := range []string{"keys.rotate_every:", "keys.import[0].file:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("loadConfig lacks %q: %v", want, err)
		}
	}
}
