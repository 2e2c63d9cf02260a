//go:build unix && !linux

package rootfs

import (
	"io/fs"
	"syscall"
)

// owner returns the uid and gid stat(2) reported for fi.
func owner(fi fs.FileInfo) (uid, gid uint32) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid, st.Gid
	}
	return 0, 0
}
