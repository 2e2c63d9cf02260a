//go:build linux

package kernel

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

// The curated table: the kernel's DAC, path-walk, execve and capability
// rules that the oracle can express (and a few found by it), each judged by
// the kernel and by the model against the row's want. A row's rule names the
// torvalds/linux function that decides it (fs/namei.c, fs/open.c, fs/exec.c,
// fs/binfmt_script.c, fs/binfmt_elf.c, fs/posix_acl.c, kernel/capability.c,
// security/commoncap.c; read in mainline 6.1x, run on 6.18), with the commit
// where the rule moved. A row's want is the outcome in the form of
// fullOutcome(): an errno name or "OK"; for execve "ran" or
// "ran/script:ERRNO"; for stat and open "OK MODE UID:GID". For exec_caps
// and capseq rows the want lists the fields that must appear in the
// outcome (of the last step, for capseq), e.g. "OK E=0 A=0".
//
// Not expressible here: a device node on a read-only mount (a FIFO stands
// in), exec of /dev/null, ETXTBSY (it needs a writer while exec runs), a
// #! line's argv beyond the last argument, and installing a seccomp filter
// without CAP_SYS_ADMIN or no_new_privs (not a query).

// A row is one line of the curated table.
type row struct {
	name    string
	fixture string
	cred    credSpec
	seccomp string
	q       query
	want    string
	rule    string
}

var (
	do  = caps.CAP_DAC_OVERRIDE
	drs = caps.CAP_DAC_READ_SEARCH
	fo  = caps.CAP_FOWNER
	// full is the host's full capability set (setExpr prints it so).
	full caps.Set
)

const u, g, g2 = 1000, 1000, 3000

func op(o, p string) query         { return query{Op: o, Path: p} }
func acc(p string, m uint32) query { return query{Op: opAccess, Path: p, Mode: m} }
func eacc(p string, m uint32) query {
	return query{Op: opFaccessat2, Path: p, Mode: m, Flags: access.AT_EACCESS}
}
func open(p string, fl uint32) query { return query{Op: opOpen, Path: p, Mode: fl} }
func goEacc(p string, m uint32) query {
	return query{Op: opGoFaccessat, Path: p, Mode: m, Flags: access.AT_EACCESS}
}
func capseq(steps ...capStep) query    { return query{Op: opCapSeq, Steps: steps} }
func setresuid(r, e, s uint32) capStep { return capStep{Op: "setresuid", R: r, E: e, S: s} }

const (
	rd = access.O_RDONLY
	wr = access.O_WRONLY
)

// chain returns symlinks /c/l0 … /c/l(n-1), each to the next, the last to
// target: /c/l0 is n hops from target.
func chain(dir string, n int, target string) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		next := fmt.Sprintf("%s/l%d", dir, k+1)
		if k == n-1 {
			next = target
		}
		fmt.Fprintf(&b, "symlink %s/l%d %s\n", dir, k, next)
	}
	return b.String()
}

// dirChain returns /mK → /m(K-1) … /m0 → target: /mK is K+1 hops.
func dirChain(n int, target string) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		next := fmt.Sprintf("m%d", k-1)
		if k == 0 {
			next = target
		}
		fmt.Fprintf(&b, "symlink /m%d %s\n", k, next)
	}
	return b.String()
}

func tableRows() []row {
	full = hostCaps.full
	nsRoot.E, nsRoot.P, nsRoot.B = full, full, full
	U := user(u, g)
	probe := "file /bin/probe 0755 0:0 elf\n"
	long := strings.Repeat("n", 300)
	p4095 := "/" + strings.Repeat("./", (4095-1-len("a/f"))/2) + "a/f"
	p4096 := "/" + strings.Repeat("./", (4096-1-len("a/f"))/2) + "/a/f"
	return []row{
		// DAC and ACLs: fs/namei.c:acl_permission_check, fs/posix_acl.c.
		{"owner_class_only_0077", "file /d/f 0077 1000:1000", U, "", open("/d/f", rd), "EACCES", "namei.c:acl_permission_check: the owner bits alone decide"},
		{"group_member_judged_by_group_bits", "file /d/f 0604 0:3000", user(u, g, g2), "", open("/d/f", rd), "EACCES", "acl_permission_check: in_group_p selects the group bits"},
		{"non_member_judged_by_other_bits", "file /d/f 0604 0:3000", U, "", open("/d/f", rd), "OK 0100604 0:3000", "acl_permission_check: other bits"},
		{"fsgid_is_a_group", "file /d/f 0640 0:3000", user(u, g2), "", open("/d/f", rd), "OK 0100640 0:3000", "groups.c:in_group_p: gid == fsgid"},
		{"acl_mask_none_skips_acl_read", "file /d/f 0644 0:0 acl=u::rw-,u:1000:rwx,g::r--,m::---,o::r--", U, "", acc("/d/f", access.R_OK), "OK", "acl_permission_check: ACL only if the mode's group bits (the mask) are non-zero"},
		{"acl_mask_none_skips_acl_write", "file /d/f 0644 0:0 acl=u::rw-,u:1000:rwx,g::r--,m::---,o::r--", U, "", acc("/d/f", access.W_OK), "EACCES", "acl_permission_check: other bits r-- after the ACL is skipped"},
		{"acl_named_user_denies", "file /d/f 0604 0:0 acl=u::rw-,u:1000:---,g::---,m::rwx,o::r--", U, "", acc("/d/f", access.R_OK), "EACCES", "posix_acl.c:posix_acl_permission: the first matching ACL_USER decides"},
		{"acl_group_entries_not_unioned_rx", "file /d/f 0700 0:0 acl=u::rwx,g::---,g:1000:rw-,g:1001:r-x,m::rwx,o::---", user(2000, 2000, 1000, 1001), "", eacc("/d/f", 5), "OK", "posix_acl_permission: one group entry must hold all of want"},
		{"acl_group_entries_not_unioned_rwx", "file /d/f 0700 0:0 acl=u::rwx,g::---,g:1000:rw-,g:1001:r-x,m::rwx,o::---", user(2000, 2000, 1000, 1001), "", eacc("/d/f", 7), "EACCES", "posix_acl_permission: bits are never unioned across entries"},
		{"acl_mask_applies_to_named_group", "file /d/f 0700 0:0 acl=u::rwx,g::---,g:1000:rw-,g:1001:r-x,m::r--,o::---", user(2000, 2000, 1001), "", eacc("/d/f", 5), "EACCES", "posix_acl_permission: the mask applies to named groups"},
		{"acl_mask_read_ok", "file /d/f 0700 0:0 acl=u::rwx,g::---,g:1000:rw-,g:1001:r-x,m::r--,o::---", user(2000, 2000, 1001), "", eacc("/d/f", 4), "OK", "posix_acl_permission: r-x & r-- holds r"},
		{"acl_matched_group_denies_over_other", "file /d/f 0707 0:0 acl=u::rwx,g::---,g:3000:---,m::rwx,o::rwx", user(u, g, g2), "", eacc("/d/f", 4), "EACCES", "posix_acl_permission: a matching group entry that grants nothing denies"},
		{"acl_no_group_match_uses_other", "file /d/f 0707 0:0 acl=u::rwx,g::---,g:3000:---,m::rwx,o::rwx", U, "", eacc("/d/f", 4), "OK", "posix_acl_permission: nothing matched, OTHER unmasked"},
		// Capability overrides: fs/namei.c:generic_permission.
		{"dac_read_search_reads", "file /d/f 0000 0:0", U.with(drs), "", open("/d/f", rd), "OK 0100000 0:0", "namei.c:generic_permission: DAC_READ_SEARCH grants MAY_READ"},
		{"dac_read_search_no_write", "file /d/f 0000 0:0", U.with(drs), "", open("/d/f", wr), "EACCES", "generic_permission: DAC_READ_SEARCH never grants write"},
		{"dac_read_search_no_exec", "file /d/f 0000 0:0", U.with(drs), "", eacc("/d/f", 1), "EACCES", "generic_permission: DAC_READ_SEARCH never grants exec"},
		{"dac_read_search_chdir", "dir /d/x 0000 0:0", U.with(drs), "", op(opChdir, "/d/x"), "OK", "generic_permission: DAC_READ_SEARCH grants directory search"},
		{"dac_read_search_inside", "dir /d/x 0000 0:0\nfile /d/x/f 0644 0:0", U.with(drs), "", open("/d/x/f", rd), "OK 0100644 0:0", "may_lookup: search on a 000 directory with DAC_READ_SEARCH"},
		{"dac_override_reads_writes", "file /d/f 0000 0:0", U.with(do), "", open("/d/f", access.O_RDWR), "OK 0100000 0:0", "generic_permission: DAC_OVERRIDE grants read and write"},
		{"dac_override_no_exec_without_x", "file /d/f 0000 0:0 elf", U.with(do), "", op(opExecve, "/d/f"), "EACCES", "generic_permission: exec needs some x bit even with DAC_OVERRIDE"},
		{"dac_override_exec_with_owner_x", probe + "file /d/f 0100 0:0 elf", U.with(do), "", op(opExecve, "/d/f"), "ran", "generic_permission: DAC_OVERRIDE execs a file with any x bit"},
		{"root_no_exec_without_x", "file /d/f 0644 0:0 elf", root(), "", op(opExecve, "/d/f"), "EACCES", "generic_permission: no x bit, no exec, even for root"},
		{"root_access_x_without_x", "file /d/f 0000 0:0 elf", root(), "", acc("/d/f", access.X_OK), "EACCES", "generic_permission via do_faccessat"},
		{"fowner_no_read", "file /d/f 0000 0:0", U.with(fo), "", open("/d/f", rd), "EACCES", "namei.c:generic_permission never consults FOWNER"},
		{"fowner_no_chdir", "dir /d/x 0000 0:0", U.with(fo), "", op(opChdir, "/d/x"), "EACCES", "generic_permission"},
		{"fowner_no_exec", "file /d/f 0000 0:0 elf", U.with(fo), "", op(opExecCheck, "/d/f"), "EACCES", "generic_permission"},
		{"fowner_chmod", "file /d/f 0000 0:0", U.with(fo), "", op(opChmod, "/d/f"), "OK", "fs/inode.c:inode_owner_or_capable: CAP_FOWNER"},
		{"non_owner_chmod", "file /d/f 0777 0:0", U, "", op(opChmod, "/d/f"), "EPERM", "fs/attr.c:setattr_prepare: not the owner"},
		// access(2) vs faccessat2(AT_EACCESS): fs/open.c:do_faccessat.
		{"access_drops_caps_for_nonroot", "file /d/f 0000 0:0", U.with(do), "", acc("/d/f", access.R_OK), "EACCES", "open.c:access_override_creds: real uid ≠ 0 clears E"},
		{"eaccess_keeps_caps", "file /d/f 0000 0:0", U.with(do), "", eacc("/d/f", access.R_OK), "OK", "do_faccessat with AT_EACCESS keeps E"},
		{"access_root_gets_permitted", "file /d/f 0000 0:0", user(0, 0).caps(0, full), "", acc("/d/f", access.R_OK), "OK", "access_override_creds: real uid 0 gets E := P"},
		{"eaccess_root_without_effective", "file /d/f 0000 0:0", user(0, 0).caps(0, full), "", eacc("/d/f", access.R_OK), "EACCES", "open.c:do_faccessat: AT_EACCESS uses the empty E"},
		{"access_uses_real_gid", "file /d/f 0040 0:3000", user(u, g).ids(u, u, u, g, g2, g), "", acc("/d/f", access.R_OK), "EACCES", "access_override_creds: fsgid := real gid"},
		{"noexec_exec", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/f 0755 0:0 elf", root(), "", op(opExecve, "/nx/f"), "EACCES", "namei.c:may_open: path_noexec"},
		{"noexec_access_x", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/f 0755 0:0 elf", root(), "", acc("/nx/f", access.X_OK), "EACCES", "do_faccessat: X_OK on a regular file of a noexec mount"},
		{"noexec_eaccess_x", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/f 0755 0:0 elf", root(), "", eacc("/nx/f", access.X_OK), "EACCES", "do_faccessat"},
		{"noexec_dir_chdir", "mount /nx tmpfs 0755 0:0 noexec\ndir /nx/d 0755 0:0", root(), "", op(opChdir, "/nx/d"), "OK", "open.c:chdir: noexec does not stop search"},
		{"noexec_dir_access_x", "mount /nx tmpfs 0755 0:0 noexec\ndir /nx/d 0755 0:0", root(), "", acc("/nx/d", access.X_OK), "OK", "do_faccessat: only regular files"},
		{"ro_sb_access_w", "mount /ro tmpfs 0755 0:0 ro\nfile /ro/f 0666 0:0", U, "", acc("/ro/f", access.W_OK), "EROFS", "namei.c:sb_permission"},
		{"ro_sb_open_w", "mount /ro tmpfs 0755 0:0 ro\nfile /ro/f 0666 0:0", U, "", open("/ro/f", wr), "EROFS", "sb_permission via may_open"},
		{"ro_sb_before_dac", "mount /ro tmpfs 0755 0:0 ro\nfile /ro/f 0755 0:0", U, "", acc("/ro/f", access.W_OK), "EROFS", "namei.c:inode_permission: sb_permission precedes DAC"},
		{"ro_bind_dac_first", "dir /b 0755 0:0\nfile /b/f 0755 0:0\nmount /b bind ro", U, "", acc("/b/f", access.W_OK), "EACCES", "do_faccessat: __mnt_is_readonly after inode_permission"},
		{"ro_bind_writable", "dir /b 0755 0:0\nfile /b/f 0666 0:0\nmount /b bind ro", U, "", acc("/b/f", access.W_OK), "EROFS", "do_faccessat: EROFS once DAC passed"},
		{"ro_sb_fifo_no_erofs", "mount /ro tmpfs 0755 0:0 ro\nfifo /ro/p 0666 0:0", U, "", acc("/ro/p", access.W_OK), "OK", "sb_permission and do_faccessat skip FIFOs (and device nodes)"},
		{"faccessat2_bad_flags", "file /d/f 0644 0:0", U, "", query{Op: opFaccessat2, Path: "/d/f", Mode: 4, Flags: 0x400}, "EINVAL", "do_faccessat: unknown flags"},
		{"faccessat2_bad_mode", "file /d/f 0644 0:0", U, "", query{Op: opFaccessat2, Path: "/d/f", Mode: 8, Flags: access.AT_EACCESS}, "EINVAL", "do_faccessat: mode & ~7"},
		// The path walk: fs/namei.c.
		{"path_4095_bytes", "file /a/f 0644 0:0", root(), "", op(opStat, p4095), "OK 0100644 0:0", "namei.c:getname_flags: < PATH_MAX with the NUL"},
		{"path_4096_bytes", "file /a/f 0644 0:0", root(), "", op(opStat, p4096), "ENAMETOOLONG", "getname_flags: PATH_MAX bytes"},
		{"component_255_missing", "dir /a 0755 0:0", root(), "", op(opStat, "/a/"+strings.Repeat("n", 255)), "ENOENT", "libfs.c:simple_lookup: NAME_MAX is fine"},
		{"component_256", "dir /a 0755 0:0", root(), "", op(opStat, "/a/"+strings.Repeat("n", 256)), "ENAMETOOLONG", "simple_lookup: > NAME_MAX"},
		{"long_component_under_000", "dir /a 0000 0:0", U, "", op(opStat, "/a/"+long), "EACCES", "may_lookup precedes the fs name limit"},
		{"long_component_under_file", "file /a 0644 0:0", U, "", op(opStat, "/a/"+long), "ENOTDIR", "link_path_walk: not a directory"},
		{"chain_40_links", probe + chain("/c", 40, "/bin/probe"), root(), "", op(opExecve, "/c/l0"), "ran", "namei.c:reserve_stack: MAXSYMLINKS = 40"},
		{"chain_41_links", probe + chain("/c", 40, "/bin/probe") + "symlink /c/over /c/l0", root(), "", op(opExecve, "/c/over"), "ELOOP", "reserve_stack: the 41st link"},
		{"dir_chains_20_20", "dir /a 0755 0:0\n" + dirChain(21, "/a"), root(), "", op(opChdir, "/m19/../m19"), "OK", "namei.c:reserve_stack: total_link_count shared by intermediate and trailing links"},
		{"dir_chains_20_21", "dir /a 0755 0:0\n" + dirChain(21, "/a"), root(), "", op(opChdir, "/m19/../m20"), "ELOOP", "reserve_stack: 20+21 links"},
		{"loop_exec", "symlink /a /b\nsymlink /b /a", root(), "", op(opExecve, "/a"), "ELOOP", "reserve_stack: a symlink loop"},
		{"loop_chdir", "symlink /a /b\nsymlink /b /a", root(), "", op(opChdir, "/a"), "ELOOP", "reserve_stack: a symlink loop"},
		{"absolute_symlink_in_root", "file /bin/sc 0755 0:0 elf\nsymlink /a/abs /bin/sc", root(), "", op(opStat, "/a/abs"), "OK 0100755 0:0", "nd_jump_root: absolute bodies restart at the process root"},
		{"dotdot_stops_at_root", "file /bin/sc 0755 0:0 elf\nsymlink /a/b/rel ../../../../../bin/sc", root(), "", op(opStat, "/a/b/rel"), "OK 0100755 0:0", "follow_dotdot: .. at the root stays"},
		{"file_slash_x", "file /f 0755 0:0 elf", root(), "", op(opExecve, "/f/x"), "ENOTDIR", "link_path_walk"},
		{"file_trailing_slash_exec", "file /f 0755 0:0 elf", root(), "", op(opExecve, "/f/"), "ENOTDIR", "do_open: LOOKUP_DIRECTORY from the trailing slash"},
		{"link_to_file_trailing_slash", "file /f 0755 0:0 elf\nsymlink /l /f", root(), "", op(opChdir, "/l/"), "ENOTDIR", "namei.c:path_lookupat: a trailing slash follows and requires a directory"},
		{"missing_x", "", root(), "", op(opExecve, "/missing/x"), "ENOENT", "walk_component"},
		{"missing", "", root(), "", op(opChdir, "/missing"), "ENOENT", "namei.c:walk_component: no such entry"},
		{"empty_path", "", root(), "", op(opChdir, ""), "ENOENT", "getname_flags: empty path"},
		{"protected_link_root", probe + "dir /t 1777 0:0\nsymlink /t/l /bin/probe 1000:1000", root(), "", op(opExecve, "/t/l"), "EACCES", "namei.c:may_follow_link (fs.protected_symlinks=1)"},
		{"protected_link_owner", probe + "dir /t 1777 0:0\nsymlink /t/l /bin/probe 1000:1000", U, "", op(opExecve, "/t/l"), "ran", "may_follow_link: follower owns the link"},
		{"protected_link_intermediate", "dir /a 0755 0:0\ndir /t 1777 0:0\nsymlink /t/l /a 1000:1000", root(), "", op(opChdir, "/t/l/."), "OK", "may_follow_link: trailing links only"},
		// mkdir's parent walk follows the link mid-path: LAST_DOT and
		// LAST_DOTDOT are EEXIST (filename_create), and may_follow_link is
		// pick_link's only with WALK_TRAILING (Linux 6.18.44 reported EEXIST
		// where the model said EACCES; fs/namei.c@v6.18).
		{"protected_link_mkdir_dot", "dir /a 0777 0:0\ndir /t 1777 0:0\nsymlink /t/l /a 1000:1000", user(65534, 65534), "", op(opMkdir, "/t/l/."), "EEXIST", "namei.c:filename_create: type != LAST_NORM is EEXIST; the mid-path link is not may_follow_link's"},
		{"protected_link_mkdir_dotdot", "dir /a 0777 0:0\ndir /t 1777 0:0\nsymlink /t/l /a 1000:1000", user(65534, 65534), "", op(opMkdir, "/t/l/.."), "EEXIST", "namei.c:filename_create: LAST_DOTDOT is EEXIST"},
		{"protected_link_mkdir_through", "dir /a 0777 0:0\ndir /t 1777 0:0\nsymlink /t/l /a 1000:1000", user(65534, 65534), "", op(opMkdir, "/t/l/x"), "OK", "namei.c:link_path_walk: walk_component(WALK_MORE) follows without may_follow_link"},
		{"protected_link_mkdir_trailing", "dir /a 0777 0:0\ndir /t 1777 0:0\nsymlink /t/l /a 1000:1000", user(65534, 65534), "", op(opMkdir, "/t/l/"), "EEXIST", "namei.c:filename_create: the last component is looked up, not followed"},
		{"protected_dotdot_link_mkdir", "dir /e 1777 65534:1000\nsymlink /e/dotdot .. 0:0", user(1000, 1000), "", op(opMkdir, "e/dotdot/."), "EEXIST", "namei.c:filename_create: a relative path through a protected '..' link"},
		{"chain_trailing_slash_on_file", probe + chain("/c", 40, "/bin/probe"), U, "", op(opStat, "/c/l11/"), "ENOTDIR", "namei.c:path_lookupat: 29 links, then LOOKUP_DIRECTORY on a file (an ELOOP here is a restarted RCU walk counting links twice; see runStable)"},
		{"nosymfollow_exec", probe + "mount /sf tmpfs 0755 0:0 nosymfollow\nsymlink /sf/l /bin/probe", root(), "", op(opExecve, "/sf/l"), "ELOOP", "pick_link: MNT_NOSYMFOLLOW"},
		{"nosymfollow_chdir", "dir /a 0755 0:0\nmount /sf tmpfs 0755 0:0 nosymfollow\nsymlink /sf/l /a", root(), "", op(opChdir, "/sf/l/."), "ELOOP", "pick_link: intermediate too"},
		{"nosymfollow_elsewhere", "mount /sf tmpfs 0755 0:0 nosymfollow\ndir /sf/d 0755 0:0\nsymlink /l /sf/d", root(), "", op(opChdir, "/l"), "OK", "pick_link: a link elsewhere pointing into a nosymfollow mount"},
		{"chdir_no_search", "dir /d/x 0644 0:0", U, "", op(opChdir, "/d/x"), "EACCES", "open.c:chdir: MAY_EXEC|MAY_CHDIR"},
		{"chdir_file", "file /f 0644 0:0", root(), "", op(opChdir, "/f"), "ENOTDIR", "open.c:chdir: LOOKUP_DIRECTORY"},
		// execve: fs/exec.c, fs/binfmt_script.c, fs/binfmt_elf.c.
		{"exec_dir", "dir /d/x 0755 0:0", root(), "", op(opExecve, "/d/x"), "EACCES", "may_open: a directory with MAY_EXEC"},
		{"exec_fifo", "fifo /d/p 0777 0:0", root(), "", op(opExecve, "/d/p"), "EACCES", "may_open: a FIFO with MAY_EXEC"},
		{"exec_only_elf", "file /d/f 0711 0:0 elf", U, "", op(opExecve, "/d/f"), "ran", "prepare_binprm reads the header itself: no read permission needed"},
		{"exec_empty", "file /d/f 0755 0:0", root(), "", op(opExecve, "/d/f"), "ENOEXEC", "search_binary_handler: no handler"},
		{"exec_text", `file /d/f 0755 0:0 text="hello\n"`, root(), "", op(opExecve, "/d/f"), "ENOEXEC", "exec.c:search_binary_handler: no handler"},
		{"exec_elf_magic_zeros", `file /d/f 0755 0:0 text="\x7fELF` + strings.Repeat(`\x00`, 60) + `"`, root(), "", op(opExecve, "/d/f"), "ENOEXEC", "binfmt_elf.c:load_elf_binary"},
		{"exec_elf_truncated", `file /d/f 0755 0:0 text="\x7fELF\x02\x01\x01\x00\x00\x00"`, root(), "", op(opExecve, "/d/f"), "ENOEXEC", "load_elf_binary"},
		{"exec_aarch64", "file /d/f 0755 0:0 elf=aarch64", root(), "", op(opExecve, "/d/f"), "ENOEXEC", "load_elf_binary: elf_check_arch"},
		{"interp_missing", "file /d/f 0755 0:0 interp=/missing", root(), "", op(opExecve, "/d/f"), "ENOENT", "load_elf_binary: open_exec(PT_INTERP)"},
		{"interp_0644", "file /lib/ld 0644 0:0 elf\nfile /d/f 0755 0:0 interp=/lib/ld", root(), "", op(opExecve, "/d/f"), "EACCES", "open_exec: no x bit"},
		{"interp_noexec", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/ld 0755 0:0 elf\nfile /d/f 0755 0:0 interp=/nx/ld", root(), "", op(opExecve, "/d/f"), "EACCES", "open_exec: noexec"},
		{"interp_dir", "dir /lib/ld 0755 0:0\nfile /d/f 0755 0:0 interp=/lib/ld", root(), "", op(opExecve, "/d/f"), "EACCES", "open_exec: a directory"},
		{"interp_file_slash", "file /lib/ld 0755 0:0 elf\nfile /d/f 0755 0:0 interp=/lib/ld/", root(), "", op(opExecve, "/d/f"), "ENOTDIR", "open_exec: trailing slash"},
		{"interp_short", `file /lib/ld 0755 0:0 text="abc"` + "\nfile /d/f 0755 0:0 interp=/lib/ld", root(), "", op(opExecve, "/d/f"), "EIO", "load_elf_binary: short loader header"},
		{"interp_not_elf", `file /lib/ld 0755 0:0 text="` + strings.Repeat("not an elf ", 7) + `"` + "\nfile /d/f 0755 0:0 interp=/lib/ld", root(), "", op(opExecve, "/d/f"), "ELIBBAD", "load_elf_binary: loader not ELF"},
		{"interp_wrong_arch", "file /lib/ld 0755 0:0 elf=aarch64\nfile /d/f 0755 0:0 interp=/lib/ld", root(), "", op(opExecve, "/d/f"), "ELIBBAD", "load_elf_binary: loader of another machine"},
		{"interp_relative_found", "file /lib/ld 0755 0:0 elf\nfile /d/f 0755 0:0 interp=lib/ld", root(), "", op(opExecve, "/d/f"), "ran", "open_exec of a relative PT_INTERP resolves from the cwd (/)"},
		{"interp_negative_offset", "file /d/f 0755 0:0 " + patchedELF(func(b []byte) { putPhdr(b, 0, 8, ^uint64(0)-27) }), root(), "", op(opExecve, "/d/f"), "EINVAL", "load_elf_binary: elf_read of PT_INTERP at p_offset < 0: kernel_read's rw_verify_area refuses a negative pos (found by FuzzExecve)"},
		{"phdrs_negative_offset", "file /d/f 0755 0:0 " + patchedELF(func(b []byte) { binary.LittleEndian.PutUint64(b[32:], ^uint64(0)-63) }), root(), "", op(opExecve, "/d/f"), "ENOEXEC", "load_elf_phdrs: elf_read at e_phoff < 0 fails (EINVAL), but load_elf_binary answers -ENOEXEC"},
		{"interp_relative_missing", "file /lib/ld 0755 0:0 elf\nfile /d/f 0755 0:0 interp=ld", root(), "", op(opExecve, "/d/f"), "ENOENT", "load_elf_binary: open_exec of a relative PT_INTERP missing from the cwd"},
		{"shebang_crlf", probe + `file /d/s 0755 0:0 text="#!/bin/probe\r\n"`, root(), "", op(opExecve, "/d/s"), "ENOENT", "binfmt_script.c:load_script: \\r is part of the name"},
		{"shebang_empty_newline", `file /d/s 0755 0:0 text="#!\n"`, root(), "", op(opExecve, "/d/s"), "ENOEXEC", "load_script: no interpreter name"},
		{"shebang_blanks_newline", `file /d/s 0755 0:0 text="#!  \t\n"`, root(), "", op(opExecve, "/d/s"), "ENOEXEC", "load_script"},
		{"shebang_empty_no_newline", `file /d/s 0755 0:0 text="#!"`, root(), "", op(opExecve, "/d/s"), "EACCES", "load_script: without a newline the NUL padding ends an empty name; open_exec(\"\") (getname_kernel allows it) opens the cwd, a directory: may_open EACCES"},
		{"shebang_blanks_no_newline", `file /d/s 0755 0:0 text="#!  \t"`, root(), "", op(opExecve, "/d/s"), "EACCES", "load_script: as shebang_empty_no_newline"},
		{"shebang_truncated_path", `file /d/s 0755 0:0 text="#!/` + strings.Repeat("y", 272) + `"`, root(), "", op(opExecve, "/d/s"), "ENOEXEC", "load_script: no newline and no blank (5.0, b5372fe5dc84)"},
		{"shebang_argument", probe + `file /d/s 0755 0:0 text="#!/bin/probe  -a  b c \t\n"`, root(), "", op(opExecve, "/d/s"), "ran", "load_script: one argument; the probe opens the script"},
		{"script_interp_missing", "file /d/s 0755 0:0 script=/missing", root(), "", op(opExecve, "/d/s"), "ENOENT", "load_script: open_exec(interpreter)"},
		{"script_interp_0644", "file /bin/sh 0644 0:0 elf\nfile /d/s 0755 0:0 script=/bin/sh", root(), "", op(opExecve, "/d/s"), "EACCES", "load_script: open_exec(interpreter) as for execve"},
		{"script_interp_noexec", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/sh 0755 0:0 elf\nfile /d/s 0755 0:0 script=/nx/sh", root(), "", op(opExecve, "/d/s"), "EACCES", "load_script: open_exec(interpreter) as for execve"},
		{"script_interp_dir", "dir /bin/sh 0755 0:0\nfile /d/s 0755 0:0 script=/bin/sh", root(), "", op(opExecve, "/d/s"), "EACCES", "load_script: open_exec(interpreter) as for execve"},
		{"script_interp_relative", probe + "file /d/s 0755 0:0 script=bin/probe", root(), "", op(opExecve, "/d/s"), "ran", "open_exec resolves a relative interpreter from the cwd"},
		{"scripts_nested_5", probe + scriptChain5(5), root(), "", op(opExecve, "/s/s1"), "ran", "exec.c:exec_binprm: depth 5 is allowed"},
		{"scripts_nested_6", probe + scriptChain5(6), root(), "", op(opExecve, "/s/s1"), "ELOOP", "exec_binprm: depth > 5"},
		{"script_exec_only", probe + "file /d/s 0711 0:0 script=/bin/probe", U, "", op(opExecve, "/d/s"), "ran/script:EACCES", "binfmt_script.c:load_script: the interpreter opens the script with the new creds"},
		{"script_on_noexec", probe + "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/s 0755 0:0 script=/bin/probe", root(), "", op(opExecve, "/nx/s"), "EACCES", "may_open: the script itself on noexec"},
		// Capabilities across execve (exec_caps: the test binary reports):
		// security/commoncap.c.
		{"exec_ambient_kept", "file /c/b 0755 0:0 elf", U.with(do).inh(caps.Of(do)).amb(caps.Of(do)), "", op(opExecCaps, "/c/b"), "OK uid=1000/1000/1000/1000 E=caps.Of(caps.CAP_DAC_OVERRIDE) P=caps.Of(caps.CAP_DAC_OVERRIDE) A=caps.Of(caps.CAP_DAC_OVERRIDE)", "commoncap.c:cap_bprm_creds_from_file: pE' = pP' = pA'"},
		{"exec_no_ambient_drops", "file /c/b 0755 0:0 elf", U.with(do), "", op(opExecCaps, "/c/b"), "OK E=0 P=0", "cap_bprm_creds_from_file: non-root plain file keeps only A"},
		{"exec_file_caps_ep", "file /c/b 0755 0:0 elf caps=CAP_DAC_OVERRIDE+ep", U, "", op(opExecCaps, "/c/b"), "OK E=caps.Of(caps.CAP_DAC_OVERRIDE) P=caps.Of(caps.CAP_DAC_OVERRIDE) A=0", "get_file_caps: pP' = B ∩ fP, fE"},
		{"exec_file_caps_ep_bounding", "file /c/b 0755 0:0 elf caps=CAP_DAC_OVERRIDE+ep", U.bnd(full.Without(do)), "", op(opExecCaps, "/c/b"), "EPERM", "bprm_caps_from_vfs_caps: fE with fP not granted (2.6.27, 5459c164f059)"},
		{"exec_file_caps_p_bounding", "file /c/b 0755 0:0 elf caps=CAP_DAC_OVERRIDE+p", U.bnd(full.Without(do)), "", op(opExecCaps, "/c/b"), "OK E=0 P=0", "bprm_caps_from_vfs_caps: without fE the shortfall is silent"},
		{"exec_nosuid_ignores_all", "mount /ns tmpfs 0755 0:0 nosuid\nfile /ns/b 4755 0:0 elf caps=CAP_DAC_OVERRIDE+ep", U, "", op(opExecCaps, "/ns/b"), "OK uid=1000/1000/1000/1000 E=0 P=0", "mnt_may_suid: nosuid ignores setuid bits and file caps"},
		{"exec_setuid_root", "file /c/b 4755 0:0 elf", U, "", op(opExecCaps, "/c/b"), "OK uid=1000/0/0/0 E=full P=full", "handle_privileged_root: euid 0 → pP' = B ∪ I, fE"},
		{"exec_root_without_effective", "file /c/b 0755 0:0 elf", user(0, 0).caps(0, full).inh(caps.Of(do)), "", op(opExecCaps, "/c/b"), "OK E=full P=full", "handle_privileged_root: uid 0 gets B ∪ I"},
		{"exec_thread_creds_inherited", "file /c/b 0755 0:0 elf", user(2000, 3000, 1001).ids(2000, 1001, 2000, 3000, 1000, 3000), "", op(opExecCaps, "/c/b"), "OK uid=2000/1001/1001/1001 gid=3000/1000/1000/1000 groups=[1001]", "syscall.ForkExec from a locked thread runs execve with that thread's credentials"},
		{"exec_nnp_keeps_other_euid", "file /c/b 0755 0:0 elf", user(65534, 0).ids(65534, 2000, 65534, 0, 0, 0).nnp(), "", op(opExecCaps, "/c/b"), "OK uid=65534/2000/2000/2000", "commoncap.c:cap_bprm_creds_from_file id_changed (Linux 6.17, 337490f0007f 'exec: Correct the permission check for unsafe exec'): euid ≠ ruid is not a change"},
		{"exec_ambient_kept_egid_in_groups", "file /c/b 0755 0:0 elf", user(2000, 1000, 1000).ids(2000, 2000, 2000, 1000, 0, 1000).with(drs).inh(caps.Of(drs)).amb(caps.Of(drs)), "", op(opExecCaps, "/c/b"), "OK gid=1000/0/0/0 A=caps.Of(caps.CAP_DAC_READ_SEARCH)", "cap_bprm_creds_from_file id_changed (6.17) = !in_group_p(new egid): egid ≠ rgid keeps A"},
		// setresuid, capset, prctl: security/commoncap.c, kernel/sys.c.
		{"setresuid_drops_all", "", root().inh(caps.Of(do)).amb(caps.Of(do)), "", capseq(setresuid(u, u, u)), "OK E=0 P=0 A=0", "commoncap.c:cap_emulate_setxuid"},
		{"setresuid_keepcaps_keeps_p", "", root().keep(), "", capseq(setresuid(u, u, u)), "OK E=0 P=full A=0", "cap_emulate_setxuid: KEEP_CAPS keeps P, never E"},
		{"capset_p_grow", "", U.with(do).keep(), "", capseq(capStep{Op: "capset", Eff: 0, Perm: caps.Of(do, drs)}), "EPERM", "cap_capset: new P ⊆ old P"},
		{"capset_e_outside_p", "", U.with(do).keep(), "", capseq(capStep{Op: "capset", Eff: caps.Of(do, drs), Perm: caps.Of(do)}), "EPERM", "cap_capset: new E ⊆ new P"},
		{"capset_i_outside", "", U.with(do).keep(), "", capseq(capStep{Op: "capset", Eff: caps.Of(do), Perm: caps.Of(do), Inh: caps.Of(drs)}), "EPERM", "cap_capset: new I ⊆ old I ∪ old P without SETPCAP"},
		{"ambient_needs_inheritable", "", U.with(do), "", capseq(capStep{Op: "ambient_raise", Cap: do}), "EPERM", "cap_task_prctl: PR_CAP_AMBIENT_RAISE needs P and I"},
		{"setresuid_unprivileged", "", U, "", capseq(setresuid(0, 0, 0)), "EPERM", "kernel/sys.c:__sys_setresuid: CAP_SETUID or an old id"},
		{"bset_drop_needs_setpcap", "", U.with(do), "", capseq(capStep{Op: "bset_drop", Cap: do}), "EPERM", "cap_prctl_drop: CAP_SETPCAP"},
		// Go's syscall.Faccessat emulation (golang/go
		// src/syscall/syscall_linux.go:Faccessat@go1.21.13).
		{"go_emulation_dac_override_as_root", "file /d/f 0744 0:0 elf", U.with(do), seccompENOSYS, goEacc("/d/f", access.X_OK), "OK", "Go ≥1.20.2 syscall.Faccessat: isCapDacOverrideSet → uid 0, X if any x bit"},
		{"go_emulation_ignores_acl", "file /d/f 0604 0:0 acl=u::rw-,u:1000:---,g::---,m::rwx,o::r--", U, seccompEPERM, goEacc("/d/f", access.R_OK), "OK", "Go syscall.Faccessat emulation ignores ACLs: other r-- grants what ACL_USER --- denies"},
		{"go_emulation_ignores_noexec", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/f 0755 0:0 elf", root(), seccompENOSYS, goEacc("/nx/f", access.X_OK), "OK", "Go emulation: mode bits only, noexec ignored"},
		{"go_faccessat2_when_allowed", "mount /nx tmpfs 0755 0:0 noexec\nfile /nx/f 0755 0:0 elf", root(), "", goEacc("/nx/f", access.X_OK), "EACCES", "Go syscall.Faccessat: faccessat2 answers when not filtered"},
		{"faccessat2_filtered", "file /d/f 0755 0:0", U, seccompEPERM, eacc("/d/f", access.X_OK), "EPERM", "seccomp RET_ERRNO answers before the kernel looks"},
		// Capabilities in a user namespace (kernel ids 100000… are its 0…):
		// kernel/capability.c:capable_wrt_inode_uidgid.
		{"userns_root_unmapped_owner", "file /d/f 0600 1000:1000", nsRoot, "", open("/d/f", rd), "EACCES", "capability.c:capable_wrt_inode_uidgid: the inode's uid must be mapped"},
		{"userns_root_unmapped_group", "file /d/f 0000 100000:1000", nsRoot, "", open("/d/f", rd), "EACCES", "capable_wrt_inode_uidgid: and its gid (3.16, 23adbe12ef7d)"},
		{"userns_root_mapped", "file /d/f 0000 100000:100000", nsRoot, "", open("/d/f", rd), "OK 0100000 0:0", "capable_wrt_inode_uidgid: both mapped, DAC_OVERRIDE applies; stat shows namespace ids"},
		{"userns_unmapped_is_overflow", "file /d/f 0644 65534:65534", nsRoot.ids(165534, 165534, 165534, 100000, 100000, 100000), "", open("/d/f", rd), "OK 0100644 65534:65534", "unmapped ids read as the overflow id, but are not the namespace's 65534"},
		{"userns_overflow_not_owner", "file /d/f 0600 65534:65534", user(165534, 165534).in(userns100k), "", open("/d/f", rd), "EACCES", "the namespace's uid 65534 (kernel 165534) does not own the kernel's 65534"},
		{"userns_access_root_is_ns_root", "file /d/f 0000 100000:100000", nsRoot.caps(0, full), "", acc("/d/f", access.R_OK), "OK", "access_override_creds: \"root\" is uid 0 of the caller's namespace"},
		{"userns_fowner_needs_mapped_uid", "file /d/f 0644 1000:100000", nsRoot, "", op(opChmod, "/d/f"), "EPERM", "inode_owner_or_capable: CAP_FOWNER needs the inode's uid mapped"},
	}
}

// userns100k maps 65536 ids from kernel 100000, as a container runtime's
// subordinate ranges do; nsRoot is its root with every capability.
var userns100k = &access.UserNS{
	UIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
	GIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
}

var nsRoot = credSpec{UID: 100000, EUID: 100000, SUID: 100000, GID: 100000, EGID: 100000, SGID: 100000,
	Groups: []uint32{}, NS: userns100k}

// scriptChain5 returns scripts /s/s1 … /s/sn, each run by the next, the last
// by /bin/probe.
func scriptChain5(n int) string {
	var b strings.Builder
	for k := 1; k <= n; k++ {
		next := fmt.Sprintf("/s/s%d", k+1)
		if k == n {
			next = "/bin/probe"
		}
		fmt.Fprintf(&b, "file /s/s%d 0755 0:0 script=%s\n", k, next)
	}
	return b.String()
}

// matchWant reports whether an outcome satisfies a row's want: equal, or,
// for exec_caps and capseq rows, holding every field of want (capseq: in
// its last step).
func matchWant(q query, want, got string) bool {
	if q.Op == opCapSeq {
		if i := strings.LastIndex(got, " | "); i >= 0 {
			got = got[i+3:]
		}
	}
	if q.Op != opExecCaps && q.Op != opCapSeq {
		return got == want
	}
	fields := strings.Fields(got)
	has := func(tok string) bool {
		for _, f := range fields {
			if f == tok {
				return true
			}
		}
		return false
	}
	for _, tok := range strings.Fields(want) {
		if !has(tok) {
			return false
		}
	}
	return true
}

// TestOracleTable runs the curated table against the kernel and the model.
// fs.protected_symlinks is set to 1 for the rows that need it.
func TestOracleTable(t *testing.T) {
	rows := tableRows()
	seen := map[string]bool{}
	for _, r := range rows {
		if r.rule == "" {
			t.Errorf("row %s: empty rule", r.name)
		}
		if seen[r.name] {
			t.Errorf("row %s: duplicate name", r.name)
		}
		seen[r.name] = true
	}
	o := newOracle(t)
	withProtectedSymlinks(t)
	o.kernel.ProtectedSymlinks = true
	start := time.Now()
	type key struct {
		fixture, seccomp string
		cred, userns     string
		report           bool
	}
	groups := map[key]*batch{}
	rowIndex := map[*batch]map[int]int{}
	var batches []*batch
	type verdict struct{ kernel, model string }
	verdicts := make([]verdict, len(rows))
	for i, r := range rows {
		report := r.q.Op == opExecCaps
		ns := ""
		if r.cred.NS != nil {
			ns = usernsExpr(r.cred.NS)
		}
		k := key{r.fixture, r.seccomp, fmt.Sprintf("%#v", r.cred), ns, report}
		b := groups[k]
		if b == nil {
			b = newBatch(r.fixture, r.cred)
			// capseq reads /proc/thread-self, exec_caps runs the test
			// binary: both outside a chroot.
			b.seccomp, b.report, b.chroot = r.seccomp, report, !report && r.q.Op != opCapSeq
			groups[k] = b
			batches = append(batches, b)
			rowIndex[b] = map[int]int{}
		}
		rowIndex[b][len(b.probes)] = i
		c := procCheck("table", r.q)
		model := c.model
		c.model = func(p *access.Proc) string {
			got := model(p)
			verdicts[i].model = got
			return got
		}
		b.probes = append(b.probes, probe{q: r.q, checks: []check{c}})
	}
	for _, b := range batches {
		b := b
		b.onResults = func(rs []result) {
			for j, res := range rs {
				verdicts[rowIndex[b][j]].kernel = fullOutcome(res)
			}
		}
	}
	o.run(batches)
	for i, r := range rows {
		v := verdicts[i]
		if !matchWant(r.q, r.want, v.kernel) {
			t.Errorf("row %s (%s): kernel %s, want %s", r.name, r.q, v.kernel, r.want)
		}
		if !matchWant(r.q, r.want, v.model) {
			t.Errorf("row %s (%s): model %s, want %s [%s]", r.name, r.q, v.model, r.want, r.rule)
		}
	}
	o.summary(start)
}

// patchedELF returns fixture content (text="…") for the probe ELF with a
// PT_INTERP loader, changed by patch.
func patchedELF(patch func([]byte)) string {
	b := rootfs.ProbeELF(rootfs.EM_X86_64, "/lib/ld")
	patch(b)
	return "text=" + strconv.Quote(string(b))
}

// putPhdr sets the 64-bit field at off of program header i of an ELF64.
func putPhdr(b []byte, i, off int, v uint64) {
	phoff := binary.LittleEndian.Uint64(b[32:])
	binary.LittleEndian.PutUint64(b[int(phoff)+i*56+off:], v)
}
