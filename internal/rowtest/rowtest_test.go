package rowtest

import (
	"strings"
	"testing"
)

func TestErrRejectsMalformedTables(t *testing.T) {
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
		err := Err(r.names, r.rules)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s: Err = %v, want an error containing %q", r.name, err, r.want)
		}
	}
	if err := Err([]string{"a", "b"}, []string{"x", "y"}); err != nil {
		t.Errorf("well-formed table: Err = %v", err)
	}
}
