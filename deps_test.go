package testidp_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/testidp/testidp"

// allowed is the import table of DESIGN.md: which of our packages each
// package may import.
var allowed = map[string][]string{
	"cmd/testidp": {"endpoints", "issuer", "keys", "storage", "fixtures", "oidctest"},
	"endpoints":   {"issuer", "keys", "storage"},
	"issuer":      {"keys"},
	"keys":        {},
	"storage":     {},
	"fixtures":    {},
	"oidctest":    {"endpoints", "issuer", "keys", "storage", "fixtures"},
}

// thirdParty places the chosen dependencies: each may only be imported by the
// listed packages.
var thirdParty = map[string][]string{
	"github.com/zitadel/oidc":    {"endpoints"},
	"github.com/go-chi/chi":      {"endpoints"},
	"modernc.org/sqlite":         {"storage"},
	"github.com/go-jose/go-jose": {"keys", "issuer", "endpoints"},
}

// TestImportTable fails on any non-test import that breaks the table, on a
// package the table does not list, and on "testing" imported by a non-test
// file outside oidctest.
func TestImportTable(t *testing.T) {
	imports := packageImports(t)
	for pkg, imps := range imports {
		ours, listed := allowed[pkg]
		if !listed {
			t.Errorf("package %s is not in the import table (deps_test.go, DESIGN.md): add it", pkg)
			continue
		}
		for _, imp := range imps {
			switch {
			case strings.HasPrefix(imp, module+"/"):
				dep := strings.TrimPrefix(imp, module+"/")
				if !slices.Contains(ours, dep) {
					t.Errorf("%s imports %s; allowed: %v", pkg, dep, ours)
				}
			case imp == "testing" && pkg != "oidctest":
				t.Errorf("%s imports testing in a non-test file; only oidctest may", pkg)
			default:
				for prefix, users := range thirdParty {
					if strings.HasPrefix(imp, prefix) && !slices.Contains(users, pkg) {
						t.Errorf("%s imports %s; only %v may", pkg, imp, users)
					}
				}
			}
		}
	}
}

// packageImports maps each package directory of this module to the imports
// of its non-test files.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
				return filepath.SkipDir // a separate module, such as examples/
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[pkg] = append(out[pkg], p)
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("found no packages")
	}
	return out
}
