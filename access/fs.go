package access

import (
	"errors"
	"strconv"
	"syscall"
)

// FS is a root filesystem as a process sees it from its root directory: the
// three questions path resolution asks of storage. All resolution logic
// (symlinks, "..", permissions, limits) lives in this package; an FS only
// answers for one path at a time.
//
// Every name is a clean absolute slash-separated path inside the root ("/"
// is the root): no "." or ".." elements, no repeated or trailing slashes,
// each element at most NAME_MAX bytes. Every proper prefix of a name the
// resolver asks about is a directory it has already looked up. A name is
// valid only during the call: an FS must not retain it (the resolver
// reuses its buffer so that a lookup does not allocate).
//
// Errors are answers about the tree, as bare errnos: ENOENT for a missing
// name, ENOTDIR, ELOOP, EINVAL from Readlink of a non-symlink; or one of
// two errors that say the FS cannot answer: ErrNoContent (or an error that
// Is it) from ReadAt of a regular file whose bytes the backend does not
// hold, and an error that Is ErrUnreadable (a *ReadError) when the backend
// failed to read what it holds. The operations of this package return
// both wrapped, never as a decision of the kernel; any other error is
// returned to the caller as it is.
type FS interface {
	// Lstat returns the inode at name, not following a final symlink.
	Lstat(name string) (Inode, error)
	// Readlink returns the body of the symlink at name.
	Readlink(name string) (string, error)
	// ReadAt reads len(p) bytes of the regular file at name from offset
	// off, as io.ReaderAt: fewer bytes only at the end of the file, with
	// io.EOF or nil.
	ReadAt(name string, p []byte, off int64) (int, error)
}

// A Handle is an FS's own name for an inode it answered for (a HandleFS's
// LstatHandle or LookupHandle), with which the resolver asks about names in
// that directory or reads that symlink next. Its meaning is the FS's:
// an index, an inode number, a slot of a cache.
type Handle uint64

// A HandleFS is an FS that can also look up one name inside a directory it
// looked up before, as the kernel's path walk looks each component up in
// the dentry of its parent (torvalds/linux fs/namei.c:walk_component,
// v6.6) rather than by the whole path. The resolver uses it when an FS has
// it, so that a walk does no work proportional to the depth of the path
// per component (hashing the whole path); it asks the plain FS methods for
// everything else (file contents, the directory a ".." leads to).
//
// Every answer must be the one the FS methods give for the path the
// handle stands for: LookupHandle(h, name) answers as Lstat of h's path
// joined with name, ReadlinkHandle(h) as Readlink of h's path. Names
// follow FS's rules and are valid only during the call. The resolver uses
// a handle only during the operation that obtained it, and asks
// LookupHandle only with a handle of a directory.
//
// The inode is returned by pointer, so that a lookup copies nothing: it is
// the FS's own, which the resolver reads but never modifies and does not
// keep once the operation returns; it must not change before then.
type HandleFS interface {
	FS
	// LstatHandle is Lstat that also returns a handle of the inode.
	LstatHandle(name string) (Handle, *Inode, error)
	// LookupHandle returns the inode named name in the directory dir,
	// not following a final symlink, and its handle. name is one
	// component: not empty, "." or "..", and without a slash.
	LookupHandle(dir Handle, name string) (Handle, *Inode, error)
	// ReadlinkHandle returns the body of the symlink h.
	ReadlinkHandle(h Handle) (string, error)
}

// ErrNoContent is what an FS's ReadAt returns for a regular file whose inode
// it knows but whose bytes it does not: a manifest (rootfs.MTree) lists
// types, modes and owners, not contents. Operations that read a file
// (Execve's #! line and ELF headers) return it wrapped, so that
// errors.Is(err, ErrNoContent) tells a caller it cannot tell rather than
// that the operation failed. The kernel never returns it.
var ErrNoContent = errors.New("no file contents")

// ErrUnreadable is what an error of the reader Is: the backend could not
// read the root filesystem (the host refused the reading process, which is
// not the container's; an I/O error), so the answer about the tree is not
// known. Every operation of this package returns it wrapped and never
// decides on it: errors.Is(err, ErrUnreadable) tells a caller that nobody
// can tell from this reading, not that the operation failed. The kernel
// never returns it to the container. See ReadError.
var ErrUnreadable = errors.New("the root filesystem could not be read")

// A ReadError is an FS's failure to read its root filesystem, as opposed to
// an answer about the tree in it: rootfs.Dir returns one for every errno
// but those that describe the tree (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG),
// so EACCES when the reading process may not search a directory of the
// rootfs (a 0700 directory of another uid, read as non-root), EIO, ESTALE.
//
// errors.Is(err, ErrUnreadable) holds, and so does errors.Is(err, errno) for
// the syscall.Errno in Err (errors.Is(err, syscall.EACCES)); but not
// errors.Is(err, fs.ErrPermission) or fs.ErrNotExist: those mean the
// container was denied or found nothing, and the reader's EACCES says
// neither. A ReadError has no Unwrap for that reason; Err holds the cause.
type ReadError struct {
	// Op is what the reader did: "lstat", "readlink", "read", "getxattr
	// security.capability", "open".
	Op string
	// Path is the name inside the root, as the FS was asked ("/" is the
	// root).
	Path string
	// Root is where the root filesystem is, as the reader names it (a
	// host directory), or "".
	Root string
	// UID is the reader's effective uid, or -1 if the FS does not say.
	UID int
	// Err is the cause: the host's syscall.Errno for rootfs.Dir.
	Err error
}

// Error reads "lstat /home/nonroot/app in /b/rootfs (as uid 65534):
// permission denied", with Linux's errno text.
func (e *ReadError) Error() string {
	s := e.Op + " " + e.Path
	if e.Root != "" {
		s += " in " + e.Root
	}
	if e.UID >= 0 {
		s += " (as uid " + strconv.Itoa(e.UID) + ")"
	}
	return s + ": " + e.Reason()
}

// Reason is the text of the cause: the errno's, in Linux's words
// ("permission denied"), or Err's own.
func (e *ReadError) Reason() string {
	if e.Err == nil {
		return "unknown error"
	}
	if s := Strerror(e.Err); s != "" {
		return s
	}
	return e.Err.Error()
}

// Is reports whether target is ErrUnreadable, or a syscall.Errno that Err
// is or wraps.
func (e *ReadError) Is(target error) bool {
	if target == ErrUnreadable {
		return true
	}
	if errno, ok := target.(syscall.Errno); ok && e.Err != nil {
		return errors.Is(e.Err, errno)
	}
	return false
}

// Denied reports whether the host refused the reader (EACCES, EPERM), which
// reading with more privilege, as root, may not be.
func (e *ReadError) Denied() bool {
	return e.Err != nil && (errors.Is(e.Err, EACCES) || errors.Is(e.Err, EPERM))
}

// unknowable reports whether err says the FS could not answer (no
// contents, or the reader's failure): an operation returns it rather than
// decide.
func unknowable(err error) bool {
	return errors.Is(err, ErrNoContent) || errors.Is(err, ErrUnreadable)
}
