package rootfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/rowtest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
)

// checkRows fails the test before any row runs if the table is malformed
// (internal/rowtest).
func checkRows(t testing.TB, names, rules []string) {
	t.Helper()
	rowtest.Check(t, names, rules)
}

// Constructors for expected ACLs.
func ace(tag access.ACLTag, id uint32, perm access.Mask) access.ACLEntry {
	return access.ACLEntry{Tag: tag, ID: id, Perm: perm}
}

const (
	r   = access.MAY_READ
	w   = access.MAY_WRITE
	x   = access.MAY_EXEC
	rwx = r | w | x
	rx  = r | x
)

// ignoreLine compares entries without their line numbers, which String
// cannot keep (it drops comments and blank lines).
var ignoreLine = cmpopts.IgnoreFields(rootfs.Entry{}, "Line")

func TestParseFixtureLineForms(t *testing.T) {
	netRaw := caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true}
	rows := []struct {
		name string
		line string
		want rootfs.Entry
		rule string
	}{
		{"dir", "dir /home/nonroot 0700 65532:65532",
			rootfs.Entry{Kind: rootfs.KindDir, Path: "/home/nonroot", Mode: 0o700, UID: 65532, GID: 65532},
			"fixture.go: dir PATH MODE UID:GID"},
		{"dir_sticky", "dir /tmp 1777 0:0",
			rootfs.Entry{Kind: rootfs.KindDir, Path: "/tmp", Mode: 0o1777},
			"fixture.go: MODE is octal and may carry the setuid, setgid and sticky bits"},
		{"dir_root", "dir / 0700 0:0",
			rootfs.Entry{Kind: rootfs.KindDir, Path: "/", Mode: 0o700},
			"fixture.go: PATH is a clean absolute path; / is one"},
		{"file_empty", "file /etc/passwd 0644 0:0",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/etc/passwd", Mode: 0o644},
			"fixture.go: without CONTENT the file is empty"},
		{"file_setuid", "file /bin/su 4755 0:0 elf",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/bin/su", Mode: 0o4755, Content: rootfs.ProbeELF(rootfs.EM_X86_64, ""), ContentSpec: "elf"},
			"fixture.go: MODE may carry setuid; elf is the probe ELF"},
		{"file_tabs", "file\t/a\t0644\t1:2",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/a", Mode: 0o644, UID: 1, GID: 2},
			"fixture.go: fields are separated by blanks (spaces or tabs)"},
		{"file_trailing_comment", "file /a 0644 1:2 # a comment",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/a", Mode: 0o644, UID: 1, GID: 2},
			"fixture.go: a field starting with # ends the line"},
		{"symlink_default_owner", "symlink /bin/sh busybox",
			rootfs.Entry{Kind: rootfs.KindSymlink, Path: "/bin/sh", Target: "busybox"},
			"fixture.go: symlink PATH TARGET [UID:GID], owner defaults to 0:0"},
		{"symlink_owner", "symlink /home/u/l ../../etc 1000:1000",
			rootfs.Entry{Kind: rootfs.KindSymlink, Path: "/home/u/l", Target: "../../etc", UID: 1000, GID: 1000},
			"fixture.go: symlink PATH TARGET [UID:GID]; the target is kept as written"},
		{"fifo", "fifo /run/p 0600 7:8",
			rootfs.Entry{Kind: rootfs.KindFIFO, Path: "/run/p", Mode: 0o600, UID: 7, GID: 8},
			"fixture.go: fifo PATH MODE UID:GID"},
		{"tmpfs", "mount /tmp tmpfs 1777 0:0",
			rootfs.Entry{Kind: rootfs.KindTmpfs, Path: "/tmp", Mode: 0o1777},
			"fixture.go: mount PATH tmpfs MODE UID:GID [OPTIONS]"},
		{"tmpfs_options", "mount /tmp tmpfs 1777 0:0 noexec,nosuid,nodev,nosymfollow",
			rootfs.Entry{Kind: rootfs.KindTmpfs, Path: "/tmp", Mode: 0o1777, MountOpts: "noexec,nosuid,nodev,nosymfollow",
				Mount: access.MNT_NOEXEC | access.MNT_NOSUID | access.MNT_NODEV | access.MNT_NOSYMFOLLOW},
			"fixture.go: OPTIONS is a comma list of noexec, nosuid, nodev, nosymfollow and ro"},
		{"tmpfs_ro_is_superblock", "mount /ro tmpfs 0755 0:0 ro",
			rootfs.Entry{Kind: rootfs.KindTmpfs, Path: "/ro", Mode: 0o755, MountOpts: "ro", Mount: access.SB_RDONLY},
			"fixture.go: ro on a tmpfs makes its superblock read-only (SB_RDONLY: EROFS before DAC, fs/namei.c:sb_permission)"},
		{"bind", "mount /data bind",
			rootfs.Entry{Kind: rootfs.KindBind, Path: "/data"},
			"fixture.go: mount PATH bind [OPTIONS]"},
		{"bind_ro_is_mount", "mount /data bind ro,noexec",
			rootfs.Entry{Kind: rootfs.KindBind, Path: "/data", MountOpts: "ro,noexec", Mount: access.MNT_READONLY | access.MNT_NOEXEC},
			"fixture.go: ro on a bind mount is the mount's MNT_READONLY only (fs/open.c:do_faccessat: EROFS after DAC)"},
		{"caps_ep", "file /bin/ping 0755 0:0 elf caps=CAP_NET_RAW+ep",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/bin/ping", Mode: 0o755, Content: rootfs.ProbeELF(rootfs.EM_X86_64, ""), ContentSpec: "elf", Caps: &netRaw},
			"fixture.go: CAPS is CAP_NAME[,CAP_NAME…]+FLAGS as setcap(8)"},
		{"caps_eip_two_names", "file /t 0755 0:0 caps=CAP_CHOWN,CAP_CHECKPOINT_RESTORE+eip",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/t", Mode: 0o755, Caps: &caps.FileCaps{
				Permitted: caps.Of(caps.CAP_CHOWN, caps.CAP_CHECKPOINT_RESTORE), Inheritable: caps.Of(caps.CAP_CHOWN, caps.CAP_CHECKPOINT_RESTORE), Effective: true}},
			"fixture.go: FLAGS from e, p and i apply the one list to each named set, as setcap(8)"},
		{"caps_i_only", "file /t 0755 0:0 caps=CAP_SETFCAP+i",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/t", Mode: 0o755, Caps: &caps.FileCaps{Inheritable: caps.Of(caps.CAP_SETFCAP)}},
			"fixture.go: FLAGS i alone sets fI only"},
		{"caps_e_only", "file /t 0755 0:0 caps=+e",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/t", Mode: 0o755, Caps: &caps.FileCaps{Effective: true}},
			"setcap cap_chown+e writes an attribute with empty sets and fE (getcap prints '='); the fixture writes it caps=+e"},
		{"caprev_1", "file /t 0755 0:0 caps=CAP_NET_RAW+ep caprev=1",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/t", Mode: 0o755, Caps: &caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true, Revision: 1}},
			"fixture.go: caprev=1|2|3 picks the security.capability revision"},
		{"caproot_implies_rev3", "file /t 0755 0:0 caps=CAP_NET_RAW+ep caproot=100000",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/t", Mode: 0o755, Caps: &caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true, Revision: 3, RootID: 100000}},
			"fixture.go: caproot=UID is a revision-3 attribute's rootid (Linux 4.14, 8db6c34f1dbc)"},
		{"caprev_3_caproot_0", "file /t 0755 0:0 caps=CAP_NET_RAW+p caprev=3 caproot=0",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/t", Mode: 0o755, Caps: &caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Revision: 3}},
			"fixture.go: caprev=3 with rootid 0"},
		{"acl_named_user", "file /f 0644 0:0 acl=u::rw-,u:1000:rwx,g::r--,m::rwx,o::r--",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/f", Mode: 0o674, ACL: access.ACL{
				ace(access.ACL_USER_OBJ, 0, r|w), ace(access.ACL_USER, 1000, rwx), ace(access.ACL_GROUP_OBJ, 0, r), ace(access.ACL_MASK, 0, rwx), ace(access.ACL_OTHER, 0, r)}},
			"posix_acl_update_mode, as setfacl: the mode's group bits become the mask (rwx), whatever MODE said"},
		{"acl_sorted", "dir /d 0755 0:0 acl=o::---,g:6:r-x,u:1000:r-x,m::r-x,g:5:---,u::rwx,g::r-x",
			rootfs.Entry{Kind: rootfs.KindDir, Path: "/d", Mode: 0o750, ACL: access.ACL{
				ace(access.ACL_USER_OBJ, 0, rwx), ace(access.ACL_USER, 1000, rx), ace(access.ACL_GROUP_OBJ, 0, rx),
				ace(access.ACL_GROUP, 5, 0), ace(access.ACL_GROUP, 6, rx), ace(access.ACL_MASK, 0, rx), ace(access.ACL_OTHER, 0, 0)}},
			"fs/posix_acl.c:posix_acl_valid wants USER_OBJ, USER by id, GROUP_OBJ, GROUP by id, MASK, OTHER: ParseACL sorts"},
		{"acl_long_tags", "file /f 0000 0:0 acl=user::rwx,group::r-x,mask::r--,other::--x",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/f", Mode: 0o741, ACL: access.ACL{
				ace(access.ACL_USER_OBJ, 0, rwx), ace(access.ACL_GROUP_OBJ, 0, rx), ace(access.ACL_MASK, 0, r), ace(access.ACL_OTHER, 0, x)}},
			"getfacl's long tags; a mask without named entries is kept (posix_acl_equiv_mode: MASK is not equivalent)"},
		{"acl_equivalent_to_mode_dropped", "file /f 0777 0:0 acl=u::rw-,g::r--,o::r--",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/f", Mode: 0o644},
			"posix_acl_equiv_mode returns 0 for three base entries: the kernel stores the mode, no ACL"},
		{"acl_keeps_special_bits", "dir /d 3777 0:0 acl=u::rwx,g::r-x,g:5:rwx,m::rwx,o::---",
			rootfs.Entry{Kind: rootfs.KindDir, Path: "/d", Mode: 0o3770, ACL: access.ACL{
				ace(access.ACL_USER_OBJ, 0, rwx), ace(access.ACL_GROUP_OBJ, 0, rx), ace(access.ACL_GROUP, 5, rwx), ace(access.ACL_MASK, 0, rwx), ace(access.ACL_OTHER, 0, 0)}},
			"posix_acl_update_mode replaces only the 0777 bits; setgid and sticky stay"},
		{"attrs_any_order", "file /p 0755 0:0 caps=CAP_NET_RAW+ep acl=u::rwx,u:5:r-x,g::r-x,m::r-x,o::r-x interp=/lib/ld.so",
			rootfs.Entry{Kind: rootfs.KindFile, Path: "/p", Mode: 0o755, Content: rootfs.ProbeELF(rootfs.EM_X86_64, "/lib/ld.so"), ContentSpec: "interp=/lib/ld.so", Caps: &netRaw, ACL: access.ACL{
				ace(access.ACL_USER_OBJ, 0, rwx), ace(access.ACL_USER, 5, rx), ace(access.ACL_GROUP_OBJ, 0, rx), ace(access.ACL_MASK, 0, rx), ace(access.ACL_OTHER, 0, rx)}},
			"fixture.go: the optional attributes of a file line come in any order"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			f, err := rootfs.ParseFixture("t", r.line)
			if err != nil {
				t.Fatalf("ParseFixture(%q): %v\nrule: %s", r.line, err, r.rule)
			}
			if len(f.Entries) != 1 {
				t.Fatalf("ParseFixture(%q): %d entries", r.line, len(f.Entries))
			}
			r.want.Line = 1
			if diff := cmp.Diff(r.want, f.Entries[0]); diff != "" {
				t.Errorf("ParseFixture(%q) (-want +got):\n%s\nrule: %s", r.line, diff, r.rule)
			}
		})
	}
}

func TestParseFixtureContent(t *testing.T) {
	rows := []struct {
		name string
		spec string
		want []byte
		rule string
	}{
		{"elf", "elf", rootfs.ProbeELF(rootfs.EM_X86_64, ""), "fixture.go: elf is the x86_64 probe ELF"},
		{"elf_aarch64", "elf=aarch64", rootfs.ProbeELF(rootfs.EM_AARCH64, ""), "fixture.go: elf=aarch64 is the probe for another machine (load_elf_binary: elf_check_arch)"},
		{"busybox", "busybox", rootfs.ProbeELF(rootfs.EM_X86_64, ""), "fixture.go: busybox is, in a Mem, the probe ELF's bytes (same format: static x86_64, no PT_INTERP); internal/fixture copies the host's /bin/busybox"},
		{"interp_abs", "interp=/lib/ld-linux-x86-64.so.2", rootfs.ProbeELF(rootfs.EM_X86_64, "/lib/ld-linux-x86-64.so.2"), "fixture.go: interp=PATH is a dynamic binary with PT_INTERP PATH"},
		{"interp_relative", "interp=sc", rootfs.ProbeELF(rootfs.EM_X86_64, "sc"), "a relative PT_INTERP resolves from the cwd (load_elf_binary: open_exec), so it is allowed"},
		{"script", "script=/bin/sh", []byte("#!/bin/sh\n"), "fixture.go: script=INTERP is #!INTERP and a newline"},
		{"script_relative", "script=sh", []byte("#!sh\n"), "a relative interpreter is cwd-relative (load_script: open_exec)"},
		{"text_crlf", `text="#!/bin/sh\r\n"`, []byte("#!/bin/sh\r\n"), "fixture.go: text= is a Go string literal: \\r\\n gives a CRLF #! line (load_script keeps the \\r)"},
		{"text_spaces_tabs", `text="#!/x  -a  b c \t"`, []byte("#!/x  -a  b c \t"), "the literal is one field even with blanks in it (load_script's one argument)"},
		{"text_hex_nul", `text="\x7fELF\x00\x00"`, []byte("\x7fELF\x00\x00"), "Go escapes give any byte: a truncated ELF header (ENOEXEC)"},
		{"text_unicode", `text="h\u00e9"`, []byte("hé"), "Go escapes: \\u"},
		{"text_raw", "text=`a\\b`", []byte(`a\b`), "a raw Go literal is a Go string literal too"},
		{"text_empty", `text=""`, []byte{}, "text=\"\" is an empty file, written explicitly"},
		{"text_hash", `text="# not a comment"`, []byte("# not a comment"), "a # inside the literal does not start a comment"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			line := "file /f 0755 0:0 " + r.spec
			f, err := rootfs.ParseFixture("t", line)
			if err != nil {
				t.Fatalf("ParseFixture(%q): %v\nrule: %s", line, err, r.rule)
			}
			e := f.Entries[0]
			if string(e.Content) != string(r.want) || e.ContentSpec != r.spec {
				t.Errorf("ParseFixture(%q): content %q (spec %q), want %q (spec %q)\nrule: %s", line, e.Content, e.ContentSpec, r.want, r.spec, r.rule)
			}
		})
	}
}

func TestParseFixtureMultiLine(t *testing.T) {
	f, err := rootfs.ParseFixture("t", `
# a comment line

	dir /a 0755 0:0
   # an indented comment
file /a/b 0644 1:1 text="x"   
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []rootfs.Entry{
		{Line: 4, Kind: rootfs.KindDir, Path: "/a", Mode: 0o755},
		{Line: 6, Kind: rootfs.KindFile, Path: "/a/b", Mode: 0o644, UID: 1, GID: 1, Content: []byte("x"), ContentSpec: `text="x"`},
	}
	if diff := cmp.Diff(want, f.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if f, err := rootfs.ParseFixture("t", "\n# only\n\n"); err != nil || len(f.Entries) != 0 {
		t.Errorf("comments only: %v, %v", f, err)
	}
}

func TestParseACL(t *testing.T) {
	rows := []struct {
		name    string
		acl     string
		wantErr string // "" when the ACL is valid
		rule    string
	}{
		{"base_only", "u::rwx,g::r-x,o::r-x", "", "three base entries are a valid ACL"},
		{"named_with_mask", "u::rwx,u:5:r--,g::r-x,m::r-x,o::---", "", "named entries with a mask"},
		{"mask_without_named", "u::rwx,g::r-x,m::r--,o::---", "", "a mask alone is allowed"},
		{"named_without_mask", "u::rwx,u:5:r--,g::r-x,o::---", "acl: missing m:: entry", "posix_acl_valid: named entries need a mask (setfacl computes one; the fixture wants it written)"},
		{"named_group_without_mask", "u::rwx,g::r-x,g:7:rwx,o::---", "acl: missing m:: entry", "posix_acl_valid: named entries need a mask"},
		{"missing_user_obj", "g::r-x,o::---", "acl: missing u:: entry", "posix_acl_valid: USER_OBJ required"},
		{"missing_group_obj", "u::rwx,o::---", "acl: missing g:: entry", "posix_acl_valid: GROUP_OBJ required"},
		{"missing_other", "u::rwx,g::r-x", "acl: missing o:: entry", "posix_acl_valid: OTHER required"},
		{"duplicate_named_user", "u::rwx,u:5:r--,u:5:rwx,g::r-x,m::rwx,o::---", "acl: duplicate entry for id 5", "posix_acl_valid: ids strictly increasing, no duplicates"},
		{"duplicate_named_group", "u::rwx,g::r-x,g:9:r--,g:9:r--,m::rwx,o::---", "acl: duplicate entry for id 9", "posix_acl_valid: ids strictly increasing, no duplicates"},
		{"duplicate_user_obj", "u::rwx,u::r--,g::r-x,o::---", "acl: more than one u:: entry", "posix_acl_valid: one USER_OBJ"},
		{"duplicate_mask", "u::rwx,u:1:r--,g::r-x,m::r--,m::rwx,o::---", "acl: more than one m:: entry", "posix_acl_valid: one MASK"},
		{"same_id_user_and_group", "u::rwx,u:5:r--,g::r-x,g:5:r--,m::r--,o::---", "", "a uid and a gid may share a number"},
		{"unknown_tag", "u::rwx,g::r-x,o::---,x::rwx", `acl: unknown tag "x"`, "tags are u, g, m, o (or user, group, mask, other)"},
		{"bad_perm_letter", "u::rwz,g::r-x,o::---", `acl: want PERM as rwx, got "rwz"`, "PERM is three of r, w, x or -"},
		{"bad_perm_short", "u::rw,g::r-x,o::---", `acl: want PERM as rwx, got "rw"`, "PERM is exactly three characters"},
		{"bad_perm_order", "u::wrx,g::r-x,o::---", `acl: want PERM as rwx, got "wrx"`, "PERM is positional: r, then w, then x"},
		{"bad_id", "u::rwx,u:bob:r--,g::r-x,m::r--,o::---", `acl: want a numeric id, got "bob"`, "ids are numbers, as getfacl -n prints them"},
		{"mask_with_id", "u::rwx,g::r-x,m:5:r--,o::---", "acl: m takes no id", "mask and other take no qualifier"},
		{"two_fields", "u:rwx,g::r-x,o::---", `acl: want TAG:ID:PERM, got "u:rwx"`, "each entry is TAG:ID:PERM"},
		{"empty", "", `acl: want TAG:ID:PERM, got ""`, "an empty ACL is not an ACL"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			acl, err := rootfs.ParseACL(r.acl)
			if r.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseACL(%q): %v\nrule: %s", r.acl, err, r.rule)
				}
				// The short form prints back to an ACL that parses
				// to the same entries.
				again, err := rootfs.ParseACL(rootfs.FormatACL(acl))
				if err != nil || !cmp.Equal(acl, again) {
					t.Errorf("ParseACL(FormatACL(%v)) = %v, %v", acl, again, err)
				}
				return
			}
			if err == nil || err.Error() != r.wantErr {
				t.Errorf("ParseACL(%q) error = %v, want %q\nrule: %s", r.acl, err, r.wantErr, r.rule)
			}
		})
	}
}

func TestFormatACL(t *testing.T) {
	acl, err := rootfs.ParseACL("o::--x,m::r-x,g:5:rw-,g::r--,u:1000:r-x,u::rwx")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rootfs.FormatACL(acl), "u::rwx,u:1000:r-x,g::r--,g:5:rw-,m::r-x,o::--x"; got != want {
		t.Errorf("FormatACL = %q, want %q", got, want)
	}
}

func TestACLMode(t *testing.T) {
	for _, r := range []struct {
		acl  string
		want uint32
		rule string
	}{
		{"u::rwx,g::r-x,o::r--", 0o754, "posix_acl_equiv_mode: owner, group, other from the base entries"},
		{"u::rw-,g::rwx,m::r--,o::---", 0o640, "posix_acl_equiv_mode: with a mask, the group bits are the mask"},
		{"u::---,u:1:rwx,g::---,m::rwx,o::---", 0o070, "the mask, not GROUP_OBJ, even when it grants more"},
	} {
		acl, err := rootfs.ParseACL(r.acl)
		if err != nil {
			t.Fatal(err)
		}
		if got := rootfs.ACLMode(acl); got != r.want {
			t.Errorf("ACLMode(%s) = %#o, want %#o (%s)", r.acl, got, r.want, r.rule)
		}
	}
}

func TestParseFixtureErrors(t *testing.T) {
	rows := []struct {
		name string
		text string
		want string // the whole error, which is the rule: file, line, field
		rule string
	}{
		{"unknown_kind", "\n\nblock /dev/sda 0600 0:0", `t.fix:3: kind: want dir, file, symlink, fifo or mount, got "block"`, "input errors name file, line and field"},
		{"one_field", "dir", "t.fix:1: want KIND PATH …", "a line needs a kind and a path"},
		{"relative_path", "dir home 0755 0:0", `t.fix:1: path: want a clean absolute path, got "home"`, "paths are clean and absolute"},
		{"unclean_path", "dir /a/../b 0755 0:0", `t.fix:1: path: want a clean absolute path, got "/a/../b"`, "paths are clean and absolute"},
		{"trailing_slash", "dir /a/ 0755 0:0", `t.fix:1: path: want a clean absolute path, got "/a/"`, "paths are clean and absolute"},
		{"dir_missing_owner", "dir /a 0755", "t.fix:1: want dir PATH MODE UID:GID", "dir PATH MODE UID:GID"},
		{"mode_not_octal", "# x\ndir /a 0789 0:0", `t.fix:2: mode: want octal ≤ 7777, got "0789"`, "MODE is octal"},
		{"mode_too_big", "file /a 17777 0:0", `t.fix:1: mode: want octal ≤ 7777, got "17777"`, "MODE holds permission, setuid, setgid and sticky bits only"},
		{"owner_no_colon", "file /a 0644 0", `t.fix:1: owner: want UID:GID, got "0"`, "owner is UID:GID"},
		{"owner_negative", "file /a 0644 -1:0", `t.fix:1: owner: want UID:GID, got "-1:0"`, "ids are unsigned 32-bit"},
		{"owner_too_big", "file /a 0644 4294967296:0", `t.fix:1: owner: want UID:GID, got "4294967296:0"`, "ids are unsigned 32-bit"},
		{"symlink_no_target", "symlink /a", "t.fix:1: want symlink PATH TARGET [UID:GID]", "symlink PATH TARGET"},
		{"symlink_bad_owner", "symlink /a b c", `t.fix:1: owner: want UID:GID, got "c"`, "symlink's optional owner"},
		{"mount_kind", "mount /m overlay", `t.fix:1: mount: want tmpfs or bind, got "overlay"`, "mounts are tmpfs or bind"},
		{"mount_short", "mount /m", "t.fix:1: want mount PATH tmpfs|bind …", "mount needs a type"},
		{"tmpfs_short", "mount /m tmpfs 0755", "t.fix:1: want mount PATH tmpfs MODE UID:GID [OPTIONS]", "tmpfs needs mode and owner"},
		{"mount_option", "mount /m bind ro,noatime", `t.fix:1: mount options: unknown "noatime"`, "only the options the model knows"},
		{"mount_extra", "mount /m bind ro extra", `t.fix:1: bind: unknown attribute "extra"`, "nothing after OPTIONS"},
		{"file_unknown_attr", "file /a 0644 0:0 size=3", `t.fix:1: file: unknown attribute "size=3"`, "unknown attributes are errors, not ignored"},
		{"dir_content", "dir /a 0755 0:0 elf", `t.fix:1: dir: unknown attribute "elf"`, "only files have content"},
		{"dir_caps", "dir /a 0755 0:0 caps=CAP_CHOWN+ep", `t.fix:1: dir: unknown attribute "caps=CAP_CHOWN+ep"`, "only files have capabilities"},
		{"symlink_acl", "symlink /a b 0:0 acl=u::rwx,g::rwx,o::rwx", `t.fix:1: symlink: unknown attribute "acl=u::rwx,g::rwx,o::rwx"`, "symlinks have no ACL"},
		{"content_twice", "file /a 0755 0:0 elf script=/bin/sh", "t.fix:1: content: given twice (elf, script=/bin/sh)", "one CONTENT per file"},
		{"elf_other_machine", "file /a 0755 0:0 elf=riscv", "t.fix:1: elf: want elf or elf=aarch64, got elf=riscv", "elf or elf=aarch64"},
		{"busybox_value", "file /bin/busybox 0755 0:0 busybox=1.35", "t.fix:1: busybox: takes no value, got busybox=1.35", "busybox is the host's binary, not a version"},
		{"interp_empty", "file /a 0755 0:0 interp=", "t.fix:1: interp: want a path", "interp needs a path"},
		{"script_empty", "file /a 0755 0:0 script=", "t.fix:1: script: want an interpreter", "script needs an interpreter"},
		{"text_unquoted", "file /a 0644 0:0 text=abc", "t.fix:1: text: want a Go string literal, got abc", "text= takes a Go literal"},
		{"text_unterminated", `file /a 0644 0:0 text="abc`, "t.fix:1: text: want a Go string literal: invalid syntax", "text= takes a Go literal"},
		{"text_bad_escape", `file /a 0644 0:0 text="\q"`, "t.fix:1: text: want a Go string literal: invalid syntax", "text= takes a Go literal"},
		{"acl_invalid", "file /a 0644 0:0 acl=u::rwx,u:1:r--,g::r--,o::---", "t.fix:1: acl: missing m:: entry", "ACL errors carry the line"},
		{"caps_no_flags", "file /a 0755 0:0 caps=CAP_CHOWN", `t.fix:1: caps: want CAP_NAME[,…]+FLAGS, got "CAP_CHOWN"`, "CAPS needs +FLAGS"},
		{"caps_empty_flags", "file /a 0755 0:0 caps=CAP_CHOWN+", `t.fix:1: caps: want CAP_NAME[,…]+FLAGS, got "CAP_CHOWN+"`, "CAPS needs +FLAGS"},
		{"caps_lower_case", "file /a 0755 0:0 caps=cap_chown+ep", `t.fix:1: caps: unknown capability "cap_chown"`, "capability names as the runtime spec spells them"},
		{"caps_bad_flag", "file /a 0755 0:0 caps=CAP_CHOWN+ex", `t.fix:1: caps: want flags from e, i, p, got "ex"`, "FLAGS from e, p and i"},
		{"caps_empty_name", "file /a 0755 0:0 caps=CAP_CHOWN,+ep", `t.fix:1: caps: unknown capability ""`, "no empty names in a list"},
		{"caprev_without_caps", "file /a 0755 0:0 caprev=2", "t.fix:1: caprev, caproot: need caps=", "caprev qualifies caps="},
		{"caproot_without_caps", "file /a 0755 0:0 caproot=0", "t.fix:1: caprev, caproot: need caps=", "caproot qualifies caps="},
		{"caprev_4", "file /a 0755 0:0 caps=CAP_CHOWN+p caprev=4", `t.fix:1: caprev: want 1, 2 or 3, got "4"`, "revisions 1, 2 and 3 exist"},
		{"caproot_bad", "file /a 0755 0:0 caps=CAP_CHOWN+p caproot=-1", `t.fix:1: caproot: want a uid, got "-1"`, "caproot is a uid"},
		{"caproot_rev2", "file /a 0755 0:0 caps=CAP_CHOWN+p caprev=2 caproot=5", `t.fix:1: caproot: only revision 3 has a rootid, got caprev=2`, "only a revision-3 attribute stores a rootid (include/uapi/linux/capability.h vfs_ns_cap_data)"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			f, err := rootfs.ParseFixture("t.fix", r.text)
			if err == nil {
				t.Fatalf("ParseFixture(%q) = %v, want error %q\nrule: %s", r.text, f, r.want, r.rule)
			}
			if err.Error() != r.want {
				t.Errorf("ParseFixture(%q) error\n got %q\nwant %q\nrule: %s", r.text, err, r.want, r.rule)
			}
		})
	}
}

func TestMustParseFixturePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParseFixture of a bad fixture did not panic")
		}
	}()
	rootfs.MustParseFixture("dir relative 0755 0:0")
}

// roundTripFixture has every line form, content kind and attribute.
const roundTripFixture = `
# every form
dir / 0755 0:0
dir /home/nonroot 0700 65532:65532
dir /shared 2775 0:100 acl=u::rwx,g::rwx,g:200:r-x,m::rwx,o::r-x
file /bin/probe 0755 0:0 elf
file /bin/busybox 0755 0:0 busybox
file /bin/arm 0755 0:0 elf=aarch64
file /bin/dyn 0755 0:0 interp=/bin/probe
file /bin/rel 0755 0:0 interp=probe
file /bin/s 0755 0:0 script=/bin/probe
file /bin/crlf 0755 0:0 text="#!/bin/probe\r\n"
file /bin/su 4755 0:0 elf
file /bin/ping 0755 0:0 elf caps=CAP_NET_RAW+ep
file /bin/tool 0750 0:0 elf caps=CAP_CHOWN,CAP_SETUID+eip caprev=1
file /bin/ns 0755 0:0 elf caps=CAP_NET_BIND_SERVICE+p caproot=100000
file /bin/e 0755 0:0 caps=+e
file /etc/secret 0600 0:0 text="a b\tc" acl=u::rw-,u:1000:r--,g::---,m::r--,o::---
file /etc/empty 0644 0:0
symlink /bin/sh probe
symlink /home/nonroot/up ../.. 65532:65532
fifo /run/fifo 0620 0:5
mount /tmp tmpfs 1777 0:0 noexec,nosuid
file /tmp/x 0755 0:0 elf
mount /ro tmpfs 0755 0:0 ro
mount /data bind ro,nosymfollow
mount /home bind
`

func TestFixtureStringRoundTrip(t *testing.T) {
	f, err := rootfs.ParseFixture("t", roundTripFixture)
	if err != nil {
		t.Fatal(err)
	}
	text := f.String()
	again, err := rootfs.ParseFixture("string", text)
	if err != nil {
		t.Fatalf("ParseFixture(String()): %v\n%s", err, text)
	}
	if diff := cmp.Diff(f.Entries, again.Entries, ignoreLine); diff != "" {
		t.Errorf("ParseFixture(String()) (-want +got):\n%s\n%s", diff, text)
	}
	// String is stable: printing the reparsed fixture gives the same text.
	if again.String() != text {
		t.Errorf("String not stable:\n%s\n---\n%s", text, again.String())
	}
	// Lines print as written, modulo the defaults String spells out.
	for _, want := range []string{
		"dir /home/nonroot 0700 65532:65532\n",
		"file /bin/crlf 0755 0:0 text=\"#!/bin/probe\\r\\n\"\n",
		"file /bin/tool 0750 0:0 elf caps=CAP_CHOWN,CAP_SETUID+eip caprev=1\n",
		"file /bin/ns 0755 0:0 elf caps=CAP_NET_BIND_SERVICE+p caprev=3 caproot=100000\n",
		"symlink /bin/sh probe 0:0\n",
		"mount /tmp tmpfs 1777 0:0 noexec,nosuid\n",
		"mount /data bind ro,nosymfollow\n",
		"mount /home bind\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("String() lacks %q:\n%s", want, text)
		}
	}
}

// FuzzParseFixture checks the fixture parser whatever the text: it never
// panics; an error names the file and a line; a fixture that parses prints
// (String) to text that parses to an equal fixture, prints the same again,
// and builds a Mem that passes the conformance suite.
func FuzzParseFixture(f *testing.F) {
	f.Add(roundTripFixture)
	for _, s := range []string{
		"dir /a 0755 0:0",
		"file /a 0644 0:0 text=\"x y\" acl=u::rw-,u:1:r--,g::r--,m::r--,o::---",
		"symlink /a b 1:2",
		"fifo /p 0600 0:0",
		"mount /t tmpfs 1777 0:0 ro,noexec\nfile /t/x 0755 0:0 elf caps=CAP_NET_RAW+ep caprev=3 caproot=7",
		"mount /b bind nosuid",
		"file /x 0755 0:0 caps=+e",
		"file /x 0755 0:0 text=`raw`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fx, err := rootfs.ParseFixture("fuzz", text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		printed := fx.String()
		again, err := rootfs.ParseFixture("printed", printed)
		if err != nil {
			t.Fatalf("String() of a parsed fixture does not parse: %v\ninput: %q\nprinted: %q", err, text, printed)
		}
		if diff := cmp.Diff(fx.Entries, again.Entries, ignoreLine, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ParseFixture(String()) differs (-want +got):\n%s\ninput: %q\nprinted: %q", diff, text, printed)
		}
		if again.String() != printed {
			t.Fatalf("String not stable: %q then %q", printed, again.String())
		}
		if err := wellFormed(fx); err == nil {
			if err := rootfstest.Check(fx.Mem(), fx); err != nil {
				t.Fatalf("Mem of %q: %v", text, err)
			}
		}
	})
}

// wellFormed reports whether f is a fixture whose tree does not depend on
// line order beyond what the fixture language defines: no path is given
// twice, no line puts something below a non-directory, and mount lines
// come before the lines below them.
func wellFormed(f *rootfs.Fixture) error {
	kinds := map[string]rootfs.EntryKind{}
	mounted := map[string]bool{}
	for _, e := range f.Entries {
		if _, ok := kinds[e.Path]; ok {
			return fmt.Errorf("%s given twice", e.Path)
		}
		for d := e.Path; d != "/"; {
			d = parentDir(d)
			if k, ok := kinds[d]; ok && k != rootfs.KindDir && k != rootfs.KindTmpfs && k != rootfs.KindBind {
				return fmt.Errorf("%s below a %s", e.Path, k)
			}
		}
		for m := range mounted {
			if strings.HasPrefix(m, e.Path+"/") || (e.Path == "/" && m != "/") {
				return fmt.Errorf("%s after a mount below it", e.Path)
			}
		}
		kinds[e.Path] = e.Kind
		if e.Kind == rootfs.KindTmpfs || e.Kind == rootfs.KindBind {
			mounted[e.Path] = true
		}
	}
	return nil
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// Fixtures the conformance suite runs on.
var conformanceFixtures = map[string]string{
	"round_trip": roundTripFixture,
	"empty":      "",
	"nested_mounts": `
mount /a tmpfs 0755 0:0 ro,nosuid
dir /a/b 0700 5:5
mount /a/b/c bind noexec
file /a/b/c/f 0644 0:0 text="in c"
mount /a/t tmpfs 1777 0:0 nodev
file /a/t/g 0644 0:0 text="in t"
file /a/h 0644 0:0 text="in a"
`,
	"big_file": "file /big 0644 0:0 text=\"" + strings.Repeat(`0123456789abcdef\n`, 600) + "\"\n",
	"implicit_parents": `
file /x/y/z/f 0644 1:1 text="deep"
symlink /x/y/l ../../nowhere
`,
}

func TestFixtureMemConformance(t *testing.T) {
	for name, text := range conformanceFixtures {
		t.Run(name, func(t *testing.T) {
			f, err := rootfs.ParseFixture(name, text)
			if err != nil {
				t.Fatal(err)
			}
			rootfstest.TestFS(t, f.Mem(), f)
		})
	}
}
