package preexec

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/preexec/preexec/spec"
)

var update = flag.Bool("update", false, "rewrite generated files (docs/runtimes.md)")

// TestDocsUpToDate keeps docs/runtimes.md equal to the table the rows
// render; -update rewrites it.
func TestDocsUpToDate(t *testing.T) {
	got := RuntimesTable()
	if *update {
		if err := os.MkdirAll("docs", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("docs/runtimes.md", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("docs/runtimes.md")
	if err != nil {
		t.Fatalf("%v; run: go test -run TestDocsUpToDate -update .", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("docs/runtimes.md is stale (-want +got):\n%s\nrun: go test -run TestDocsUpToDate -update .", diff)
	}
}

// TestLines checks the table as internal/godebugs' test checks its own:
// versions in release order across lines, unique, every line but the first
// of each runtime citing what changed.
func TestLines(t *testing.T) {
	seen := map[string]bool{}
	var last string
	for i, l := range lines {
		if len(l.Versions) == 0 {
			t.Errorf("line %d has no versions", i)
		}
		if len(l.Cite) == 0 {
			t.Errorf("line %d (%s %s) cites nothing", i, l.Runtime, l.Versions[0])
		}
		for _, v := range l.Versions {
			key := l.Runtime + "@" + v
			if seen[key] {
				t.Errorf("%s listed twice", key)
			}
			seen[key] = true
			if l.Runtime == "runc" && last != "" && spec.CompareVersions(last, v) >= 0 {
				t.Errorf("runc %s after %s: not in release order", v, last)
			}
			if l.Runtime == "runc" {
				last = v
			}
		}
	}
	for _, rt := range Runtimes() {
		if _, err := LookupRuntime(rt.Name); err != nil {
			t.Errorf("Runtimes lists %s, which LookupRuntime refuses: %v", rt.Name, err)
		}
	}
}
