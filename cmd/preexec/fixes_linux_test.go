package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
)

// TestFixTrialsBindSources: a fix of an image's container is tried by
// having the engine make the container again, which opens its bind
// sources again. A trial closes what it opened (with many -v the
// descriptors ran out partway and later answers changed), and it is made
// with the bind-sources limit of the check (a raised limit held for the
// check, and every trial failed on it, so no fix was printed).
func TestFixTrialsBindSources(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.Mkdir(secret, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(secret, "app"), rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "m.mtree")
	if err := os.WriteFile(manifest, []byte("#mtree v1.0\n/set type=file uid=0 gid=0 mode=0755\n. type=dir\nzz type=dir\nin type=dir\n..\n..\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The decoys first (docker orders mounts by the depth of their
	// destination): the sources past the limit are the ones left unread.
	flags := []string{"--user", "4321:4321"}
	for i := range load.MaxBindSources {
		d := filepath.Join(dir, fmt.Sprintf("decoy%04d", i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		flags = append(flags, "-v", fmt.Sprintf("%s:/d%d", d, i))
	}
	flags = append(flags, "-v", secret+":/zz/in")
	c, err := load.Open(manifest, &load.Options{Flags: flags, Cmd: []string{"/zz/in/app"}, Limits: load.Limits{BindSources: 2 * load.MaxBindSources}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rt, err := preexec.LookupRuntime("runc@1.1.12")
	if err != nil {
		t.Fatal(err)
	}
	host := c.On(preexec.Host{})
	r := preexec.Evaluate(c.Plan, c.FS, rt, host)
	if r.Starts {
		t.Fatalf("uid 4321 runs /zz/in/app below a 0750 directory it is other to: %+v", r)
	}
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skipf("no /proc/self/fd: %v", err)
		}
		return len(ents)
	}
	before := fds()
	var fixes []preexec.Fix
	for range 3 {
		fixes = fixesOf(c, r, host)
	}
	if after := fds(); after > before {
		t.Errorf("%d descriptors open after three rounds of fix trials, %d before", after, before)
	}
	var flagged int
	for _, f := range fixes {
		for _, p := range f.Where {
			if p.Kind == preexec.PlaceFlag {
				flagged++
			}
		}
	}
	if flagged == 0 {
		t.Errorf("no fix made with an engine flag (--user, --group-add) starts it: %+v", fixes)
	}
}
