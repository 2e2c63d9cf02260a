package rootfs_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
)

func lstat(t *testing.T, fsys access.FS, name string) access.Inode {
	t.Helper()
	ino, err := fsys.Lstat(name)
	if err != nil {
		t.Fatalf("Lstat(%s): %v", name, err)
	}
	return ino
}

func TestMemBuilders(t *testing.T) {
	m := rootfs.NewMem().
		Dir("/home/u", 0o700, 1000, 1000).
		File("/usr/bin/tool", 0o755, 0, 0, []byte("#!/bin/sh\n")).
		Symlink("/bin", "usr/bin", 0, 0).
		Node("/dev/null", access.Inode{Mode: access.S_IFCHR | 0o666})
	want := []string{"/", "/bin", "/dev", "/dev/null", "/home", "/home/u", "/usr", "/usr/bin", "/usr/bin/tool"}
	if diff := cmp.Diff(want, m.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		name string
		want access.Inode
	}{
		{"/", access.Inode{Mode: access.S_IFDIR | 0o755}},
		{"/home", access.Inode{Mode: access.S_IFDIR | 0o755}},
		{"/home/u", access.Inode{Mode: access.S_IFDIR | 0o700, UID: 1000, GID: 1000}},
		{"/usr/bin/tool", access.Inode{Mode: access.S_IFREG | 0o755, Size: 10}},
		{"/bin", access.Inode{Mode: access.S_IFLNK | 0o777, Size: 7}},
		{"/dev/null", access.Inode{Mode: access.S_IFCHR | 0o666}},
	} {
		if diff := cmp.Diff(c.want, lstat(t, m, c.name)); diff != "" {
			t.Errorf("Lstat(%s) (-want +got):\n%s", c.name, diff)
		}
	}
	if s, err := m.Readlink("/bin"); s != "usr/bin" || err != nil {
		t.Errorf("Readlink(/bin) = %q, %v", s, err)
	}
	if _, err := m.Readlink("/home"); err != access.EINVAL {
		t.Errorf("Readlink(/home) = %v, want EINVAL", err)
	}
	if _, err := m.Readlink("/nope"); err != access.ENOENT {
		t.Errorf("Readlink(/nope) = %v, want ENOENT", err)
	}
	if _, err := m.Lstat("/nope"); err != access.ENOENT {
		t.Errorf("Lstat(/nope) = %v, want ENOENT", err)
	}
	if _, err := m.ReadAt("/home", make([]byte, 1), 0); err != access.EISDIR {
		t.Errorf("ReadAt(/home) = %v, want EISDIR", err)
	}
	if _, err := m.ReadAt("/nope", make([]byte, 1), 0); err != access.ENOENT {
		t.Errorf("ReadAt(/nope) = %v, want ENOENT", err)
	}
	if _, err := m.ReadAt("/usr/bin/tool", make([]byte, 1), -1); err != access.EINVAL {
		t.Errorf("ReadAt(/usr/bin/tool, off -1) = %v, want EINVAL", err)
	}
	p := make([]byte, 4)
	if n, err := m.ReadAt("/usr/bin/tool", p, 2); n != 4 || err != nil || string(p) != "/bin" {
		t.Errorf("ReadAt(4 bytes, 2) = %d, %v, %q", n, err, p)
	}
	if n, err := m.ReadAt("/usr/bin/tool", p, 8); n != 2 || err != io.EOF || string(p[:n]) != "h\n" {
		t.Errorf("ReadAt(4 bytes, 8) = %d, %v, %q", n, err, p[:n])
	}
}

func TestMemRedefineReplaces(t *testing.T) {
	m := rootfs.NewMem().File("/a", 0o644, 0, 0, []byte("one")).File("/a", 0o600, 1, 1, []byte("second"))
	if ino := lstat(t, m, "/a"); ino.Mode != access.S_IFREG|0o600 || ino.UID != 1 || ino.Size != 6 {
		t.Errorf("redefined /a = %+v", ino)
	}
}

func TestMemPanicsOnBadNames(t *testing.T) {
	for _, f := range []struct {
		name string
		call func()
	}{
		{"relative", func() { rootfs.NewMem().Dir("a", 0o755, 0, 0) }},
		{"dotdot", func() { rootfs.NewMem().File("/a/../b", 0o644, 0, 0, nil) }},
		{"trailing_slash", func() { rootfs.NewMem().Dir("/a/", 0o755, 0, 0) }},
		{"SetACL_missing", func() { rootfs.NewMem().SetACL("/nope", nil) }},
		{"SetCaps_missing", func() { rootfs.NewMem().SetCaps("/nope", caps.FileCaps{}) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", f.name)
				}
			}()
			f.call()
		}()
	}
}

func TestMemSetACL(t *testing.T) {
	acl, err := rootfs.ParseACL("u::rw-,u:1000:rwx,g::r--,m::r-x,o::---")
	if err != nil {
		t.Fatal(err)
	}
	m := rootfs.NewMem().File("/f", 0o4777, 0, 0, nil).Dir("/d", 0o1777, 0, 0)
	m.SetACL("/f", acl).SetACL("/d", acl)
	// posix_acl_update_mode: the 0777 bits come from the ACL (group from the
	// mask), type and setuid/sticky stay.
	if ino := lstat(t, m, "/f"); ino.Mode != access.S_IFREG|0o4650 || !cmp.Equal(ino.ACL, acl) {
		t.Errorf("/f after SetACL: mode %#o ACL %v", ino.Mode, ino.ACL)
	}
	if ino := lstat(t, m, "/d"); ino.Mode != access.S_IFDIR|0o1650 {
		t.Errorf("/d after SetACL: mode %#o", ino.Mode)
	}
	fc := caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true}
	m.SetCaps("/f", fc)
	if ino := lstat(t, m, "/f"); ino.Caps == nil || *ino.Caps != fc {
		t.Errorf("/f after SetCaps: %+v", ino.Caps)
	}
}

func TestMemMountFlags(t *testing.T) {
	m := rootfs.NewMem().
		File("/a/b/c/f", 0o644, 0, 0, nil).
		File("/a/x", 0o644, 0, 0, nil).
		File("/ab", 0o644, 0, 0, nil)
	m.Mount("/a", access.MNT_NOEXEC|access.MNT_NOSUID)
	m.Mount("/a/b/c", access.MNT_READONLY)
	// Added after the mounts: inherits the flags of its directory.
	m.File("/a/b/new", 0o644, 0, 0, nil)
	m.File("/a/b/c/new", 0o644, 0, 0, nil)
	for _, c := range []struct {
		name string
		want access.MountFlags
		rule string
	}{
		{"/", 0, "the root is not under any mount"},
		{"/ab", 0, "a mount on /a does not cover /ab: the prefix is a path, not a string"},
		{"/a", access.MNT_NOEXEC | access.MNT_NOSUID, "the mount point itself is seen through the mount"},
		{"/a/x", access.MNT_NOEXEC | access.MNT_NOSUID, "everything below a mount point"},
		{"/a/b/c", access.MNT_READONLY, "a nested mount replaces the outer flags, it does not add to them"},
		{"/a/b/c/f", access.MNT_READONLY, "a nested mount replaces the outer flags below it too"},
		{"/a/b/new", access.MNT_NOEXEC | access.MNT_NOSUID, "a node added later inherits its directory's flags"},
		{"/a/b/c/new", access.MNT_READONLY, "a node added later below the nested mount inherits the nested flags"},
	} {
		if got := lstat(t, m, c.name).Mount; got != c.want {
			t.Errorf("%s: mount flags %#x, want %#x (%s)", c.name, got, c.want, c.rule)
		}
	}
}

func TestFixtureMemMounts(t *testing.T) {
	f := rootfs.MustParseFixture(`
mount /t tmpfs 0755 0:0 ro
dir /t/d 0755 0:0
mount /t/d bind nosuid
mount /t/d/n tmpfs 0755 0:0 noexec
mount /b bind ro
`)
	m := f.Mem()
	for _, c := range []struct {
		name string
		want access.MountFlags
		rule string
	}{
		{"/t", access.SB_RDONLY, "ro on a tmpfs is the superblock's SB_RDONLY"},
		{"/t/d", access.MNT_NOSUID | access.SB_RDONLY, "a bind mount of a directory of a read-only tmpfs shows the same read-only superblock"},
		{"/t/d/n", access.MNT_NOEXEC, "a tmpfs is a new superblock: the outer SB_RDONLY is gone"},
		{"/b", access.MNT_READONLY, "ro on a bind mount is the mount's MNT_READONLY; a missing bind path is created"},
	} {
		if got := lstat(t, m, c.name).Mount; got != c.want {
			t.Errorf("%s: mount flags %#x, want %#x (%s)", c.name, got, c.want, c.rule)
		}
	}
	rootfstest.TestFS(t, m, f)
}

// TestMemConcurrentReaders runs many readers at once; under -race it proves
// that a built Mem is safe for concurrent use, as its doc comment promises.
func TestMemConcurrentReaders(t *testing.T) {
	f := rootfs.MustParseFixture(roundTripFixture)
	m := f.Mem()
	names := m.Names()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, 16)
			for i := range 200 {
				name := names[(g*7+i)%len(names)]
				ino, err := m.Lstat(name)
				if err != nil {
					errs <- fmt.Errorf("Lstat(%s): %v", name, err)
					return
				}
				if _, err := m.Readlink(name); ino.IsSymlink() != (err == nil) {
					errs <- fmt.Errorf("Readlink(%s): %v", name, err)
					return
				}
				if ino.IsRegular() {
					if _, err := m.ReadAt(name, p, int64(i%8)); err != nil && !errors.Is(err, io.EOF) {
						errs <- fmt.Errorf("ReadAt(%s): %v", name, err)
						return
					}
				}
				_ = m.Names()
			}
		}()
	}
	// The conformance suite at the same time.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := rootfstest.Check(m, f); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestMemHandles: every name Mem holds is reached by looking its components
// up one by one from the root's handle, with the inode Lstat gives, the
// handle LstatHandle gives and, for a symlink, the body Readlink gives;
// a missing name or a foreign handle is ENOENT.
func TestMemHandles(t *testing.T) {
	f := rootfs.MustParseFixture(roundTripFixture)
	m := f.Mem()
	for i := range 40 {
		// More entries than a directory compares one by one.
		m.File(fmt.Sprintf("/big/f%d", i), 0o644, 0, 0, nil)
	}
	m.Dir("/big", 0o700, 1, 1) // redefined: keeps its entries and handle
	for _, name := range m.Names() {
		h, ino, err := m.LstatHandle(name)
		if err != nil || !cmp.Equal(*ino, lstat(t, m, name)) {
			t.Fatalf("LstatHandle(%s) = %+v, %v; Lstat %+v", name, ino, err, lstat(t, m, name))
		}
		cur, _, _ := m.LstatHandle("/")
		for _, c := range strings.Split(name, "/")[1:] {
			if c == "" {
				continue
			}
			if cur, ino, err = m.LookupHandle(cur, c); err != nil {
				t.Fatalf("LookupHandle of %q on the way to %s: %v", c, name, err)
			}
		}
		if cur != h || !cmp.Equal(*ino, lstat(t, m, name)) {
			t.Errorf("%s by components: handle %d inode %+v; LstatHandle %d, Lstat %+v", name, cur, ino, h, lstat(t, m, name))
		}
		body, err := m.ReadlinkHandle(h)
		wantBody, wantErr := m.Readlink(name)
		if body != wantBody || err != wantErr {
			t.Errorf("ReadlinkHandle(%s) = %q, %v; Readlink %q, %v", name, body, err, wantBody, wantErr)
		}
	}
	if ino := lstat(t, m, "/big"); ino.Mode != access.S_IFDIR|0o700 {
		t.Errorf("redefined /big: %+v", ino)
	}
	root, _, _ := m.LstatHandle("/")
	big, _, _ := m.LookupHandle(root, "big")
	for _, c := range []struct {
		dir  access.Handle
		name string
	}{{root, "missing"}, {big, "f40"}, {big, "f"}, {1 << 40, "big"}} {
		if _, _, err := m.LookupHandle(c.dir, c.name); err != access.ENOENT {
			t.Errorf("LookupHandle(%d, %q) = %v, want ENOENT", c.dir, c.name, err)
		}
	}
	if _, _, err := m.LstatHandle("/missing"); err != access.ENOENT {
		t.Errorf("LstatHandle(/missing) = %v, want ENOENT", err)
	}
	if _, err := m.ReadlinkHandle(1 << 40); err != access.ENOENT {
		t.Errorf("ReadlinkHandle of a foreign handle = %v, want ENOENT", err)
	}
}
