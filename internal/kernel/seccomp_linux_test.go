//go:build linux

package kernel

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/internal/seccomptest"
)

// The seccomp filter that makes faccessat2 look absent (ENOSYS, a kernel
// before 5.8) or forbidden (EPERM, Docker-style profiles), as
// kernel/seccomp.c runs it, so that Go's Faccessat emulation can be judged.

// installFaccessat2Filter installs seccomptest.ErrnoFilter for faccessat2
// (syscall 439) on the calling thread
// only (prctl(PR_SET_SECCOMP), without SECCOMP_FILTER_FLAG_TSYNC). It must
// run while the thread still has CAP_SYS_ADMIN, so that no_new_privs, which
// changes execve, is not needed (kernel/seccomp.c:seccomp_prepare_filter).
// Threads and processes cloned from the thread inherit the filter.
func installFaccessat2Filter(mode string) error {
	var errno unix.Errno
	switch mode {
	case seccompENOSYS:
		errno = unix.ENOSYS
	case seccompEPERM:
		errno = unix.EPERM
	default:
		return fmt.Errorf("unknown seccomp mode %q", mode)
	}
	return seccomptest.Install(seccomptest.ErrnoFilter(unix.SYS_FACCESSAT2, errno))
}
