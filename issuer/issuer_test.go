package issuer

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/testidp/testidp/keys"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const testIssuer = "https://op.example"

func testRing(t testing.TB) *keys.Ring {
	t.Helper()
	var ks []*keys.Key
	for _, alg := range keys.RingAlgs {
		k, err := keys.Generate(alg, t0, keys.GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k.WithState(keys.Active, t0))
	}
	r, err := keys.NewRing(t0, ks...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fixedNow() time.Time { return t0 }

// verify checks tok with go-jose's jwt package, allowing exactly alg.
func verify(t *testing.T, tok string, alg keys.Alg, key any, clientID string) map[string]any {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		t.Fatalf("jwt.ParseSigned(%s): %v", alg, err)
	}
	var std jwt.Claims
	all := map[string]any{}
	if err := parsed.Claims(key, &std, &all); err != nil {
		t.Fatalf("Claims (signature check) for %s: %v", alg, err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: testIssuer, AnyAudience: jwt.Audience{clientID}, Time: t0.Add(time.Minute)}, 0); err != nil {
		t.Fatalf("Validate %s: %v", alg, err)
	}
	return all
}

func TestIDTokenVerifiesForEveryAlg(t *testing.T) {
	ring := testRing(t)
	is := New(testIssuer, ring, fixedNow)
	secret := "hs256-secret-0123456789abcdef0123"
	for _, alg := range append(append([]keys.Alg{}, keys.RingAlgs...), keys.HS256) {
		t.Run(string(alg), func(t *testing.T) {
			tok, err := is.MintIDToken(IDToken{ClientID: "web", Subject: "alice", Alg: alg, Secret: secret, TTL: time.Hour,
				Nonce: "n-1", Claims: map[string]any{"email": "alice@example.com"}})
			if err != nil {
				t.Fatalf("MintIDToken: %v", err)
			}
			var key any = []byte(secret)
			if alg != keys.HS256 {
				k, _ := ring.Active(alg)
				pub := k.Public()
				key = &pub
			}
			claims := verify(t, tok.Raw, alg, key, "web")
			if claims["nonce"] != "n-1" || claims["email"] != "alice@example.com" || claims["aud"] != "web" {
				t.Errorf("claims = %v", claims)
			}
			if claims["exp"].(float64) != float64(t0.Add(time.Hour).Unix()) {
				t.Errorf("exp = %v, want iat + TTL", claims["exp"])
			}
		})
	}
}

func TestHashesIndependently(t *testing.T) {
	is := New(testIssuer, testRing(t), fixedNow)
	left := func(sum []byte) string { return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]) }
	at, code := "access-token-value", "code-value"
	s256a, s256c := sha256.Sum256([]byte(at)), sha256.Sum256([]byte(code))
	s512a := sha512.Sum512([]byte(at))
	cases := []struct {
		alg    keys.Alg
		atHash string
		cHash  string
	}{
		{keys.RS256, left(s256a[:]), left(s256c[:])},
		{keys.ES256, left(s256a[:]), left(s256c[:])},
		{keys.EdDSA, left(s512a[:]), ""},
	}
	for _, tc := range cases {
		tok, err := is.MintIDToken(IDToken{ClientID: "c", Subject: "s", Alg: tc.alg, TTL: time.Minute, AccessToken: at, Code: code})
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		_ = json.Unmarshal(tok.Payload, &p)
		if p["at_hash"] != tc.atHash {
			t.Errorf("%s at_hash = %v, want %s", tc.alg, p["at_hash"], tc.atHash)
		}
		if tc.cHash != "" && p["c_hash"] != tc.cHash {
			t.Errorf("%s c_hash = %v, want %s", tc.alg, p["c_hash"], tc.cHash)
		}
	}
}

func TestAudienceShapes(t *testing.T) {
	is := New(testIssuer, testRing(t), fixedNow)
	one, _ := is.MintIDToken(IDToken{ClientID: "c", Subject: "s", TTL: time.Minute})
	two, _ := is.MintIDToken(IDToken{ClientID: "c", Subject: "s", TTL: time.Minute, Audience: []string{"c", "api"}, AZP: "c"})
	if !strings.Contains(string(one.Payload), `"aud":"c"`) {
		t.Errorf("single audience should be a string: %s", one.Payload)
	}
	if !strings.Contains(string(two.Payload), `"aud":["c","api"]`) || !strings.Contains(string(two.Payload), `"azp":"c"`) {
		t.Errorf("two audiences should be an array with azp: %s", two.Payload)
	}
}

func TestAlgNone(t *testing.T) {
	is := New(testIssuer, testRing(t), fixedNow)
	tok, err := is.MintIDToken(IDToken{ClientID: "c", Subject: "s", TTL: time.Minute, Alg: keys.None})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(tok.Raw, ".") || strings.Count(tok.Raw, ".") != 2 {
		t.Errorf("alg none token %q should end with an empty signature part", tok.Raw)
	}
	if string(tok.Header) != `{"alg":"none","typ":"JWT"}` {
		t.Errorf("header = %s", tok.Header)
	}
}

func TestAccessTokenRFC9068(t *testing.T) {
	ring := testRing(t)
	is := New(testIssuer, ring, fixedNow)
	tok, err := is.MintAccessToken(AccessToken{ClientID: "service", Subject: "service", Scope: "read write", Alg: keys.ES256, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ring.Active(keys.ES256)
	pub := k.Public()
	claims := verify(t, tok.Raw, keys.ES256, &pub, "service")
	for _, name := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
		if _, ok := claims[name]; !ok {
			t.Errorf("access token lacks %q (RFC 9068 §2.2): %v", name, claims)
		}
	}
	if !strings.Contains(string(tok.Header), `"typ":"at+jwt"`) {
		t.Errorf("header %s lacks typ at+jwt", tok.Header)
	}
	if _, err := is.MintAccessToken(AccessToken{ClientID: "c", Subject: "s", Alg: keys.HS256}); err == nil {
		t.Error("HS256 access token: no error, want refusal")
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	inputs := []string{"", "plain", `quote " and \ backslash`, "ctl \x00\x01\x1f\n\r\t", "ünïcødé ✓ 𝄞", "bad \xff utf8", "</script>&"}
	for _, s := range inputs {
		var back string
		if err := json.Unmarshal(appendString(nil, s), &back); err != nil {
			t.Fatalf("appendString(%q) = %s: not JSON: %v", s, appendString(nil, s), err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("appendString(%q) decodes to %q, encoding/json round trip gives %q", s, back, wantBack)
		}
	}
}

func TestScopedClaims(t *testing.T) {
	user := map[string]any{"email": "a@x", "name": "A", "tenant": "acme", "phone_number": "1"}
	got := ScopedClaims([]string{"openid", "email"}, user)
	if got["email"] != "a@x" || got["tenant"] != "acme" {
		t.Errorf("email scope + custom claim missing: %v", got)
	}
	if _, ok := got["name"]; ok {
		t.Errorf("name released without profile scope: %v", got)
	}
	if _, ok := got["phone_number"]; ok {
		t.Errorf("phone_number released without phone scope: %v", got)
	}
}
