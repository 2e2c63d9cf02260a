package caps

import (
	"strings"
	"testing"

	capability "github.com/syndtr/gocapability/capability"
)

// TestNamesGocapability holds the package's table of names to
// github.com/syndtr/gocapability's, which it replaced.
func TestNamesGocapability(t *testing.T) {
	for c := Cap(0); c <= CAP_LAST_CAP; c++ {
		if want := "CAP_" + strings.ToUpper(capability.Cap(c).String()); c.String() != want {
			t.Errorf("Cap(%d) = %q, gocapability says %q", c, c.String(), want)
		}
		if p, ok := Parse(c.String()); !ok || p != c {
			t.Errorf("Parse(%q) = %d, %v", c.String(), p, ok)
		}
	}
	if s := Cap(41).String(); s != "CAP_41" {
		t.Errorf("Cap(41) = %q", s)
	}
}
