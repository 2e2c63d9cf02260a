//go:build linux

package rootfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
	"github.com/preexec/preexec/spec"
)

// resolvers are the ways a Dir reaches its inodes: openat2 and
// /proc/self/fd where the kernel has them, and each fallback forced.
var resolvers = []struct {
	name string
	opts rootfs.DirOptions
}{
	{"openat2", 0},
	{"walk", rootfs.DirWalk},
	{"openat2_noproc", rootfs.DirNoProc},
	{"walk_noproc", rootfs.DirWalk | rootfs.DirNoProc},
}

// skipOrFail skips the test with reason, or fails it under
// PREEXEC_ORACLE=required, where a check that cannot run is a failure.
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}

// openDir opens root with the resolver opts names, skipping (or failing)
// the openat2 resolvers on a kernel without openat2.
func openDir(t testing.TB, root string, opts rootfs.DirOptions) *rootfs.Dir {
	t.Helper()
	if opts&rootfs.DirWalk == 0 && !rootfs.HasOpenat2() {
		skipOrFail(t, "openat2(2) is not available here (Linux < 5.6 or a seccomp filter)")
	}
	d, err := rootfs.NewDirWith(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

// canary is the file planted outside the root: a size, a mode, an owner
// (as root) and bytes that nothing inside the root has.
type canary struct {
	uid, gid uint32
	mode     uint32 // permission bits
	content  []byte
}

const canaryMarker = "CANARY-OUTSIDE-THE-ROOT"

// isCanary reports whether ino looks like the canary: its size and mode, or
// (when the test could give it one) its owner.
func (c *canary) isCanary(ino access.Inode) bool {
	if ino.Mode&access.S_IFMT != access.S_IFREG {
		return false
	}
	if ino.Size == int64(len(c.content)) && ino.Mode&0o7777 == c.mode {
		return true
	}
	return os.Geteuid() == 0 && ino.UID == c.uid && ino.GID == c.gid
}

// canaryTree plants the canary at base/canary and base/outside/canary, and
// below base/rootfs a tree whose symlinks reach for them: absolute
// symlinks to the host paths, relative ones climbing out with "..", a
// symlink to ".." itself, symlinked directories and a symlinked entry. The
// in-root decoys at the names a clamped ".." lands on have contents of
// their own. It returns the root, the fixture the tree was made from (its
// Mem is the in-root truth) and the canary.
func canaryTree(t testing.TB) (base, root string, f *rootfs.Fixture, c *canary) {
	t.Helper()
	base = t.TempDir()
	root = filepath.Join(base, "rootfs")
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	c = &canary{uid: uid, gid: gid, mode: 0o751,
		content: []byte("#!/canary/interp\n" + strings.Repeat(canaryMarker+"\n", 131))}
	if os.Geteuid() == 0 {
		c.uid, c.gid = 4242, 4343
	}
	for _, dir := range []string{root, filepath.Join(base, "outside"), filepath.Join(base, "mvout")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(base, "canary"), filepath.Join(base, "outside", "canary")} {
		if err := os.WriteFile(p, c.content, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(p, int(c.uid), int(c.gid)); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, os.FileMode(c.mode)); err != nil {
			t.Fatal(err)
		}
	}
	// Owners other than ours need root to make; as another user the
	// tree is ours, and the canary is told apart by size, mode and bytes.
	own := func(id string) string {
		if os.Geteuid() == 0 {
			return id
		}
		return fmt.Sprintf("%d:%d", uid, gid)
	}
	text := fmt.Sprintf(`
dir / 0755 %[3]s
dir /home 0755 %[3]s
dir /home/nonroot 0700 %[4]s
dir /bin 0755 %[3]s
file /bin/sh 0755 %[3]s elf
file /canary 0755 %[5]s script=/bin/sh
dir /outside 0755 %[5]s
file /outside/canary 0755 %[5]s text="#!/bin/sh\necho in-root\n"
dir /mv 0755 %[3]s
dir /mv/sub 0755 %[3]s
dir /swap 0755 %[3]s
file /swap/canary 0644 %[3]s text="in-root swap\n"
symlink /abs %[1]s/canary %[3]s
symlink /absdir %[1]s/outside %[3]s
symlink /entry %[1]s/outside/canary %[3]s
symlink /rel ../canary %[3]s
symlink /reldir ../outside %[3]s
symlink /dotdot ../../../../../../../../../../../../canary %[3]s
symlink /up .. %[3]s
symlink /upup ../.. %[3]s
symlink /home/nonroot/escape ../../../outside %[4]s
symlink /swapalt %[1]s/outside %[3]s
`, base, root, own("0:0"), own("65532:65532"), own("1000:1000"))
	f = rootfs.MustParseFixture(text)
	materialize(t, f, root)
	return base, root, f, c
}

// materialize makes f below root as the calling user: directories, files
// and symlinks, then their owners (as root), then their modes.
func materialize(t testing.TB, f *rootfs.Fixture, root string) {
	t.Helper()
	for _, e := range f.Entries {
		h := filepath.Join(root, e.Path)
		var err error
		switch e.Kind {
		case rootfs.KindDir:
			if e.Path != "/" {
				err = os.Mkdir(h, 0o700)
			}
		case rootfs.KindFile:
			err = os.WriteFile(h, e.Content, 0o600)
		case rootfs.KindSymlink:
			err = os.Symlink(e.Target, h)
		default:
			t.Fatalf("materialize: %s lines are not made here", e.Kind)
		}
		if err == nil && os.Geteuid() == 0 {
			err = os.Lchown(h, int(e.UID), int(e.GID))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Modes last, deepest first, so that a 0700 directory of another
	// owner does not stop the chmods below it.
	for i := len(f.Entries) - 1; i >= 0; i-- {
		e := f.Entries[i]
		if e.Kind == rootfs.KindSymlink {
			continue
		}
		if err := unix.Chmod(filepath.Join(root, e.Path), e.Mode); err != nil {
			t.Fatal(err)
		}
	}
}

// spy stands between the model and a Dir: every answer the Dir gives must
// be the answer the fixture's Mem (the in-root tree, which knows nothing
// of the outside) gives, and never the canary's.
type spy struct {
	t   *testing.T
	dir *rootfs.Dir
	mem *rootfs.Mem
	c   *canary
	// loose checks only for the canary, for a tree that changes under
	// the Dir and so differs from the Mem.
	loose bool
	// asked counts the questions, so that a test knows the model asked.
	mu    sync.Mutex
	asked int
}

func (s *spy) count() {
	s.mu.Lock()
	s.asked++
	s.mu.Unlock()
}

func (s *spy) Lstat(name string) (access.Inode, error) {
	s.count()
	ino, err := s.dir.Lstat(name)
	want, werr := s.mem.Lstat(name)
	if err == nil && s.c.isCanary(ino) {
		s.t.Errorf("Lstat(%q) = the canary outside the root: %+v", name, ino)
	}
	if !s.loose && !sameInode(ino, err, want, werr) {
		s.t.Errorf("Lstat(%q) = %+v, %v; the in-root inode is %+v, %v", name, ino, err, want, werr)
	}
	return ino, err
}

func (s *spy) Readlink(name string) (string, error) {
	s.count()
	body, err := s.dir.Readlink(name)
	want, werr := s.mem.Readlink(name)
	if !s.loose && (body != want || !sameErr(err, werr)) {
		s.t.Errorf("Readlink(%q) = %q, %v; the in-root symlink says %q, %v", name, body, err, want, werr)
	}
	return body, err
}

func (s *spy) ReadAt(name string, p []byte, off int64) (int, error) {
	s.count()
	n, err := s.dir.ReadAt(name, p, off)
	q := make([]byte, len(p))
	wn, werr := s.mem.ReadAt(name, q, off)
	if bytes.Contains(p[:n], []byte(canaryMarker)) || bytes.Contains(p[:n], []byte("/canary/interp")) {
		s.t.Errorf("ReadAt(%q) read the canary's bytes: %q", name, p[:n])
	}
	if !s.loose && (n != wn || !bytes.Equal(p[:n], q[:wn]) || !sameErr(err, werr)) {
		s.t.Errorf("ReadAt(%q, %d bytes, %d) = %d, %v; the in-root file gives %d, %v", name, len(p), off, n, err, wn, werr)
	}
	return n, err
}

// sameErr reports whether Dir's error is Mem's: the same errno, io.EOF or
// nil.
func sameErr(got, want error) bool { return got == want || errors.Is(got, want) }

// sameInode compares what Dir and Mem say of one name: the error, and the
// type, mode, owner, ACL and capabilities, and the size of files and
// symlinks (a directory's size is the filesystem's own).
func sameInode(got access.Inode, gerr error, want access.Inode, werr error) bool {
	if gerr != nil || werr != nil {
		return sameErr(gerr, werr)
	}
	if want.Mode&access.S_IFMT == access.S_IFDIR {
		got.Size, want.Size = 0, 0
	}
	return cmp.Diff(want, got) == ""
}

// canaryNames are the paths that reach for the canary, each through one
// kind of escape.
var canaryNames = []struct{ name, rule string }{
	{"/abs", "an absolute symlink is resolved from the container's root, not the host's"},
	{"/entry", "a symlinked entry to a host path stays in the root"},
	{"/absdir/canary", "a symlinked intermediate directory with an absolute body stays in the root"},
	{"/rel", "a relative symlink's .. stops at the root"},
	{"/dotdot", "a long .. chain in a symlink stops at the root"},
	{"/reldir/canary", "a relative symlinked intermediate directory stays in the root"},
	{"/up/canary", "a symlink to .. at the root is the root"},
	{"/upup/outside/canary", "a symlink to ../.. at the root is the root"},
	{"/up/up/up/canary", "symlinks to .. chained stay at the root"},
	{"/home/nonroot/escape/canary", "a symlink deeper down climbs only to the root"},
	{"/../canary", "a .. in the path at the root is the root"},
	{"/../../outside/canary", "a .. chain in the path stays at the root"},
	{"/mv/sub/../../../canary", "a .. chain from inside stops at the root"},
}

// TestDirCanary plants a canary outside the root and reaches for it through
// every kind of escape, through the model (access.Proc operations and
// preexec.Compare on every runtime) and through Dir's own methods, with
// each resolver. Every answer Dir gives is the in-root inode's, and no read
// returns the canary's bytes.
func TestDirCanary(t *testing.T) {
	rowtest.Check(t, names(canaryNames), rules(canaryNames))
	base, root, f, c := canaryTree(t)
	mem := f.Mem()
	for _, r := range resolvers {
		t.Run(r.name, func(t *testing.T) {
			d := openDir(t, root, r.opts)
			s := &spy{t: t, dir: d, mem: mem, c: c}
			creds := []*access.Cred{access.Root(), access.User(1000, 1000), access.User(65532, 65532)}
			for _, row := range canaryNames {
				for _, cred := range creds {
					modelOps(t, s, mem, cred, row.name)
				}
				direct(t, d, mem, c, row.name)
			}
			// And the host's own path of the canary, given as a name.
			direct(t, d, mem, c, filepath.Join(base, "canary"))
			direct(t, d, mem, c, "../canary")
			direct(t, d, mem, c, "/./..//canary/")

			// Evaluate on every runtime, the escapes as the entrypoint,
			// on PATH and as the working directory.
			rts := preexec.Runtimes()
			outcomes := map[bool]int{}
			for _, row := range canaryNames {
				for _, cfg := range []struct{ cwd, arg, path string }{
					{"/", row.name, "/bin"},
					{row.name, "/bin/sh", "/bin"},
					{"/", "canary", path.Dir(row.name) + ":/bin"},
				} {
					plan := parsePlan(t, cfg.cwd, cfg.arg, cfg.path)
					got := preexec.Compare(plan, s, rts, preexec.Host{})
					want := preexec.Compare(plan, mem, rts, preexec.Host{})
					results := append([]preexec.Result(nil), got.Results...)
					wants := append([]preexec.Result(nil), want.Results...)
					// And Evaluate itself, without Compare's memo, on
					// the runtimes of the two incidents.
					for _, rt := range incidentRuntimes(t) {
						results = append(results, preexec.Evaluate(plan, s, rt, preexec.Host{}))
						wants = append(wants, preexec.Evaluate(plan, mem, rt, preexec.Host{}))
					}
					for i := range results {
						g, w := results[i], wants[i]
						outcomes[g.Starts]++
						if g.Starts != w.Starts || g.Text != w.Text {
							t.Errorf("%s cwd %s args [%s] PATH %s: on the Dir %v %q; on the in-root Mem %v %q",
								g.Runtime, cfg.cwd, cfg.arg, cfg.path, g.Starts, g.Text, w.Starts, w.Text)
						}
					}
				}
			}
			if s.asked == 0 || outcomes[true] == 0 || outcomes[false] == 0 {
				t.Fatalf("the model asked the Dir %d questions; %d containers start, %d do not: want some of each", s.asked, outcomes[true], outcomes[false])
			}
			t.Logf("%d questions to the Dir; %d containers start, %d do not", s.asked, outcomes[true], outcomes[false])
		})
	}
}

// incidentRuntimes are runc rc93 (the chdir incident) and 1.1.4+go1.19
// (the eaccess incident).
func incidentRuntimes(t *testing.T) []preexec.Runtime {
	t.Helper()
	var out []preexec.Runtime
	for _, name := range []string{"runc@1.0.0-rc93", "runc@1.1.4+go1.19"} {
		rt, err := preexec.LookupRuntime(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rt)
	}
	return out
}

func names(rows []struct{ name, rule string }) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.name)
	}
	return out
}

func rules(rows []struct{ name, rule string }) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.rule)
	}
	return out
}

// modelOps runs the operations of package access on name over the spy,
// and compares their outcomes with the same operations on the Mem.
func modelOps(t *testing.T, s *spy, mem *rootfs.Mem, cred *access.Cred, name string) {
	t.Helper()
	on := func(fsys access.FS) *access.Proc { return &access.Proc{Cred: cred, FS: fsys} }
	type outcome struct {
		Ino access.Inode
		Err string
	}
	out := func(ino access.Inode, err error) outcome {
		if err != nil {
			return outcome{Err: err.Error()}
		}
		ino.Size = 0 // directories' sizes differ; files are checked by the spy
		return outcome{Ino: ino}
	}
	ops := []struct {
		op string
		do func(p *access.Proc) outcome
	}{
		{"Stat", func(p *access.Proc) outcome { return out(p.Stat(name)) }},
		{"Lstat", func(p *access.Proc) outcome { return out(p.Lstat(name)) }},
		{"Chdir", func(p *access.Proc) outcome { return out(access.Inode{}, p.Chdir(name)) }},
		{"Open", func(p *access.Proc) outcome { return out(p.Open(name, syscall.O_RDONLY)) }},
		{"OpenExec", func(p *access.Proc) outcome { ino, _, err := p.OpenExec(name); return out(ino, err) }},
		{"Access", func(p *access.Proc) outcome { return out(access.Inode{}, p.Access(name, 1)) }},
		{"Execve", func(p *access.Proc) outcome {
			_, err := p.Execve(name, []string{name})
			return out(access.Inode{}, err)
		}},
	}
	for _, o := range ops {
		got, want := o.do(on(s)), o.do(on(mem))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s(%q) as %d: Dir and the in-root Mem differ (-mem +dir):\n%s", o.op, name, cred.UID, diff)
		}
	}
}

// direct asks Dir itself for name, as a caller that does not resolve
// symlinks first might: an answer must be the in-root inode at the name
// with ".." clamped at the root (path.Clean of "/"+name), or an error;
// never the canary.
func direct(t testing.TB, d *rootfs.Dir, mem *rootfs.Mem, c *canary, name string) {
	t.Helper()
	clamped := path.Clean("/" + name)
	ino, err := d.Lstat(name)
	if err == nil {
		if c.isCanary(ino) {
			t.Errorf("Dir.Lstat(%q) = the canary: %+v", name, ino)
		}
		want, werr := mem.Lstat(clamped)
		if !sameInode(ino, nil, want, werr) {
			t.Errorf("Dir.Lstat(%q) = %+v; in the root, %s is %+v, %v", name, ino, clamped, want, werr)
		}
	} else if re := (*access.ReadError)(nil); !errors.As(err, new(syscall.Errno)) && !(errors.As(err, &re) && errors.As(re.Err, new(syscall.Errno))) {
		t.Errorf("Dir.Lstat(%q): %v is neither an errno nor the reader's", name, err)
	}
	if body, err := d.Readlink(name); err == nil {
		if want, _ := mem.Readlink(clamped); body != want {
			t.Errorf("Dir.Readlink(%q) = %q; in the root, %s says %q", name, body, clamped, want)
		}
	}
	p := make([]byte, 4096)
	n, err := d.ReadAt(name, p, 0)
	if bytes.Contains(p[:n], []byte(canaryMarker)) {
		t.Errorf("Dir.ReadAt(%q) read the canary: %q", name, p[:n])
	}
	if err == nil || err == io.EOF {
		q := make([]byte, 4096)
		wn, _ := mem.ReadAt(clamped, q, 0)
		if !bytes.Equal(p[:n], q[:wn]) {
			t.Errorf("Dir.ReadAt(%q) = %q; in the root, %s holds %q", name, p[:n], clamped, q[:wn])
		}
	}
}

func parsePlan(t *testing.T, cwd, arg, pathEnv string) *spec.Plan {
	t.Helper()
	cfg := fmt.Sprintf(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
  "process": {"user": {"uid": 1000, "gid": 1000}, "cwd": %q, "args": [%q], "env": ["PATH=%s"]}}`, cwd, arg, pathEnv)
	plan, err := spec.Parse("config.json", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestDirCanaryRace swaps the tree under the Dir while it reads: /swap
// is exchanged (renameat2 RENAME_EXCHANGE) with a symlink to the host's
// directory of the canary, and /mv is moved out of the root and back while
// a name climbs out of it with "..". No answer is ever the canary's.
func TestDirCanaryRace(t *testing.T) {
	base, root, f, c := canaryTree(t)
	mem := f.Mem()
	for _, r := range resolvers {
		t.Run(r.name, func(t *testing.T) {
			d := openDir(t, root, r.opts)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			// Stop the swapper before the subtest ends, Fatal included.
			defer func() {
				close(stop)
				wg.Wait()
			}()
			go func() {
				defer wg.Done()
				swap, alt := filepath.Join(root, "swap"), filepath.Join(root, "swapalt")
				mv, out := filepath.Join(root, "mv"), filepath.Join(base, "mvout", "mv")
				for i := 0; ; i++ {
					select {
					case <-stop:
						if i%2 == 1 {
							unix.Renameat2(unix.AT_FDCWD, swap, unix.AT_FDCWD, alt, unix.RENAME_EXCHANGE)
							os.Rename(out, mv)
						}
						return
					default:
					}
					if err := unix.Renameat2(unix.AT_FDCWD, swap, unix.AT_FDCWD, alt, unix.RENAME_EXCHANGE); err != nil {
						t.Error(err)
						return
					}
					from, to := mv, out
					if i%2 == 1 {
						from, to = out, mv
					}
					if err := os.Rename(from, to); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			deadline := time.Now().Add(300 * time.Millisecond)
			p := access.Proc{Cred: access.Root(), FS: &spy{t: t, dir: d, mem: mem, c: c, loose: true}}
			found, errs := 0, map[string]int{}
			for time.Now().Before(deadline) {
				for _, name := range []string{"/swap/canary", "/mv/sub/../../canary", "/mv/sub/../../../outside/canary"} {
					ino, err := d.Lstat(name)
					if err != nil {
						errs[err.Error()]++
					} else {
						found++
						if want, werr := mem.Lstat(path.Clean(name)); !sameInode(ino, nil, want, werr) {
							t.Errorf("Dir.Lstat(%q) = %+v; in the root, %s is %+v", name, ino, path.Clean(name), want)
						}
					}
					b := make([]byte, 512)
					if n, _ := d.ReadAt(name, b, 0); bytes.Contains(b[:n], []byte(canaryMarker)) {
						t.Fatalf("Dir.ReadAt(%q) read the canary", name)
					}
					// The model's own walk: the spy fails on any
					// canary answer.
					p.Stat(name)
					p.Execve(name, []string{name})
				}
			}
			t.Logf("while the tree changed: %d in-root answers, errors %v", found, errs)
			if found == 0 {
				t.Error("no lookup found the in-root inodes: the race did not exercise the tree")
			}
		})
	}
}

// TestDirResolversAgree holds the component walk, Dir's fallback before
// Linux 5.6, and the reopen by name, its fallback without procfs, to the
// kernel's openat2(2) RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS: for every name,
// each resolver gives the same Lstat, Readlink and ReadAt answers and the
// same errnos.
func TestDirResolversAgree(t *testing.T) {
	rows := []struct{ name, rule string }{
		{"/", "the root is itself"},
		{"", "an empty name is the root"},
		{"/bin/sh", "a plain file"},
		{"bin//sh", "repeated slashes and no leading slash"},
		{"/./bin/./sh", ". is the directory itself"},
		{"/abs", "a final symlink is the link itself (O_PATH|O_NOFOLLOW)"},
		{"/absdir/canary", "a symlink before the last component is ELOOP (RESOLVE_NO_SYMLINKS)"},
		{"/up/", "a trailing slash follows a final symlink: ELOOP"},
		{"/up/..", "a symlink before .. is ELOOP"},
		{"/bin/sh/", "a trailing slash on a file is ENOTDIR"},
		{"/bin/sh/x", "a file before the last component is ENOTDIR"},
		{"/bin/sh/..", "a file before .. is ENOTDIR"},
		{"/../..", ".. at the root is the root (RESOLVE_IN_ROOT)"},
		{"/mv/sub/../../bin/sh", ".. climbs back through walked directories"},
		{"/mv/sub/..", "a name ending in .. is a directory"},
		{"/missing/x", "a missing directory is ENOENT"},
		{"/home/nonroot/escape", "a symlink below a 0700 directory is found as root"},
		{"/" + strings.Repeat("n", 256), "a component over NAME_MAX is ENAMETOOLONG"},
		{"/bin/s\x00h", "a NUL in a name is EINVAL, not a panic"},
		{"/missing/\x00", "a NUL is EINVAL before any component is looked up"},
		{"/" + strings.Repeat("a/", 2048), "a name of PATH_MAX bytes or more is ENAMETOOLONG before any lookup (fs/namei.c:getname_flags)"},
	}
	var quoted []string
	for _, r := range rows {
		quoted = append(quoted, strconv.Quote(r.name))
	}
	rowtest.Check(t, quoted, rules(rows))
	if !rootfs.HasOpenat2() {
		skipOrFail(t, "openat2(2), the judge, is not available here")
	}
	_, root, _, _ := canaryTree(t)
	judge := openDir(t, root, 0)
	type answer struct {
		Ino      access.Inode
		LstatErr string
		Link     string
		LinkErr  string
		Head     string
		ReadErr  string
	}
	ask := func(d *rootfs.Dir, name string) answer {
		var a answer
		ino, err := d.Lstat(name)
		if ino.Mode&access.S_IFMT == access.S_IFDIR {
			ino.Size = 0
		}
		a.Ino, a.LstatErr = ino, fmt.Sprint(err)
		a.Link, err = d.Readlink(name)
		a.LinkErr = fmt.Sprint(err)
		b := make([]byte, 64)
		n, err := d.ReadAt(name, b, 0)
		a.Head, a.ReadErr = string(b[:n]), fmt.Sprint(err)
		return a
	}
	for _, r := range resolvers[1:] {
		t.Run(r.name, func(t *testing.T) {
			d := openDir(t, root, r.opts)
			for _, row := range rows {
				if diff := cmp.Diff(ask(judge, row.name), ask(d, row.name)); diff != "" {
					t.Errorf("%s (%s): differs from openat2 (-openat2 +%s):\n%s", row.name, row.rule, r.name, diff)
				}
			}
		})
	}
}

// TestDirConformanceResolvers materialises a fixture with ACLs (one larger
// than 256 bytes), file capabilities, a FIFO, setuid and sticky bits, and
// holds every resolver to the rootfstest conformance suite.
func TestDirConformanceResolvers(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "materialising fixtures needs root (chown, security.capability)")
	}
	// /many's ACL has 40 named users: 4+8*44 bytes, more than the
	// first buffer Dir reads an xattr into (ERANGE, then the size).
	var many []string
	for id := 2000; id < 2040; id++ {
		many = append(many, fmt.Sprintf("u:%d:r-x", id))
	}
	f := rootfs.MustParseFixture(`
dir /home/nonroot 0700 65532:65532
dir /srv 2775 0:1000 acl=u::rwx,u:1000:r-x,g::rwx,m::r-x,o::---
dir /many 0750 0:0 acl=u::rwx,` + strings.Join(many, ",") + `,g::r-x,m::r-x,o::---
dir /tmp 1777 0:0
file /entrypoint.sh 0744 0:0 script=/bin/sh
file /bin/ping 0755 0:0 elf caps=CAP_NET_RAW+ep
file /bin/suid 4755 0:0 elf
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
			rootfstest.TestFS(t, openDir(t, dir, r.opts), f)
		})
	}
}

// TestNewDirErrors: a root that is not a directory is an error naming it,
// never a panic, and a closed Dir answers EBADF.
func TestNewDirErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(tmp, "dangling")
	if err := os.Symlink("nowhere", dangling); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		name, root string
		want       error
		rule       string
	}{
		{"missing", filepath.Join(tmp, "missing"), syscall.ENOENT, "open(2) of a missing root"},
		{"file", file, syscall.ENOTDIR, "O_DIRECTORY on a regular file"},
		{"file_below", file + "/x", syscall.ENOTDIR, "a file as a directory of the root's path"},
		{"dangling", dangling, syscall.ENOENT, "the root's own symlinks are followed, to nothing here"},
		{"empty", "", syscall.ENOENT, "an empty path is ENOENT (fs/namei.c:getname_flags)"},
		{"nul", tmp + "/a\x00b", syscall.EINVAL, "a NUL byte cannot reach the kernel"},
		{"too_long", "/" + strings.Repeat("x", 300), syscall.ENAMETOOLONG, "a component over NAME_MAX"},
	}
	var rowNames, rowRules []string
	for _, r := range rows {
		rowNames, rowRules = append(rowNames, r.name), append(rowRules, r.rule)
	}
	rowtest.Check(t, rowNames, rowRules)
	for _, row := range rows {
		d, err := rootfs.NewDir(row.root)
		if err == nil {
			d.Close()
			t.Errorf("%s: NewDir(%q) = a Dir; want %v (%s)", row.name, row.root, row.want, row.rule)
			continue
		}
		if !errors.Is(err, row.want) || !strings.Contains(err.Error(), row.root) {
			t.Errorf("%s: NewDir(%q) = %v; want an error naming the path that is %v (%s)", row.name, row.root, err, row.want, row.rule)
		}
		if errors.Is(err, access.ErrUnreadable) {
			t.Errorf("%s: NewDir(%q) = %v, the reader's error; want the path's own answer (%s)", row.name, row.root, err, row.rule)
		}
	}

	d, err := rootfs.NewDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	// Answers about the tree are bare errnos (access.FS), never the
	// reader's.
	if _, err := d.Lstat("/missing"); err != access.ENOENT {
		t.Errorf("Lstat(/missing) = %v, want the bare ENOENT", err)
	}
	if _, err := d.Lstat("/file/x"); err != access.ENOTDIR {
		t.Errorf("Lstat(/file/x) = %v, want the bare ENOTDIR", err)
	}
	if _, err := d.Readlink("/file"); err != access.EINVAL {
		t.Errorf("Readlink(/file) = %v, want the bare EINVAL", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Lstat("/file"); !errors.Is(err, syscall.EBADF) || !errors.Is(err, access.ErrUnreadable) {
		t.Errorf("Lstat after Close = %v, want EBADF, the reader's (access.ErrUnreadable)", err)
	}
	if _, err := d.ReadAt("/file", make([]byte, 1), 0); !errors.Is(err, syscall.EBADF) {
		t.Errorf("ReadAt after Close = %v, want EBADF", err)
	}
	if err := d.Close(); err == nil || !strings.Contains(err.Error(), tmp) {
		t.Errorf("second Close = %v, want an error naming %s", err, tmp)
	}
	var zero rootfs.Dir
	if _, err := zero.Lstat("/"); !errors.Is(err, syscall.EBADF) {
		t.Errorf("Lstat on a zero Dir = %v, want EBADF (not a lookup in descriptor 0)", err)
	}
}

// FuzzDir asks Dir for any name, with each resolver, on the canary tree:
// an answer is the in-root inode at the name with ".." clamped at the
// root, never the canary, and the walk and the reopen by name answer as
// openat2 does.
func FuzzDir(f *testing.F) {
	for _, row := range canaryNames {
		f.Add(row.name)
	}
	f.Add("/up/../..//./bin/sh/")
	f.Add("../../outside/canary")
	if !rootfs.HasOpenat2() {
		skipOrFail(f, "openat2(2), the judge, is not available here")
	}
	_, root, fx, c := canaryTree(f)
	mem := fx.Mem()
	dirs := make([]*rootfs.Dir, len(resolvers))
	for i, r := range resolvers {
		dirs[i] = openDir(f, root, r.opts)
	}
	// A CachedDir of each, kept over every input: it answers as its Dir.
	cached := make([]access.FS, len(dirs))
	for i, d := range dirs {
		cd := d.Cached()
		f.Cleanup(func() { cd.Close() })
		cached[i] = cd
	}
	f.Fuzz(func(t *testing.T, name string) {
		var first string
		for i := range 2 * len(dirs) {
			var d access.FS
			if i < len(dirs) {
				d = dirs[i]
				direct(t, dirs[i], mem, c, name)
			} else {
				d = cached[i-len(dirs)]
			}
			ino, err := d.Lstat(name)
			if ino.Mode&access.S_IFMT == access.S_IFDIR {
				ino.Size = 0
			}
			link, lerr := d.Readlink(name)
			b := make([]byte, 64)
			n, rerr := d.ReadAt(name, b, 3)
			got := fmt.Sprintf("%+v %v | %q %v | %q %v", ino, err, link, lerr, b[:n], rerr)
			if i == 0 {
				first = got
			} else if got != first {
				what := resolvers[i%len(dirs)].name
				if i >= len(dirs) {
					what += " cached"
				}
				t.Errorf("%q: %s answers\n\t%s\nopenat2 answers\n\t%s", name, what, got, first)
			}
		}
	})
}

// TestDirNoLeak: whatever a lookup meets (a missing name, ELOOP, ENOTDIR,
// ".." chains, a file read), every descriptor Dir opens for it is closed;
// only the root's stays, until Close.
func TestDirNoLeak(t *testing.T) {
	base, root, _, _ := canaryTree(t)
	count := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			skipOrFail(t, "no /proc/self/fd to count descriptors in")
		}
		return len(fds)
	}
	names := []string{"/", "/bin/sh", "/bin/sh/", "/bin/sh/x", "/abs", "/absdir/canary", "/up/..", "/mv/sub/../../bin/sh", "/missing/x", "/mv/sub/..", base + "/canary", "/../../canary"}
	for _, r := range resolvers {
		before := count()
		d, err := rootfs.NewDirWith(root, r.opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			for _, n := range names {
				d.Lstat(n)
				d.Readlink(n)
				d.ReadAt(n, make([]byte, 16), 0)
			}
		}
		if got := count(); got != before+1 {
			t.Errorf("%s: %d descriptors open with the Dir, want %d (the root's)", r.name, got, before+1)
		}
		d.Close()
		if got := count(); got != before {
			t.Errorf("%s: %d descriptors open after Close, want %d", r.name, got, before)
		}
	}
}
