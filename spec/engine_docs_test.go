package spec_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/spec"
)

// grantText says in words what a CapGrant gives root and other users.
var grantText = map[spec.CapGrant]string{
	spec.GrantAllFourRootOnly:        "root: B E P I; others: B I (E, P empty)",
	spec.GrantBoundingOnlyForNonRoot: "root: B E P; others: B only",
	spec.GrantBEP:                    "every uid: B E P",
	spec.GrantPodman:                 "user \"\"/root/0: B E P; others: B, and E P I A = --cap-add",
}

// engineTable renders the engine rows as the markdown table of
// docs/engines.md.
func engineTable() string {
	var b strings.Builder
	b.WriteString("# Engines\n\n")
	b.WriteString("Generated from `spec.Engines()` by `go test ./spec -run TestEngineDocs -update`; do not edit.\n\n")
	b.WriteString("| engine | versions | capabilities | grant | primary gid in additionalGids | source | grant source |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, e := range spec.Engines() {
		until := e.Until
		if until == "" {
			until = "…"
		}
		fmt.Fprintf(&b, "| %s | %s – %s | %d | %s | %v | `%s` | `%s` |\n",
			e.Name, e.Since, until, len(e.Caps), grantText[e.Grant], e.PrimaryGIDInAdditional, e.Source, e.GrantSource)
	}
	return b.String()
}

// TestEngineDocs keeps docs/engines.md the rendering of the rows.
func TestEngineDocs(t *testing.T) {
	const file = "../docs/engines.md"
	got := engineTable()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s is stale (-want +got); regenerate with go test ./spec -run TestEngineDocs -update\n%s", file, d)
	}
	for _, e := range spec.Engines() {
		if grantText[e.Grant] == "" {
			t.Errorf("%s: grant %d has no text", e.Name, e.Grant)
		}
	}
}
