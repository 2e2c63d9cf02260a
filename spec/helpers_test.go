package spec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// rowsErr checks a table the way the house style wants it (aesthetics.md
// §3.5): every row names the rule it pins, and no two rows share a name.
func rowsErr(names, rules []string) error {
	seen := map[string]bool{}
	var errs []error
	for i, n := range names {
		switch {
		case n == "":
			errs = append(errs, fmt.Errorf("row %d: empty name", i))
		case seen[n]:
			errs = append(errs, fmt.Errorf("row %d: duplicate name %q", i, n))
		}
		seen[n] = true
		if strings.TrimSpace(rules[i]) == "" {
			errs = append(errs, fmt.Errorf("row %d (%s): empty rule", i, n))
		}
	}
	return errors.Join(errs...)
}

// checkRows fails the test before any row runs if the table is malformed.
func checkRows(t testing.TB, names, rules []string) {
	t.Helper()
	if err := rowsErr(names, rules); err != nil {
		t.Fatalf("malformed table:\n%v", err)
	}
}

func TestRowsHelperRejectsMalformedTables(t *testing.T) {
	for _, r := range []struct {
		name         string
		names, rules []string
		want         string
	}{
		{"empty_rule", []string{"a", "b"}, []string{"x", ""}, "empty rule"},
		{"blank_rule", []string{"a"}, []string{"  "}, "empty rule"},
		{"duplicate_name", []string{"a", "a"}, []string{"x", "y"}, `duplicate name "a"`},
		{"empty_name", []string{""}, []string{"x"}, "empty name"},
	} {
		err := rowsErr(r.names, r.rules)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s: rowsErr = %v, want an error containing %q", r.name, err, r.want)
		}
	}
	if err := rowsErr([]string{"a", "b"}, []string{"x", "y"}); err != nil {
		t.Errorf("well-formed table: rowsErr = %v", err)
	}
}

// config returns a minimal valid config.json with the members of process,
// the top level and linux given as JSON fragments ("" for none) spliced in.
func config(process, top, linux string) string {
	p := `"cwd":"/","args":["sh"]`
	if process != "" {
		p += "," + process
	}
	s := `{"process":{` + p + `},"root":{"path":"rootfs"}`
	if top != "" {
		s += "," + top
	}
	if linux != "" {
		s += `,"linux":{` + linux + `}`
	}
	return s + "}"
}

// seccompConfig returns a config whose linux.seccomp is sec.
func seccompConfig(sec string) string { return config("", "", `"seccomp":`+sec) }
