//go:build linux

package rootfs_test

import (
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/seccomptest"
	"github.com/preexec/preexec/rootfs"
)

// onFilteredThread runs f on a thread of its own under a filter making
// openat2 (syscall 437) fail with errno
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
		if err := seccomptest.Install(seccomptest.ErrnoFilter(unix.SYS_OPENAT2, errno)); err != nil {
			done <- err
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
