package endpoints

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// esClient signs its access tokens with ES256 (client_credentials).
var esClient = Client{ID: "svc-es", Secret: "svc-es-secret", GrantTypes: []string{GrantClientCredentials}, AccessTokenAlg: "ES256"}

// keysConfig is the default configuration with the ES256 client and the
// given keys settings; a seed makes keys fast to create (derived, cached).
func keysConfig(t *testing.T, k KeysConfig) Config {
	t.Helper()
	cfg := defaultTestConfig(t)
	cfg.Clients = append(cfg.Clients, esClient)
	if k.Seed == "" {
		k.Seed = "endpoints-keys-test"
	}
	cfg.Keys = k
	return cfg
}

// apiCall calls the testing API and decodes the JSON answer into out (when
// not nil); it returns the status.
func (e *testEnv) apiCall(method, path, body string, out any) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.issuer+"/_testidp"+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: status %d, body is not the expected JSON (%v): %s", method, path, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode
}

// ring reads GET /_testidp/keys.
func (e *testEnv) ring() ringView {
	e.t.Helper()
	var v ringView
	if status := e.apiCall("GET", "/keys", "", &v); status != http.StatusOK {
		e.t.Fatalf("GET /_testidp/keys: %d", status)
	}
	return v
}

// key finds a kid in a ring view; ok is false when it is not there.
func (v ringView) key(kid string) (keyView, bool) {
	for _, k := range v.Keys {
		if k.Kid == kid {
			return k, true
		}
	}
	return keyView{}, false
}

// keysOf lists the kids of one algorithm in a state.
func (v ringView) keysOf(alg, state string) []string {
	var out []string
	for _, k := range v.Keys {
		if k.Alg == alg && k.State == state {
			out = append(out, k.Kid)
		}
	}
	return out
}

// published reports whether kid is in the served JWKS.
func (e *testEnv) published(kid string) bool {
	e.t.Helper()
	return slices.Contains(kids(e.t, e.get("/jwks")), kid)
}

// clientToken gets a client_credentials access token.
func (e *testEnv) clientToken(c Client) string {
	e.t.Helper()
	status, body, _ := e.postForm("/token", url.Values{"grant_type": {"client_credentials"}}, c.ID, c.Secret)
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		e.t.Fatalf("client_credentials for %s: %d %v", c.ID, status, body)
	}
	return tok
}

// headerKid is the kid of a JWS.
func headerKid(t *testing.T, tok string) string {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct{ Kid string }
	if err := json.Unmarshal(b, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.Kid
}

// verifier is go-oidc's verifier over a RemoteKeySet of the env's jwks_uri,
// on the env's clock, for access tokens (no audience check).
func (e *testEnv) verifier() *oidc.IDTokenVerifier {
	ks := oidc.NewRemoteKeySet(context.Background(), e.issuer+"/jwks")
	return oidc.NewVerifier(e.issuer, ks, &oidc.Config{SkipClientIDCheck: true, Now: e.p.Now,
		SupportedSigningAlgs: []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"}})
}

func mustVerify(t *testing.T, v *oidc.IDTokenVerifier, what, tok string) {
	t.Helper()
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Errorf("go-oidc rejects %s (kid %s): %v", what, headerKid(t, tok), err)
	}
}

// at returns a pointer's time or the zero time.
func at(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}
