package caps

import (
	"encoding/binary"
	"syscall"
)

// Constants of the security.capability extended attribute, as in
// include/uapi/linux/capability.h.
const (
	VFS_CAP_REVISION_MASK   = 0xFF000000
	VFS_CAP_FLAGS_EFFECTIVE = 0x000001
	VFS_CAP_REVISION_1      = 0x01000000
	VFS_CAP_REVISION_2      = 0x02000000
	VFS_CAP_REVISION_3      = 0x03000000
	XATTR_CAPS_SZ_1         = 12
	XATTR_CAPS_SZ_2         = 20
	XATTR_CAPS_SZ_3         = 24
)

// FileCaps is a file's security.capability attribute: the file permitted
// (fP) and inheritable (fI) sets and the effective flag (fE).
type FileCaps struct {
	Permitted, Inheritable Set
	Effective              bool
	// Revision is 1, 2 or 3 (VFS_CAP_REVISION_1..3); 0 means 2.
	Revision int
	// RootID is the host uid that is root for a revision-3 attribute
	// (namespaced file capabilities, Linux 4.14, 8db6c34f1dbc).
	RootID uint32
}

// ParseFileCaps decodes a security.capability value as
// security/commoncap.c:get_vfs_caps_from_disk does: the size must match the
// revision in magic_etc, else EINVAL (which execve then returns); bits
// above CAP_LAST_CAP are dropped. Revision 1 holds only the low 32
// capabilities.
func ParseFileCaps(b []byte) (FileCaps, error) {
	if len(b) < 4 {
		return FileCaps{}, syscall.EINVAL
	}
	magic := binary.LittleEndian.Uint32(b)
	fc := FileCaps{Effective: magic&VFS_CAP_FLAGS_EFFECTIVE != 0}
	words := 2
	switch magic & VFS_CAP_REVISION_MASK {
	case VFS_CAP_REVISION_1:
		if len(b) != XATTR_CAPS_SZ_1 {
			return FileCaps{}, syscall.EINVAL
		}
		fc.Revision, words = 1, 1
	case VFS_CAP_REVISION_2:
		if len(b) != XATTR_CAPS_SZ_2 {
			return FileCaps{}, syscall.EINVAL
		}
		fc.Revision = 2
	case VFS_CAP_REVISION_3:
		if len(b) != XATTR_CAPS_SZ_3 {
			return FileCaps{}, syscall.EINVAL
		}
		fc.Revision = 3
		fc.RootID = binary.LittleEndian.Uint32(b[20:])
	default:
		return FileCaps{}, syscall.EINVAL
	}
	for i := 0; i < words; i++ {
		p := binary.LittleEndian.Uint32(b[4+8*i:])
		in := binary.LittleEndian.Uint32(b[8+8*i:])
		fc.Permitted |= Set(p) << (32 * i)
		fc.Inheritable |= Set(in) << (32 * i)
	}
	// get_vfs_caps_from_disk drops bits above CAP_LAST_CAP (CAP_VALID_MASK).
	fc.Permitted &= All
	fc.Inheritable &= All
	return fc, nil
}

// Marshal encodes fc as a security.capability value of its revision (2 if
// unset), as setcap(8) writes it.
func (fc FileCaps) Marshal() []byte {
	rev := fc.Revision
	if rev == 0 {
		rev = 2
	}
	var magic uint32
	size, words := XATTR_CAPS_SZ_2, 2
	switch rev {
	case 1:
		magic, size, words = VFS_CAP_REVISION_1, XATTR_CAPS_SZ_1, 1
	case 3:
		magic, size = VFS_CAP_REVISION_3, XATTR_CAPS_SZ_3
	default:
		magic = VFS_CAP_REVISION_2
	}
	if fc.Effective {
		magic |= VFS_CAP_FLAGS_EFFECTIVE
	}
	b := make([]byte, size)
	binary.LittleEndian.PutUint32(b, magic)
	for i := 0; i < words; i++ {
		binary.LittleEndian.PutUint32(b[4+8*i:], uint32(fc.Permitted>>(32*i)))
		binary.LittleEndian.PutUint32(b[8+8*i:], uint32(fc.Inheritable>>(32*i)))
	}
	if rev == 3 {
		binary.LittleEndian.PutUint32(b[20:], fc.RootID)
	}
	return b
}
