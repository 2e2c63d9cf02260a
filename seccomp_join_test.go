package preexec_test

import (
	"fmt"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestSeccompJoin pins how the container's seccomp filter meets a process
// joined by runc exec or crun exec (Host.Exec): the filter's steps of the
// standard init (TestSeccompPreExec, real runs) where the setns init
// installs the filter at the same place, runc ≤ 1.1.11's LookPath in
// system.Execv after the filter even under noNewPrivileges, and unknown
// where no join case has run the combination. Unlike TestSeccompPreExec's,
// these texts are the model's composition of the two oracle-held pieces
// (the filter's errno, the join's words), not real runs; the join oracle's
// filters (testdata/runtime/exec) answer only faccessat2.
func TestSeccompJoin(t *testing.T) {
	allow := func(name, action string) string {
		return fmt.Sprintf(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[%q],"action":%q}]}`, name, action)
	}
	errno := func(name string, ret int) string {
		return fmt.Sprintf(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[%q],"action":"SCMP_ACT_ERRNO","errnoRet":%d}]}`, name, ret)
	}
	type want struct {
		runtime string
		step    preexec.Step
		phase   preexec.Phase
		status  int
		text    string // "?": unknown; "*": any text
	}
	rows := []struct {
		name    string
		seccomp string
		nnp     bool
		wants   []want
		rule    string
	}{
		{"chdir_eacces", errno("chdir", 13), false, []want{
			{"runc@1.0.0-rc92", preexec.StepChdir, preexec.PhaseCreate, 1, `exec failed: container_linux.go:370: starting container process caused: chdir to cwd ("/") set in config.json failed: permission denied`},
			{"runc@1.1.4", preexec.StepChdir, preexec.PhaseCreate, 255, `exec failed: unable to start container process: chdir to cwd ("/") set in config.json failed: permission denied`},
			{"runc@1.2.0", preexec.StepChdir, preexec.PhaseCreate, 255, `exec failed: unable to start container process: chdir to cwd ("/") set in config.json failed: permission denied`},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "the setns init installs the filter before finalizeNamespace as the standard init does; crun exec's first chdir runs before its filter"},
		{"chdir_eacces_nnp", errno("chdir", 13), true, []want{
			{"runc@1.1.4", preexec.StepStarted, "", 0, ""},
			{"runc@1.2.0", preexec.StepStarted, "", 0, ""},
		}, "under noNewPrivileges the filter comes after finalizeNamespace's chdir, also for runc ≤ 1.1.11 whose LookPath follows it"},
		{"execve_eacces", errno("execve", 13), false, []want{
			{"runc@1.1.4", preexec.StepExecve, preexec.PhaseCreate, 255, "exec failed: unable to start container process: exec /bin/echo: permission denied"},
			{"runc@1.0.0-rc92", preexec.StepExecve, preexec.PhaseCreate, 1, "exec failed: container_linux.go:370: starting container process caused: permission denied"},
			{"runc@1.2.0", preexec.StepExecve, preexec.PhaseAfterStart, 255, "exec /bin/echo: permission denied"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec: Permission denied"},
		}, "an errno the filter answers execve with is reported as the kernel's would be: by runc exec until 1.1.11, by the process from 1.1.12, crun exec's process"},
		{"execve_eacces_nnp", errno("execve", 13), true, []want{
			{"runc@1.1.11", preexec.StepExecve, preexec.PhaseCreate, 255, "exec failed: unable to start container process: exec /bin/echo: permission denied"},
			{"runc@1.1.12", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec /bin/echo: permission denied"},
		}, "under noNewPrivileges too"},
		{"faccessat2_eacces_nnp", errno("faccessat2", 13), true, []want{
			{"runc@1.1.9+go1.19", preexec.StepStarted, "", 0, ""},
			{"runc@1.1.9+go1.26", preexec.StepLookPath, preexec.PhaseCreate, 255, "*"},
			{"runc@1.1.12+go1.26", preexec.StepStarted, "", 0, ""},
		}, "runc ≤ 1.1.11 looks args[0] up in Execv, after the filter even under noNewPrivileges: a Go ≥ 1.20 LookPath's faccessat2 is answered; 1.1.12 looks it up first"},
		{"execve_kill_process", allow("execve", "SCMP_ACT_KILL_PROCESS"), false, []want{
			{"runc@1.1.4", preexec.StepExecve, "", 0, "?"},
			{"runc@1.6.0-rc.1", preexec.StepExecve, "", 0, "?"},
			{"crun@1.8.1", preexec.StepExecve, "", 0, "?"},
		}, "what SIGSYS at execve does to a joined process and its runc exec is not modelled"},
		{"notify_no_listener", allow("execve", "SCMP_ACT_NOTIFY"), false, []want{
			{"runc@1.1.4", preexec.StepConfig, "", 0, "?"},
			{"runc@1.0.3", preexec.StepConfig, "", 0, "?"},
		}, "a filter the release refuses failed the container's own start: nothing to join"},
		{"openat_eacces_nnp", errno("openat", 13), true, []want{
			{"runc@1.1.4", preexec.StepConfig, "", 0, "?"},
			{"runc@1.2.0", preexec.StepConfig, "", 0, "?"},
		}, "calls after the filter the model does not follow: unknown, before LookPath for runc ≤ 1.1.11"},
		{"newfstatat_eacces", errno("newfstatat", 13), false, []want{
			{"runc@1.1.4", preexec.StepConfig, "", 0, "?"},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "as the standard init: runc's setupUser and LookPath stat under the filter; crun found the file before it"},
		{"runsc", errno("execve", 13), false, []want{
			{"runsc@20221219.0", preexec.StepConfig, "", 0, "?"},
		}, "runsc exec is not modelled"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	base, err := rootfs.ParseFixture("base", "dir / 0755 0:0\ndir /bin 0755 0:0\nfile /bin/echo 0755 0:0 busybox\nfile /bin/sleep 0755 0:0 busybox\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			container := fmt.Sprintf(`{"process":{"cwd":"/","args":["/bin/sleep","3600"],"user":{"uid":0,"gid":0},"noNewPrivileges":%v},"root":{"path":"rootfs"},"linux":{"seccomp":%s}}`, r.nnp, r.seccomp)
			process := fmt.Sprintf(`{"cwd":"/","args":["/bin/echo","x"],"env":["PATH=/bin"],"user":{"uid":0,"gid":0},"noNewPrivileges":%v}`, r.nnp)
			plan, err := spec.ParseExec("process.json", []byte(process), "config.json", []byte(container))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range r.wants {
				rt, err := preexec.LookupRuntime(w.runtime)
				if err != nil {
					t.Fatal(err)
				}
				res := preexec.Evaluate(plan, base.Mem(), rt, preexec.Host{Exec: true})
				switch {
				case w.text == "?":
					if res.Unknown == "" || res.Step != w.step {
						t.Errorf("%s: step %s, unknown %q, text %q; want unknown at %s", w.runtime, res.Step, res.Unknown, res.Text, w.step)
					}
				case res.Unknown != "" || res.Step != w.step || res.Phase != w.phase || res.ExitStatus != w.status || (w.text != "*" && res.Text != w.text):
					t.Errorf("%s: step %s, phase %q, status %d, text %q, unknown %q\n  want step %s, phase %q, status %d, text %q", w.runtime, res.Step, res.Phase, res.ExitStatus, res.Text, res.Unknown, w.step, w.phase, w.status, w.text)
				}
				if tr := res.Trace(); len(tr) == 0 {
					t.Errorf("%s: no trace", w.runtime)
				}
			}
		})
	}
}
