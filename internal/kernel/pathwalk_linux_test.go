//go:build linux

package kernel

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
)

// Random path walks (fs/namei.c: getname_flags, path_init, link_path_walk,
// walk_component, step_into, pick_link, may_follow_link, follow_dotdot,
// lookup_last and the fs's ->lookup name limit) inside a chroot: symlinks
// absolute, relative, past the root, dangling, looping, in chains of 40 and
// 41; "." and ".." everywhere; trailing slashes; components of 255 and 256
// bytes; paths of 4095 and 4096 bytes; ENOTDIR; directories without search
// permission; noexec, read-only and nosymfollow tmpfs and bind mounts; a
// sticky world-writable directory of symlinks owned by various users
// (protected_symlinks).

// genTree returns a random tree fixture and the names it defines.
func genTree(r *rand.Rand) (string, []string) {
	var b strings.Builder
	var names []string
	line := func(format string, args ...any) {
		l := fmt.Sprintf(format, args...)
		b.WriteString(l + "\n")
		names = append(names, strings.Fields(l)[1])
	}
	dirMode := func() uint32 {
		return pick(r, []uint32{0o755, 0o755, 0o755, 0o711, 0o700, 0o750, 0o705, 0o000, 0o644, 0o1777, 0o2755, 0o070, 0o007})
	}
	if chance(r, 0.3) {
		fmt.Fprintf(&b, "dir / %04o %s\n", pick(r, []uint32{0o711, 0o700, 0o750, 0o755}), genOwner(r))
	}
	line("dir /a %04o %s", dirMode(), genOwner(r))
	line("dir /a/b %04o %s", dirMode(), genOwner(r))
	line("dir /a/b/c %04o %s", dirMode(), genOwner(r))
	line("dir /e %04o %s", dirMode(), genOwner(r))
	line("file /a/f %04o %s elf", pick(r, execModes), genOwner(r))
	line("file /a/b/g %04o %s script=/a/f", pick(r, execModes), genOwner(r))
	line("file /e/h %04o %s text=\"hi\\n\"", genMode(r)&0o777, genOwner(r))
	line("fifo /e/p %04o %s", genMode(r)&0o777, genOwner(r))
	line("dir /a/b/c/%s 0755 0:0", strings.Repeat("n", 255))
	owner := func() string {
		if chance(r, 0.5) {
			return "0:0"
		}
		return genOwner(r)
	}
	// Symlinks of every shape.
	line("symlink /a/abs /a/b %s", owner())
	line("symlink /a/b/rel ../../../../../a/f %s", owner())
	line("symlink /a/b/c/up ../.. %s", owner())
	line("symlink /a/dang /missing %s", owner())
	line("symlink /a/tofile f %s", owner())
	line("symlink /a/todir b %s", owner())
	line("symlink /a/loop1 /a/loop2 %s", owner())
	line("symlink /a/loop2 /a/loop1 %s", owner())
	line("symlink /self /self %s", owner())
	line("symlink /e/root / %s", owner())
	line("symlink /e/dotdot .. %s", owner())
	line("symlink /e/empty-ish ./ %s", owner())
	// Chains: /c/lK reaches /a/f after 40-K hops; /c/over takes 41.
	const chain = 40
	for k := 0; k < chain; k++ {
		next := fmt.Sprintf("/c/l%d", k+1)
		if k == chain-1 {
			next = "/a/f"
		}
		line("symlink /c/l%d %s", k, next)
	}
	line("symlink /c/over /c/l0")
	// Directory chains for intermediate hops: /m/mK is K+1 hops to /a.
	for k := 0; k < 21; k++ {
		next := fmt.Sprintf("m%d", k-1)
		if k == 0 {
			next = "/a"
		}
		line("symlink /m/m%d %s", k, next)
	}
	// Sticky world-writable directory of symlinks (protected_symlinks).
	line("dir /t %04o %s", pick(r, []uint32{0o1777, 0o1777, 0o777, 0o1770}), owner())
	for i, u := range uidPool {
		line("symlink /t/l%d /a/f %d:%d", i, u, pick(r, gidPool))
		line("symlink /t/d%d /a/b %d:%d", i, u, pick(r, gidPool))
	}
	// Mounts.
	if chance(r, 0.7) {
		line("mount /mnt/sf tmpfs 0755 0:0 nosymfollow")
		line("symlink /mnt/sf/l /a/f %s", owner())
		line("symlink /mnt/sf/d /a/b %s", owner())
		line("file /mnt/sf/x 0755 0:0 elf")
		line("symlink /a/intosf /mnt/sf/x %s", owner())
	}
	if chance(r, 0.7) {
		line("mount /mnt/nx tmpfs %04o %s noexec,nodev", dirMode(), owner())
		line("file /mnt/nx/x 0755 0:0 elf")
		line("symlink /mnt/nx/l /a/f %s", owner())
	}
	if chance(r, 0.7) {
		line("dir /mnt/bd 0755 0:0")
		line("symlink /mnt/bd/l ../../a %s", owner())
		line("file /mnt/bd/x 0777 0:0 elf")
		line("mount /mnt/bd bind %s", pick(r, []string{"ro", "ro,nosymfollow", "nosymfollow", "noexec,ro"}))
	}
	if chance(r, 0.5) {
		line("mount /mnt/ro tmpfs 0777 0:0 ro")
		line("file /mnt/ro/x 0777 0:0 elf")
	}
	return b.String(), uniq(names)
}

// genPath returns a random path that mostly exists in the tree: a name
// from the fixture, rebuilt with detours through ".", "..", symlinks,
// repeated slashes, trailing slashes, missing and over-long components.
func genPath(r *rand.Rand, names []string) string {
	switch r.IntN(40) {
	case 0:
		return ""
	case 1:
		return "/"
	case 2: // 4095 or 4096 bytes, ending at /a/f
		n := 4095 + r.IntN(2)
		tail := "a/f"
		return "/" + strings.Repeat("./", (n-1-len(tail))/2) + strings.Repeat("/", (n-1-len(tail))%2) + tail
	case 3:
		return "/a/b/c/" + strings.Repeat("n", 255+r.IntN(2))
	case 4:
		return pick(r, []string{"/a/", "/a/f/", "/a/tofile/", "/a/todir/", "/a/f/x", "/a/f/.", "/e/h/..", "/missing/x", "/a/missing/", "/c/l0/", "/m/m19/../m/m19", "/m/m19/../m/m20", "/m/m20/.", "/t/d1/.", "/t/d2/", "a/f", "./a/../a/f", "../../a/f", "/../../a/f", "//a//b//", "/a/abs/../f", "/e/dotdot/a/f", "/e/root/e/root/a", "/a/b/c/up/f"})
	}
	p := pick(r, names)
	var parts []string
	for _, c := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if chance(r, 0.08) {
			parts = append(parts, pick(r, []string{".", "..", "missing", "f", "b"}))
		}
		parts = append(parts, c)
	}
	s := strings.Join(parts, "/")
	if chance(r, 0.1) {
		s = strings.Replace(s, "/", "//", 1)
	}
	if chance(r, 0.85) {
		s = "/" + s
	}
	switch {
	case chance(r, 0.12):
		s += "/"
	case chance(r, 0.05):
		s += "/."
	case chance(r, 0.05):
		s += "/.."
	}
	return s
}

// pathBatch builds a random tree and a batch of walks through it.
func pathBatch(r *rand.Rand, seed uint64) *batch {
	fx, names := genTree(r)
	c := genCred(r)
	if chance(r, 0.3) {
		c = root()
	}
	b := newBatch(fx, c)
	b.seed = seed
	for range 70 {
		p := genPath(r, names)
		b.add("pathwalk/stat", query{Op: opStat, Path: p})
		b.add("pathwalk/stat", query{Op: opLstat, Path: p})
		b.add("pathwalk/chdir", query{Op: opChdir, Path: p})
		b.add("pathwalk/mkdir", query{Op: opMkdir, Path: p})
		b.add("pathwalk/open", query{Op: opOpen, Path: p, Mode: pick(r, []uint32{access.O_RDONLY, access.O_RDONLY | access.O_NOFOLLOW, access.O_RDONLY | access.O_DIRECTORY, access.O_RDWR})})
		b.add("pathwalk/access", query{Op: opAccess, Path: p, Mode: pick(r, []uint32{0, 1, 2, 4})})
		b.add("pathwalk/faccessat2", query{Op: opFaccessat2, Path: p, Mode: pick(r, []uint32{0, 1, 2, 4}),
			Flags: pick(r, []int{access.AT_EACCESS, access.AT_EACCESS | access.AT_SYMLINK_NOFOLLOW, access.AT_SYMLINK_NOFOLLOW})})
		b.add("pathwalk/exec_check", query{Op: opExecCheck, Path: p})
		if chance(r, 0.3) {
			b.add("pathwalk/execve", query{Op: opExecve, Path: p})
		}
	}
	return b
}

// TestOraclePathWalk holds the path resolution of access.Proc (Stat, Lstat,
// Chdir, Open, Access, Faccessat2, OpenExec, Execve, Mkdir) to fs/namei.c,
// with fs.protected_symlinks as the host has it and, when the host has it
// off, once more with it on (the rules differ for a trailing link and for
// the same link followed mid-path, as in mkdir("/sticky/link/.")), so that
// every machine checks both.
func TestOraclePathWalk(t *testing.T) {
	needOracle(t)
	host := protectedSymlinks(t)
	passes := []bool{host}
	if !host {
		passes = append(passes, true)
	}
	for _, protected := range passes {
		t.Run(fmt.Sprintf("protected_symlinks=%v", protected), func(t *testing.T) {
			o := newOracle(t)
			if protected && !o.kernel.ProtectedSymlinks {
				withProtectedSymlinks(t)
				o.kernel.ProtectedSymlinks = true
			}
			o.runSeeded(t, 30, pathBatch)
		})
	}
}
