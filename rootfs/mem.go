// Package rootfs holds the filesystem backends that answer access.FS: Mem,
// an in-memory tree built in code or from the text fixture language; the
// fixture language itself, which describes a root filesystem one inode per
// line so that one table can build both a Mem for the model and a real
// directory tree for the kernel oracle; and MTree, a go-mtree manifest,
// which knows every inode but no file contents (access.ErrNoContent).
package rootfs

import (
	"encoding/binary"
	"hash/maphash"
	"io"
	"math/bits"
	"path"
	"sort"
	"strings"
	"unsafe"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Mem is an in-memory root filesystem. Build it with the Dir, File, Symlink
// and Mount methods (or from a Fixture), then hand it to the model; once
// built it is safe for any number of concurrent readers. The root directory
// exists from the start, 0755 0:0.
type Mem struct {
	nodes map[string]*memNode
	// index is the lookup table of Lstat, Readlink and ReadAt: it holds
	// the nodes of nodes, as a hash table cheaper to probe than the map.
	index memIndex
}

type memNode struct {
	ino     access.Inode
	content []byte
	target  string
}

var _ access.FS = (*Mem)(nil)

// NewMem returns a Mem holding only the root directory.
func NewMem() *Mem {
	m := &Mem{nodes: map[string]*memNode{}}
	m.index.seed = maphash.Comparable(maphash.MakeSeed(), 0)
	m.set("/", &memNode{ino: access.Inode{Mode: access.S_IFDIR | 0o755}})
	return m
}

// set makes n the node of name.
func (m *Mem) set(name string, n *memNode) {
	m.nodes[name] = n
	m.index.set(name, n)
}

// Dir adds the directory name (a clean absolute path) with mode perm and
// owner uid:gid, creating missing parents as 0755 0:0. It returns m.
func (m *Mem) Dir(name string, perm, uid, gid uint32) *Mem {
	return m.put(name, &memNode{ino: access.Inode{Mode: access.S_IFDIR | perm, UID: uid, GID: gid}})
}

// File adds the regular file name with the given content.
func (m *Mem) File(name string, perm, uid, gid uint32, content []byte) *Mem {
	return m.put(name, &memNode{
		ino:     access.Inode{Mode: access.S_IFREG | perm, UID: uid, GID: gid, Size: int64(len(content))},
		content: content,
	})
}

// Symlink adds the symlink name whose body is target, owned by uid:gid.
func (m *Mem) Symlink(name, target string, uid, gid uint32) *Mem {
	return m.put(name, &memNode{
		ino:    access.Inode{Mode: access.S_IFLNK | 0o777, UID: uid, GID: gid, Size: int64(len(target))},
		target: target,
	})
}

// Node adds an inode of any type (a FIFO, a device) as given.
func (m *Mem) Node(name string, ino access.Inode) *Mem {
	return m.put(name, &memNode{ino: ino})
}

// SetACL sets the access ACL of name and, as the kernel's
// posix_acl_update_mode does, its mode's permission bits from the ACL.
func (m *Mem) SetACL(name string, acl access.ACL) *Mem {
	n := m.must(name)
	n.ino.Mode = n.ino.Mode&^0o777 | ACLMode(acl)
	n.ino.ACL = acl
	return m
}

// SetCaps sets the security.capability attribute of name.
func (m *Mem) SetCaps(name string, fc caps.FileCaps) *Mem {
	m.must(name).ino.Caps = &fc
	return m
}

// Mount marks name and everything below it as seen through a mount with
// flags, replacing the flags of any mount above, as a mount on name would.
// Nodes added below name later inherit them.
func (m *Mem) Mount(name string, flags access.MountFlags) *Mem {
	prefix := strings.TrimSuffix(name, "/") + "/"
	for p, n := range m.nodes {
		if p == name || strings.HasPrefix(p, prefix) {
			n.ino.Mount = flags
		}
	}
	return m
}

func (m *Mem) must(name string) *memNode {
	n, ok := m.nodes[name]
	if !ok {
		panic("rootfs: Mem has no " + name)
	}
	return n
}

func (m *Mem) put(name string, n *memNode) *Mem {
	if !path.IsAbs(name) || path.Clean(name) != name {
		panic("rootfs: Mem name not clean and absolute: " + name)
	}
	if name != "/" {
		dir := path.Dir(name)
		if _, ok := m.nodes[dir]; !ok {
			m.Dir(dir, 0o755, 0, 0)
		}
		// A new node under a mount inherits its flags.
		n.ino.Mount |= m.nodes[dir].ino.Mount
	}
	m.set(name, n)
	return m
}

// Lstat implements access.FS.
func (m *Mem) Lstat(name string) (access.Inode, error) {
	n := m.index.get(name)
	if n == nil {
		return access.Inode{}, access.ENOENT
	}
	return n.ino, nil
}

// Readlink implements access.FS.
func (m *Mem) Readlink(name string) (string, error) {
	n := m.index.get(name)
	if n == nil {
		return "", access.ENOENT
	}
	if !n.ino.IsSymlink() {
		return "", access.EINVAL
	}
	return n.target, nil
}

// ReadAt implements access.FS.
func (m *Mem) ReadAt(name string, p []byte, off int64) (int, error) {
	n := m.index.get(name)
	if n == nil {
		return 0, access.ENOENT
	}
	if n.ino.IsDir() {
		return 0, access.EISDIR
	}
	if off < 0 {
		// pread(2) with a negative offset.
		return 0, access.EINVAL
	}
	if off >= int64(len(n.content)) {
		return 0, io.EOF
	}
	k := copy(p, n.content[off:])
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

// Names returns every name in m, sorted.
func (m *Mem) Names() []string {
	names := make([]string, 0, len(m.nodes))
	for p := range m.nodes {
		names = append(names, p)
	}
	sort.Strings(names)
	return names
}

// ACLMode returns the permission bits the kernel keeps in the mode of an
// inode with access ACL acl (fs/posix_acl.c:posix_acl_equiv_mode /
// posix_acl_update_mode): owner from USER_OBJ, group from MASK if there is
// one else GROUP_OBJ, other from OTHER.
func ACLMode(acl access.ACL) uint32 {
	var mode uint32
	var group, mask uint32
	hasMask := false
	for _, e := range acl {
		p := uint32(e.Perm & 7)
		switch e.Tag {
		case access.ACL_USER_OBJ:
			mode |= p << 6
		case access.ACL_GROUP_OBJ:
			group = p
		case access.ACL_MASK:
			mask, hasMask = p, true
		case access.ACL_OTHER:
			mode |= p
		}
	}
	if hasMask {
		return mode | mask<<3
	}
	return mode | group<<3
}

// A memIndex is an open-addressing hash table from names to nodes, with
// linear probing, at most half full; it never shrinks (a Mem never loses a
// name). The hash is seeded per Mem, so that names chosen to collide
// cannot be chosen in advance.
type memIndex struct {
	seed  uint64
	slots []memSlot
	n     int
}

type memSlot struct {
	hash uint64
	name string
	node *memNode // nil: an empty slot
}

// get returns the node of name, nil if there is none. It is one leaf
// function, the hash and the comparison written out, since every lookup
// of a path walk comes through it.
func (x *memIndex) get(name string) *memNode {
	slots := x.slots
	if len(slots) == 0 {
		return nil
	}
	// strHash, inlined.
	h := x.seed ^ uint64(len(name))*hashK0
	b := unsafe.Slice(unsafe.StringData(name), len(name))
	for len(b) > 8 {
		hi, lo := bits.Mul64(h^binary.LittleEndian.Uint64(b), hashK1)
		h = hi ^ lo
		b = b[8:]
	}
	var t uint64
	if len(b) >= 4 {
		t = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))<<32
	} else if len(b) > 0 {
		t = uint64(b[0]) | uint64(b[len(b)>>1])<<8 | uint64(b[len(b)-1])<<16
	}
	hi, lo := bits.Mul64(h^t, hashK2)
	h = hi ^ lo

	mask := uint64(len(slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &slots[i]
		if s.node == nil {
			return nil
		}
		if s.hash != h || len(s.name) != len(name) {
			continue
		}
		// s.name == name, 8 bytes at a time, without a call.
		n := len(name)
		p, q := unsafe.Slice(unsafe.StringData(s.name), n), unsafe.Slice(unsafe.StringData(name), n)
		if n < 8 {
			for n > 0 && p[n-1] == q[n-1] {
				n--
			}
			if n == 0 {
				return s.node
			}
			continue
		}
		// Every whole word but the last, then the last 8 bytes.
		i := 0
		for i < n-8 && binary.LittleEndian.Uint64(p[i:]) == binary.LittleEndian.Uint64(q[i:]) {
			i += 8
		}
		if i >= n-8 && binary.LittleEndian.Uint64(p[n-8:]) == binary.LittleEndian.Uint64(q[n-8:]) {
			return s.node
		}
	}
}

// set makes n the node of name, adding name if it is new.
func (x *memIndex) set(name string, n *memNode) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	h := strHash(x.seed, name)
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.node == nil {
			*s = memSlot{hash: h, name: name, node: n}
			x.n++
			return
		}
		if s.hash == h && s.name == name {
			s.node = n
			return
		}
	}
}

// grow doubles the table (to 16 slots at first) and reinserts every name.
func (x *memIndex) grow() {
	old := x.slots
	size := 2 * len(old)
	if size < 16 {
		size = 16
	}
	x.slots = make([]memSlot, size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s.node == nil {
			continue
		}
		i := s.hash & mask
		for x.slots[i].node != nil {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}

// strHash hashes s with seed: 8 bytes at a time, each folded in by a
// 64×64→128-bit multiply (as wyhash does), the length included. It is
// inlined into the probes and, on the short clean paths a walk asks for,
// much cheaper than the map's hashing.
func strHash(seed uint64, s string) uint64 {
	h := seed ^ uint64(len(s))*hashK0
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for len(b) > 8 {
		h = mix(h^binary.LittleEndian.Uint64(b), hashK1)
		b = b[8:]
	}
	var t uint64
	switch {
	case len(b) >= 4:
		t = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))<<32
	case len(b) > 0:
		t = uint64(b[0]) | uint64(b[len(b)>>1])<<8 | uint64(b[len(b)-1])<<16
	}
	return mix(h^t, hashK2)
}

// The multipliers of strHash (wyhash's).
const (
	hashK0 = 0xa0761d6478bd642f
	hashK1 = 0xe7037ed1a0b428db
	hashK2 = 0x8ebc6af09c88c6e3
)

// mix folds a and b into one word: the high and low halves of their
// 128-bit product.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}
