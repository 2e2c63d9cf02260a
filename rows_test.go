package preexec

import (
	"reflect"
	"sort"
	"testing"
)

// rowBookkeeping are the Release fields that are not one behaviour of the
// whole row, so TestRowCitations does not ask a citation for their change:
// Runtime and Versions name the row; OfficialGoOf is OfficialGo per version,
// cited under "OfficialGo" (a row whose OfficialGoOf changes without its
// OfficialGo changing cites "OfficialGo" as well); DropsDefaults is per
// version, and a row that names versions in it cites "DropsDefaults"
// whatever the row before held (Changes compares it per version); Cite is
// the citations themselves.
var rowBookkeeping = map[string]bool{"Runtime": true, "Versions": true, "OfficialGoOf": true, "DropsDefaults": true, "Cite": true}

// TestRowCitations: each row's Cite names exactly the behaviours (Release
// fields, compared with reflect.DeepEqual, ErrorStyle as one) that differ
// from the previous row of the same runtime, plus "note" for what changed
// in the row's releases without changing a field, and "DropsDefaults" where
// the row names versions in DropsDefaults. The first row of a runtime has
// no row before it: its values are the baseline the fields' own docs
// justify, and it may cite any field (why a value is what it is), but
// nothing that is not a field.
func TestRowCitations(t *testing.T) {
	typ := reflect.TypeOf(Release{})
	prev := map[string]*Release{}
	for _, l := range lines {
		name := l.Runtime + " " + l.Versions[0]
		got := map[string]bool{}
		for k := range l.Cite {
			got[k] = true
		}
		delete(got, "note")
		if len(l.DropsDefaults) > 0 {
			if !got["DropsDefaults"] {
				t.Errorf("%s: DropsDefaults %v without Cite[\"DropsDefaults\"]", name, l.DropsDefaults)
			}
			delete(got, "DropsDefaults")
		}
		p := prev[l.Runtime]
		prev[l.Runtime] = l
		want := map[string]bool{}
		a := reflect.ValueOf(l).Elem()
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i).Name
			if rowBookkeeping[f] {
				continue
			}
			if p == nil {
				// The first row: any field may be cited.
				if got[f] {
					want[f] = true
				}
				continue
			}
			if !reflect.DeepEqual(a.Field(i).Interface(), reflect.ValueOf(p).Elem().Field(i).Interface()) {
				want[f] = true
			}
		}
		if p != nil && !reflect.DeepEqual(l.OfficialGoOf, p.OfficialGoOf) && len(l.OfficialGoOf) > 0 {
			want["OfficialGo"] = true
		}
		var missing, extra []string
		for f := range want {
			if !got[f] {
				missing = append(missing, f)
			}
		}
		for f := range got {
			if !want[f] {
				extra = append(extra, f)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("%s: differs from the row before in %v, which Cite does not name", name, missing)
		}
		if len(extra) > 0 {
			if p == nil {
				t.Errorf("%s: Cite names %v, which are not fields", name, extra)
			} else {
				t.Errorf("%s: Cite names %v, which do not differ from the row before", name, extra)
			}
		}
	}
}
