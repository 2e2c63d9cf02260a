package spec

import "testing"

func TestCompareVersions(t *testing.T) {
	// Each strictly before the next.
	order := []string{
		"1.0.0-rc9", "1.0.0-rc10", "1.0.0-rc92", "1.0.0-rc93", "v1.0.0-rc94", "1.0.0-rc95",
		"1.0.0", "1.0.1", "1.0.3", "1.1.0", "1.1.4", "1.1.5", "1.1.9", "1.1.10", "1.1.15",
		"1.2.0", "1.2.9", "1.3.6", "1.4.0", "1.4.3", "1.5.0-rc.2", "1.5.0-rc.3", "1.5.0",
		"1.5.1", "1.5.2", "1.6.0-rc.1", "1.6.0", "1.10.0", "2",
	}
	for i, a := range order {
		for j, b := range order {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := CompareVersions(a, b); got != want {
				t.Errorf("CompareVersionsVersions(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	for _, p := range [][2]string{{"1.1.5", "v1.1.5"}, {"1.1.5+ds1", "1.1.5"}, {"", ""}} {
		if got := CompareVersions(p[0], p[1]); got != 0 {
			t.Errorf("CompareVersionsVersions(%q, %q) = %d, want 0", p[0], p[1], got)
		}
	}
}

func TestVersionRelease(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"23.0.6", "23.0.6", true},
		{"v23.0", "23.0.0", true},
		{"20", "20.0.0", true},
		{"1.34.0-rc.1", "1.34.0", true},
		{"1.1.5+ds1", "1.1.5", true},
		{"1.1.5~deb12u1", "1.1.5", true},
		{"", "", false},
		{"1.2.3.4", "", false},
		{"1..2", "", false},
		{"1.x", "", false},
		{"-1", "", false},
		{"1.+2", "", false},
	} {
		got, ok := versionRelease(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("versionRelease(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
