package preexec

import (
	"fmt"
	"reflect"
	"sort"
)

// A Change is one difference between two runtimes' rows: a field of
// their lines, or the Go toolchain that built them, with the upstream
// commit or pull request that made it.
type Change struct {
	// Field is the Line field that differs ("Chdir", "Eaccess"), or "Go"
	// for the toolchain.
	Field string
	// From and To are the field's value in the first and the second
	// runtime.
	From, To string
	// Cite is the upstream commit or pull request the row cites for the
	// change, "" when it cites none.
	Cite string
}

// Changes returns the row differences between from and to, with their
// upstream commits: walking Lines() from from's line to to's, each field a
// line's Cite names, once, with its value in from and in to, in field order;
// then the Go toolchain when it differs. A downgrade (to older than from)
// walks the same lines the other way. Runtimes of different kinds (runc and
// crun) have no lines in between: every differing field is listed, without
// a citation.
func Changes(from, to Runtime) []Change {
	var out []Change
	ls := Lines()
	i, j := lineIndex(ls, from.Line), lineIndex(ls, to.Line)
	if i >= 0 && j >= 0 && from.Line != to.Line {
		fv, tv := reflect.ValueOf(from.Line).Elem(), reflect.ValueOf(to.Line).Elem()
		lo, hi := min(i, j), max(i, j)
		cites := map[string]string{}
		sameKind := from.Line.Runtime == to.Line.Runtime
		if sameKind {
			for k := lo + 1; k <= hi; k++ {
				for f, c := range ls[k].Cite {
					if prev, ok := cites[f]; ok && prev != c {
						cites[f] = prev + "; " + c
					} else {
						cites[f] = c
					}
				}
			}
		}
		t := fv.Type()
		for n := 0; n < t.NumField(); n++ {
			name := t.Field(n).Name
			switch name {
			case "Runtime", "Versions", "OfficialGo", "Cite":
				continue
			}
			a, b := fv.Field(n).Interface(), tv.Field(n).Interface()
			c, cited := cites[name]
			if reflect.DeepEqual(a, b) && !cited {
				continue
			}
			if reflect.DeepEqual(a, b) {
				continue // changed and changed back between the two
			}
			out = append(out, Change{Field: name, From: fmt.Sprint(a), To: fmt.Sprint(b), Cite: c})
		}
		// Cited fields that are not Line fields (a citation keyed by a
		// sub-field) are kept, in name order, without values.
		var extra []string
		for f := range cites {
			if _, ok := t.FieldByName(f); !ok {
				extra = append(extra, f)
			}
		}
		sort.Strings(extra)
		for _, f := range extra {
			out = append(out, Change{Field: f, Cite: cites[f]})
		}
	}
	if from.Go != to.Go {
		out = append(out, Change{Field: "Go", From: from.Go, To: to.Go})
	}
	return out
}

func lineIndex(ls []*Line, l *Line) int {
	for i, x := range ls {
		if x == l {
			return i
		}
	}
	return -1
}
