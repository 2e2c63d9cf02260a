package access

import "github.com/preexec/preexec/caps"

// Unchanged is the id value (uid_t)-1 that tells setresuid(2) and
// setresgid(2) to leave an id as it is.
const Unchanged = ^uint32(0)

// The credential-changing system calls a runtime makes between its own
// start as root and execve: setgroups(2), setgid(2), setuid(2),
// setresgid(2), setresuid(2). Ids are given as the caller passes them, in
// its own user namespace; the returned Cred holds kernel ids. Each returns c
// unchanged with the errno on failure, as the kernel leaves the credentials
// untouched then. Not modelled: RLIMIT_NPROC (EAGAIN from set_user), LSMs,
// SECBIT_NO_SETUID_FIXUP.

// Setresuid returns the credentials after setresuid(r, e, s), as
// kernel/sys.c:__sys_setresuid() (v6.6) decides it:
//
//  1. An id without a mapping in the caller's namespace: EINVAL.
//  2. A call that changes nothing (every given id equals the current one,
//     and the new euid is also the fsuid) returns at once, with no
//     capability fixup.
//  3. An id that is none of the current real, effective and saved uids
//     needs CAP_SETUID in the effective set: EPERM otherwise.
//  4. The ids change, fsuid follows the euid, and
//     security/commoncap.c:cap_emulate_setxuid adjusts the capabilities
//     (caps.State.Setresuid).
func Setresuid(c *Cred, r, e, s uint32) (*Cred, error) {
	k, err := setres(c.UserNS.KUID, [3]uint32{c.UID, c.EUID, c.SUID}, c.FSUID, [3]uint32{r, e, s}, c.capable(caps.CAP_SETUID))
	if err != nil || k == nil {
		return c, err
	}
	n := *c
	n.UID, n.EUID, n.SUID, n.FSUID = k[0], k[1], k[2], k[1]
	n.fixSetuid(c)
	return &n, nil
}

// setres is the part __sys_setresuid and __sys_setresgid share: it maps the
// requested ids (Unchanged keeps one) to kernel ids, returns nil ids for a
// call that changes nothing, and EPERM when an id is none of the current
// ones and the capability (CAP_SETUID, CAP_SETGID) is not effective.
func setres(toKernel func(uint32) (uint32, bool), cur [3]uint32, fs uint32, want [3]uint32, capable bool) (*[3]uint32, error) {
	k := cur
	noop := true
	isNew := false
	for i, id := range want {
		if id == Unchanged {
			continue
		}
		kid, ok := toKernel(id)
		if !ok {
			return nil, EINVAL
		}
		k[i] = kid
		if kid != cur[i] || (i == 1 && kid != fs) {
			noop = false
		}
		if kid != cur[0] && kid != cur[1] && kid != cur[2] {
			isNew = true
		}
	}
	if noop {
		return nil, nil
	}
	if isNew && !capable {
		return nil, EPERM
	}
	return &k, nil
}

// Setuid returns the credentials after setuid(uid), as
// kernel/sys.c:__sys_setuid() (v6.6) decides it: with CAP_SETUID effective
// the real, effective, saved and fs uids all become uid; without it only
// the effective and fs uids, and only if uid is the real or saved uid, else
// EPERM. An unmapped uid is EINVAL. cap_emulate_setxuid then adjusts the
// capabilities. runc's setupUser calls it after setgid.
func Setuid(c *Cred, uid uint32) (*Cred, error) {
	k, ok := c.UserNS.KUID(uid)
	if !ok {
		return c, EINVAL
	}
	n := *c
	switch {
	case c.capable(caps.CAP_SETUID):
		n.UID, n.SUID = k, k
	case k != c.UID && k != c.SUID:
		return c, EPERM
	}
	n.EUID, n.FSUID = k, k
	n.fixSetuid(c)
	return &n, nil
}

// fixSetuid applies security/commoncap.c:cap_task_fix_setuid for a change of
// uids from old (LSM_SETID_ID, _RE, _RES): cap_emulate_setxuid, whose "root"
// is uid 0 of the task's namespace.
func (c *Cred) fixSetuid(old *Cred) {
	ns := old.UserNS
	local := func(k uint32) uint32 {
		if id, ok := ns.UID(k); ok {
			return id
		}
		return overflowID
	}
	st := old.Caps().Setresuid(
		caps.UIDs{Real: local(old.UID), Effective: local(old.EUID), Saved: local(old.SUID)},
		caps.UIDs{Real: local(c.UID), Effective: local(c.EUID), Saved: local(c.SUID)},
	)
	c.SetCaps(st)
}

// Setresgid returns the credentials after setresgid(r, e, s), as
// kernel/sys.c:__sys_setresgid() (v6.6) decides it: unmapped ids are
// EINVAL; a call that changes nothing returns at once; an id that is none
// of the current real, effective and saved gids needs CAP_SETGID, else
// EPERM; the fsgid follows the egid. Capabilities are not touched.
func Setresgid(c *Cred, r, e, s uint32) (*Cred, error) {
	k, err := setres(c.UserNS.KGID, [3]uint32{c.GID, c.EGID, c.SGID}, c.FSGID, [3]uint32{r, e, s}, c.capable(caps.CAP_SETGID))
	if err != nil || k == nil {
		return c, err
	}
	n := *c
	n.GID, n.EGID, n.SGID, n.FSGID = k[0], k[1], k[2], k[1]
	return &n, nil
}

// Setgid returns the credentials after setgid(gid), as
// kernel/sys.c:__sys_setgid() (v6.6) decides it: with CAP_SETGID effective
// all four gids become gid; without it only the effective and fs gids, and
// only if gid is the real or saved gid, else EPERM. An unmapped gid is
// EINVAL.
func Setgid(c *Cred, gid uint32) (*Cred, error) {
	k, ok := c.UserNS.KGID(gid)
	if !ok {
		return c, EINVAL
	}
	n := *c
	switch {
	case c.capable(caps.CAP_SETGID):
		n.GID, n.SGID = k, k
	case k != c.GID && k != c.SGID:
		return c, EPERM
	}
	n.EGID, n.FSGID = k, k
	return &n, nil
}

// NGROUPS_MAX is the most supplementary groups setgroups(2) takes
// (include/uapi/linux/limits.h).
const NGROUPS_MAX = 65536

// Setgroups returns the credentials after setgroups(groups), as
// kernel/groups.c:SYSCALL_DEFINE2(setgroups) (v6.6) decides it: more than
// NGROUPS_MAX is EINVAL; without CAP_SETGID effective (may_setgroups) EPERM;
// an unmapped gid is EINVAL. In a user namespace whose /proc/PID/setgroups
// says "deny" the call is EPERM as well; see SetgroupsDenied.
func Setgroups(c *Cred, groups []uint32) (*Cred, error) {
	if len(groups) > NGROUPS_MAX {
		return c, EINVAL
	}
	if !c.capable(caps.CAP_SETGID) || c.UserNS != nil && c.UserNS.SetgroupsDenied {
		return c, EPERM
	}
	ks := make([]uint32, 0, len(groups))
	for _, g := range groups {
		k, ok := c.UserNS.KGID(g)
		if !ok {
			return c, EINVAL
		}
		ks = append(ks, k)
	}
	n := *c
	n.Groups = ks
	return &n, nil
}
