package access

import (
	"sync"
	"unsafe"
)

// Limits of path resolution, as the kernel defines them.
const (
	// PATH_MAX is the size of the buffer getname() copies a path into,
	// including its NUL: a path of PATH_MAX bytes or more is ENAMETOOLONG
	// (include/uapi/linux/limits.h).
	PATH_MAX = 4096
	// NAME_MAX is the longest component ext4, tmpfs, overlayfs, xfs and
	// btrfs accept at lookup; a longer one is ENAMETOOLONG
	// (include/uapi/linux/limits.h).
	NAME_MAX = 255
	// MAXSYMLINKS is the number of symlinks one lookup may follow; the
	// next is ELOOP (include/linux/namei.h; the only limit since 4.2,
	// 894bc8c4662b).
	MAXSYMLINKS = 40
)

// lookupFlags are the LOOKUP_* flags of a path walk (include/linux/namei.h).
type lookupFlags uint8

const (
	// LOOKUP_FOLLOW follows a trailing symlink.
	lookupFollow lookupFlags = 1 << iota
	// LOOKUP_DIRECTORY requires the final object to be a directory.
	lookupDirectory
	// lookupParent walks the directory part of a longer path
	// (LOOKUP_PARENT's link_path_walk): its last component is followed
	// as link_path_walk follows any component with more after it
	// (walk_component with WALK_MORE), so the rules for a trailing
	// symlink (may_follow_link) do not apply to it.
	lookupParent
)

// A walker resolves one path as fs/namei.c:path_lookupat() and
// link_path_walk() (v6.6) do. It keeps the resolved path of the directory
// it stands in, with no symlinks in it, in buf; the FS is asked about
// strings that alias buf (see FS), so that a walk does not allocate. When
// the FS is a HandleFS, each component is looked up in the handle of its
// directory instead, as the kernel looks it up in its parent's dentry.
type walker struct {
	p   *Proc
	c   *Cred    // the credentials the walk runs with
	hfs HandleFS // p.FS if it is a HandleFS, else nil
	buf []byte
	// stack holds the strings a symlink interrupted, the innermost last
	// (the nd->stack of link_path_walk); maxDepth is how many entries a
	// walk with this walker used.
	stack    [MAXSYMLINKS + 1]string
	maxDepth int
	links    int

	// dir is the inode of the directory at buf, dirH its handle; when a
	// final object has been looked up, final points to it (buf[:dirLen]
	// is then its parent). The inodes are a HandleFS's own, or the
	// walker's slots for an FS without handles.
	dir      *Inode
	dirH     Handle
	dirLen   int
	final    *Inode
	hasFinal bool

	// root caches the root directory's inode and handle for the duration
	// of one walk (an absolute symlink returns to it).
	root    *Inode
	rootH   Handle
	hasRoot bool

	// slots hold what a plain FS's Lstat returned: the root, and two
	// more for the directory and the object looked up in it.
	slots [3]Inode

	// head is Execve's buffer for the first BINPRM_BUF_SIZE bytes of a
	// file: here rather than on its stack, which the FS's ReadAt would
	// make escape.
	head [BINPRM_BUF_SIZE]byte

	// failure details, set only on error (the slow path)
	denied     bool
	deniedIno  Inode
	deniedPath string
	deniedMask Mask
	deniedWhy  Reason
}

var walkers = sync.Pool{New: func() any { return &walker{buf: make([]byte, 0, 256)} }}

func getWalker(p *Proc, c *Cred) *walker {
	w := walkers.Get().(*walker)
	w.p, w.c = p, c
	w.hfs, _ = p.FS.(HandleFS)
	w.denied = false
	w.hasRoot = false
	return w
}

func putWalker(w *walker) {
	w.p, w.c, w.hfs = nil, nil, nil
	w.dir, w.final, w.root = nil, nil, nil
	if w.deniedPath != "" {
		w.deniedIno = Inode{}
		w.deniedPath = ""
	}
	// Drop the references the stack holds into callers' strings (a loop:
	// there are few, and clear would call memclrHasPointers).
	for i := range w.maxDepth {
		w.stack[i] = ""
	}
	w.maxDepth = 0
	walkers.Put(w)
}

// alias returns buf[:n] as a string without copying; it is valid until buf
// changes, which is all an FS call needs.
func (w *walker) alias(n int) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&w.buf[0], n)
}

// path returns a copy of the resolved path of the final object (or of the
// directory the walk ended in).
func (w *walker) path() string {
	return string(w.buf)
}

// deny records a permission failure for the error's *Denial.
func (w *walker) deny(ino Inode, n int, mask Mask, why Reason) {
	w.denied = true
	w.deniedIno = ino
	w.deniedPath = string(w.buf[:n])
	w.deniedMask = mask
	w.deniedWhy = why
}

// lstat looks up buf[:n] by its whole path, with a handle if the FS keeps
// them.
func (w *walker) lstat(n int) (Handle, *Inode, error) {
	if w.hfs != nil {
		return w.hfs.LstatHandle(w.alias(n))
	}
	ino, err := w.plainLstat(n, false)
	return 0, ino, err
}

// plainLstat is Lstat of buf[:n] of an FS without handles, kept in the
// root's slot or in one w.dir does not use.
func (w *walker) plainLstat(n int, root bool) (*Inode, error) {
	slot := &w.slots[0]
	if !root {
		slot = &w.slots[1]
		if w.dir == slot {
			slot = &w.slots[2]
		}
	}
	ino, err := w.p.FS.Lstat(w.alias(n))
	if err != nil {
		return nil, err
	}
	*slot = ino
	return slot, nil
}

// readlink reads the symlink h at buf[:n].
func (w *walker) readlink(h Handle, n int) (string, error) {
	if w.hfs != nil {
		return w.hfs.ReadlinkHandle(h)
	}
	return w.p.FS.Readlink(w.alias(n))
}

// room makes room in buf for a slash and k bytes after the directory's
// path, writes the slash, and returns where a component after it starts.
func (w *walker) room(k int) int {
	at := w.dirLen
	if at > 1 {
		at++
	}
	if at+k > cap(w.buf) {
		w.grow(at + k)
	}
	w.buf[:at][at-1] = '/'
	return at
}

// grow gives buf a capacity of at least n, keeping its contents.
func (w *walker) grow(n int) {
	b := make([]byte, len(w.buf), 2*n)
	copy(b, w.buf)
	w.buf = b
}

// startAt sets the walk's directory to the root or to the working
// directory (fs/namei.c:path_init).
func (w *walker) startAt(root bool) error {
	if cwd := w.p.Cwd; !root && cwd != "" && cwd != "/" {
		w.buf = append(w.buf[:0], cwd...)
		h, ino, err := w.lstat(len(w.buf))
		if err != nil {
			return err
		}
		w.dir, w.dirH, w.dirLen = ino, h, len(w.buf)
		return nil
	}
	w.buf = append(w.buf[:0], '/')
	if !w.hasRoot {
		var h Handle
		var ino *Inode
		var err error
		if w.hfs != nil {
			h, ino, err = w.hfs.LstatHandle("/")
		} else {
			ino, err = w.plainLstat(1, true)
		}
		if err != nil {
			return err
		}
		w.root, w.rootH, w.hasRoot = ino, h, true
	}
	w.dir, w.dirH, w.dirLen = w.root, w.rootH, 1
	return nil
}

// walk resolves name with flags. On success, if w.hasFinal, w.final is the
// final object and w.buf its path, else the walk ended in the directory
// w.dir at w.buf ("/", ".", "..", a symlink to "/").
func (w *walker) walk(name string, flags lookupFlags) error {
	// getname_flags: the copy includes the NUL.
	if len(name) >= PATH_MAX {
		return ENAMETOOLONG
	}
	if name == "" {
		return ENOENT
	}
	if err := w.startAt(name[0] == '/'); err != nil {
		return err
	}
	w.hasFinal = false
	w.links = 0
	// s is what is left of the string being walked, starting at a
	// component; depth is the number of strings on the stack that a
	// symlink interrupted, each starting at a component.
	s, depth := name[skipSlashes(name):], 0
	for {
		if s == "" {
			if depth == 0 {
				break
			}
			depth--
			s = w.stack[depth]
			continue
		}
		// The component is copied after the directory's path in buf as
		// it is scanned; buf's length changes only if it is looked up.
		at := w.room(len(s))
		dst := w.buf[at : at+len(s)]
		i := 0
		for i < len(s) && s[i] != '/' {
			dst[i] = s[i]
			i++
		}
		comp := s[:i]
		trailingSlash := i < len(s)
		for i < len(s) && s[i] == '/' {
			i++
		}
		s = s[i:]
		last := s == "" && depth == 0
		// may_lookup: every component, dots included, needs search
		// permission on the directory it is looked up in. A directory
		// everybody may search and without an ACL passes at once, as in
		// acl_permission_check's cheap case.
		if w.dir.Mode&0o111 != 0o111 || w.dir.ACL != nil {
			if err := Permission(w.c, w.dir, MAY_EXEC); err != nil {
				w.deny(*w.dir, w.dirLen, MAY_EXEC, ReasonSearch)
				return err
			}
		}
		w.hasFinal = false
		if comp == "." {
			continue
		}
		if comp == ".." {
			if err := w.dotdot(); err != nil {
				return err
			}
			continue
		}
		if len(comp) > NAME_MAX {
			return ENAMETOOLONG
		}
		if last && trailingSlash {
			// lookup_last: a trailing slash means LOOKUP_FOLLOW|LOOKUP_DIRECTORY.
			flags |= lookupFollow | lookupDirectory
		}
		n := at + len(comp)
		w.buf = w.buf[:n]
		// The component in its directory's handle, or by the whole path.
		var h Handle
		var ino *Inode
		var err error
		if w.hfs != nil {
			h, ino, err = w.hfs.LookupHandle(w.dirH, comp)
		} else {
			ino, err = w.plainLstat(n, false)
		}
		if err != nil {
			w.buf = w.buf[:w.dirLen]
			return err
		}
		if ino.IsSymlink() && (!last || flags&lookupFollow != 0) {
			body, err := w.pickLink(ino, h, n, last, flags)
			if err != nil {
				return err
			}
			if s != "" {
				// The rest of s waits under the link's body.
				if depth == len(w.stack) {
					return ELOOP
				}
				w.stack[depth] = s
				depth++
				w.maxDepth = max(w.maxDepth, depth)
			}
			s = body[skipSlashes(body):]
			continue
		}
		if !last {
			if !ino.IsDir() {
				w.buf = w.buf[:w.dirLen]
				return ENOTDIR
			}
			w.dir, w.dirH, w.dirLen = ino, h, n
			continue
		}
		w.final, w.hasFinal = ino, true
	}
	if flags&lookupDirectory != 0 && w.hasFinal && !w.final.IsDir() {
		return ENOTDIR
	}
	return nil
}

// skipSlashes returns the index of the first byte of s that is not a
// slash, or len(s).
func skipSlashes(s string) int {
	i := 0
	for i < len(s) && s[i] == '/' {
		i++
	}
	return i
}

// dotdot is follow_dotdot: ".." goes to the parent of the directory the
// walk stands in, and stays at the process root.
func (w *walker) dotdot() error {
	if w.dirLen <= 1 {
		return nil
	}
	n := w.dirLen - 1
	for n > 0 && w.buf[n] != '/' {
		n--
	}
	if n == 0 {
		n = 1
	}
	w.buf = w.buf[:n]
	h, ino, err := w.lstat(n)
	if err != nil {
		return err
	}
	w.dir, w.dirH, w.dirLen = ino, h, n
	return nil
}

// pickLink is fs/namei.c:pick_link for the symlink ino (handle h) at
// buf[:n]: it counts the link (the 41st is ELOOP), applies
// fs.protected_symlinks to a trailing one and nosymfollow, and returns its
// body, with the walk moved back to the link's directory or, for an
// absolute body, to the process root (nd_jump_root).
func (w *walker) pickLink(ino *Inode, h Handle, n int, last bool, flags lookupFlags) (string, error) {
	// reserve_stack: the 41st link is ELOOP.
	if w.links >= MAXSYMLINKS {
		return "", ELOOP
	}
	w.links++
	if last && flags&lookupParent == 0 && w.p.Kernel.ProtectedSymlinks && !w.mayFollowLink(ino) {
		w.deny(*ino, n, 0, ReasonProtectedSymlink)
		return "", EACCES
	}
	if ino.Mount&MNT_NOSYMFOLLOW != 0 {
		return "", ELOOP
	}
	body, err := w.readlink(h, n)
	if err != nil {
		return "", err
	}
	w.buf = w.buf[:w.dirLen]
	if body != "" && body[0] == '/' {
		if err := w.startAt(true); err != nil {
			return "", err
		}
	}
	return body, nil
}

// mayFollowLink is fs/namei.c:may_follow_link() (3.6, 800179c9b8a1) with
// fs.protected_symlinks = 1, for the trailing symlink ino in the directory
// w.dir: following is refused when the directory is sticky and
// world-writable and the link is owned neither by the follower (fsuid) nor
// by the directory's owner. Capabilities do not matter.
func (w *walker) mayFollowLink(ino *Inode) bool {
	if ino.UID == w.c.FSUID {
		return true
	}
	if w.dir.Mode&(S_ISVTX|0o002) != S_ISVTX|0o002 {
		return true
	}
	return w.dir.UID == ino.UID
}

// result returns the final object of a successful walk: the object looked
// up last, or the directory the walk ended in.
func (w *walker) result() Inode {
	return *w.resultPtr()
}

// resultPtr is result without the copy.
func (w *walker) resultPtr() *Inode {
	if w.hasFinal {
		return w.final
	}
	return w.dir
}
