// Package resulttest compares what preexec.Result says beyond its verdict,
// for tests of every package.
package resulttest

import (
	"fmt"
	"strings"

	"github.com/preexec/preexec"
)

// FixesText is res's fixes, one per line with whether each was verified,
// for comparing results.
func FixesText(res preexec.Result) string {
	var b strings.Builder
	for _, f := range res.Fixes() {
		fmt.Fprintf(&b, "%s %v\n", f.Text, f.Verified)
	}
	return b.String()
}

// FixesWithin reports whether every fix of a is one of b's.
func FixesWithin(a, b preexec.Result) bool {
	have := map[string]bool{}
	for _, line := range strings.SplitAfter(FixesText(b), "\n") {
		have[line] = true
	}
	for _, line := range strings.SplitAfter(FixesText(a), "\n") {
		if !have[line] {
			return false
		}
	}
	return true
}
