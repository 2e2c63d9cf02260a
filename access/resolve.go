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
// strings that alias buf (see FS), so that a walk does not allocate.
type walker struct {
	p     *Proc
	c     *Cred // the credentials the walk runs with
	buf   []byte
	stack [MAXSYMLINKS + 2]string
	depth int
	links int

	// dir is the inode of the directory at buf; when a final object has
	// been looked up, final holds it and finalLen the length of its path
	// in buf (buf[:dirLen] is then its parent).
	dir      Inode
	dirLen   int
	final    Inode
	hasFinal bool

	// root caches the root directory's inode for the duration of one walk
	// (an absolute symlink returns to it).
	root     Inode
	hasRoot  bool
	maxDepth int

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
	w.denied = false
	w.hasRoot = false
	return w
}

func putWalker(w *walker) {
	w.p, w.c = nil, nil
	w.deniedIno = Inode{}
	w.deniedPath = ""
	// Drop the references the stack holds into callers' strings.
	clear(w.stack[:w.maxDepth+1])
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

// startAt sets the walk's directory to the root or to the working
// directory.
func (w *walker) startAt(root bool) error {
	w.buf = append(w.buf[:0], '/')
	if !root {
		cwd := w.p.Cwd
		if cwd != "" && cwd != "/" {
			w.buf = append(w.buf[:0], cwd...)
			root = false
		} else {
			root = true
		}
	}
	if root && w.hasRoot {
		w.dir, w.dirLen = w.root, 1
		return nil
	}
	ino, err := w.p.FS.Lstat(w.alias(len(w.buf)))
	if err != nil {
		return err
	}
	if root {
		w.root, w.hasRoot = ino, true
	}
	w.dir = ino
	w.dirLen = len(w.buf)
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
	w.stack[0] = name
	w.depth = 1
	fsys := w.p.FS
	for w.depth > 0 {
		s := w.stack[w.depth-1]
		i := 0
		for i < len(s) && s[i] == '/' {
			i++
		}
		if i == len(s) {
			w.depth--
			continue
		}
		j := i
		for j < len(s) && s[j] != '/' {
			j++
		}
		comp := s[i:j]
		k := j
		for k < len(s) && s[k] == '/' {
			k++
		}
		trailingSlash := j < len(s)
		if k == len(s) {
			w.depth--
		} else {
			w.stack[w.depth-1] = s[k:]
		}
		last := w.depth == 0
		// may_lookup: every component, dots included, needs search
		// permission on the directory it is looked up in. A directory
		// everybody may search and without an ACL passes at once, as in
		// acl_permission_check's cheap case.
		if w.dir.Mode&0o111 != 0o111 || w.dir.ACL != nil {
			if err := Permission(w.c, &w.dir, MAY_EXEC); err != nil {
				w.deny(w.dir, w.dirLen, MAY_EXEC, ReasonSearch)
				return err
			}
		}
		w.hasFinal = false
		if comp == "." {
			continue
		}
		if comp == ".." {
			// follow_dotdot: at the process root ".." stays there.
			if w.dirLen > 1 {
				n := w.dirLen - 1
				for n > 0 && w.buf[n] != '/' {
					n--
				}
				if n == 0 {
					n = 1
				}
				w.buf = w.buf[:n]
				ino, err := fsys.Lstat(w.alias(n))
				if err != nil {
					return err
				}
				w.dir, w.dirLen = ino, n
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
		if w.dirLen > 1 {
			w.buf = append(w.buf, '/')
		}
		w.buf = append(w.buf, comp...)
		n := len(w.buf)
		ino, err := fsys.Lstat(w.alias(n))
		if err != nil {
			w.buf = w.buf[:w.dirLen]
			return err
		}
		if ino.IsSymlink() && (!last || flags&lookupFollow != 0) {
			// pick_link → reserve_stack: the 41st link is ELOOP.
			if w.links >= MAXSYMLINKS {
				return ELOOP
			}
			w.links++
			if last && flags&lookupParent == 0 && w.p.Kernel.ProtectedSymlinks && !w.mayFollowLink(&ino) {
				w.deny(ino, n, 0, ReasonProtectedSymlink)
				return EACCES
			}
			if ino.Mount&MNT_NOSYMFOLLOW != 0 {
				return ELOOP
			}
			body, err := fsys.Readlink(w.alias(n))
			if err != nil {
				return err
			}
			w.buf = w.buf[:w.dirLen]
			if body != "" && body[0] == '/' {
				// nd_jump_root: an absolute body restarts at the process root.
				if err := w.startAt(true); err != nil {
					return err
				}
			}
			if w.depth == len(w.stack) {
				return ELOOP
			}
			w.stack[w.depth] = body
			w.depth++
			if w.depth > w.maxDepth {
				w.maxDepth = w.depth
			}
			continue
		}
		if !last {
			if !ino.IsDir() {
				w.buf = w.buf[:w.dirLen]
				return ENOTDIR
			}
			w.dir, w.dirLen = ino, n
			continue
		}
		w.final, w.hasFinal = ino, true
	}
	if flags&lookupDirectory != 0 && w.hasFinal && !w.final.IsDir() {
		return ENOTDIR
	}
	return nil
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
	if w.hasFinal {
		return w.final
	}
	return w.dir
}
