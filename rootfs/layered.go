package rootfs

import (
	"github.com/preexec/preexec/access"
)

// Layered is a root filesystem with mounts on it: each Mount shows its FS
// at its Destination, with its flags on every inode seen through it, as a
// runtime's bind and tmpfs mounts do. Later mounts shadow earlier ones.
type Layered struct {
	Base   access.FS
	Mounts []Mounted
}

// Mounted is one mount of a Layered filesystem.
type Mounted struct {
	// Destination is a clean absolute path.
	Destination string
	// FS is what the mount shows; its "/" appears at Destination.
	FS access.FS
	// Flags are the mount's flags.
	Flags access.MountFlags
	// Root, if set, replaces the inode of the mount's root (a tmpfs's
	// mode, uid and gid options).
	Root *access.Inode
}

var _ access.FS = (*Layered)(nil)

// which returns the mount name is under (nil for the base) and the name
// inside it.
func (l *Layered) which(name string) (*Mounted, string) {
	for i := len(l.Mounts) - 1; i >= 0; i-- {
		m := &l.Mounts[i]
		if name == m.Destination {
			return m, "/"
		}
		if d := m.Destination; len(name) > len(d) && name[len(d)] == '/' && name[:len(d)] == d {
			return m, name[len(m.Destination):]
		}
	}
	return nil, name
}

// Lstat implements access.FS.
func (l *Layered) Lstat(name string) (access.Inode, error) {
	m, inner := l.which(name)
	if m == nil {
		return l.Base.Lstat(name)
	}
	if inner == "/" && m.Root != nil {
		ino := *m.Root
		ino.Mount = m.Flags
		return ino, nil
	}
	ino, err := m.FS.Lstat(inner)
	ino.Mount = m.Flags
	return ino, err
}

// Readlink implements access.FS.
func (l *Layered) Readlink(name string) (string, error) {
	m, inner := l.which(name)
	if m == nil {
		return l.Base.Readlink(name)
	}
	return m.FS.Readlink(inner)
}

// ReadAt implements access.FS.
func (l *Layered) ReadAt(name string, p []byte, off int64) (int, error) {
	m, inner := l.which(name)
	if m == nil {
		return l.Base.ReadAt(name, p, off)
	}
	return m.FS.ReadAt(inner, p, off)
}
