package issuer

import (
	"fmt"
	"sort"
	"strings"
)

// Expect is the verdict a correct verifier must reach for a fault case
// (fault-catalog.md §1, "Outcome codes").
type Expect string

// Verdicts, from strictest to most lenient.
const (
	MustReject   Expect = "must-reject"
	ShouldReject Expect = "should-reject"
	Either       Expect = "either"
	ShouldAccept Expect = "should-accept"
	MustAccept   Expect = "must-accept"
)

// Fault categories (fault-catalog.md §3).
const (
	CatSignature    = "signature"
	CatHeader       = "header"
	CatClaims       = "claims"
	CatEncoding     = "encoding"
	CatKeySelection = "key-selection"
	CatRotation     = "rotation"
	CatNonce        = "nonce"
	CatHashBinding  = "hash-binding"
)

// Delivery says what a case needs beyond minting one token, so that a runner
// (or a person) knows how to deliver it meaningfully.
type Delivery struct {
	// FrontChannel: deliver through the authorization endpoint (id_token,
	// code id_token…) or straight to a verifier API, not from the token
	// endpoint (the catalog's "(TLS)" rows).
	FrontChannel bool `json:"front_channel,omitempty"`
	// ResponseType the flow must use, for hash-binding cases
	// ("id_token token", "code id_token").
	ResponseType string `json:"response_type,omitempty"`
	// Registration the client needs: "HS256" (a client secret to key the
	// MAC), "none", "encryption" (a registered encryption key), "max_age".
	Registration string `json:"registration,omitempty"`
	// Alg is the ID-token algorithm the relying party registered for this
	// variant (empty: RS256); a verifier that does not support it should
	// skip the variant.
	Alg string `json:"alg,omitempty"`
	// State the case builds up across steps: "jwks" (a JWKS other than the
	// provider's), "rotation" (the key ring changes between steps),
	// "nonce-replay", "refresh", "userinfo", "rogue-url" (a URL the harness
	// serves: jku, x5u).
	State string `json:"state,omitempty"`
}

// Case is one row of the fault catalog.
type Case struct {
	// Row is the catalog row number; the manifest is in row order.
	Row         int
	ID          string
	Category    string
	Description string
	Refs        []string
	// Expect is the row-level verdict; a variant may differ.
	Expect   Expect
	Variants []Variant
}

// Variant is one token of a case (id#variant); a case without named
// variants has one Variant with an empty Name.
type Variant struct {
	Name string
	// Expect and Description default to the case's.
	Expect      Expect
	Description string
	Delivery    Delivery
	// Make builds the token (and the steps before it) in env.
	Make func(env *FaultEnv) (*Forged, error)
}

// Ref is the public name of a case variant: "id" or "id#variant".
func (c *Case) Ref(v Variant) string {
	if v.Name == "" {
		return c.ID
	}
	return c.ID + "#" + v.Name
}

var catalog = map[string]*Case{}

// register adds a case to the catalog; family files call it from init.
func register(c *Case) {
	if _, dup := catalog[c.ID]; dup {
		panic("issuer: fault case registered twice: " + c.ID)
	}
	if len(c.Variants) == 0 {
		panic("issuer: fault case without variants: " + c.ID)
	}
	for i := range c.Variants {
		v := &c.Variants[i]
		if v.Expect == "" {
			v.Expect = c.Expect
		}
		if v.Description == "" {
			v.Description = c.Description
		}
	}
	catalog[c.ID] = c
}

// Catalog returns every case in catalog row order.
func Catalog() []*Case {
	out := make([]*Case, 0, len(catalog))
	for _, c := range catalog {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}

// LookupFault resolves "id" or "id#variant". A bare id names the case's
// first variant.
func LookupFault(ref string) (*Case, Variant, error) {
	id, name, hasVariant := strings.Cut(ref, "#")
	c, ok := catalog[id]
	if !ok {
		return nil, Variant{}, fmt.Errorf("%w: no fault case %q (see the manifest: testidp faults)", ErrUnknownFault, id)
	}
	if !hasVariant {
		return c, c.Variants[0], nil
	}
	for _, v := range c.Variants {
		if v.Name == name {
			return c, v, nil
		}
	}
	names := make([]string, len(c.Variants))
	for i, v := range c.Variants {
		names[i] = v.Name
	}
	return nil, Variant{}, fmt.Errorf("%w: fault %q has no variant %q (variants: %s)", ErrUnknownFault, id, name, strings.Join(names, ", "))
}

// ManifestEntry describes one case variant (the manifest is public API).
type ManifestEntry struct {
	ID          string   `json:"id"`
	Variant     string   `json:"variant,omitempty"`
	Ref         string   `json:"ref"`
	Category    string   `json:"category"`
	Expect      Expect   `json:"expect"`
	Description string   `json:"description"`
	Refs        []string `json:"refs"`
	Delivery    Delivery `json:"delivery"`
}

// Manifest lists every case variant in catalog order.
func Manifest() []ManifestEntry {
	var out []ManifestEntry
	for _, c := range Catalog() {
		for _, v := range c.Variants {
			out = append(out, ManifestEntry{ID: c.ID, Variant: v.Name, Ref: c.Ref(v), Category: c.Category,
				Expect: v.Expect, Description: v.Description, Refs: c.Refs, Delivery: v.Delivery})
		}
	}
	return out
}
