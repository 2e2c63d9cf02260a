//go:build linux

package rootfs

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Dir is a root filesystem on disk: a bundle's rootfs, read as it lies.
// Owners are the ids stored on disk (kernel ids); POSIX access ACLs and file
// capabilities come from their extended attributes (system.posix_acl_access,
// security.capability).
//
// A Dir is lazy: NewDir opens the root directory and nothing else; each
// question reads the one inode it names, so the cost of a check does not grow
// with the size of the tree.
//
// A Dir never reads outside its root, whatever the tree holds or however it
// changes while it is read:
//
//  1. NewDir opens root with O_PATH|O_DIRECTORY, following symlinks in root
//     itself as a runtime does for root.path, and keeps the descriptor. Every
//     lookup starts from it.
//  2. A name is resolved with openat2(2) (Linux ≥ 5.6) and
//     RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS, the final
//     component with O_PATH|O_NOFOLLOW: ".." stops at the root, a symlink in
//     any component but the last fails with ELOOP, and a final symlink is the
//     link itself. (The resolver in package access follows symlinks itself
//     through Readlink, so it never asks for a name with one before the last
//     component; a symlink there has been planted or swapped in since.)
//  3. Where openat2 is missing (ENOSYS, or refused by a seccomp filter, at
//     NewDir or by a filter installed since), the name is walked one
//     component at a time with openat(2) and O_PATH|O_NOFOLLOW from the
//     root descriptor, with the same answers: a symlink in a non-final
//     component is ELOOP, a non-directory ENOTDIR.
//     ".." goes back to the descriptor of the directory already walked, and
//     stops at the root: ".." is never looked up on disk, so a directory
//     moved out of the root while it is walked cannot lead outside.
//  4. Lstat is fstatat(2) of the descriptor with AT_EMPTY_PATH and
//     AT_SYMLINK_NOFOLLOW; extended attributes are read through the
//     descriptor's procfs link (/proc/self/fd/N, spelt with the pid
//     /proc/self names); ReadAt checks the inode is a regular file, reopens
//     that same inode O_RDONLY through its link and reads it with pread(2).
//     Where /proc is not procfs, the inode is opened O_RDONLY|O_NONBLOCK|O_NOCTTY by name
//     instead (steps 2 and 3, with O_NOFOLLOW) and must be the one found,
//     else ESTALE; an inode the caller may not open is then an error, and
//     extended attributes of anything but directories and regular files
//     are not read.
//
// Errors are of two kinds. An errno that answers for the tree — ENOENT,
// ENOTDIR, ELOOP (a symlink where a directory must be), ENAMETOOLONG,
// EINVAL, EISDIR — is returned bare, as access.FS asks: the container would
// meet the same. Any other is the reader's own failure, not the
// container's: EACCES or EPERM because the host does not let this process
// (its uid, not the container's) search a directory or open a file of the
// tree, EIO, ESTALE (the tree changed under a lookup), ENOMEM, EBADF after
// Close. Those come back as an *access.ReadError naming the operation, the
// name, the root and this process's euid, which Is access.ErrUnreadable
// and the errno but never fs.ErrPermission: the model then says it cannot
// tell (preexec.Result.Unknown) instead of mistaking the reader's EACCES
// for the container's. A tree the reader cannot read is read as root, or
// checked from its image or an mtree manifest.
//
// Not guaranteed: answers about a tree that changes between two calls may
// come from different moments (each is about an inode inside the root).
// Mounts inside the root are crossed, as the container would cross them.
//
// A Dir holds one descriptor until Close. Its methods may be called
// concurrently, but not concurrently with Close.
//
// A Dir reads the disk for every question; for one check, which asks about
// the same names many times, use Cached.
type Dir struct {
	root string
	fd   int  // O_PATH|O_DIRECTORY descriptor of root
	open bool // fd is ours: false in a zero Dir and after Close
	opts dirOptions
	proc string // procFD(); without it, dirNoProc is set
	uid  int    // our euid, for ReadError
}

// dirOptions choose how a Dir reaches its inodes. NewDir takes the
// kernel's best; tests force the fallbacks.
type dirOptions uint8

const (
	// dirWalk resolves by the component walk instead of openat2.
	dirWalk dirOptions = 1 << iota
	// dirNoProc reopens by name instead of through /proc/self/fd.
	dirNoProc
)

// NewDir returns the Dir rooted at root, which must be a directory, holding
// a descriptor of it until Close. The error names root: a *os.PathError
// with the errno when root is not a directory (ENOENT, ENOTDIR, ELOOP…), an
// *access.ReadError when this process may not open it (EACCES: a directory
// of root's path it may not search) or the host fails.
func NewDir(root string) (*Dir, error) {
	var opts dirOptions
	if !hasOpenat2() {
		opts |= dirWalk
	}
	return newDir(root, opts)
}

func newDir(root string, opts dirOptions) (*Dir, error) {
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if !treeErrno(err) {
			return nil, &access.ReadError{Op: "open", Path: "/", Root: root, UID: unix.Geteuid(), Err: err}
		}
		return nil, &os.PathError{Op: "rootfs", Path: root, Err: err}
	}
	d := &Dir{root: root, fd: fd, open: true, opts: opts, uid: unix.Geteuid()}
	if d.proc = procFD(); d.proc == "" {
		d.opts |= dirNoProc
	}
	return d, nil
}

// Close closes the descriptor of the root. Every later call fails with
// EBADF, as every call on a zero Dir does; a second Close returns an error.
func (d *Dir) Close() error {
	if !d.open {
		return &os.PathError{Op: "close", Path: d.root, Err: os.ErrClosed}
	}
	err := unix.Close(d.fd)
	d.fd, d.open = -1, false
	if err != nil {
		return &os.PathError{Op: "close", Path: d.root, Err: err}
	}
	return nil
}

var _ access.FS = (*Dir)(nil)

// treeErrno reports whether err, from a lookup or a read inside the root,
// answers for the tree (or the name) rather than for the reader: the
// container would meet it too.
func treeErrno(err error) bool {
	switch err {
	case unix.ENOENT, unix.ENOTDIR, unix.ELOOP, unix.ENAMETOOLONG, unix.EINVAL, unix.EISDIR:
		return true
	}
	return false
}

// readErr returns err as Dir's methods return it: nil or an errno of the
// tree bare, anything else an *access.ReadError of op on name.
func (d *Dir) readErr(op, name string, err error) error {
	if err == nil || treeErrno(err) {
		return err
	}
	// name may alias the resolver's buffer (access.FS): copy it.
	return &access.ReadError{Op: op, Path: strings.Clone(name), Root: d.root, UID: d.uid, Err: err}
}

// hasOpenat2 reports whether openat2(2) works here (fs/open.c, Linux 5.6):
// ENOSYS on older kernels, EPERM or ENOSYS under a seccomp filter that does
// not know it.
var hasOpenat2 = sync.OnceValue(func() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})

// procFD is the directory of this process's descriptor links in procfs,
// "/proc/PID/fd/" with PID as /proc/self names it (our pid in the pid
// namespace of that procfs), or "" if /proc is not procfs. Naming the pid
// spares each lookup the /proc/self symlink, which doubles the cost of a
// getxattr through the link.
var procFD = sync.OnceValue(func() string {
	pid, err := os.Readlink("/proc/self")
	if err != nil {
		return ""
	}
	if _, err := strconv.ParseUint(pid, 10, 32); err != nil {
		return ""
	}
	dir := "/proc/" + pid + "/fd/"
	var s unix.Statfs_t
	if unix.Statfs(dir, &s) != nil || s.Type != unix.PROC_SUPER_MAGIC {
		return ""
	}
	return dir
})

// resolveIn is RESOLVE_IN_ROOT with no symlink followed at all
// (include/uapi/linux/openat2.h).
const resolveIn = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// openIn returns a descriptor of the inode at name inside the root, opened
// with flags (O_PATH, or O_RDONLY with its modifiers) and O_NOFOLLOW.
func (d *Dir) openIn(name string, flags int) (int, error) {
	if !d.open {
		return -1, unix.EBADF
	}
	rel := strings.TrimLeft(name, "/")
	if rel == "" {
		rel = "."
	}
	flags |= unix.O_NOFOLLOW | unix.O_CLOEXEC
	if d.opts&dirWalk != 0 {
		return d.walk(rel, flags)
	}
	how := unix.OpenHow{Flags: uint64(flags), Resolve: resolveIn}
	for try := 0; ; try++ {
		fd, err := unix.Openat2(d.fd, rel, &how)
		switch {
		case (err == unix.EAGAIN || err == unix.EXDEV) && try < 32, err == unix.EINTR:
			// Under RESOLVE_IN_ROOT a ".." raced by a rename or a
			// mount is EAGAIN (fs/namei.c:handle_dots(), v6.6), and
			// a walk that ended outside the root EXDEV
			// (complete_walk()): "the caller may choose to retry"
			// (openat2(2)), as filepath-securejoin does, 32 times.
			continue
		case err == unix.ENOSYS || err == unix.EPERM:
			// A seccomp filter installed since NewDir: walk.
			return d.walk(rel, flags)
		}
		return fd, err
	}
}

// walk resolves rel (relative to the root, not empty) one component at a
// time from the root descriptor: the fallback of openIn before openat2.
func (d *Dir) walk(rel string, flags int) (int, error) {
	// What the kernel refuses before it looks at a component
	// (fs/namei.c:getname_flags, and the C string it copies).
	if strings.IndexByte(rel, 0) >= 0 {
		return -1, unix.EINVAL
	}
	if len(rel) >= unix.PathMax {
		return -1, unix.ENAMETOOLONG
	}
	// stack holds the directories walked so far and the last inode,
	// each with the flags it was opened with, the root first; the root
	// descriptor belongs to d.
	type opened struct{ fd, flags int }
	var buf [16]opened
	stack := append(buf[:0], opened{d.fd, unix.O_PATH})
	defer func() {
		for _, o := range stack[1:] {
			unix.Close(o.fd)
		}
	}()
	var top uint32 = unix.S_IFDIR // type of stack's top
	for {
		comp, rest, more := strings.Cut(rel, "/")
		// Only a directory has names in it, trailing slash included:
		// a symlink here would be followed (ELOOP, as
		// RESOLVE_NO_SYMLINKS), anything else is ENOTDIR.
		switch top {
		case unix.S_IFDIR:
		case unix.S_IFLNK:
			return -1, unix.ELOOP
		default:
			return -1, unix.ENOTDIR
		}
		switch comp {
		case "", ".":
		case "..":
			if len(stack) > 1 {
				unix.Close(stack[len(stack)-1].fd)
				stack = stack[:len(stack)-1]
			}
		default:
			// The last component is opened with the caller's
			// flags, the others O_PATH.
			f := unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC
			if strings.Trim(rest, "/") == "" {
				f = flags
			}
			fd, err := openat(stack[len(stack)-1].fd, comp, f)
			if err != nil {
				return -1, err
			}
			stack = append(stack, opened{fd, f})
			var st unix.Stat_t
			if err := fstat(fd, &st); err != nil {
				return -1, err
			}
			top = st.Mode & unix.S_IFMT
		}
		if !more {
			break
		}
		rel = rest
	}
	last := stack[len(stack)-1]
	if len(stack) == 1 || last.flags != flags {
		// A directory reached by "." or "..", or the root: open it
		// anew with the caller's flags.
		return openat(last.fd, ".", flags)
	}
	stack = stack[:len(stack)-1]
	return last.fd, nil
}

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func fstat(fd int, st *unix.Stat_t) error {
	return unix.Fstatat(fd, "", st, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
}

// procPath is the procfs link of fd (/proc/self/fd/N).
func (d *Dir) procPath(fd int) string { return d.proc + strconv.Itoa(fd) }

// Lstat implements access.FS.
func (d *Dir) Lstat(name string) (access.Inode, error) {
	fd, err := d.openIn(name, unix.O_PATH)
	if err != nil {
		return access.Inode{}, d.readErr("lstat", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil {
		return access.Inode{}, d.readErr("lstat", name, err)
	}
	return d.inode(name, fd, &st)
}

// inode is Lstat's answer for the inode fd (an O_PATH descriptor of name),
// whose fstat is st: its mode, owner and size, and the ACL and file
// capabilities of its extended attributes.
func (d *Dir) inode(name string, fd int, st *unix.Stat_t) (access.Inode, error) {
	return d.inodeOf(name, fd, -1, st)
}

// inodeOf is inode, reading the extended attributes through rfd, the same
// inode opened for reading, where rfd is not -1.
func (d *Dir) inodeOf(name string, fd, rfd int, st *unix.Stat_t) (access.Inode, error) {
	ino := access.Inode{Mode: st.Mode, UID: st.Uid, GID: st.Gid, Size: st.Size}
	typ := st.Mode & unix.S_IFMT
	if typ == unix.S_IFLNK {
		return ino, nil
	}
	var b [256]byte
	acl, err := d.xattr(name, fd, rfd, st, "system.posix_acl_access", b[:])
	if err != nil {
		return access.Inode{}, d.readErr("getxattr system.posix_acl_access", name, err)
	}
	if acl != nil {
		if a, err := parseACLXattr(acl); err == nil {
			ino.ACL = a
		}
	}
	if typ == unix.S_IFREG {
		fc, err := d.xattr(name, fd, rfd, st, "security.capability", b[:])
		if err != nil {
			return access.Inode{}, d.readErr("getxattr security.capability", name, err)
		}
		if fc != nil {
			if c, err := caps.ParseFileCaps(fc); err == nil {
				ino.Caps = &c
			}
		}
	}
	return ino, nil
}

// xattr returns the value of attr on the inode fd (an O_PATH descriptor of
// name, whose fstat is st), or nil if it has none or its filesystem none
// at all; rfd, if not -1, is that inode opened for reading, which
// fgetxattr(2) reads without a lookup in /proc. buf is a first buffer to
// read it into.
func (d *Dir) xattr(name string, fd, rfd int, st *unix.Stat_t, attr string, buf []byte) ([]byte, error) {
	get := func(b []byte) (int, error) { return unix.Getxattr(d.procPath(fd), attr, b) }
	switch {
	case rfd >= 0:
		get = func(b []byte) (int, error) { return unix.Fgetxattr(rfd, attr, b) }
	case d.opts&dirNoProc != 0:
		// fgetxattr(2) refuses O_PATH descriptors (EBADF): open the
		// inode for reading, which only directories and regular files
		// can be without a side effect.
		flags := unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			flags |= unix.O_DIRECTORY
		case unix.S_IFREG:
		default:
			return nil, nil
		}
		rfd, err := d.reopen(name, st, flags)
		if err != nil {
			return nil, err
		}
		defer unix.Close(rfd)
		get = func(b []byte) (int, error) { return unix.Fgetxattr(rfd, attr, b) }
	}
	for {
		n, err := get(buf)
		switch err {
		case nil:
			return buf[:n], nil
		case unix.ENODATA, unix.ENOTSUP:
			return nil, nil
		case unix.ERANGE:
			// Larger than buf: ask for the size and try again.
			n, err := get(nil)
			if err != nil {
				return nil, err
			}
			buf = make([]byte, n)
		case unix.EINTR:
		default:
			return nil, err
		}
	}
}

// reopen opens the inode at name, whose fstat through an O_PATH descriptor
// was st, by name with flags, and checks it is still that inode (ESTALE if
// the tree changed in between).
func (d *Dir) reopen(name string, st *unix.Stat_t, flags int) (int, error) {
	fd, err := d.openIn(name, flags)
	if err != nil {
		return -1, err
	}
	var now unix.Stat_t
	if err := fstat(fd, &now); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if now.Dev != st.Dev || now.Ino != st.Ino {
		unix.Close(fd)
		return -1, unix.ESTALE
	}
	return fd, nil
}

// Readlink implements access.FS.
func (d *Dir) Readlink(name string) (string, error) {
	fd, err := d.openIn(name, unix.O_PATH)
	if err != nil {
		return "", d.readErr("readlink", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil {
		return "", d.readErr("readlink", name, err)
	}
	return d.readlink(name, fd, &st)
}

// readlink is Readlink's answer for the inode fd (an O_PATH descriptor of
// name), whose fstat is st.
func (d *Dir) readlink(name string, fd int, st *unix.Stat_t) (string, error) {
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		// readlinkat(fd, "") of a non-symlink is ENOENT
		// (fs/stat.c:do_readlinkat(), v6.6); readlink(2) of a name
		// says EINVAL, which access.FS asks for.
		return "", unix.EINVAL
	}
	size := 128
	if st.Size >= int64(size) {
		size = int(st.Size) + 1
	}
	for {
		b := make([]byte, size)
		n, err := unix.Readlinkat(fd, "", b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", d.readErr("readlink", name, err)
		}
		if n < len(b) {
			return string(b[:n]), nil
		}
		size *= 2
	}
}

// ReadAt implements access.FS. It reads only regular files: a directory is
// EISDIR, a symlink ELOOP (open(2) with O_NOFOLLOW), anything else EINVAL.
func (d *Dir) ReadAt(name string, p []byte, off int64) (int, error) {
	fd, err := d.openFile(name)
	if err != nil {
		return 0, d.readErr("open", name, err)
	}
	defer unix.Close(fd)
	return d.pread(name, fd, p, off)
}

// pread is ReadAt's answer from fd, the regular file at name opened for
// reading.
func (d *Dir) pread(name string, fd int, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, unix.EINVAL
	}
	n := 0
	for n < len(p) {
		k, err := unix.Pread(fd, p[n:], off+int64(n))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return n, d.readErr("read", name, err)
		case k == 0:
			return n, io.EOF
		}
		n += k
	}
	return n, nil
}

// openFile opens the regular file at name for reading, never opening
// anything else.
func (d *Dir) openFile(name string) (int, error) {
	pfd, err := d.openIn(name, unix.O_PATH)
	if err != nil {
		return -1, err
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := fstat(pfd, &st); err != nil {
		return -1, err
	}
	return d.openRead(name, pfd, &st)
}

// openRead opens for reading the inode pfd (an O_PATH descriptor of name),
// whose fstat is st, if it is a regular file.
func (d *Dir) openRead(name string, pfd int, st *unix.Stat_t) (int, error) {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		return -1, unix.EISDIR
	case unix.S_IFLNK:
		return -1, unix.ELOOP
	default:
		return -1, unix.EINVAL
	}
	if d.opts&dirNoProc != 0 {
		return d.reopen(name, st, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
	}
	for {
		fd, err := unix.Open(d.procPath(pfd), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
