// Command incidents decides the core kernel checks of the two incidents
// preexec exists for, on an embedded root filesystem, with the permission
// model alone: no root, no kernel, nothing started.
//
//  1. runc 1.0.0-rc93 moved chdir(process.cwd) after setuid and before
//     capabilities are applied: distroless's /home/nonroot (0700
//     65532:65532) cannot be searched by an OpenShift-assigned uid with
//     gid 0, where rc92 (chdir as root) could.
//  2. runc 1.1.4 checks the entrypoint with faccessat2(X_OK, AT_EACCESS) and
//     falls back to access(2) when faccessat2 is unavailable (kernel < 5.8
//     or a seccomp filter); access(2) ignores CAP_DAC_OVERRIDE, which
//     execve honours, so a 0744 root:root entrypoint run as a user with
//     CAP_DAC_OVERRIDE is refused.
//
// Run it with: go run ./examples/incidents
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

const rootfsText = `
# distroless static:nonroot, reduced to what the checks touch
dir  /home/nonroot  0700 65532:65532
file /bin/sh        0755 0:0 elf
file /entrypoint.sh 0744 0:0 script=/bin/sh
`

func main() { os.Exit(run(os.Stdout)) }

func run(w io.Writer) int {
	fix, err := rootfs.ParseFixture("rootfs", rootfsText)
	if err != nil {
		fmt.Fprintln(os.Stderr, "incidents:", err)
		return 2
	}
	fsys := fix.Mem()

	fmt.Fprintln(w, "incident 1: chdir to /home/nonroot as uid 1000680000 gid 0 (OpenShift restricted SCC)")
	asRoot := &access.Proc{Cred: access.Root(), FS: fsys}
	afterSetuid := &access.Proc{Cred: access.User(1000680000, 0), FS: fsys}
	report(w, "rc92: chdir as root, before setuid", asRoot.Chdir("/home/nonroot"))
	report(w, "rc93: chdir after setuid, no effective caps", afterSetuid.Chdir("/home/nonroot"))

	fmt.Fprintln(w, "incident 2: exec /entrypoint.sh (0744 0:0) as uid 1000 with CAP_DAC_OVERRIDE")
	p := &access.Proc{Cred: access.User(1000, 1000).WithCaps(caps.CAP_DAC_OVERRIDE), FS: fsys}
	_, err = p.Execve("/entrypoint.sh", nil)
	report(w, "execve(2)", err)
	report(w, "faccessat2(X_OK, AT_EACCESS)", p.Faccessat2("/entrypoint.sh", access.X_OK, access.AT_EACCESS))
	p.Kernel.Faccessat2 = access.ENOSYS
	report(w, "faccessat2 on kernel < 5.8 or under seccomp", p.Faccessat2("/entrypoint.sh", access.X_OK, access.AT_EACCESS))
	report(w, "runc 1.1.4's fallback, access(2)", p.Access("/entrypoint.sh", access.X_OK))
	return 0
}

func report(w io.Writer, what string, err error) {
	if err == nil {
		fmt.Fprintf(w, "  %-46s ok\n", what)
		return
	}
	fmt.Fprintf(w, "  %-46s %v\n", what, err)
	var d *access.Denial
	if errors.As(err, &d) {
		fmt.Fprintf(w, "  %-46s   %s\n", "", d.Explain())
	}
}
