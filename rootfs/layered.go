package rootfs

import (
	"sync"

	"github.com/preexec/preexec/access"
)

// Layered is a root filesystem with mounts on it: each Mount shows its FS
// at its Destination, with its flags on every inode seen through it, as a
// runtime's bind and tmpfs mounts do. Later mounts shadow earlier ones.
// Mounts must not change once the Layered is read.
type Layered struct {
	Base   access.FS
	Mounts []Mounted

	// last maps each destination to the index of its last mount, built on
	// the first lookup when there are many mounts.
	once sync.Once
	last map[string]int
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

// indexFrom is the number of mounts from which which looks destinations up
// in an index (O(depth of the name)) rather than trying each mount: 10k
// tmpfs mounts made a check O(N²).
const indexFrom = 16

// which returns the mount name is under (nil for the base) and the name
// inside it: of the mounts whose destination is name or one of its
// parents, the last.
func (l *Layered) which(name string) (*Mounted, string) {
	if len(l.Mounts) >= indexFrom {
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
	l.once.Do(func() {
		l.last = make(map[string]int, len(l.Mounts))
		for i, m := range l.Mounts {
			l.last[m.Destination] = i
		}
	})
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
