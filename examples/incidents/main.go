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

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
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

	fmt.Fprintln(w, "what the runtimes print (preexec.Evaluate):")
	compare(w, fsys, `{"root":{"path":"rootfs"},"process":{"user":{"uid":1000680000,"gid":0},"cwd":"/home/nonroot","args":["/bin/sh"],"env":["PATH=/bin"]}}`,
		"runc@1.0.0-rc92", "runc@1.0.0-rc93", "runc@1.0.0-rc94")
	compare(w, fsys, `{"root":{"path":"rootfs"},"process":{"user":{"uid":1000,"gid":1000},"cwd":"/","args":["/entrypoint.sh"],"env":["PATH=/bin"],
		"capabilities":{"bounding":["CAP_DAC_OVERRIDE"],"effective":["CAP_DAC_OVERRIDE"],"permitted":["CAP_DAC_OVERRIDE"]}},
		"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}}}`,
		"runc@1.1.3+go1.19", "runc@1.1.4+go1.19", "runc@1.1.6+go1.19")
	return 0
}

// compare prints, for config, what each runtime does.
func compare(w io.Writer, fsys access.FS, config string, names ...string) {
	plan, err := spec.Parse("config.json", []byte(config))
	if err != nil {
		fmt.Fprintln(w, "  ", err)
		return
	}
	for _, n := range names {
		rt, err := preexec.LookupRuntime(n)
		if err != nil {
			fmt.Fprintln(w, "  ", err)
			continue
		}
		r := preexec.Evaluate(plan, fsys, rt, preexec.Host{})
		if r.Starts {
			fmt.Fprintf(w, "  %-20s starts\n", n)
			continue
		}
		fmt.Fprintf(w, "  %-20s %s\n", n, r.Text)
	}
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
