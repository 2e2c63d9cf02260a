package rootfs

import (
	"encoding/base64"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vbatts/go-mtree/pkg/govis"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// MTree is a root filesystem described by an mtree(5) manifest (as `mtree
// -c`, `bsdtar --format=mtree` and github.com/vbatts/go-mtree write them):
// every inode's type, mode and owner, the target of each symlink, and the
// access ACLs and file capabilities its xattr keywords carry, but no file
// contents. ReadAt of a regular file is therefore access.ErrNoContent,
// except at or past a known size= (a file of size 0 is known to be empty),
// and a check that needs a file's bytes — a script's #! line, an ELF's
// PT_INTERP — says it cannot tell instead of guessing.
//
// ParseMTree reads a manifest. Each entry becomes one inode, from its own
// keywords and, for those it does not give, the defaults of the /set lines
// before it:
//
//  1. /set gives a default to each keyword on it; /unset removes the
//     defaults of the keywords it names ("all": every one), as mtree(5)
//     says. (go-mtree's Entry.AllKeys keeps only the last /set and forgets
//     it at any /unset; the two agree on every manifest go-mtree and
//     mtree(8) write, whose /set lines are whole.)
//  2. A name with a "/" is a path from the root ("./usr/bin", "usr/bin");
//     one without is relative to the directory of the last relative
//     type=dir entry not closed by a ".." line, as go-mtree's ParseSpec
//     tracks it (so such an entry must say type=dir on its own line).
//     Names are unvis(3)-decoded, and cleaned to a path inside the root:
//     ".." never leads out of it.
//  3. type is required: file, dir, link, fifo, socket, char or block.
//     uid and gid are required (uname and gname are not looked up), and
//     mode for every type but link (a symlink's mode is 0777 on Linux).
//     mode is octal; link is required for type=link and its unvis'd
//     target is the symlink's body and size.
//  4. xattr.system.posix_acl_access (base64, as go-mtree writes xattr
//     values) is the access ACL of anything but a symlink, and
//     xattr.security.capability the file capabilities of a regular file,
//     decoded as rootfs.Dir decodes them from disk; other xattrs and
//     keywords are ignored, but ignore, optional and nochange, which say
//     the manifest does not describe a file, are errors.
//
// The root "." must be listed, as a directory; every other entry's parent
// must be listed as a directory; no path may be listed twice (mtree(5)
// allows repeated full entries; merging them is not supported). Every
// violation is an error naming the manifest, the line and the entry.
//
// Once built an MTree is read-only and safe for concurrent readers. Mount
// flags are all clear: a manifest has no mounts.
type MTree struct {
	nodes map[string]*mtreeNode
}

type mtreeNode struct {
	ino    access.Inode
	target string
	// sized: the manifest gave the size of a regular file, so reads at or
	// past it are known to be at the end.
	sized bool
	line  int
}

var _ access.FS = (*MTree)(nil)

// errNoManifestContent is ErrNoContent as an MTree returns it.
type errNoManifestContent struct{}

func (errNoManifestContent) Error() string        { return "the manifest has no file contents" }
func (errNoManifestContent) Is(target error) bool { return target == access.ErrNoContent }

// Lstat implements access.FS.
func (m *MTree) Lstat(name string) (access.Inode, error) {
	n, ok := m.nodes[name]
	if !ok {
		return access.Inode{}, access.ENOENT
	}
	return n.ino, nil
}

// Readlink implements access.FS.
func (m *MTree) Readlink(name string) (string, error) {
	n, ok := m.nodes[name]
	if !ok {
		return "", access.ENOENT
	}
	if !n.ino.IsSymlink() {
		return "", access.EINVAL
	}
	return n.target, nil
}

// ReadAt implements access.FS. A regular file's bytes are not in the
// manifest: ReadAt returns an error that Is access.ErrNoContent, or 0 and
// io.EOF at or past a size the manifest gives. Like rootfs.Dir, it refuses
// a directory with EISDIR, a symlink with ELOOP and any other
// non-regular file with EINVAL.
func (m *MTree) ReadAt(name string, p []byte, off int64) (int, error) {
	n, ok := m.nodes[name]
	if !ok {
		return 0, access.ENOENT
	}
	switch n.ino.Type() {
	case access.S_IFREG:
	case access.S_IFDIR:
		return 0, access.EISDIR
	case access.S_IFLNK:
		return 0, access.ELOOP
	default:
		return 0, access.EINVAL
	}
	if off < 0 {
		return 0, access.EINVAL
	}
	if n.sized && off >= n.ino.Size {
		return 0, io.EOF
	}
	return 0, errNoManifestContent{}
}

// FindOwner returns the first name of m, sorted, whose owner ok refuses;
// found is false when ok takes every owner.
func (m *MTree) FindOwner(ok func(uid, gid uint32) bool) (name string, uid, gid uint32, found bool) {
	for _, p := range m.Names() {
		if n := m.nodes[p]; !ok(n.ino.UID, n.ino.GID) {
			return p, n.ino.UID, n.ino.GID, true
		}
	}
	return "", 0, 0, false
}

// Names returns every name in m, sorted.
func (m *MTree) Names() []string {
	names := make([]string, 0, len(m.nodes))
	for p := range m.nodes {
		names = append(names, p)
	}
	sort.Strings(names)
	return names
}

// mtreeKind is the kind of an mtreeLine.
type mtreeKind uint8

const (
	mtreeEntry mtreeKind = iota
	mtreeSet
	mtreeUnset
)

// An mtreeLine is one line of a manifest that matters to the tree, as the
// parser (host_mtree.go, over go-mtree's ParseSpec) hands it over.
type mtreeLine struct {
	kind mtreeKind
	line int    // 1-based, of the line's first physical line
	name string // the name as written, for messages
	// path is the entry's unvis'd name, cleaned to an absolute path
	// inside the root.
	path string
	// relative: a relative entry, whose type=dir on its own line moves
	// the parser's current directory.
	relative bool
	kw       []string // keyword=value as written (/unset: keyword names)
}

// mtree(5) types.
var mtreeTypes = map[string]uint32{
	"file": access.S_IFREG, "dir": access.S_IFDIR, "link": access.S_IFLNK,
	"fifo": access.S_IFIFO, "socket": access.S_IFSOCK, "char": access.S_IFCHR, "block": access.S_IFBLK,
}

// Limits of names the kernel can hold (include/uapi/linux/limits.h).
const (
	nameMax = 255  // NAME_MAX: bytes in one path element
	pathMax = 4096 // PATH_MAX, with the NUL: a symlink body is shorter
)

// buildMTree makes the MTree that lines describe; file names the manifest
// in errors.
func buildMTree(file string, lines []mtreeLine) (*MTree, error) {
	m := &MTree{nodes: make(map[string]*mtreeNode, len(lines))}
	defaults := map[string]string{}
	for i := range lines {
		l := &lines[i]
		switch l.kind {
		case mtreeSet:
			for _, kv := range l.kw {
				k, v, _ := strings.Cut(kv, "=")
				defaults[k] = v
			}
			continue
		case mtreeUnset:
			for _, k := range l.kw {
				k, _, _ = strings.Cut(k, "=")
				if k == "all" {
					clear(defaults)
				}
				delete(defaults, k)
			}
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %q: %s", file, l.line, l.name, fmt.Sprintf(format, args...))
		}
		if prev, ok := m.nodes[l.path]; ok {
			return nil, fail("%s is listed twice (line %d too)", l.path, prev.line)
		}
		n, err := mtreeInode(l, defaults)
		if err != nil {
			return nil, fail("%v", err)
		}
		m.nodes[l.path] = n
	}
	root, ok := m.nodes["/"]
	if !ok {
		return nil, fmt.Errorf("%s: no entry for the root directory \".\"", file)
	}
	if !root.ino.IsDir() {
		return nil, fmt.Errorf("%s:%d: the root \".\" is not type=dir", file, root.line)
	}
	for i := range lines {
		l := &lines[i]
		if l.kind != mtreeEntry || l.path == "/" {
			continue
		}
		dir := path.Dir(l.path)
		if p, ok := m.nodes[dir]; !ok || !p.ino.IsDir() {
			what := "not listed"
			if ok {
				what = fmt.Sprintf("not a directory (line %d)", p.line)
			}
			return nil, fmt.Errorf("%s:%d: %q: parent %s %s", file, l.line, l.name, dir, what)
		}
	}
	return m, nil
}

// mtreeInode is the inode of entry l, given the /set defaults in force.
func mtreeInode(l *mtreeLine, defaults map[string]string) (*mtreeNode, error) {
	kw := make(map[string]string, len(defaults)+len(l.kw))
	for k, v := range defaults {
		kw[k] = v
	}
	lineType := ""
	for _, s := range l.kw {
		k, v, _ := strings.Cut(s, "=")
		kw[k] = v
		if k == "type" {
			lineType = v
		}
	}
	for _, k := range []string{"ignore", "optional", "nochange"} {
		if _, ok := kw[k]; ok {
			return nil, fmt.Errorf("keyword %s: the manifest does not describe the file", k)
		}
	}
	for _, e := range strings.Split(strings.TrimPrefix(l.path, "/"), "/") {
		if len(e) > nameMax {
			return nil, fmt.Errorf("a name of %d bytes (NAME_MAX is %d)", len(e), nameMax)
		}
		if strings.IndexByte(e, 0) >= 0 {
			return nil, fmt.Errorf("a name with a NUL byte")
		}
	}
	n := &mtreeNode{line: l.line}
	tv, ok := kw["type"]
	if !ok {
		return nil, fmt.Errorf("no type (not on the line nor in a /set)")
	}
	typ, ok := mtreeTypes[tv]
	if !ok {
		return nil, fmt.Errorf("type=%s is not an mtree(5) type", tv)
	}
	if typ == access.S_IFDIR && l.relative && lineType != "dir" {
		// ParseSpec moves its current directory on type=dir written on
		// the line only; the entries after it would be misplaced.
		return nil, fmt.Errorf("a relative directory entry must say type=dir on its line")
	}
	id := func(k string) (uint32, error) {
		v, ok := kw[k]
		if !ok {
			return 0, fmt.Errorf("no %s (not on the line nor in a /set)", k)
		}
		u, err := strconv.ParseUint(v, 10, 32)
		if err != nil || u == 1<<32-1 {
			// (uid_t)-1 is chown's "unchanged", never an owner.
			return 0, fmt.Errorf("%s=%s is not a numeric id", k, v)
		}
		return uint32(u), nil
	}
	var err error
	if n.ino.UID, err = id("uid"); err != nil {
		return nil, err
	}
	if n.ino.GID, err = id("gid"); err != nil {
		return nil, err
	}
	perm := uint64(0o777)
	if typ != access.S_IFLNK {
		v, ok := kw["mode"]
		if !ok {
			return nil, fmt.Errorf("no mode (not on the line nor in a /set)")
		}
		perm, err = strconv.ParseUint(v, 8, 32)
		if err != nil || perm > 0o7777 {
			return nil, fmt.Errorf("mode=%s is not an octal mode (symbolic modes are not supported)", v)
		}
	}
	n.ino.Mode = typ | uint32(perm)
	if v, ok := kw["size"]; ok {
		size, err := strconv.ParseInt(v, 10, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("size=%s is not a size", v)
		}
		n.ino.Size, n.sized = size, typ == access.S_IFREG
	}
	if typ == access.S_IFLNK {
		t, ok := kw["link"]
		if !ok {
			return nil, fmt.Errorf("type=link without link=")
		}
		if t, err = mtreeUnvis(t); err != nil {
			return nil, fmt.Errorf("link=%s: %v", kw["link"], err)
		}
		if t == "" || len(t) >= pathMax || strings.IndexByte(t, 0) >= 0 {
			// symlink(2): ENOENT for "", ENAMETOOLONG from PATH_MAX.
			return nil, fmt.Errorf("link=%s is not a symlink body (1 to %d bytes, no NUL)", kw["link"], pathMax-1)
		}
		n.target, n.ino.Size = t, int64(len(t))
		return n, nil
	}
	if v, ok := kw["xattr.system.posix_acl_access"]; ok {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("xattr.system.posix_acl_access: %v", err)
		}
		if n.ino.ACL, err = parseACLXattr(b); err != nil {
			return nil, fmt.Errorf("xattr.system.posix_acl_access: not a POSIX ACL: %v", err)
		}
	}
	if v, ok := kw["xattr.security.capability"]; ok && typ == access.S_IFREG {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("xattr.security.capability: %v", err)
		}
		fc, err := caps.ParseFileCaps(b)
		if err != nil {
			return nil, fmt.Errorf("xattr.security.capability: not file capabilities: %v", err)
		}
		n.ino.Caps = &fc
	}
	return n, nil
}

// mtreeUnvis decodes a name or link target as go-mtree does
// (keywords.go:DefaultVisFlags@go-mtree v0.7.0: VisWhite|VisOctal|VisGlob),
// the "\ooo" escapes of mtree(5) among them.
func mtreeUnvis(s string) (string, error) {
	return govis.Unvis(s, govis.VisWhite|govis.VisOctal|govis.VisGlob)
}
