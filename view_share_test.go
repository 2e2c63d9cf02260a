package preexec

import (
	"fmt"
	"testing"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestViewClassesShared checks that a View's classes which share one view
// (View.class folding the modes mode= decides, View.of the views that came
// out alike) answer as each class's own view, composed apart, does: for
// every TmpfsMode, over covered directories of several modes or none, with
// and without mode=.
func TestViewClassesShared(t *testing.T) {
	bases := []string{"", "dir /dev 0700 0:0\n", "dir /dev 1750 0:0\ndir /dev/shm 0711 0:0\n"}
	options := []string{``, `"mode=755"`, `"mode=1777","size=65536k"`}
	names := []string{"/dev", "/dev/shm", "/dev/pts", "/"}
	for _, base := range bases {
		for _, o1 := range options {
			for _, o2 := range options {
				cfg := `{"process":{"cwd":"/","args":["sh"]},"root":{"path":"rootfs","readonly":true},"mounts":[` +
					`{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":[` + o1 + `]},` +
					`{"destination":"/dev/pts","type":"devpts","source":"devpts"},` +
					`{"destination":"/dev/shm","type":"tmpfs","source":"shm","options":[` + o2 + `]}]}`
				plan, err := spec.Parse("config.json", []byte(cfg))
				if err != nil {
					t.Fatal(err)
				}
				f, err := rootfs.ParseFixture("base", "dir / 0755 0:0\n"+base)
				if err != nil {
					t.Fatal(err)
				}
				fsys := f.Mem()
				shared := NewView(plan, fsys, nil)
				for _, l := range lines {
					own := NewView(plan, fsys, nil).compose(l.Tmpfs, UserNSBindRemount)
					lv := shared.line(l)
					for _, n := range names {
						a, aerr := lv.final.Lstat(n)
						b, berr := own.final.Lstat(n)
						c, cerr := lv.early.Lstat(n)
						d, derr := own.early.Lstat(n)
						if fmt.Sprint(a, aerr) != fmt.Sprint(b, berr) || fmt.Sprint(c, cerr) != fmt.Sprint(d, derr) {
							t.Errorf("base %q, options %s / %s, %s %s: shared view %v %v (early %v %v), its own %v %v (early %v %v)",
								base, o1, o2, l.Runtime, l.Versions[0], a, aerr, c, cerr, b, berr, d, derr)
						}
					}
				}
			}
		}
	}
}
