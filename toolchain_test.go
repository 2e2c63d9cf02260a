package preexec

import "testing"

// TestGoClass pins the toolchain table: which os/exec.LookPath variant each
// Go version gets, up to NewestGo.
func TestGoClass(t *testing.T) {
	for _, c := range []struct {
		goV  string
		want int
		why  string
	}{
		{"1.17", 0, "before Go 1.19: the mode-bit LookPath"},
		{"1.19", 1, "Go 1.19"},
		{"1.20.1", 2, "Go 1.20.0–1.20.1"},
		{"1.20.2", 3, "Go 1.20.2 on"},
		{"1.23.11", 3, "before the 1.23.12 backport"},
		{"1.23.12", 4, "the 1.23.12 backport"},
		{"1.24.5", 3, "before the 1.24.6 backport"},
		{"1.24.6", 4, "the 1.24.6 backport"},
		{"1.26", 4, "the machine's Go 1.26.8"},
		{"1.27", 4, "go1.27.3: lp_unix.go, syscall.Faccessat and unix.Eaccess are go1.26.8's"},
		{NewestGo(), nGoClasses - 1, "NewestGo is in the newest class"},
	} {
		g, err := parseGo(c.goV)
		if err != nil {
			t.Fatalf("%s: %v", c.goV, err)
		}
		if got := goClass(g); got != c.want {
			t.Errorf("goClass(%s) = %d (%s), want %d (%s)", c.goV, got, goToolchains[got].name, c.want, c.why)
		}
	}
	newest, _ := parseGo(NewestGo())
	for _, rt := range Runtimes() {
		if rt.Go == "" {
			continue
		}
		g := rt.goVersion()
		if g.major > newest.major || g.major == newest.major && g.minor > newest.minor {
			t.Errorf("%s: built with Go %s, newer than NewestGo %s", rt.Name, rt.Go, NewestGo())
		}
	}
}

// TestGoToolchainSpans: the first release of every span of a class is in
// that class, so no two classes claim it.
func TestGoToolchainSpans(t *testing.T) {
	for i, tc := range goToolchains {
		for _, s := range tc.spans {
			if got := goClass(s.from); got != i {
				t.Errorf("Go %d.%d.%d, first of a span of class %q, is in class %q", s.from.major, s.from.minor, s.from.patch, tc.name, goToolchains[got].name)
			}
		}
	}
}
