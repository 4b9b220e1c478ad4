package issuer

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// The environments rows 3–27 and 62–72 meet besides the fixed world:
// other encryption registrations, access tokens, harness URLs.

// TestJWERegistrations forges jwe-nested-valid for each kind of
// registration and decrypts it as that client would.
func TestJWERegistrations(t *testing.T) {
	rsaKey := deriveT[*rsa.PrivateKey](t, "client rsa", keys.RS256)
	p384 := deriveT[*ecdsa.PrivateKey](t, "client p384", keys.ES384)
	sum256, sum512 := sha256.Sum256([]byte(goldenSecret)), sha512.Sum512([]byte(goldenSecret))
	for _, c := range []struct {
		name     string
		key      *jose.JSONWebKey
		alg, enc string
		wantAlg  string
		wantEnc  string
		decrypt  any
	}{
		{"rsa default", &jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "r1"}, "", "", "RSA-OAEP", "A128CBC-HS256", rsaKey},
		{"rsa-oaep-256 a256gcm", &jose.JSONWebKey{Key: &rsaKey.PublicKey}, "RSA-OAEP-256", "A256GCM", "RSA-OAEP-256", "A256GCM", rsaKey},
		{"ec default", &jose.JSONWebKey{Key: worldKey(t).Public()}, "", "", "ECDH-ES", "A128CBC-HS256", worldKey(t)},
		{"p384 ecdh-es+a256kw", &jose.JSONWebKey{Key: &p384.PublicKey, Algorithm: "ECDH-ES+A256KW"}, "", "A256CBC-HS512", "ECDH-ES+A256KW", "A256CBC-HS512", p384},
		{"ecdh-es a128gcm", &jose.JSONWebKey{Key: worldKey(t).Public()}, "ECDH-ES", "A128GCM", "ECDH-ES", "A128GCM", worldKey(t)},
		{"a128kw from secret", nil, "A128KW", "", "A128KW", "A128CBC-HS256", sum256[:16]},
		{"dir from secret", nil, "dir", "", "dir", "A128CBC-HS256", sum256[:]},
		{"dir a256cbc-hs512", nil, "dir", "A256CBC-HS512", "dir", "A256CBC-HS512", sum512[:]},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newFaultWorld(t)
			env := w.env()
			env.EncryptionKey, env.EncryptionAlg, env.EncryptionEnc = c.key, c.alg, c.enc
			f, _, _, err := w.is.Forge(env, "jwe-nested-valid")
			if err != nil {
				t.Fatalf("Forge: %v", err)
			}
			h := headerOf(t, f.Last().Token)
			if h["alg"] != c.wantAlg || h["enc"] != c.wantEnc || h["cty"] != "JWT" {
				t.Errorf("header %v, want alg %s enc %s cty JWT", h, c.wantAlg, c.wantEnc)
			}
			inner, err := decryptWith(f.Last().Token, c.decrypt)
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			rs, _ := w.ring.Active(keys.RS256)
			wantSig(t, string(inner), "RS256", rs.Signer().Public())
		})
	}
}

func deriveT[T any](t *testing.T, label string, alg keys.Alg) T {
	t.Helper()
	k, err := keys.Derive("testidp golden", label, alg, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k.(T)
}

func worldKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := worldEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEncryptionNeeds: the JWE cases say what is missing instead of
// guessing.
func TestEncryptionNeeds(t *testing.T) {
	rsaKey := deriveT[*rsa.PrivateKey](t, "client rsa", keys.RS256)
	for _, c := range []struct {
		name, ref string
		change    func(*FaultEnv)
	}{
		{"no key", "jwe-nested-valid", func(e *FaultEnv) { e.EncryptionKey = nil }},
		{"no secret for A128KW", "jwe-nested-valid", func(e *FaultEnv) { e.EncryptionAlg, e.Spec.Secret = "A128KW", "" }},
		{"epk with an RSA key", "jwe-epk-invalid-curve#off-curve", func(e *FaultEnv) {
			e.EncryptionKey = &jose.JSONWebKey{Key: &rsaKey.PublicKey}
		}},
		{"epk with A128KW", "jwe-epk-invalid-curve#infinity", func(e *FaultEnv) { e.EncryptionAlg = "A128KW" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newFaultWorld(t)
			env := w.env()
			c.change(&env)
			if _, _, _, err := w.is.Forge(env, c.ref); !errors.Is(err, ErrFaultNeeds) {
				t.Errorf("Forge(%s) = %v, want ErrFaultNeeds", c.ref, err)
			}
		})
	}
}

// TestEPKOnP384: the invalid points follow the client's curve.
func TestEPKOnP384(t *testing.T) {
	p384 := deriveT[*ecdsa.PrivateKey](t, "client p384", keys.ES384)
	for v, wantCrv := range map[string]string{"off-curve": "P-384", "small-order": "P-384", "wrong-crv": "P-256", "infinity": "P-384"} {
		w := newFaultWorld(t)
		env := w.env()
		env.EncryptionKey = &jose.JSONWebKey{Key: &p384.PublicKey, Algorithm: "ECDH-ES"}
		f, _, _, err := w.is.Forge(env, "jwe-epk-invalid-curve#"+v)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		epk, _ := headerOf(t, f.Last().Token)["epk"].(map[string]any)
		x, _ := b64.DecodeString(epk["x"].(string))
		if epk["crv"] != wantCrv || len(x) != map[string]int{"P-256": 32, "P-384": 48}[wantCrv] {
			t.Errorf("%s: epk %v, want crv %s", v, epk, wantCrv)
		}
		if _, err := decryptWith(f.Last().Token, p384); err == nil {
			t.Errorf("%s: go-jose decrypts it", v)
		}
	}
}

// idTokenOnly are the variants of rows 3–27 and 62–72 that have no
// access-token form.
var idTokenOnly = []string{
	"alg-none-registered", "alg-hs-client-secret",
	"typ-at-jwt#at+jwt", "typ-at-jwt#application/at+jwt", "typ-at-jwt#secevent+jwt", "typ-at-jwt#dpop+jwt",
	"benign-header-variants#no-typ", "benign-header-variants#typ-JWT", "benign-header-variants#typ-lowercase",
	"jwe-inner-unverified#inner-none", "jwe-inner-unverified#inner-bad-sig", "jwe-inner-unverified#inner-foreign-key",
	"jwe-bare-claims", "jwe-bare-claims#to-op-sig-key", "enc-expected-missing",
	"jwe-epk-invalid-curve#off-curve", "jwe-epk-invalid-curve#small-order", "jwe-epk-invalid-curve#wrong-crv",
	"jwe-epk-invalid-curve#infinity", "jwe-nested-valid",
}

// TestAccessTokenFaults: every variant of these rows either refuses an
// access-token environment with ErrFaultNeeds or breaks the access token
// (typ at+jwt, jti, client_id kept).
func TestAccessTokenFaults(t *testing.T) {
	for _, m := range Manifest() {
		c, _, _ := LookupFault(m.Ref)
		if c.Row < 3 || (c.Row > 27 && c.Row < 62) || c.Row > 72 {
			continue
		}
		t.Run(m.Ref, func(t *testing.T) {
			w := newFaultWorld(t)
			env := w.env()
			env.Kind, env.Access = KindAccessToken, AccessToken{ClientID: "web", Subject: "alice", Scope: "openid"}
			f, _, _, err := w.is.Forge(env, m.Ref)
			if slices.Contains(idTokenOnly, m.Ref) {
				if !errors.Is(err, ErrFaultNeeds) || !strings.Contains(err.Error(), ": ") {
					t.Errorf("Forge = %v, want ErrFaultNeeds with a reason", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Forge: %v", err)
			}
			for i, s := range f.Steps {
				if p := string(s.Payload); !strings.Contains(p, `"client_id":"web"`) || !strings.Contains(p, `"jti":`) {
					t.Errorf("step %d payload %s is not an access token", i, p)
				}
				if h := string(s.Header); !strings.Contains(h, `"typ":"at+jwt"`) {
					t.Errorf("step %d header %s lost typ at+jwt", i, h)
				}
			}
		})
	}
}

// TestRogueURLs: the harness's URL is used as it is, and on the issuer's
// host for same-host.
func TestRogueURLs(t *testing.T) {
	for _, c := range []struct {
		ref, rogue, jwksURI, want string
	}{
		{"jku-injection", "https://harness.test/r/1?case=a", "", "https://harness.test/r/1?case=a"},
		{"jku-injection#same-host", "https://harness.test/r/1?case=a", "https://op.example/t1/jwks", "https://op.example/r/1?case=a"},
		{"jku-injection#same-host", "", "https://op.example/t1/jwks", "https://op.example/t1/rogue-jwks.json"},
		{"x5-header-injection#x5u", "https://harness.test/r/2", "", "https://harness.test/r/2"},
	} {
		w := newFaultWorld(t)
		env := w.env()
		env.RogueURL, env.JWKSURI = c.rogue, c.jwksURI
		f, _, _, err := w.is.Forge(env, c.ref)
		if err != nil {
			t.Fatalf("Forge(%s): %v", c.ref, err)
		}
		member := "jku"
		if strings.HasPrefix(c.ref, "x5") {
			member = "x5u"
		}
		if got := headerOf(t, f.Last().Token)[member]; got != c.want || f.RogueURL != c.want {
			t.Errorf("%s with RogueURL %q: %s %v, rogue at %q; want %s", c.ref, c.rogue, member, got, f.RogueURL, c.want)
		}
	}
	w := newFaultWorld(t)
	env := w.env()
	env.JWKSURI = ""
	if _, _, _, err := w.is.Forge(env, "jku-injection#same-host"); !errors.Is(err, ErrFaultNeeds) {
		t.Errorf("same-host without a jwks_uri: %v, want ErrFaultNeeds", err)
	}
}
