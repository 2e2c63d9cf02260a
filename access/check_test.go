package access_test

import (
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

const (
	R = access.MAY_READ
	W = access.MAY_WRITE
	X = access.MAY_EXEC
)

var (
	DO  = caps.Of(caps.CAP_DAC_OVERRIDE)
	DRS = caps.Of(caps.CAP_DAC_READ_SEARCH)
	FO  = caps.Of(caps.CAP_FOWNER)
)

// Rules name the torvalds/linux function that decides the row (fs/namei.c,
// fs/open.c, fs/posix_acl.c, fs/inode.c, kernel/groups.c,
// kernel/capability.c; read in mainline 6.1x), or for ModeBits golang/go's
// src/os/exec/lp_unix.go.

func TestPermission(t *testing.T) {
	const U, G, G2 = 1001, 2001, 2002
	userns := &access.UserNS{
		UIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
		GIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
	}
	nsroot := eff(&access.Cred{UID: 100000, EUID: 100000, SUID: 100000, FSUID: 100000, GID: 100000, EGID: 100000, SGID: 100000, FSGID: 100000, UserNS: userns}, caps.All, caps.All)
	rows := []struct {
		name string
		ino  *access.Inode
		cred *access.Cred
		mask access.Mask
		want string
		rule string
	}{
		{"owner_bits_only_even_if_group_and_other_grant", reg(0o077, U, U), user(U, U), R, "EACCES", "namei.c:acl_permission_check: the owner class alone decides"},
		{"owner_read_ok", reg(0o400, U, 0), user(U, 0), R, "OK", "namei.c:acl_permission_check: owner bits"},
		{"group_member_judged_by_group_bits", reg(0o604, 0, G), user(U, 0, G), R, "EACCES", "namei.c:acl_permission_check: in_group_p selects the group bits"},
		{"non_member_judged_by_other_bits", reg(0o604, 0, G), user(U, 0), R, "OK", "namei.c:acl_permission_check: other bits"},
		{"fsgid_is_a_group_member", reg(0o640, 0, G), user(U, G), R, "OK", "groups.c:in_group_p: gid == fsgid"},
		{"supplementary_group_member", reg(0o650, 0, G2), user(U, G, G2), X, "OK", "groups.c:in_group_p: supplementary list"},
		{"dir_search_needs_x", dir(0o644, 0, 0), user(U, U), X, "EACCES", "namei.c:generic_permission: search is MAY_EXEC on a directory"},
		{"acl_named_user_masked_out", withACL(reg(0o604, 0, 0), "u::rw-,u:1001:rwx,g::r--,m::---,o::r--"), user(U, U), R, "OK", "namei.c:acl_permission_check: mask --- (mode group bits 0) skips the ACL, other bits grant"},
		{"acl_skipped_other_denies_write", withACL(reg(0o604, 0, 0), "u::rw-,u:1001:rwx,g::r--,m::---,o::r--"), user(U, U), W, "EACCES", "namei.c:acl_permission_check: mask --- skips the ACL"},
		{"acl_named_user_without_bits", withACL(reg(0o604, 0, 0), "u::rw-,u:1001:---,g::r--,m::rwx,o::r--"), user(U, U), R, "EACCES", "posix_acl.c:posix_acl_permission: the matching ACL_USER decides, no fallback"},
		{"acl_group_entries_not_unioned", withACL(reg(0o600, 0, 0), "u::rw-,g::---,g:2001:rw-,g:2002:r-x,m::rwx,o::---"), user(U, U, G, G2), R | W | X, "EACCES", "posix_acl.c:posix_acl_permission: one group entry must hold all of want"},
		{"acl_group_entry_grants", withACL(reg(0o600, 0, 0), "u::rw-,g::---,g:2001:rw-,g:2002:r-x,m::rwx,o::---"), user(U, U, G, G2), R | X, "OK", "posix_acl.c:posix_acl_permission: first group entry holding want, masked"},
		{"acl_mask_limits_group_entry", withACL(reg(0o600, 0, 0), "u::rw-,g::---,g:2002:r-x,m::r--,o::---"), user(U, U, G2), R | X, "EACCES", "posix_acl.c:posix_acl_permission: the mask applies to named groups"},
		{"acl_matching_group_denies_despite_other", withACL(reg(0o707, 0, 0), "u::rwx,g::---,g:2001:---,m::rwx,o::rwx"), user(U, U, G), R, "EACCES", "posix_acl.c:posix_acl_permission: a matched group that grants nothing denies"},
		{"acl_unmatched_falls_to_other", withACL(reg(0o707, 0, 0), "u::rwx,g::---,g:2001:---,m::rwx,o::rwx"), user(U, U), R, "OK", "posix_acl.c:posix_acl_permission: ACL_OTHER, unmasked"},
		{"acl_other_not_masked", withACL(reg(0o704, 0, 0), "u::rwx,u:5:---,g::---,m::---,o::r--"), user(U, U), R, "OK", "posix_acl.c:posix_acl_permission: OTHER is not masked"},
		{"drs_reads_any_file", reg(0, 0, 0), eff(user(U, U), DRS, DRS), R, "OK", "namei.c:generic_permission: CAP_DAC_READ_SEARCH grants MAY_READ"},
		{"drs_does_not_write", reg(0, 0, 0), eff(user(U, U), DRS, DRS), W, "EACCES", "namei.c:generic_permission: DAC_READ_SEARCH is read only"},
		{"drs_does_not_exec", reg(0o100, 0, 0), eff(user(U, U), DRS, DRS), X, "EACCES", "namei.c:generic_permission: DAC_READ_SEARCH never grants exec"},
		{"drs_does_not_read_exec_together", reg(0, 0, 0), eff(user(U, U), DRS, DRS), R | X, "EACCES", "namei.c:generic_permission: DRS only when the mask is exactly MAY_READ"},
		{"drs_searches_dirs", dir(0, 0, 0), eff(user(U, U), DRS, DRS), X, "OK", "namei.c:generic_permission: DRS grants search"},
		{"drs_lists_dirs", dir(0, 0, 0), eff(user(U, U), DRS, DRS), R | X, "OK", "namei.c:generic_permission: DRS grants read+search of a directory"},
		{"drs_no_dir_write", dir(0, 0, 0), eff(user(U, U), DRS, DRS), W | X, "EACCES", "namei.c:generic_permission: DRS never with MAY_WRITE"},
		{"do_reads_and_writes", reg(0, 0, 0), eff(user(U, U), DO, DO), R | W, "OK", "namei.c:generic_permission: DAC_OVERRIDE grants without MAY_EXEC"},
		{"do_no_exec_without_x_bit", reg(0, 0, 0), eff(user(U, U), DO, DO), X, "EACCES", "namei.c:generic_permission: DAC_OVERRIDE grants exec only if some x bit is set"},
		{"do_exec_with_owner_x_bit", reg(0o100, 0, 0), eff(user(U, U), DO, DO), X, "OK", "namei.c:generic_permission: any x bit suffices"},
		{"do_exec_0744_root", reg(0o744, 0, 0), eff(user(U, U), DO, DO), X, "OK", "namei.c:generic_permission: the runc 1.1.4 incident's file, as execve sees it"},
		{"do_writes_dirs", dir(0, 0, 0), eff(user(U, U), DO, DO), W | X, "OK", "namei.c:generic_permission: DAC_OVERRIDE grants anything on a directory"},
		{"root_cannot_exec_without_x", reg(0o644, 0, 0), root(), X, "EACCES", "namei.c:generic_permission: exec of a file without any x bit fails for root too"},
		{"root_reads_000", reg(0, 5, 5), root(), R, "OK", "namei.c:generic_permission: root's caps override"},
		{"permitted_is_not_effective", reg(0, 0, 0), eff(user(U, U), 0, DO|DRS), R, "EACCES", "capability.c:ns_capable: only effective capabilities count"},
		{"fowner_never_reads", reg(0, 0, 0), eff(user(U, U), FO, FO), R, "EACCES", "namei.c:generic_permission does not consult CAP_FOWNER"},
		{"fowner_never_searches", dir(0, 0, 0), eff(user(U, U), FO, FO), X, "EACCES", "namei.c:generic_permission does not consult CAP_FOWNER"},
		{"fowner_never_execs", reg(0o100, 0, 0), eff(user(U, U), FO, FO), X, "EACCES", "namei.c:generic_permission does not consult CAP_FOWNER"},
		{"userns_root_unmapped_owner", reg(0o600, 1000, 1000), nsroot, R, "EACCES", "capability.c:capable_wrt_inode_uidgid: the inode uid must be mapped"},
		{"userns_root_unmapped_group", reg(0, 100000, 5), nsroot, R, "EACCES", "capability.c:capable_wrt_inode_uidgid: the gid must be mapped too (since 3.16, 23adbe12ef7d)"},
		{"userns_root_mapped", reg(0, 100001, 100005), nsroot, R, "OK", "capability.c:capable_wrt_inode_uidgid: both mapped"},
		{"ro_superblock_write_erofs", mounted(reg(0o666, 0, 0), access.SB_RDONLY), user(U, U), W, "EROFS", "namei.c:sb_permission: EROFS before DAC"},
		{"ro_superblock_dir_write_erofs", mounted(dir(0o777, 0, 0), access.SB_RDONLY), user(U, U), W | X, "EROFS", "namei.c:sb_permission: regular files, directories and symlinks"},
		{"ro_superblock_fifo_write_ok", mounted(&access.Inode{Mode: access.S_IFIFO | 0o666}, access.SB_RDONLY), user(U, U), W, "OK", "namei.c:sb_permission: devices and FIFOs are writable on a ro fs"},
		{"ro_mount_not_in_permission", mounted(reg(0o666, 0, 0), access.MNT_READONLY), user(U, U), W, "OK", "namei.c:inode_permission ignores a read-only mount; open and access check it afterwards"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := errName(access.Permission(r.cred, r.ino, r.mask)); got != r.want {
				t.Errorf("Permission(%s, %s %d:%d, %s) = %s, want %s\nrule: %s", credString(r.cred), access.FormatMode(r.ino.Mode), r.ino.UID, r.ino.GID, r.mask, got, r.want, r.rule)
			}
		})
	}
}

func credString(c *access.Cred) string {
	s := "uid " + itoa(c.FSUID) + " gid " + itoa(c.FSGID)
	if c.CapEffective != 0 {
		s += " E=" + c.CapEffective.String()
	}
	return s
}

func itoa(u uint32) string {
	if u == 0 {
		return "0"
	}
	var b []byte
	for u > 0 {
		b = append([]byte{byte('0' + u%10)}, b...)
		u /= 10
	}
	return string(b)
}

func TestAccessAndEaccess(t *testing.T) {
	const U = 1001
	rows := []struct {
		name         string
		ino          *access.Inode
		cred         *access.Cred
		mode         uint32
		access, eacc string
		rule         string
	}{
		{"access_ignores_effective_do", reg(0, 0, 0), eff(user(U, U), DO, DO), access.R_OK, "EACCES", "OK", "open.c:access_override_creds: effective caps cleared for a non-root real uid"},
		{"access_root_uses_permitted", reg(0, 0, 0), eff(root(), 0, caps.All), access.R_OK, "OK", "EACCES", "open.c:access_override_creds: real uid 0 gets E = P"},
		{"access_root_without_do_in_p", reg(0, 5, 5), eff(root(), 0, caps.All.Without(caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH)), access.R_OK, "EACCES", "EACCES", "open.c:access_override_creds: E = P, and P lacks DAC caps"},
		{"incident_114_0744_root_with_do", reg(0o744, 0, 0), eff(user(1000, 1000), DO, DO), access.X_OK, "EACCES", "OK", "runc 1.1.4's access(2) fallback ignores CAP_DAC_OVERRIDE, which faccessat2(AT_EACCESS) honours"},
		{"noexec_x_ok_eacces", mounted(reg(0o755, 0, 0), access.MNT_NOEXEC), root(), access.X_OK, "EACCES", "EACCES", "open.c:do_faccessat: path_noexec before DAC"},
		{"noexec_dir_x_ok", mounted(dir(0o755, 0, 0), access.MNT_NOEXEC), root(), access.X_OK, "OK", "OK", "open.c:do_faccessat: noexec applies to regular files only"},
		{"ro_sb_w_ok_erofs", mounted(reg(0o666, 0, 0), access.SB_RDONLY), user(U, U), access.W_OK, "EROFS", "EROFS", "namei.c:sb_permission"},
		{"ro_sb_w_ok_erofs_whatever_mode", mounted(reg(0o755, 0, 0), access.SB_RDONLY), user(U, U), access.W_OK, "EROFS", "EROFS", "namei.c:sb_permission before DAC"},
		{"ro_bind_unwritable_eacces", mounted(reg(0o755, 0, 0), access.MNT_READONLY), user(U, U), access.W_OK, "EACCES", "EACCES", "open.c:do_faccessat: DAC first, EROFS only if it passed"},
		{"ro_bind_writable_erofs", mounted(reg(0o666, 0, 0), access.MNT_READONLY), user(U, U), access.W_OK, "EROFS", "EROFS", "open.c:do_faccessat: __mnt_is_readonly after DAC"},
		{"ro_bind_device_ok", mounted(&access.Inode{Mode: access.S_IFCHR | 0o666}, access.MNT_READONLY), user(U, U), access.W_OK, "OK", "OK", "open.c:do_faccessat: special files never EROFS"},
		{"f_ok_always", reg(0, 0, 0), user(U, U), access.F_OK, "OK", "OK", "open.c:do_faccessat: F_OK is decided by the walk alone"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := errName(access.Access(r.cred, r.ino, r.mode)); got != r.access {
				t.Errorf("Access = %s, want %s (%s)", got, r.access, r.rule)
			}
			if got := errName(access.Eaccess(r.cred, r.ino, r.mode)); got != r.eacc {
				t.Errorf("Eaccess = %s, want %s (%s)", got, r.eacc, r.rule)
			}
		})
	}
}

func TestModeBits(t *testing.T) {
	for _, r := range []struct {
		ino  *access.Inode
		want string
		rule string
	}{
		{reg(0o744, 0, 0), "OK", "lp_unix.go:findExecutable ≤go1.19: any x bit, whoever the caller"},
		{reg(0o001, 0, 0), "OK", "lp_unix.go:findExecutable ≤go1.19: other x counts too"},
		{reg(0o644, 0, 0), "EACCES", "lp_unix.go:findExecutable ≤go1.19: no x bit → fs.ErrPermission"},
		{dir(0o755, 0, 0), "EACCES", "lp_unix.go:findExecutable ≤go1.19: a directory → fs.ErrPermission"},
	} {
		if got := errName(access.ModeBits(r.ino)); got != r.want {
			t.Errorf("ModeBits(%s) = %s, want %s (%s)", access.FormatMode(r.ino.Mode), got, r.want, r.rule)
		}
	}
}

func TestOwnerOrCapable(t *testing.T) {
	userns := &access.UserNS{UIDMap: []access.IDMap{{0, 100000, 1000}}, GIDMap: []access.IDMap{{0, 100000, 1000}}}
	nsFowner := eff(&access.Cred{FSUID: 100000, UserNS: userns}, FO, FO)
	for _, r := range []struct {
		name string
		ino  *access.Inode
		cred *access.Cred
		want bool
		rule string
	}{
		{"owner", reg(0, 1001, 0), user(1001, 0), true, "inode.c:inode_owner_or_capable: fsuid owns it"},
		{"not_owner", reg(0, 1001, 0), user(1002, 0), false, "inode.c:inode_owner_or_capable"},
		{"fowner", reg(0, 1001, 0), eff(user(1002, 0), FO, FO), true, "inode.c:inode_owner_or_capable: CAP_FOWNER"},
		{"do_is_not_fowner", reg(0, 1001, 0), eff(user(1002, 0), DO|DRS, DO|DRS), false, "inode.c:inode_owner_or_capable: only CAP_FOWNER"},
		{"fowner_uid_unmapped", reg(0, 5, 100001), nsFowner, false, "inode.c:inode_owner_or_capable: privileged_wrt_inode_uidgid needs the uid mapped"},
		{"fowner_gid_need_not_be_mapped", reg(0, 100001, 5), nsFowner, true, "inode.c:inode_owner_or_capable: the gid need not be mapped"},
	} {
		if got := access.OwnerOrCapable(r.cred, r.ino); got != r.want {
			t.Errorf("%s: OwnerOrCapable = %v, want %v (%s)", r.name, got, r.want, r.rule)
		}
	}
}
