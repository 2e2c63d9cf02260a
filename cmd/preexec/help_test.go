package main

import (
	"os"
	"strings"
	"testing"
)

// TestHelpMatchesDoc: every subcommand line of the package doc's Usage is
// in `preexec -h`, word for word, runtimes and explain's
// --protected-symlinks included.
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
	if n < 6 || !strings.Contains(usage, "preexec runtimes [-o wide|json | --json]") ||
		!strings.Contains(usage, "preexec explain [--runtime NAME|PATH|host | --runtime-version TEXT] [--kernel K] [--protected-symlinks=BOOL]") {
		t.Errorf("usage (%d doc lines):\n%s", n, usage)
	}
}
