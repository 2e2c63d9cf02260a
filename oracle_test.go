package preexec

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestOracleRuntimesUpToDate keeps oracleRuntimes equal to the runtimes of
// testdata/runtime/header.json; -update rewrites the list in oracle.go.
func TestOracleRuntimesUpToDate(t *testing.T) {
	data, err := os.ReadFile("testdata/runtime/header.json")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Runtimes []struct {
			Name string `json:"name"`
		} `json:"runtimes"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range h.Runtimes {
		want = append(want, r.Name)
	}
	if *update {
		src, err := os.ReadFile("oracle.go")
		if err != nil {
			t.Fatal(err)
		}
		const begin, end = "\t// generated from testdata/runtime/header.json: begin\n", "\t// generated: end\n"
		i, j := strings.Index(string(src), begin), strings.Index(string(src), end)
		if i < 0 || j < i {
			t.Fatal("oracle.go: generated markers not found")
		}
		var b strings.Builder
		b.WriteString(string(src[:i+len(begin)]))
		for _, n := range want {
			fmt.Fprintf(&b, "\t%q,\n", n)
		}
		b.WriteString(string(src[j:]))
		if err := os.WriteFile("oracle.go", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		oracleRuntimes = want
	}
	if !slices.Equal(oracleRuntimes, want) {
		t.Errorf("oracleRuntimes = %q,\nheader.json has %q\nrun: go test -run TestOracleRuntimesUpToDate -update .", oracleRuntimes, want)
	}
	for _, n := range want {
		if _, err := LookupRuntime(n); err != nil {
			t.Errorf("the oracle holds %s, which LookupRuntime refuses: %v", n, err)
		}
	}
}
