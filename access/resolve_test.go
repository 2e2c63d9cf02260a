package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// Rules name the torvalds/linux function that decides the row (fs/namei.c,
// fs/open.c, fs/libfs.c, fs/ext4/namei.c, include/linux/namei.h; read in
// mainline 6.1x).

// walkTree is the rootfs every path-walk row runs in.
func walkTree() string {
	var b strings.Builder
	b.WriteString(`
dir /a 0755 0:0
dir /a/b 0755 0:0
file /a/b/f 0755 0:0 elf
symlink /abs /a/b/f
symlink /a/rel ../a/b
symlink /a/b/up ../../../../../a/b/f
symlink /a/b/dotdot ..
dir /noperm 0700 0:0
file /noperm/x 0755 0:0 elf
symlink /loop1 /loop2
symlink /loop2 /loop1
symlink /self self
dir /tmp 1777 0:0
symlink /tmp/ulink /a/b/f 1001:1001
symlink /tmp/rlink /a/b/f 0:0
symlink /tmp/dlink /a 1001:1001
dir /ns 0755 0:0
symlink /ns/in /a/b/f
symlink /into /ns/file
file /ns/file 0644 0:0
mount /ns bind nosymfollow
dir /d 0755 0:0
`)
	// /c1 → /c2 → … → /c40 → /a/b/f: 40 links. /c0 → /c1: 41.
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "symlink /c%d /c%d\n", i, i+1)
	}
	b.WriteString("symlink /c40 /a/b/f\n")
	// /m1 … /m20 → /d: 20 links; /n1 … /n21 → /d: 21.
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "symlink /m%d /m%d\n", i, i+1)
	}
	b.WriteString("symlink /m20 /d\n")
	for i := 1; i < 21; i++ {
		fmt.Fprintf(&b, "symlink /n%d /n%d\n", i, i+1)
	}
	b.WriteString("symlink /n21 /d\n")
	return b.String()
}

type walkRow struct {
	name  string
	op    string // stat, lstat, chdir
	cred  *access.Cred
	cwd   string
	path  string
	want  string // errno name, or "OK <type>" as "OK reg|dir|lnk"
	rule  string
	prot  bool
	cwdTo string // for chdir: the resolved working directory afterwards
}

func TestWalk(t *testing.T) {
	m := rootfs.MustParseFixture(walkTree()).Mem()
	U := user(1001, 1001)
	long := func(n int) string { return strings.Repeat("x", n) }
	// a path of exactly n bytes resolving to /a/b/f
	sized := func(n int) string {
		tail := "a/b/f"
		pad := n - 1 - len(tail)
		return "/" + strings.Repeat("/", pad) + tail
	}
	rows := []walkRow{
		{name: "abs_symlink_resolves_in_root", op: "stat", path: "/abs", want: "OK reg", rule: "namei.c:pick_link: an absolute body restarts at the process root (nd_jump_root)"},
		{name: "lstat_does_not_follow", op: "lstat", path: "/abs", want: "OK lnk", rule: "namei.c:lookup_last: no LOOKUP_FOLLOW"},
		{name: "lstat_trailing_slash_follows", op: "lstat", path: "/a/rel/", want: "OK dir", rule: "namei.c:lookup_last: a trailing slash sets LOOKUP_FOLLOW|LOOKUP_DIRECTORY"},
		{name: "relative_symlink", op: "stat", path: "/a/rel/f", want: "OK reg", rule: "namei.c:pick_link: a relative body continues from the link's directory"},
		{name: "dotdot_clamps_at_root_in_link", op: "stat", path: "/a/b/up", want: "OK reg", rule: "namei.c:follow_dotdot: .. at the process root stays there"},
		{name: "dotdot_clamps_at_root", op: "stat", path: "/../../a/b/f", want: "OK reg", rule: "namei.c:follow_dotdot: .. at the process root stays there"},
		{name: "dotdot_symlink_to_parent", op: "stat", path: "/a/b/dotdot/b/f", want: "OK reg", rule: "namei.c:pick_link: body .. from the link's directory"},
		{name: "search_denied", op: "stat", cred: U, path: "/noperm/x", want: "EACCES", rule: "namei.c:may_lookup: search permission on every directory walked"},
		{name: "search_denied_before_enoent", op: "stat", cred: U, path: "/noperm/missing", want: "EACCES", rule: "namei.c:link_path_walk: may_lookup precedes the lookup"},
		{name: "search_denied_before_enametoolong", op: "stat", cred: U, path: "/noperm/" + long(300), want: "EACCES", rule: "namei.c:link_path_walk: may_lookup precedes the fs's name check"},
		{name: "root_searches_anything", op: "stat", path: "/noperm/x", want: "OK reg", rule: "namei.c:generic_permission: root's CAP_DAC_READ_SEARCH"},
		{name: "missing", op: "stat", path: "/noperm/missing", want: "ENOENT", rule: "namei.c:step_into: a negative dentry"},
		{name: "missing_parent", op: "stat", path: "/missing/x", want: "ENOENT", rule: "namei.c:step_into: a negative dentry mid-path"},
		{name: "empty_path", op: "stat", path: "", want: "ENOENT", rule: "namei.c:getname_flags: empty string without AT_EMPTY_PATH"},
		{name: "file_as_dir", op: "stat", path: "/a/b/f/x", want: "ENOTDIR", rule: "namei.c:link_path_walk: a non-directory followed by more path"},
		{name: "file_trailing_slash", op: "stat", path: "/a/b/f/", want: "ENOTDIR", rule: "namei.c:path_lookupat: LOOKUP_DIRECTORY on a non-directory"},
		{name: "symlink_to_file_trailing_slash", op: "stat", path: "/abs/", want: "ENOTDIR", rule: "namei.c:lookup_last: trailing slash follows and requires a directory"},
		{name: "file_then_long_name", op: "stat", path: "/a/b/f/" + long(300), want: "ENOTDIR", rule: "namei.c:link_path_walk: ENOTDIR before any lookup in a non-directory"},
		{name: "component_255_missing", op: "stat", path: "/" + long(255), want: "ENOENT", rule: "libfs.c:simple_lookup / ext4_lookup: NAME_MAX 255 is allowed"},
		{name: "component_256", op: "stat", path: "/" + long(256), want: "ENAMETOOLONG", rule: "libfs.c:simple_lookup / ext4_lookup: > NAME_MAX"},
		{name: "path_4095", op: "stat", path: sized(4095), want: "OK reg", rule: "namei.c:getname_flags: 4095 bytes + NUL fit PATH_MAX"},
		{name: "path_4096", op: "stat", path: sized(4096), want: "ENAMETOOLONG", rule: "namei.c:getname_flags: PATH_MAX includes the NUL"},
		{name: "loop", op: "stat", path: "/loop1", want: "ELOOP", rule: "namei.c:reserve_stack: loops exhaust MAXSYMLINKS"},
		{name: "self_loop", op: "stat", path: "/self", want: "ELOOP", rule: "namei.c:reserve_stack"},
		{name: "lstat_loop_ok", op: "lstat", path: "/loop1", want: "OK lnk", rule: "namei.c: the final link is not followed"},
		{name: "chain_40_links", op: "stat", path: "/c1", want: "OK reg", rule: "namei.h:MAXSYMLINKS = 40 hops resolve"},
		{name: "chain_41_links", op: "stat", path: "/c0", want: "ELOOP", rule: "namei.c:reserve_stack: the 41st hop is ELOOP"},
		{name: "links_counted_across_components", op: "stat", path: "/m1/../m1", want: "OK dir", rule: "namei.c:reserve_stack: total_link_count is shared by intermediate and trailing links: 20+20"},
		{name: "links_counted_across_components_41", op: "stat", path: "/m1/../n1", want: "ELOOP", rule: "namei.c:reserve_stack: 20+21 hops is ELOOP"},
		{name: "relative_from_cwd", op: "stat", cwd: "/a", path: "b/f", want: "OK reg", rule: "namei.c:path_init: a relative path starts at the cwd"},
		{name: "relative_needs_cwd_search", op: "stat", cred: U, cwd: "/noperm", path: "x", want: "EACCES", rule: "namei.c:may_lookup: a relative path needs search on the cwd"},
		{name: "dot_needs_cwd_search", op: "stat", cred: U, cwd: "/noperm", path: ".", want: "EACCES", rule: "namei.c:link_path_walk: may_lookup for . too"},
		{name: "root_alone_needs_no_search", op: "stat", cred: U, path: "/", want: "OK dir", rule: "namei.c:link_path_walk: \"/\" performs no lookup"},
		{name: "protected_trailing_link_root", op: "stat", path: "/tmp/ulink", prot: true, want: "EACCES", rule: "namei.c:may_follow_link: sticky world-writable dir, link owned by another user, root too"},
		{name: "protected_trailing_link_owner", op: "stat", cred: U, path: "/tmp/ulink", prot: true, want: "OK reg", rule: "namei.c:may_follow_link: the follower owns the link"},
		{name: "protected_link_owned_by_dir_owner", op: "stat", cred: U, path: "/tmp/rlink", prot: true, want: "OK reg", rule: "namei.c:may_follow_link: link owner = directory owner"},
		{name: "protected_intermediate_link", op: "stat", path: "/tmp/dlink/.", prot: true, want: "OK dir", rule: "namei.c:pick_link: may_follow_link only for WALK_TRAILING"},
		{name: "protected_off", op: "stat", path: "/tmp/ulink", want: "OK reg", rule: "fs.protected_symlinks = 0 (the kernel default)"},
		{name: "nosymfollow", op: "stat", path: "/ns/in", want: "ELOOP", rule: "namei.c:pick_link: MNT_NOSYMFOLLOW"},
		{name: "nosymfollow_target_ok", op: "stat", path: "/into", want: "OK reg", rule: "namei.c:pick_link: only links residing on the mount"},
		{name: "chdir_follows", op: "chdir", path: "/a/rel", want: "OK dir", cwdTo: "/a/b", rule: "open.c:chdir: LOOKUP_FOLLOW|LOOKUP_DIRECTORY"},
		{name: "chdir_file", op: "chdir", path: "/a/b/f", want: "ENOTDIR", rule: "open.c:chdir: a regular file"},
		{name: "chdir_needs_search_on_target", op: "chdir", cred: U, path: "/noperm", want: "EACCES", rule: "open.c:chdir: path_permission(MAY_EXEC|MAY_CHDIR)"},
		{name: "chdir_dotdot", op: "chdir", cwd: "/a/b", path: "..", want: "OK dir", cwdTo: "/a", rule: "namei.c:follow_dotdot"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c := r.cred
			if c == nil {
				c = root()
			}
			p := &access.Proc{Cred: c, FS: m, Cwd: r.cwd, Kernel: access.Kernel{ProtectedSymlinks: r.prot}}
			var ino access.Inode
			var err error
			switch r.op {
			case "stat":
				ino, err = p.Stat(r.path)
			case "lstat":
				ino, err = p.Lstat(r.path)
			case "chdir":
				err = p.Chdir(r.path)
				if err == nil {
					ino, err = p.Stat(".")
				}
			}
			got := errName(err)
			if err == nil {
				got = "OK " + map[uint32]string{access.S_IFREG: "reg", access.S_IFDIR: "dir", access.S_IFLNK: "lnk"}[ino.Type()]
			}
			if got != r.want {
				t.Errorf("%s %q = %s, want %s (%v)\nrule: %s", r.op, r.path, got, r.want, err, r.rule)
			}
			if r.cwdTo != "" && p.Cwd != r.cwdTo {
				t.Errorf("cwd after chdir %q = %q, want %q", r.path, p.Cwd, r.cwdTo)
			}
		})
	}
}
