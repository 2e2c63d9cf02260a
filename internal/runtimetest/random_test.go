package runtimetest

import "testing"

// familyCases returns cases 0…n-1 of seed of the family with prefix,
// failing t unless each is valid, the same on a second call, named after
// (seed, i), and regenerated from its name by RandomByName.
func familyCases(t *testing.T, prefix string, seed uint64, n int) []Case {
	t.Helper()
	var f *randomFamily
	for i := range randomFamilies {
		if randomFamilies[i].prefix == prefix {
			f = &randomFamilies[i]
		}
	}
	if f == nil {
		t.Fatalf("no random family %q", prefix)
	}
	out := make([]Case, 0, n)
	for i := 0; i < n; i++ {
		a, b := f.gen(seed, i), f.gen(seed, i)
		if mustJSON(a) != mustJSON(b) {
			t.Fatalf("%s: case %d of seed %d differs between calls", prefix, i, seed)
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("%s: case %d of seed %d: %v\n%s", prefix, i, seed, err, mustJSON(a))
		}
		if a.Name != f.named(seed, i) {
			t.Errorf("%s: case %d of seed %d is named %q", prefix, i, seed, a.Name)
		}
		if c, ok := RandomByName(a.Name); !ok || mustJSON(c) != mustJSON(a) {
			t.Errorf("RandomByName(%q) does not regenerate it", a.Name)
		}
		out = append(out, a)
	}
	return out
}
