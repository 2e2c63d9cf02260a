package access_test

import (
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// BenchmarkPermission measures one DAC decision that a capability overrides
// (a supplementary-group caller's exec of 0744 root:root with
// CAP_DAC_OVERRIDE): the capability is asked before the class bits, which
// it would override. Budget: < 20 ns, 0 allocations; ~5 ns, 62
// instructions per op under callgrind (89 before that order).
func BenchmarkPermission(b *testing.B) {
	c := user(1000, 1000, 2000, 2001).WithCaps(0x1)
	ino := reg(0o744, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if access.Permission(c, ino, access.MAY_EXEC) != nil {
			b.Fatal("denied")
		}
	}
}

func resolveBenchTree() *rootfs.Mem {
	return rootfs.MustParseFixture(`
dir /opt/local/bin 0755 0:0
file /opt/local/bin/app 0755 0:0 elf
dir /usr 0755 0:0
symlink /usr/local /opt/local
`).Mem()
}

// BenchmarkResolve measures stat(2) of a depth-4 path through one absolute
// symlink (/usr/local/bin/app, /usr/local → /opt/local) on Mem, as a
// non-root user: through Mem's handles (access.HandleFS), one directory
// entry lookup per component. Budget: < 300 ns, 0 allocations when
// allowed; ~2020 instructions per op under callgrind, ~120-140 CPU-ns on
// the 2-core CI machine (3570 and ~270 when every component was a
// whole-path map lookup).
func BenchmarkResolve(b *testing.B) {
	p := &access.Proc{Cred: user(1000, 1000), FS: resolveBenchTree()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Stat("/usr/local/bin/app"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenExec is the exec-time open of the same file.
func BenchmarkOpenExec(b *testing.B) {
	p := &access.Proc{Cred: user(1000, 1000), FS: resolveBenchTree()}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := p.OpenExec("/usr/local/bin/app"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHotPathAllocs guards the zero-allocation budgets of the benchmarks
// above (allocations are deterministic; no timing is asserted).
func TestHotPathAllocs(t *testing.T) {
	c := user(1000, 1000).WithCaps(0x1)
	ino := reg(0o744, 0, 0)
	if n := testing.AllocsPerRun(100, func() { _ = access.Permission(c, ino, access.MAY_EXEC) }); n != 0 {
		t.Errorf("Permission allocates %v times, want 0", n)
	}
	denied := reg(0o700, 0, 0)
	if n := testing.AllocsPerRun(100, func() { _ = access.Permission(user(1, 1), denied, access.MAY_READ) }); n > 1 {
		// user() itself allocates the Cred; the denial must not add any.
		t.Errorf("a denied Permission allocates %v times, want 0", n-1)
	}
	p := &access.Proc{Cred: user(1000, 1000), FS: resolveBenchTree()}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Stat("/usr/local/bin/app") }); n != 0 {
		t.Errorf("Stat allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Stat("/usr/local/../local/./bin/app") }); n != 0 {
		t.Errorf("Stat through .. allocates %v times, want 0", n)
	}
	// An FS without handles: the walk asks FS.Lstat of every prefix.
	p.FS = plainFS{p.FS}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Stat("/usr/local/bin/app") }); n != 0 {
		t.Errorf("Stat on an FS without handles allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Stat("/usr/local/../local/./bin/app") }); n != 0 {
		t.Errorf("Stat through .. on an FS without handles allocates %v times, want 0", n)
	}
}
