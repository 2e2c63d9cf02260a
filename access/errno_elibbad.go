//go:build linux || windows || js || solaris || illumos || android

package access

import "syscall"

const errELIBBAD = syscall.ELIBBAD
