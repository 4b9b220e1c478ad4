package endpoints

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// mintEnv is a provider with a client that has registered everything the
// catalog can need: an HS256-strength secret and an encryption key.
func mintEnv(t *testing.T) *testEnv {
	encKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: encKey.Public(), KeyID: "enc-1", Use: "enc", Algorithm: "ECDH-ES+A128KW"}}})
	var jwks map[string]any
	_ = json.Unmarshal(pub, &jwks)
	return startEnv(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "rp", Secret: "rp-secret-0123456789abcdef0123456789", JWKS: jwks,
			TokenEndpointAuthMethod: AuthClientSecretBasic, IDTokenEncryptedResponseAlg: "ECDH-ES+A128KW",
			RedirectURIs: []string{"http://127.0.0.1/cb"}})
	})
}

// mint calls the mint API.
func (e *testEnv) mint(body string) (int, map[string]any) {
	e.t.Helper()
	return e.api("POST", "/mint", body, "")
}

func TestMintAPI(t *testing.T) {
	e := startEnv(t, nil)
	prov := e.provider()
	ctx := context.Background()
	verify := prov.Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now})

	status, got := e.mint(`{}`)
	if status != 200 || got["expect"] != "must-accept" {
		t.Fatalf("default mint: %d %v", status, got)
	}
	idt, err := verify.Verify(ctx, got["token"].(string))
	if err != nil || idt.Subject != "alice" {
		t.Fatalf("default token does not verify: %v %v", idt, err)
	}

	_, got = e.mint(`{"sub": "carol", "claims": {"email": null, "groups": ["a"], "iss": "https://evil.example"}, "header": {"x-test": 1}, "aud": ["web", "api"]}`)
	claims := got["claims"].(map[string]any)
	if claims["sub"] != "carol" || claims["email"] != nil || claims["iss"] != "https://evil.example" || len(claims["aud"].([]any)) != 2 {
		t.Errorf("claims not applied as asked: %v", claims)
	}
	if got["header"].(map[string]any)["x-test"] != float64(1) {
		t.Errorf("header member not added: %v", got["header"])
	}

	_, got = e.mint(`{"ttl": "-1h"}`)
	if _, err := verify.Verify(ctx, got["token"].(string)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("ttl -1h: %v, want an expired token", err)
	}
	_, got = e.mint(`{"kind": "access_token", "client_id": "service", "sub": "service", "scope": "read"}`)
	verifyAccessJWT(t, e, got["token"].(string), "RS256")

	_, got = e.mint(`{"fault": "iss-wrong#suffix"}`)
	if got["expect"] != "must-reject" || got["fault"] != "iss-wrong#suffix" || got["claims"].(map[string]any)["iss"] != e.issuer+"1" {
		t.Errorf("fault mint: %v", got)
	}
	if _, err := verify.Verify(ctx, got["token"].(string)); err == nil {
		t.Error("go-oidc accepted iss-wrong#suffix")
	}
}

func TestMintStateful(t *testing.T) {
	e := startEnv(t, nil)
	before := kids(t, e.get("/jwks"))
	_, got := e.mint(`{"fault": "rotation-new-kid"}`)
	if steps := got["steps"].([]any); len(steps) != 2 {
		t.Fatalf("rotation-new-kid: %d steps", len(steps))
	}
	after := kids(t, e.get("/jwks"))
	if len(after) != len(before)+1 {
		t.Errorf("JWKS kids before %v, after %v: the rotation should have published a new key", before, after)
	}
	// The last token verifies against the JWKS now served.
	if _, err := e.provider().Verifier(&oidc.Config{ClientID: "web", Now: e.clock.Now}).Verify(context.Background(), got["token"].(string)); err != nil {
		t.Errorf("token after rotation: %v", err)
	}

	_, got = e.mint(`{"fault": "kid-absent-single"}`)
	served := e.get("/jwks")
	var set struct{ Keys []map[string]any }
	_ = json.Unmarshal(served, &set)
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != nil {
		t.Errorf("kid-absent-single: the JWKS served is %s, want one key without kid", served)
	}
	e.api("POST", "/jwks", `{"behaviour": "normal"}`, "")

	_, got = e.mint(`{"fault": "jku-injection#same-host"}`)
	rogue := got["rogue"].(map[string]any)
	resp, err := http.Get(rogue["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"keys"`) {
		t.Errorf("rogue JWKS at %s: %d %s", rogue["url"], resp.StatusCode, body)
	}
	_, list := e.apiList("GET", "/rogue")
	if len(list) != 1 || list[0].(map[string]any)["fetches"] != float64(1) {
		t.Errorf("rogue fetch not counted: %v", list)
	}
	if doc, _ := rogue["document"].(string); doc != string(body) {
		t.Errorf("mint answer's rogue document %q, want what the URL serves %q", doc, body)
	}
}

// TestMintStepContext: each step carries what the relying party sent or
// trusts, which a harness must pass to the verifier.
func TestMintStepContext(t *testing.T) {
	e := startEnv(t, nil)
	for _, tc := range []struct{ fault, field string }{
		{"c-hash-wrong#s-hash", "state"},
		{"auth-time-missing#acr-low", "acr_values"},
		{"aud-multi-trusted-azp#trusted-extra", "trusted_audiences"},
		{"auth-time-missing#stale", "max_age"},
	} {
		status, got := e.mint(`{"fault": "` + tc.fault + `"}`)
		steps, _ := got["steps"].([]any)
		if status != 200 || len(steps) == 0 {
			t.Fatalf("mint %s: %d %v", tc.fault, status, got)
		}
		if v := steps[len(steps)-1].(map[string]any)[tc.field]; v == nil || v == "" {
			t.Errorf("mint %s: last step has no %s: %v", tc.fault, tc.field, steps[len(steps)-1])
		}
	}
}

func TestMintBadInput(t *testing.T) {
	e := startEnv(t, nil)
	for _, body := range []string{`{"fault": "no-such-case"}`, `{"fault": "iss-wrong#nope"}`, `{"client_id": "ghost"}`,
		`{"ttl": "soon"}`, `{"ttl": 0}`, `{"aud": 42}`, `{"aud": []}`, `{"kind": "refresh_token"}`, `{"alg": "RS999"}`,
		`{"fault": "iss-wrong", "header": {"x": 1}}`, `{"fault": "iss-wrong", "claims": {"sub": null}}`,
		`{"fault": "jwe-nested-valid"}`, `{"fault": "baseline-valid#HS256"}`, `{"unknown": 1}`, `[1]`, `{"claims": {"x": }}`} {
		status, got := e.mint(body)
		if status != 400 || got["error"] != "invalid_request" || got["error_description"] == "" {
			t.Errorf("mint %s: %d %v, want 400 invalid_request with a reason", body, status, got)
		}
	}
}

// TestMintEveryVariant mints the whole catalog through the HTTP API, for a
// client that registered a long secret and an encryption key: every case
// and variant must be producible there.
func TestMintEveryVariant(t *testing.T) {
	e := mintEnv(t)
	resp, err := http.Get(e.issuer + "/_testidp/faults")
	if err != nil {
		t.Fatal(err)
	}
	var manifest []struct{ Ref, Expect string }
	_ = json.NewDecoder(resp.Body).Decode(&manifest)
	resp.Body.Close()
	for _, m := range manifest {
		status, got := e.mint(`{"client_id": "rp", "fault": "` + m.Ref + `"}`)
		if status != 200 {
			if m.Ref == "iss-near-miss#default-port" && strings.Contains(toString(got["error_description"]), "no default-port spelling") {
				continue // the test server runs on a non-default port
			}
			t.Errorf("%s: %d %v", m.Ref, status, got)
			continue
		}
		if got["expect"] != m.Expect || got["token"] == "" {
			t.Errorf("%s: expect %v, want %s", m.Ref, got["expect"], m.Expect)
		}
		e.api("POST", "/jwks", `{"behaviour": "normal"}`, "")
	}
}

func toString(v any) string { s, _ := v.(string); return s }
