package testidp_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestPublicEntryPointsHaveExamples keeps DESIGN.md's convention for keys
// and issuer: every exported function has an Example with an Output
// comment. (oidctest checks its functions and methods itself.)
func TestPublicEntryPointsHaveExamples(t *testing.T) {
	for _, dir := range []string{"keys", "issuer"} {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		examples, funcs := map[string]bool{}, []string{}
		for _, pkg := range pkgs {
			for name, f := range pkg.Files {
				for _, d := range f.Decls {
					fn, ok := d.(*ast.FuncDecl)
					if !ok || !fn.Name.IsExported() {
						continue
					}
					switch {
					case strings.HasSuffix(name, "_test.go"):
						if strings.HasPrefix(fn.Name.Name, "Example") && hasOutput(f, fn) {
							examples[fn.Name.Name] = true
						}
					case fn.Recv == nil:
						funcs = append(funcs, fn.Name.Name)
					}
				}
			}
		}
		for _, fn := range funcs {
			if !examples["Example"+fn] {
				t.Errorf("%s.%s has no Example%s with an Output comment", dir, fn, fn)
			}
		}
	}
}

func hasOutput(f *ast.File, fn *ast.FuncDecl) bool {
	for _, cg := range f.Comments {
		if cg.Pos() >= fn.Pos() && cg.End() <= fn.End() && strings.Contains(cg.Text(), "Output:") {
			return true
		}
	}
	return false
}
