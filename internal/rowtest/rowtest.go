// Package rowtest checks table tests the way the house style wants them:
// every row names the rule it pins, with a source line, and no two rows
// share a name. Test files of every package use it.
package rowtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Err returns every problem of a table given as its row names and rules:
// an empty name, a duplicate name, an empty rule.
func Err(names, rules []string) error {
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

// Check fails the test before any row runs if the table is malformed.
func Check(t testing.TB, names, rules []string) {
	t.Helper()
	if err := Err(names, rules); err != nil {
		t.Fatalf("malformed table:\n%v", err)
	}
}
