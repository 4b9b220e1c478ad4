package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testidp/testidp/endpoints"
)

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// startServe runs `testidp serve` with args until the test ends and returns
// the issuer URL it printed.
func startServe(t *testing.T, args []string, vars map[string]string) string {
	t.Helper()
	return startServeStop(t, args, vars).issuer
}

// served is a `testidp serve` running in the test's process.
type served struct {
	issuer         string
	stdout, stderr *syncBuffer
	// stop cancels serve's context and returns what serve returned.
	stop func() error
}

// startServeStop runs `testidp serve` until stop is called or the test
// ends; serve must return nil.
func startServeStop(t *testing.T, args []string, vars map[string]string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), env(vars), s.stdout, s.stderr) }()
	var once sync.Once
	var result error
	s.stop = func() error {
		once.Do(func() { cancel(); result = <-done })
		return result
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve returned %v after shutdown; stderr:\n%s", err, s.stderr.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(s.stdout.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "issuer:"); ok {
				s.issuer = strings.TrimSpace(v)
				return s
			}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve exited early: %v\nstderr:\n%s", err, s.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no issuer; stdout:\n%s\nstderr:\n%s", s.stdout.String(), s.stderr.String())
	return nil
}

func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "testidp.db")
	issuer := startServe(t, []string{"--addr", "127.0.0.1:0", "--db", db}, nil)
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if resp.StatusCode != 200 || doc["issuer"] != issuer {
		t.Fatalf("discovery: %d, issuer %v; want 200 and %s", resp.StatusCode, doc["issuer"], issuer)
	}
	if !strings.HasPrefix(issuer, "http://localhost:") {
		t.Errorf("issuer derived from 127.0.0.1:0 = %s, want http://localhost:<port>", issuer)
	}
	addr := "127.0.0.1:" + issuer[strings.LastIndex(issuer, ":")+1:]
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr}, env(nil), &syncBuffer{}, &syncBuffer{}); err != nil {
		t.Errorf("healthcheck against the running server: %v", err)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}

func TestHealthcheckFailsWithoutServer(t *testing.T) {
	err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, env(nil), &syncBuffer{}, &syncBuffer{})
	if err == nil {
		t.Error("healthcheck with nothing listening succeeded")
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte("db: from-file.db\nlogin: auto\naddr: 127.0.0.1:9999\nlifetimes: {code: 2m}\n"), 0o600)
	cfg, err := loadConfig("serve", []string{"--config", file, "--addr", "127.0.0.1:7777"},
		env(map[string]string{"TESTIDP_DB": "from-env.db", "TESTIDP_ADDR": "127.0.0.1:8888"}), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7777" || cfg.DB != "from-env.db" || cfg.Login != "auto" {
		t.Errorf("addr %s db %s login %s; want the flag's addr, the environment's db, the file's login", cfg.Addr, cfg.DB, cfg.Login)
	}
	if cfg.Lifetimes.Code != 2*time.Minute || cfg.Lifetimes.IDToken != time.Hour {
		t.Errorf("lifetimes %+v: want code from the file, id_token from the defaults", cfg.Lifetimes)
	}
	if len(cfg.Clients) != 4 || cfg.Clients[0].ID != "web" {
		t.Errorf("a file without clients should keep the default clients, got %d", len(cfg.Clients))
	}
}

func TestConfigErrorsAllAtOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	os.WriteFile(file, []byte(`
login: sometimes
clients:
  - id: a
    secret: short
    id_token_alg: HS256
    redirect_uris: ["not a uri", "https://x.example/cb#frag"]
  - id: a
    grant_types: [magic]
    secrte: typo
users:
  - sub: "has space"
    claims: {iss: x}
`), 0o600)
	_, err := loadConfig("serve", []string{"--config", file}, env(map[string]string{"TESTIDP_LOGIN": ""}), &syncBuffer{})
	var ce *endpoints.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("loadConfig: %v, want a ConfigError", err)
	}
	if !strings.Contains(err.Error(), `clients[1].secrte: line 10: unknown field "secrte"`) {
		t.Errorf("unknown field not reported with its path and line:\n%v", err)
	}
	// Fix the unknown field: then validation reports every problem at once.
	os.WriteFile(file, []byte(strings.Replace(mustRead(t, file), "    secrte: typo\n", "", 1)), 0o600)
	_, err = loadConfig("serve", []string{"--config", file}, env(nil), &syncBuffer{})
	for _, want := range []string{"login:", "clients[0].secret:", "clients[0].redirect_uris[0]:", "clients[0].redirect_uris[1]:",
		"clients[1].id:", "clients[1].grant_types[0]:", "users[0].sub:", "users[0].claims.iss:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validation error lacks %q:\n%v", want, err)
		}
	}
	_, err = loadConfig("serve", nil, env(map[string]string{"TESTIDP_LOGIN": "never"}), &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "login (from environment variable TESTIDP_LOGIN)") {
		t.Errorf("bad env value not traced to its variable: %v", err)
	}
}

func mustRead(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUsageErrors(t *testing.T) {
	if code := runMain([]string{"frobnicate"}, env(nil), &syncBuffer{}, &syncBuffer{}); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	if code := runMain([]string{"serve", "--no-such-flag"}, env(nil), &syncBuffer{}, &syncBuffer{}); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	var out syncBuffer
	if code := runMain([]string{"version"}, env(nil), &out, &syncBuffer{}); code != 0 || !strings.HasPrefix(out.String(), "testidp ") {
		t.Errorf("version: exit %d, output %q", code, out.String())
	}
}
