package endpoints

import (
	"encoding/json"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// jwksBehaviour is how the JWKS endpoint answers instead of normally, as a
// verifier test switched it through {issuer}/_testidp/jwks.
type jwksBehaviour struct {
	Name        string
	Delay       time.Duration // slow
	Unusable    []string      // extra_unusable: which unusable keys
	Status      int           // custom
	ContentType string        // custom
	Body        []byte        // custom
}

// The JWKS behaviours, each with what it serves and what a correct verifier
// does with it. GET {issuer}/_testidp/jwks lists them; the README's table is
// this one.
var jwksBehaviours = []struct {
	Name     string `json:"name"`
	Serves   string `json:"serves"`
	Verifier string `json:"verifier"`
}{
	{"normal", "the published keys, with Cache-Control max-age (keys.jwks_max_age) and a strong ETag; If-None-Match gets 304",
		"verifies with the published keys; re-fetches when max-age has passed or on an unknown kid (at most once per token, rate-limited), sending If-None-Match"},
	{"error", "HTTP 500 with a JSON error body",
		"keeps verifying with the keys it has cached, rejects tokens whose kid it has not got, and retries later; never accepts a token it could not verify"},
	{"slow", "the normal answer after a delay (\"delay\", default 5s, at most 5m)",
		"gives up after its own timeout and then acts as for error; its own requests do not hang"},
	{"empty", `{"keys":[]}`,
		"rejects every token (no key verifies it); an empty set never means \"no verification needed\""},
	{"invalid_json", "a truncated JSON document with Content-Type application/json",
		"treats the answer as a failed fetch (as for error): no crash, and its cached keys are not replaced by nothing"},
	{"extra_unusable", "before the real keys, keys it cannot use (\"unusable\": any of kty = unknown key type, crv = Ed448, alg = unknown algorithm, n = malformed RSA modulus; default all)",
		"ignores the keys it cannot use (RFC 7517 §5) and verifies with the real one: accepts"},
	{"no_kid", "the real keys without their kid (tokens still carry a kid)",
		"either tries the keys that fit the token's alg (a kid is a hint, RFC 7515 §4.1.4) and accepts, or rejects for want of a matching kid; never crashes, never accepts a token no key verifies"},
	{"duplicate_kid", "each real key preceded by another key of the same type under the same kid",
		"tries every key with the token's kid and accepts (RFC 7517 §4.5: kids SHOULD, not MUST, be distinct); a verifier that only tries the first match wrongly rejects"},
	{"custom", "exactly the given \"body\" (a JSON value, or a string for any bytes), \"status\" (default 200) and \"content_type\" (default application/json)",
		"whatever the test that set it expects"},
}

func knownBehaviour(name string) bool {
	for _, b := range jwksBehaviours {
		if b.Name == name {
			return true
		}
	}
	return false
}

// unusableKinds are the unusable keys extra_unusable can add, in order.
var unusableKinds = []string{"kty", "crv", "alg", "n"}

// serveBehaviour answers as b says. Behaviour answers carry Cache-Control
// no-store and no ETag, so that a verifier meets the normal set again as
// soon as the test switches back.
func (j *jwksServer) serveBehaviour(w http.ResponseWriter, r *http.Request, b *jwksBehaviour) {
	status, contentType := http.StatusOK, "application/json"
	var body []byte
	switch b.Name {
	case "slow":
		t := time.NewTimer(b.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			j.serveNormal(w, r)
		case <-r.Context().Done():
		}
		return
	case "error":
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error","error_description":"JWKS behaviour \"error\" set through the testing API"}`)
	case "empty":
		body = []byte(`{"keys":[]}`)
	case "invalid_json":
		body = []byte(`{"keys":[{"kty":"RSA","kid":"trunc`)
	case "custom":
		status, contentType, body = b.Status, b.ContentType, b.Body
	default:
		body = j.derivedSet(b)
	}
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// derivedSet builds the JWK Sets made from the ring's published keys:
// extra_unusable, no_kid and duplicate_kid.
func (j *jwksServer) derivedSet(b *jwksBehaviour) []byte {
	var out []any
	if b.Name == "extra_unusable" {
		for _, kind := range b.Unusable {
			out = append(out, unusableKey(kind))
		}
	}
	for _, k := range j.ring.PublicSet().Keys {
		switch b.Name {
		case "no_kid":
			k.KeyID = ""
		case "duplicate_kid":
			if d := decoyKey(k); d != nil {
				out = append(out, *d)
			}
		}
		out = append(out, k)
	}
	if out == nil {
		out = []any{}
	}
	body, _ := json.Marshal(struct {
		Keys []any `json:"keys"`
	}{out})
	return body
}

// unusableKey is a JWK a verifier cannot use, of the given kind.
func unusableKey(kind string) any {
	switch kind {
	case "kty":
		return json.RawMessage(`{"kty":"HSS-LMS","kid":"testidp-unusable-kty","use":"sig","pub":"ww6ABH6141XG9Bk6P_d_yBA4VvxvvSqnlyDA4pFnJ5Q"}`)
	case "crv":
		return json.RawMessage(`{"kty":"OKP","crv":"Ed448","kid":"testidp-unusable-crv","use":"sig","alg":"EdDSA","x":"7Nbn3evaokXI1PlDBlOf0xAlHeQYf2AdMiNIN5mw5nqRLLTSJNuKfJx0B5MMocMkYm-JTxfmFWLH"}`)
	case "alg":
		jwk := decoyKey(jose.JSONWebKey{Algorithm: string(keys.ES256)})
		if jwk == nil {
			return nil
		}
		jwk.KeyID, jwk.Algorithm = "testidp-unusable-alg", "ESP256"
		return *jwk
	}
	return json.RawMessage(`{"kty":"RSA","kid":"testidp-unusable-n","use":"sig","alg":"RS256","n":"not+base64url/=","e":"AQAB"}`)
}

// decoyKey is a public key of the same type as k (derived once per process
// from a fixed seed) under k's kid, alg and use.
func decoyKey(k jose.JSONWebKey) *jose.JSONWebKey {
	alg := keys.Alg(k.Algorithm)
	signer, err := keys.Derive("testidp jwks decoy", string(alg), alg, 0)
	if err != nil {
		return nil
	}
	return &jose.JSONWebKey{Key: signer.Public(), KeyID: k.KeyID, Algorithm: k.Algorithm, Use: "sig"}
}
