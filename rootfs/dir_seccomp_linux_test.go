//go:build linux

package rootfs_test

import (
	"fmt"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// openat2Filter returns a seccomp BPF program that makes openat2 (syscall
// 437 on x86_64, and its x32 number) fail with errno and allows everything
// else, as a container's seccomp profile that predates the call does:
// include/uapi/linux/filter.h instructions, as kernel/seccomp.c runs them.
func openat2Filter(errno unix.Errno) []unix.SockFilter {
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
		jeq(unix.SYS_OPENAT2, 2, 0),        // → errno
		jeq(unix.SYS_OPENAT2|x32Bit, 1, 0), // → errno
		ret(unix.SECCOMP_RET_ALLOW),
		ret(unix.SECCOMP_RET_ERRNO | uint32(errno)&unix.SECCOMP_RET_DATA),
	}
}

// onFilteredThread runs f on a thread of its own under openat2Filter(errno)
// (prctl(PR_SET_NO_NEW_PRIVS), then PR_SET_SECCOMP without TSYNC: that
// thread only), and lets the thread die with its filter afterwards.
func onFilteredThread(t *testing.T, errno unix.Errno, f func()) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			done <- err
			return
		}
		filter := openat2Filter(errno)
		prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
		if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0, 0); e != 0 {
			done <- e
			return
		}
		if _, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{Flags: unix.O_PATH}); err != errno {
			done <- fmt.Errorf("openat2 under the filter = %v, want %v", err, errno)
			return
		}
		f()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestDirSeccompFallback: a Dir made where openat2 works keeps working
// when a seccomp filter installed later makes openat2 ENOSYS (a kernel
// before 5.6 as a profile presents it) or EPERM (Docker-style profiles):
// it walks instead, with the answers openat2 gave, and never the canary.
func TestDirSeccompFallback(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the filter is written for x86_64 syscall numbers")
	}
	if !rootfs.HasOpenat2() {
		skipOrFail(t, "openat2(2) is not available here")
	}
	base, root, f, c := canaryTree(t)
	mem := f.Mem()
	d := openDir(t, root, 0)
	names := []string{"/", "/bin/sh", "/abs", "/absdir/canary", "/bin/sh/x", "/mv/sub/../../canary", "/missing", base + "/canary"}
	for _, row := range canaryNames {
		names = append(names, row.name)
	}
	answer := func(name string) string {
		ino, err := d.Lstat(name)
		if ino.Mode&access.S_IFMT == access.S_IFDIR {
			ino.Size = 0
		}
		b := make([]byte, 32)
		n, rerr := d.ReadAt(name, b, 0)
		return fmt.Sprintf("%+v %v | %q %v", ino, err, b[:n], rerr)
	}
	want := map[string]string{}
	for _, n := range names {
		want[n] = answer(n)
	}
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM} {
		onFilteredThread(t, errno, func() {
			for _, n := range names {
				if got := answer(n); got != want[n] {
					t.Errorf("openat2 %v: %q answers\n\t%s\nwithout the filter\n\t%s", errno, n, got, want[n])
				}
				direct(t, d, mem, c, n)
			}
		})
	}
}
