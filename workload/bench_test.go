package workload_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec/workload"
)

// list is a List of n Deployments as kubectl get -o yaml (or -o json)
// prints it.
func list(n int, asJSON bool) []byte {
	var b strings.Builder
	if asJSON {
		b.WriteString("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "        {\n            \"apiVersion\": \"apps/v1\",\n            \"kind\": \"Deployment\",\n            \"metadata\": {\"name\": \"w%d\", \"namespace\": \"ns\"},\n            \"spec\": {\"template\": {\"spec\": {\"containers\": [\n                {\"image\": \"x:%d\", \"name\": \"c\"}\n            ]}}}\n        }", i, i)
		}
		b.WriteString("\n    ],\n    \"kind\": \"List\"\n}\n")
		return []byte(b.String())
	}
	b.WriteString("apiVersion: v1\nitems:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: w%d\n    namespace: ns\n  spec:\n    template:\n      spec:\n        containers:\n        - image: x:%d\n          name: c\n          securityContext:\n            runAsUser: 1000\n", i, i)
	}
	b.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	return []byte(b.String())
}

// TestParseLists: a List's items are read one by one, each at its line
// of the file, in YAML and JSON.
func TestParseLists(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		cs, err := workload.Parse("list", list(50, asJSON))
		if err != nil || len(cs) != 50 {
			t.Fatalf("json=%v: %d containers, %v", asJSON, len(cs), err)
		}
		// YAML: 13 lines an item from line 3, the container on its
		// tenth; JSON: 8 lines an item from line 4, the container on its
		// sixth.
		want := 3 + 49*13 + 9
		if asJSON {
			want = 4 + 49*8 + 5
		}
		if c := cs[49]; c.Name != "w49" || c.Line != want {
			t.Errorf("json=%v: the last is %s at line %d, want w49 at %d", asJSON, c.Name, c.Line, want)
		}
	}
	_, err := workload.Parse("list.yaml", []byte(strings.Replace(string(list(3, false)), "name: w2", "name: [w2", 1)))
	if err == nil {
		t.Errorf("a syntax error in the third item: no error")
	}
	src := []byte(strings.Replace(string(list(3, false)), "          securityContext:\n            runAsUser: 1000\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: w2", "          securityContext:\n            runAsUser: bob\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: w2", 1))
	if _, err := workload.Parse("list.yaml", src); err == nil || err.Error() != "list.yaml:28: items[1].spec.template.spec.containers.securityContext.runAsUser: want number, got string" {
		t.Errorf("a type error in the second item: %v", err)
	}
	// An item's alias to an anchor of an earlier item (YAML anchors span
	// the document, as kubectl reads it): read in the whole document.
	anchored := "apiVersion: v1\nkind: List\nitems:\n" +
		"- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    securityContext: &sc\n      runAsUser: 1000\n    containers:\n    - {name: c, image: i}\n" +
		"- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n  spec:\n    securityContext: *sc\n    containers:\n    - {name: d, image: i}\n"
	cs, err := workload.Parse("list.yaml", []byte(anchored))
	if err != nil || len(cs) != 2 || cs[1].Name != "b" || cs[1].Line != 18 || cs[1].Kube.RunAsUser == nil || *cs[1].Kube.RunAsUser != 1000 {
		t.Errorf("an alias across items: %+v, %v; want b's container at line 18 with runAsUser 1000", cs, err)
	}
}

// BenchmarkParseList reads a List of 1,000 Deployments (kubectl get -A
// -o yaml, -o json).
func BenchmarkParseList(b *testing.B) {
	for _, f := range []struct {
		name   string
		asJSON bool
	}{{"yaml", false}, {"json", true}} {
		src := list(1000, f.asJSON)
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for i := 0; i < b.N; i++ {
				if cs, err := workload.Parse("list", src); err != nil || len(cs) != 1000 {
					b.Fatal(len(cs), err)
				}
			}
		})
	}
}
