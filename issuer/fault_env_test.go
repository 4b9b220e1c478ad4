package issuer

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// The fault tests run in a fixed world: derived keys, a fixed clock, the
// issuer https://op.example, client web (secret long enough for HS256) and
// user alice. Golden files depend on it.
var (
	goldenNow    = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	goldenIssuer = "https://op.example"
	goldenSecret = "hs256-secret-0123456789abcdef0123"
)

// faultWorld is an issuer with a rotatable ring, as endpoints provides it.
type faultWorld struct {
	mu      sync.Mutex
	is      *Issuer
	ring    *keys.Ring
	rotated int
	// enc is the client's encryption key pair (P-256, ECDH-ES+A128KW).
	enc *ecdsa.PrivateKey
}

// worldEncryptionKey is the client's private encryption key in the fixed
// world; the JWE cases encrypt to its public half.
func worldEncryptionKey() (*ecdsa.PrivateKey, error) {
	k, err := keys.Derive("testidp golden", "client encryption", keys.ES256, 0)
	if err != nil {
		return nil, err
	}
	return k.(*ecdsa.PrivateKey), nil
}

func newFaultWorld(t testing.TB) *faultWorld {
	t.Helper()
	var ks []*keys.Key
	for _, alg := range keys.RingAlgs {
		k, err := keys.DeriveKey("testidp golden", "ring", alg, goldenNow, keys.GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k.WithState(keys.Active, goldenNow))
	}
	ring, err := keys.NewRing(goldenNow, ks...)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := worldEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return &faultWorld{is: New(goldenIssuer, ring, func() time.Time { return goldenNow }), ring: ring, enc: enc}
}

// env is the FaultEnv of the world, with rotation hooks on its ring.
func (w *faultWorld) env() FaultEnv {
	return FaultEnv{
		Spec:    IDToken{ClientID: "web", Subject: "alice", Secret: goldenSecret},
		JWKSURI: goldenIssuer + "/jwks",
		EncryptionKey: &jose.JSONWebKey{Key: &w.enc.PublicKey, KeyID: "web-enc-1", Use: "enc",
			Algorithm: string(jose.ECDH_ES_A128KW)},
		Rotate: func(alg keys.Alg) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.rotated++
			k, err := keys.DeriveKey("testidp golden", fmt.Sprintf("rotation %d", w.rotated), alg, goldenNow, keys.GenerateOptions{})
			if err != nil {
				return err
			}
			var next []*keys.Key
			for _, old := range w.ring.Keys() {
				if old.Alg == alg && old.State == keys.Active {
					old = old.WithState(keys.Retired, goldenNow)
				}
				next = append(next, old)
			}
			return w.ring.Set(goldenNow, append(next, k.WithState(keys.Active, goldenNow)))
		},
		Unpublish: func(kid string) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			var next []*keys.Key
			for _, k := range w.ring.Keys() {
				if k.ID == kid {
					k = k.WithRemoveAt(goldenNow)
				}
				next = append(next, k)
			}
			return w.ring.Set(goldenNow, next)
		},
	}
}

// forge builds a case variant in a fresh world.
func forge(t *testing.T, ref string) (*Forged, *faultWorld) {
	t.Helper()
	w := newFaultWorld(t)
	f, _, _, err := w.is.Forge(w.env(), ref)
	if err != nil {
		t.Fatalf("Forge(%s): %v", ref, err)
	}
	return f, w
}

// decodePart base64url-decodes one part of a compact token, strictly.
func decodePart(t *testing.T, token string, i int) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	if i >= len(parts) {
		t.Fatalf("token has %d parts, want part %d: %q", len(parts), i, token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("part %d of %q: %v", i, token, err)
	}
	return b
}

// jsonObject decodes a JSON object (encoding/json keeps the last of
// duplicate members).
func jsonObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return m
}

// baselineClaims is B's payload in the fixed world, decoded.
func baselineClaims(t *testing.T) map[string]any {
	f, _ := forge(t, "baseline-valid#RS256")
	return jsonObject(t, decodePart(t, f.Last().Token, 1))
}

// changedMembers lists the members of got that differ from base (added,
// removed or changed), sorted.
func changedMembers(base, got map[string]any) []string {
	var out []string
	for k, v := range got {
		if b, ok := base[k]; !ok || fmt.Sprint(b) != fmt.Sprint(v) {
			out = append(out, k)
		}
	}
	for k := range base {
		if _, ok := got[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
