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
	f.Fuzz(func(t *testing.T, input, pod []byte) {
		p := filepath.Join(t.TempDir(), "input")
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
		if (c.Plan == nil) == (c.Refusal == "") || (c.Plan != nil) != (c.FS != nil) {
			t.Errorf("Open = Plan %v, FS %v, Refusal %q", c.Plan, c.FS, c.Refusal)
		}
	})
}
