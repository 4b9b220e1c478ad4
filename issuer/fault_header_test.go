package issuer

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// Defect checks for rows 15–22.
func init() {
	defects["jwk-embedded#same-kid"] = jwkEmbeddedCheck(false)
	defects["jwk-embedded#new-kid"] = jwkEmbeddedCheck(true)
	defects["jku-injection"] = jkuCheck(func(t *testing.T, u *url.URL) {
		if u.String() != "https://attacker.example/jwks.json" {
			t.Errorf("jku %s, want the default rogue URL", u)
		}
	})
	defects["jku-injection#same-host"] = jkuCheck(func(t *testing.T, u *url.URL) {
		if u.Scheme != "https" || u.Host != "op.example" || u.Path == "/jwks" {
			t.Errorf("jku %s: want the issuer's host, another path than the jwks_uri", u)
		}
	})
	defects["x5-header-injection#x5u"] = func(t *testing.T, d defectCase) {
		h := headerOf(t, d.last.Token)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "x5u", h["x5u"]))
		if h["x5u"] != d.f.RogueURL || d.f.RogueType != "application/pem-certificate-chain" {
			t.Errorf("x5u %v, rogue at %q (%s)", h["x5u"], d.f.RogueURL, d.f.RogueType)
		}
		block, rest := pem.Decode(d.f.Rogue)
		if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
			t.Fatalf("rogue content is not one PEM certificate: %q", d.f.Rogue)
		}
		wantAttackerCert(t, d, block.Bytes)
	}
	defects["x5-header-injection#x5c"] = func(t *testing.T, d defectCase) {
		h := headerOf(t, d.last.Token)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "x5c", h["x5c"], "x5t#S256", h["x5t#S256"]))
		chain, _ := h["x5c"].([]any)
		if len(chain) != 1 {
			t.Fatalf("x5c %v: want one certificate", h["x5c"])
		}
		der, err := base64.StdEncoding.DecodeString(chain[0].(string))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(der)
		if h["x5t#S256"] != b64.EncodeToString(sum[:]) {
			t.Errorf("x5t#S256 %v does not match the certificate", h["x5t#S256"])
		}
		wantAttackerCert(t, d, der)
	}
	defects["crit-unknown"] = headerCheck("crit", []any{"urn:example:must-understand"}, "urn:example:must-understand", true)
	defects["crit-malformed#empty"] = headerCheck("crit", []any{})
	defects["crit-malformed#lists-alg"] = headerCheck("crit", []any{"alg"})
	defects["crit-malformed#absent-member"] = headerCheck("crit", []any{"x-foo"})
	defects["crit-malformed#not-array"] = headerCheck("crit", "x-foo", "x-foo", true)
	defects["b64-false"] = b64FalseCheck(true)
	defects["b64-false#no-crit"] = b64FalseCheck(false)
	for _, typ := range []string{"at+jwt", "application/at+jwt", "secevent+jwt", "dpop+jwt"} {
		defects["typ-at-jwt#"+typ] = headerCheck("typ", typ)
	}
	defects["benign-header-variants#no-typ"] = headerCheck("typ", nil)
	defects["benign-header-variants#typ-JWT"] = headerCheck()
	defects["benign-header-variants#typ-lowercase"] = headerCheck("typ", "jwt")
	defects["benign-header-variants#reordered"] = func(t *testing.T, d defectCase) {
		headerCheck()(t, d)
		if h := string(decodePart(t, d.last.Token, 0)); !strings.HasPrefix(h, `{"typ":"JWT","kid":`) || !strings.HasSuffix(h, `"alg":"RS256"}`) {
			t.Errorf("header %s: want typ, kid, alg in that order", h)
		}
	}
	defects["benign-header-variants#unknown-param"] = headerCheck("x-vendor", "abc")
	defects["benign-header-variants#x5t-real"] = x5tRealCheck
}

// headerCheck checks B re-signed by the world's RS256 key with header
// members changed to the given values (nil: removed).
func headerCheck(nameValues ...any) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, nameValues...))
		wantClaimsB(t, d, d.last.Token)
		wantSig(t, d.last.Token, "RS256", d.activeKey(t, keys.RS256).Signer().Public())
	}
}

// wantAttackerSigned checks the token is RS256-signed by the attacker and
// not by the world's key.
func wantAttackerSigned(t *testing.T, d defectCase) {
	t.Helper()
	wantClaimsB(t, d, d.last.Token)
	wantSig(t, d.last.Token, "RS256", attackerKey(t, keys.RS256).Public())
	wantNoSig(t, d.last.Token, "RS256", d.activeKey(t, keys.RS256).Signer().Public())
}

func jwkEmbeddedCheck(newKid bool) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		h := headerOf(t, d.last.Token)
		kid := d.baseHeader["kid"]
		if newKid {
			kid = attackerThumbprint(t)
		}
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "jwk", h["jwk"], "kid", kid))
		raw, _ := json.Marshal(h["jwk"])
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(raw, &jwk); err != nil || jwk.KeyID != kid || !jwk.IsPublic() {
			t.Fatalf("embedded jwk %s: %v (want a public key with kid %v)", raw, err, kid)
		}
		if !attackerKey(t, keys.RS256).Public().(*rsa.PublicKey).Equal(jwk.Key) {
			t.Errorf("the embedded jwk is not the attacker's key")
		}
		wantAttackerSigned(t, d)
	}
}

func attackerThumbprint(t *testing.T) string {
	tp, err := (&jose.JSONWebKey{Key: attackerKey(t, keys.RS256).Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(tp)
}

func jkuCheck(wantURL func(*testing.T, *url.URL)) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		h := headerOf(t, d.last.Token)
		wantHeader(t, d.last.Token, withMembers(d.baseHeader, "jku", h["jku"], "kid", attackerThumbprint(t)))
		u, err := url.Parse(h["jku"].(string))
		if err != nil {
			t.Fatal(err)
		}
		wantURL(t, u)
		if d.f.RogueURL != u.String() || d.f.RogueType != "application/jwk-set+json" {
			t.Errorf("rogue served at %q as %q, want at the jku", d.f.RogueURL, d.f.RogueType)
		}
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(d.f.Rogue, &set); err != nil || len(set.Key(h["kid"].(string))) != 1 {
			t.Fatalf("rogue JWKS %s (%v) does not hold the kid %v", d.f.Rogue, err, h["kid"])
		}
		if !attackerKey(t, keys.RS256).Public().(*rsa.PublicKey).Equal(set.Keys[0].Key) {
			t.Errorf("the rogue JWKS does not hold the attacker's key")
		}
		wantAttackerSigned(t, d)
	}
}

// wantAttackerCert checks a self-signed certificate of the attacker key
// and that the token is signed by that key.
func wantAttackerCert(t *testing.T, d defectCase, der []byte) {
	t.Helper()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("certificate is not self-signed: %v", err)
	}
	if !attackerKey(t, keys.RS256).Public().(*rsa.PublicKey).Equal(cert.PublicKey) {
		t.Errorf("certificate is not for the attacker's key")
	}
	wantAttackerSigned(t, d)
}

// b64FalseCheck splits header.rawpayload.sig at the first and last dot.
func b64FalseCheck(crit bool) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		tok := d.last.Token
		first, last := strings.IndexByte(tok, '.'), strings.LastIndexByte(tok, '.')
		header, err := b64.DecodeString(tok[:first])
		if err != nil {
			t.Fatal(err)
		}
		want := withMembers(d.baseHeader, "b64", false)
		if crit {
			want["crit"] = []any{"b64"}
		}
		if got := jsonObject(t, header); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("header %v, want %v", got, want)
		}
		wantChanged(t, d.base, jsonObject(t, []byte(tok[first+1:last])))
		sig, err := b64.DecodeString(tok[last+1:])
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSig("RS256", d.activeKey(t, keys.RS256).Signer().Public(), []byte(tok[:last]), sig); err != nil {
			t.Errorf("signature over the RFC 7797 input: %v", err)
		}
	}
}

// x5tRealCheck: x5t names the certificate the step's JWKS publishes for
// the signing key, which differs from the world's JWKS only there.
func x5tRealCheck(t *testing.T, d defectCase) {
	h := headerOf(t, d.last.Token)
	headerCheck("x5t", h["x5t"])(t, d)
	published := publishedKeys(t, d.last.JWKS)
	key := keyByKid(published, d.baseHeader["kid"])
	chain, _ := key["x5c"].([]any)
	if len(chain) != 1 {
		t.Fatalf("signing key published without one x5c certificate: %v", key)
	}
	der, err := base64.StdEncoding.DecodeString(chain[0].(string))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if !d.activeKey(t, keys.RS256).Signer().Public().(*rsa.PublicKey).Equal(cert.PublicKey) {
		t.Errorf("certificate is not for the signing key")
	}
	sum := sha1.Sum(der)
	if h["x5t"] != b64.EncodeToString(sum[:]) || key["x5t"] != h["x5t"] {
		t.Errorf("x5t %v (JWK %v), want the certificate's SHA-1 thumbprint", h["x5t"], key["x5t"])
	}
	world := publishedKeys(t, d.w.ring.JWKS())
	if len(world) != len(published) {
		t.Fatalf("JWKS has %d keys, the world %d", len(published), len(world))
	}
	for _, w := range world {
		got := keyByKid(published, w["kid"])
		if w["kid"] == d.baseHeader["kid"] {
			got = withMembers(got, "x5c", nil, "x5t", nil)
		}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("published key %v, world %v", got, w)
		}
	}
}
