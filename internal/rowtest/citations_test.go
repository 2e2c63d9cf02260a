package rowtest

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// notCited are references a reader of the module cannot follow: section
// signs, the project's private research notes and design documents by
// file name, and the notes' shorthands for field cases and table rows. A
// comment or rule cites the upstream source instead: repo file:function
// at a tag, a commit or an issue. The patterns are spelt so that this
// file does not match them itself. README.md's closing pointer to the
// workspace's ../shared/ names no note and is not matched.
var notCited = []*regexp.Regexp{
	regexp.MustCompile("\u00a7"),
	regexp.MustCompile(regexp.QuoteMeta("runc-" + "preexec")),
	regexp.MustCompile(regexp.QuoteMeta("kernel-go-" + "semantics")),
	regexp.MustCompile(regexp.QuoteMeta("field-" + "cases")),
	regexp.MustCompile(regexp.QuoteMeta("anchors" + ".md")),
	regexp.MustCompile(regexp.QuoteMeta("aesthetics" + ".md")),
	regexp.MustCompile(regexp.QuoteMeta("design" + ".md")),
	regexp.MustCompile(regexp.QuoteMeta("shared/" + "research")),
	regexp.MustCompile(`\bFC-[0-9]+\b`),
	regexp.MustCompile(`\bKG (row|Go)\b`),
}

// TestNoPrivateCitations walks the module's .go and .md files (testdata
// excluded) and fails at file:line for every reference to a source that is
// not in the module nor upstream (see notCited).
func TestNoPrivateCitations(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, ".md") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			for _, re := range notCited {
				m := re.FindString(sc.Text())
				if m == "" {
					continue
				}
				t.Errorf("%s:%d: %q cites what a reader of the module cannot open; cite the upstream source (repo file:function@tag, commit, issue) or drop it", rel, line, m)
				break
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// moduleRoot is the nearest directory at or above the working directory
// with a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fs.ErrNotExist
		}
		dir = up
	}
}
