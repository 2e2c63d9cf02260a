package preexec_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestSeccompPreExec pins what a linux.seccomp filter does to each runtime's
// steps up to execve. Every row with a text is a real run (runc rc92, rc93,
// 1.0.3, 1.1.4, 1.1.12, 1.2.0, 1.4.0, 1.6.0-rc.1, crun 1.8.1 on a busybox
// bundle, run as root, /bin/echo as root in /): the text and the exit
// status are theirs. "?" marks a result the model must call unknown.
func TestSeccompPreExec(t *testing.T) {
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
		text    string // "?": unknown
	}
	rows := []struct {
		name    string
		seccomp string
		nnp     bool
		wants   []want
		rule    string
	}{
		{"execve_eacces", errno("execve", 13), false, []want{
			{"runc@1.0.0-rc92", preexec.StepExecve, preexec.PhaseAfterStart, 1, "standard_init_linux.go:219: exec user process caused: permission denied"},
			{"runc@1.0.3", preexec.StepExecve, preexec.PhaseAfterStart, 1, "standard_init_linux.go:228: exec user process caused: permission denied"},
			{"runc@1.1.4", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec /bin/echo: permission denied"},
			{"runc@1.2.0", preexec.StepExecve, preexec.PhaseAfterStart, 255, "exec /bin/echo: permission denied"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec container process `/bin/echo`: Permission denied"},
		}, "execve runs under the filter wherever it is installed; seccomp answers at syscall entry, before the kernel's checks"},
		{"execve_eacces_nnp", errno("execve", 13), true, []want{
			{"runc@1.0.0-rc92", preexec.StepExecve, preexec.PhaseAfterStart, 1, "standard_init_linux.go:219: exec user process caused: permission denied"},
			{"runc@1.6.0-rc.1", preexec.StepExecve, preexec.PhaseAfterStart, 255, "exec /bin/echo: permission denied"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec container process `/bin/echo`: Permission denied"},
		}, "with noNewPrivileges the filter is installed after the checks, still before execve"},
		{"execve_errno_zero", errno("execve", 0), false, []want{
			{"runc@1.1.4", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec /bin/echo: errno 0"},
			{"runc@1.0.3", preexec.StepExecve, preexec.PhaseAfterStart, 1, "standard_init_linux.go:228: exec user process caused: errno 0"},
			{"crun@1.8.1", preexec.StepExecve, "", 0, "?"},
		}, "errnoRet 0: execve returns 0 and runc prints syscall.Errno(0); crun prints a stale errno (a real run: Invalid argument)"},
		{"execve_trace", allow("execve", "SCMP_ACT_TRACE"), false, []want{
			{"runc@1.1.12", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec /bin/echo: function not implemented"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec container process `/bin/echo`: Function not implemented"},
		}, "SCMP_ACT_TRACE with no tracer attached: ENOSYS"},
		{"execve_log", allow("execve", "SCMP_ACT_LOG"), false, []want{
			{"runc@1.4.0", preexec.StepStarted, "", 0, ""},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "SCMP_ACT_LOG logs and runs the call"},
		{"execve_kill_process", allow("execve", "SCMP_ACT_KILL_PROCESS"), false, []want{
			{"runc@1.1.4", preexec.StepExecve, preexec.PhaseAfterStart, 159, ""},
			{"runc@1.6.0-rc.1", preexec.StepExecve, preexec.PhaseAfterStart, 159, ""},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 159, ""},
			{"runc@1.0.3", preexec.StepConfig, preexec.PhaseCreate, 0, "string SCMP_ACT_KILL_PROCESS is not a valid action for seccomp"},
			{"runc@1.1.2", preexec.StepConfig, preexec.PhaseCreate, 0, "runc run failed: string SCMP_ACT_KILL_PROCESS is not a valid action for seccomp"},
		}, "killed by SIGSYS: status 128+31, nothing printed; runc before 1.1.3 does not know the action (d105e052d)"},
		{"execve_kill_thread", allow("execve", "SCMP_ACT_KILL"), false, []want{
			{"runc@1.1.4", preexec.StepExecve, "", 0, "?"},
			{"runc@1.0.0-rc92", preexec.StepExecve, "", 0, "?"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 159, ""},
		}, "SCMP_ACT_KILL is KILL_THREAD: runc init's other threads live on and runc run never returns; crun's one thread is the process"},
		{"execve_trap", allow("execve", "SCMP_ACT_TRAP"), false, []want{
			{"runc@1.1.4", preexec.StepExecve, preexec.PhaseAfterStart, 2, "SIGSYS: bad system call"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 159, ""},
		}, "SIGSYS: Go's runtime prints it and a goroutine dump and exits 2; crun dies of it"},
		{"execve_notify_no_listener", allow("execve", "SCMP_ACT_NOTIFY"), false, []want{
			{"runc@1.0.3", preexec.StepConfig, preexec.PhaseCreate, 0, "string SCMP_ACT_NOTIFY is not a valid action for seccomp"},
			{"runc@1.1.4", preexec.StepConfig, preexec.PhaseCreate, 0, "runc run failed: unable to start container process: listenerPath is not set"},
			{"runc@1.2.0", preexec.StepConfig, preexec.PhaseCreate, 0, "runc run failed: unable to start container process: error during container init: seccomp listenerPath is not set"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec container process `/bin/echo`: Function not implemented"},
		}, "SCMP_ACT_NOTIFY without listenerPath: runc's parent refuses the notify fd; crun installs it and the kernel answers ENOSYS"},
		{"unknown_action", allow("execve", "SCMP_ACT_BOGUS"), false, []want{
			{"runc@1.0.0-rc92", preexec.StepConfig, preexec.PhaseCreate, 0, "string SCMP_ACT_BOGUS is not a valid action for seccomp"},
			{"runc@1.4.0", preexec.StepConfig, preexec.PhaseCreate, 0, "runc run failed: string SCMP_ACT_BOGUS is not a valid action for seccomp"},
			{"crun@1.8.1", preexec.StepConfig, preexec.PhaseCreate, 0, "invalid seccomp action `SCMP_ACT_BOGUS`"},
		}, "an action the runtime does not know fails the conversion of the config"},
		{"chdir_eacces", errno("chdir", 13), false, []want{
			{"runc@1.0.0-rc92", preexec.StepChdir, preexec.PhaseCreate, 0, `container_linux.go:370: starting container process caused: chdir to cwd ("/") set in config.json failed: permission denied`},
			{"runc@1.1.4", preexec.StepChdir, preexec.PhaseCreate, 0, `runc run failed: unable to start container process: chdir to cwd ("/") set in config.json failed: permission denied`},
			{"runc@1.2.0", preexec.StepChdir, preexec.PhaseCreate, 0, `runc run failed: unable to start container process: error during container init: chdir to cwd ("/") set in config.json failed: permission denied`},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "runc chdirs under the filter (rc94+ retry after setuid, refused again); crun's first chdir runs before its filter"},
		{"chdir_eacces_nnp", errno("chdir", 13), true, []want{
			{"runc@1.1.4", preexec.StepStarted, "", 0, ""},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "with noNewPrivileges the filter comes after chdir"},
		{"execveat_eacces", errno("execveat", 13), false, []want{
			{"runc@1.1.4", preexec.StepStarted, "", 0, ""},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "neither runtime calls execveat: runc's system.Exec and crun's execv are execve"},
		{"flags", `{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["execve"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}`, false, []want{
			{"runc@1.0.0-rc92", preexec.StepExecve, preexec.PhaseAfterStart, 1, "standard_init_linux.go:219: exec user process caused: permission denied"},
			{"runc@1.0.0-rc93", preexec.StepConfig, preexec.PhaseCreate, 0, "seccomp flags are not yet supported by runc"},
			{"runc@1.1.15", preexec.StepConfig, preexec.PhaseCreate, 0, "runc run failed: seccomp flags are not yet supported by runc"},
			{"runc@1.2.0", preexec.StepExecve, preexec.PhaseAfterStart, 255, "exec /bin/echo: permission denied"},
			{"crun@1.8.1", preexec.StepExecve, preexec.PhaseAfterStart, 1, "exec container process `/bin/echo`: Permission denied"},
		}, "linux.seccomp.flags: rc92 ignores them, rc93 … 1.1.15 refuse any, 1.2 and crun take SECCOMP_FILTER_FLAG_LOG"},
		{"faccessat2_killed", allow("faccessat2", "SCMP_ACT_KILL_PROCESS"), false, []want{
			{"runc@1.1.4", preexec.StepConfig, "", 0, "?"},
			{"runc@1.6.0-rc.1", preexec.StepConfig, "", 0, "?"},
		}, "a filter that kills on faccessat2: runc 1.1.4 dies in its eaccess check (`container process is already dead`); which calls it makes per line is not followed"},
		{"openat_eacces", errno("openat", 13), false, []want{
			{"runc@1.1.4", preexec.StepConfig, "", 0, "?"},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "openat refused: a different error per runc release (close exec fds, /proc/self/setgroups, cap_last_cap), not modelled; crun opens nothing after its filter"},
		{"newfstatat_eacces", errno("newfstatat", 13), false, []want{
			{"runc@1.0.0-rc92", preexec.StepConfig, "", 0, "?"},
			{"crun@1.8.1", preexec.StepStarted, "", 0, ""},
		}, "newfstatat refused: runc's setupUser or LookPath fails, in words per release (`setup user: permission denied`, `stat /dev/null`, `stat /bin/echo`); crun found the file before its filter"},
		{"openat_eacces_nnp", errno("openat", 13), true, []want{
			{"runc@1.1.4", preexec.StepConfig, "", 0, "?"},
		}, "under noNewPrivileges runc still opens the exec fifo after its filter: `container process is already dead`; not modelled"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	base, err := rootfs.ParseFixture("base", "dir / 0755 0:0\ndir /bin 0755 0:0\nfile /bin/echo 0755 0:0 busybox\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			cfg := fmt.Sprintf(`{"process":{"cwd":"/","args":["/bin/echo","x"],"user":{"uid":0,"gid":0},"noNewPrivileges":%v},"root":{"path":"rootfs"},"linux":{"seccomp":%s}}`, r.nnp, r.seccomp)
			plan, err := spec.Parse("config.json", []byte(cfg))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range r.wants {
				rt, err := preexec.LookupRuntime(w.runtime)
				if err != nil {
					t.Fatal(err)
				}
				res := preexec.Evaluate(plan, base.Mem(), rt, preexec.Host{})
				switch {
				case w.text == "?":
					if res.Unknown == "" || res.Step != w.step {
						t.Errorf("%s: step %s, unknown %q, text %q; want unknown at %s", w.runtime, res.Step, res.Unknown, res.Text, w.step)
					}
				case res.Unknown != "" || res.Step != w.step || res.Phase != w.phase || res.ExitStatus != w.status || res.Text != w.text:
					t.Errorf("%s: step %s, phase %q, status %d, text %q, unknown %q\n  want step %s, phase %q, status %d, text %q", w.runtime, res.Step, res.Phase, res.ExitStatus, res.Text, res.Unknown, w.step, w.phase, w.status, w.text)
				}
				if strings.Contains(res.Caveat, "seccomp") && w.text != "SIGSYS: bad system call" {
					t.Errorf("%s: caveat %q", w.runtime, res.Caveat)
				}
			}
		})
	}
}
