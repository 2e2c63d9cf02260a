package rootfs

import (
	"github.com/preexec/preexec/access"
)

// Layered is a root filesystem with mounts on it: each Mount shows its FS
// at its Destination, with its flags on every inode seen through it, as a
// runtime's bind and tmpfs mounts do. Later mounts shadow earlier ones.
// Index, called once Mounts are set, makes a lookup independent of their
// number.
type Layered struct {
	Base   access.FS
	Mounts []Mounted

	// last maps each destination to the index of its last mount (Index);
	// nil: each mount is tried.
	last map[string]int
}

// Index indexes the mounts by destination, from indexFrom mounts on, so
// that which mount a name is under is found in the time of the name's
// depth rather than of the number of mounts (10k tmpfs mounts made a check
// O(N²)). Mounts must not change after it; a copy of l shares the index
// and must not change them either.
func (l *Layered) Index() {
	l.last = nil
	if len(l.Mounts) < indexFrom {
		return
	}
	l.last = make(map[string]int, len(l.Mounts))
	for i, m := range l.Mounts {
		l.last[m.Destination] = i
	}
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

// indexFrom is the number of mounts from which Index builds an index.
const indexFrom = 16

// which returns the mount name is under (nil for the base) and the name
// inside it: of the mounts whose destination is name or one of its
// parents, the last.
func (l *Layered) which(name string) (*Mounted, string) {
	if l.last != nil {
		return l.whichIndexed(name)
	}
	return l.whichLinear(name)
}

// whichLinear is which by trying each mount, the last first.
func (l *Layered) whichLinear(name string) (*Mounted, string) {
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

// whichIndexed is which by the index of destinations: each parent of name,
// and name, is looked up, and the last mount among them wins.
func (l *Layered) whichIndexed(name string) (*Mounted, string) {
	best := -1
	for end := len(name); end > 0; {
		if i, ok := l.last[name[:end]]; ok && i > best {
			best = i
		}
		// The next shorter parent: up to the previous slash.
		end--
		for end > 0 && name[end] != '/' {
			end--
		}
	}
	if best < 0 {
		return nil, name
	}
	m := &l.Mounts[best]
	if name == m.Destination {
		return m, "/"
	}
	return m, name[len(m.Destination):]
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
