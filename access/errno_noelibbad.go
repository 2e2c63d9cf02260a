//go:build !(linux || windows || js || solaris || illumos || android)

package access

import "syscall"

// This GOOS has no ELIBBAD; a value no errno of it uses stands in.
const errELIBBAD = syscall.Errno(0x7f01)
