package load_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/preexec/preexec/load"
)

// FuzzOpen: whatever a file holds, Open returns a Container or an error,
// never panics, and a Container has a Plan or a Refusal.
func FuzzOpen(f *testing.F) {
	src, err := os.ReadFile(manifest)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src, []byte(nil))
	f.Add([]byte("#mtree\n/set type=file uid=0 gid=0 mode=0755\n. type=dir\n    app mode=0644\n"), []byte("kind: Pod\nspec:\n  containers:\n  - name: a\n    command: [/app]\n"))
	f.Add([]byte("{}"), []byte("{"))
	// One file per worker, rewritten by every input (the inputs of a
	// worker run one after another): a directory made and removed per
	// input cost more than the rest of the run.
	p := filepath.Join(f.TempDir(), "input")
	f.Fuzz(func(t *testing.T, input, pod []byte) {
		if err := os.WriteFile(p, input, 0o644); err != nil {
			t.Fatal(err)
		}
		o := &load.Options{Cmd: []string{"/app"}}
		if pod != nil {
			o = &load.Options{Pod: pod, PodFile: "pod.yaml"}
		}
		c, err := load.Open(p, o)
		if err != nil {
			return
		}
		defer c.Close()
		// Exactly one answer: a plan, the engine's refusal, or why it is
		// unknown.
		answers := 0
		for _, a := range []bool{c.Plan != nil, c.Refusal != "", c.Unknown != ""} {
			if a {
				answers++
			}
		}
		if answers != 1 || (c.Plan != nil) != (c.FS != nil) {
			t.Errorf("Open = Plan %v, FS %v, Refusal %q, Unknown %q", c.Plan, c.FS, c.Refusal, c.Unknown)
		}
	})
}
