package spec_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/spec"
)

var update = flag.Bool("update", false, "rewrite the golden plan summaries in testdata/")

// TestGoldenPlans parses the configs of testdata/*.json and compares the
// summary of each plan with testdata/*.golden. The goldens are the model's
// output: regenerate them with
//
//	go test ./spec -run TestGoldenPlans -update
func TestGoldenPlans(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.json: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := spec.Parse(filepath.Base(f), data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := summary(p)
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./spec -run TestGoldenPlans -update writes it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s\nregenerate with: go test ./spec -run TestGoldenPlans -update", golden, diff)
			}
		})
	}
}
