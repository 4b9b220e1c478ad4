package keys

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func mustGenerate(t testing.TB, alg Alg) *Key {
	t.Helper()
	k, err := Generate(alg, t0, GenerateOptions{})
	if err != nil {
		t.Fatalf("Generate(%s): %v", alg, err)
	}
	return k
}

// jws assembles a compact JWS with the given signer, as the issuer package does.
func jws(t *testing.T, s Signer) string {
	t.Helper()
	h := map[string]string{"alg": string(s.Algorithm())}
	if s.KeyID() != "" {
		h["kid"] = s.KeyID()
	}
	hb, _ := json.Marshal(h)
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x"}`))
	sig, err := s.Sign([]byte(input))
	if err != nil {
		t.Fatalf("Sign(%s): %v", s.Algorithm(), err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestSignVerifiesWithGoJose(t *testing.T) {
	for _, alg := range RingAlgs {
		t.Run(string(alg), func(t *testing.T) {
			k := mustGenerate(t, alg)
			tok := jws(t, k)
			parsed, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatalf("jose.ParseSigned: %v", err)
			}
			pub := k.Public()
			payload, err := parsed.Verify(&pub)
			if err != nil {
				t.Fatalf("Verify with public JWK: %v", err)
			}
			if string(payload) != `{"sub":"x"}` {
				t.Errorf("payload = %s", payload)
			}
		})
	}
}

func TestECDSASignatureIsRawFixedSize(t *testing.T) {
	for alg, want := range map[Alg]int{ES256: 64, ES384: 96} {
		k := mustGenerate(t, alg)
		// Many signatures so that a short r or s (leading zero byte) occurs.
		for i := 0; i < 300; i++ {
			sig, err := k.Sign([]byte{byte(i)})
			if err != nil || len(sig) != want {
				t.Fatalf("%s Sign: len %d, err %v; want %d bytes (RFC 7518 §3.4)", alg, len(sig), err, want)
			}
		}
	}
}

func TestKidIsRFC7638Thumbprint(t *testing.T) {
	for _, alg := range RingAlgs {
		k := mustGenerate(t, alg)
		pub := k.Public()
		tp, err := pub.Thumbprint(crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if want := base64.RawURLEncoding.EncodeToString(tp); k.ID != want {
			t.Errorf("%s kid = %q, want thumbprint %q", alg, k.ID, want)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, alg := range RingAlgs {
		k := mustGenerate(t, alg)
		der, err := k.MarshalPrivate()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(alg, k.ID, der, t0)
		if err != nil {
			t.Fatalf("Parse(%s): %v", alg, err)
		}
		a, _ := json.Marshal(k.Public())
		b, _ := json.Marshal(back.Public())
		if string(a) != string(b) {
			t.Errorf("%s public JWK changed across Parse:\n got %s\nwant %s", alg, b, a)
		}
	}
}

func TestKeyMismatch(t *testing.T) {
	rsaKey := mustGenerate(t, RS256)
	ecKey := mustGenerate(t, ES256)
	cases := []struct {
		name string
		alg  Alg
		key  *Key
	}{
		{"rsa as ES256", ES256, rsaKey},
		{"p256 as ES384", ES384, ecKey},
		{"p256 as EdDSA", EdDSA, ecKey},
	}
	for _, tc := range cases {
		if _, err := New(tc.alg, tc.key.Signer(), "", t0); err == nil {
			t.Errorf("New(%s): no error, want key mismatch", tc.name)
		}
	}
	if _, err := Generate(RS256, t0, GenerateOptions{RSABits: 1024}); err == nil {
		t.Error("Generate RS256 1024 bits: no error, want refusal")
	}
}

func TestHMAC(t *testing.T) {
	if _, err := HMAC([]byte("short")); err == nil {
		t.Error("HMAC(short secret): no error, want ErrWeakSecret")
	}
	secret := []byte("hs256-secret-0123456789abcdef0123")
	k, err := HMAC(secret)
	if err != nil {
		t.Fatal(err)
	}
	tok := jws(t, k)
	parsed, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsed.Verify(secret); err != nil {
		t.Errorf("Verify HS256 with the secret: %v", err)
	}
}

func TestRingJWKS(t *testing.T) {
	rs, es := mustGenerate(t, RS256).WithState(Active, t0), mustGenerate(t, ES256).WithState(Active, t0)
	gone := mustGenerate(t, RS256).WithState(Retired, t0).WithRemoveAt(t0)
	r, err := NewRing(t0, rs, es, gone)
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(r.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("JWKS has %d keys, want 2 (the removed key is not published): %s", len(set.Keys), r.JWKS())
	}
	for _, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("JWKS key %v carries private member %q", k["kid"], private)
			}
		}
		if k["use"] != "sig" || k["kid"] == "" || k["alg"] == "" {
			t.Errorf("JWKS key lacks use/kid/alg: %v", k)
		}
	}
	if got, _ := r.Active(ES256); got.ID != es.ID {
		t.Errorf("Active(ES256) = %v, want %s", got, es.ID)
	}
	if _, err := r.Active(EdDSA); err == nil {
		t.Error("Active(EdDSA) on a ring without one: no error")
	}
	if jwks, etag := r.Published(); !strings.HasPrefix(etag, `"`) || !bytes.Equal(jwks, r.JWKS()) {
		t.Errorf("Published() = %s, %q; want JWKS() and a quoted strong tag", jwks, etag)
	}
	if err := r.Set(t0, []*Key{rs, rs}); err == nil {
		t.Error("Set with duplicate kid: no error")
	}
	if got, _ := r.Active(RS256); got.ID != rs.ID {
		t.Error("failed Set changed the ring")
	}
}

func TestRawECDSAMalformed(t *testing.T) {
	for _, der := range [][]byte{nil, {0x30}, {0x30, 0x02, 0x02, 0x00}, {0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01},
		{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00}, append([]byte{0x30, 0x26, 0x02, 0x21}, make([]byte, 36)...)} {
		if _, err := RawECDSA(der, 32); err == nil {
			t.Errorf("RawECDSA(% x): no error", der)
		}
	}
	raw, err := RawECDSA([]byte{0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x05}, 4)
	if err != nil || string(raw) != "\x00\x00\x00\x80\x00\x00\x00\x05" {
		t.Errorf("RawECDSA(short r, s) = % x, %v", raw, err)
	}
}
