package preexec

import "testing"

// TestChanges pins the row differences the scan's upgrade diff prints.
func TestChangesMinimal(t *testing.T) {
	for _, r := range []struct {
		from, to string
		want     []string // Field=Cite substrings, in order
	}{
		{"runc@1.0.0-rc92+go1.19", "runc@1.0.0-rc93+go1.19", []string{"Chdir"}},
		{"runc@1.1.3+go1.19", "runc@1.1.4+go1.19", []string{"Eaccess"}},
		{"runc@1.1.4+go1.19", "runc@1.1.3+go1.19", []string{"Eaccess"}},
		{"runc@1.1.4+go1.19", "runc@1.1.4+go1.26", []string{"Go"}},
		{"runc@1.1.4+go1.19", "runc@1.1.4+go1.19", nil},
	} {
		a, err := LookupRuntime(r.from)
		if err != nil {
			t.Fatal(err)
		}
		b, err := LookupRuntime(r.to)
		if err != nil {
			t.Fatal(err)
		}
		got := Changes(a, b)
		var fields []string
		for _, c := range got {
			fields = append(fields, c.Field)
		}
		for _, w := range r.want {
			found := false
			for _, c := range got {
				if c.Field == w && (c.Field == "Go" || c.Cite != "") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s → %s: changes %v lack a cited %s", r.from, r.to, fields, w)
			}
		}
		if r.want == nil && len(got) != 0 {
			t.Errorf("%s → %s: changes %v, want none", r.from, r.to, fields)
		}
		for _, c := range got {
			if c.Field != "Go" && c.From == c.To && c.From != "" {
				t.Errorf("%s → %s: %s unchanged (%s) but listed", r.from, r.to, c.Field, c.From)
			}
		}
	}
}
