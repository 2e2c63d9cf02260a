package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/preexec/preexec"
)

// TestRuntimesJSON holds the document to the model: every runtime of
// preexec.Runtimes and every build the oracle holds, once, with its line,
// its oracle state as preexec.OracleVerified says, and the changes its
// line cites.
func TestRuntimesJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"runtimes", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc runtimesDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]runtimeInfo{}
	for _, in := range doc.Runtimes {
		if _, dup := got[in.Name]; dup {
			t.Errorf("%s listed twice", in.Name)
		}
		got[in.Name] = in
		want := "unverified"
		if preexec.OracleVerified(in.Name) {
			want = "verified"
		}
		if in.Oracle != want {
			t.Errorf("%s: oracle %q, want %q", in.Name, in.Oracle, want)
		}
		l := preexec.Releases()[in.Line-1]
		if l.Versions[0] != in.Versions[0] || !contains(l.Versions, in.Version) {
			t.Errorf("%s: line %d %v does not hold %s", in.Name, in.Line, l.Versions, in.Version)
		}
	}
	for _, rt := range preexec.Runtimes() {
		if _, ok := got[rt.Name]; !ok {
			t.Errorf("Runtimes has %s, the listing does not", rt.Name)
		}
	}
	for _, n := range preexec.OracleRuntimes() {
		if _, ok := got[n]; !ok {
			t.Errorf("the oracle holds %s, the listing does not", n)
		}
	}
	for _, c := range []struct{ name, field, cite string }{
		{"runc@1.1.4+go1.19", "ExecCheck", "d83a861d9"},
		{"runc@1.4.0+go1.26", "Unmapped", "9c5e687b6"},
		{"runc@1.0.0-rc93+go1.26", "Chdir", "d869d05ab"},
	} {
		if got := got[c.name].Changes[c.field]; !strings.HasPrefix(got, c.cite) {
			t.Errorf("%s: changes[%s] = %q, want it to cite %s", c.name, c.field, got, c.cite)
		}
	}
	if doc.NewestGo != preexec.NewestGo() {
		t.Errorf("newestGo %q, want %q", doc.NewestGo, preexec.NewestGo())
	}
}

func contains(vs []string, v string) bool {
	for _, w := range vs {
		if w == v {
			return true
		}
	}
	return false
}
