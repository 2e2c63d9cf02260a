package runtimetest

import "testing"

// TestRandomRootless holds the rootless family to what the other families
// promise (valid, deterministic, regenerated from their names) and to its
// own: every case is Rootless with subordinate ids, and each dimension —
// uids only, gids only, a part of the range, additionalGids, files of
// mapped and unmapped host ids, a missing cwd — is reached.
func TestRandomRootless(t *testing.T) {
	var uidsOnly, gidsOnly, partial, groups, unmapped, mapped, missingCwd int
	for _, c := range familyCases(t, "random_r", 7, 300) {
		if !c.Rootless || !c.Subordinate() {
			t.Fatalf("%s: not a rootless case with subordinate ids", c.Name)
		}
		ns := c.UserNS
		switch {
		case len(ns.GIDMappings) == 1:
			uidsOnly++
		case len(ns.UIDMappings) == 1:
			gidsOnly++
		}
		for _, m := range append(ns.UIDMappings[1:], ns.GIDMappings[1:]...) {
			if m.Size < SubordinateCount {
				partial++
				break
			}
		}
		if len(c.Process.AdditionalGids) > 0 {
			groups++
		}
		f, err := c.Rootfs.Parse("rootfs")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range f.Entries {
			switch {
			case e.UID == 300000 || e.UID == 0:
				unmapped++
			case e.UID == 200999:
				mapped++
			}
		}
		if c.Process.Cwd == "/home/app/new" || c.Process.Cwd == "/work/new" {
			missingCwd++
		}
	}
	if uidsOnly < 20 || gidsOnly < 20 || partial < 50 || groups < 45 || unmapped < 50 || mapped < 50 || missingCwd < 50 {
		t.Errorf("over 300 cases: %d uids only, %d gids only, %d partial ranges, %d with additionalGids, %d unmapped files, %d mapped files, %d missing cwds",
			uidsOnly, gidsOnly, partial, groups, unmapped, mapped, missingCwd)
	}
}
