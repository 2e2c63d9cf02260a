package rootfs_test

import (
	"fmt"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// A fixture is a root filesystem as text, one inode per line; Mem builds the
// in-memory tree the model reads. This is the rootfs of the runc 1.0.0-rc93
// incident: a home directory only its owner may enter.
func ExampleParseFixture() {
	f, err := rootfs.ParseFixture("rootfs", `
dir /home/nonroot 0700 65532:65532
file /bin/app 0755 0:0 elf
symlink /entrypoint bin/app
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := f.Mem()
	for _, name := range m.Names() {
		ino, _ := m.Lstat(name)
		fmt.Printf("%-16s %s %d:%d\n", name, access.FormatMode(ino.Mode), ino.UID, ino.GID)
	}
	target, _ := m.Readlink("/entrypoint")
	fmt.Println("/entrypoint ->", target)
	// Output:
	// /                drwxr-xr-x 0:0
	// /bin             drwxr-xr-x 0:0
	// /bin/app         -rwxr-xr-x 0:0
	// /entrypoint      lrwxrwxrwx 0:0
	// /home            drwxr-xr-x 0:0
	// /home/nonroot    drwx------ 65532:65532
	// /entrypoint -> bin/app
}

// Errors in a fixture name the file, the line and the field.
func ExampleParseFixture_error() {
	_, err := rootfs.ParseFixture("rootfs.txt", `
dir /home 0755 0:0
dir /home/nonroot 0799 65532:65532
`)
	fmt.Println(err)
	// Output:
	// rootfs.txt:3: mode: want octal ≤ 7777, got "0799"
}

// An ACL given on a line sets the mode's group bits from its mask, as
// setfacl(1) does, and file capabilities are written as setcap(8) takes them.
func ExampleFixture_Mem() {
	m := rootfs.MustParseFixture(`
file /srv/data 0600 0:0 acl=u::rw-,u:1000:r--,g::---,m::r--,o::---
file /bin/ping 0755 0:0 elf caps=CAP_NET_RAW+ep
mount /tmp tmpfs 1777 0:0 noexec
`).Mem()
	data, _ := m.Lstat("/srv/data")
	fmt.Println(access.FormatMode(data.Mode), rootfs.FormatACL(data.ACL))
	ping, _ := m.Lstat("/bin/ping")
	fmt.Println(ping.Caps.Permitted, ping.Caps.Effective)
	tmp, _ := m.Lstat("/tmp")
	fmt.Println(tmp.Mount == access.MNT_NOEXEC)
	// Output:
	// -rw-r----- u::rw-,u:1000:r--,g::---,m::r--,o::---
	// CAP_NET_RAW true
	// true
}
