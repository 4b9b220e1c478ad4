package endpoints

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

func TestRotateAPI(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantSigns   bool          // the new key signs at once
		wantOldFor  time.Duration // how long the old key stays published after the new one signs; -1 = not checked
		wantChanged int
	}{
		{"defaults: published ahead by keys.publish_ahead", `{"alg": "ES256"}`, false, 30 * time.Minute, 1},
		{"publish-ahead zero", `{"alg": "ES256", "publish_ahead": "0s"}`, true, 30 * time.Minute, 1},
		{"publish-ahead zero, retire now", `{"alg": "ES256", "publish_ahead": "0s", "retire_now": true}`, true, 0, 1},
		{"retire_after", `{"alg": "ES256", "publish_ahead": "0s", "retire_after": "5m"}`, true, 5 * time.Minute, 1},
		{"every algorithm", `{"publish_ahead": "0s"}`, true, 30 * time.Minute, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := startEnvWith(t, keysConfig(t, testPolicy), Options{})
			old := headerKid(t, e.clientToken(esClient))
			var v ringView
			if status := e.apiCall("POST", "/keys/rotate", tc.body, &v); status != http.StatusOK || len(v.Changed) != tc.wantChanged {
				t.Fatalf("POST rotate %s: %d, changed %v", tc.body, status, v.Changed)
			}
			newKid := v.Changed[len(v.Changed)-1]
			if k, _ := v.key(newKid); k.Alg != "ES256" && tc.wantChanged == 1 {
				t.Errorf("rotated %s key, want ES256", k.Alg)
			}
			if !e.published(newKid) {
				t.Errorf("new key %s not in the JWKS", newKid)
			}
			if !tc.wantSigns {
				if kid := headerKid(t, e.clientToken(esClient)); kid != old {
					t.Errorf("token right after a rotation with publish-ahead signed by %s, want still %s", kid, old)
				}
				e.clock.Advance(testPolicy.PublishAhead)
			}
			if kid := headerKid(t, e.clientToken(esClient)); kid == old {
				t.Errorf("token still signed by the old key %s", kid)
			}
			if got := e.published(old); got != (tc.wantOldFor > 0) {
				t.Errorf("old key published right after the switch = %v, want %v", got, tc.wantOldFor > 0)
			}
			if tc.wantOldFor > 0 {
				e.clock.Advance(tc.wantOldFor)
				if e.published(old) {
					t.Errorf("old key still published %v after the switch", tc.wantOldFor)
				}
			}
		})
	}
}

func TestRotateAPIBadInput(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	before := e.ring()
	for _, body := range []string{`{"alg": "HS256"}`, `{"alg": "es256"}`, `{"publish_ahead": "soon"}`, `{"publish_ahead": "-1s"}`,
		`{"retire_after": "1h", "retire_now": true}`, `{"algorithm": "ES256"}`, `{`, `[]`} {
		var got map[string]any
		if status := e.apiCall("POST", "/keys/rotate", body, &got); status != http.StatusBadRequest || got["error"] != "invalid_request" {
			t.Errorf("POST rotate %s: %d %v, want 400 invalid_request", body, status, got)
		}
	}
	if after := e.ring(); len(after.Keys) != len(before.Keys) {
		t.Errorf("refused rotations changed the ring: %+v", after.Keys)
	}
}

// TestFaultHooks covers the two hooks the fault catalog's integration uses.
func TestFaultHooks(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	s := e.p.sites[0]
	old := headerKid(t, e.clientToken(esClient))
	if err := s.rotateSigningKeyNow(keys.ES256); err != nil {
		t.Fatalf("rotateSigningKeyNow: %v", err)
	}
	cur := headerKid(t, e.clientToken(esClient))
	if cur == old || !e.published(cur) || !e.published(old) {
		t.Fatalf("after rotateSigningKeyNow: signing %s (was %s); want a new signing key, both published: %v", cur, old, kids(t, e.get("/jwks")))
	}
	if err := s.unpublishKey(old); err != nil {
		t.Fatalf("unpublishKey(retired): %v", err)
	}
	if e.published(old) {
		t.Error("unpublished key still in the JWKS")
	}
	if err := s.unpublishKey(cur); !errors.Is(err, keys.ErrActiveKey) {
		t.Errorf("unpublishKey(active) = %v, want ErrActiveKey", err)
	}
	if err := s.unpublishKey("nope"); !errors.Is(err, keys.ErrUnknownKid) {
		t.Errorf("unpublishKey(unknown) = %v, want ErrUnknownKid", err)
	}
	if headerKid(t, e.clientToken(esClient)) != cur {
		t.Error("a refused unpublish changed the signing key")
	}
}

func TestUnpublishAPI(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	var v ringView
	e.apiCall("POST", "/keys/rotate", `{"alg": "ES256", "publish_ahead": "0s"}`, &v)
	old := v.keysOf("ES256", "retired")[0]
	tests := []struct {
		body       string
		wantStatus int
	}{
		{`{"kid": "` + v.Changed[0] + `"}`, http.StatusConflict},
		{`{"kid": "nope"}`, http.StatusNotFound},
		{`{}`, http.StatusBadRequest},
		{`{"kid": "` + old + `"}`, http.StatusOK},
	}
	for _, tc := range tests {
		if status := e.apiCall("POST", "/keys/unpublish", tc.body, nil); status != tc.wantStatus {
			t.Errorf("POST unpublish %s: %d, want %d", tc.body, status, tc.wantStatus)
		}
	}
	if e.published(old) {
		t.Error("unpublished key still in the JWKS")
	}
}

func TestImportAndExportAPI(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, KeysConfig{}), Options{})
	k, _ := keys.DeriveKey("import-api", "es", keys.ES256, time.Now(), keys.GenerateOptions{KeyID: "imported-es"})
	pemText, _ := keys.ExportPEM([]*keys.Key{k})
	var v ringView
	body := `{"key": ` + jsonString(string(pemText)) + `}`
	if status := e.apiCall("POST", "/keys/import", body, &v); status != http.StatusOK || !slices.Equal(v.Changed, []string{"imported-es"}) {
		t.Fatalf("POST import: %d %+v", status, v)
	}
	if kid := headerKid(t, e.clientToken(esClient)); kid != "imported-es" {
		t.Errorf("after import tokens are signed by %s, want imported-es", kid)
	}
	mustVerify(t, e.verifier(), "a token signed by the imported key", e.clientToken(esClient))

	pub := e.getWith("/_testidp/keys/export")
	if string(pub) != string(mustExport(t, e, false)) || strings.Contains(string(pub), `"d"`) {
		t.Errorf("public export differs from the served keys or carries private members:\n%s", pub)
	}
	priv := e.getWith("/_testidp/keys/export?private=true&kid=imported-es")
	back, err := keys.Import(priv, keys.ImportOptions{}, time.Now())
	if err != nil || len(back) != 1 || back[0].ID != "imported-es" {
		t.Errorf("private export of imported-es does not import back: %v %v", back, err)
	}
	pemBack := e.getWith("/_testidp/keys/export?private=true&format=pem&kid=imported-es")
	if back, err := keys.Import(pemBack, keys.ImportOptions{}, time.Now()); err != nil || back[0].ID != "imported-es" {
		t.Errorf("PEM export does not import back: %v", err)
	}
	for _, bad := range []struct {
		path string
		want int
	}{{"/keys/export?format=pem", 400}, {"/keys/export?format=der&private=true", 400}, {"/keys/export?kid=nope", 404}} {
		if status := e.apiCall("GET", bad.path, "", nil); status != bad.want {
			t.Errorf("GET %s: %d, want %d", bad.path, status, bad.want)
		}
	}
	for _, bad := range []string{`{}`, `{"key": "garbage"}`, `{"key": {"kty": "oct", "k": "AAAA"}}`, `{"key": ` + jsonString(string(pemText)) + `, "alg": "RS256"}`} {
		if status := e.apiCall("POST", "/keys/import", bad, nil); status != http.StatusBadRequest {
			t.Errorf("POST import %s: %d, want 400", bad, status)
		}
	}
	other, _ := keys.DeriveKey("import-api", "other", keys.ES256, time.Now(), keys.GenerateOptions{KeyID: "imported-es"})
	otherPEM, _ := keys.ExportPEM([]*keys.Key{other})
	if status := e.apiCall("POST", "/keys/import", `{"key": `+jsonString(string(otherPEM))+`}`, nil); status != http.StatusConflict {
		t.Errorf("importing another key under a used kid: %d, want 409", status)
	}
}

// getWith GETs a path and returns the body (200 required).
func (e *testEnv) getWith(path string) []byte { return e.get(path) }

func mustExport(t *testing.T, e *testEnv, private bool) []byte {
	t.Helper()
	b, err := keys.ExportJWKS(publishedKeys(e), private)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publishedKeys(e *testEnv) []*keys.Key {
	var out []*keys.Key
	for _, k := range e.p.sites[0].ring.Keys() {
		if k.Published(e.p.Now()) {
			out = append(out, k)
		}
	}
	return out
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestConfigImport: keys.import makes the imported key sign at start; a
// restart on the same database keeps the ring as it is.
func TestConfigImport(t *testing.T) {
	dir := t.TempDir()
	var imports []KeyImport
	var want []string
	for _, alg := range []keys.Alg{keys.RS256, keys.ES256, keys.EdDSA} {
		k, err := keys.DeriveKey("config-import", string(alg), alg, time.Now(), keys.GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := keys.ExportJWKS([]*keys.Key{k}, true)
		file := filepath.Join(dir, string(alg)+".jwk")
		os.WriteFile(file, data, 0o600)
		imports = append(imports, KeyImport{File: file})
		want = append(want, k.ID)
	}
	cfg := keysConfig(t, KeysConfig{Import: imports})
	cfg.DB = filepath.Join(dir, "testidp.db")
	clock := newFakeClock()
	e := startEnvWith(t, cfg, Options{Now: clock.Now})
	v := e.ring()
	for _, kid := range want {
		if k, ok := v.key(kid); !ok || k.State != "active" {
			t.Errorf("imported key %s: %+v, want active", kid, k)
		}
	}
	if len(v.Keys) != 3 {
		t.Errorf("ring has %d keys, want only the 3 imported (no key generated for an algorithm with an imported one)", len(v.Keys))
	}
	// A rotated-out imported key stays retired across restarts (only a
	// configured key missing from the ring is imported again).
	e.apiCall("POST", "/keys/rotate", `{"alg": "ES256", "publish_ahead": "0s"}`, nil)
	rotated := e.ring()
	e.srv.Close()
	e.p.Close()
	again := startEnvWith(t, cfg, Options{Now: clock.Now}).ring()
	if ringKids(again) != ringKids(rotated) {
		t.Errorf("restart changed the ring:\n before %v\n after  %v", ringKids(rotated), ringKids(again))
	}
}

func ringKids(v ringView) string {
	var b strings.Builder
	for _, k := range v.Keys {
		b.WriteString(k.Kid + ":" + k.State + " ")
	}
	return b.String()
}

// TestSeedReproducible: two :memory: providers with the same seed serve the
// same JWKS, and on a fixed clock mint the same tokens, also after the same
// rotations.
func TestSeedReproducible(t *testing.T) {
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	run := func() (jwks []byte, toks []string) {
		cfg := keysConfig(t, KeysConfig{Seed: "same seed"})
		cfg.Clients = append(cfg.Clients, Client{ID: "ed", Secret: "s", IDTokenAlg: "EdDSA", RedirectURIs: []string{"http://127.0.0.1/cb"}},
			Client{ID: "es", Secret: "s", IDTokenAlg: "ES256", RedirectURIs: []string{"http://127.0.0.1/cb"}})
		e := startEnvWith(t, cfg, Options{})
		e.p.SetNow(fixed)
		e.apiCall("POST", "/keys/rotate", `{"alg": "ES256", "publish_ahead": "0s"}`, nil)
		for _, alg := range []keys.Alg{keys.RS256, keys.ES256, keys.EdDSA} {
			is := issuer.New("http://seed.example", e.p.sites[0].ring, e.p.Now) // the port differs between runs
			tok, err := is.MintIDToken(issuer.IDToken{ClientID: "web", Subject: "alice", Alg: alg, TTL: time.Hour, Nonce: "n"})
			if err != nil {
				t.Fatal(err)
			}
			toks = append(toks, tok.Raw)
		}
		return e.get("/jwks"), toks
	}
	j1, t1 := run()
	j2, t2 := run()
	if string(j1) != string(j2) {
		t.Errorf("same seed, two JWKS:\n%s\n%s", j1, j2)
	}
	for i := range t1 {
		if t1[i] != t2[i] {
			t.Errorf("token %d differs between two runs with the same seed and clock:\n%s\n%s", i, t1[i], t2[i])
		}
	}
	other := startEnvWith(t, keysConfig(t, KeysConfig{Seed: "another seed"}), Options{}).get("/jwks")
	if string(other) == string(j1) {
		t.Error("another seed served the same JWKS")
	}
}

func TestKeysConfigValidation(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	os.WriteFile(garbage, []byte("not a key"), 0o600)
	cfg := Normalize(Config{Keys: KeysConfig{RSABits: 1024, RotateEvery: 500 * time.Millisecond, RetireAfter: -time.Second,
		Import: []KeyImport{{File: missing}, {File: garbage}, {Alg: "HS256", File: garbage}, {}}}})
	err := Validate(cfg)
	for _, want := range []string{"keys.rsa_bits:", "keys.rotate_every:", "keys.retire_after:", "keys.import[0].file:", "keys.import[1].file:", "keys.import[2].alg:", "keys.import[3].file: required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate lacks %q:\n%v", want, err)
		}
	}
	cfg = Normalize(Config{Keys: KeysConfig{RotateEvery: time.Minute, PublishAhead: time.Hour, RetireAfter: 1000 * time.Hour}})
	err = Validate(cfg)
	for _, want := range []string{"keys.publish_ahead:", "keys.retire_after:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate lacks %q:\n%v", want, err)
		}
	}
}

func TestKeysConfigDefaults(t *testing.T) {
	cfg := Normalize(Config{Lifetimes: Lifetimes{IDToken: 5 * time.Minute}, Clients: []Client{{ID: "c", Lifetimes: Lifetimes{AccessToken: 3 * time.Hour}}},
		Keys: KeysConfig{RotateEvery: 30 * time.Second}})
	k := cfg.Keys
	if k.RSABits != 2048 || k.JWKSMaxAge != time.Minute || k.PublishAhead != 30*time.Second || k.RetireAfter != 3*time.Hour {
		t.Errorf("defaults %+v: want rsa 2048, max-age 1m, publish-ahead capped at rotate_every 30s, retire-after the longest token lifetime 3h", k)
	}
	if again := Normalize(cfg).Keys; again.PublishAhead != k.PublishAhead || again.RetireAfter != k.RetireAfter {
		t.Errorf("normalizing twice changed the keys config: %+v", again)
	}
}

// TestServerNoticesExternalChange: a second Store on the same file (what
// `testidp keys --db` is) rotates; the running provider serves the new key
// after its background loop's next visit.
func TestServerNoticesExternalChange(t *testing.T) {
	defer func(d time.Duration) { keyPollInterval = d }(keyPollInterval)
	keyPollInterval = 20 * time.Millisecond
	cfg := keysConfig(t, KeysConfig{})
	cfg.DB = filepath.Join(t.TempDir(), "testidp.db")
	e := startEnvWith(t, cfg, Options{})
	old := headerKid(t, e.clientToken(esClient))
	cfg.Issuer = e.issuer
	cli, err := New(context.Background(), cfg, Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.sites[0].rotateSigningKeyNow(keys.ES256); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if kid := headerKid(t, e.clientToken(esClient)); kid != old {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("5s after another process rotated, the server still signs with %s", old)
}
