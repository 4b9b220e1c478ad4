package issuer_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

// goldenIssuer is an issuer with one seeded RS256 key and the fixed clock.
func goldenIssuer() *issuer.Issuer {
	k, _ := keys.DeriveKey("example", "ring", keys.RS256, now, keys.GenerateOptions{KeyID: "k1"})
	ring, _ := keys.NewRing(now, k.WithState(keys.Active, now))
	return issuer.New("https://op.example", ring, fixedClock)
}

func ExampleIssuer_Forge() {
	is := goldenIssuer()
	f, c, v, err := is.Forge(issuer.FaultEnv{Spec: issuer.IDToken{ClientID: "web", Subject: "alice"}}, "iss-wrong#suffix")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Ref(v), v.Expect)
	fmt.Println(string(f.Last().Payload))
	// Output:
	// iss-wrong#suffix must-reject
	// {"iss":"https://op.example1","sub":"alice","aud":"web","exp":1767225900,"iat":1767225600,"nonce":"n-0S6_WzA2Mj"}
}

func ExampleLookupFault() {
	c, v, _ := issuer.LookupFault("alg-none#nOnE")
	fmt.Println(c.Row, c.Category, v.Name, v.Expect)
	_, _, err := issuer.LookupFault("alg-none#lowercase")
	fmt.Println(err)
	// Output:
	// 9 signature nOnE must-reject
	// issuer: unknown fault: fault "alg-none" has no variant "lowercase" (variants: none, None, NONE, nOnE, none-keep-sig)
}

func ExampleCatalog() {
	byCategory := map[string]int{}
	for _, c := range issuer.Catalog() {
		byCategory[c.Category]++
	}
	fmt.Println(len(issuer.Catalog()), byCategory)
	// Output: 80 map[claims:24 encoding:9 hash-binding:5 header:13 key-selection:8 nonce:3 rotation:4 signature:14]
}

func ExampleManifest() {
	m := issuer.Manifest()
	fmt.Println(len(m), m[0].Ref, m[0].Expect)
	// Output: 272 baseline-valid#RS256 must-accept
}

func ExampleOne() {
	f, err := issuer.One(issuer.Step{Token: "a.b.c"}, nil)
	fmt.Println(len(f.Steps), f.Last().Token, err)
	// Output: 1 a.b.c <nil>
}

func ExampleEncode() {
	tok, _ := issuer.Encode([]byte(`{"alg":"none"}`), []byte(`{"sub":"alice"}`), nil)
	fmt.Println(tok)
	// Output: eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.
}

func ExampleEncodeJWKS() {
	fmt.Println(string(issuer.EncodeJWKS([]map[string]any{{"kty": "oct", "k": "c2VjcmV0"}})))
	// Output: {"keys":[{"k":"c2VjcmV0","kty":"oct"}]}
}

func ExampleEncryptToken() {
	is := goldenIssuer()
	signed, _ := is.MintIDToken(issuer.IDToken{ClientID: "web", Subject: "alice", TTL: 300e9})
	rp, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwe, _ := issuer.EncryptToken(signed.Raw, issuer.Encryption{Alg: "ECDH-ES+A128KW", Key: &jose.JSONWebKey{Key: rp.Public()}})
	obj, _ := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.ECDH_ES_A128KW}, []jose.ContentEncryption{jose.A128CBC_HS256})
	inner, _ := obj.Decrypt(rp)
	fmt.Println(strings.Count(jwe, "."), string(inner) == signed.Raw)
	// Output: 4 true
}

func ExampleNewID() {
	fmt.Println(len(issuer.NewID()), issuer.NewID() != issuer.NewID())
	// Output: 22 true
}

func ExampleNew() {
	is := issuer.New("https://op.example", nil, fixedClock)
	fmt.Println(is.URL, is.Now().Year())
	// Output: https://op.example 2026
}
