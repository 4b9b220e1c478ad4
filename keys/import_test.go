package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// testKeys holds one key per ring algorithm; RSA keys are derived (cached),
// so the test does not spend seconds generating them.
func testKeys(t *testing.T) []*Key {
	t.Helper()
	var out []*Key
	for _, alg := range RingAlgs {
		k, err := DeriveKey("import-test", string(alg), alg, t0, GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func TestExportImportRoundTrip(t *testing.T) {
	formats := []struct {
		name   string
		export func([]*Key) ([]byte, error)
	}{
		{"private JWK Set", func(ks []*Key) ([]byte, error) { return ExportJWKS(ks, true) }},
		{"PKCS#8 PEM", ExportPEM},
	}
	for _, f := range formats {
		for _, k := range testKeys(t) {
			t.Run(f.name+"/"+string(k.Alg), func(t *testing.T) {
				data, err := f.export([]*Key{k})
				if err != nil {
					t.Fatalf("export: %v", err)
				}
				got, err := Import(data, ImportOptions{}, t0)
				if err != nil {
					t.Fatalf("Import(export): %v\n%s", err, data)
				}
				if len(got) != 1 || got[0].ID != k.ID || got[0].Alg != k.Alg || !got[0].SamePublic(k) {
					t.Fatalf("round trip gave %v, want kid %s alg %s and the same key", got, k.ID, k.Alg)
				}
				sig, _ := got[0].Sign([]byte("x.y"))
				if sig == nil {
					t.Error("imported key does not sign")
				}
			})
		}
	}
}

// A whole exported ring comes back, kids and algorithms included, also for
// custom kids (which a thumbprint would not give back).
func TestExportImportRing(t *testing.T) {
	ks := testKeys(t)
	custom, _ := New(ES256, ks[2].Signer(), "my-kid", t0)
	ks = append(ks[:2], custom)
	data, _ := ExportJWKS(ks, true)
	got, err := Import(data, ImportOptions{}, t0)
	if err != nil || len(got) != len(ks) {
		t.Fatalf("Import(ExportJWKS) = %d keys, %v; want %d", len(got), err, len(ks))
	}
	for i := range ks {
		if got[i].ID != ks[i].ID || got[i].Alg != ks[i].Alg {
			t.Errorf("key %d: kid %s alg %s, want %s %s", i, got[i].ID, got[i].Alg, ks[i].ID, ks[i].Alg)
		}
	}
	pemData, _ := ExportPEM(ks)
	got, err = Import(pemData, ImportOptions{}, t0)
	if err != nil || len(got) != 3 || got[2].ID != "my-kid" || got[0].Alg != RS256 || got[1].Alg != PS256 {
		t.Errorf("Import(ExportPEM) = %v, %v", got, err)
	}
}

func TestExportPublicHasNoPrivateMembers(t *testing.T) {
	data, err := ExportJWKS(testKeys(t), false)
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[m]; ok {
				t.Errorf("public export of %v carries %q", k["kid"], m)
			}
		}
		if k["use"] != "sig" || k["kid"] == nil || k["alg"] == nil || k["kty"] == nil {
			t.Errorf("public export lacks kty/kid/use/alg: %v", k)
		}
	}
	if _, err := Import(data, ImportOptions{}, t0); !errors.Is(err, ErrNoPrivateKey) {
		t.Errorf("importing a public JWK Set: %v, want ErrNoPrivateKey", err)
	}
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestImportPEMForms(t *testing.T) {
	ks := testKeys(t)
	rsaKey := ks[0].Signer().(*rsa.PrivateKey)
	p256 := ks[2].Signer().(*ecdsa.PrivateKey)
	p384 := ks[3].Signer().(*ecdsa.PrivateKey)
	pkcs8 := func(k *Key) []byte { der, _ := k.MarshalPrivate(); return der }
	sec1 := func(k *ecdsa.PrivateKey) []byte { der, _ := x509.MarshalECPrivateKey(k); return der }
	tests := []struct {
		name    string
		data    []byte
		opts    ImportOptions
		wantAlg Alg
		wantKid string
	}{
		{"PKCS#1 RSA as RS256", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), ImportOptions{Alg: RS256}, RS256, ks[0].ID},
		{"PKCS#1 RSA as PS256", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), ImportOptions{Alg: PS256}, PS256, ""},
		{"PKCS#8 RSA", pemOf("PRIVATE KEY", pkcs8(ks[0])), ImportOptions{Alg: RS256}, RS256, ks[0].ID},
		{"SEC1 P-256", pemOf("EC PRIVATE KEY", sec1(p256)), ImportOptions{}, ES256, ks[2].ID},
		{"SEC1 P-384 after EC PARAMETERS", append(pemOf("EC PARAMETERS", []byte{6, 5, 43, 129, 4, 0, 34}), pemOf("EC PRIVATE KEY", sec1(p384))...), ImportOptions{}, ES384, ks[3].ID},
		{"PKCS#8 Ed25519", pemOf("PRIVATE KEY", pkcs8(ks[4])), ImportOptions{}, EdDSA, ks[4].ID},
		{"kid given", pemOf("PRIVATE KEY", pkcs8(ks[4])), ImportOptions{KeyID: "mine"}, EdDSA, "mine"},
		{"text around the block", []byte("Key for tests\n" + string(pemOf("PRIVATE KEY", pkcs8(ks[2]))) + "trailer\n"), ImportOptions{Alg: ES256}, ES256, ks[2].ID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Import(tc.data, tc.opts, t0)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if len(got) != 1 || got[0].Alg != tc.wantAlg || (tc.wantKid != "" && got[0].ID != tc.wantKid) {
				t.Errorf("Import = %v, want one %s key with kid %q", got, tc.wantAlg, tc.wantKid)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	ks := testKeys(t)
	pkcs8 := func(k *Key) []byte { der, _ := k.MarshalPrivate(); return der }
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	p521der, _ := x509.MarshalPKCS8PrivateKey(p521)
	pubDER, _ := x509.MarshalPKIXPublicKey(ks[2].Signer().Public())
	two, _ := ExportPEM(ks[2:4])
	tests := []struct {
		name string
		data string
		opts ImportOptions
		want string
	}{
		{"nothing", "", ImportOptions{}, "no PEM private key"},
		{"garbage", "hello", ImportOptions{}, "no PEM private key"},
		{"truncated PEM", "-----BEGIN PRIVATE KEY-----\nMIIB", ImportOptions{}, "malformed PEM"},
		{"public key", string(pemOf("PUBLIC KEY", pubDER)), ImportOptions{}, "public key cannot sign"},
		{"encrypted", string(pemOf("ENCRYPTED PRIVATE KEY", []byte{1})), ImportOptions{}, "encrypted"},
		{"broken DER", string(pemOf("PRIVATE KEY", []byte{1, 2, 3})), ImportOptions{}, "asn1"},
		{"RSA without alg", string(pemOf("PRIVATE KEY", pkcs8(ks[0]))), ImportOptions{}, "RS256 or PS256"},
		{"RSA as ES256", string(pemOf("PRIVATE KEY", pkcs8(ks[0]))), ImportOptions{Alg: ES256}, "does not fit"},
		{"P-256 as ES384", string(pemOf("PRIVATE KEY", pkcs8(ks[2]))), ImportOptions{Alg: ES384}, "does not fit"},
		{"alg HS256", string(pemOf("PRIVATE KEY", pkcs8(ks[2]))), ImportOptions{Alg: HS256}, "unsupported algorithm"},
		{"weak RSA", string(pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(weak))), ImportOptions{Alg: RS256}, "at least 2048"},
		{"P-521", string(pemOf("PRIVATE KEY", p521der)), ImportOptions{}, "P-521"},
		{"kid for two keys", string(two), ImportOptions{KeyID: "x"}, "one key"},
		{"marked alg differs", string(two), ImportOptions{Alg: EdDSA}, "marked ES256"},
		{"bad JSON", `{"kty":`, ImportOptions{}, "import JSON"},
		{"empty set", `{"keys":[]}`, ImportOptions{}, "empty"},
		{"oct JWK", `{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}`, ImportOptions{}, "symmetric"},
		{"unknown kty", `{"keys":[{"kty":"XYZ"}]}`, ImportOptions{}, "JWK Set"},
		{"public JWK", mustJSON(ks[2].Public()), ImportOptions{}, "public"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Import([]byte(tc.data), tc.opts, t0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import = %d keys, %v; want an error containing %q", len(got), err, tc.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "keys: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func FuzzImport(f *testing.F) {
	k, _ := DeriveKey("fuzz", "es", ES256, t0, GenerateOptions{})
	p, _ := ExportPEM([]*Key{k})
	j, _ := ExportJWKS([]*Key{k}, true)
	for _, seed := range []string{string(p), string(j), "", "{", `{"keys":[{}]}`, "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"} {
		f.Add([]byte(seed), "")
	}
	f.Fuzz(func(t *testing.T, data []byte, alg string) {
		ks, err := Import(data, ImportOptions{Alg: Alg(alg)}, t0)
		if err != nil {
			return
		}
		for _, k := range ks {
			if !k.Alg.Asymmetric() || k.ID == "" {
				t.Fatalf("Import accepted a key with alg %q kid %q", k.Alg, k.ID)
			}
		}
	})
}
