package endpoints

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// logBuffer collects JSON log lines from a provider under test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// records decodes the lines whose msg is msg.
func (l *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// find returns the first record whose fields include want.
func find(recs []map[string]any, want map[string]any) map[string]any {
	for _, r := range recs {
		ok := true
		for k, v := range want {
			if r[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	return nil
}

func startLoggedEnv(t *testing.T) (*testEnv, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg := defaultTestConfig(t)
	cfg.Login = LoginAuto
	cfg.Clients = append(cfg.Clients, Client{ID: "pw", Secret: "pw-secret-value", GrantTypes: []string{GrantPassword}})
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return startEnvWith(t, cfg, Options{GenerateKey: pooledKey, Logger: logger}), logs
}

// TestLogs checks the request lines and the token decisions, and that no
// secret, code or token reaches the log.
func TestLogs(t *testing.T) {
	e, logs := startLoggedEnv(t)
	provider := e.provider()
	oc := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: provider.Endpoint(),
		RedirectURL: "http://127.0.0.1/cb", Scopes: []string{oidc.ScopeOpenID, "email"}}
	verifier := oauth2.GenerateVerifier()
	loc := e.authorize(e.browser(), oc.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	code := loc.Query().Get("code")
	tok, err := oc.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	status, cc, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, "service", "service-secret")
	if status != http.StatusOK {
		t.Fatalf("client_credentials: status %d", status)
	}
	status, _, _ = e.postForm("/token", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"not-alice"}}, "pw", "pw-secret-value")
	if status != http.StatusBadRequest {
		t.Fatalf("password grant with a wrong password: status %d, want 400", status)
	}
	status, _, _ = e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, "service", "wrong-secret")
	if status != http.StatusUnauthorized {
		t.Fatalf("client_credentials with a wrong secret: status %d, want 401", status)
	}

	issued := logs.records(t, "token issued")
	ccToken, _ := cc["access_token"].(string)
	for _, want := range []map[string]any{
		{"grant_type": "authorization_code", "kind": "access_token", "client_id": "web", "sub": "alice", "alg": "RS256", "kid": headerKID(t, tok.AccessToken)},
		{"grant_type": "authorization_code", "kind": "id_token", "client_id": "web", "sub": "alice", "alg": "RS256"},
		{"grant_type": "authorization_code", "kind": "refresh_token", "client_id": "web", "sub": "alice"},
		{"grant_type": "client_credentials", "kind": "access_token", "client_id": "service", "sub": "service", "alg": "RS256", "kid": headerKID(t, ccToken)},
	} {
		if find(issued, want) == nil {
			t.Errorf("no \"token issued\" line with %v; lines:\n%v", want, issued)
		}
	}
	refused := logs.records(t, "token refused")
	for _, want := range []map[string]any{
		{"grant_type": "password", "client_id": "pw", "error": "invalid_grant", "status": 400.0},
		{"grant_type": "client_credentials", "client_id": "service", "error": "invalid_client", "status": 401.0},
	} {
		if find(refused, want) == nil {
			t.Errorf("no \"token refused\" line with %v; lines:\n%v", want, refused)
		}
	}
	requests := logs.records(t, "request")
	for _, want := range []map[string]any{
		{"method": "GET", "path": "/.well-known/openid-configuration", "status": 200.0},
		{"method": "GET", "path": "/authorize", "client_id": "web"},
		{"method": "POST", "path": "/token", "status": 200.0, "client_id": "service"},
		{"method": "POST", "path": "/token", "status": 400.0, "client_id": "pw", "error": "invalid_grant"},
	} {
		r := find(requests, want)
		if r == nil {
			t.Errorf("no \"request\" line with %v; lines:\n%v", want, requests)
			continue
		}
		if _, ok := r["duration"].(float64); !ok || r["bytes"] == nil {
			t.Errorf("request line %v lacks duration or bytes", r)
		}
	}

	all := logs.String()
	for name, secret := range map[string]string{
		"web secret": "web-secret", "service secret": "service-secret", "pw secret": "pw-secret-value",
		"wrong password": "not-alice", "access token": tok.AccessToken, "refresh token": tok.RefreshToken,
		"id token": tok.Extra("id_token").(string), "client_credentials token": ccToken,
		"authorization code": code, "code verifier": verifier,
	} {
		if strings.Contains(all, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}

// TestLogQuietAboveInfo: at warn level, no request or token line is written.
func TestLogQuietAboveInfo(t *testing.T) {
	var logs logBuffer
	cfg := defaultTestConfig(t)
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e := startEnvWith(t, cfg, Options{GenerateKey: pooledKey, Logger: logger})
	if status, _, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, "service", "service-secret"); status != 200 {
		t.Fatalf("client_credentials: status %d", status)
	}
	if got := logs.String(); got != "" {
		t.Errorf("log at warn level after a successful request = %q, want nothing", got)
	}
}

// headerKID reads the kid of a JWS header.
func headerKID(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.SplitN(raw, ".", 2)
	var h struct {
		KID string `json:"kid"`
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(b, &h) != nil || h.KID == "" {
		t.Fatalf("no kid in the header of %q", raw)
	}
	return h.KID
}
