package load_test

import (
	"strings"
	"testing"

	"github.com/preexec/preexec/load"
)

// TestLimitsSet: --limit NAME=VALUE sets one limit; sizes take binary
// units, counts none; a limit is positive; an unknown name lists the
// names.
func TestLimitsSet(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want load.Limits
		err  string
	}{
		{"file-size=128MiB", load.Limits{FileSize: 128 << 20}, ""},
		{"file-size=4096", load.Limits{FileSize: 4096}, ""},
		{"file-size=10B", load.Limits{FileSize: 10}, ""},
		{"inflated-size=64GiB", load.Limits{InflatedSize: 64 << 30}, ""},
		{"yaml-expansion=1KiB", load.Limits{YAMLExpansion: 1024}, ""},
		{"mtree-size=1MiB", load.Limits{MTreeSize: 1 << 20}, ""},
		{"layers=256", load.Limits{Layers: 256}, ""},
		{"index-descriptors=5", load.Limits{IndexDescriptors: 5}, ""},
		{"mtree-lines=7", load.Limits{MTreeLines: 7}, ""},
		{"bind-sources=2", load.Limits{BindSources: 2}, ""},
		{"layers=1KiB", load.Limits{}, `limit layers: "1KiB" is not a positive count`},
		{"file-size=0", load.Limits{}, `limit file-size: "0" is not a positive size (bytes, or a number with KiB, MiB or GiB)`},
		{"file-size=-1", load.Limits{}, `limit file-size: "-1" is not a positive size`},
		{"file-size=1TiB", load.Limits{}, `limit file-size: "1TiB" is not a positive size`},
		{"file-size=99999999999GiB", load.Limits{}, `limit file-size: "99999999999GiB" is too large`},
		{"layers", load.Limits{}, `limit "layers": want NAME=VALUE, NAME one of file-size, yaml-expansion, index-descriptors, layers, inflated-size, mtree-size, mtree-lines, bind-sources`},
		{"depth=3", load.Limits{}, `limit "depth": no such limit; the limits are bind-sources, file-size, index-descriptors, inflated-size, layers, mtree-lines, mtree-size, yaml-expansion`},
	} {
		var l load.Limits
		err := l.Set(c.arg)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("Set(%q): %v", c.arg, err)
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("Set(%q) = %v, want %q", c.arg, err, c.err)
		case l != c.want:
			t.Errorf("Set(%q) = %+v, want %+v", c.arg, l, c.want)
		}
	}
	// String gives back what was set, as Set takes it.
	var l load.Limits
	for _, a := range []string{"layers=3", "file-size=1KiB"} {
		if err := l.Set(a); err != nil {
			t.Fatal(err)
		}
	}
	if got := l.String(); got != "file-size=1024,layers=3" {
		t.Errorf("String = %q", got)
	}
	var again load.Limits
	for _, a := range strings.Split(l.String(), ",") {
		if err := again.Set(a); err != nil {
			t.Fatal(err)
		}
	}
	if again != l {
		t.Errorf("Set(String()) = %+v, want %+v", again, l)
	}
}
