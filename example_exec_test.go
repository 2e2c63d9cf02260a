package preexec_test

import (
	"fmt"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// kubectl exec into a running container: the process joins it by runc
// exec, whose setns init creates no missing cwd, and runc exec reports the
// error itself, exiting 255 from runc 1.1.0 on. runc run would have made
// /workspace.
func ExampleHost_exec() {
	container := []byte(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
	  "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["/app"]}}`)
	process := []byte(`{"user": {"uid": 1000, "gid": 1000}, "cwd": "/workspace", "args": ["/app"]}`)
	plan, err := spec.ParseExec("process.json", process, "config.json", container)
	if err != nil {
		panic(err)
	}
	fsys := rootfs.MustParseFixture("file /app 0755 0:0 busybox\n").Mem()
	rt, _ := preexec.LookupRuntime("runc@1.2.0")
	res := preexec.Evaluate(plan, fsys, rt, preexec.Host{Exec: true})
	fmt.Println(res.Step, res.ExitStatus)
	fmt.Println(res.Text)
	// Output:
	// chdir 255
	// exec failed: unable to start container process: chdir to cwd ("/workspace") set in config.json failed: no such file or directory
}
