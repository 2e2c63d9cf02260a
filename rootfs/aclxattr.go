package rootfs

import "github.com/preexec/preexec/access"

// parseACLXattr decodes a system.posix_acl_access value
// (include/uapi/linux/posix_acl_xattr.h: a le32 version 2, then le16 tag,
// le16 perm, le32 id entries), as stored on disk (rootfs.Dir) or carried
// base64 in a manifest (rootfs.MTree).
func parseACLXattr(b []byte) (access.ACL, error) {
	if len(b) < 4 || (len(b)-4)%8 != 0 || b[0] != 2 {
		return nil, access.EINVAL
	}
	var acl access.ACL
	for i := 4; i < len(b); i += 8 {
		tag := access.ACLTag(uint16(b[i]) | uint16(b[i+1])<<8)
		perm := access.Mask(uint16(b[i+2]) | uint16(b[i+3])<<8)
		id := uint32(b[i+4]) | uint32(b[i+5])<<8 | uint32(b[i+6])<<16 | uint32(b[i+7])<<24
		e := access.ACLEntry{Tag: tag, Perm: perm & 7}
		if tag == access.ACL_USER || tag == access.ACL_GROUP {
			e.ID = id
		}
		acl = append(acl, e)
	}
	return acl, nil
}
