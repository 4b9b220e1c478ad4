package issuer

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/testidp/testidp/keys"
)

// accessNeeds: the rows (and variants) of this family set that make no
// sense for access tokens (several audiences and azp, auth_time and acr
// requests, logout tokens, UserInfo, refresh, nonce, at_hash/c_hash).
func accessNeeds(c *Case, variant string) bool {
	switch c.Row {
	case 33, 35, 36, 47, 49, 50, 51, 73, 74, 76, 77, 78, 79, 80:
		return true
	}
	return c.ID == "dup-claim" && variant == "nonce"
}

// TestFaultsForAccessTokens forges this family set's variants with Kind
// access_token: the ID-token-only ones fail with ErrFaultNeeds, the others
// break an RFC 9068 access token.
func TestFaultsForAccessTokens(t *testing.T) {
	for _, m := range Manifest() {
		if !familyBRow(m.Ref) {
			continue
		}
		t.Run(m.Ref, func(t *testing.T) {
			w := newFaultWorld(t)
			env := w.env()
			env.Kind = KindAccessToken
			env.Access = AccessToken{ClientID: "web", Subject: "alice", Scope: "openid profile"}
			f, c, v, err := w.is.Forge(env, m.Ref)
			if accessNeeds(c, v.Name) {
				if !errors.Is(err, ErrFaultNeeds) {
					t.Errorf("Forge(%s) for an access token: err %v, want ErrFaultNeeds", m.Ref, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Forge(%s) for an access token: %v", m.Ref, err)
			}
			s := f.Last()
			if s.Header != nil && !bytes.Contains(s.Header, []byte(`"typ":"at+jwt"`)) {
				t.Errorf("header %s is not an access token's", s.Header)
			}
			isObject := json.Valid(s.Payload) && bytes.HasPrefix(s.Payload, []byte("{"))
			if bytes.Contains(s.Payload, []byte(`"nonce"`)) || s.Nonce != "" || (isObject && !bytes.Contains(s.Payload, []byte(`"client_id":"web"`))) {
				t.Errorf("payload %s, nonce %q: want an access token's claims and no nonce", s.Payload, s.Nonce)
			}
		})
	}
}

// TestFaultsForOtherAlgs forges this family set's variants for a relying
// party registered with another algorithm: each builds, or says what it
// needs (ErrFaultNeeds, e.g. no unused pad bits in an ES384 signature).
func TestFaultsForOtherAlgs(t *testing.T) {
	for _, alg := range []keys.Alg{keys.PS256, keys.ES256, keys.ES384, keys.EdDSA, keys.HS256} {
		for _, m := range Manifest() {
			if !familyBRow(m.Ref) {
				continue
			}
			t.Run(string(alg)+"/"+m.Ref, func(t *testing.T) {
				w := newFaultWorld(t)
				env := w.env()
				env.Spec.Alg = alg
				f, _, _, err := w.is.Forge(env, m.Ref)
				if errors.Is(err, ErrFaultNeeds) {
					t.Logf("needs: %v", err)
					return
				}
				if err != nil || f.Last().Token == "" {
					t.Fatalf("Forge(%s) with %s: %v", m.Ref, alg, err)
				}
				if h := f.Last().Header; h != nil && bytes.HasPrefix(h, []byte(`{"alg"`)) && !bytes.HasPrefix(h, []byte(`{"alg":"`+string(alg)+`"`)) {
					t.Errorf("header %s is not signed with %s", h, alg)
				}
			})
		}
	}
}
