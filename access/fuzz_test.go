package access_test

import (
	"bytes"
	"path"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// FuzzResolve walks fuzzed paths from fuzzed working directories through a
// tree full of symlinks (absolute, relative, escaping with .., loops). The
// invariants: no panic; the same input gives the same answer; a successful
// resolution names an object inside the root that the FS has, the same
// inode Stat returned; a chdir leaves a clean absolute working directory
// that is a directory; every operation answers the same through Mem's
// handles as through its paths alone.
func FuzzResolve(f *testing.F) {
	m := rootfs.MustParseFixture(walkTree()).Mem()
	for _, s := range []string{"/abs", "/a/rel/f", "/a/b/up", "../../a", "/loop1", "/c0", "/m1/../n1", "a/b/dotdot/b/f/", "/tmp/ulink", "//a//b/./f", ""} {
		f.Add(s, "/a", true)
	}
	f.Fuzz(func(t *testing.T, name, cwd string, prot bool) {
		if !path.IsAbs(cwd) || path.Clean(cwd) != cwd {
			cwd = "/"
		}
		if ino, err := m.Lstat(cwd); err != nil || !ino.IsDir() {
			cwd = "/"
		}
		p := &access.Proc{Cred: access.User(1001, 1001), FS: m, Cwd: cwd, Kernel: access.Kernel{ProtectedSymlinks: prot}}
		ino1, err1 := p.Stat(name)
		ino2, err2 := p.Stat(name)
		if errName(err1) != errName(err2) || (err1 == nil && ino1.Mode != ino2.Mode) {
			t.Fatalf("Stat(%q) not deterministic: %v / %v", name, err1, err2)
		}
		if err1 != nil && access.ErrnoName(err1) == "" {
			t.Fatalf("Stat(%q) error %v is not an errno", name, err1)
		}
		ino, resolved, err := p.OpenExec(name)
		if err == nil {
			if !path.IsAbs(resolved) || path.Clean(resolved) != resolved {
				t.Fatalf("OpenExec(%q) resolved to %q, not clean and absolute", name, resolved)
			}
			got, lerr := m.Lstat(resolved)
			if lerr != nil || got.Mode != ino.Mode || got.UID != ino.UID {
				t.Fatalf("OpenExec(%q) resolved to %q, which the FS has as %v, %v", name, resolved, got, lerr)
			}
			if ino1.Mode != ino.Mode {
				t.Fatalf("Stat and OpenExec of %q disagree", name)
			}
		}
		// The walk through Mem's handles answers as the walk by paths.
		pp := *p
		pp.FS = plainFS{m}
		if got, want := walkOutcome(p, name), walkOutcome(&pp, name); got != want {
			t.Fatalf("cwd %q name %q: handles answer\n%s\npaths answer\n%s", cwd, name, got, want)
		}
		q := *p
		if err := q.Chdir(name); err == nil {
			if !path.IsAbs(q.Cwd) || path.Clean(q.Cwd) != q.Cwd {
				t.Fatalf("Chdir(%q) left cwd %q", name, q.Cwd)
			}
			if d, err := m.Lstat(q.Cwd); err != nil || !d.IsDir() {
				t.Fatalf("Chdir(%q) left cwd %q, not a directory", name, q.Cwd)
			}
		}
	})
}

// FuzzParseShebang: no panic; an accepted line gives a non-empty
// interpreter without blanks, NULs or newlines, and an argument without
// newlines, NULs or leading blanks. (Trailing blanks survive when the line
// has no newline: the kernel trims before the buffer's end, not before the
// NUL that ends the argument; see the seeds in testdata/fuzz.)
func FuzzParseShebang(f *testing.F) {
	for _, s := range []string{"#!/bin/sh\n", "#!/bin/sh\r\n", "#!  /x  -a b \t\n", "#!", "#!/" + strings.Repeat("a", 300), "#!/bin/sh\x00x y\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		buf := make([]byte, access.BINPRM_BUF_SIZE)
		copy(buf, in)
		interp, arg, hasArg, err := access.ParseShebang(buf)
		if err != nil {
			if err != access.ENOEXEC {
				t.Fatalf("error %v, want ENOEXEC", err)
			}
			return
		}
		if interp == "" && !bytes.HasPrefix(buf, []byte("#!")) {
			t.Fatal("accepted a line without #!")
		}
		if strings.ContainsAny(interp, " \t\x00\n") {
			t.Fatalf("interpreter %q holds a blank, NUL or newline", interp)
		}
		if hasArg {
			// An empty argument is real: "#!/x " without a newline leaves
			// i_arg on the buffer's zero padding (testdata/fuzz seed).
			if strings.ContainsAny(arg, "\x00\n") || strings.TrimLeft(arg, " \t") != arg {
				t.Fatalf("argument %q", arg)
			}
		}
	})
}

// FuzzExecve executes a file with fuzzed content: no panic, and every
// failure is an errno the kernel can return from execve.
func FuzzExecve(f *testing.F) {
	for _, s := range [][]byte{rootfs.ProbeELF(rootfs.EM_X86_64, ""), rootfs.ProbeELF(rootfs.EM_X86_64, "/bin/probe"), []byte("#!/bin/probe\n"), []byte("#!/f\n"), []byte("\x7fELF")} {
		f.Add(s)
	}
	// EINVAL: a PT_INTERP at a negative p_offset (elf_read's
	// rw_verify_area; the kernel oracle's interp_negative_offset).
	allowed := map[string]bool{"ENOENT": true, "EACCES": true, "ENOEXEC": true, "ELOOP": true, "EIO": true, "ELIBBAD": true, "ENOTDIR": true, "ENAMETOOLONG": true, "EINVAL": true}
	f.Fuzz(func(t *testing.T, content []byte) {
		m := rootfs.NewMem()
		m.File("/bin/probe", 0o755, 0, 0, rootfs.ProbeELF(rootfs.EM_X86_64, ""))
		m.File("/f", 0o755, 0, 0, content)
		p := &access.Proc{Cred: access.User(1000, 1000), FS: m}
		x, err := p.Execve("/f", nil)
		if err != nil {
			if !allowed[access.ErrnoName(err)] {
				t.Fatalf("execve error %v", err)
			}
			return
		}
		if x.Cred == nil || len(x.Argv) == 0 {
			t.Fatalf("execve result %+v", x)
		}
	})
}
