//go:build linux

package rootfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Dir is a root filesystem on disk: a bundle's rootfs, read as it lies.
// Owners are the ids stored on disk (kernel ids); POSIX access ACLs and file
// capabilities come from their extended attributes. Each name is looked up
// as root/name with lstat, never following a symlink: the resolver in
// package access only asks for paths whose every prefix it has already
// found to be a directory, so a lookup stays inside the root. (A rootfs
// that changes while it is read is out of scope; a later version resolves
// with openat2(RESOLVE_IN_ROOT).)
type Dir struct {
	root string
}

// NewDir returns the Dir rooted at root, which must be a directory.
func NewDir(root string) (*Dir, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &os.PathError{Op: "rootfs", Path: root, Err: syscall.ENOTDIR}
	}
	return &Dir{root: root}, nil
}

var _ access.FS = (*Dir)(nil)

func (d *Dir) host(name string) string { return filepath.Join(d.root, filepath.FromSlash(name)) }

// Lstat implements access.FS.
func (d *Dir) Lstat(name string) (access.Inode, error) {
	p := d.host(name)
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return access.Inode{}, errnoOf(err)
	}
	ino := access.Inode{Mode: st.Mode, UID: st.Uid, GID: st.Gid, Size: st.Size}
	if st.Mode&access.S_IFMT == access.S_IFLNK {
		return ino, nil
	}
	if b := getxattr(p, "system.posix_acl_access"); b != nil {
		if acl, err := parseACLXattr(b); err == nil {
			ino.ACL = acl
		}
	}
	if st.Mode&access.S_IFMT == access.S_IFREG {
		if b := getxattr(p, "security.capability"); b != nil {
			if fc, err := caps.ParseFileCaps(b); err == nil {
				ino.Caps = &fc
			}
		}
	}
	return ino, nil
}

// Readlink implements access.FS.
func (d *Dir) Readlink(name string) (string, error) {
	s, err := os.Readlink(d.host(name))
	if err != nil {
		return "", errnoOf(err)
	}
	return s, nil
}

// ReadAt implements access.FS.
func (d *Dir) ReadAt(name string, p []byte, off int64) (int, error) {
	f, err := os.OpenFile(d.host(name), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return 0, errnoOf(err)
	}
	defer f.Close()
	n, err := f.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, errnoOf(err)
	}
	return n, err
}

func errnoOf(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

func getxattr(path, attr string) []byte {
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(path, attr, buf)
	if err != nil || n <= 0 {
		return nil
	}
	return buf[:n]
}
