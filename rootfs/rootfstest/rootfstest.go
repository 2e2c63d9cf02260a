// Package rootfstest checks that a backend of access.FS holds the tree a
// rootfs.Fixture describes, as testing/fstest.TestFS checks an fs.FS. Every
// backend (the in-memory rootfs.Mem, the on-disk rootfs.Dir) runs the same
// suite against the same fixtures, so that the model sees one filesystem
// whichever backend answers.
//
// The package is pure: it imports no os, and builds for every GOOS.
package rootfstest

import (
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

// TestFS checks fsys against the fixture want and reports every mismatch at
// once with t.Error. See Check for what is checked.
func TestFS(t testing.TB, fsys access.FS, want *rootfs.Fixture) {
	t.Helper()
	if err := Check(fsys, want); err != nil {
		t.Error(err)
	}
}

// Missing is the name, below the root and below every directory of the
// fixture, that Check expects not to exist.
const Missing = ".rootfstest-missing"

// Check checks fsys against the fixture want and returns all mismatches as
// one error, one line each, or nil. For every entry of the fixture and every
// parent directory it creates:
//
//  1. Lstat succeeds and returns the type, the permission, setuid, setgid
//     and sticky bits, the owner, the access ACL (for files and directories),
//     the file capabilities (for files; revision 0 counts as 2), the mount
//     flags and, for regular files and symlinks, the size. The root
//     directory's mode and owner are checked only if the fixture has a
//     "dir /" line, since a backend's root is where it was put.
//  2. Readlink returns the body of a symlink, and EINVAL for anything else.
//  3. ReadAt of a regular file returns its content whole, in pieces of 7
//     bytes and 1 byte, from a few offsets to the end; a short read comes
//     with io.EOF, a read at or past the end is 0 and io.EOF, and a negative
//     offset is an error. ReadAt of a directory is an error.
//
// Then Lstat, Readlink and ReadAt return ENOENT for Missing below the root
// and below every directory.
//
// Mount flags follow the fixture's rules: a mount line covers its path and
// everything below it, and a later covering line replaces the flags of an
// earlier one, except that a bind mount keeps the SB_RDONLY of the
// superblock it shows (a bind mount is a new mount of the same filesystem).
//
// Check cannot list a directory, so it does not find names the fixture does
// not have.
func Check(fsys access.FS, want *rootfs.Fixture) error {
	return check(fsys, want, false)
}

// CheckNoContent is Check for a backend that knows inodes but not file
// contents (rootfs.MTree): step 3 becomes "ReadAt of a regular file
// returns 0 and an error that Is access.ErrNoContent, or 0 and io.EOF at
// or past its end; with a negative offset it is an error".
func CheckNoContent(fsys access.FS, want *rootfs.Fixture) error {
	return check(fsys, want, true)
}

func check(fsys access.FS, want *rootfs.Fixture, noContent bool) error {
	nodes := expect(want)
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	c := &checker{fsys: fsys, noContent: noContent}
	for _, name := range names {
		c.node(name, nodes[name])
	}
	for _, name := range names {
		if !nodes[name].ino.IsDir() {
			continue
		}
		m := path.Join(name, Missing)
		if _, ok := nodes[m]; !ok {
			c.missing(m)
		}
	}
	if len(c.errs) == 0 {
		return nil
	}
	return fmt.Errorf("rootfstest: %d mismatches:\n\t%s", len(c.errs), strings.Join(c.errs, "\n\t"))
}

// A node is what the fixture says one name should be.
type node struct {
	ino     access.Inode
	content []byte
	target  string
	// implicit is set for the root when no "dir /" line gives its mode and
	// owner.
	implicit bool
}

// expect computes, independently of any backend, the tree f describes.
func expect(f *rootfs.Fixture) map[string]*node {
	nodes := map[string]*node{"/": {ino: access.Inode{Mode: access.S_IFDIR | 0o755}, implicit: true}}
	var parents func(p string)
	parents = func(p string) {
		if p == "/" {
			return
		}
		d := path.Dir(p)
		parents(d)
		if _, ok := nodes[d]; !ok {
			nodes[d] = &node{ino: access.Inode{Mode: access.S_IFDIR | 0o755}}
		}
	}
	var mounts []rootfs.Entry
	for _, e := range f.Entries {
		parents(e.Path)
		switch e.Kind {
		case rootfs.KindDir:
			nodes[e.Path] = &node{ino: access.Inode{Mode: access.S_IFDIR | e.Mode, UID: e.UID, GID: e.GID, ACL: e.ACL}}
		case rootfs.KindFile:
			nodes[e.Path] = &node{
				ino:     access.Inode{Mode: access.S_IFREG | e.Mode, UID: e.UID, GID: e.GID, ACL: e.ACL, Caps: e.Caps, Size: int64(len(e.Content))},
				content: e.Content,
			}
		case rootfs.KindSymlink:
			nodes[e.Path] = &node{
				ino:    access.Inode{Mode: access.S_IFLNK | 0o777, UID: e.UID, GID: e.GID, Size: int64(len(e.Target))},
				target: e.Target,
			}
		case rootfs.KindFIFO:
			nodes[e.Path] = &node{ino: access.Inode{Mode: access.S_IFIFO | e.Mode, UID: e.UID, GID: e.GID}}
		case rootfs.KindTmpfs:
			nodes[e.Path] = &node{ino: access.Inode{Mode: access.S_IFDIR | e.Mode, UID: e.UID, GID: e.GID}}
			mounts = append(mounts, e)
		case rootfs.KindBind:
			if _, ok := nodes[e.Path]; !ok {
				nodes[e.Path] = &node{ino: access.Inode{Mode: access.S_IFDIR | 0o755}}
			}
			mounts = append(mounts, e)
		}
	}
	for name, n := range nodes {
		var flags access.MountFlags
		for _, m := range mounts {
			if !covers(m.Path, name) {
				continue
			}
			if m.Kind == rootfs.KindBind {
				flags = m.Mount | flags&access.SB_RDONLY
			} else {
				flags = m.Mount
			}
		}
		n.ino.Mount = flags
	}
	return nodes
}

// covers reports whether a mount on mp covers name.
func covers(mp, name string) bool {
	return mp == "/" || name == mp || strings.HasPrefix(name, mp+"/")
}

type checker struct {
	fsys      access.FS
	noContent bool
	errs      []string
}

func (c *checker) errorf(name, format string, args ...any) {
	c.errs = append(c.errs, name+": "+fmt.Sprintf(format, args...))
}

func (c *checker) node(name string, want *node) {
	got, err := c.fsys.Lstat(name)
	if err != nil {
		c.errorf(name, "Lstat: %v", err)
		return
	}
	w := want.ino
	if got.Type() != w.Type() {
		c.errorf(name, "Lstat: type %#o, want %#o", got.Type(), w.Type())
		return
	}
	if !want.implicit {
		if got.Mode != w.Mode {
			c.errorf(name, "Lstat: mode %#o, want %#o", got.Mode, w.Mode)
		}
		if got.UID != w.UID || got.GID != w.GID {
			c.errorf(name, "Lstat: owner %d:%d, want %d:%d", got.UID, got.GID, w.UID, w.GID)
		}
	}
	if w.IsDir() || w.IsRegular() {
		if !aclEqual(got.ACL, w.ACL) {
			c.errorf(name, "Lstat: ACL %v, want %v", got.ACL, w.ACL)
		}
	}
	if gc, wc := normCaps(got.Caps), normCaps(w.Caps); gc != wc {
		c.errorf(name, "Lstat: caps %s, want %s", capsString(got.Caps), capsString(w.Caps))
	}
	if got.Mount != w.Mount {
		c.errorf(name, "Lstat: mount flags %#x, want %#x", got.Mount, w.Mount)
	}
	if (w.IsRegular() || w.IsSymlink()) && got.Size != w.Size {
		c.errorf(name, "Lstat: size %d, want %d", got.Size, w.Size)
	}

	target, err := c.fsys.Readlink(name)
	switch {
	case w.IsSymlink() && (err != nil || target != want.target):
		c.errorf(name, "Readlink = %q, %v, want %q, nil", target, err, want.target)
	case !w.IsSymlink() && !errors.Is(err, access.EINVAL):
		c.errorf(name, "Readlink = %q, %v, want EINVAL", target, err)
	}

	switch {
	case w.IsRegular():
		c.content(name, want.content)
	case w.IsDir():
		if n, err := c.fsys.ReadAt(name, make([]byte, 8), 0); err == nil || n != 0 {
			c.errorf(name, "ReadAt of a directory = %d, %v, want 0 and an error", n, err)
		}
	}
}

// content checks ReadAt of the regular file name, whose content is want.
func (c *checker) content(name string, want []byte) {
	if c.noContent {
		c.noContentRead(name, int64(len(want)))
		return
	}
	size := int64(len(want))
	// Whole: exactly len(want) bytes may come with nil or io.EOF.
	if size > 0 {
		p := make([]byte, size)
		n, err := c.fsys.ReadAt(name, p, 0)
		if n != len(p) || (err != nil && err != io.EOF) || string(p[:n]) != string(want) {
			c.errorf(name, "ReadAt(%d bytes, 0) = %d, %v; content %q, want %q", len(p), n, err, clip(p[:n]), clip(want))
		}
	}
	// A longer buffer: short read, io.EOF.
	p := make([]byte, size+5)
	n, err := c.fsys.ReadAt(name, p, 0)
	if n != len(want) || err != io.EOF || string(p[:n]) != string(want) {
		c.errorf(name, "ReadAt(%d bytes, 0) = %d, %v; content %q, want %d, EOF, %q", len(p), n, err, clip(p[:n]), len(want), clip(want))
	}
	// In pieces.
	for _, chunk := range []int64{7, 1} {
		if chunk == 1 && size > 4096 {
			continue
		}
		var got []byte
		for off := int64(0); off < size; off += chunk {
			p := make([]byte, chunk)
			n, err := c.fsys.ReadAt(name, p, off)
			wantN := min(chunk, size-off)
			if int64(n) != wantN || (int64(n) < chunk && err != io.EOF) || (err != nil && err != io.EOF) {
				c.errorf(name, "ReadAt(%d bytes, %d) = %d, %v, want %d", chunk, off, n, err, wantN)
				break
			}
			got = append(got, p[:n]...)
		}
		if string(got) != string(want) && int64(len(got)) == size {
			c.errorf(name, "ReadAt in pieces of %d: content %q, want %q", chunk, clip(got), clip(want))
		}
	}
	// From offsets to the end, with a buffer 3 bytes too long.
	for _, off := range []int64{1, size / 2, size - 1} {
		if off <= 0 || off >= size {
			continue
		}
		p := make([]byte, size-off+3)
		n, err := c.fsys.ReadAt(name, p, off)
		if int64(n) != size-off || err != io.EOF || string(p[:n]) != string(want[off:]) {
			c.errorf(name, "ReadAt(%d bytes, %d) = %d, %v; content %q, want %d, EOF, %q", len(p), off, n, err, clip(p[:n]), size-off, clip(want[off:]))
		}
	}
	// At and past the end.
	for _, off := range []int64{size, size + 1, size + 4096} {
		if n, err := c.fsys.ReadAt(name, make([]byte, 4), off); n != 0 || err != io.EOF {
			c.errorf(name, "ReadAt(4 bytes, %d) at or past the end = %d, %v, want 0, EOF", off, n, err)
		}
	}
	if n, err := c.fsys.ReadAt(name, make([]byte, 4), -1); err == nil || n != 0 {
		c.errorf(name, "ReadAt(4 bytes, -1) = %d, %v, want 0 and an error", n, err)
	}
}

// noContentRead checks ReadAt of the regular file name of size bytes on a
// backend without contents.
func (c *checker) noContentRead(name string, size int64) {
	for _, off := range []int64{0, size / 2, size, size + 4096} {
		n, err := c.fsys.ReadAt(name, make([]byte, 4), off)
		switch {
		case n != 0:
			c.errorf(name, "ReadAt(4 bytes, %d) = %d bytes from a backend without contents", off, n)
		case off < size && !errors.Is(err, access.ErrNoContent):
			c.errorf(name, "ReadAt(4 bytes, %d) = %v, want ErrNoContent", off, err)
		case off >= size && err != io.EOF && !errors.Is(err, access.ErrNoContent):
			c.errorf(name, "ReadAt(4 bytes, %d) at or past the end = %v, want io.EOF or ErrNoContent", off, err)
		}
	}
	if n, err := c.fsys.ReadAt(name, make([]byte, 4), -1); err == nil || n != 0 || errors.Is(err, access.ErrNoContent) {
		c.errorf(name, "ReadAt(4 bytes, -1) = %d, %v, want 0 and an errno", n, err)
	}
}

func (c *checker) missing(name string) {
	if ino, err := c.fsys.Lstat(name); !errors.Is(err, access.ENOENT) {
		c.errorf(name, "Lstat of a missing name = mode %#o, %v, want ENOENT", ino.Mode, err)
	}
	if _, err := c.fsys.Readlink(name); !errors.Is(err, access.ENOENT) {
		c.errorf(name, "Readlink of a missing name: %v, want ENOENT", err)
	}
	if _, err := c.fsys.ReadAt(name, make([]byte, 4), 0); !errors.Is(err, access.ENOENT) {
		c.errorf(name, "ReadAt of a missing name: %v, want ENOENT", err)
	}
}

func aclEqual(a, b access.ACL) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// normCaps is fc as it reads back from disk: revision 0 is written as 2,
// and only revision 3 stores a rootid.
func normCaps(fc *caps.FileCaps) caps.FileCaps {
	if fc == nil {
		return caps.FileCaps{Revision: -1}
	}
	v := *fc
	if v.Revision == 0 {
		v.Revision = 2
	}
	if v.Revision != 3 {
		v.RootID = 0
	}
	return v
}

func capsString(fc *caps.FileCaps) string {
	if fc == nil {
		return "none"
	}
	return fmt.Sprintf("P=%s I=%s e=%v rev=%d rootid=%d", fc.Permitted, fc.Inheritable, fc.Effective, fc.Revision, fc.RootID)
}

// clip shortens b for a message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return append(b[:40:40], "…"...)
	}
	return b
}

// Unreadable is a root filesystem as a reader sees it that may not search
// the Sealed directories — as preexec run as uid 1000 on a 0700 directory
// of another uid: lstat of the directory works, of anything in it is the
// host's EACCES — and gets EIO reading the files in EIO, from offset
// EIOAt on. Its errors are *access.ReadError, the reader's, never answers
// about the tree; they name the root /bundle/rootfs.
type Unreadable struct {
	access.FS
	Sealed []string
	EIO    []string
	EIOAt  int64
}

// UnreadableRoot is the root directory an Unreadable's errors name.
const UnreadableRoot = "/bundle/rootfs"

func (u Unreadable) sealed(op, name string) error {
	for _, d := range u.Sealed {
		if strings.HasPrefix(name, d+"/") {
			return &access.ReadError{Op: op, Path: strings.Clone(name), Root: UnreadableRoot, UID: 1000, Err: access.EACCES}
		}
	}
	return nil
}

// Lstat implements access.FS.
func (u Unreadable) Lstat(name string) (access.Inode, error) {
	if err := u.sealed("lstat", name); err != nil {
		return access.Inode{}, err
	}
	return u.FS.Lstat(name)
}

// Readlink implements access.FS.
func (u Unreadable) Readlink(name string) (string, error) {
	if err := u.sealed("readlink", name); err != nil {
		return "", err
	}
	return u.FS.Readlink(name)
}

// ReadAt implements access.FS.
func (u Unreadable) ReadAt(name string, p []byte, off int64) (int, error) {
	if err := u.sealed("open", name); err != nil {
		return 0, err
	}
	for _, f := range u.EIO {
		if name == f && off >= u.EIOAt {
			return 0, &access.ReadError{Op: "read", Path: strings.Clone(name), Root: UnreadableRoot, Err: access.EIO}
		}
	}
	return u.FS.ReadAt(name, p, off)
}
