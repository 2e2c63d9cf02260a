package runtimetest

import "testing"

// TestRandomMounts holds the mounts family to what Random promises: valid,
// deterministic cases named after (seed, i), regenerated from their names,
// and a family of its own (seed 1 here is not Random's seed 1).
func TestRandomMounts(t *testing.T) {
	rootless, tmpfs, ro := 0, 0, 0
	for _, a := range familyCases(t, "random_m", 7, 300) {
		if a.Rootless {
			rootless++
		}
		if len(a.Mounts) > 0 {
			tmpfs++
		}
		if a.ReadonlyRoot {
			ro++
		}
	}
	// Each dimension is exercised (the generator's odds are 15%, 70%, 30%).
	if rootless < 20 || tmpfs < 150 || ro < 50 {
		t.Errorf("over 300 cases: %d rootless, %d with a tmpfs, %d read-only roots", rootless, tmpfs, ro)
	}
	if mustJSON(RandomMounts(1, 0).Process) == mustJSON(Random(1, 0).Process) {
		t.Error("RandomMounts(1, 0) repeats Random(1, 0)")
	}
	for _, bad := range []string{"random_y1_0001", "random_m1_1", "random_mx_0001", "random_s1"} {
		if _, ok := RandomByName(bad); ok {
			t.Errorf("RandomByName(%q) accepted", bad)
		}
	}
}
