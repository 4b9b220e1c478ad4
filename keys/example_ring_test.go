package keys_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	"github.com/testidp/testidp/keys"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// states lists a ring as "alg:state" pairs.
func states(ks []*keys.Key) string {
	var out []string
	for _, k := range ks {
		out = append(out, string(k.Alg)+":"+string(k.State))
	}
	return strings.Join(out, " ")
}

func ExampleDerive() {
	a, _ := keys.Derive("my test seed", "issuer-a", keys.ES256, 0)
	b, _ := keys.Derive("my test seed", "issuer-a", keys.ES256, 0)
	fmt.Println(a.(*ecdsa.PrivateKey).Equal(b))
	// Output: true
}

func ExampleDeriveKey() {
	k, _ := keys.DeriveKey("testidp", "known-answer", keys.ES256, t0, keys.GenerateOptions{})
	fmt.Println(k.ID)
	// Output: W_4hA6ivDkE_JpD5Q0ln8vModpYvoeHM2Os8ZthFr9E
}

func ExampleNew() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k, err := keys.New(keys.ES256, priv, "my-kid", t0)
	fmt.Println(k.ID, k.Alg, err)
	_, err = keys.New(keys.ES384, priv, "", t0)
	fmt.Println(err)
	// Output:
	// my-kid ES256 <nil>
	// keys: key does not fit algorithm: *ecdsa.PrivateKey cannot sign ES384
}

func ExampleParse() {
	k, _ := keys.DeriveKey("seed", "parse", keys.EdDSA, t0, keys.GenerateOptions{})
	der, _ := k.MarshalPrivate()
	back, _ := keys.Parse(keys.EdDSA, k.ID, der, t0)
	fmt.Println(back.ID == k.ID)
	// Output: true
}

func ExampleEnsureActive() {
	ring, _ := keys.EnsureActive(nil, []keys.Alg{keys.ES256, keys.EdDSA}, t0, keys.SeedSource("seed", "/", 0))
	fmt.Println(states(ring))
	// Output: ES256:active EdDSA:active
}

func ExampleActiveAlgs() {
	es, _ := keys.DeriveKey("testidp", "example", keys.ES256, t0, keys.GenerateOptions{})
	ed, _ := keys.DeriveKey("testidp", "example", keys.EdDSA, t0, keys.GenerateOptions{})
	rs, _ := keys.DeriveKey("testidp", "example", keys.RS256, t0, keys.GenerateOptions{})
	ring := []*keys.Key{ed.WithState(keys.Active, t0), es.WithState(keys.Active, t0), rs} // rs is next
	fmt.Println(keys.ActiveAlgs(ring))
	// Output: [ES256 EdDSA]
}

func ExampleUnpublish() {
	src := keys.SeedSource("seed", "/", 0)
	ring, _ := keys.EnsureActive(nil, []keys.Alg{keys.ES256}, t0, src)
	old := ring[0].ID
	ring, _, _ = keys.Rotate(ring, t0, keys.RotateOptions{Alg: keys.ES256, RetireAfter: time.Hour}, src)
	ring, err := keys.Unpublish(ring, old)
	fmt.Println(states(ring), err)
	// Output: ES256:active <nil>
}

func ExampleAdd() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mine, _ := keys.New(keys.ES256, priv, "mine", t0)
	ring, _ := keys.Add(nil, []*keys.Key{mine}, t0, keys.AddOptions{Activate: true})
	fmt.Println(states(ring), ring[0].ID)
	// Output: ES256:active mine
}

func ExampleCheck() {
	k, _ := keys.DeriveKey("seed", "check", keys.ES256, t0, keys.GenerateOptions{})
	fmt.Println(keys.Check([]*keys.Key{k.WithState(keys.Active, t0), k.WithState(keys.Active, t0)}))
	// Output: keys: duplicate kid "DSj3fFJaJlUqFPb0jppXo1KDzKXTNvJ-OvpSyGDyfIY" in ring
}

func ExampleExportPEM() {
	k, _ := keys.DeriveKey("seed", "pem", keys.ES256, t0, keys.GenerateOptions{})
	out, _ := keys.ExportPEM([]*keys.Key{k})
	fmt.Println(strings.Contains(string(out), "-----BEGIN PRIVATE KEY-----"))
	// Output: true
}

func ExampleRandomSource() {
	src := keys.RandomSource(0)
	a, _ := src(keys.ES256, keys.LabelInitial, t0)
	b, _ := src(keys.ES256, keys.LabelInitial, t0)
	fmt.Println(a.ID != b.ID)
	// Output: true
}

func ExampleSeedSource() {
	a, _ := keys.SeedSource("seed", "/realms/a", 0)(keys.ES256, keys.LabelInitial, t0)
	b, _ := keys.SeedSource("seed", "/realms/a", 0)(keys.ES256, keys.LabelInitial, t0)
	c, _ := keys.SeedSource("seed", "/realms/b", 0)(keys.ES256, keys.LabelInitial, t0)
	fmt.Println(a.ID == b.ID, a.ID == c.ID)
	// Output: true false
}

func ExampleSignWith() {
	attacker, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sig, err := keys.SignWith(attacker, keys.ES256, []byte("header.payload"))
	fmt.Println(len(sig), err)
	// Output: 64 <nil>
}

func ExampleSignWeakRSA() {
	weak, _ := keys.Derive("seed", "weak", keys.RS256, 512)
	sig, err := keys.SignWeakRSA(weak.(*rsa.PrivateKey), []byte("header.payload"))
	fmt.Println(len(sig), err)
	// Output: 64 <nil>
}

func ExampleRawECDSA() {
	// DER: SEQUENCE { INTEGER 5, INTEGER 6 }
	raw, _ := keys.RawECDSA([]byte{0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x06}, 2)
	fmt.Printf("% x\n", raw)
	// Output: 00 05 00 06
}
