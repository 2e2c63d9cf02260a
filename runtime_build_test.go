package preexec_test

import (
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestRuntimeBuild: a Result answers for the very build it was evaluated
// for, its Go patch included, whatever its name; Evaluate with it gives
// the same Result again.
func TestRuntimeBuild(t *testing.T) {
	b, err := preexec.ParseVersionOutput("runc version 1.1.6\ngo: go1.20.5")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := preexec.RuntimeFor(b)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := spec.Parse("config.json", []byte(`{"process":{"cwd":"/","args":["app"],"env":["PATH=/bin"],"user":{"uid":1000,"gid":1000}},"root":{"path":"rootfs"}}`))
	if err != nil {
		t.Fatal(err)
	}
	f, err := rootfs.ParseFixture("root", "dir / 0755 0:0\ndir /bin 0755 0:0\nfile /bin/app 0755 0:0 busybox\n")
	if err != nil {
		t.Fatal(err)
	}
	r := preexec.Evaluate(plan, f.Mem(), rt, preexec.Host{})
	got := r.RuntimeBuild()
	if got.Name != rt.Name || got.Go != "1.20.5" || got.Release != rt.Release {
		t.Fatalf("RuntimeBuild = %+v; want %+v", got, rt)
	}
	if again := preexec.Evaluate(plan, f.Mem(), got, preexec.Host{}); again.Starts != r.Starts || again.Step != r.Step || again.Text != r.Text || again.Unknown != r.Unknown {
		t.Errorf("Evaluate with RuntimeBuild = %+v; first %+v", again, r)
	}
	if (preexec.Result{}).RuntimeBuild().Release != nil {
		t.Errorf("a zero Result has a runtime")
	}
}
