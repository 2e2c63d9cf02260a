package preexec

import (
	"fmt"
	"strings"
)

// A RuntimeError is LookupRuntime's refusal of a runtime name; LookupRuntimes
// joins one per refused name (errors.As finds the first; the joined error's
// Unwrap() []error lists them all).
type RuntimeError struct {
	// Name is the name refused, as given ("runc@1.1").
	Name string
	// Reason says why ("the version must be …").
	Reason string
}

func (e *RuntimeError) Error() string { return fmt.Sprintf("unknown runtime %q: %s", e.Name, e.Reason) }

func runtimeErr(name, format string, args ...any) error {
	return &RuntimeError{Name: name, Reason: fmt.Sprintf(format, args...)}
}

// versionForms is what a version may be, with examples of kind's.
func versionForms(kind string) string {
	if kind == "crun" {
		return "the version must be X.Y.Z or X.Y (1.8.1, 1.9)"
	}
	return "the version must be X.Y.Z, X.Y.Z-rcN or X.Y (1.1.4, 1.0.0-rc93, 1.6.0-rc.1, 1.7)"
}

// shortVersion reads a version given as X.Y: a minor the rows model no
// release of is its X.Y.0 (which LookupRuntime then extrapolates from the
// newest older release modelled); a minor they model releases of is
// refused, since those releases may differ, with the releases to choose
// from. ok is false when version is not X.Y.
func shortVersion(name, kind, version string) (full string, ok bool, err error) {
	parts := strings.Split(version, ".")
	if len(parts) != 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return "", false, nil
	}
	var of []string
	for _, l := range lines {
		if l.Runtime != kind {
			continue
		}
		for _, v := range l.Versions {
			if strings.HasPrefix(v, version+".") {
				of = append(of, v)
			}
		}
	}
	if len(of) > 0 {
		list := strings.Join(of, ", ")
		if len(of) > 3 {
			list = of[0] + " … " + of[len(of)-1]
		}
		return "", true, runtimeErr(name, "%s %s is a minor with %d modelled releases (%s) that the model may answer differently: name one, e.g. %s@%s", kind, version, len(of), list, kind, of[len(of)-1])
	}
	return version + ".0", true, nil
}

// develGo reads the Go of a --version text or build information: "go1.19.8"
// → "1.19.8". A development toolchain, "devel go1.23-abc123 …", is read as
// the release it leads to, X.Y.0, and why is said.
func develGo(s string) (goV, why string) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "devel "); ok {
		word, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		minor, _, _ := strings.Cut(strings.TrimPrefix(word, "go"), "-")
		if _, err := parseGo(minor); err == nil && bareMinor(minor) {
			return minor + ".0", fmt.Sprintf("Go %q is a development toolchain before Go %s.0; answered as Go %s.0", s, minor, minor)
		}
		return strings.TrimPrefix(word, "go"), ""
	}
	word, _, _ := strings.Cut(s, " ")
	return strings.TrimPrefix(word, "go"), ""
}
