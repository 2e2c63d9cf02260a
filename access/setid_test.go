package access_test

import (
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Rules name the torvalds/linux function that decides the row (kernel/sys.c,
// security/commoncap.c; read in mainline 6.1x).

func TestSetid(t *testing.T) {
	const U = access.Unchanged
	rootKeep := access.Root()
	rootKeep.KeepCaps = true
	rows := []struct {
		name string
		c    *access.Cred
		do   func(*access.Cred) (*access.Cred, error)
		want string // errno or OK
		uids [4]uint32
		eff  caps.Set
		perm caps.Set
		rule string
	}{
		{"root_setuid_drops_all", access.Root(), func(c *access.Cred) (*access.Cred, error) { return access.Setuid(c, 1000) }, "OK", [4]uint32{1000, 1000, 1000, 1000}, 0, 0,
			"sys.c:__sys_setuid with CAP_SETUID sets all uids; commoncap.c:cap_emulate_setxuid clears P and E"},
		{"root_setuid_keepcaps", rootKeep, func(c *access.Cred) (*access.Cred, error) { return access.Setuid(c, 1000) }, "OK", [4]uint32{1000, 1000, 1000, 1000}, 0, caps.All,
			"cap_emulate_setxuid: KEEP_CAPS keeps P, E is cleared anyway"},
		{"user_setuid_other_eperm", access.User(1000, 1000), func(c *access.Cred) (*access.Cred, error) { return access.Setuid(c, 1001) }, "EPERM", [4]uint32{1000, 1000, 1000, 1000}, 0, 0,
			"sys.c:__sys_setuid: without CAP_SETUID only the real or saved uid"},
		{"setresuid_euid_only_keeps_p", access.Root(), func(c *access.Cred) (*access.Cred, error) { return access.Setresuid(c, U, 1000, U) }, "OK", [4]uint32{0, 1000, 0, 1000}, 0, caps.All,
			"cap_emulate_setxuid: euid 0 → non-0 clears E; P stays while a uid is 0"},
		{"setresuid_back_to_root_restores_e", &access.Cred{UID: 0, EUID: 1000, SUID: 0, FSUID: 1000, CapPermitted: caps.All, CapBounding: caps.All}, func(c *access.Cred) (*access.Cred, error) { return access.Setresuid(c, U, 0, U) }, "OK", [4]uint32{0, 0, 0, 0}, caps.All, caps.All,
			"cap_emulate_setxuid: euid non-0 → 0 sets E = P"},
		{"setresuid_noop", access.User(1000, 1000), func(c *access.Cred) (*access.Cred, error) { return access.Setresuid(c, 1000, 1000, 1000) }, "OK", [4]uint32{1000, 1000, 1000, 1000}, 0, 0,
			"sys.c:__sys_setresuid: a call that changes nothing returns 0"},
		{"setresuid_unmapped", &access.Cred{UserNS: &access.UserNS{UIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 10}}}}, func(c *access.Cred) (*access.Cred, error) { return access.Setresuid(c, 20, 20, 20) }, "EINVAL", [4]uint32{0, 0, 0, 0}, 0, 0,
			"sys.c:__sys_setresuid: an id without a mapping is EINVAL"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		got, err := r.do(r.c)
		if errName(err) != r.want {
			t.Errorf("%s: error %v, want %s (%s)", r.name, err, r.want, r.rule)
			continue
		}
		if ids := [4]uint32{got.UID, got.EUID, got.SUID, got.FSUID}; ids != r.uids || got.CapEffective != r.eff || got.CapPermitted != r.perm {
			t.Errorf("%s: uids %v E=%v P=%v, want %v E=%v P=%v (%s)", r.name, ids, got.CapEffective, got.CapPermitted, r.uids, r.eff, r.perm, r.rule)
		}
	}
	g, err := access.Setgroups(access.User(1000, 1000), []uint32{5})
	if errName(err) != "EPERM" || g.Groups != nil {
		t.Errorf("Setgroups without CAP_SETGID = %v, want EPERM (groups.c:may_setgroups)", err)
	}
	g, err = access.Setgroups(access.Root(), []uint32{5, 6})
	if err != nil || len(g.Groups) != 2 {
		t.Errorf("Setgroups as root = %v, %v", g.Groups, err)
	}
}
