//go:build linux

package kernel

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp filter that makes faccessat2 look absent (ENOSYS, a kernel
// before 5.8) or forbidden (EPERM, Docker-style profiles), as
// kernel/seccomp.c runs it, so that Go's Faccessat emulation can be judged.

// faccessat2Filter returns a seccomp BPF program that makes faccessat2
// (syscall 439, and its x32 number 439|__X32_SYSCALL_BIT) fail with errno and
// allows everything else, for x86_64; any other audit arch is allowed
// (kernel-go-semantics.md §10 pitfall 5). Its instructions are those of
// include/uapi/linux/filter.h, checked by kernel/seccomp.c:seccomp_check_filter.
func faccessat2Filter(errno unix.Errno) []unix.SockFilter {
	const (
		offNr   = 0 // offsetof(struct seccomp_data, nr)
		offArch = 4 // offsetof(struct seccomp_data, arch)
		x32Bit  = 0x40000000
	)
	ld := func(k uint32) unix.SockFilter {
		return unix.SockFilter{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: k}
	}
	jeq := func(k uint32, jt, jf uint8) unix.SockFilter {
		return unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: k, Jt: jt, Jf: jf}
	}
	ret := func(k uint32) unix.SockFilter { return unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: k} }
	return []unix.SockFilter{
		ld(offArch),
		jeq(unix.AUDIT_ARCH_X86_64, 0, 3), // other arch → allow
		ld(offNr),
		jeq(unix.SYS_FACCESSAT2, 2, 0),        // → errno
		jeq(unix.SYS_FACCESSAT2|x32Bit, 1, 0), // → errno
		ret(unix.SECCOMP_RET_ALLOW),
		ret(unix.SECCOMP_RET_ERRNO | uint32(errno)&unix.SECCOMP_RET_DATA),
	}
}

// installFaccessat2Filter installs faccessat2Filter on the calling thread
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
	filter := faccessat2Filter(errno)
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
