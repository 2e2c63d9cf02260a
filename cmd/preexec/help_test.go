package main

import (
	"os"
	"strings"
	"testing"
)

// TestHelpMatchesDoc: every subcommand line of the package doc's Usage is
// in `preexec -h`, word for word (testdata/script/help.txtar pins the
// whole text).
func TestHelpMatchesDoc(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, l := range strings.Split(string(src), "\n") {
		cmd, ok := strings.CutPrefix(l, "//\tpreexec ")
		if !ok {
			continue
		}
		n++
		if !strings.Contains(usage, "preexec "+cmd) {
			t.Errorf("usage lacks the doc's %q", "preexec "+cmd)
		}
	}
	if n < 6 {
		t.Errorf("the package doc has %d usage lines, want one per command (6)", n)
	}
}
