package caps

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Sets holds the five capability sets of a task, or of an OCI
// process.capabilities object.
type Sets struct {
	Effective, Permitted, Inheritable, Bounding, Ambient Set
}

// An UnknownError lists the capability names of a runtime-spec
// LinuxCapabilities that this package does not know, by set.
type UnknownError struct {
	// Names maps a set name ("bounding", "effective", "inheritable",
	// "permitted", "ambient") to its unknown names, in input order.
	Names map[string][]string
}

func (e *UnknownError) Error() string {
	var parts []string
	for _, set := range setNames {
		if ns := e.Names[set]; len(ns) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", set, strings.Join(ns, ", ")))
		}
	}
	return "unknown capabilities: " + strings.Join(parts, "; ")
}

var setNames = []string{"bounding", "effective", "inheritable", "permitted", "ambient"}

// FromSpec converts an OCI process.capabilities object to Sets. A nil lc is
// the empty Sets. Names the package does not know are not dropped silently:
// FromSpec returns the Sets of the known names together with an
// *UnknownError listing the others, so that a caller can model a runtime that
// rejects them (runc before 1.2) as well as one that warns and ignores them.
func FromSpec(lc *specs.LinuxCapabilities) (Sets, error) {
	var s Sets
	if lc == nil {
		return s, nil
	}
	unknown := map[string][]string{}
	for _, x := range []struct {
		name  string
		names []string
		dst   *Set
	}{
		{"bounding", lc.Bounding, &s.Bounding},
		{"effective", lc.Effective, &s.Effective},
		{"inheritable", lc.Inheritable, &s.Inheritable},
		{"permitted", lc.Permitted, &s.Permitted},
		{"ambient", lc.Ambient, &s.Ambient},
	} {
		for _, n := range x.names {
			c, ok := Parse(n)
			if !ok {
				unknown[x.name] = append(unknown[x.name], n)
				continue
			}
			*x.dst |= Of(c)
		}
	}
	if len(unknown) > 0 {
		return s, &UnknownError{Names: unknown}
	}
	return s, nil
}
