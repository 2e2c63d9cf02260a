//go:build linux

package kernel

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/preexec/preexec/access"
)

// Go's syscall.Faccessat (Go 1.26, syscall/syscall_linux.go) under a seccomp
// filter for faccessat2, against access.Faccessat2ElseEmulated.

// goFaccessatBatch builds a batch that calls Go's syscall.Faccessat (Go
// 1.26: faccessat2, and on ENOSYS or EPERM its mode-bit emulation) under a
// seccomp filter answering faccessat2 with mode, judged by
// access.Faccessat2ElseEmulated; raw faccessat2 calls are judged by
// Proc.Faccessat2, which must give the filter's errno.
func goFaccessatBatch(r *rand.Rand, seed uint64, mode string) *batch {
	fx, paths := genInodeFixture(r, 16)
	var links strings.Builder
	for i, p := range paths {
		if chance(r, 0.3) {
			l := fmt.Sprintf("/d/l%d", i)
			fmt.Fprintf(&links, "symlink %s %s %s\n", l, p, genOwner(r))
			paths = append(paths, l)
		}
	}
	b := newBatch(fx+links.String(), genCred(r))
	b.seed, b.seccomp = seed, mode
	flagSets := []int{access.AT_EACCESS, access.AT_EACCESS | access.AT_SYMLINK_NOFOLLOW, 0, access.AT_SYMLINK_NOFOLLOW}
	for _, p := range paths {
		for m := uint32(0); m < 8; m++ {
			b.add("go_faccessat", query{Op: opGoFaccessat, Path: p, Mode: m, Flags: access.AT_EACCESS})
			if chance(r, 0.3) {
				b.add("go_faccessat", query{Op: opGoFaccessat, Path: p, Mode: m, Flags: pick(r, flagSets[1:])})
			}
		}
		b.add("eaccess", query{Op: opFaccessat2, Path: p, Mode: uint32(r.IntN(8)), Flags: pick(r, flagSets)})
	}
	// Invalid flags and modes: EINVAL from the kernel or the emulation.
	p := pick(r, paths)
	b.add("go_faccessat", query{Op: opGoFaccessat, Path: p, Mode: 4, Flags: 0x400})
	b.add("go_faccessat", query{Op: opGoFaccessat, Path: p, Mode: 4, Flags: access.AT_EACCESS | access.AT_EMPTY_PATH})
	b.add("eaccess", query{Op: opFaccessat2, Path: p, Mode: 8, Flags: access.AT_EACCESS})
	b.add("eaccess", query{Op: opFaccessat2, Path: p, Mode: 4, Flags: 0x400})
	return b
}

// TestOracleGoFaccessat holds access.Faccessat2ElseEmulated to Go 1.26's own
// syscall.Faccessat (syscall/syscall_linux.go: faccessat2 first, then on
// ENOSYS/EPERM fstatat plus the owner/group/other test with
// isCapDacOverrideSet) run on the kernel, with faccessat2 available,
// answered ENOSYS by a seccomp filter (a kernel < 5.8) and answered EPERM
// (Docker-style profiles). The emulation ignores ACLs, CAP_DAC_READ_SEARCH,
// noexec and read-only mounts; the model must reproduce exactly that.
func TestOracleGoFaccessat(t *testing.T) {
	o := newOracle(t)
	start := time.Now()
	var batches []*batch
	for _, seed := range seeds(t) {
		r := newRand(seed)
		for i := range scale(36) {
			mode := []string{seccompNone, seccompENOSYS, seccompEPERM}[i%3]
			batches = append(batches, goFaccessatBatch(r, seed, mode))
		}
	}
	o.run(batches)
	o.summary(start)
}
