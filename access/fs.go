package access

import "errors"

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
// Errors are bare errnos: ENOENT for a missing name, EINVAL from Readlink
// of a non-symlink; or ErrNoContent (or an error that Is it) from ReadAt
// of a regular file whose bytes the backend does not hold. Anything else
// is returned to the caller as an I/O failure of the backend.
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

// ErrNoContent is what an FS's ReadAt returns for a regular file whose inode
// it knows but whose bytes it does not: a manifest (rootfs.MTree) lists
// types, modes and owners, not contents. Operations that read a file
// (Execve's #! line and ELF headers) return it wrapped, so that
// errors.Is(err, ErrNoContent) tells a caller it cannot tell rather than
// that the operation failed. The kernel never returns it.
var ErrNoContent = errors.New("no file contents")
