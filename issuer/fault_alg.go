package issuer

import (
	"crypto"
	"strings"

	"github.com/testidp/testidp/keys"
)

// Algorithm faults, rows 9–14: unsecured tokens, algorithm confusion,
// algorithms the client did not register, malformed alg values.

func init() {
	register(&Case{
		Row: 9, ID: "alg-none", Category: CatSignature, Expect: MustReject,
		Description: "The client registered RS256; the header says an unsecured alg and the third part is empty.",
		Refs: []string{"OpenID Connect Core §2", "OpenID Connect Core §3.1.3.7 step 7", "RFC 7518 §3.6", "RFC 7515 §4.1.1",
			"RFC 8725 §3.1", "RFC 8725 §3.2", "CVE-2022-23540", "CVE-2020-26244"},
		Variants: []Variant{
			{Name: "none", Description: "alg \"none\", empty signature.", Make: algNone("none", false)},
			{Name: "None", Description: "alg \"None\" (catches case-insensitive block-lists), empty signature.", Make: algNone("None", false)},
			{Name: "NONE", Description: "alg \"NONE\", empty signature.", Make: algNone("NONE", false)},
			{Name: "nOnE", Description: "alg \"nOnE\", empty signature.", Make: algNone("nOnE", false)},
			{Name: "none-keep-sig", Description: "alg \"none\" with the original RS256 signature left in place.", Make: algNone("none", true)},
		},
	})
	register(&Case{
		Row: 10, ID: "alg-none-registered", Category: CatSignature, Expect: Either,
		Description: "The one legitimate unsecured ID token: the client registered id_token_signed_response_alg none, code flow, token endpoint only, all claims valid.",
		Refs:        []string{"OpenID Connect Core §2"},
		Variants: []Variant{{Delivery: Delivery{Registration: "none", Alg: string(keys.None), ResponseType: "code"},
			Make: func(e *FaultEnv) (*Forged, error) {
				if err := e.needsIDToken("are never unsigned"); err != nil {
					return nil, err
				}
				d, err := e.BaselineWith(func(s *IDToken) { s.Alg = keys.None })
				if err != nil {
					return nil, err
				}
				return One(e.Step(d))
			}}},
	})
	register(&Case{
		Row: 11, ID: "alg-confusion-pubkey-hmac", Category: CatSignature, Expect: MustReject,
		Description: "alg switched to HMAC (kid unchanged), keyed with the issuer's public key bytes.",
		Refs: []string{"RFC 8725 §2.1", "RFC 8725 §3.1", "OpenID Connect Core §3.1.3.7 step 7", "OpenID Connect Core §3.1.3.7 step 8",
			"CVE-2015-9235", "CVE-2016-10555", "CVE-2016-5431", "CVE-2017-11424", "CVE-2022-29217", "CVE-2022-23541",
			"CVE-2024-33663", "CVE-2024-37568", "CVE-2026-48526"},
		Variants: confusionVariants(),
	})
	register(&Case{
		Row: 12, ID: "alg-hs-client-secret", Category: CatSignature, Expect: MustReject,
		Description: "The client registered RS256, yet the token is HS256 with a correct MAC under the client's own client_secret: whoever knows the secret could mint ID tokens.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 7", "RFC 8725 §3.1"},
		Variants: []Variant{{Make: func(e *FaultEnv) (*Forged, error) {
			d, err := e.withAlg(keys.HS256)
			if err != nil {
				return nil, err
			}
			return One(e.Step(d))
		}}},
	})
	register(&Case{
		Row: 13, ID: "alg-not-registered", Category: CatSignature, Expect: ShouldReject,
		Description: "A genuine signature by a published key, with another algorithm than the client registered.",
		Refs:        []string{"OpenID Connect Core §3.1.3.7 step 7", "FAPI 1.0 Advanced §8.6", "RFC 8725 §3.1", "CVE-2020-26244"},
		Variants: []Variant{
			{Name: "rs256-when-ps256", Expect: MustReject, Delivery: Delivery{Alg: string(keys.PS256)},
				Description: "The client registered PS256 (FAPI: MUST reject); the token is B, RS256 by the issuer's RS256 key.",
				Make:        func(e *FaultEnv) (*Forged, error) { return One(e.baselineStep()) }},
			{Name: "rs512-when-rs256", Make: rs512,
				Description: "The client registered RS256; the token is RS512, signed by the issuer's RS256 key (its kid)."},
			{Name: "ps256-when-rs256",
				Description: "The client registered RS256; the token is PS256, signed by the issuer's PS256 key.",
				Make: func(e *FaultEnv) (*Forged, error) {
					d, err := e.withAlg(keys.PS256)
					if err != nil {
						return nil, err
					}
					return One(e.Step(d))
				}},
		},
	})
	register(&Case{
		Row: 14, ID: "alg-invalid", Category: CatSignature, Expect: MustReject,
		Description: "The header's alg is missing, empty, unknown or not a string; the token is RS256-signed over that header.",
		Refs:        []string{"RFC 7515 §4.1.1", "RFC 7515 §5.2", "RFC 8725 §3.1"},
		Variants: []Variant{
			{Name: "absent", Description: "No alg member.", Make: algRaw(nil)},
			{Name: "empty", Description: "alg \"\".", Make: algRaw([]byte(`""`))},
			{Name: "unknown", Description: "alg \"RS257\", a near miss of RS256.", Make: algRaw([]byte(`"RS257"`))},
			{Name: "null", Description: "alg null.", Make: algRaw([]byte(`null`))},
			{Name: "number", Description: "alg 256.", Make: algRaw([]byte(`256`))},
			{Name: "array", Description: "alg [\"RS256\"].", Make: algRaw([]byte(`["RS256"]`))},
		},
	})
}

// algNone is B with alg set to value and no signature, or the genuine
// RS256 signature kept.
func algNone(value string, keepSig bool) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		d, genuine, err := e.BaselineStep(nil)
		if err != nil {
			return nil, err
		}
		d.Header.SetString("alg", value)
		s, err := e.RawStep(d.Header.AppendJSON(nil), genuine.Payload, nil)
		if err != nil || !keepSig {
			return One(s, err)
		}
		return One(withSignatureOf(s, genuine.Token))
	}
}

// confusionVariants is every key encoding under HS256, then under HS384
// and HS512 (names suffixed -hs384, -hs512).
func confusionVariants() []Variant {
	var out []Variant
	for _, mac := range []keys.Alg{"HS256", "HS384", "HS512"} {
		for _, kb := range confusionKeyBytes {
			name := kb.name
			if mac != "HS256" {
				name += "-" + strings.ToLower(string(mac))
			}
			var dl Delivery
			if kb.alg != keys.RS256 {
				dl.Alg = string(kb.alg)
			}
			out = append(out, Variant{Name: name, Delivery: dl, Make: confusion(mac, kb),
				Description: string(mac) + " keyed with the issuer's " + string(kb.alg) + " public key as " + kb.desc + "."})
		}
	}
	return out
}

// confusion is the baseline for kb.alg with alg set to mac and a MAC keyed
// with kb's encoding of the issuer's key.
func confusion(mac keys.Alg, kb keyBytes) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		k, err := e.ActiveKey(kb.alg)
		if err != nil {
			return nil, err
		}
		secret, err := kb.enc(k)
		if err != nil {
			return nil, err
		}
		s, err := macSigner(mac, secret)
		if err != nil {
			return nil, err
		}
		d, err := e.withAlg(kb.alg)
		if err != nil {
			return nil, err
		}
		d.Header.SetString("alg", string(mac))
		d.Signer = s
		return One(e.Step(d))
	}
}

// rs512 is B signed RS512 by the issuer's RS256 key, under its kid.
func rs512(e *FaultEnv) (*Forged, error) {
	k, priv, err := e.rsaKey()
	if err != nil {
		return nil, err
	}
	return e.resigned(rsaHashSigner(priv, "RS512", crypto.SHA512, k.ID), nil)
}

// algRaw is B with the alg member's raw JSON replaced (nil: removed),
// signed RS256 by the issuer's key over that header.
func algRaw(raw []byte) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		return e.Signed(func(d *Draft) error {
			if raw == nil {
				d.Header.Delete("alg")
			} else {
				d.Header.SetRaw("alg", raw)
			}
			return nil
		})
	}
}
