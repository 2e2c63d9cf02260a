package rootfs

import (
	"io"
	"path"
	"sort"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Mem is an in-memory root filesystem. Build it with the Dir, File, Symlink
// and Mount methods (or from a Fixture), then hand it to the model; once
// built it is safe for any number of concurrent readers. The root directory
// exists from the start, 0755 0:0.
//
// Mem is an access.HandleFS: besides the paths it answers Lstat for, it
// keeps its nodes as a tree, so that the resolver looks each component up
// in its directory without hashing the whole path.
type Mem struct {
	nodes map[string]*memNode
	// byHandle holds every node at the index that is its access.Handle;
	// the root is 0.
	byHandle []*memNode
}

type memNode struct {
	ino     access.Inode
	content []byte
	target  string

	// name is the node's last path element, handle its index in byHandle.
	name   string
	handle access.Handle
	// kids are the nodes inside this one; once there are more than
	// memScanMax of them, index maps their names too.
	kids  []*memNode
	index map[string]*memNode
}

// memScanMax is the number of entries up to which a directory's lookup
// compares names one by one rather than hashing: a few length comparisons
// cost less than a hash of the name.
const memScanMax = 16

var _ access.HandleFS = (*Mem)(nil)

// NewMem returns a Mem holding only the root directory.
func NewMem() *Mem {
	root := &memNode{ino: access.Inode{Mode: access.S_IFDIR | 0o755}}
	return &Mem{nodes: map[string]*memNode{"/": root}, byHandle: []*memNode{root}}
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
	var parent *memNode
	if name != "/" {
		dir := path.Dir(name)
		if _, ok := m.nodes[dir]; !ok {
			m.Dir(dir, 0o755, 0, 0)
		}
		parent = m.nodes[dir]
		// A new node under a mount inherits its flags.
		n.ino.Mount |= parent.ino.Mount
	}
	if old, ok := m.nodes[name]; ok {
		// Redefined: the node keeps its place in the tree, its handle
		// and what is below it, as the paths below it stay in nodes.
		old.ino, old.content, old.target = n.ino, n.content, n.target
		return m
	}
	n.name = path.Base(name)
	n.handle = access.Handle(len(m.byHandle))
	m.byHandle = append(m.byHandle, n)
	parent.addKid(n)
	m.nodes[name] = n
	return m
}

// addKid links n into the directory d.
func (d *memNode) addKid(n *memNode) {
	d.kids = append(d.kids, n)
	switch {
	case d.index != nil:
		d.index[n.name] = n
	case len(d.kids) > memScanMax:
		d.index = make(map[string]*memNode, len(d.kids))
		for _, k := range d.kids {
			d.index[k.name] = k
		}
	}
}

// kid returns the node named name inside d, or nil.
func (d *memNode) kid(name string) *memNode {
	if d.index != nil {
		return d.index[name]
	}
	for _, k := range d.kids {
		if sameName(k.name, name) {
			return k
		}
	}
	return nil
}

// sameName is a == b for the short strings names mostly are: compared in
// place, without the call of the general comparison.
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Lstat implements access.FS.
func (m *Mem) Lstat(name string) (access.Inode, error) {
	n, ok := m.nodes[name]
	if !ok {
		return access.Inode{}, access.ENOENT
	}
	return n.ino, nil
}

// Readlink implements access.FS.
func (m *Mem) Readlink(name string) (string, error) {
	n, ok := m.nodes[name]
	if !ok {
		return "", access.ENOENT
	}
	if !n.ino.IsSymlink() {
		return "", access.EINVAL
	}
	return n.target, nil
}

// LstatHandle implements access.HandleFS.
func (m *Mem) LstatHandle(name string) (access.Handle, *access.Inode, error) {
	var n *memNode
	if name == "/" {
		n = m.byHandle[0]
	} else if n = m.nodes[name]; n == nil {
		return 0, nil, access.ENOENT
	}
	return n.handle, &n.ino, nil
}

// LookupHandle implements access.HandleFS: the directory's entries are
// compared one by one, or hashed in a large directory.
func (m *Mem) LookupHandle(dir access.Handle, name string) (access.Handle, *access.Inode, error) {
	if dir >= access.Handle(len(m.byHandle)) {
		return 0, nil, access.ENOENT
	}
	n := m.byHandle[dir].kid(name)
	if n == nil {
		return 0, nil, access.ENOENT
	}
	return n.handle, &n.ino, nil
}

// ReadlinkHandle implements access.HandleFS.
func (m *Mem) ReadlinkHandle(h access.Handle) (string, error) {
	if h >= access.Handle(len(m.byHandle)) {
		return "", access.ENOENT
	}
	n := m.byHandle[h]
	if !n.ino.IsSymlink() {
		return "", access.EINVAL
	}
	return n.target, nil
}

// ReadAt implements access.FS.
func (m *Mem) ReadAt(name string, p []byte, off int64) (int, error) {
	n, ok := m.nodes[name]
	if !ok {
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

// FindOwner returns the first name of m, sorted, whose owner ok refuses;
// found is false when ok takes every owner.
func (m *Mem) FindOwner(ok func(uid, gid uint32) bool) (name string, uid, gid uint32, found bool) {
	for _, p := range m.Names() {
		if n := m.nodes[p]; !ok(n.ino.UID, n.ino.GID) {
			return p, n.ino.UID, n.ino.GID, true
		}
	}
	return "", 0, 0, false
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
