package access

import (
	"github.com/preexec/preexec/caps"
)

// A Mask is a permission request, as the kernel's MAY_* bits
// (include/linux/fs.h). It has the same bit values as access(2)'s R_OK, W_OK
// and X_OK.
type Mask uint8

// The permission bits of a Mask. MAY_EXEC on a directory means search.
const (
	MAY_EXEC  Mask = 0x1
	MAY_WRITE Mask = 0x2
	MAY_READ  Mask = 0x4
)

// The modes of access(2) and faccessat2(2) (include/uapi/linux/fcntl.h).
const (
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4
)

// Flags of faccessat2(2).
const (
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_EACCESS          = 0x200
	AT_EMPTY_PATH       = 0x1000
)

func (m Mask) String() string {
	b := []byte("---")
	if m&MAY_READ != 0 {
		b[0] = 'r'
	}
	if m&MAY_WRITE != 0 {
		b[1] = 'w'
	}
	if m&MAY_EXEC != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// File type and mode bits of st_mode, as include/uapi/linux/stat.h.
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
	S_ISUID  = 0o4000
	S_ISGID  = 0o2000
	S_ISVTX  = 0o1000
)

// MountFlags are the flags of the mount an inode is seen through, and of its
// superblock.
type MountFlags uint8

// Mount flags, named as the kernel's MNT_* (include/linux/mount.h) and SB_*
// (include/linux/fs.h) flags.
const (
	MNT_NOSUID      MountFlags = 1 << iota // setuid bits and file capabilities ignored
	MNT_NODEV                              // device nodes cannot be opened
	MNT_NOEXEC                             // regular files cannot be executed
	MNT_NOSYMFOLLOW                        // symlinks on it are not followed (5.10)
	MNT_READONLY                           // a read-only mount (bind,ro) of a writable fs
	SB_RDONLY                              // a read-only superblock (the fs itself)
)

// An Inode is what the kernel knows of a file when it decides a permission:
// its type and mode, owner and group, access ACL, file capabilities and the
// flags of the mount it is reached through.
//
// UID and GID are kernel ids: the ids as the initial user namespace sees
// them, which is what is stored on disk for a rootfs unpacked by root.
type Inode struct {
	Mode uint32 // st_mode: S_IFMT type bits and permission bits
	UID  uint32
	GID  uint32
	// Mount holds the flags of the mount the inode was reached through.
	Mount MountFlags
	// ACL is the system.posix_acl_access attribute, nil if none. When it is
	// set, the mode's group bits are its mask (or its GROUP_OBJ entry if it
	// has no mask), as the kernel keeps them.
	ACL ACL
	// Caps is the security.capability attribute, nil if none.
	Caps *caps.FileCaps
	// Size is st_size.
	Size int64
}

// Type returns the S_IFMT bits of ino's mode.
func (ino *Inode) Type() uint32 { return ino.Mode & S_IFMT }

// IsDir reports whether ino is a directory.
func (ino *Inode) IsDir() bool { return ino.Mode&S_IFMT == S_IFDIR }

// IsRegular reports whether ino is a regular file.
func (ino *Inode) IsRegular() bool { return ino.Mode&S_IFMT == S_IFREG }

// IsSymlink reports whether ino is a symbolic link.
func (ino *Inode) IsSymlink() bool { return ino.Mode&S_IFMT == S_IFLNK }

// An ACLTag is the tag of a POSIX ACL entry (include/uapi/linux/posix_acl.h).
type ACLTag uint16

// ACL entry tags, in the order the kernel requires them.
const (
	ACL_USER_OBJ  ACLTag = 0x01
	ACL_USER      ACLTag = 0x02
	ACL_GROUP_OBJ ACLTag = 0x04
	ACL_GROUP     ACLTag = 0x08
	ACL_MASK      ACLTag = 0x10
	ACL_OTHER     ACLTag = 0x20
)

// An ACLEntry is one entry of a POSIX access ACL. ID is a kernel uid for
// ACL_USER and a kernel gid for ACL_GROUP, unused otherwise.
type ACLEntry struct {
	Tag  ACLTag
	Perm Mask
	ID   uint32
}

// An ACL is a POSIX access ACL, its entries sorted as the kernel keeps them:
// USER_OBJ, USER (by id), GROUP_OBJ, GROUP (by id), MASK, OTHER.
type ACL []ACLEntry

// IDMap is one line of a user namespace's uid_map or gid_map: Size ids from
// ContainerID inside the namespace are HostID… in the parent (here always
// the initial namespace).
type IDMap struct {
	ContainerID, HostID, Size uint32
}

// A UserNS is a user namespace, given by its mappings to the initial
// namespace. A nil *UserNS is the initial namespace, where every id maps to
// itself.
type UserNS struct {
	UIDMap, GIDMap []IDMap
	// SetgroupsDenied is /proc/PID/setgroups reading "deny" (as an
	// unprivileged user namespace's creator must write before its gid_map):
	// setgroups(2) then fails with EPERM.
	SetgroupsDenied bool
}

// mapped reports whether the kernel id k has a mapping in m.
func mapped(m []IDMap, k uint32) bool {
	for _, e := range m {
		if k >= e.HostID && k-e.HostID < e.Size {
			return true
		}
	}
	return false
}

// toKernel maps the namespace id id through m, reporting whether it is
// mapped.
func toKernel(m []IDMap, id uint32) (uint32, bool) {
	for _, e := range m {
		if id >= e.ContainerID && id-e.ContainerID < e.Size {
			return e.HostID + (id - e.ContainerID), true
		}
	}
	return 0, false
}

// fromKernel maps the kernel id k into the namespace of m.
func fromKernel(m []IDMap, k uint32) (uint32, bool) {
	for _, e := range m {
		if k >= e.HostID && k-e.HostID < e.Size {
			return e.ContainerID + (k - e.HostID), true
		}
	}
	return 0, false
}

// MapsUID reports whether the kernel uid k has a mapping in ns
// (kuid_has_mapping).
func (ns *UserNS) MapsUID(k uint32) bool { return ns == nil || mapped(ns.UIDMap, k) }

// MapsGID reports whether the kernel gid k has a mapping in ns
// (kgid_has_mapping).
func (ns *UserNS) MapsGID(k uint32) bool { return ns == nil || mapped(ns.GIDMap, k) }

// KUID returns the kernel uid of the namespace uid id (make_kuid).
func (ns *UserNS) KUID(id uint32) (uint32, bool) {
	if ns == nil {
		return id, true
	}
	return toKernel(ns.UIDMap, id)
}

// KGID returns the kernel gid of the namespace gid id (make_kgid).
func (ns *UserNS) KGID(id uint32) (uint32, bool) {
	if ns == nil {
		return id, true
	}
	return toKernel(ns.GIDMap, id)
}

// UID returns the namespace uid of the kernel uid k (from_kuid).
func (ns *UserNS) UID(k uint32) (uint32, bool) {
	if ns == nil {
		return k, true
	}
	return fromKernel(ns.UIDMap, k)
}

// GID returns the namespace gid of the kernel gid k (from_kgid).
func (ns *UserNS) GID(k uint32) (uint32, bool) {
	if ns == nil {
		return k, true
	}
	return fromKernel(ns.GIDMap, k)
}

// isRoot reports whether the kernel uid k is uid 0 of ns.
func (ns *UserNS) isRoot(k uint32) bool {
	u, ok := ns.UID(k)
	return ok && u == 0
}

// A Cred is the credentials of a task, as struct cred
// (include/linux/cred.h) holds them: user and group ids, supplementary
// groups, capability sets and the user namespace. All ids are kernel ids
// (as the initial namespace sees them); a task in a user namespace sees them
// through UserNS.
type Cred struct {
	UID, EUID, SUID, FSUID uint32
	GID, EGID, SGID, FSGID uint32
	// Groups are the supplementary groups.
	Groups []uint32

	CapInheritable, CapPermitted, CapEffective, CapBounding, CapAmbient caps.Set
	// KeepCaps is SECBIT_KEEP_CAPS.
	KeepCaps bool
	// NoNewPrivs is the task's no_new_privs flag (not part of struct cred
	// in the kernel, but of the task; kept here since execve reads it with
	// the credentials).
	NoNewPrivs bool

	// UserNS is the task's user namespace; nil is the initial one.
	UserNS *UserNS
}

// User returns the credentials of a task whose ids are all uid and gid, with
// the given supplementary groups and no capabilities, in the initial user
// namespace and with the full bounding set: a process after a runtime has
// switched to the container user of a config without capabilities.
func User(uid, gid uint32, groups ...uint32) *Cred {
	return &Cred{
		UID: uid, EUID: uid, SUID: uid, FSUID: uid,
		GID: gid, EGID: gid, SGID: gid, FSGID: gid,
		Groups:      groups,
		CapBounding: caps.All,
	}
}

// Root returns the credentials of uid 0 with every capability.
func Root() *Cred {
	c := User(0, 0)
	c.CapEffective, c.CapPermitted = caps.All, caps.All
	return c
}

// WithCaps returns a copy of c whose effective and permitted sets also hold
// cs.
func (c *Cred) WithCaps(cs ...caps.Cap) *Cred {
	d := *c
	d.CapEffective = d.CapEffective.With(cs...)
	d.CapPermitted = d.CapPermitted.With(cs...)
	return &d
}

// Caps returns c's capability state.
func (c *Cred) Caps() caps.State {
	return caps.State{Sets: caps.Sets{
		Effective: c.CapEffective, Permitted: c.CapPermitted, Inheritable: c.CapInheritable,
		Bounding: c.CapBounding, Ambient: c.CapAmbient,
	}, KeepCaps: c.KeepCaps}
}

// SetCaps sets c's capability state to s.
func (c *Cred) SetCaps(s caps.State) {
	c.CapEffective, c.CapPermitted, c.CapInheritable = s.Effective, s.Permitted, s.Inheritable
	c.CapBounding, c.CapAmbient, c.KeepCaps = s.Bounding, s.Ambient, s.KeepCaps
}

// inGroup reports whether the kernel gid g is c's fsgid or one of its
// supplementary groups, as kernel/groups.c:in_group_p() decides it.
func (c *Cred) inGroup(g uint32) bool {
	if g == c.FSGID {
		return true
	}
	for _, s := range c.Groups {
		if s == g {
			return true
		}
	}
	return false
}

// capable reports whether c has cap effective in its own namespace
// (ns_capable(current_user_ns(), cap) → cap_capable).
func (c *Cred) capable(cp caps.Cap) bool { return c.CapEffective.Has(cp) }

// capableWrtInode reports whether c has cap effective and the inode's uid
// and gid are both mapped in c's namespace, as
// kernel/capability.c:capable_wrt_inode_uidgid() decides it (uid and gid
// since 3.16, 23adbe12ef7d).
func (c *Cred) capableWrtInode(ino *Inode, cp caps.Cap) bool {
	return c.CapEffective.Has(cp) && c.UserNS.MapsUID(ino.UID) && c.UserNS.MapsGID(ino.GID)
}
