package issuer

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// Defect checks for rows 62–68.
func init() {
	defects["kid-absent-multiple"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "kid", nil))
		wantClaimsB(t, d, d.last.Token)
		set := jwkSet(t, d.last.JWKS)
		verifying := 0
		for i, k := range set.Keys {
			if k.KeyID != "" || k.Algorithm != "RS256" || k.Use != "sig" {
				t.Errorf("key %d: kid %q, alg %q, use %q; want RS256 signing keys without kid", i, k.KeyID, k.Algorithm, k.Use)
			}
			input, sig := tokenParts(t, d.last.Token)
			if checkSig("RS256", k.Key, input, sig) == nil {
				verifying++
				if i != len(set.Keys)-1 {
					t.Errorf("the signing key is listed first")
				}
			}
		}
		if len(set.Keys) < 2 || verifying != 1 {
			t.Errorf("%d keys, %d verify the token; want several keys, one of them the signer", len(set.Keys), verifying)
		}
	}
	defects["kid-unknown#random-kid"] = func(t *testing.T, d defectCase) {
		kid, _ := headerOf(t, d.last.Token)["kid"].(string)
		if _, ok := d.w.ring.Lookup(kid); ok || kid == "" || kid == attackerThumbprint(t) {
			t.Errorf("kid %q names a key", kid)
		}
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "kid", kid))
		wantAttackerSigned(t, d)
	}
	defects["kid-unknown#no-kid"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "kid", nil))
		wantAttackerSigned(t, d)
	}
	defects["kid-unknown#real-kid"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, d.baseHeader)
		wantAttackerSigned(t, d)
	}
	for v, c := range map[string]struct {
		keyAlg, alg keys.Alg
		kty, crv    string
	}{
		"rsa-key-es256":  {keys.RS256, keys.ES256, "RSA", ""},
		"ec-key-rs256":   {keys.ES256, keys.RS256, "EC", "P-256"},
		"okp-key-es256":  {keys.EdDSA, keys.ES256, "OKP", "Ed25519"},
		"p384-key-es256": {keys.ES384, keys.ES256, "EC", "P-384"},
	} {
		defects["kid-kty-mismatch#"+v] = func(t *testing.T, d defectCase) {
			k := d.activeKey(t, c.keyAlg)
			wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", string(c.alg), "kid", k.ID))
			wantClaimsB(t, d, d.last.Token)
			published := keyByKid(publishedKeys(t, d.w.ring.JWKS()), k.ID)
			if published["kty"] != c.kty || published["crv"] != nilIfEmpty(c.crv) {
				t.Errorf("kid names %v, want kty %s crv %q", published, c.kty, c.crv)
			}
			wantSig(t, d.last.Token, string(c.alg), attackerKey(t, c.alg).Public())
		}
	}
	defects["jwk-metadata-mismatch#use-enc"] = metadataCheck("use", "enc")
	defects["jwk-metadata-mismatch#key-ops"] = metadataCheck("use", nil, "key_ops", []any{"encrypt"})
	defects["jwk-metadata-mismatch#jwk-alg"] = metadataCheck("alg", "RS512")
	defects["jwks-oct-key"] = func(t *testing.T, d defectCase) {
		h := headerOf(t, d.last.Token)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", "HS256", "kid", h["kid"]))
		wantClaimsB(t, d, d.last.Token)
		oct := keyByKid(publishedKeys(t, d.last.JWKS), h["kid"])
		k, err := b64.DecodeString(fmt.Sprint(oct["k"]))
		if oct["kty"] != "oct" || err != nil || len(k) < 32 {
			t.Fatalf("the JWKS entry for kid %v is %v, want an oct key", h["kid"], oct)
		}
		wantSig(t, d.last.Token, "HS256", k)
		wantJWKSPlus(t, d, 1)
	}
	defects["rsa-weak-key#1024"] = weakKeyCheck(1024)
	defects["rsa-weak-key#512"] = weakKeyCheck(512)
	for v, c := range map[string]struct{ kid, key string }{
		"path-traversal": {`"../../../../../../dev/null"`, ""},
		"sqli":           {`"x' UNION SELECT 'AAAA'-- "`, "AAAA"},
		"cmd":            {`"x; printf AAAA #"`, "AAAA"},
		"non-string":     {`0`, ""},
		"huge":           {`"` + strings.Repeat("k", 10240) + `"`, ""},
	} {
		defects["kid-injection#"+v] = func(t *testing.T, d defectCase) {
			h := rawMembers(t, decodePart(t, d.last.Token, 0))
			if string(h["kid"]) != c.kid || string(h["alg"]) != `"HS256"` || string(h["typ"]) != `"JWT"` || len(h) != 3 {
				t.Errorf("header %.200s, want alg HS256 and kid %.40s", decodePart(t, d.last.Token, 0), c.kid)
			}
			wantClaimsB(t, d, d.last.Token)
			wantSig(t, d.last.Token, "HS256", []byte(c.key))
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func jwkSet(t *testing.T, b []byte) jose.JSONWebKeySet {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS %s: %v", b, err)
	}
	return set
}

// metadataCheck: B as it is; the step's JWKS is the world's with the
// signing key's members changed (nil: removed).
func metadataCheck(nameValues ...any) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		wantBSigned(t, d, d.last.Token)
		world, published := publishedKeys(t, d.w.ring.JWKS()), publishedKeys(t, d.last.JWKS)
		if len(world) != len(published) {
			t.Fatalf("JWKS has %d keys, the world %d", len(published), len(world))
		}
		for _, w := range world {
			want := w
			if w["kid"] == d.baseHeader["kid"] {
				want = withMembers(w, nameValues...)
			}
			if got := keyByKid(published, w["kid"]); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("published %v, want %v", got, want)
			}
		}
	}
}

// wantJWKSPlus checks the step's JWKS is the world's plus n keys.
func wantJWKSPlus(t *testing.T, d defectCase, n int) []map[string]any {
	t.Helper()
	world, published := publishedKeys(t, d.w.ring.JWKS()), publishedKeys(t, d.last.JWKS)
	if len(published) != len(world)+n {
		t.Fatalf("JWKS has %d keys, want the world's %d plus %d", len(published), len(world), n)
	}
	for i, w := range world {
		if fmt.Sprint(published[i]) != fmt.Sprint(w) {
			t.Errorf("key %d is %v, want the world's %v", i, published[i], w)
		}
	}
	return published[len(world):]
}

// weakKeyCheck: the JWKS publishes an RSA key of bits bits instead of the
// world's RS256 key, and it signed B.
func weakKeyCheck(bits int) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		h := headerOf(t, d.last.Token)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "kid", h["kid"]))
		wantClaimsB(t, d, d.last.Token)
		set := jwkSet(t, d.last.JWKS)
		if len(set.Key(d.baseHeader["kid"].(string))) != 0 {
			t.Errorf("the strong RS256 key is still published")
		}
		weak := set.Key(h["kid"].(string))
		if len(weak) != 1 {
			t.Fatalf("no published key for kid %v", h["kid"])
		}
		pub, ok := weak[0].Key.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() != bits || len(set.Keys) != len(publishedKeys(t, d.w.ring.JWKS())) {
			t.Fatalf("published %T of %d bits among %d keys, want %d bits replacing the RS256 key", weak[0].Key, pub.N.BitLen(), len(set.Keys), bits)
		}
		wantSig(t, d.last.Token, "RS256", pub)
	}
}
