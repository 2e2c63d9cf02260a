package access_test

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

func TestGoFaccessat(t *testing.T) {
	m := rootfs.MustParseFixture(`
file /0744 0744 0:0 elf
file /0750-g 0750 0:2000 elf
file /0705 0705 0:2000 elf
file /acl 0700 0:0 elf acl=u::rwx,u:1000:r-x,g::---,m::r-x,o::---
dir /mnt 0755 0:0
file /mnt/x 0755 0:0 elf
mount /mnt bind noexec
`).Mem()
	type fn func(*access.Proc, string, uint32, int) error
	variants := []struct {
		name string
		f    fn
	}{
		{"FaccessatEmulated", access.FaccessatEmulated},
		{"Faccessat2ElseEmulatedNoCaps", access.Faccessat2ElseEmulatedNoCaps},
		{"Faccessat2ElseEmulated", access.Faccessat2ElseEmulated},
		{"FaccessatEmulatedOwnGIDGroup", access.FaccessatEmulatedOwnGIDGroup},
		{"Faccessat2ElseEmulatedOwnGIDGroup", access.Faccessat2ElseEmulatedOwnGIDGroup},
	}
	U := user(1000, 1000)
	UDO := U.WithCaps(caps.CAP_DAC_OVERRIDE)
	// egid 1000 is also listed among the supplementary groups: the x/sys
	// own-gid bug then picks the group bits for every file.
	UownGroup := user(1000, 1000, 1000)
	rows := []struct {
		name string
		cred *access.Cred
		f2   error // what faccessat2 returns before the kernel looks
		path string
		// want per variant, in the order of variants
		want [5]string
		rule string
	}{
		{"dac_override_without_faccessat2", UDO, access.ENOSYS, "/0744",
			[5]string{"EACCES", "EACCES", "OK", "EACCES", "EACCES"},
			"syscall_linux.go:Faccessat: only Go ≥1.20.2 (CL 469956) and x/sys ≥ v0.6.0 treat CAP_DAC_OVERRIDE as root (golang/go#58552)"},
		{"dac_override_with_faccessat2", UDO, nil, "/0744",
			[5]string{"EACCES", "OK", "OK", "EACCES", "OK"},
			"with faccessat2 the kernel decides; the ≤1.19 and early x/sys forms always emulate"},
		{"dac_override_seccomp_eperm", UDO, access.EPERM, "/0744",
			[5]string{"EACCES", "EACCES", "OK", "EACCES", "EACCES"},
			"syscall_linux.go:Faccessat falls back on EPERM as on ENOSYS (x/sys a37d78b9)"},
		{"acl_ignored_by_emulation", U, access.ENOSYS, "/acl",
			[5]string{"EACCES", "EACCES", "EACCES", "EACCES", "EACCES"},
			"the emulation reads mode bits: the group bits (the mask r-x) are not the caller's class; the ACL grants r-x to 1000 but is ignored"},
		{"acl_honoured_by_kernel", U, nil, "/acl",
			[5]string{"EACCES", "OK", "OK", "EACCES", "OK"},
			"faccessat2 applies the ACL (posix_acl_permission)"},
		{"noexec_ignored_by_emulation", U, access.ENOSYS, "/mnt/x",
			[5]string{"OK", "OK", "OK", "OK", "OK"},
			"the emulation does not know mount flags"},
		{"noexec_by_kernel", U, nil, "/mnt/x",
			[5]string{"OK", "EACCES", "EACCES", "OK", "EACCES"},
			"open.c:do_faccessat: path_noexec"},
		{"own_gid_group_bug", UownGroup, access.ENOSYS, "/0705",
			[5]string{"OK", "OK", "OK", "EACCES", "EACCES"},
			"x/sys 981b6149: the egid listed as a supplementary group selects the group bits (---) for any file"},
		{"file_gid_group_fix", user(1000, 1000, 2000), access.ENOSYS, "/0750-g",
			[5]string{"OK", "OK", "OK", "EACCES", "EACCES"},
			"Go syscall (CVE-2022-29526 fix) tests the file's gid against getgroups; x/sys before 33da011f tests the caller's egid"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		for i, v := range variants {
			p := &access.Proc{Cred: r.cred, FS: m, Kernel: access.Kernel{Faccessat2: r.f2}}
			if got := errName(v.f(p, r.path, access.X_OK, access.AT_EACCESS)); got != r.want[i] {
				t.Errorf("%s: %s(%s, X_OK, AT_EACCESS) = %s, want %s\nrule: %s", r.name, v.name, r.path, got, r.want[i], r.rule)
			}
		}
	}
}

// TestGoFaccessatDenial: an emulation's refusal says what decided it —
// the class whose mode bits it read, and CAP_DAC_OVERRIDE only for a
// variant that counts it — and is still EACCES to errors.Is.
func TestGoFaccessatDenial(t *testing.T) {
	m := rootfs.MustParseFixture("file /0744 0744 0:2000 elf\n").Mem()
	for _, r := range []struct {
		name   string
		f      func(*access.Proc, string, uint32, int) error
		cred   *access.Cred
		class  access.Class
		hasCap bool
	}{
		{"group bits, no capability counts (Go ≤ 1.19)", access.FaccessatEmulated, user(1000, 2000), access.ClassGroup, false},
		{"other bits, CAP_DAC_OVERRIDE counts (Go ≥ 1.20.2 without faccessat2)", access.Faccessat2ElseEmulated, user(1000, 1000), access.ClassOther, true},
	} {
		p := &access.Proc{FS: m, Cred: r.cred, Kernel: access.Kernel{Faccessat2: access.ENOSYS}}
		err := r.f(p, "/0744", access.X_OK, access.AT_EACCESS)
		var d *access.Denial
		if !errors.As(err, &d) || !errors.Is(err, fs.ErrPermission) || !errors.Is(err, syscall.EACCES) {
			t.Fatalf("%s: %v; want a *Denial that is EACCES", r.name, err)
		}
		if d.Reason != access.ReasonEmulated || d.Class != r.class || d.HasCap != r.hasCap || d.Path != "/0744" || d.Mask != access.MAY_EXEC {
			t.Errorf("%s: %+v", r.name, d)
		}
		if !strings.Contains(d.Explain(), "as the userspace faccessat emulation reads them") {
			t.Errorf("%s: %s", r.name, d.Explain())
		}
	}
}
