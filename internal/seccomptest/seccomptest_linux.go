// Package seccomptest builds and installs the seccomp filters the oracles
// use to make one system call look absent (ENOSYS, a kernel before the
// call) or forbidden (EPERM, Docker-style profiles), as kernel/seccomp.c
// runs them. Linux on x86_64 only; tests elsewhere skip.
package seccomptest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrnoFilter returns a seccomp BPF program that makes syscall nr (and its
// x32 number nr|__X32_SYSCALL_BIT) fail with errno and allows everything
// else, for x86_64; any other audit arch is allowed. Its instructions are
// those of include/uapi/linux/filter.h, checked by
// kernel/seccomp.c:seccomp_check_filter.
func ErrnoFilter(nr uint32, errno unix.Errno) []unix.SockFilter {
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
		jeq(nr, 2, 0),        // → errno
		jeq(nr|x32Bit, 1, 0), // → errno
		ret(unix.SECCOMP_RET_ALLOW),
		ret(unix.SECCOMP_RET_ERRNO | uint32(errno)&unix.SECCOMP_RET_DATA),
	}
}

// Install installs filter on the calling thread only (prctl(PR_SET_SECCOMP),
// without SECCOMP_FILTER_FLAG_TSYNC); threads and processes cloned from it
// inherit it. The thread needs CAP_SYS_ADMIN or no_new_privs
// (kernel/seccomp.c:seccomp_prepare_filter).
func Install(filter []unix.SockFilter) error {
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0, 0); e != 0 {
		return e
	}
	return nil
}
