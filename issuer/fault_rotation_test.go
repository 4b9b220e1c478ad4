package issuer

import (
	"encoding/json"
	"fmt"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// jwks-unparseable-key is a must-accept case both bare libraries reject:
// neither skips every JWK it cannot use, as RFC 7517 §5 asks.
func init() {
	verifierExceptions["jwks-unparseable-key"] = map[string]string{
		"go-oidc": "rejects: RemoteKeySet fails the whole JWKS when an RSA or EC entry does not parse (malformed n, unknown crv); it skips only unknown kty and unknown alg",
		"go-jose": "rejects: decoding a jose.JSONWebKeySet fails on any unusable key; skipping keys it cannot use (RFC 7517 §5) is left to the application",
	}
}

// Defect checks for rows 70–72.
func init() {
	defects["rotation-before-first-use"] = func(t *testing.T, d defectCase) {
		if len(d.f.Steps) != 1 {
			t.Fatalf("%d steps, want 1", len(d.f.Steps))
		}
		k := d.activeKey(t, keys.RS256)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "kid", k.ID))
		if k.ID == d.baseHeader["kid"] || d.last.JWKS != nil {
			t.Errorf("kid %s: want a key made after B's, served by the issuer", k.ID)
		}
		wantClaimsB(t, d, d.last.Token)
		wantSig(t, d.last.Token, "RS256", k.Signer().Public())
	}
	defects["rotation-retired-key"] = func(t *testing.T, d defectCase) {
		if len(d.f.Steps) != 3 {
			t.Fatalf("%d steps, want 3", len(d.f.Steps))
		}
		k1 := d.baseHeader["kid"].(string)
		kids := make([]any, 3)
		for i, s := range d.f.Steps {
			kids[i] = headerOf(t, s.Token)["kid"]
			if got := claimsOf(t, s.Token)["nonce"]; got != s.Nonce || (i < 2) == (got == DefaultNonce) {
				t.Errorf("step %d nonce %v (step says %q): want its own nonce for setup, B's last", i, got, s.Nonce)
			}
		}
		k2 := d.activeKey(t, keys.RS256).ID
		if kids[0] != k1 || kids[1] != k2 || kids[2] != k1 || k1 == k2 {
			t.Errorf("kids %v, want K1 %s, K2 %s, K1", kids, k1, k2)
		}
		if keyByKid(publishedKeys(t, d.f.Steps[0].JWKS), k1) == nil || keyByKid(publishedKeys(t, d.w.ring.JWKS()), k1) != nil {
			t.Errorf("K1 should be published for step 1 and not after")
		}
		old, ok := d.w.ring.Lookup(k1)
		if !ok {
			t.Fatalf("K1 %s is not in the ring", k1)
		}
		wantHeader(t, d.last.Token, d.baseHeader)
		wantClaimsB(t, d, d.last.Token)
		wantSig(t, d.last.Token, "RS256", old.Signer().Public())
	}
	defects["jwks-unparseable-key"] = func(t *testing.T, d defectCase) {
		wantBSigned(t, d, d.last.Token)
		extra := wantJWKSPlus(t, d, 4)
		seen := map[any]bool{}
		for _, k := range extra {
			raw, _ := json.Marshal(k)
			var jwk jose.JSONWebKey
			if err := json.Unmarshal(raw, &jwk); err == nil || seen[k["kid"]] || k["kid"] == nil {
				t.Errorf("extra key %s: go-jose parses it (%v) or its kid is missing or repeated", raw, err)
			}
			seen[k["kid"]] = true
		}
		if fmt.Sprintln(extra[0]["kty"], extra[1]["kty"], extra[2]["kty"], extra[3]["crv"]) != "XYZ AKP RSA secp256k1\n" {
			t.Errorf("extra keys %v", extra)
		}
	}
}
