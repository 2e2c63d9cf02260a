package access_test

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

// The core check of the runc rc93 incident: after setuid, without
// effective capabilities, the container user of an OpenShift pod (an
// arbitrary uid, gid 0) cannot search distroless's /home/nonroot. As root,
// before setuid, it can.
func ExampleProc_Chdir() {
	fsys := rootfs.MustParseFixture(`dir /home/nonroot 0700 65532:65532`).Mem()

	afterSetuid := &access.Proc{Cred: access.User(1000680000, 0), FS: fsys}
	err := afterSetuid.Chdir("/home/nonroot")
	fmt.Println(err)
	var d *access.Denial
	if errors.As(err, &d) {
		fmt.Println(d.Explain())
	}

	asRoot := &access.Proc{Cred: access.Root(), FS: fsys}
	fmt.Println(asRoot.Chdir("/home/nonroot"), asRoot.Cwd)
	// Output:
	// chdir /home/nonroot: permission denied
	// search denied on /home/nonroot (drwx------ 65532:65532) for uid 1000680000 gid 0: decided by the other class; CAP_DAC_READ_SEARCH would override
	// <nil> /home/nonroot
}

// The core check of the runc 1.1.4 incident: execve honours
// CAP_DAC_OVERRIDE on a 0744 root:root entrypoint, faccessat2 with
// AT_EACCESS agrees, but access(2) — runc 1.1.4's fallback when
// faccessat2 is unavailable — checks with the real uid and no capabilities.
func ExampleProc_Execve() {
	fsys := rootfs.MustParseFixture(`
file /bin/sh 0755 0:0 elf
file /entrypoint.sh 0744 0:0 script=/bin/sh
`).Mem()
	p := &access.Proc{Cred: access.User(1000, 1000).WithCaps(caps.CAP_DAC_OVERRIDE), FS: fsys}

	x, err := p.Execve("/entrypoint.sh", nil)
	fmt.Println("execve:", x.Argv, err)
	fmt.Println("faccessat2(AT_EACCESS):", p.Faccessat2("/entrypoint.sh", access.X_OK, access.AT_EACCESS))
	fmt.Println("access(2):", p.Access("/entrypoint.sh", access.X_OK))
	// Output:
	// execve: [/bin/sh /entrypoint.sh] <nil>
	// faccessat2(AT_EACCESS): <nil>
	// access(2): access /entrypoint.sh: permission denied
}

// Permission is one decision of the kernel's generic_permission:
// CAP_DAC_OVERRIDE grants exec only when some x bit is set, for root too.
func ExamplePermission() {
	c := access.User(1000, 1000).WithCaps(caps.CAP_DAC_OVERRIDE)
	withX := &access.Inode{Mode: access.S_IFREG | 0o744}
	noX := &access.Inode{Mode: access.S_IFREG | 0o644}
	fmt.Println(access.Permission(c, withX, access.MAY_EXEC))
	fmt.Println(access.Permission(c, noX, access.MAY_EXEC))
	fmt.Println(access.Permission(access.Root(), noX, access.MAY_EXEC))
	// Output:
	// <nil>
	// permission denied
	// permission denied
}

// Errors from operations match both the portable fs.ErrPermission and the
// errno.
func Example_errorsIs() {
	fsys := rootfs.MustParseFixture(`file /secret 0600 0:0 text="x"`).Mem()
	p := &access.Proc{Cred: access.User(1000, 1000), FS: fsys}
	_, err := p.Open("/secret", access.O_RDONLY)
	fmt.Println(err)
	fmt.Println(errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES), access.ErrnoName(err))
	// Output:
	// open /secret: permission denied
	// true true EACCES
}
