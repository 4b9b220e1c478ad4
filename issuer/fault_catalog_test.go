package issuer

import (
	"regexp"
	"testing"
)

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9+]+)*$`)

// TestCatalogShape checks every registered case is well formed.
func TestCatalogShape(t *testing.T) {
	rows := map[int]string{}
	verdicts := map[Expect]bool{MustReject: true, ShouldReject: true, Either: true, ShouldAccept: true, MustAccept: true}
	categories := map[string]bool{CatSignature: true, CatHeader: true, CatClaims: true, CatEncoding: true,
		CatKeySelection: true, CatRotation: true, CatNonce: true, CatHashBinding: true}
	for _, c := range Catalog() {
		if other, dup := rows[c.Row]; dup {
			t.Errorf("row %d used by %s and %s", c.Row, other, c.ID)
		}
		rows[c.Row] = c.ID
		if !kebab.MatchString(c.ID) || !categories[c.Category] || len(c.Refs) == 0 || c.Description == "" {
			t.Errorf("%s: id, category %q, refs %v or description malformed", c.ID, c.Category, c.Refs)
		}
		names := map[string]bool{}
		for _, v := range c.Variants {
			if names[v.Name] {
				t.Errorf("%s: variant %q twice", c.ID, v.Name)
			}
			names[v.Name] = true
			if !verdicts[v.Expect] || v.Make == nil {
				t.Errorf("%s: verdict %q or Make missing", c.Ref(v), v.Expect)
			}
			if c2, v2, err := LookupFault(c.Ref(v)); err != nil || c2 != c || v2.Name != v.Name {
				t.Errorf("LookupFault(%s) = %v, %v, %v", c.Ref(v), c2, v2.Name, err)
			}
		}
	}
}

func TestLookupFault(t *testing.T) {
	if _, v, err := LookupFault("iss-wrong"); err != nil || v.Name != "other" {
		t.Errorf("bare id: variant %q, %v; want the first variant", v.Name, err)
	}
	for _, bad := range []string{"no-such-case", "iss-wrong#nope", "", "#other"} {
		if _, _, err := LookupFault(bad); err == nil {
			t.Errorf("LookupFault(%q): no error", bad)
		}
	}
}

// TestEveryVariantForges builds every manifest entry in the fixed world.
func TestEveryVariantForges(t *testing.T) {
	for _, m := range Manifest() {
		t.Run(m.Ref, func(t *testing.T) {
			f, _ := forge(t, m.Ref)
			if len(f.Steps) == 0 || f.Last().Token == "" {
				t.Fatalf("%s: no token", m.Ref)
			}
			if f.Last().Expect != m.Expect {
				t.Errorf("last step expect %s, manifest %s", f.Last().Expect, m.Expect)
			}
		})
	}
}

// TestCatalogTally checks the catalog is complete: fault-catalog.md §3's
// tally of 80 rows by category and by row-level verdict.
func TestCatalogTally(t *testing.T) {
	byCategory, byExpect := map[string]int{}, map[Expect]int{}
	for _, c := range Catalog() {
		byCategory[c.Category]++
		byExpect[c.Expect]++
	}
	wantCategory := map[string]int{CatSignature: 14, CatHeader: 13, CatClaims: 24, CatEncoding: 9,
		CatKeySelection: 8, CatRotation: 4, CatNonce: 3, CatHashBinding: 5}
	wantExpect := map[Expect]int{MustReject: 55, ShouldReject: 11, Either: 2, ShouldAccept: 3, MustAccept: 9}
	if n := len(Catalog()); n != 80 {
		t.Errorf("%d cases, want 80", n)
	}
	for k, want := range wantCategory {
		if byCategory[k] != want {
			t.Errorf("category %s: %d cases, want %d", k, byCategory[k], want)
		}
	}
	for k, want := range wantExpect {
		if byExpect[k] != want {
			t.Errorf("verdict %s: %d cases, want %d", k, byExpect[k], want)
		}
	}
	for i, c := range Catalog() {
		if c.Row != i+1 {
			t.Errorf("row %d is %s; rows must run 1..80 without gaps", c.Row, c.ID)
			break
		}
	}
}
