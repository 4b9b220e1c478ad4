package issuer

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/testidp/testidp/keys"
)

// Defect checks for rows 9–14.
func init() {
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		defects["alg-none#"+alg] = func(t *testing.T, d defectCase) {
			wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", alg))
			wantClaimsB(t, d, d.last.Token)
			if !strings.HasSuffix(d.last.Token, ".") || strings.Count(d.last.Token, ".") != 2 {
				t.Errorf("token %q: want an empty third part", d.last.Token)
			}
		}
	}
	defects["alg-none#none-keep-sig"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", "none"))
		wantClaimsB(t, d, d.last.Token)
		original := strings.Replace(string(decodePart(t, d.last.Token, 0)), `"alg":"none"`, `"alg":"RS256"`, 1)
		wantSignatureOver(t, d, "", original)
	}
	defects["alg-none-registered"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, map[string]any{"alg": "none", "typ": "JWT"})
		wantClaimsB(t, d, d.last.Token)
		if !strings.HasSuffix(d.last.Token, ".") {
			t.Errorf("token %q: want an empty third part", d.last.Token)
		}
	}
	for _, mac := range []string{"HS256", "HS384", "HS512"} {
		for name, kb := range confusionKeys {
			ref := "alg-confusion-pubkey-hmac#" + name
			if mac != "HS256" {
				ref += "-" + strings.ToLower(mac)
			}
			defects[ref] = func(t *testing.T, d defectCase) {
				k := d.activeKey(t, kb.alg)
				wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", mac, "kid", k.ID))
				wantClaimsB(t, d, d.last.Token)
				wantSig(t, d.last.Token, mac, kb.bytes(t, d, k))
			}
		}
	}
	defects["alg-hs-client-secret"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, map[string]any{"alg": "HS256", "typ": "JWT"})
		wantClaimsB(t, d, d.last.Token)
		wantSig(t, d.last.Token, "HS256", []byte(goldenSecret))
	}
	defects["alg-not-registered#rs256-when-ps256"] = func(t *testing.T, d defectCase) {
		wantBSigned(t, d, d.last.Token)
	}
	defects["alg-not-registered#rs512-when-rs256"] = func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", "RS512"))
		wantClaimsB(t, d, d.last.Token)
		wantSig(t, d.last.Token, "RS512", d.activeKey(t, keys.RS256).Signer().Public())
	}
	defects["alg-not-registered#ps256-when-rs256"] = func(t *testing.T, d defectCase) {
		k := d.activeKey(t, keys.PS256)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "alg", "PS256", "kid", k.ID))
		wantClaimsB(t, d, d.last.Token)
		wantSig(t, d.last.Token, "PS256", k.Signer().Public())
	}
	for v, raw := range map[string]string{"absent": "", "empty": `""`, "unknown": `"RS257"`, "null": `null`, "number": `256`, "array": `["RS256"]`} {
		defects["alg-invalid#"+v] = func(t *testing.T, d defectCase) {
			h := rawMembers(t, decodePart(t, d.last.Token, 0))
			got, present := h["alg"]
			if present != (raw != "") || string(got) != raw {
				t.Errorf("alg is %s (present %v), want %q", got, present, raw)
			}
			delete(h, "alg")
			if len(h) != 2 || string(h["kid"]) != `"`+d.baseHeader["kid"].(string)+`"` || string(h["typ"]) != `"JWT"` {
				t.Errorf("other header members %s, want B's kid and typ", h)
			}
			wantClaimsB(t, d, d.last.Token)
			wantSig(t, d.last.Token, "RS256", d.activeKey(t, keys.RS256).Signer().Public())
		}
	}
}

// confusionKey is one public-key encoding, computed here independently.
type confusionKey struct {
	alg   keys.Alg
	bytes func(t *testing.T, d defectCase, k *keys.Key) []byte
}

var confusionKeys = map[string]confusionKey{
	"spki-pem":      {keys.RS256, pemOf("PUBLIC KEY", spkiOf, true)},
	"spki-pem-nonl": {keys.RS256, pemOf("PUBLIC KEY", spkiOf, false)},
	"pkcs1-pem": {keys.RS256, pemOf("RSA PUBLIC KEY", func(t *testing.T, k *keys.Key) []byte {
		return x509.MarshalPKCS1PublicKey(k.Signer().Public().(*rsa.PublicKey))
	}, true)},
	"spki-der": {keys.RS256, func(t *testing.T, _ defectCase, k *keys.Key) []byte { return spkiOf(t, k) }},
	"jwk-json": {keys.RS256, publishedJWKText},
	"openssh": {keys.RS256, func(t *testing.T, _ defectCase, k *keys.Key) []byte {
		return authorizedKey(k.Signer().Public().(*rsa.PublicKey))
	}},
	"modulus": {keys.RS256, func(t *testing.T, _ defectCase, k *keys.Key) []byte {
		return k.Signer().Public().(*rsa.PublicKey).N.Bytes()
	}},
	"ec-spki-pem": {keys.ES256, pemOf("PUBLIC KEY", spkiOf, true)},
	"ec-jwk-json": {keys.ES256, publishedJWKText},
}

func spkiOf(t *testing.T, k *keys.Key) []byte {
	der, err := x509.MarshalPKIXPublicKey(k.Signer().Public())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemOf(typ string, der func(*testing.T, *keys.Key) []byte, newline bool) func(*testing.T, defectCase, *keys.Key) []byte {
	return func(t *testing.T, _ defectCase, k *keys.Key) []byte {
		p := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der(t, k)})
		if !bytes.HasSuffix(p, []byte("-----\n")) {
			t.Fatalf("PEM without final newline: %q", p)
		}
		if !newline {
			p = p[:len(p)-1]
		}
		return p
	}
}

// publishedJWKText is the key's member of the world's JWKS, byte for byte.
func publishedJWKText(t *testing.T, d defectCase, k *keys.Key) []byte {
	var set struct{ Keys []json.RawMessage }
	if err := json.Unmarshal(d.w.ring.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	for _, raw := range set.Keys {
		if bytes.Contains(raw, []byte(`"kid":"`+k.ID+`"`)) {
			return raw
		}
	}
	t.Fatalf("key %s not in the JWKS", k.ID)
	return nil
}

// authorizedKey is the OpenSSH authorized_keys line of an RSA key (the
// same bytes ssh-keygen -i -m PKCS8 prints).
func authorizedKey(pub *rsa.PublicKey) []byte {
	var w bytes.Buffer
	field := func(b []byte) {
		_ = binary.Write(&w, binary.BigEndian, uint32(len(b)))
		w.Write(b)
	}
	field([]byte("ssh-rsa"))
	field([]byte{0x01, 0x00, 0x01}) // e = 65537
	field(append([]byte{0}, pub.N.Bytes()...))
	return []byte("ssh-rsa " + base64.StdEncoding.EncodeToString(w.Bytes()) + "\n")
}
