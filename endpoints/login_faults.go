package endpoints

import (
	"fmt"
	"sync"

	"github.com/testidp/testidp/issuer"
)

// The login page's fault picker: a person testing an application picks a
// fault case, logs in, and watches the application meet the broken ID token.

// faultGroup is one <optgroup> of the picker: a catalog category.
type faultGroup struct {
	Category string
	Options  []faultOption
}

type faultOption struct {
	Ref, Label string
}

// faultGroups lists every case variant by category, computed once.
var faultGroups = sync.OnceValue(func() []faultGroup {
	var out []faultGroup
	for _, m := range issuer.Manifest() {
		if len(out) == 0 || out[len(out)-1].Category != m.Category {
			out = append(out, faultGroup{Category: m.Category})
		}
		g := &out[len(out)-1]
		g.Options = append(g.Options, faultOption{Ref: m.Ref, Label: fmt.Sprintf("%s (%s)", m.Ref, m.Expect)})
	}
	return out
})

// pickFault applies the picker's choice to the request: "" keeps what the
// request asked for (testidp_fault) or the client's fault. It returns a
// problem to show on the page for an unknown choice.
func pickFault(ar *authRequest, ref string) string {
	if ref == "" {
		return ""
	}
	if _, _, err := issuer.LookupFault(ref); err != nil {
		return fmt.Sprintf("No fault case %q.", ref)
	}
	ar.Fault = ref
	return ""
}
