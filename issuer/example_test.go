package issuer_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return now }

// An HS256 ID token is keyed by the client secret, so with a fixed clock it
// is the same bytes every time.
func ExampleIssuer_MintIDToken() {
	ring, _ := keys.NewRing(now)
	is := issuer.New("https://op.example", ring, fixedClock)
	tok, err := is.MintIDToken(issuer.IDToken{
		ClientID: "hs256", Subject: "alice", Alg: keys.HS256, Secret: "hs256-secret-0123456789abcdef0123",
		TTL: 5 * time.Minute, Nonce: "n-0S6_WzA2Mj", Claims: map[string]any{"email": "alice@example.com"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(tok.Header))
	fmt.Println(string(tok.Payload))
	fmt.Println(strings.Count(tok.Raw, "."))
	// Output:
	// {"alg":"HS256","typ":"JWT"}
	// {"iss":"https://op.example","sub":"alice","aud":"hs256","exp":1767225900,"iat":1767225600,"nonce":"n-0S6_WzA2Mj","email":"alice@example.com"}
	// 2
}

func ExampleIssuer_MintAccessToken() {
	k, _ := keys.Generate(keys.ES256, now, keys.GenerateOptions{KeyID: "es-1"})
	ring, _ := keys.NewRing(now, k.WithState(keys.Active, now))
	is := issuer.New("https://op.example", ring, fixedClock)
	tok, err := is.MintAccessToken(issuer.AccessToken{ClientID: "service", Subject: "service", Scope: "read", Alg: keys.ES256, TTL: time.Hour})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(tok.Header))
	fmt.Println(strings.Replace(string(tok.Payload), tok.ID, "<jti>", 1))
	// Output:
	// {"alg":"ES256","kid":"es-1","typ":"at+jwt"}
	// {"iss":"https://op.example","sub":"service","aud":"service","exp":1767229200,"iat":1767225600,"jti":"<jti>","client_id":"service","scope":"read"}
}

func ExampleIssuer_DraftIDToken() {
	ring, _ := keys.NewRing(now)
	is := issuer.New("https://op.example", ring, fixedClock)
	d, _ := is.DraftIDToken(issuer.IDToken{ClientID: "c", Subject: "s", Alg: keys.None, TTL: time.Minute})
	d.Payload.SetString("iss", "https://evil.example") // what a fault does between draft and signing
	tok, _ := d.Sign()
	fmt.Println(string(tok.Payload))
	fmt.Println(strings.HasSuffix(tok.Raw, "."))
	// Output:
	// {"iss":"https://evil.example","sub":"s","aud":"c","exp":1767225660,"iat":1767225600}
	// true
}

func ExampleHalfHash() {
	h, _ := issuer.HalfHash(keys.RS256, "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk")
	fmt.Println(h)
	// Output: LDktKdoQak3Pk0cnXxCltA
}

func ExampleScopedClaims() {
	user := map[string]any{"email": "a@example.com", "name": "A", "tenant": "acme"}
	fmt.Println(issuer.ScopedClaims([]string{"openid", "email"}, user))
	// Output: map[email:a@example.com tenant:acme]
}

func ExampleClaims() {
	var c issuer.Claims
	c.SetString("iss", "https://op.example")
	c.SetAudience([]string{"a", "b"})
	c.Append("iss", []byte(`"https://evil.example"`)) // duplicates are expressible
	b, _ := c.MarshalJSON()
	fmt.Println(string(b))
	// Output: {"iss":"https://op.example","aud":["a","b"],"iss":"https://evil.example"}
}
