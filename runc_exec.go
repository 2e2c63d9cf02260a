package preexec

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/preexec/preexec/access"
)

// JoinStyle is what a runc line does differently when `runc exec` joins a
// process to a running container (Host.Exec) — `kubectl exec`, `docker
// exec`. Its init is then opencontainers/runc
// libcontainer/setns_init_linux.go:linuxSetnsInit.Init, not the standard
// init: it calls the same finalizeNamespace (the Release's chdir, user and
// capability sequence hold), but creates no cwd (prepareRootfs is the
// standard init's: a missing cwd fails chdir), has no exec fifo, and
// differs in the fields below. A process without capabilities has the
// container's (spec.ParseExec).
type JoinStyle struct {
	// Prefix prefixes every error `runc exec` reports for the joining
	// process: exec.go's `exec failed: ` and linuxContainer.start's wrap
	// (runc ≤ 1.0.3: `container_linux.go:370: starting container process
	// caused: `; 1.1.0 on: `unable to start container process: `, with no
	// `error during container init: ` even from 1.2.0).
	Prefix string
	// LookPath is where the setns init looks process.args[0] up.
	LookPath JoinLookPath
	// ExecCheck is the check of LookPath's result before execve:
	// ExecCheckNone, or ExecCheckXSysFaccessatBeforeGo120 (1.1.12 …
	// 1.1.15, fbe3eed1e). runc 1.1.4 and 1.1.5's faccessat2-else-access(2)
	// check is the standard init's only.
	ExecCheck ExecCheck
	// Execve is who reports a failing execve.
	Execve JoinExecve
	// ExecveText formats an execve error runc exec reports
	// (JoinExecveReported), with %s for the path and the errno text:
	// `%[2]s` (unix.Exec's bare errno, runc ≤ 1.0.3), `exec %s: %s`
	// (system.Exec's *os.PathError, 1.1.0 on). For a process that prints
	// its own (JoinExecvePrinted) runc's is Errors.Exec and this is "";
	// crun exec's is `exec: %[2]s`.
	ExecveText string
	// ExitStatus is runc exec's exit status when it reports an error: 1
	// (runc ≤ 1.0.3, exec.go returns the error to urfave/cli), 255 (1.1.0
	// on, 60e02b4b2: opencontainers/runc exec.go@v1.1.0 fatalWithCode).
	ExitStatus int
}

// JoinLookPath is where runc's setns init looks process.args[0] up.
type JoinLookPath int

const (
	// JoinLookPathInExecv: in system.Execv, just before execve, after the
	// seccomp filter whatever noNewPrivileges says; its error is reported
	// by runc exec (runc rc92 … 1.1.11, opencontainers/runc
	// libcontainer/system/linux.go:Execv@v1.1.11).
	JoinLookPathInExecv JoinLookPath = iota
	// JoinLookPathEarly: after finalizeNamespace, before the filter of
	// noNewPrivileges, as the standard init does (runc 1.1.12 on,
	// fbe3eed1e: opencontainers/runc
	// libcontainer/setns_init_linux.go:linuxSetnsInit.Init@v1.1.12).
	JoinLookPathEarly
)

// JoinExecve is who reports a failing execve of a joined process.
type JoinExecve int

const (
	// JoinExecveReported: the init pipe is still open at execve; the
	// error goes back to runc exec, which reports it with Prefix and
	// ExitStatus (runc rc92 … 1.1.11).
	JoinExecveReported JoinExecve = iota
	// JoinExecvePrinted: runc init closed every fd it does not pass
	// before execve (284ba3057, CVE-2024-21626), the pipe too: the
	// process prints Errors.Exec on its stderr and exits
	// Errors.InitExitStatus, which runc exec exits with (runc 1.1.12 on).
	JoinExecvePrinted
)

var joinLookPathNames = [...]string{"in Execv, under the filter", "early, as the standard init"}

func (j JoinLookPath) String() string { return joinLookPathNames[j] }

var joinExecveNames = [...]string{"reported by runc exec", "printed by the process"}

func (j JoinExecve) String() string { return joinExecveNames[j] }

// runcJoin is runc exec's setns init (opencontainers/runc
// libcontainer/setns_init_linux.go:linuxSetnsInit.Init@v1.0.0-rc92 …
// v1.6.0-rc.1), one call a step: runc exec's own check of the process, the
// environment (≤ 1.2, newContainerInit), no cwd created, the filter where
// the standard init installs it, finalizeNamespace as the standard init
// takes it, then LookPath, the line's check and execve where the line's
// Join puts them. Every error is runc exec's, with its prefix
// (Join.Prefix, through prefix) and exit status (Join.ExitStatus, through
// fail); an execve error is reported by runc exec until 1.1.11, printed by
// the process from 1.1.12.
func (e *eval) runcJoin() {
	l, plan := e.rt.Release, e.plan
	e.rootlessJoinCaveat()
	if plan.Refused != "" {
		e.refuse(&runcExecValidateProcessSpec, errors.New(plan.Refused), plan.Refused, "")
		return
	}
	if e.joinContainerSeccompRefused() {
		return
	}
	if l.EnvCheckAt == EnvCheckBeforeReady && e.envRefused(&runcEnvBeforeReady) {
		return
	}
	root := e.rootCred()
	over := e.joinView()
	seccompErr := e.redundantRule()
	if seccompErr != "" && !plan.NoNewPrivileges {
		e.refuse(&runcInitSeccomp, &redundantRuleError{seccompErr}, seccompErr, "")
		return
	}
	// The filter: before finalizeNamespace, or under noNewPrivileges
	// after it — before LookPath in Execv (rc92 … 1.1.11), after the
	// early LookPath (1.1.12 on): seccompVerdict tells.
	if !plan.NoNewPrivileges && e.seccompBefore() {
		return
	}
	e.seccompVerdict()
	e.proc = access.Proc{Cred: root, FS: over, Kernel: e.kernel()}
	userProc := e.finalizeNamespace(&e.proc, root)
	if userProc == nil {
		return
	}
	if e.joinFilterInExecv() && seccompErr == "" && e.seccompInExecv() {
		return
	}
	e.runcExec(userProc, seccompErr)
}

// rootlessJoinCaveat says, for a rootless runtime, that its exec was not
// run: the oracle's join cases are rootful.
func (e *eval) rootlessJoinCaveat() {
	if e.host.Rootless {
		e.res.Caveat = "exec by a rootless runtime is modelled as a rootful one's, which the runtime oracle runs; the rootless exec was not run"
	}
}

// runc exec's own steps (runcJoin); the others are runc's (runc_init.go).
var (
	// exec.go:getProcess's validateProcessSpec: a is its refusal, after
	// `exec failed: ` (every release).
	runcExecValidateProcessSpec = initStep{stage: StepConfig, says: "validateProcessSpec: %s", fails: execFailedText}
	// The container's cwd (a), which runc made when the container
	// started; runc exec creates nothing.
	joinedCwd = initStep{stage: StepMkdirCwd, says: "the container's cwd %q exists (the runtime created it at the container's start); exec creates nothing"}
	// execve(a) as c, its error sent back to runc exec, which reports it
	// (JoinExecveReported).
	runcJoinExecveReported = initStep{stage: StepExecve, says: "execve(%[1]q) as %[3]s", fails: joinExecveText}
)

// execFailedText is runc exec's own refusal a.
func execFailedText(_ *eval, a, _ string, _ error) string { return "exec failed: " + a }

// joinExecveText is runc exec's report of execve's error on name.
func joinExecveText(e *eval, name, _ string, err error) string {
	j := e.rt.Release.Join
	return j.Prefix + fmt.Sprintf(j.ExecveText, name, errnoString(err))
}

// joinView is the root filesystem a joined process meets: the container's
// view with the container's own cwd (Plan.JoinedCwd) created as the
// runtime created it when the container started (os.MkdirAll as the
// container's root; it succeeded, or the container would not run). The
// exec itself creates nothing: a missing process.cwd fails its chdir.
func (e *eval) joinView() *access.Overlay {
	// The container's root, leaving e.root alone (crun exec's own
	// credentials differ from it in a user namespace).
	saved := e.root
	root := *e.rootCred()
	e.root = saved
	k := opKey{op: opJoinView, line: lineKey{view: uint8(e.viewClass)}, cred: keyOf(&root)}
	v := e.m.do(&k, func() opVal {
		mk := &mkdirScratch{over: access.Overlay{Base: e.view}}
		if cwd := e.plan.JoinedCwd; cwd != "" && cwd != "/" {
			mk.earlyOver.Base = e.early
			mk.early = access.Proc{Cred: &root, FS: &mk.earlyOver, Kernel: e.kernel()}
			mkdirAll(&mk.early, &mk.over, cwd)
		}
		return opVal{over: &mk.over}
	})
	if e.plan.JoinedCwd != "" {
		e.step(&joinedCwd, nil, e.plan.JoinedCwd, "", nil)
	}
	return v.over
}

// crunJoin is crun exec (containers/crun
// src/libcrun/container.c:exec_process_entrypoint@1.8.1), one call a step:
// crun's own credentials first — in a user namespace, which its process
// joins with setns and no setresuid (src/libcrun/linux.c:
// libcrun_join_process@1.8.1; set_id_init only for a terminal), kernel
// uid and gid 0 with every capability in the namespace, which access(2)
// clears since the namespace does not map them as its root — for chdir
// and find_executable, an environment that is the container's when the
// process has none, the filter, setgroups, set_required_caps, the
// retries, execv. crun exec reports its errors bare and exits 255 (no "0"
// on its pipe, libcrun_container_exec_with_options); the process prints
// an execv error itself and exits 1.
func (e *eval) crunJoin() {
	plan := e.plan
	e.rootlessJoinCaveat()
	if e.joinContainerSeccompRefused() {
		return
	}
	over := e.joinView()
	root := e.rootCred()
	if plan.UserNS != nil {
		e.root = *access.Root()
		e.root.NoNewPrivs = plan.NoNewPrivileges
		e.root.UserNS = plan.UserNS
	}
	e.proc = access.Proc{Cred: root, FS: over, Kernel: e.kernel()}
	proc := &e.proc
	chdir1 := e.chdir(&crunChdirAsRoot, proc, nil)
	exe, find1 := e.findExecutable(&crunFindAsRoot, proc)
	if e.failed() {
		return
	}
	// The filter unless noNewPrivileges, libcrun_container_setgroups,
	// set_required_caps.
	if e.crunFilter(find1) {
		return
	}
	if !e.crunSetgroups(root) {
		return
	}
	userProc, exe, ok := e.crunAsUser(root, proc, chdir1, find1, exe)
	if !ok {
		return
	}
	if e.seccompLate(exe, func(err error) string { return crunJoinExecText(e, exe, "", err) }) {
		return
	}
	e.execve(&crunJoinExecv, userProc, exe)
}

// execv(a) as c in crun exec, whose error the process prints:
// libcrun_fail_with_error (errno, "exec").
var crunJoinExecv = initStep{stage: StepExecve, says: "execv(%[1]q) as %[3]s", fails: crunJoinExecText, afterStart: true}

// crunJoinExecText is the joined process's words for execv's error.
func crunJoinExecText(e *eval, exe, _ string, err error) string {
	return fmt.Sprintf(e.rt.Release.Join.ExecveText, exe, glibcStrerror(err))
}

// String is j in one line, for the docs and Changes: where LookPath runs,
// the check after it, who reports a failing execve, runc exec's exit
// status and its prefix.
func (j JoinStyle) String() string {
	if j == (JoinStyle{}) {
		return "not modelled"
	}
	check := "no check"
	switch j.ExecCheck {
	case ExecCheckFaccessat2ElseAccess:
		check = "eaccess: faccessat2 else access(2)"
	case ExecCheckXSysFaccessatBeforeGo120:
		check = "eaccess: x/sys Faccessat (Go < 1.20)"
	}
	execve := j.Execve.String()
	if j.ExecveText != "" {
		execve += fmt.Sprintf(" as `%s`", strings.NewReplacer("%[2]s", "<errno>", "%s: %s", "<path>: <errno>").Replace(j.ExecveText))
	}
	prefix := "errors bare"
	if j.Prefix != "" {
		prefix = "`" + strings.TrimSpace(j.Prefix) + "`"
	}
	return fmt.Sprintf("LookPath %s; %s; execve error %s; exits %d on its own errors, %s", j.LookPath, check, execve, j.ExitStatus, prefix)
}

// Exec reports whether r is the result of a process joined to a running
// container (Host.Exec): its create-phase failure is runc exec's, with
// runc exec's exit status in ExitStatus.
func (r Result) Exec() bool { return r.in != nil && r.in.host.Exec }

// Amends is, for a distribution build's own row (one whose patches change
// its runc exec: DistroBuild.Join), the row of Releases it amends; nil for
// a row of Releases. Its Cite holds only what it amends.
func (l *Release) Amends() *Release { return amended()[l] }

// distroRows are the rows of the distribution builds whose runc exec
// differs from their release's (DistroBuild.Join), by "build@version",
// made once so that a build's row is one pointer.
var distroRows = sync.OnceValue(func() map[string]*Release {
	m := map[string]*Release{}
	for _, d := range distroBuilds {
		if d.Join == nil {
			continue
		}
		l, v := lineOf("runc", d.Version)
		if l == nil || v != d.Version {
			continue
		}
		r := *l
		r.Join = *d.Join
		r.Cite = map[string]string{"Join": d.JoinCite}
		m[d.Build+"@"+d.Version] = &r
	}
	return m
})

// amended maps each row of distroRows to the row it amends.
var amended = sync.OnceValue(func() map[*Release]*Release {
	m := map[*Release]*Release{}
	for k, r := range distroRows() {
		_, version, _ := strings.Cut(k, "@")
		l, _ := lineOf("runc", version)
		m[r] = l
	}
	return m
})

// runscJoin is `runsc exec`, which is not modelled: the result is unknown.
// gVisor's rows have no Join (their JoinStyle is the zero value, "not
// modelled"), and runsc's sentry, not a setns init, would start the
// process.
func (e *eval) runscJoin() {
	const why = "runsc exec is not modelled: gVisor's sentry starts a joined process itself (runsc/cmd/exec.go, runsc/boot/controller.go:containerManager.ExecuteAsync), and no join case runs runsc"
	e.step(&runscExecNotModelled, nil, why, "", nil)
	e.res.Step, e.res.Err, e.res.Unknown = StepConfig, errors.New("runsc exec is not modelled"), why
}

// runscExecNotModelled: runsc exec, which the model does not follow (a:
// why).
var runscExecNotModelled = initStep{stage: StepConfig, says: "%s"}
