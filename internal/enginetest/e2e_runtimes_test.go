package enginetest

import (
	"slices"
	"testing"

	"github.com/preexec/preexec/internal/runtimes"
)

// TestE2ERuntimes pins which builds the end-to-end images run with: a
// go-installed build whose release and Go class an earlier build shares is
// left out; another Go class, another release and a distribution build
// stay.
func TestE2ERuntimes(t *testing.T) {
	var in []runtimes.Runtime
	for _, n := range []string{
		"runc@1.1.4+go1.19", "runc@1.1.4+go1.26", "runc@1.1.5+go1.19", "runc@1.1.5+debian",
		"runc@1.4.0+go1.26", "runc@1.4.0+go1.27", "runc@1.4.4+go1.26", "crun@1.8.1",
	} {
		in = append(in, runtimes.Runtime{Name: n})
	}
	var got []string
	for _, rt := range E2ERuntimes(in) {
		got = append(got, rt.Name)
	}
	want := []string{"runc@1.1.4+go1.19", "runc@1.1.4+go1.26", "runc@1.1.5+go1.19", "runc@1.1.5+debian",
		"runc@1.4.0+go1.26", "runc@1.4.4+go1.26", "crun@1.8.1"}
	if !slices.Equal(got, want) {
		t.Errorf("E2ERuntimes:\n got %v\nwant %v", got, want)
	}
}
