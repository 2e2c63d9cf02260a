package preexec

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A Change is one behaviour that differs between two runtimes' rows or builds.
type Change struct {
	// Field is the Release field or "Go" for the toolchain ("Chdir",
	// "ExecCheck", "Go").
	Field string
	// From and To are the field's value in each, as text.
	From, To string
	// Cite is the upstream change(s) that made it, from the rows' Cite
	// between them ("" if none).
	Cite string
}

// Changes returns the behaviours that differ between from and to, in Release
// field order, then the toolchain ("Go") when the two builds' Go differ in
// a way the model tells apart (os/exec.LookPath's variant). The rows from
// the older line to the newer one, either way round, give each change's
// Cite; a runc and a crun are not one history, and their changes cite
// nothing.
func Changes(from, to Runtime) []Change {
	if from.Release == nil || to.Release == nil {
		return nil
	}
	var between []*Release
	if from.Release.Runtime == to.Release.Runtime {
		i, j := lineIndex(from.Release), lineIndex(to.Release)
		if i > j {
			i, j = j, i
		}
		if i >= 0 {
			between = lines[i+1 : j+1]
		}
	}
	var out []Change
	a, b := reflect.ValueOf(from.Release).Elem(), reflect.ValueOf(to.Release).Elem()
	t := a.Type()
	for k := 0; k < t.NumField(); k++ {
		name := t.Field(k).Name
		switch name {
		case "Runtime", "Versions", "OfficialGo", "OfficialGoOf", "DropsDefaults", "Cite":
			// Per version, not per line: DropsDefaults is compared below.
			continue
		}
		if reflect.DeepEqual(a.Field(k).Interface(), b.Field(k).Interface()) {
			continue
		}
		if (from.Release.Sentry == nil) != (to.Release.Sentry == nil) && !sentryUses[name] {
			continue // a field gVisor's row does not read
		}
		c := Change{Field: name, From: changeValue(from.Release, name), To: changeValue(to.Release, name)}
		if name == "Errors" {
			c.From, c.To = errorsDiff(from.Release.Errors, to.Release.Errors)
		}
		var cites []string
		for _, l := range between {
			if s := l.Cite[name]; s != "" && (len(cites) == 0 || cites[len(cites)-1] != s) {
				cites = append(cites, s)
			}
		}
		for _, l := range []*Release{from.Release, to.Release} {
			// A distribution build's own amendment.
			if s := l.Cite[name]; l.Amends() != nil && s != "" && !slices.Contains(cites, s) {
				cites = append(cites, s)
			}
		}
		c.Cite = strings.Join(cites, "; ")
		out = append(out, c)
	}
	if df, dt := from.dropsDefaults(), to.dropsDefaults(); df != dt {
		c := Change{Field: "DropsDefaults", From: defaultsText(df), To: defaultsText(dt)}
		if from.Release.Runtime == to.Release.Runtime {
			c.Cite = to.Release.Cite["DropsDefaults"]
			if df {
				c.Cite = from.Release.Cite["DropsDefaults"]
			}
		}
		out = append(out, c)
	}
	if from.Release.Runtime == "runc" && to.Release.Runtime == "runc" {
		if gf, gt := goClasses(from.Go), goClasses(to.Go); gf != gt {
			out = append(out, Change{Field: "Go", From: goDesc(from.Go), To: goDesc(to.Go)})
		}
	}
	return out
}

func lineIndex(l *Release) int {
	if a := l.Amends(); a != nil {
		l = a
	}
	return rowIndex(l)
}

// rowIndex is the index of l itself in lines, -1 for a row not among
// them (a distribution build's, a test's own).
func rowIndex(l *Release) int {
	for i, x := range lines {
		if x == l {
			return i
		}
	}
	return -1
}

// changeValue is the text of field of l: the docs table's where it has a
// column, else the value's own.
func changeValue(l *Release, field string) string {
	if v := fieldValue(l, field); v != "" {
		return v
	}
	switch field {
	case "EnvCheck":
		return [...]string{"none", "rc92: `invalid environment 'PAIR'`", "`invalid environment variable: \"PAIR\"`", "the pair not printed", "in finalizeNamespace, last entry first"}[l.EnvCheck]
	case "User":
		return [...]string{"numeric ids", "/etc/passwd and /etc/group"}[l.User]
	case "Unmapped":
		return [...]string{"checked up front", "setgid/setuid EINVAL", "chown /dev/stdin EINVAL", "setresgid/setresuid EINVAL"}[l.Unmapped]
	}
	return fmt.Sprint(reflect.ValueOf(l).Elem().FieldByName(field).Interface())
}

// errorsDiff is the differing texts of two ErrorStyles, field: value.
func errorsDiff(a, b ErrorStyle) (string, string) {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var from, to []string
	for k := 0; k < va.NumField(); k++ {
		x, y := va.Field(k).Interface(), vb.Field(k).Interface()
		if x != y {
			n := va.Type().Field(k).Name
			from = append(from, fmt.Sprintf("%s %#v", n, x))
			to = append(to, fmt.Sprintf("%s %#v", n, y))
		}
	}
	return strings.Join(from, ", "), strings.Join(to, ", ")
}

// goClasses is the set of goClass a Go may be, as a bit set: one class for
// a patch release, every class of the minor's patches for a bare minor.
func goClasses(s string) int {
	g, _ := parseGo(s)
	if !bareMinor(s) {
		return 1 << goClass(g)
	}
	set := 0
	for _, sp := range minorSpans(g) {
		set |= 1 << sp.class
	}
	return set
}

// goDesc is a Go and its os/exec.LookPath variant(s).
func goDesc(s string) string {
	g, _ := parseGo(s)
	if !bareMinor(s) {
		return fmt.Sprintf("Go %s (os/exec.LookPath of Go %s)", s, goToolchains[goClass(g)].name)
	}
	spans := minorSpans(g)
	if len(spans) == 1 {
		return fmt.Sprintf("Go %s (os/exec.LookPath of Go %s)", s, goToolchains[spans[0].class].name)
	}
	var parts []string
	for _, sp := range spans {
		parts = append(parts, fmt.Sprintf("%s: of Go %s", sp.name(g), goToolchains[sp.class].name))
	}
	return fmt.Sprintf("Go %s (os/exec.LookPath by its patch release: %s)", s, strings.Join(parts, "; "))
}
