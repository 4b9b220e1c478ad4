package issuer

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestFaultGolden pins the header and claims of every case variant, built in
// the fixed world (derived keys, fixed clock), in testdata/faults/. Run with
// -update after an intended change and review the diff.
func TestFaultGolden(t *testing.T) {
	dir := filepath.Join("testdata", "faults")
	seen := map[string]bool{}
	for _, m := range Manifest() {
		name := goldenName.Replace(m.Ref) + ".golden"
		seen[name] = true
		t.Run(m.Ref, func(t *testing.T) {
			f, _ := forge(t, m.Ref)
			got := goldenText(m, f)
			path := filepath.Join(dir, name)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./issuer -run TestFaultGolden -update)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from the golden file (run with -update and review):\n--- want\n%s\n--- got\n%s", path, want, got)
			}
		})
	}
	if !*update {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !seen[e.Name()] {
				t.Errorf("stale golden file %s: no such case variant", e.Name())
			}
		}
	}
}

// goldenName maps a ref to a file name ("/" occurs in typ-at-jwt#application/at+jwt).
var goldenName = strings.NewReplacer("#", "__", "/", "_")

func goldenText(m ManifestEntry, f *Forged) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — %s\n# expect: %s\n", m.Ref, m.Description, m.Expect)
	for i, s := range f.Steps {
		fmt.Fprintf(&b, "\nstep %d (%s)", i+1, s.Expect)
		if s.Note != "" {
			fmt.Fprintf(&b, " — %s", s.Note)
		}
		fmt.Fprintf(&b, "\nheader:  %s\npayload: %s\n", strconv.Quote(string(s.Header)), strconv.Quote(string(s.Payload)))
		if s.Nonce != "" {
			fmt.Fprintf(&b, "nonce:   %s\n", s.Nonce)
		}
		if s.JWKS != nil {
			fmt.Fprintf(&b, "jwks:    %s\n", s.JWKS)
		}
		if s.Refresh {
			b.WriteString("from a refresh grant\n")
		}
	}
	if f.Rogue != nil {
		fmt.Fprintf(&b, "\nrogue (%s): %s\n", f.RogueType, strconv.Quote(string(f.Rogue)))
	}
	return b.String()
}
