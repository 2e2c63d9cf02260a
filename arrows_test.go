package preexec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/preexec/preexec"

// arrows is the import allow-list of the design's layout: arrows point one
// way, cmd and examples → preexec → spec, rootfs → access → caps, and
// internal/ is reached only from tests and internal/; runtimeinfo, which
// reads runtime binaries on the host, stands beside cmd above preexec, and
// so does load, which reads a user's inputs (bundles, images, manifests,
// pods) from the host into what preexec takes. One internal package is
// library code: internal/limit, the wording of the limits on what is read
// (load.Limits), a leaf of fmt alone shared by spec, rootfs and load.
var arrows = map[string][]string{
	"caps":              {},
	"access":            {"caps"},
	"rootfs":            {"access", "caps", "internal/limit"},
	"rootfs/rootfstest": {"access", "caps", "rootfs"},
	"spec":              {"access", "caps", "internal/limit"},
	".":                 {"access", "caps", "rootfs", "spec"},
	"runtimeinfo":       {".", "caps"},
	"load":              {".", "access", "caps", "rootfs", "spec", "internal/limit"},
	"internal/limit":    {},
}

// pure packages make no system calls: they import neither os, os/exec,
// net nor golang.org/x/sys/unix, so that they build for every GOOS.
var pure = []string{"caps", "access", "rootfs", "rootfs/rootfstest", "spec", ".", "internal/limit"}

var forbiddenInPure = []string{"os", "os/exec", "net", "golang.org/x/sys/unix",
	// go-mtree imports os and x/sys/unix and does not build for js or
	// wasip1; its pkg/govis is pure.
	"github.com/vbatts/go-mtree",
	// go-containerregistry's layout and tarball open files (load.OpenImage
	// reads image files; no pure package needs them).
	"github.com/google/go-containerregistry/pkg/v1/layout",
	"github.com/google/go-containerregistry/pkg/v1/tarball"}

// hostFiles are the files of a pure package that may touch the host: the
// on-disk backend rootfs.Dir (design: "only rootfs.Dir … touches the
// host") and rootfs's host_ files, built only where their imports build
// (host_mtree.go: go-mtree's ParseSpec).
func hostFile(path string) bool {
	p := filepath.ToSlash(path)
	return strings.HasPrefix(p, "rootfs/dir_") || strings.HasPrefix(p, "rootfs/host_")
}

// imports returns the imports of the non-test Go files of dir.
func imports(t *testing.T, dir string) map[string]bool {
	return importsOf(t, dir, func(string) bool { return false })
}

// pureImports returns the imports of dir's non-test files but its host
// files.
func pureImports(t *testing.T, dir string) map[string]bool {
	return importsOf(t, dir, hostFile)
}

func importsOf(t *testing.T, dir string, skip func(string) bool) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || skip(f) {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[p] = true
		}
	}
	return out
}

func TestArrows(t *testing.T) {
	for pkg, allowed := range arrows {
		ok := map[string]bool{}
		for _, a := range allowed {
			ok[strings.TrimSuffix(module+"/"+a, "/.")] = true
		}
		for imp := range imports(t, pkg) {
			if strings.HasPrefix(imp, module) && !ok[imp] {
				t.Errorf("%s imports %s; the layout allows %v", pkg, imp, allowed)
			}
		}
	}
	for _, pkg := range pure {
		imps := pureImports(t, pkg)
		for _, bad := range forbiddenInPure {
			if imps[bad] {
				t.Errorf("pure package %s imports %s", pkg, bad)
			}
		}
	}
	// Nothing outside internal/ imports internal/ from non-test code,
	// but for the arrows above.
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != "." && (path == "internal" || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		for imp := range imports(t, path) {
			if strings.HasPrefix(imp, module+"/internal/") && !slices.Contains(arrows[filepath.ToSlash(path)], strings.TrimPrefix(imp, module+"/")) {
				t.Errorf("%s imports %s", path, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoImageStackBelowPreexec: a caller that brings its own access.FS and
// imports preexec does not pull the image stack (go-containerregistry, and
// its init), which package load holds: no package of this module that
// preexec imports, directly or not, imports it.
func TestNoImageStackBelowPreexec(t *testing.T) {
	seen := map[string]bool{}
	var visit func(pkg string)
	visit = func(pkg string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		for imp := range imports(t, pkg) {
			if strings.HasPrefix(imp, "github.com/google/go-containerregistry/") {
				t.Errorf("%s imports %s, which preexec pulls into every caller", pkg, imp)
			}
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				visit(rel)
			}
		}
	}
	visit(".")
}

// TestExportedDocumented checks that every exported name of every package
// has a doc comment.
func TestExportedDocumented(t *testing.T) {
	var missing []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && d.Doc == nil && !isMethodOfUnexported(d) && !isInterfaceImpl(d) {
					missing = append(missing, fset.Position(d.Pos()).String()+" "+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
							missing = append(missing, fset.Position(s.Pos()).String()+" "+s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
								missing = append(missing, fset.Position(n.Pos()).String()+" "+n.Name)
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("exported name without a doc comment: %s", m)
	}
}

func isMethodOfUnexported(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return false
	}
	typ := d.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && !id.IsExported()
}

// isInterfaceImpl reports methods whose meaning is the interface's:
// Error, String, Unwrap.
func isInterfaceImpl(d *ast.FuncDecl) bool {
	if d.Recv == nil {
		return false
	}
	switch d.Name.Name {
	case "Error", "String", "Unwrap", "Is":
		return true
	}
	return false
}
