package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testidp/testidp/endpoints"
)

func TestServeSeveralIssuers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte(`
profile: google
issuers:
  - path: /realms/acme
    profile: keycloak
  - path: /tenant-b
    profile: mine
profiles:
  mine:
    description: a profile of the configuration
    id_token: {claims: {tenant: b}}
`), 0o600)
	issuer := startServe(t, []string{"--config", file, "--addr", "127.0.0.1:0", "--db", ":memory:"}, nil)
	cases := []struct {
		path, member, want string
	}{
		{"", "jwks_uri", "/oauth2/v3/certs"},
		{"/realms/acme", "token_endpoint", "/realms/acme/protocol/openid-connect/token"},
		{"/tenant-b", "token_endpoint", "/tenant-b/token"},
	}
	for _, tc := range cases {
		resp, err := http.Get(issuer + tc.path + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		_ = jsonDecode(resp, &doc)
		resp.Body.Close()
		if doc["issuer"] != issuer+tc.path || doc[tc.member] != issuer+tc.want {
			t.Errorf("discovery of %s%s: issuer %v, %s %v; want %s%s", issuer, tc.path, doc["issuer"], tc.member, doc[tc.member], issuer, tc.want)
		}
	}
}

func TestProfileSettings(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		vars  map[string]string
		check func(t *testing.T, cfg endpoints.Config)
	}{
		{"profile from the environment moves the issuer", []string{"--issuer", "http://localhost:8080"}, map[string]string{"TESTIDP_PROFILE": "keycloak"},
			func(t *testing.T, cfg endpoints.Config) {
				if cfg.Issuer != "http://localhost:8080/realms/testidp" || cfg.Lifetimes.AccessToken != 5*time.Minute {
					t.Errorf("issuer %s, access token lifetime %v; want the keycloak realm path and 5m", cfg.Issuer, cfg.Lifetimes.AccessToken)
				}
			}},
		{"a profile's clients replace the built-in ones", []string{"--profile", "shopify-session"}, nil,
			func(t *testing.T, cfg endpoints.Config) {
				if len(cfg.Clients) != 1 || cfg.Clients[0].ID != "shopify-app" || cfg.Clients[0].IDTokenAlg != "HS256" || cfg.Users[0].Sub != "42" {
					t.Errorf("clients %+v users %+v; want the profile's", cfg.Clients, cfg.Users)
				}
			}},
		{"a profile without clients keeps the built-in ones", []string{"--profile", "auth0"}, nil,
			func(t *testing.T, cfg endpoints.Config) {
				if len(cfg.Clients) != 4 || cfg.Lifetimes.IDToken != 10*time.Hour {
					t.Errorf("%d clients, id_token lifetime %v; want the 4 built-in clients and auth0's 10h", len(cfg.Clients), cfg.Lifetimes.IDToken)
				}
			}},
		{"issuer from request flag", []string{"--issuer-from-request"}, nil,
			func(t *testing.T, cfg endpoints.Config) {
				if !cfg.IssuerFromRequest {
					t.Error("--issuer-from-request did not set issuer_from_request")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := loadConfig("serve", tc.args, env(tc.vars), &syncBuffer{})
			if err != nil {
				t.Fatalf("loadConfig(%v, %v): %v", tc.args, tc.vars, err)
			}
			tc.check(t, cfg)
		})
	}
}

func TestIssuerConfigErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	os.WriteFile(file, []byte(`
issuers:
  - path: realms/a
    clients: [{id: "", secret: s}]
  - path: /token
    profile: okta
`), 0o600)
	_, err := loadConfig("serve", []string{"--config", file}, env(map[string]string{"TESTIDP_ISSUER_FROM_REQUEST": "maybe"}), &syncBuffer{})
	for _, want := range []string{
		`issuer_from_request (from environment variable TESTIDP_ISSUER_FROM_REQUEST): "maybe": must be true or false`,
		`issuers[0].path: "realms/a" must start with /`,
		"issuers[0].clients[0].id: required",
		`issuers[1].profile: "okta" is not a profile; known: [auth0 entra github-actions google keycloak kubernetes shopify-session web3auth]`,
		`issuers[1].path: "/token" would hide the endpoint /token`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("loadConfig: error lacks %q:\n%v", want, err)
		}
	}
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
