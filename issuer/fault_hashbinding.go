package issuer

import "github.com/testidp/testidp/keys"

// Hash-binding faults: fault-catalog.md rows 76–80. The baseline of each
// case is B with the hash claims its response type requires, correctly
// computed over the access token / code delivered with it (Step.AccessToken,
// Step.Code); the defect then breaks one of them.

// hashBinding is one hash claim and the response type that requires it.
type hashBinding struct {
	claim        string // at_hash or c_hash
	responseType string
}

var (
	atHash = hashBinding{"at_hash", "id_token token"}
	cHash  = hashBinding{"c_hash", "code id_token"}
)

// hashDefect changes the baseline draft d; value is the access token or code
// the claim covers.
type hashDefect func(e *FaultEnv, d *Draft, alg keys.Alg, value string) error

func init() {
	at, c := Delivery{ResponseType: atHash.responseType}, Delivery{ResponseType: cHash.responseType}
	register(&Case{
		Row: 76, ID: "at-hash-wrong", Category: CatHashBinding, Expect: MustReject,
		Description: "at_hash is computed over another access token of the same length (response type id_token token).",
		Refs:        []string{"OpenID Connect Core §3.2.2.9", "OpenID Connect Core §3.2.2.11", "OpenID Connect Core §3.3.2.9", "OpenID Connect Core §3.1.3.8"},
		Variants: []Variant{
			{Delivery: at, Make: atHash.fault(hashOverOther(atHash))},
			{Name: "append-1", Delivery: at, Description: "at_hash is the correct value with \"1\" appended (as the OpenID Foundation suite does; also the wrong length).",
				Make: atHash.fault(hashAppendOne(atHash))},
			{Name: "code-flow", Expect: Either, Delivery: Delivery{ResponseType: "code"},
				Description: "An ID token from the token endpoint (code flow) whose at_hash covers another access token of the same length; checking it is optional there (Core §3.1.3.8).",
				Make:        atHash.fault(hashOverOther(atHash))},
		},
	})
	register(&Case{
		Row: 77, ID: "at-hash-missing", Category: CatHashBinding, Expect: MustReject,
		Description: "Response type id_token token, with at_hash omitted.",
		Refs:        []string{"OpenID Connect Core §3.2.2.10", "OpenID Connect Core §3.3.2.11"},
		Variants:    []Variant{{Delivery: at, Make: atHash.fault(omitHash(atHash))}},
	})
	register(&Case{
		Row: 78, ID: "at-hash-wrong-construction", Category: CatHashBinding, Expect: MustReject,
		Description: "at_hash or c_hash built with a wrong recipe.",
		Refs:        []string{"OpenID Connect Core §3.2.2.9", "OpenID Connect Core §3.3.2.10"},
		Variants:    append(recipeVariants(atHash, "", at), recipeVariants(cHash, "c-hash-", c)...),
	})
	register(&Case{
		Row: 79, ID: "c-hash-wrong", Category: CatHashBinding, Expect: MustReject,
		Description: "c_hash is computed over another code of the same length (response type code id_token).",
		Refs:        []string{"OpenID Connect Core §3.3.2.10", "OpenID Connect Core §3.3.2.12", "FAPI 1.0 Advanced §5.2.2.1"},
		Variants: []Variant{
			{Delivery: c, Make: cHash.fault(hashOverOther(cHash))},
			{Name: "append-1", Delivery: c, Description: "c_hash is the correct value with \"1\" appended (as the OpenID Foundation suite does; also the wrong length).",
				Make: cHash.fault(hashAppendOne(cHash))},
			{Name: "s-hash", Delivery: c,
				Description: "FAPI 1.0 Advanced: the ID token (c_hash correct) carries an s_hash computed over another state of the same length than the one sent (Step.State).",
				Make:        sHashWrong},
		},
	})
	register(&Case{
		Row: 80, ID: "c-hash-missing", Category: CatHashBinding, Expect: MustReject,
		Description: "Response type code id_token, with c_hash omitted.",
		Refs:        []string{"OpenID Connect Core §3.3.2.11"},
		Variants:    []Variant{{Delivery: c, Make: cHash.fault(omitHash(cHash))}},
	})
}

// value is the access token or code the binding covers.
func (b hashBinding) value(e *FaultEnv) string {
	if b.claim == "at_hash" {
		return e.accessTokenValue()
	}
	return e.codeValue()
}

// fault builds the case's baseline (the hash claim correct over the value),
// applies defect and says in the step what was delivered with the token.
func (b hashBinding) fault(defect hashDefect) func(*FaultEnv) (*Forged, error) {
	return func(e *FaultEnv) (*Forged, error) {
		if err := e.needsIDToken("carry no at_hash or c_hash"); err != nil {
			return nil, err
		}
		v := b.value(e)
		d, err := e.BaselineWith(func(s *IDToken) {
			if b.claim == "at_hash" {
				s.AccessToken = v
			} else {
				s.Code = v
			}
		})
		if err != nil {
			return nil, err
		}
		if err := defect(e, d, e.spec().Alg, v); err != nil {
			return nil, err
		}
		s, err := e.Step(d)
		if b.claim == "at_hash" {
			s.AccessToken, s.Note = v, "delivered with the access token "+v
		} else {
			s.Code, s.Note = v, "delivered with the code "+v
		}
		return One(s, err)
	}
}

// otherValue: the claim is the correct recipe over another value of the
// same length.
func hashOverOther(b hashBinding) hashDefect {
	return func(_ *FaultEnv, d *Draft, alg keys.Alg, v string) error {
		h, err := HalfHash(alg, sameLengthOther(v))
		d.Payload.SetString(b.claim, h)
		return err
	}
}

func hashAppendOne(b hashBinding) hashDefect {
	return func(_ *FaultEnv, d *Draft, alg keys.Alg, v string) error {
		h, err := HalfHash(alg, v)
		d.Payload.SetString(b.claim, h+"1")
		return err
	}
}

func omitHash(b hashBinding) hashDefect {
	return func(_ *FaultEnv, d *Draft, _ keys.Alg, _ string) error {
		d.Payload.Delete(b.claim)
		return nil
	}
}

// recipeVariants is one variant per wrong recipe for the binding's claim.
func recipeVariants(b hashBinding, prefix string, dl Delivery) []Variant {
	var out []Variant
	for _, r := range wrongRecipes {
		out = append(out, Variant{Name: prefix + r.name, Delivery: dl,
			Description: b.claim + " is " + r.desc + ".",
			Make: b.fault(func(_ *FaultEnv, d *Draft, alg keys.Alg, v string) error {
				h, err := r.recipe(alg, v)
				d.Payload.SetString(b.claim, h)
				return err
			})})
	}
	return out
}

// sHashWrong: c_hash correct, s_hash over another state of the same length.
func sHashWrong(e *FaultEnv) (*Forged, error) {
	state := faultValue("state", 16)
	f, err := cHash.fault(func(_ *FaultEnv, d *Draft, alg keys.Alg, _ string) error {
		h, err := HalfHash(alg, sameLengthOther(state))
		d.Payload.SetString("s_hash", h)
		return err
	})(e)
	if err != nil {
		return nil, err
	}
	f.Steps[0].State = state
	f.Steps[0].Note += " and the state " + state
	return f, nil
}
