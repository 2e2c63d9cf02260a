package access_test

import (
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/internal/rowtest"
)

// Constructors that keep a table row on one line.

func reg(mode, uid, gid uint32) *access.Inode {
	return &access.Inode{Mode: access.S_IFREG | mode, UID: uid, GID: gid}
}

func dir(mode, uid, gid uint32) *access.Inode {
	return &access.Inode{Mode: access.S_IFDIR | mode, UID: uid, GID: gid}
}

func withACL(ino *access.Inode, acl string) *access.Inode {
	a := mustACL(acl)
	ino.ACL = a
	// As the kernel keeps it: the mode's group bits are the mask, or the
	// GROUP_OBJ entry without one.
	var g uint32
	for _, e := range a {
		if e.Tag == access.ACL_GROUP_OBJ {
			g = uint32(e.Perm)
		}
	}
	for _, e := range a {
		if e.Tag == access.ACL_MASK {
			g = uint32(e.Perm)
		}
	}
	ino.Mode = ino.Mode&^0o070 | g<<3
	return ino
}

func mounted(ino *access.Inode, f access.MountFlags) *access.Inode {
	ino.Mount |= f
	return ino
}

func mustACL(s string) access.ACL {
	var acl access.ACL
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(part, ":")
		var e access.ACLEntry
		switch f[0] {
		case "u":
			e.Tag = access.ACL_USER_OBJ
			if f[1] != "" {
				e.Tag = access.ACL_USER
			}
		case "g":
			e.Tag = access.ACL_GROUP_OBJ
			if f[1] != "" {
				e.Tag = access.ACL_GROUP
			}
		case "m":
			e.Tag = access.ACL_MASK
		case "o":
			e.Tag = access.ACL_OTHER
		}
		if f[1] != "" {
			var id uint32
			for _, c := range f[1] {
				id = id*10 + uint32(c-'0')
			}
			e.ID = id
		}
		for i, c := range "rwx" {
			if f[2][i] == byte(c) {
				e.Perm |= access.Mask(4 >> i)
			}
		}
		acl = append(acl, e)
	}
	return acl
}

// user is a non-root task without capabilities; root has them all.
func user(uid, gid uint32, groups ...uint32) *access.Cred { return access.User(uid, gid, groups...) }
func root() *access.Cred                                  { return access.Root() }

// effOnly returns c with cs effective and permitted... but with an empty
// permitted set, to separate E from P.
func eff(c *access.Cred, e, p caps.Set) *access.Cred {
	d := *c
	d.CapEffective, d.CapPermitted = e, p
	return &d
}

// checkRows fails the test on a row without a rule or with a duplicate
// name (internal/rowtest).
func checkRows(t *testing.T, names, rules []string) {
	t.Helper()
	rowtest.Check(t, names, rules)
}

func errName(err error) string {
	if err == nil {
		return "OK"
	}
	if n := access.ErrnoName(err); n != "" {
		return n
	}
	return err.Error()
}
