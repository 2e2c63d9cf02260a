package spec

import (
	"cmp"
	"strconv"
	"strings"
)

// CompareVersions compares two versions of a runtime, an engine or a
// toolchain, one order for the whole module (a leading v, and build metadata
// after "+", are ignored): the dotted numeric release first, then a version
// with a pre-release suffix before the same release without one; pre-release
// identifiers compare in natural order, digit runs as numbers, so rc92 <
// rc93 < rc100. It returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	a, _, _ = strings.Cut(strings.TrimPrefix(a, "v"), "+")
	b, _, _ = strings.Cut(strings.TrimPrefix(b, "v"), "+")
	relA, preA, hasPreA := strings.Cut(a, "-")
	relB, preB, hasPreB := strings.Cut(b, "-")
	if c := compareDotted(relA, relB); c != 0 {
		return c
	}
	switch {
	case hasPreA && !hasPreB:
		return -1
	case !hasPreA && hasPreB:
		return 1
	}
	return compareDotted(preA, preB)
}

// compareDotted compares dot-separated identifiers in natural order; a
// shorter list that is a prefix of the other comes first.
func compareDotted(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := compareNatural(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// compareNatural compares strings run by run: digit runs as numbers,
// other runs as strings.
func compareNatural(a, b string) int {
	for a != "" && b != "" {
		ra, restA := run(a)
		rb, restB := run(b)
		da, db := isDigit(ra[0]), isDigit(rb[0])
		var c int
		switch {
		case da && db:
			na, _ := strconv.ParseUint(ra, 10, 64)
			nb, _ := strconv.ParseUint(rb, 10, 64)
			c = cmp.Compare(na, nb)
		case da != db:
			// Numbers before letters, as in semver.
			if da {
				c = -1
			} else {
				c = 1
			}
		default:
			c = strings.Compare(ra, rb)
		}
		if c != 0 {
			return c
		}
		a, b = restA, restB
	}
	return cmp.Compare(len(a), len(b))
}

// run splits s into its leading run of digits or of non-digits and the rest.
func run(s string) (string, string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// versionRelease reads the release part of s, "MAJOR[.MINOR[.PATCH]]" with an
// optional leading "v" and any "-", "+" or "~" suffix ignored, and returns
// it with the parts a version leaves out as 0 ("v23.0-rc1" is "23.0.0").
// ok is false if s has no such part or more than three.
func versionRelease(s string) (release string, ok bool) {
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+~"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 {
		return "", false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return "", false
		}
		if _, err := strconv.Atoi(p); err != nil {
			return "", false
		}
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	return strings.Join(parts, "."), true
}
