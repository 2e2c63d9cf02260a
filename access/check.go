package access

import "github.com/preexec/preexec/caps"

// A Class is the part of the kernel's DAC check that decided a request.
type Class uint8

// The deciding classes, in the order acl_permission_check tries them.
const (
	ClassNone     Class = iota // nothing decided (the request was allowed by the fast path)
	ClassOwner                 // the owner bits: fsuid is the inode's uid
	ClassACLUser               // a named ACL_USER entry, masked
	ClassACLGroup              // ACL_GROUP_OBJ or a named ACL_GROUP entry, masked
	ClassACLOther              // the ACL's OTHER entry: no user or group entry matched
	ClassGroup                 // the group bits: the inode's gid is fsgid or a supplementary group
	ClassOther                 // the other bits
)

var classNames = [...]string{"none", "owner", "acl user", "acl group", "acl other", "group", "other"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class?"
}

// aclPermissionCheck is fs/namei.c:acl_permission_check() (v6.6): the DAC
// decision without capabilities. It returns nil or EACCES and the class that
// decided.
func aclPermissionCheck(c *Cred, ino *Inode, mask Mask) (Class, error) {
	mode := ino.Mode
	want := uint32(mask & 7)
	// The kernel's cheap case, semantically neutral: every class has the
	// requested bits and there is no ACL.
	if want*0o111&^mode == 0 && ino.ACL == nil {
		return ClassNone, nil
	}
	// Owner class: only the owner bits decide, no ACL, no fallback.
	if ino.UID == c.FSUID {
		if want&^(mode>>6) != 0 {
			return ClassOwner, EACCES
		}
		return ClassOwner, nil
	}
	// The ACL decides only when the mode's group bits (its mask) are not 0.
	if ino.ACL != nil && mode&0o070 != 0 {
		return posixACLPermission(c, ino, Mask(want))
	}
	class := ClassOther
	if c.inGroup(ino.GID) {
		class = ClassGroup
		mode >>= 3
	}
	if want&^mode&7 != 0 {
		return class, EACCES
	}
	return class, nil
}

// posixACLPermission is fs/posix_acl.c:posix_acl_permission() (v6.6) for a
// non-owner: the first matching ACL_USER entry decides, masked; else the
// first group entry (GROUP_OBJ or ACL_GROUP) whose bits hold all of want,
// masked; a matching group entry that grants nothing denies; else OTHER,
// unmasked. Entries are sorted, so the mask follows every entry it masks.
func posixACLPermission(c *Cred, ino *Inode, want Mask) (Class, error) {
	acl := ino.ACL
	masked := func(e ACLEntry, class Class) (Class, error) {
		perm := e.Perm
		for _, m := range acl {
			if m.Tag == ACL_MASK {
				perm &= m.Perm
				break
			}
		}
		if perm&want != want {
			return class, EACCES
		}
		return class, nil
	}
	found := false
	for _, e := range acl {
		switch e.Tag {
		case ACL_USER_OBJ:
			// The owner was handled by acl_permission_check.
		case ACL_USER:
			if e.ID == c.FSUID {
				return masked(e, ClassACLUser)
			}
		case ACL_GROUP_OBJ:
			if c.inGroup(ino.GID) {
				found = true
				if e.Perm&want == want {
					return masked(e, ClassACLGroup)
				}
			}
		case ACL_GROUP:
			if c.inGroup(e.ID) {
				found = true
				if e.Perm&want == want {
					return masked(e, ClassACLGroup)
				}
			}
		case ACL_OTHER:
			if found {
				return ClassACLGroup, EACCES
			}
			if e.Perm&want != want {
				return ClassACLOther, EACCES
			}
			return ClassACLOther, nil
		}
	}
	return ClassNone, EIO
}

// overrideCap returns the capability with which generic_permission would
// grant mask on ino after the DAC check said EACCES, or ok == false if no
// capability can (exec of a non-directory without any x bit).
func overrideCap(ino *Inode, mask Mask) (cp caps.Cap, alt caps.Cap, ok bool) {
	if ino.IsDir() {
		if mask&MAY_WRITE == 0 {
			return caps.CAP_DAC_READ_SEARCH, caps.CAP_DAC_OVERRIDE, true
		}
		return caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_OVERRIDE, true
	}
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC
	if mask == MAY_READ {
		return caps.CAP_DAC_READ_SEARCH, caps.CAP_DAC_OVERRIDE, true
	}
	if mask&MAY_EXEC == 0 || ino.Mode&0o111 != 0 {
		return caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_OVERRIDE, true
	}
	return 0, 0, false
}

// GenericPermission decides mask on ino for c as
// fs/namei.c:generic_permission() (read at Linux v6.6) does:
//
//  1. acl_permission_check: if c's fsuid owns the inode, the owner bits
//     alone decide. Else, if the inode has an access ACL and the mode's
//     group bits (the ACL mask) are not 0, the ACL alone decides
//     (posix_acl_permission). Else the group bits decide if the inode's gid
//     is c's fsgid or a supplementary group (in_group_p), the other bits if
//     not.
//  2. If that denied a directory: CAP_DAC_READ_SEARCH grants a request
//     without MAY_WRITE; CAP_DAC_OVERRIDE grants any.
//  3. If it denied a non-directory: CAP_DAC_READ_SEARCH grants MAY_READ
//     alone; CAP_DAC_OVERRIDE grants a request without MAY_EXEC, or with it
//     if the mode has at least one x bit.
//
// A capability counts only if it is effective and the inode's uid and gid
// are both mapped in c's user namespace (capable_wrt_inode_uidgid).
// CAP_FOWNER plays no part. The result is nil or EACCES.
//
// Not modelled: idmapped mounts, a filesystem's own ->permission
// (overlayfs's mounter check, NFS, FUSE), LSMs.
func GenericPermission(c *Cred, ino *Inode, mask Mask) error {
	if mask&MAY_WRITE != 0 && ino.Mount&SB_RDONLY != 0 {
		// Nothing here looks at the mount but sb_permission, which
		// generic_permission does not make: decide on a copy without it.
		o := *ino
		o.Mount &^= SB_RDONLY
		return permission(c, &o, mask)
	}
	return permission(c, ino, mask)
}

// Permission decides mask on ino for c as fs/namei.c:inode_permission()
// (v6.6) does, before any filesystem's own check: MAY_WRITE on a regular
// file, directory or symlink of a read-only superblock is EROFS
// (sb_permission), then GenericPermission decides. This is the check of
// chdir(2), of every directory searched in a path walk, of open(2) and of
// execve(2), always with the caller's effective credentials.
//
// Not modelled: immutable inodes (EPERM for MAY_WRITE), inodes whose ids
// have no mapping in the filesystem's own idmapping, device cgroups, LSMs.
func Permission(c *Cred, ino *Inode, mask Mask) error {
	return permission(c, ino, mask)
}

// The capabilities generic_permission may override a DAC denial with, as
// caps.Set bits.
const (
	capDacOverride   = caps.Set(1) << caps.CAP_DAC_OVERRIDE
	capDacReadSearch = caps.Set(1) << caps.CAP_DAC_READ_SEARCH
)

// readOnlySB reports whether sb_permission refuses mask on ino: MAY_WRITE
// on a regular file, directory or symlink of a read-only superblock.
func readOnlySB(ino *Inode, mask Mask) bool {
	if mask&MAY_WRITE == 0 || ino.Mount&SB_RDONLY == 0 {
		return false
	}
	switch ino.Mode & S_IFMT {
	case S_IFREG, S_IFDIR, S_IFLNK:
		return true
	}
	return false
}

// permission is Permission: sb_permission (readOnlySB), then
// GenericPermission. An inode with an ACL takes the slow path,
// aclPermission; for one without, it makes the decisions of
// aclPermissionCheck (the cheap case, owner, group, other), overrideCap and
// capableWrtInode without further calls and without computing a Class.
//
// generic_permission asks for a capability only once the class bits have
// denied; a capability can only turn that denial into success, so asking
// first, for a caller that holds one, gives the same answer and spares a
// privileged caller the class checks.
func permission(c *Cred, ino *Inode, mask Mask) error {
	mode := ino.Mode
	if readOnlySB(ino, mask) {
		return EROFS
	}
	if ino.ACL != nil {
		return aclPermission(c, ino, mask)
	}
	want := uint32(mask & 7)
	// acl_permission_check's cheap case: every class has the bits.
	if want*0o111&^mode == 0 {
		return nil
	}
	if c.CapEffective != 0 && c.CapEffective&overrideNeed(ino, mask) != 0 &&
		(c.UserNS == nil || c.UserNS.mapsInode(ino)) {
		return nil
	}
	// The bits of the deciding class: owner, group (in_group_p) or other.
	bits := mode
	if ino.UID == c.FSUID {
		bits = mode >> 6
	} else if ino.GID == c.FSGID {
		bits = mode >> 3
	} else {
		for _, g := range c.Groups {
			if g == ino.GID {
				bits = mode >> 3
				break
			}
		}
	}
	if want&^bits&7 == 0 {
		return nil
	}
	return EACCES
}

// overrideNeed returns the capabilities of which one would override a
// DAC denial of mask on ino, an inode without an ACL (overrideCap), or 0
// if none would: it counts only if it is effective and the inode's ids
// are mapped (capable_wrt_inode_uidgid).
func overrideNeed(ino *Inode, mask Mask) caps.Set {
	if ino.Mode&S_IFMT == S_IFDIR {
		if mask&MAY_WRITE == 0 {
			return capDacOverride | capDacReadSearch
		}
		return capDacOverride
	}
	if m := mask & (MAY_READ | MAY_WRITE | MAY_EXEC); m == MAY_READ {
		return capDacReadSearch | capDacOverride
	} else if m&MAY_EXEC == 0 || ino.Mode&0o111 != 0 {
		return capDacOverride
	}
	return 0
}

// mapsInode reports whether ino's uid and gid are both mapped in ns, as
// capable_wrt_inode_uidgid requires.
func (ns *UserNS) mapsInode(ino *Inode) bool {
	return mapped(ns.UIDMap, ino.UID) && mapped(ns.GIDMap, ino.GID)
}

// aclPermission is GenericPermission of an inode with an ACL, the slow
// path: aclPermissionCheck, then overrideCap's capabilities.
func aclPermission(c *Cred, ino *Inode, mask Mask) error {
	_, err := aclPermissionCheck(c, ino, mask)
	if err != EACCES {
		return err
	}
	if cp, alt, ok := overrideCap(ino, mask); ok {
		if c.capableWrtInode(ino, cp) || c.capableWrtInode(ino, alt) {
			return nil
		}
	}
	return EACCES
}

// AccessOverrideCreds returns the credentials access(2) and faccessat(2)
// without AT_EACCESS check with, as fs/open.c:access_override_creds() (v6.6)
// makes them: fsuid and fsgid become the real uid and gid; if the real uid is
// not root in c's namespace the effective capabilities are cleared, else
// they become the permitted set. Supplementary groups are unchanged.
// Not modelled: SECBIT_NO_SETUID_FIXUP, which skips the capability change.
func AccessOverrideCreds(c *Cred) Cred {
	o := *c
	o.FSUID, o.FSGID = c.UID, c.GID
	if c.UserNS.isRoot(c.UID) {
		o.CapEffective = c.CapPermitted
	} else {
		o.CapEffective = 0
	}
	return o
}

// Eaccess decides faccessat2(2) with AT_EACCESS on the inode a walk reached,
// as the part of fs/open.c:do_faccessat() (v6.6) after the walk does, with
// c's effective credentials:
//
//  1. X_OK on a regular file of a noexec mount → EACCES.
//  2. Permission (EROFS on a read-only superblock, then DAC and
//     capabilities) → EACCES or EROFS.
//  3. If that allowed W_OK on anything but a device, FIFO or socket, a
//     read-only mount → EROFS.
//
// mode is F_OK or a mask of R_OK, W_OK, X_OK; F_OK always passes once the
// walk found the file.
func Eaccess(c *Cred, ino *Inode, mode uint32) error {
	mask := Mask(mode & 7)
	if mask&MAY_EXEC != 0 && ino.IsRegular() && ino.Mount&MNT_NOEXEC != 0 {
		return EACCES
	}
	if err := Permission(c, ino, mask); err != nil {
		return err
	}
	if mask&MAY_WRITE != 0 && !isSpecial(ino) && ino.Mount&(MNT_READONLY|SB_RDONLY) != 0 {
		return EROFS
	}
	return nil
}

// Access decides access(2) (faccessat without AT_EACCESS) on the inode a
// walk reached: Eaccess with AccessOverrideCreds(c), as
// fs/open.c:do_faccessat() (v6.6) does. The walk itself also runs with the
// overridden credentials; see Proc.Access.
func Access(c *Cred, ino *Inode, mode uint32) error {
	o := AccessOverrideCreds(c)
	return Eaccess(&o, ino, mode)
}

func isSpecial(ino *Inode) bool {
	switch ino.Mode & S_IFMT {
	case S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK:
		return true
	}
	return false
}

// ModeBits is the executable test of Go's os/exec.LookPath up to Go 1.19
// (os/exec/lp_unix.go:findExecutable @go1.15.6 … go1.19.8): the file (after
// following symlinks) must not be a directory and must have at least one x
// bit; otherwise fs.ErrPermission, which is EACCES. Nothing else is checked:
// not the caller's class, capabilities, ACLs or mount flags.
func ModeBits(ino *Inode) error {
	if ino.IsDir() || ino.Mode&0o111 == 0 {
		return EACCES
	}
	return nil
}

// OwnerOrCapable reports whether c may act as the owner of ino, as
// fs/inode.c:inode_owner_or_capable() (v6.6) decides it: c's fsuid is the
// inode's uid, or c has CAP_FOWNER effective and the inode's uid is mapped
// in c's namespace. It gates chmod, utimes, setting ACLs and O_NOATIME; it
// never grants read, write, search or exec.
func OwnerOrCapable(c *Cred, ino *Inode) bool {
	if ino.UID == c.FSUID {
		return true
	}
	return c.capable(caps.CAP_FOWNER) && c.UserNS.MapsUID(ino.UID)
}
