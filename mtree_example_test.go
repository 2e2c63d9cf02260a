//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package preexec_test

import (
	"fmt"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// On a manifest the model tells what modes and owners decide — the rc93
// incident — and says it cannot tell what needs a file's bytes: whether
// execve takes /bin/app.
func ExampleResult_unknown() {
	m, err := rootfs.ParseMTree("rootfs.mtree", strings.NewReader(`/set type=file uid=0 gid=0 mode=0755
. type=dir
./bin type=dir
./bin/app size=812345
./home type=dir
./home/nonroot type=dir mode=0700 uid=65532 gid=65532
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, err := spec.Parse("config.json", []byte(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "process":{"user":{"uid":1000680000,"gid":0},"cwd":"/home/nonroot","args":["/bin/app"],"env":["PATH=/bin"]}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"runc@1.0.0-rc93", "runc@1.0.0-rc94"} {
		rt, _ := preexec.LookupRuntime(name)
		r := preexec.Evaluate(plan, m, rt, preexec.Host{})
		if r.Unknown != "" {
			fmt.Printf("%s: unknown at %s: %s\n", name, r.Step, r.Unknown)
			continue
		}
		fmt.Printf("%s: fails at %s: %s\n", name, r.Step, r.Text)
	}
	// Output:
	// runc@1.0.0-rc93: fails at chdir: container_linux.go:367: starting container process caused: chdir to cwd ("/home/nonroot") set in config.json failed: permission denied
	// runc@1.0.0-rc94: unknown at execve: the manifest has no file contents: execve reads the head of /bin/app (its #! line, or its ELF header and program headers)
}
