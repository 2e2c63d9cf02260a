package access

import (
	"errors"
	"syscall"
)

// The errnos the model returns. They are the host's syscall.Errno values, so
// errors.Is(err, syscall.EACCES) and errors.Is(err, fs.ErrPermission) hold on
// every GOOS; on a GOOS that lacks one (ELIBBAD outside Linux, ETXTBSY on
// js/wasm) it is a distinct value private to this package. Their text is
// always Linux's: see Strerror.
const (
	E2BIG        = syscall.E2BIG
	EACCES       = syscall.EACCES
	EINVAL       = syscall.EINVAL
	EIO          = syscall.EIO
	EISDIR       = syscall.EISDIR
	ELIBBAD      = errELIBBAD
	ELOOP        = syscall.ELOOP
	ENAMETOOLONG = syscall.ENAMETOOLONG
	ENOENT       = syscall.ENOENT
	ENOEXEC      = syscall.ENOEXEC
	ENOSYS       = syscall.ENOSYS
	ENOTDIR      = syscall.ENOTDIR
	EPERM        = syscall.EPERM
	EROFS        = syscall.EROFS
	ETXTBSY      = errETXTBSY
	EEXIST       = syscall.EEXIST
)

// errnoInfo is one row of the Linux errno table: the name and the strerror
// text of glibc and of Go's syscall package on linux (they agree for these).
type errnoInfo struct {
	err  syscall.Errno
	name string
	text string
}

var errnoTable = []errnoInfo{
	{E2BIG, "E2BIG", "argument list too long"},
	{EACCES, "EACCES", "permission denied"},
	{EEXIST, "EEXIST", "file exists"},
	{EINVAL, "EINVAL", "invalid argument"},
	{EIO, "EIO", "input/output error"},
	{EISDIR, "EISDIR", "is a directory"},
	{ELIBBAD, "ELIBBAD", "accessing a corrupted shared library"},
	{ELOOP, "ELOOP", "too many levels of symbolic links"},
	{ENAMETOOLONG, "ENAMETOOLONG", "file name too long"},
	{ENOENT, "ENOENT", "no such file or directory"},
	{ENOEXEC, "ENOEXEC", "exec format error"},
	{ENOSYS, "ENOSYS", "function not implemented"},
	{ENOTDIR, "ENOTDIR", "not a directory"},
	{EPERM, "EPERM", "operation not permitted"},
	{EROFS, "EROFS", "read-only file system"},
	{ETXTBSY, "ETXTBSY", "text file busy"},
}

// Strerror returns the text Go's syscall package prints on Linux for the
// errno err wraps ("permission denied"), whatever the host, or "" if err
// wraps none of the errnos above.
func Strerror(err error) string {
	errno, ok := asError[syscall.Errno](err)
	if !ok {
		return ""
	}
	for _, e := range errnoTable {
		if e.err == errno {
			return e.text
		}
	}
	return ""
}

// ErrnoName returns the Linux name of the errno err wraps ("EACCES"), or ""
// if err wraps none of the errnos above. JSON and golden files record names,
// never numbers, since numbers differ across GOOS.
func ErrnoName(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	for _, e := range errnoTable {
		if e.err == errno {
			return e.name
		}
	}
	return ""
}

// ErrnoByName returns the errno named name ("EACCES").
func ErrnoByName(name string) (syscall.Errno, bool) {
	for _, e := range errnoTable {
		if e.name == name {
			return e.err, true
		}
	}
	return 0, false
}

// asError is errors.As(err, &target) for a concrete error type T, without
// making the target escape (an allocation on every call): err's chain is
// walked as errors.As walks it, Unwrap() error and Unwrap() []error, and
// an As method is asked.
func asError[T error](err error) (T, bool) {
	var zero T
	for err != nil {
		if t, ok := err.(T); ok {
			return t, true
		}
		if x, ok := err.(interface{ As(any) bool }); ok {
			var t T
			if x.As(&t) {
				return t, true
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if t, ok := asError[T](e); ok {
					return t, true
				}
			}
			return zero, false
		default:
			return zero, false
		}
	}
	return zero, false
}
