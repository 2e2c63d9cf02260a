//go:build linux

package rootfs

import (
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/access"
)

// A CachedDir is a Dir for one check: it answers every question as its Dir
// does, the errors included (the same errnos bare, the same
// *access.ReadError), but asks the disk about each name once and reaches
// a name from the descriptor of its parent directory, not from the root.
//
// A check of every runtime (preexec.Compare) asks about the same few names
// many times — the cwd, args[0] and each directory above them, once per
// runtime class and operation — and a Dir resolves each from the root
// (openat2(2) RESOLVE_IN_ROOT), so that the cost of a name grows with its
// depth and the cost of a check with the square of it. A CachedDir keeps,
// for each name it was asked about (a copy of it: the resolver of package
// access hands out names that alias its own buffer), the answers of
// Lstat and Readlink, an O_PATH descriptor of each directory and regular
// file, each regular file opened for reading, and the bytes ReadAt
// returned for each offset and length. Extended attributes are read with
// fgetxattr(2) from a descriptor opened for reading (a directory's as "."
// of its own, closed after), sparing the lookup of /proc/PID/fd/N, where
// this process may open the inode; else through /proc as the Dir reads
// them. A name
// not yet asked about is opened with openat(2) O_PATH|O_NOFOLLOW from its
// parent's descriptor, one component with no slash, never "." or "..":
// a symlink in any component but the last is ELOOP and a non-directory
// ENOTDIR, as RESOLVE_NO_SYMLINKS answers, and nothing is opened outside
// the root unless a directory already opened is moved out of it during the
// check. A name that is not clean (access.FS: absolute, no "." or ".."
// elements, no repeated or trailing slash, shorter than PATH_MAX) is asked
// of the Dir, uncached.
//
// Answers are those of the tree as the CachedDir first saw each name: a
// CachedDir is for one check, not for a tree that changes under it. It
// holds a descriptor for every directory and regular file it looked up
// until Close. Its methods may be called concurrently (they are
// serialized), but not concurrently with Close, nor after the Dir's Close.
type CachedDir struct {
	d      *Dir
	mu     sync.Mutex
	closed bool
	ents   map[string]*dirEntry
	reads  map[readKey]readVal
}

// dirEntry is what a CachedDir knows about one name.
type dirEntry struct {
	// err is the errno met reaching the inode (open or fstat), bare;
	// the other fields are set only without it.
	err error
	st  unix.Stat_t
	// fd is an O_PATH descriptor of a directory or regular file, or -1;
	// the root's is the Dir's.
	fd      int
	ino     access.Inode
	inoErr  error
	link    string
	linkErr error
	// rfd is the regular file opened for reading, once ReadAt asked.
	rfd     int
	rfdErr  error
	rfdDone bool
}

type readKey struct {
	name string
	off  int64
	n    int
}

type readVal struct {
	b   []byte
	err error
}

var _ access.FS = (*CachedDir)(nil)

// Cached returns a CachedDir of d for one check. Close it when the check is
// done — after the last Result.Fixes of its results, which reads the
// filesystem again; d stays open.
func (d *Dir) Cached() *CachedDir {
	return &CachedDir{d: d, ents: make(map[string]*dirEntry, 16)}
}

// Close closes the descriptors c holds. Every later call fails with EBADF,
// as a closed Dir's do.
func (c *CachedDir) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.ents {
		if e.fd >= 0 && e.fd != c.d.fd {
			unix.Close(e.fd)
		}
		if e.rfdDone && e.rfdErr == nil {
			unix.Close(e.rfd)
		}
	}
	c.ents, c.reads, c.closed = nil, nil, true
	return nil
}

// cleanName reports whether name is as access.FS spells the names it asks
// about, and short enough to be looked up (fs/namei.c:getname_flags takes
// PATH_MAX bytes with the NUL; the root descriptor's relative name drops
// the leading slash).
func cleanName(name string) bool {
	if name == "/" {
		return true
	}
	if len(name) < 2 || len(name) > unix.PathMax || name[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			if name[i] == 0 {
				return false
			}
			continue
		}
		switch name[start:i] {
		case "", ".", "..":
			return false
		}
		start = i + 1
	}
	return true
}

// entry returns what c knows of name, a clean name, looking it up the first
// time. c.mu is held.
func (c *CachedDir) entry(name string) *dirEntry {
	if e, ok := c.ents[name]; ok {
		return e
	}
	e := c.lookup(name)
	c.ents[strings.Clone(name)] = e
	return e
}

// lookup opens name from its parent's descriptor and reads what its
// descriptor will not be kept for.
func (c *CachedDir) lookup(name string) *dirEntry {
	e := &dirEntry{fd: -1, rfd: -1}
	var fd int
	if name == "/" {
		fd = c.d.fd
	} else {
		i := strings.LastIndexByte(name, '/')
		parent := "/"
		if i > 0 {
			parent = name[:i]
		}
		pe := c.entry(parent)
		switch {
		case pe.err != nil:
			// The walk failed before name: its error is name's too.
			e.err = pe.err
			return e
		case pe.st.Mode&unix.S_IFMT == unix.S_IFDIR:
		case pe.st.Mode&unix.S_IFMT == unix.S_IFLNK:
			// RESOLVE_NO_SYMLINKS, and what walk answers.
			e.err = unix.ELOOP
			return e
		default:
			e.err = unix.ENOTDIR
			return e
		}
		var err error
		if fd, err = openat(pe.fd, name[i+1:], unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC); err != nil {
			e.err = err
			return e
		}
	}
	if err := fstat(fd, &e.st); err != nil {
		if fd != c.d.fd {
			unix.Close(fd)
		}
		e.err = err
		return e
	}
	rfd := c.readable(name, fd, e)
	e.ino, e.inoErr = c.d.inodeOf(name, fd, rfd, &e.st)
	if rfd >= 0 && !e.rfdDone {
		unix.Close(rfd)
	}
	e.link, e.linkErr = c.d.readlink(name, fd, &e.st)
	switch e.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR, unix.S_IFREG:
		e.fd = fd
	default:
		unix.Close(fd)
	}
	return e
}

// readable opens the inode fd of e (name, fstat e.st) for reading where
// that spares Lstat's extended attributes their lookups through /proc
// (fgetxattr(2) on it instead): a directory as "." from fd, a regular file
// as ReadAt opens it, kept for ReadAt. It returns -1 where it opens
// nothing — another type, no /proc, or an inode this process may not open,
// whose attributes are then read through /proc as the Dir reads them.
func (c *CachedDir) readable(name string, fd int, e *dirEntry) int {
	if c.d.opts&dirNoProc != 0 {
		return -1
	}
	switch e.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		rfd, err := openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
		if err != nil {
			return -1
		}
		return rfd
	case unix.S_IFREG:
		rfd, err := c.d.openRead(name, fd, &e.st)
		if err != nil {
			return -1
		}
		e.rfd, e.rfdDone = rfd, true
		return rfd
	}
	return -1
}

// find returns the entry of name, looking it up the first time; nil if c
// or its Dir is closed; ok false if name is not clean, to be asked of the
// Dir uncached. c.mu is held.
func (c *CachedDir) find(name string) (e *dirEntry, ok bool) {
	if c.closed || !c.d.open {
		return nil, true
	}
	// Every name in ents is clean: a hit needs no check.
	if e, ok := c.ents[name]; ok {
		return e, true
	}
	if !cleanName(name) {
		return nil, false
	}
	return c.entry(name), true
}

// Lstat implements access.FS.
func (c *CachedDir) Lstat(name string) (access.Inode, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.find(name)
	if !ok {
		return c.d.Lstat(name)
	}
	if e == nil {
		return access.Inode{}, c.d.readErr("lstat", name, unix.EBADF)
	}
	if e.err != nil {
		return access.Inode{}, c.d.readErr("lstat", name, e.err)
	}
	return e.ino, e.inoErr
}

// Readlink implements access.FS.
func (c *CachedDir) Readlink(name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.find(name)
	if !ok {
		return c.d.Readlink(name)
	}
	if e == nil {
		return "", c.d.readErr("readlink", name, unix.EBADF)
	}
	if e.err != nil {
		return "", c.d.readErr("readlink", name, e.err)
	}
	return e.link, e.linkErr
}

// ReadAt implements access.FS. The bytes of each name, offset and length
// are read once.
func (c *CachedDir) ReadAt(name string, p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.find(name)
	if !ok {
		return c.d.ReadAt(name, p, off)
	}
	if e == nil {
		return 0, c.d.readErr("open", name, unix.EBADF)
	}
	if e.err != nil {
		return 0, c.d.readErr("open", name, e.err)
	}
	if !e.rfdDone {
		e.rfd, e.rfdErr = c.d.openRead(name, e.fd, &e.st)
		e.rfdDone = true
	}
	if e.rfdErr != nil {
		return 0, c.d.readErr("open", name, e.rfdErr)
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	k := readKey{name, off, len(p)}
	if v, ok := c.reads[k]; ok {
		return copy(p, v.b), v.err
	}
	n, err := c.d.pread(name, e.rfd, p, off)
	if c.reads == nil {
		c.reads = make(map[readKey]readVal, 8)
	}
	k.name = strings.Clone(name)
	c.reads[k] = readVal{b: append([]byte(nil), p[:n]...), err: err}
	return n, err
}
