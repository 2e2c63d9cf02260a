package workload_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
	"github.com/preexec/preexec/workload"
)

// FuzzParse: Parse never panics, and its errors are *spec.PodError.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"kubectl/deployment.yaml", "kubectl/deployment-two.json", "kubectl/kustomize.yaml", "list.json"} {
		src, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("kind: List\nitems:\n- kind: Job\n  spec:\n    template:\n      spec:\n        containers:\n        - name: a\n          image: [b]\n"))
	// Wide: many documents and list items.
	f.Add([]byte(strings.Repeat("kind: Pod\nspec: {containers: [{name: c, image: i}]}\n---\n", 300)))
	f.Add([]byte("kind: List\nitems:\n" + strings.Repeat("- kind: Pod\n  spec: {containers: [{name: c, image: i}]}\n", 300)))
	f.Fuzz(func(t *testing.T, src []byte) {
		cs, err := workload.Parse("f.yaml", src)
		var pe *spec.PodError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error %T %v, want *spec.PodError", err, err)
		}
		for _, c := range cs {
			if c.Line < 0 {
				t.Fatalf("line %d", c.Line)
			}
		}
	})
}
