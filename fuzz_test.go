package preexec_test

import (
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// FuzzEvaluate evaluates fuzzed configs on a small rootfs for every line's
// first runtime. Invariants: no panic; the same input gives the same
// Result; a Result starts exactly when its step is StepStarted and it has
// no error text; a failure has an error text and an error.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(distrolessConfig))
	f.Add([]byte(`{"root":{"path":"r"},"process":{"user":{"uid":1000,"gid":1000},"cwd":"/w","args":["sh"],"env":["PATH=/bin:.:"],"capabilities":{"effective":["CAP_DAC_OVERRIDE"],"permitted":["CAP_DAC_OVERRIDE"],"bounding":["CAP_DAC_OVERRIDE"]}},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}}}`))
	f.Add([]byte(`{"root":{"path":"r"},"process":{"user":{"uid":0,"gid":0,"additionalGids":[5]},"cwd":"/f/x","args":["./app"],"env":["FOO"]}}`))
	fsys := rootfs.MustParseFixture(`
dir  /home/nonroot 0700 65532:65532
file /app 0755 0:0 busybox
file /bin/sh 0755 0:0 busybox
file /f 0644 0:0
symlink /loop /loop
file /etc/passwd 0644 0:0 text="root:x:0:0::/root:/bin/sh\n"
`).Mem()
	var rts []preexec.Runtime
	for _, l := range preexec.Releases() {
		rt, err := preexec.LookupRuntime(l.Runtime + "@" + l.Versions[0])
		if err != nil {
			f.Fatal(err)
		}
		rts = append(rts, rt)
	}
	f.Fuzz(func(t *testing.T, config []byte) {
		plan, err := spec.Parse("config.json", config)
		if err != nil {
			return
		}
		for _, rt := range rts {
			a := preexec.Evaluate(plan, fsys, rt, preexec.Host{})
			b := preexec.Evaluate(plan, fsys, rt, preexec.Host{})
			if a.Starts != b.Starts || a.Step != b.Step || a.Text != b.Text {
				t.Fatalf("%s: not deterministic: %+v / %+v", rt.Name, a, b)
			}
			// An unknown result has no text; a process killed by a seccomp
			// filter prints none.
			silent := a.Unknown != "" || a.Phase == preexec.PhaseAfterStart && a.ExitStatus == 159
			if a.Starts != (a.Step == preexec.StepStarted) || !silent && a.Starts != (a.Text == "") || a.Starts != (a.Err == nil) {
				t.Fatalf("%s: inconsistent result %+v", rt.Name, a)
			}
		}
	})
}
