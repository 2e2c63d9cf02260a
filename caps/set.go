package caps

import "strings"

// A Set is a set of capabilities, bit n standing for capability n, as the
// kernel's kernel_cap_t holds it since Linux 6.3 (a u64).
type Set uint64

// All is the set of every capability this package knows.
const All Set = 1<<(CAP_LAST_CAP+1) - 1

// Of returns the set holding cs.
func Of(cs ...Cap) Set {
	var s Set
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

// Has reports whether c is in s.
func (s Set) Has(c Cap) bool { return c < 64 && s&(1<<c) != 0 }

// With returns s with cs added.
func (s Set) With(cs ...Cap) Set { return s | Of(cs...) }

// Without returns s with cs removed.
func (s Set) Without(cs ...Cap) Set { return s &^ Of(cs...) }

// Above returns the capabilities the model knows numbered above c: those a
// kernel whose last capability is c (/proc/sys/kernel/cap_last_cap) does
// not have.
func Above(c Cap) Set {
	if c >= 63 {
		return 0
	}
	return All &^ (Set(1)<<(c+1) - 1)
}

// SubsetOf reports whether every capability of s is in t, as the kernel's
// cap_issubset.
func (s Set) SubsetOf(t Set) bool { return s&^t == 0 }

// Caps returns the capabilities in s in ascending order.
func (s Set) Caps() []Cap {
	var cs []Cap
	for c := Cap(0); c < 64; c++ {
		if s.Has(c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// String returns the names in s, ascending, separated by commas; the empty
// set is "".
func (s Set) String() string {
	var b strings.Builder
	for _, c := range s.Caps() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.String())
	}
	return b.String()
}
