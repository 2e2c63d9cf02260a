package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// plainFS hides the HandleFS methods of the FS it holds, so that the
// walker takes its path for an FS without handles (FS.Lstat of every
// prefix), as it does for rootfs.Dir, MTree or a wrapper.
type plainFS struct{ access.FS }

// walkOutcome is everything the operations of a Proc answer for one name,
// errors as their full text (a *Denial names the path, inode and class).
func walkOutcome(p *access.Proc, name string) string {
	var b strings.Builder
	str := func(err error) string {
		if err == nil {
			return "ok"
		}
		return err.Error()
	}
	ino, err := p.Stat(name)
	fmt.Fprintf(&b, "stat %+v %s\n", ino, str(err))
	ino, err = p.Lstat(name)
	fmt.Fprintf(&b, "lstat %+v %s\n", ino, str(err))
	ino, resolved, err := p.Resolve(name)
	fmt.Fprintf(&b, "resolve %+v %q %s\n", ino, resolved, str(err))
	ino, resolved, err = p.OpenExec(name)
	fmt.Fprintf(&b, "openexec %+v %q %s\n", ino, resolved, str(err))
	ino, err = p.Open(name, access.O_RDONLY|access.O_NOFOLLOW)
	fmt.Fprintf(&b, "open %+v %s\n", ino, str(err))
	fmt.Fprintf(&b, "access %s\n", str(p.Access(name, access.R_OK|access.X_OK)))
	fmt.Fprintf(&b, "faccessat2 %s\n", str(p.Faccessat2(name, access.W_OK, access.AT_EACCESS|access.AT_SYMLINK_NOFOLLOW)))
	x, err := p.Execve(name, []string{name})
	if x != nil {
		fmt.Fprintf(&b, "execve %q %q %q %q %v\n", x.Path, x.Argv, x.Interp, x.Script, x.ScriptErr)
	}
	fmt.Fprintf(&b, "execve %s\n", str(err))
	q := *p
	err = q.Chdir(name)
	fmt.Fprintf(&b, "chdir %q %s\n", q.Cwd, str(err))
	dir, err := p.Mkdir(name)
	fmt.Fprintf(&b, "mkdir %q %s\n", dir, str(err))
	return b.String()
}

// TestHandleWalkEquivalent: the walk through a HandleFS (Mem's node tree)
// answers every operation exactly as the walk by whole paths (FS.Lstat)
// does, for every name of the walk tree and variants of it, from several
// working directories, as root and as a user, with and without
// fs.protected_symlinks.
func TestHandleWalkEquivalent(t *testing.T) {
	m := rootfs.MustParseFixture(walkTree() + "dir /big 0755 0:0\n" + bigDir(40)).Mem()
	var names []string
	for _, n := range m.Names() {
		names = append(names, n, n+"/", n+"/.", n+"/..", n+"/../"+strings.TrimPrefix(n, "/"), n+"/x", "."+n, strings.TrimPrefix(n, "/"))
	}
	names = append(names, "", ".", "..", "//", "/big/e39", "/big/e40", "/ns/in/../file")
	for _, cwd := range []string{"", "/a", "/a/b", "/noperm", "/tmp", "/big"} {
		for _, c := range []*access.Cred{root(), user(1001, 1001)} {
			for _, prot := range []bool{false, true} {
				k := access.Kernel{ProtectedSymlinks: prot}
				handles := &access.Proc{Cred: c, FS: m, Cwd: cwd, Kernel: k}
				paths := &access.Proc{Cred: c, FS: plainFS{m}, Cwd: cwd, Kernel: k}
				for _, name := range names {
					got, want := walkOutcome(handles, name), walkOutcome(paths, name)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("cwd %q uid %d prot %v name %q: handles differ from paths (-paths +handles):\n%s", cwd, c.FSUID, prot, name, diff)
					}
				}
			}
		}
	}
}

// bigDir is fixture lines for /big/e0 … /big/e<n-1>: more entries than Mem
// compares one by one.
func bigDir(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "file /big/e%d 0755 0:0 elf\n", i)
	}
	return b.String()
}
