package rootfs

import (
	"math/rand/v2"
	"testing"
)

// TestLayeredIndexEquivalent: the index of destinations answers which
// mount a name is under as trying each mount does, on random mounts
// (nested, repeated, shadowing) and names.
func TestLayeredIndexEquivalent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	parts := []string{"a", "b", "ab", "c"}
	randPath := func(depth int) string {
		if depth == 0 {
			return "/"
		}
		p := ""
		for range depth {
			p += "/" + parts[r.IntN(len(parts))]
		}
		return p
	}
	for range 200 {
		l := &Layered{}
		for range 1 + r.IntN(40) {
			l.Mounts = append(l.Mounts, Mounted{Destination: randPath(r.IntN(4))})
		}
		l.last = make(map[string]int)
		for i, m := range l.Mounts {
			l.last[m.Destination] = i
		}
		for range 100 {
			name := randPath(r.IntN(6))
			lm, lin := l.whichLinear(name)
			im, iin := l.whichIndexed(name)
			if lm != im || lin != iin {
				t.Fatalf("mounts %v, name %s: linear %v %q, indexed %v %q", l.Mounts, name, lm, lin, im, iin)
			}
		}
	}
}
