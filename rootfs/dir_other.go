//go:build !linux

package rootfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/preexec/preexec/access"
)

// Dir is a root filesystem on disk, read as it lies. This is the reader of
// systems other than Linux, so that a developer on macOS can check a
// bundle; the Linux Dir is the one to trust (see its doc there). Here:
//
//   - Every name is read through an os.Root opened on root (Go's
//     openat-based traversal checks: a name never leads outside the root),
//     not through openat2's RESOLVE_IN_ROOT; the model follows symlinks
//     itself, so a name asked about has none before its last component
//     unless the tree changed since.
//   - Owners are the ids the system reports (the stat(2) uid and gid where
//     there is one, 0:0 on Windows); permission bits, set-id and sticky
//     bits as os.Lstat gives them.
//   - No POSIX ACLs and no file capabilities: extended attributes are not
//     read, so a check that depends on them (an ACL that grants or denies,
//     a program with file capabilities) may come out otherwise than on the
//     Linux machine the container runs on.
//
// An error that answers for the tree (a missing name, a non-directory in a
// path, a symlink loop, a long name) is returned as the bare errno
// access.FS asks for; any other is the reader's own failure, an
// *access.ReadError that Is access.ErrUnreadable.
type Dir struct {
	name string
	root *os.Root
}

var _ access.FS = (*Dir)(nil)

// NewDir returns the Dir rooted at root, which must be a directory. Close
// releases it.
func NewDir(root string) (*Dir, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	return &Dir{name: root, root: r}, nil
}

// Close closes the root.
func (d *Dir) Close() error { return d.root.Close() }

// rel is name, a clean absolute path inside the root, as os.Root names it.
func rel(name string) string {
	if name == "/" || name == "" {
		return "."
	}
	return strings.TrimPrefix(name, "/")
}

// readErr returns err as an answer about the tree (a bare errno) when it
// is one, else as the reader's failure.
func (d *Dir) readErr(op, name string, err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return access.ENOENT
	case errors.As(err, &errno) && (errno == access.ENOTDIR || errno == access.ELOOP || errno == access.ENAMETOOLONG):
		return errno
	}
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	return &access.ReadError{Op: op, Path: name, Root: d.name, UID: os.Geteuid(), Err: cause}
}

// Lstat implements access.FS.
func (d *Dir) Lstat(name string) (access.Inode, error) {
	fi, err := d.root.Lstat(rel(name))
	if err != nil {
		return access.Inode{}, d.readErr("lstat", name, err)
	}
	uid, gid := owner(fi)
	return access.Inode{Mode: linuxMode(fi.Mode()), UID: uid, GID: gid, Size: fi.Size()}, nil
}

// linuxMode is m as a Linux st_mode.
func linuxMode(m fs.FileMode) uint32 {
	mode := uint32(m.Perm())
	switch {
	case m&fs.ModeDir != 0:
		mode |= access.S_IFDIR
	case m&fs.ModeSymlink != 0:
		mode |= access.S_IFLNK
	case m&fs.ModeNamedPipe != 0:
		mode |= access.S_IFIFO
	case m&fs.ModeSocket != 0:
		mode |= access.S_IFSOCK
	case m&fs.ModeCharDevice != 0:
		mode |= access.S_IFCHR
	case m&fs.ModeDevice != 0:
		mode |= access.S_IFBLK
	default:
		mode |= access.S_IFREG
	}
	if m&fs.ModeSetuid != 0 {
		mode |= access.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		mode |= access.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		mode |= access.S_ISVTX
	}
	return mode
}

// Readlink implements access.FS.
func (d *Dir) Readlink(name string) (string, error) {
	fi, err := d.root.Lstat(rel(name))
	if err != nil {
		return "", d.readErr("readlink", name, err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", access.EINVAL
	}
	target, err := d.root.Readlink(rel(name))
	if err != nil {
		return "", d.readErr("readlink", name, err)
	}
	return target, nil
}

// ReadAt implements access.FS. It reads only regular files: a directory is
// EISDIR, a symlink ELOOP, anything else EINVAL, as on Linux.
func (d *Dir) ReadAt(name string, p []byte, off int64) (int, error) {
	fi, err := d.root.Lstat(rel(name))
	if err != nil {
		return 0, d.readErr("open", name, err)
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		return 0, access.EISDIR
	case m&fs.ModeSymlink != 0:
		return 0, access.ELOOP
	case !m.IsRegular():
		return 0, access.EINVAL
	}
	f, err := d.root.Open(rel(name))
	if err != nil {
		return 0, d.readErr("open", name, err)
	}
	defer f.Close()
	n, err := f.ReadAt(p, off)
	if err != nil && err != io.EOF {
		return n, d.readErr("read", name, err)
	}
	return n, err
}

// CachedDir is a Dir for one check. On Linux it reads each name once; here
// it asks the Dir every time.
type CachedDir struct{ *Dir }

// Cached returns d for one check.
func (d *Dir) Cached() *CachedDir { return &CachedDir{d} }

// Close does nothing: the Dir stays open until its own Close.
func (c *CachedDir) Close() error { return nil }
