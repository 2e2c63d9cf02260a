//go:build linux

package rootfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
	"github.com/preexec/preexec/spec"
)

// cacheTree is the canary tree's fixture plus symlink loops, a dangling
// link, a deep directory and files below a 0700 directory of another uid.
const cacheTree = `
dir /loop 0755 0:0
symlink /loop/self /loop/self 0:0
symlink /loop/a b 0:0
symlink /loop/b a 0:0
symlink /dangling /nowhere/at/all 0:0
dir /d1 0755 0:0
dir /d1/d2 0755 0:0
dir /d1/d2/d3 0755 0:0
dir /d1/d2/d3/d4 0755 0:0
dir /d1/d2/d3/d4/d5 0755 0:0
dir /d1/d2/d3/d4/d5/d6 0755 0:0
dir /d1/d2/d3/d4/d5/d6/d7 0755 0:0
dir /d1/d2/d3/d4/d5/d6/d7/d8 0755 0:0
file /d1/d2/d3/d4/d5/d6/d7/d8/app 0755 0:0 elf
symlink /d1/d2/up ../.. 0:0
dir /sealed 0700 65532:65532
dir /sealed/work 0755 65532:65532
file /sealed/work/app 0755 65532:65532 script=/bin/sh
dir /etc 0755 0:0
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\n"
dir /none 0000 0:0
file /none/x 0644 0:0 text="x\n"
`

// cacheNames are asked of a CachedDir and of its Dir: every name of the
// resolvers' and the canary's tables, and those of cacheTree.
func cacheNames() []string {
	names := []string{
		"/", "", "/bin/sh", "bin//sh", "/./bin/./sh", "/abs", "/absdir/canary", "/up/", "/up/..",
		"/bin/sh/", "/bin/sh/x", "/bin/sh/..", "/../..", "/mv/sub/../../bin/sh", "/mv/sub/..",
		"/missing/x", "/missing", "/missing/x/y", "/home/nonroot/escape", "/home/nonroot",
		"/" + strings.Repeat("n", 256), "/" + strings.Repeat("n", 256) + "/x",
		"/bin/s\x00h", "/missing/\x00", "/" + strings.Repeat("a/", 2048),
		"/" + strings.Repeat("a/", 2047) + "a", "/bin", "/bin/sh/x/y", "/abs/x", "/up/x",
		"/loop", "/loop/self", "/loop/self/x", "/loop/a", "/loop/b/c", "/dangling", "/dangling/x",
		"/d1/d2/d3/d4/d5/d6/d7/d8/app", "/d1/d2/d3/d4/d5/d6/d7/d8", "/d1/d2/d3", "/d1/d2/up", "/d1/d2/up/x",
		"/d1/d2/d3/d4/d5/d6/d7/d8/app/x", "/sealed", "/sealed/work", "/sealed/work/app", "/sealed/missing",
		"/sealed/work/app/x", "/etc/passwd", "/none", "/none/x", "/none/y/z", "/canary", "/outside/canary",
	}
	for _, r := range canaryNames {
		names = append(names, r.name)
	}
	return names
}

// cacheRoot makes the canary tree with cacheTree below it, returning the
// root.
func cacheRoot(t testing.TB) string {
	t.Helper()
	_, root, _, _ := canaryTree(t)
	f := rootfs.MustParseFixture(cacheTree)
	if os.Geteuid() != 0 {
		// Another user makes the tree as its own.
		var own []string
		for _, l := range strings.Split(cacheTree, "\n") {
			l = strings.Replace(l, " 0:0", fmt.Sprintf(" %d:%d", os.Getuid(), os.Getgid()), 1)
			own = append(own, strings.Replace(l, " 65532:65532", fmt.Sprintf(" %d:%d", os.Getuid(), os.Getgid()), 1))
		}
		f = rootfs.MustParseFixture(strings.Join(own, "\n"))
	}
	materialize(t, f, root)
	return root
}

// answer is everything an FS says about one name.
type answer struct {
	Ino               access.Inode
	LstatErr, LstatAs string
	Link              string
	LinkErr, LinkAs   string
	Head              string
	ReadErr, ReadAs   string
	Tail              string
	TailErr           string
}

// errAs prints err with its type and fields, so that a *access.ReadError
// is compared whole (op, path, root, uid, errno).
func errAs(err error) string { return fmt.Sprintf("%T %#v", err, err) }

func ask(fsys access.FS, name string) answer {
	var a answer
	ino, err := fsys.Lstat(name)
	if ino.Mode&access.S_IFMT == access.S_IFDIR {
		ino.Size = 0
	}
	a.Ino, a.LstatErr, a.LstatAs = ino, fmt.Sprint(err), errAs(err)
	link, err := fsys.Readlink(name)
	a.Link, a.LinkErr, a.LinkAs = link, fmt.Sprint(err), errAs(err)
	b := make([]byte, 64)
	n, err := fsys.ReadAt(name, b, 0)
	a.Head, a.ReadErr, a.ReadAs = string(b[:n]), fmt.Sprint(err), errAs(err)
	n, err = fsys.ReadAt(name, b[:7], 3)
	a.Tail, a.TailErr = string(b[:n]), errAs(err)
	return a
}

// checkCachedAgrees asks every name of cacheNames of d, and of its
// CachedDir twice, in order and in reverse (children before their
// parents), and wants the same answers.
func checkCachedAgrees(t *testing.T, d *rootfs.Dir) {
	names := cacheNames()
	want := map[string]answer{}
	for _, n := range names {
		want[n] = ask(d, n)
	}
	for _, order := range []string{"forward", "reverse"} {
		ns := slices.Clone(names)
		if order == "reverse" {
			slices.Reverse(ns)
		}
		c := d.Cached()
		for pass := 0; pass < 2; pass++ {
			for _, n := range ns {
				if diff := cmp.Diff(want[n], ask(c, n)); diff != "" {
					t.Errorf("%s, pass %d: %q: the CachedDir differs from the Dir (-Dir +CachedDir):\n%s", order, pass, n, diff)
				}
			}
		}
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestCachedDirAgrees: a CachedDir answers every name as its Dir does,
// with each resolver — inodes, link bodies, bytes and errors alike (the
// tree's bare errnos, the reader's *access.ReadError whole) — whichever
// order the names come in and however often.
func TestCachedDirAgrees(t *testing.T) {
	root := cacheRoot(t)
	for _, r := range resolvers {
		t.Run(r.name, func(t *testing.T) { checkCachedAgrees(t, openDir(t, root, r.opts)) })
	}
}

// TestCachedDirAgreesUnreadable is TestCachedDirAgrees as a reader that
// may not search /sealed and /none: run as root, it runs its test binary as
// nobody on a tree root made; the reader's EACCES is a *access.ReadError
// from both.
func TestCachedDirAgreesUnreadable(t *testing.T) {
	if root := os.Getenv("PREEXEC_CACHE_ROOT"); root != "" {
		if os.Geteuid() == 0 {
			t.Fatal("the reader is root")
		}
		d, err := rootfs.NewDir(root)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Lstat("/sealed/work"); !errorsIsUnreadable(err) {
			t.Fatalf("Lstat(/sealed/work) = %v; want the reader's EACCES", err)
		}
		checkCachedAgrees(t, d)
		return
	}
	if os.Geteuid() != 0 {
		// The tree is the caller's own: /none (0000) is still one it
		// may not search.
		t.Skip("run as root, which makes the tree and runs the reader as nobody")
	}
	root := cacheRoot(t)
	for dir := root; dir != "/"; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil && dir == root {
			t.Fatal(err)
		}
		if strings.Count(dir, "/") <= 2 {
			break
		}
	}
	const nobody = 65534
	// The test binary, where nobody may run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bindir := t.TempDir()
	bin := filepath.Join(bindir, "rootfs.test")
	if err := os.WriteFile(bin, body, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(bindir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^"+t.Name()+"$", "-test.v")
	cmd.Env = append(os.Environ(), "PREEXEC_CACHE_ROOT="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil && !errors.As(err, new(*exec.ExitError)):
		// setuid refused (no CAP_SETUID in this sandbox).
		t.Skipf("cannot run the test binary as uid %d: %v", nobody, err)
	case err != nil:
		t.Fatalf("as uid %d: %v\n%s", nobody, err, out)
	case !bytes.Contains(out, []byte("--- PASS: "+t.Name())):
		t.Fatalf("as uid %d the test did not run:\n%s", nobody, out)
	}
}

func errorsIsUnreadable(err error) bool {
	_, ok := err.(*access.ReadError)
	return ok
}

// TestCachedDirCopiesNames: a CachedDir keeps copies of the names it is
// asked about, never the caller's bytes — the resolver of package access
// hands out names that alias a buffer it reuses.
func TestCachedDirCopiesNames(t *testing.T) {
	root := cacheRoot(t)
	d := openDir(t, root, 0)
	c := d.Cached()
	defer c.Close()
	buf := []byte("/etc/passwd")
	alias := unsafe.String(&buf[0], len(buf))
	if _, err := c.Lstat(alias); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 8)
	if _, err := c.ReadAt(alias, p, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lstat("/sealed/work/app"); err != nil && os.Geteuid() == 0 {
		t.Fatal(err)
	}
	copy(buf, "/etc/passwX")
	copy(buf, "/missing/xx")
	for _, n := range []string{"/etc/passwd", "/missing/xx", "/etc/passwX", "/etc"} {
		if diff := cmp.Diff(ask(d, n), ask(c, n)); diff != "" {
			t.Errorf("%q after the caller's buffer changed: the CachedDir differs from the Dir (-Dir +CachedDir):\n%s", n, diff)
		}
	}
}

// TestCachedDirRace asks one CachedDir from many goroutines (go test
// -race): its methods may be called concurrently.
func TestCachedDirRace(t *testing.T) {
	root := cacheRoot(t)
	d := openDir(t, root, 0)
	want := map[string]answer{}
	names := cacheNames()
	for _, n := range names {
		want[n] = ask(d, n)
	}
	c := d.Cached()
	defer c.Close()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range names {
				n := names[(i+g*7)%len(names)]
				if got := ask(c, n); !cmp.Equal(got, want[n]) {
					t.Errorf("%q: concurrent answer differs: %s", n, cmp.Diff(want[n], got))
				}
			}
		}()
	}
	wg.Wait()
}

// TestCachedDirCompare: Compare of every runtime gives the same results on
// a CachedDir as on its Dir, for a cwd and args[0] that meet loops,
// dangling links, deep paths and missing names; and the CachedDir looks
// each name up once.
func TestCachedDirCompare(t *testing.T) {
	root := cacheRoot(t)
	d := openDir(t, root, 0)
	rts := preexec.Runtimes()
	rows := []struct{ cwd, arg string }{
		{"/home/nonroot", "/bin/sh"},
		{"/loop/self", "/bin/sh"},
		{"/", "/loop/a"},
		{"/d1/d2/up/d2/d3/d4/d5/d6/d7/d8", "/d1/d2/d3/d4/d5/d6/d7/d8/app"},
		{"/sealed/work", "/sealed/work/app"},
		{"/dangling", "/dangling"},
		{"/none", "/none/x"},
		{"/", "/abs"},
		{"/missing", "sh"},
	}
	for _, row := range rows {
		plan, err := spec.Parse("config.json", []byte(fmt.Sprintf(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
  "process": {"user": {"uid": 1000, "gid": 1000}, "cwd": %q, "args": [%q], "env": ["PATH=/usr/bin:/bin"]}}`, row.cwd, row.arg)))
		if err != nil {
			t.Fatal(err)
		}
		want := preexec.Compare(plan, d, rts, preexec.Host{})
		c := d.Cached()
		got := preexec.Compare(plan, c, rts, preexec.Host{})
		// Results read the FS again for their fixes: close after.
		defer c.Close()
		if diff := cmp.Diff(fmt.Sprintf("%+v", want.Groups), fmt.Sprintf("%+v", got.Groups)); diff != "" {
			t.Errorf("cwd %s, args[0] %s: Compare's groups on the CachedDir differ from the Dir's:\n%s", row.cwd, row.arg, diff)
		}
		for i, w := range want.Results {
			g := got.Results[i]
			if g.Starts != w.Starts || g.Step != w.Step || g.Text != w.Text || g.Unknown != w.Unknown ||
				fmt.Sprint(g.Err) != fmt.Sprint(w.Err) || resulttest.FixesText(g) != resulttest.FixesText(w) {
				t.Errorf("cwd %s, args[0] %s, %s: on the CachedDir %+v; on the Dir %+v", row.cwd, row.arg, w.Runtime, g, w)
			}
		}
	}
}

// TestCachedDirConformance holds a CachedDir to the rootfstest conformance
// suite, as TestDirConformanceResolvers holds the Dir.
func TestCachedDirConformance(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "materialising fixtures needs root (chown, security.capability)")
	}
	f := rootfs.MustParseFixture(`
dir /home/nonroot 0700 65532:65532
dir /srv 2775 0:1000 acl=u::rwx,u:1000:r-x,g::rwx,m::r-x,o::---
dir /tmp 1777 0:0
file /entrypoint.sh 0744 0:0 script=/bin/sh
file /bin/ping 0755 0:0 elf caps=CAP_NET_RAW+ep
file /srv/acl 0640 0:0 text="x\n" acl=u::rw-,u:1000:rwx,g::r--,m::rwx,o::---
file /dyn 0755 0:0 interp=/lib/ld.so
symlink /bin/sh ping
fifo /run/fifo 0600 0:0
symlink /abs /entrypoint.sh 1000:1000
`)
	dir := t.TempDir()
	if err := fixture.Materialize(f, dir); err != nil {
		t.Fatal(err)
	}
	for _, r := range resolvers {
		t.Run(r.name, func(t *testing.T) {
			c := openDir(t, dir, r.opts).Cached()
			defer c.Close()
			rootfstest.TestFS(t, c, f)
		})
	}
}

// TestCachedDirNoLeak: Close closes every descriptor a CachedDir opened,
// and later calls answer EBADF as a closed Dir's do.
func TestCachedDirNoLeak(t *testing.T) {
	root := cacheRoot(t)
	count := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			skipOrFail(t, "no /proc/self/fd to count descriptors in")
		}
		return len(fds)
	}
	for _, r := range resolvers {
		d := openDir(t, root, r.opts)
		before := count()
		c := d.Cached()
		for _, n := range cacheNames() {
			ask(c, n)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != before {
			t.Errorf("%s: %d descriptors open after Close, want %d", r.name, got, before)
		}
		if _, err := c.Lstat("/bin/sh"); !errorsIsUnreadable(err) || !strings.Contains(err.Error(), "bad file descriptor") {
			t.Errorf("%s: Lstat after Close = %v, want EBADF, the reader's", r.name, err)
		}
	}
}
