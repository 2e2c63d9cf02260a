package caps

import "syscall"

// State is the capability part of a task's credentials (struct cred in
// include/linux/cred.h): the five sets and the SECBIT_KEEP_CAPS securebit.
// User ids given to its transitions are those of the task's own user
// namespace, where 0 is root.
type State struct {
	Sets
	// KeepCaps is SECBIT_KEEP_CAPS, set by prctl(PR_SET_KEEPCAPS, 1).
	KeepCaps bool
}

// Root is the state of a process running as root in its namespace with every
// capability: what a runtime's init process starts with.
var Root = State{Sets: Sets{Effective: All, Permitted: All, Bounding: All}}

// UIDs are a task's real, effective and saved user ids.
type UIDs struct{ Real, Effective, Saved uint32 }

func (u UIDs) anyRoot() bool { return u.Real == 0 || u.Effective == 0 || u.Saved == 0 }

// Setresuid returns the state after the task's uids change from old to new by
// setuid(2), setreuid(2) or setresuid(2), as
// security/commoncap.c:cap_emulate_setxuid() (called from
// cap_task_fix_setuid, v6.6) computes it:
//
//  1. If some old uid was 0 and no new uid is 0, P and E are cleared unless
//     KeepCaps is set, and A is cleared always.
//  2. If the old euid was 0 and the new one is not, E is cleared, even with
//     KeepCaps.
//  3. If the old euid was not 0 and the new one is, E becomes P.
//
// Not modelled: SECBIT_NO_SETUID_FIXUP, and setfsuid(2)'s own fixup.
func (s State) Setresuid(old, new UIDs) State {
	if old.anyRoot() && !new.anyRoot() {
		if !s.KeepCaps {
			s.Permitted, s.Effective = 0, 0
		}
		s.Ambient = 0
	}
	if old.Effective == 0 && new.Effective != 0 {
		s.Effective = 0
	}
	if old.Effective != 0 && new.Effective == 0 {
		s.Effective = s.Permitted
	}
	return s
}

// Capset returns the state after capset(2) sets the effective, permitted and
// inheritable sets, as kernel/capability.c:SYSCALL_DEFINE2(capset) and
// security/commoncap.c:cap_capset() (v6.6) decide it. The rules, in order,
// each failing with EPERM:
//
//  1. Unless CAP_SETPCAP is effective, the new I must be within the old I
//     and the old P.
//  2. The new I must be within the old I and the bounding set.
//  3. The new P must be within the old P.
//  4. The new E must be within the new P.
//
// On success the ambient set is trimmed to the new P and I.
func (s State) Capset(effective, permitted, inheritable Set) (State, error) {
	// The system call drops bits above CAP_LAST_CAP (CAP_VALID_MASK).
	effective, permitted, inheritable = effective&All, permitted&All, inheritable&All
	if !s.Effective.Has(CAP_SETPCAP) && !inheritable.SubsetOf(s.Inheritable|s.Permitted) {
		return s, syscall.EPERM
	}
	if !inheritable.SubsetOf(s.Inheritable | s.Bounding) {
		return s, syscall.EPERM
	}
	if !permitted.SubsetOf(s.Permitted) {
		return s, syscall.EPERM
	}
	if !effective.SubsetOf(permitted) {
		return s, syscall.EPERM
	}
	s.Effective, s.Permitted, s.Inheritable = effective, permitted, inheritable
	s.Ambient &= permitted & inheritable
	return s, nil
}

// DropBounding returns the state after prctl(PR_CAPBSET_DROP, c), as
// security/commoncap.c:cap_prctl_drop() decides it: EPERM without an
// effective CAP_SETPCAP, then EINVAL for an unknown capability.
func (s State) DropBounding(c Cap) (State, error) {
	// cap_prctl_drop checks the privilege before the number.
	if !s.Effective.Has(CAP_SETPCAP) {
		return s, syscall.EPERM
	}
	if !c.Valid() {
		return s, syscall.EINVAL
	}
	s.Bounding = s.Bounding.Without(c)
	return s, nil
}

// RaiseAmbient returns the state after prctl(PR_CAP_AMBIENT,
// PR_CAP_AMBIENT_RAISE, c), as security/commoncap.c:cap_task_prctl() (Linux
// 4.3, 58319057b784) decides it: c must be in both P and I, else EPERM; an
// unknown capability is EINVAL. Not modelled: SECBIT_NO_CAP_AMBIENT_RAISE.
func (s State) RaiseAmbient(c Cap) (State, error) {
	if !c.Valid() {
		return s, syscall.EINVAL
	}
	if !s.Permitted.Has(c) || !s.Inheritable.Has(c) {
		return s, syscall.EPERM
	}
	s.Ambient = s.Ambient.With(c)
	return s, nil
}

// ApplyBoundingSet returns the state after runc's
// libcontainer/capabilities:Caps.ApplyBoundingSet (runc v1.0.0-rc92 …
// v1.1.x), which calls github.com/syndtr/gocapability@42c35b437635
// capsV3.Apply(BOUNDS): only if CAP_SETPCAP is effective, every capability
// not in bounding is dropped with PR_CAPBSET_DROP; without it nothing
// happens and no error is returned.
func (s State) ApplyBoundingSet(bounding Set) (State, error) {
	if !s.Effective.Has(CAP_SETPCAP) {
		return s, nil
	}
	// One DropBounding per known capability not in bounding: with
	// CAP_SETPCAP effective and every number valid, none fails, so the
	// loop is a mask (bits above CAP_LAST_CAP are never dropped).
	s.Bounding &= bounding | ^All
	return s, nil
}

// ApplyCaps returns the state after runc's
// libcontainer/capabilities:Caps.ApplyCaps (runc v1.0.0-rc92 … v1.1.x), which
// calls github.com/syndtr/gocapability@42c35b437635
// capsV3.Apply(CAPS|BOUNDS|AMBS):
//
//  1. The bounding set, as ApplyBoundingSet.
//  2. capset(2) with want's E, P and I; its EPERM is returned.
//  3. For every capability, PR_CAP_AMBIENT_RAISE if it is in want's A, else
//     PR_CAP_AMBIENT_LOWER. A raise that fails (the capability is not in
//     both P and I) is ignored: gocapability discards that error.
func (s State) ApplyCaps(want Sets) (State, error) {
	s, err := s.ApplyBoundingSet(want.Bounding)
	if err != nil {
		return s, err
	}
	if s, err = s.Capset(want.Effective, want.Permitted, want.Inheritable); err != nil {
		return s, err
	}
	// Per known capability, PR_CAP_AMBIENT_LOWER or _RAISE; a raise
	// succeeds exactly for a capability in both P and I (RaiseAmbient),
	// which neither step changes, so the loop is a mask.
	s.Ambient = s.Ambient&^All | want.Ambient&s.Permitted&s.Inheritable&All
	return s, nil
}

// Exec describes an execve(2) for cap_bprm_creds_from_file.
type Exec struct {
	// UID and EUID are the real and effective uid before the call; NewEUID is
	// the effective uid bprm_fill_uid chose: the owner of a set-user-ID file
	// whose bit is honoured, else EUID. The same for the gids. All in the
	// task's own namespace, where 0 is root.
	UID, EUID, NewEUID uint32
	GID, EGID, NewEGID uint32
	// NewEGIDInGroups reports whether NewEGID is the task's fsgid or one of
	// its supplementary groups (in_group_p), which the Linux 6.17 rule
	// (ExecLinux617) asks.
	NewEGIDInGroups bool
	// File is the file's security.capability as get_file_caps accepts it, or
	// nil: no attribute, or one the kernel ignores (a nosuid mount, an
	// attribute of another user namespace).
	File *FileCaps
	// NoNewPrivs is the task's no_new_privs flag. With it bprm_fill_uid
	// honours no set-id bit, so NewEUID and NewEGID are taken to be EUID and
	// EGID whatever they say.
	NoNewPrivs bool
}

// Exec returns the state and the effective uid and gid after a successful
// execve, as security/commoncap.c:cap_bprm_creds_from_file() computes them
// up to Linux 6.16 (read at v6.6):
//
//  1. get_file_caps: P' = (B ∩ fP) ∪ (I ∩ fI); if fE is set and fP is not
//     within P', execve fails with EPERM (2.6.27, 5459c164f059). Bits above
//     CAP_LAST_CAP are dropped first (get_vfs_caps_from_disk).
//  2. handle_privileged_root: for a set-user-ID-root file that also has file
//     capabilities, run by a non-root real uid, nothing more. Otherwise if the
//     new euid or the real uid is 0, P' = B ∪ I, and if the new euid is 0, fE
//     is taken as set.
//  3. The exec is "setid" if the new euid differs from the real uid or the
//     new egid from the real gid (__is_setuid, __is_setgid). If it is setid
//     or P' gains over P, and no_new_privs is set, the euid and egid fall
//     back to the real ones and P' is clipped to P.
//  4. A' is cleared if the file has capabilities or the exec is setid;
//     P' = P' ∪ A'; E' = fE ? P' : A'. I and B are unchanged; KeepCaps is
//     cleared.
//
// Not modelled: SECBIT_NOROOT, ptrace and shared-fs unsafety.
func (s State) Exec(x Exec) (next State, euid, egid uint32, err error) {
	return s.exec(x, func(euid, egid uint32) bool { return euid != x.UID || egid != x.GID })
}

// ExecLinux617 is Exec as Linux 6.17 and later compute it (337490f0007f,
// "exec: Correct the permission check for unsafe exec", read at v6.18):
// step 3 and 4 ask whether the ids changed — the new euid differs from the
// old euid, or the new egid is not among the task's groups
// (NewEGIDInGroups) — instead of comparing with the real ids. A task whose
// euid differs from its uid (setresuid(1000, 0, 0)) thus keeps its ambient
// set across a plain exec, and no_new_privs no longer resets its euid.
func (s State) ExecLinux617(x Exec) (next State, euid, egid uint32, err error) {
	return s.exec(x, func(euid, egid uint32) bool {
		return euid != x.EUID || (egid != x.EGID && !x.NewEGIDInGroups)
	})
}

// exec is cap_bprm_creds_from_file with the kernel version's test for an id
// change.
func (s State) exec(x Exec, idChanged func(euid, egid uint32) bool) (next State, euid, egid uint32, err error) {
	if x.NoNewPrivs {
		x.NewEUID, x.NewEGID = x.EUID, x.EGID
	}
	next = s
	next.KeepCaps = false
	effective := false
	hasFcap := x.File != nil
	next.Permitted = 0
	if hasFcap {
		fc := x.File
		fP, fI := fc.Permitted&All, fc.Inheritable&All
		effective = fc.Effective
		next.Permitted = (s.Bounding & fP) | (s.Inheritable & fI)
		if effective && !fP.SubsetOf(next.Permitted) {
			return s, x.EUID, x.EGID, syscall.EPERM
		}
	}
	euid, egid = x.NewEUID, x.NewEGID
	isSuid := x.UID != 0 && euid == 0
	if !(hasFcap && isSuid) {
		if euid == 0 || x.UID == 0 {
			next.Permitted = s.Bounding | s.Inheritable
		}
		if euid == 0 {
			effective = true
		}
	}
	changed := idChanged(euid, egid)
	gained := !next.Permitted.SubsetOf(s.Permitted)
	if (changed || gained) && x.NoNewPrivs {
		euid, egid = x.UID, x.GID
		next.Permitted &= s.Permitted
	}
	if hasFcap || changed {
		next.Ambient = 0
	}
	next.Permitted |= next.Ambient
	if effective {
		next.Effective = next.Permitted
	} else {
		next.Effective = next.Ambient
	}
	return next, euid, egid, nil
}
