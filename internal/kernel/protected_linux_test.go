//go:build linux

package kernel

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
)

// fs.protected_symlinks (fs/namei.c:may_follow_link, Linux 3.6,
// 800179c9b8a1): a trailing symlink in a sticky world-writable directory is
// followed only by its owner or when it has the directory's owner,
// whatever the capabilities.

const protectedSymlinksSysctl = "/proc/sys/fs/protected_symlinks"

// withProtectedSymlinks runs the rest of t with fs.protected_symlinks = 1,
// setting it if the host has it off and restoring it when t ends. The
// sysctl is global (not per namespace); nothing else of the test suite
// follows symlinks in sticky directories.
func withProtectedSymlinks(t *testing.T) {
	b, err := os.ReadFile(protectedSymlinksSysctl)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.TrimSpace(string(b))
	if old == "1" {
		return
	}
	if err := os.WriteFile(protectedSymlinksSysctl, []byte("1"), 0o644); err != nil {
		t.Fatalf("set fs.protected_symlinks: %v", err)
	}
	t.Logf("fs.protected_symlinks set to 1 for this test (was %s)", old)
	t.Cleanup(func() {
		if err := os.WriteFile(protectedSymlinksSysctl, []byte(old), 0o644); err != nil {
			t.Errorf("restore fs.protected_symlinks=%s: %v", old, err)
		}
	})
}

// protectedBatch builds a sticky directory of symlinks owned by every uid of
// the pool, reached directly, through other links and after chains of
// links, under a random credential.
func protectedBatch(r *rand.Rand, seed uint64) *batch {
	var fx strings.Builder
	fmt.Fprintf(&fx, "file /a/f 0755 0:0 elf\ndir /a/b 0755 0:0\n")
	fmt.Fprintf(&fx, "dir /t %04o %s\n", pick(r, []uint32{0o1777, 0o1777, 0o1777, 0o777, 0o1775, 0o1770}), genOwner(r))
	var paths []string
	for i, u := range uidPool {
		owner := fmt.Sprintf("%d:%d", u, pick(r, gidPool))
		fmt.Fprintf(&fx, "symlink /t/l%d /a/f %s\nsymlink /t/d%d /a/b %s\n", i, owner, i, owner)
		paths = append(paths, fmt.Sprintf("/t/l%d", i), fmt.Sprintf("t/l%d", i), fmt.Sprintf("/t/d%d/", i),
			fmt.Sprintf("/t/d%d/.", i), fmt.Sprintf("/t/d%d", i))
	}
	// A link elsewhere pointing at a protected one, and chains of n links
	// ending in one. Chains of 20 or more are left to
	// TestKernelProtectedSymlinkAfterLongChain: their answer depends on
	// the symlinks' atimes.
	target := r.IntN(len(uidPool))
	fmt.Fprintf(&fx, "symlink /x/to /t/l%d %s\n", target, genOwner(r))
	paths = append(paths, "/x/to")
	for _, n := range []int{1, 10, 19} {
		for k := 0; k < n; k++ {
			next := fmt.Sprintf("/q%d/l%d", n, k+1)
			if k == n-1 {
				next = fmt.Sprintf("/t/l%d", target)
			}
			fmt.Fprintf(&fx, "symlink /q%d/l%d %s\n", n, k, next)
		}
		paths = append(paths, fmt.Sprintf("/q%d/l0", n))
	}
	c := genCred(r)
	if chance(r, 0.3) {
		c = root()
	}
	b := newBatch(fx.String(), c)
	b.seed = seed
	for _, p := range paths {
		b.add("protected/stat", query{Op: opStat, Path: p})
		b.add("protected/chdir", query{Op: opChdir, Path: p})
		b.add("protected/open", query{Op: opOpen, Path: p, Mode: access.O_RDONLY})
		b.add("protected/access", query{Op: opAccess, Path: p, Mode: 0})
		b.add("protected/faccessat2", query{Op: opFaccessat2, Path: p, Mode: 0, Flags: access.AT_EACCESS})
		b.add("protected/exec_check", query{Op: opExecCheck, Path: p})
	}
	return b
}

// TestOracleProtectedSymlinks holds the model's protected_symlinks rule
// (Kernel.ProtectedSymlinks) to fs/namei.c:may_follow_link with the sysctl
// on.
func TestOracleProtectedSymlinks(t *testing.T) {
	o := newOracle(t)
	withProtectedSymlinks(t)
	o.kernel.ProtectedSymlinks = true
	o.runSeeded(t, 10, protectedBatch)
}

// TestKernelProtectedSymlinkAfterLongChain records a kernel behaviour the
// model does not have: a protected_symlinks denial reached after n ≥ 20
// followed links answers ELOOP instead of EACCES — but only once the
// links' atimes are fresh.
//
// fs/namei.c counts followed links in nameidata.total_link_count, set once
// per system call (__set_nameidata). may_follow_link returns -ECHILD in RCU
// mode when it would deny, and the lookup restarts in ref-walk mode
// without resetting the count: every link is counted twice, so the
// (2n+1)-th, the protected one, exceeds MAXSYMLINKS. The first walk after
// the links were created leaves RCU mode early to update their atime
// (pick_link → atime_needs_update with relatime, try_to_unlazy), so it
// never restarts and gets EACCES. The test only logs what the kernel
// answers; it fails if the answer is neither.
func TestKernelProtectedSymlinkAfterLongChain(t *testing.T) {
	o := newOracle(t)
	withProtectedSymlinks(t)
	var fx strings.Builder
	fx.WriteString("file /a/f 0755 0:0 elf\ndir /t 1777 0:0\nsymlink /t/l /a/f 1000:1000\n")
	for k := 0; k < 20; k++ {
		next := fmt.Sprintf("/q/l%d", k+1)
		if k == 19 {
			next = "/t/l"
		}
		fmt.Fprintf(&fx, "symlink /q/l%d %s\n", k, next)
	}
	b := newBatch(fx.String(), user(1001, 1001))
	var got []string
	for range 3 {
		b.probes = append(b.probes, probe{q: query{Op: opStat, Path: "/q/l0"}})
	}
	b.onResults = func(rs []result) {
		for _, r := range rs {
			got = append(got, r.Err)
		}
	}
	o.run([]*batch{b})
	for _, g := range got {
		if g != "EACCES" && g != "ELOOP" {
			t.Errorf("stat after 20 links to a protected symlink = %s, want EACCES or ELOOP", g)
		}
	}
	t.Logf("stat(/q/l0) three times after 20 links, protected trailing link: %v (model: EACCES)", got)
}
