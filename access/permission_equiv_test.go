package access

import (
	"testing"

	"github.com/preexec/preexec/caps"
)

// refGenericPermission is GenericPermission as it was written before the
// fast path (permission): aclPermission, the slow path that takes every
// inode (aclPermissionCheck, then overrideCap and capableWrtInode). It is
// the reference the fast path must agree with on every input.
func refGenericPermission(c *Cred, ino *Inode, mask Mask) error { return aclPermission(c, ino, mask) }

// refPermission is Permission as it was: sb_permission, then
// refGenericPermission.
func refPermission(c *Cred, ino *Inode, mask Mask) error {
	if mask&MAY_WRITE != 0 && ino.Mount&SB_RDONLY != 0 {
		switch ino.Mode & S_IFMT {
		case S_IFREG, S_IFDIR, S_IFLNK:
			return EROFS
		}
	}
	return refGenericPermission(c, ino, mask)
}

var (
	equivTypes = []uint32{S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR}
	equivCaps  = []caps.Set{0, caps.Of(caps.CAP_DAC_OVERRIDE), caps.Of(caps.CAP_DAC_READ_SEARCH),
		caps.Of(caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH), caps.Of(caps.CAP_FOWNER)}
	// User namespaces: the initial one, one mapping the inode's ids
	// (0 and 100 as host ids), one mapping only uids, one only gids.
	equivNS = []*UserNS{
		nil,
		{UIDMap: []IDMap{{0, 0, 1}, {1, 100, 10}}, GIDMap: []IDMap{{0, 0, 1}, {1, 100, 10}}},
		{UIDMap: []IDMap{{0, 0, 200}}, GIDMap: []IDMap{{0, 500, 10}}},
		{UIDMap: []IDMap{{0, 500, 10}}, GIDMap: []IDMap{{0, 0, 200}}},
	}
	equivACLs = []ACL{
		nil,
		{{ACL_USER_OBJ, 7, 0}, {ACL_USER, 5, 1000}, {ACL_GROUP_OBJ, 1, 0}, {ACL_MASK, 5, 0}, {ACL_OTHER, 0, 0}},
		{{ACL_USER_OBJ, 6, 0}, {ACL_GROUP_OBJ, 4, 0}, {ACL_GROUP, 3, 2001}, {ACL_MASK, 7, 0}, {ACL_OTHER, 1, 0}},
		{{ACL_USER_OBJ, 7, 0}, {ACL_GROUP_OBJ, 0, 0}, {ACL_GROUP, 0, 1000}, {ACL_MASK, 0, 0}, {ACL_OTHER, 7, 0}},
		{{ACL_USER_OBJ, 7, 0}, {ACL_USER, 7, 1000}},
	}
)

// TestPermissionFastPathEquivalent checks Permission and GenericPermission
// against the reference on every mode and mask, for each class (owner,
// fsgid, supplementary group, other), capability set, user namespace,
// read-only superblock and a few ACLs.
func TestPermissionFastPathEquivalent(t *testing.T) {
	creds := []*Cred{
		User(1000, 1000),             // owner of uid-1000 inodes
		User(1001, 100, 2000, 100),   // fsgid matches gid 100
		User(1002, 1002, 2000, 2001), // supplementary group 2001
		User(1003, 1003, 2000, 3000), // other
		{FSUID: 7, FSGID: 8, UID: 9}, // fsuid differs from uid
	}
	inodes := []struct{ uid, gid uint32 }{{1000, 100}, {100, 2001}, {0, 0}, {7, 8}}
	// -short (and the race detector's runs) try every fifth mode.
	step := uint32(1)
	if testing.Short() {
		step = 5
	}
	n := 0
	for _, base := range creds {
		for _, cs := range equivCaps {
			for _, ns := range equivNS {
				c := *base
				c.CapEffective, c.UserNS = cs, ns
				for _, id := range inodes {
					for _, typ := range equivTypes {
						for perm := uint32(0); perm < 0o10000; perm += step {
							if perm >= 0o1000 && perm&0o777 != 0o751 {
								continue // set-id and sticky bits: a few modes suffice
							}
							for _, mount := range []MountFlags{0, SB_RDONLY | MNT_NOEXEC} {
								ino := Inode{Mode: typ | perm, UID: id.uid, GID: id.gid, Mount: mount}
								for mask := Mask(0); mask < 16; mask++ {
									n++
									if got, want := Permission(&c, &ino, mask), refPermission(&c, &ino, mask); got != want {
										t.Fatalf("Permission(%+v, %+v, %v) = %v, reference %v", c, ino, mask, got, want)
									}
									if got, want := GenericPermission(&c, &ino, mask), refGenericPermission(&c, &ino, mask); got != want {
										t.Fatalf("GenericPermission(%+v, %+v, %v) = %v, reference %v", c, ino, mask, got, want)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	// ACLs: the slow path, with every group-bits value.
	for _, base := range creds {
		for _, cs := range equivCaps {
			for _, ns := range equivNS {
				c := *base
				c.CapEffective, c.UserNS = cs, ns
				for _, acl := range equivACLs[1:] {
					for _, typ := range equivTypes {
						for perm := uint32(0); perm < 0o1000; perm += step {
							for _, mount := range []MountFlags{0, SB_RDONLY} {
								ino := Inode{Mode: typ | perm, UID: 100, GID: 0, Mount: mount, ACL: acl}
								for mask := Mask(0); mask < 8; mask++ {
									n++
									if got, want := Permission(&c, &ino, mask), refPermission(&c, &ino, mask); got != want {
										t.Fatalf("Permission(%+v, %+v, %v) = %v, reference %v", c, ino, mask, got, want)
									}
									if got, want := GenericPermission(&c, &ino, mask), refGenericPermission(&c, &ino, mask); got != want {
										t.Fatalf("GenericPermission(%+v, %+v, %v) = %v, reference %v", c, ino, mask, got, want)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

// FuzzPermission compares Permission and GenericPermission with the
// reference on fuzzed credentials, inodes and masks.
func FuzzPermission(f *testing.F) {
	f.Add(uint32(0o100744), uint32(0), uint32(0), uint8(0), uint8(1), uint32(1000), uint32(1000), uint32(2000), uint64(2), uint8(0), uint8(0))
	f.Add(uint32(0o040700), uint32(5), uint32(6), uint8(SB_RDONLY), uint8(3), uint32(5), uint32(7), uint32(6), uint64(6), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, mode, uid, gid uint32, mount, mask uint8, fsuid, fsgid, group uint32, eff uint64, nsi, acli uint8) {
		c := &Cred{FSUID: fsuid, FSGID: fsgid, Groups: []uint32{group, group + 1}, CapEffective: caps.Set(eff),
			UserNS: equivNS[int(nsi)%len(equivNS)]}
		ino := &Inode{Mode: mode, UID: uid, GID: gid, Mount: MountFlags(mount), ACL: equivACLs[int(acli)%len(equivACLs)]}
		if got, want := Permission(c, ino, Mask(mask)), refPermission(c, ino, Mask(mask)); got != want {
			t.Fatalf("Permission(%+v, %+v, %v) = %v, reference %v", c, ino, Mask(mask), got, want)
		}
		if got, want := GenericPermission(c, ino, Mask(mask)), refGenericPermission(c, ino, Mask(mask)); got != want {
			t.Fatalf("GenericPermission(%+v, %+v, %v) = %v, reference %v", c, ino, Mask(mask), got, want)
		}
	})
}
