//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package rootfs_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// A manifest as `gomtree -c -K type,mode,uid,gid,link,size,xattr` writes
// it gives the model every inode of the rc93 incident's rootfs, but not the
// bytes of /bin/app: execve's read of its head is ErrNoContent.
func ExampleParseMTree() {
	m, err := rootfs.ParseMTree("rootfs.mtree", strings.NewReader(`#mtree v2.0
/set type=file uid=0 gid=0 mode=0755
. type=dir
bin type=dir
    app size=812345
..
home type=dir
    nonroot type=dir mode=0700 uid=65532 gid=65532
..
..
entrypoint type=link link=bin/app
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range m.Names() {
		ino, _ := m.Lstat(name)
		fmt.Printf("%-16s %s %d:%d\n", name, access.FormatMode(ino.Mode), ino.UID, ino.GID)
	}
	_, err = m.ReadAt("/bin/app", make([]byte, access.BINPRM_BUF_SIZE), 0)
	fmt.Println(err, errors.Is(err, access.ErrNoContent))
	// Output:
	// /                drwxr-xr-x 0:0
	// /bin             drwxr-xr-x 0:0
	// /bin/app         -rwxr-xr-x 0:0
	// /entrypoint      lrwxrwxrwx 0:0
	// /home            drwxr-xr-x 0:0
	// /home/nonroot    drwx------ 65532:65532
	// the manifest has no file contents true
}
