package issuer

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"

	"github.com/testidp/testidp/keys"
)

// Header faults, rows 15–22: keys named by the token itself, critical
// extensions, unencoded payloads, explicit types, and harmless variations.

func init() {
	register(&Case{
		Row: 15, ID: "jwk-embedded", Category: CatHeader, Expect: MustReject,
		Description: "The header carries jwk = an attacker RSA public key; the token is signed with the attacker's private key.",
		Refs: []string{"OpenID Connect Core §3.1.3.7 step 6", "RFC 8725 §3.8", "RFC 7515 §4.1.3",
			"CVE-2018-0114", "CVE-2026-27962"},
		Variants: []Variant{
			{Name: "same-kid", Description: "kid is the issuer's real RS256 kid (in the header and in the embedded jwk).", Make: jwkEmbedded(true)},
			{Name: "new-kid", Description: "kid is the attacker key's own thumbprint, unknown to the issuer's JWKS.", Make: jwkEmbedded(false)},
		},
	})
	register(&Case{
		Row: 16, ID: "jku-injection", Category: CatHeader, Expect: MustReject,
		Description: "The header's jku points to a JWK Set other than the discovered jwks_uri; kid names the attacker key in that set, which signed the token. A verifier should not even fetch the URL.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 6", "OpenID Connect Discovery §3 (jwks_uri)", "RFC 8725 §3.10", "RFC 7515 §4.1.2"},
		Variants: []Variant{
			{Delivery: rogue, Make: jkuInjection(false),
				Description: "jku on another host (served by the harness, which logs fetches)."},
			{Name: "same-host", Delivery: rogue, Make: jkuInjection(true),
				Description: "jku on the issuer's own host, under another path than the jwks_uri."},
		},
	})
	register(&Case{
		Row: 17, ID: "x5-header-injection", Category: CatHeader, Expect: MustReject,
		Description: "The header names an attacker certificate (x5u or x5c) and the token is signed with the attacker's key; kid stays the issuer's.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 6", "RFC 8725 §3.8", "RFC 8725 §3.10", "RFC 7515 §4.1.5", "RFC 7515 §4.1.6", "RFC 7515 §4.1.8"},
		Variants: []Variant{
			{Name: "x5u", Delivery: rogue, Make: x5Injection(true),
				Description: "x5u = URL of the attacker's self-signed certificate (PEM, served by the harness). A verifier should not fetch it."},
			{Name: "x5c", Make: x5Injection(false),
				Description: "x5c = the attacker's self-signed certificate inline, with a matching x5t#S256."},
		},
	})
	register(&Case{
		Row: 18, ID: "crit-unknown", Category: CatHeader, Expect: MustReject,
		Description: "The header lists an extension the verifier cannot understand in crit (\"urn:example:must-understand\", present with value true); correctly signed.",
		Refs:        []string{"RFC 7515 §4.1.11", "RFC 7515 §5.2", "CVE-2025-59420", "CVE-2026-32597"},
		Variants: []Variant{{Make: headerMembers(
			"crit", `["urn:example:must-understand"]`, "urn:example:must-understand", `true`)}},
	})
	register(&Case{
		Row: 19, ID: "crit-malformed", Category: CatHeader, Expect: ShouldReject,
		Description: "A crit member producers must not send; correctly signed.",
		Refs:        []string{"RFC 7515 §4.1.11"},
		Variants: []Variant{
			{Name: "empty", Description: "\"crit\":[] (an empty list).", Make: headerMembers("crit", `[]`)},
			{Name: "lists-alg", Description: "\"crit\":[\"alg\"] (a parameter of RFC 7515 itself).", Make: headerMembers("crit", `["alg"]`)},
			{Name: "absent-member", Description: "\"crit\":[\"x-foo\"] with no x-foo member.", Make: headerMembers("crit", `["x-foo"]`)},
			{Name: "not-array", Description: "\"crit\":\"x-foo\" (a string, not an array), with \"x-foo\":true present.",
				Make: headerMembers("crit", `"x-foo"`, "x-foo", `true`)},
		},
	})
	register(&Case{
		Row: 20, ID: "b64-false", Category: CatHeader, Expect: MustReject,
		Description: "The header adds \"b64\":false and \"crit\":[\"b64\"]; the signature is over the RFC 7797 signing input (header, a dot, the raw payload) and the token carries the raw JSON payload (which contains dots).",
		Refs:        []string{"RFC 7797 §3", "RFC 7797 §6", "RFC 7519 §7.2"},
		Variants: []Variant{
			{Make: b64False(true)},
			{Name: "no-crit", Description: "\"b64\":false without crit; otherwise the same unencoded payload.", Make: b64False(false)},
		},
	})
	register(&Case{
		Row: 21, ID: "typ-at-jwt", Category: CatHeader, Expect: ShouldReject,
		Description: "An otherwise valid ID token whose typ declares another kind of token.",
		Refs:        []string{"RFC 8725 §3.11", "RFC 8725 §3.12", "RFC 9068 §2.1"},
		Variants: []Variant{
			{Name: "at+jwt", Description: "typ \"at+jwt\" (a JWT access token).", Make: idTyp("at+jwt")},
			{Name: "application/at+jwt", Description: "typ \"application/at+jwt\".", Make: idTyp("application/at+jwt")},
			{Name: "secevent+jwt", Description: "typ \"secevent+jwt\" (a security event token).", Make: idTyp("secevent+jwt")},
			{Name: "dpop+jwt", Description: "typ \"dpop+jwt\" (a DPoP proof).", Make: idTyp("dpop+jwt")},
		},
	})
	register(&Case{
		Row: 22, ID: "benign-header-variants", Category: CatHeader, Expect: MustAccept,
		Description: "A valid token with a harmless header difference.",
		Refs:        []string{"RFC 7515 §4", "RFC 7515 §4.1.9", "RFC 7515 §4.1.7"},
		Variants: []Variant{
			{Name: "no-typ", Description: "No typ member.", Make: idHeader(func(h *Claims) { h.Delete("typ") })},
			{Name: "typ-JWT", Description: "typ \"JWT\" (as in B).", Make: idHeader(func(h *Claims) { h.SetString("typ", "JWT") })},
			{Name: "typ-lowercase", Description: "typ \"jwt\" (media types compare case-insensitively).", Make: idHeader(func(h *Claims) { h.SetString("typ", "jwt") })},
			{Name: "reordered", Description: "The header members in reverse order.", Make: reorderedHeader},
			{Name: "unknown-param", Description: "\"x-vendor\":\"abc\" added, not listed in crit.", Make: headerMembers("x-vendor", `"abc"`)},
			{Name: "x5t-real", Delivery: Delivery{State: "jwks"}, Make: x5tReal,
				Description: "x5t = SHA-1 thumbprint of the genuine certificate of the signing key, which the JWKS publishes in x5c."},
		},
	})
}

var rogue = Delivery{State: "rogue-url"}

// jwkEmbedded is B signed by the attacker with its public key in the header.
func jwkEmbedded(sameKid bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		priv, kid, err := e.attacker(keys.RS256)
		if err != nil {
			return nil, err
		}
		if sameKid {
			k, err := e.ActiveKey(keys.RS256)
			if err != nil {
				return nil, err
			}
			kid = k.ID
		}
		jwk, err := publicJWK(priv.Public(), keys.RS256, kid)
		if err != nil {
			return nil, err
		}
		return e.resigned(privateSigner(priv, keys.RS256, kid), func(d *Draft) error {
			d.Header.SetRaw("jwk", jwk)
			return nil
		})
	}
}

// jkuInjection is B signed by the attacker key, whose JWK Set the jku names.
func jkuInjection(sameHost bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		u := e.rogueURL("jwks.json")
		if sameHost {
			var err error
			if u, err = e.sameHostURL("rogue-jwks.json"); err != nil {
				return nil, err
			}
		}
		priv, kid, err := e.attacker(keys.RS256)
		if err != nil {
			return nil, err
		}
		jwk, err := publicJWK(priv.Public(), keys.RS256, kid)
		if err != nil {
			return nil, err
		}
		f, err := e.resigned(privateSigner(priv, keys.RS256, kid), func(d *Draft) error {
			d.Header.SetString("jku", u)
			return nil
		})
		if err != nil {
			return nil, err
		}
		f.Rogue = append(append([]byte(`{"keys":[`), jwk...), "]}"...)
		f.RogueType, f.RogueURL = "application/jwk-set+json", u
		return f, nil
	}
}

// x5Injection is B signed by the attacker key under the issuer's kid, with
// the attacker's certificate named by URL (x5u) or inline (x5c).
func x5Injection(byURL bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		priv, _, err := e.attacker(keys.RS256)
		if err != nil {
			return nil, err
		}
		k, err := e.ActiveKey(keys.RS256)
		if err != nil {
			return nil, err
		}
		der, err := selfSignedCert(priv, "attacker.example", e.Issuer.Now())
		if err != nil {
			return nil, err
		}
		u := e.rogueURL("x5u.pem")
		f, err := e.resigned(privateSigner(priv, keys.RS256, k.ID), func(d *Draft) error {
			if byURL {
				d.Header.SetString("x5u", u)
				return nil
			}
			sum := sha256.Sum256(der)
			d.Header.SetRaw("x5c", []byte(`["`+base64.StdEncoding.EncodeToString(der)+`"]`))
			d.Header.SetString("x5t#S256", b64.EncodeToString(sum[:]))
			return nil
		})
		if err != nil || !byURL {
			return f, err
		}
		f.Rogue = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		f.RogueType, f.RogueURL = "application/pem-certificate-chain", u
		return f, nil
	}
}

// headerMembers is B re-signed with raw header members set, given as
// name, raw JSON value pairs.
func headerMembers(nameValues ...string) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		return e.Signed(func(d *Draft) error {
			for i := 0; i+1 < len(nameValues); i += 2 {
				d.Header.SetRaw(nameValues[i], []byte(nameValues[i+1]))
			}
			return nil
		})
	}
}

// b64False signs B's raw payload bytes as RFC 7797 describes and sends them
// unencoded.
func b64False(crit bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		d, err := e.Baseline()
		if err != nil {
			return nil, err
		}
		d.Header.SetRaw("b64", []byte("false"))
		if crit {
			d.Header.SetRaw("crit", []byte(`["b64"]`))
		}
		header, payload := d.Header.AppendJSON(nil), d.Payload.AppendJSON(nil)
		input := b64.EncodeToString(header) + "." + string(payload)
		sig, err := d.Signer.Sign([]byte(input))
		if err != nil {
			return nil, err
		}
		s := Step{Token: input + "." + b64.EncodeToString(sig), Header: header, Payload: payload, Nonce: e.Nonce()}
		return One(s, nil)
	}
}

// idTyp is B with typ set; access tokens are at+jwt by definition.
func idTyp(typ string) func(*FaultEnv) (*Forged, error) {
	return idHeader(func(h *Claims) { h.SetString("typ", typ) })
}

// idHeader re-signs B after change edits its header; for ID tokens only
// (RFC 9068 fixes an access token's typ).
func idHeader(change func(h *Claims)) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken("must keep typ at+jwt (RFC 9068 §2.1)"); err != nil {
			return nil, err
		}
		return e.Signed(func(d *Draft) error {
			change(&d.Header)
			return nil
		})
	}
}

// reorderedHeader is B with its header members reversed.
func reorderedHeader(e *FaultEnv) (*Forged, error) {
	return e.Signed(func(d *Draft) error {
		ms := d.Header.Members
		reversed := make([]Member, len(ms))
		for i, m := range ms {
			reversed[len(ms)-1-i] = m
		}
		d.Header = Claims{Members: reversed}
		return nil
	})
}

// x5tReal is B with x5t naming a certificate of the issuer's RS256 key,
// which the step's JWKS publishes in that key's x5c.
func x5tReal(e *FaultEnv) (*Forged, error) {
	k, err := e.ActiveKey(keys.RS256)
	if err != nil {
		return nil, err
	}
	der, err := selfSignedCert(k.Signer(), e.Issuer.URL, e.Issuer.Now())
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(der)
	x5t := b64.EncodeToString(sum[:])
	f, err := e.Signed(func(d *Draft) error {
		d.Header.SetString("x5t", x5t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e.withJWKS(f, func(set []map[string]any) []map[string]any {
		for _, jwk := range set {
			if jwk["kid"] == k.ID {
				jwk["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
				jwk["x5t"] = x5t
			}
		}
		return set
	})
}
