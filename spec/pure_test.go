package spec_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure checks that spec is a pure package: its non-test files import
// neither os, os/exec, net nor golang.org/x/sys, and of this module only
// access, caps and internal/limit (the wording of its limits), which
// imports only fmt.
func TestPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	limitFiles, err := filepath.Glob("../internal/limit/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, limitFiles...)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case p == "os", p == "os/exec", p == "net", strings.HasPrefix(p, "net/"), strings.HasPrefix(p, "golang.org/x/sys"):
				t.Errorf("%s imports %s: spec is pure", f, p)
			case strings.Contains(f, "internal/limit") && p != "fmt":
				t.Errorf("%s imports %s: internal/limit may import only fmt", f, p)
			case strings.HasPrefix(p, "github.com/preexec/preexec/") &&
				p != "github.com/preexec/preexec/access" && p != "github.com/preexec/preexec/caps" &&
				p != "github.com/preexec/preexec/internal/limit":
				t.Errorf("%s imports %s: spec may use only access, caps and internal/limit of this module", f, p)
			}
		}
	}
}
