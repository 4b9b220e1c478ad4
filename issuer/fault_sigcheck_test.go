package issuer

import (
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// wantSignatureValid verifies the last step's signature with go-jose against
// the world's keys (the client secret for HS256) and fails unless the result
// is want.
func wantSignatureValid(t *testing.T, d defectCase, want bool) {
	t.Helper()
	tok := d.last.Token
	h := jsonObject(t, decodePart(t, tok, 0))
	alg, _ := h["alg"].(string)
	sig, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		if want {
			t.Fatalf("go-jose cannot parse the token: %v", err)
		}
		return
	}
	var key any = []byte(goldenSecret)
	if !strings.HasPrefix(alg, "HS") {
		kid, _ := h["kid"].(string)
		k, ok := d.w.ring.Lookup(kid)
		if !ok {
			if want {
				t.Fatalf("no key %q in the world's ring", kid)
			}
			return
		}
		pub := k.Public()
		key = &pub
	}
	_, err = sig.Verify(key)
	if (err == nil) != want {
		t.Errorf("signature valid = %v, want %v (%v)", err == nil, want, err)
	}
}
