package preexec

import (
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

// SeccompActions is which seccomp actions a release knows (runc
// libcontainer/seccomp/config.go:ConvertStringToAction, crun
// src/libcrun/seccomp.c:get_seccomp_action).
type SeccompActions uint8

const (
	// SeccompActionsRC92: SCMP_ACT_KILL, ERRNO, TRAP, ALLOW, TRACE, LOG
	// (runc rc92 … 1.0.3).
	SeccompActionsRC92 SeccompActions = iota
	// SeccompActionsNotify: those and SCMP_ACT_NOTIFY (runc 1.1.0 … 1.1.2,
	// 2b025c017, #2682).
	SeccompActionsNotify
	// SeccompActionsAll: those and SCMP_ACT_KILL_THREAD,
	// SCMP_ACT_KILL_PROCESS (runc 1.1.3 on, d105e052d; crun 1.8.1).
	SeccompActionsAll
)

var seccompActionNames = [...]string{"rc92", "notify", "all"}

func (a SeccompActions) String() string { return seccompActionNames[a] }

// Knows reports whether the release's conversion accepts act.
func (a SeccompActions) Knows(act specs.LinuxSeccompAction) bool {
	switch act {
	case specs.ActKill, specs.ActErrno, specs.ActTrap, specs.ActAllow, specs.ActTrace, specs.ActLog:
		return true
	case specs.ActNotify:
		return a >= SeccompActionsNotify
	case specs.ActKillThread, specs.ActKillProcess:
		return a >= SeccompActionsAll
	}
	return false
}

// SeccompFlags is what a release does with linux.seccomp.flags.
type SeccompFlags uint8

const (
	// SeccompFlagsIgnored: they are not read (runc rc92).
	SeccompFlagsIgnored SeccompFlags = iota
	// SeccompFlagsRefused: any flag fails `runc run` with `seccomp flags
	// are not yet supported by runc` (runc rc93 … 1.1.15, 7a8d7162f,
	// libcontainer/specconv/spec_linux.go:SetupSeccomp).
	SeccompFlagsRefused
	// SeccompFlagsChecked: each flag must be one the runtime and
	// libseccomp know (runc 1.2 on, seccomp.FlagSupported; crun 1.8.1,
	// `unknown seccomp option`); SECCOMP_FILTER_FLAG_LOG and
	// SECCOMP_FILTER_FLAG_SPEC_ALLOW change nothing before execve, any
	// other makes the result unknown.
	SeccompFlagsChecked
)

var seccompFlagNames = [...]string{"ignored", "refused", "checked"}

func (f SeccompFlags) String() string { return seccompFlagNames[f] }

// sigsysExit is the exit status a shell, runc and the engines give a process
// killed by SIGSYS: 128+31. Real runs: an execve answered
// SCMP_ACT_KILL_PROCESS ends `runc run` (1.1.4 … 1.6.0-rc.1) and `crun run`
// (1.8.1) with status 159 and nothing printed.
const sigsysExit = 128 + 31

// goTrapExit is the status of a Go program that dies of a signal it does not
// handle, SIGSYS from SCMP_ACT_TRAP: the runtime prints "SIGSYS: bad system
// call", the PC and a goroutine dump, and exits 2 (runtime/signal_unix.go:
// sighandler → dieFromSignal's fallback exit(2)). Real runs: runc rc92 …
// 1.6.0-rc.1 with execve answered SCMP_ACT_TRAP.
const goTrapExit = 2

// seccompRefusal is the release's refusal of linux.seccomp when it converts
// the config, before init runs, and reports whether there was one. runc
// (libcontainer/specconv/spec_linux.go:SetupSeccomp@v1.0.0-rc92 …
// v1.4.0, libcontainer/seccomp/config.go) converts the architectures, the
// default action, then each rule's action and, per name, its operators:
// `string X is not a valid arch|action|operator for seccomp`, after
// `runc run failed: ` from 1.1.0 (a config with neither a default action
// nor rules has no filter). crun (src/libcrun/seccomp.c:
// libcrun_generate_seccomp@1.8.1) checks the default action, then each
// rule's: “invalid seccomp action `X`”. A refusal whose words are not
// modelled (crun's of an architecture or operator, an empty name, NOTIFY
// as the default action) makes the result unknown. Real runs: an unknown
// action on runc rc92 … 1.6.0-rc.1 and crun 1.8.1; an unknown architecture
// through docker 20.10.24 and Debian's runc 1.1.5.
func (e *eval) seccompRefusal() bool {
	sc := e.plan.Seccomp
	if sc == nil {
		return false
	}
	l := e.rt.Release
	c := &sc.Config
	refuse := func(what string, value any) bool {
		var text string
		if l.Runtime == "crun" {
			text = fmt.Sprintf("invalid seccomp %s `%s`", what, value)
		} else {
			text = e.prefixOf(l.Errors.Start) + fmt.Sprintf("string %s is not a valid %s for seccomp", value, what)
		}
		e.refuse(&seccompRefused, &seccompError{text}, text, fmt.Sprintf("%s %s is not one this release knows", what, value))
		return true
	}
	if l.Runtime == "crun" {
		if !l.SeccompActions.Knows(c.DefaultAction) {
			return refuse("action", c.DefaultAction)
		}
		for _, r := range c.Syscalls {
			if !l.SeccompActions.Knows(r.Action) {
				return refuse("action", r.Action)
			}
		}
	} else {
		if c.DefaultAction == "" && len(c.Syscalls) == 0 {
			return false
		}
		for _, a := range c.Architectures {
			switch {
			case a == specs.ArchRISCV64 || a == specs.ArchLOONGARCH64:
				e.seccompUnknown(fmt.Sprintf("which runc releases know %s is not modelled (v1.1.4 does not, v1.4.0 knows RISCV64)", a))
				return true
			case !slices.Contains(runcArchs, a):
				return refuse("arch", a)
			}
		}
		if !l.SeccompActions.Knows(c.DefaultAction) {
			return refuse("action", c.DefaultAction)
		}
		for _, r := range c.Syscalls {
			if !l.SeccompActions.Knows(r.Action) {
				return refuse("action", r.Action)
			}
			if len(r.Names) == 0 {
				continue
			}
			for _, a := range r.Args {
				if !slices.Contains(runcOps, a.Op) {
					return refuse("operator", a.Op)
				}
			}
		}
	}
	if len(c.Flags) > 0 {
		switch l.SeccompFlags {
		case SeccompFlagsRefused:
			const msg = "seccomp flags are not yet supported by runc"
			e.refuse(&seccompRefused, &seccompError{msg}, e.prefixOf(l.Errors.Start)+msg, fmt.Sprint("flags ", c.Flags))
			return true
		case SeccompFlagsChecked:
			for _, f := range c.Flags {
				if f != specs.LinuxSeccompFlagLog && f != "SECCOMP_FILTER_FLAG_SPEC_ALLOW" {
					e.seccompUnknown(fmt.Sprintf("flag %s: whether this runtime, its libseccomp and the kernel take it is not modelled", f))
					return true
				}
			}
		}
	}
	if v := sc.Syscall("", e.arch(), nil); v.Effect == spec.Rejected {
		e.seccompUnknown(fmt.Sprintf("the runtime refuses linux.seccomp (%s); its words for it are not modelled", v.Reason))
		return true
	}
	return false
}

// runcArchs and runcOps are the architectures and operators runc's
// ConvertStringToArch and ConvertStringToOperator know at every release
// modelled (libcontainer/seccomp/config.go@v1.0.0-rc92, v1.1.4, v1.4.0);
// SCMP_ARCH_RISCV64 (in v1.4.0, not v1.1.4) and LOONGARCH64 (in neither)
// are not told apart by release.
var (
	runcArchs = []specs.Arch{
		specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
		specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
		specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
		specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X,
	}
	runcOps = []specs.LinuxSeccompOperator{
		specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
		specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
	}
)

// seccompError is a refusal of linux.seccomp or a failure its filter
// causes.
type seccompError struct{ msg string }

func (e *seccompError) Error() string { return e.msg }

// seccompUnknown makes the result unknown at StepConfig for why.
func (e *eval) seccompUnknown(why string) { e.seccompUnknownAt(StepConfig, why) }

// seccompUnknownAt makes the result unknown at step for why.
func (e *eval) seccompUnknownAt(step Step, why string) {
	d := &seccompNotModelled
	if step == StepExecve {
		d = &seccompExecveNotModelled
	}
	e.step(d, nil, why, "", nil)
	e.res.Step, e.res.Unknown = step, "seccomp: "+why
	e.res.Err = &seccompError{why}
}

// The steps of the filter (initStep): a is the runtime's whole text for
// a failure (verbatim), b what the trace adds; for execve, b is the path.
var (
	// The runtime refuses linux.seccomp, before its init runs, or the
	// filter it installs (an SCMP_ACT_NOTIFY rule without a listener).
	seccompRefused = initStep{stage: StepConfig, says: "seccomp: %[2]s", fails: verbatim}
	// What the filter does that the model does not follow.
	seccompNotModelled       = initStep{stage: StepConfig, says: "seccomp: %s"}
	seccompExecveNotModelled = initStep{stage: StepExecve, says: "seccomp: %s"}
	// The filter answers execve (b) with an errno (the release's exit
	// status), kills the process (SIGSYS, 159), or traps into Go's fatal
	// SIGSYS (2).
	seccompExecveErrno   = initStep{stage: StepExecve, says: "execve(%[2]q): the filter answers", fails: verbatim, afterStart: true}
	seccompExecveKilled  = initStep{stage: StepExecve, says: "execve(%[2]q): the filter kills", fails: verbatim, afterStart: true, exit: sigsysExit}
	seccompExecveTrapped = initStep{stage: StepExecve, says: "execve(%[2]q): the filter traps", fails: verbatim, afterStart: true, exit: goTrapExit}
)

func (e *eval) arch() specs.Arch {
	if e.host.Arch == "" {
		return specs.ArchX86_64
	}
	return e.host.Arch
}

// A filtered is what the filter does with one call the init makes after
// installing it.
type filtered struct {
	// err is the errno the call returns without running; nil when it runs
	// (or, zero, returns 0 without running).
	err error
	// zero: SCMP_ACT_ERRNO with errnoRet 0 — the call returns 0 and does
	// nothing.
	zero bool
	// kill is the resolved action that kills the thread or process, or
	// raises SIGSYS: SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS,
	// SCMP_ACT_TRAP; "" otherwise.
	kill specs.LinuxSeccompAction
	// unknown says why the model cannot tell what the call does ("" if it
	// can): an SCMP_ACT_NOTIFY agent answers, or an argument condition
	// the model cannot evaluate decides.
	unknown string
}

// call is what the filter does with the call name, arguments args, made
// by the init once the filter is installed, per the release: runc's
// -ENOSYS stub (SeccompENOSYSStub), EPERM for the default action before
// rc95 (SeccompIgnoresDefaultErrnoRet), SCMP_ACT_NOTIFY without a listener
// (SeccompListener "": ENOSYS). An SCMP_ACT_TRACE with no tracer attached
// answers ENOSYS (seccomp(2); real runs: execve under SCMP_ACT_TRACE
// fails `function not implemented` on every runc and crun).
func (e *eval) call(name string, args *spec.Args) filtered {
	sc := e.plan.Seccomp
	if sc == nil {
		return filtered{}
	}
	l := e.rt.Release
	if l.SeccompIgnoresDefaultErrnoRet {
		sc = sc.IgnoringDefaultErrnoRet()
	}
	v := sc.Syscall(name, e.arch(), args)
	var f filtered
	switch {
	case v.ENOSYSStub && l.SeccompENOSYSStub:
		return filtered{err: access.ENOSYS}
	case v.Effect == spec.Returns:
		f.err = v.Err
		if v.Rule == -1 && l.SeccompIgnoresDefaultErrnoRet && v.Action == specs.ActErrno {
			f.err = access.EPERM
		}
		if v.Action == specs.ActTrace {
			f.err = access.ENOSYS
		}
		f.zero = f.err == nil
	case v.Effect == spec.Dies:
		f.kill = v.Action
		if f.kill == specs.ActKill {
			f.kill = specs.ActKillThread
		}
	case v.Effect == spec.Notifies:
		if sc.Config.ListenerPath == "" && l.SeccompListener == "" {
			return filtered{err: access.ENOSYS}
		}
		f.unknown = "a seccomp agent answers " + name + " (SCMP_ACT_NOTIFY)"
	}
	// Nothing attaches a tracer to runc init or crun: SCMP_ACT_TRACE's
	// doubt is no doubt here.
	if v.Uncertain && f.unknown == "" && !(v.Action == specs.ActTrace && strings.HasPrefix(v.Reason, "SCMP_ACT_TRACE:") && !strings.Contains(v.Reason, "; ")) {
		f.unknown = v.Reason
	}
	return f
}

// refuses reports whether the filter keeps the call from running as it
// would without a filter.
func (f filtered) refuses() bool { return f.err != nil || f.zero || f.kill != "" || f.unknown != "" }

// notifyRefused is runc 1.1+'s refusal of an SCMP_ACT_NOTIFY rule without
// linux.seccomp.listenerPath: the parent's answer to the notify fd runc
// init sends when it installs the filter (runc
// libcontainer/process_linux.go:initProcess.start, procSeccomp), after
// ready, with noNewPrivileges or not (its parent still listens).
func (e *eval) notifyRefused() bool {
	sc := e.plan.Seccomp
	l := e.rt.Release
	if sc == nil || l.SeccompListener == "" || sc.Config.ListenerPath != "" {
		return false
	}
	for _, r := range sc.Config.Syscalls {
		if r.Action == specs.ActNotify && len(r.Names) > 0 {
			e.refuse(&seccompRefused, &seccompError{l.SeccompListener}, e.prefix(true)+l.SeccompListener, "an SCMP_ACT_NOTIFY rule and no listenerPath")
			return true
		}
	}
	return false
}

// runcInitCalls are the x86_64 calls, other than those the model follows
// (chdir, faccessat2, execve), that runc init (Go) may make after it
// installs the filter before the checks (noNewPrivileges false): the Go
// runtime's own (futex, mmap, signals, threads), finalizeNamespace's
// (CloseExecFrom's open of /proc/self/fd, prctl, capget/capset,
// setgroups/setresgid/setresuid, 1.2+'s /proc/self/setgroups and
// 1.4+'s /proc/sys/kernel/cap_last_cap, statx of pathrs), LookPath's
// stat, the exec fifo. A filter that keeps one of them from running makes
// the result unknown: real runs answer openat EACCES with a different
// error per release (`close exec fds: open /proc/self/fd`, `unable to setup
// user: open /proc/self/setgroups`, `open /proc/sys/kernel/cap_last_cap`),
// newfstatat with `setup user: permission denied` or `stat /dev/null`,
// statx only on 1.4+, and the Go runtime's calls not at all predictably.
var runcInitCalls = []string{
	"openat", "openat2", "open", "newfstatat", "statx", "fstat", "stat", "lstat", "readlinkat",
	"close", "close_range", "read", "write", "pread64", "lseek", "getdents64", "fcntl", "dup3",
	"ioctl", "prctl", "capget", "capset", "setgroups", "setresgid", "setresuid", "setgid",
	"setuid", "getppid", "getpid", "gettid", "getuid", "getgid", "geteuid", "getegid", "umask",
	"futex", "mmap", "munmap", "madvise", "mprotect", "brk", "rt_sigprocmask", "rt_sigaction",
	"rt_sigreturn", "sigaltstack", "clone", "clone3", "tgkill", "kill", "sched_yield",
	"nanosleep", "epoll_pwait", "epoll_ctl", "epoll_create1", "sched_getaffinity", "getrandom",
	"exit", "exit_group", "pidfd_open", "pidfd_send_signal", "sendmsg", "recvmsg", "fsopen",
	"fsconfig", "fsmount", "open_tree", "fchdir", "getcwd", "uname",
}

// runcExecCalls are those runc init may make after a filter it installs
// under noNewPrivileges, up to execve: closing the sync and log pipes,
// the exec fifo (reopened through /proc), 1.1.12+'s closing of every fd
// (close_range, or /proc/self/fd), the Go runtime's. Real runs: openat
// answered EACCES fails 1.1.4 … 1.6 with the container's own `open exec
// fifo …` or `reopen exec fifo: …`, and `runc run` says only `container
// process is already dead` (or 1.6's `exec fifo is empty: …`).
var runcExecCalls = []string{
	"close", "close_range", "openat", "openat2", "write", "read", "fcntl", "getdents64",
	"newfstatat", "statx", "fstat", "readlinkat", "getpid", "gettid", "futex", "mmap", "munmap",
	"madvise", "mprotect", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "sigaltstack",
	"clone", "clone3", "tgkill", "sched_yield", "nanosleep", "epoll_pwait", "epoll_ctl",
	"exit", "exit_group", "sendmsg", "fsopen", "fsconfig", "fsmount", "open_tree",
}

// crunInitCalls are those crun's container process (C) makes after it
// installs the filter before set_required_caps (noNewPrivileges false):
// prctl (bounding set, keep-caps, ambient), setresgid, setresuid, capset,
// the sync socket (write, read), the exec fifo wait (select), close,
// execve; it opens no file (real runs: crun 1.8.1 starts with openat,
// newfstatat or statx answered EACCES). find_executable's second look
// (crunFindCalls) and the second chdir run only when the first, before
// the filter, failed.
var crunInitCalls = []string{
	"prctl", "capget", "capset", "setresgid", "setresuid", "setgroups", "write", "read",
	"select", "pselect6", "close", "lseek", "rt_sigprocmask", "getpid", "exit_group",
}

// crunFindCalls are find_executable's calls besides faccessat2: glibc's
// stat of each candidate.
var crunFindCalls = []string{"newfstatat", "stat", "fstat", "statx"}

// crunExecCalls are those crun makes after a filter it installs under
// noNewPrivileges, before execve: closing fds, lseek of stdio after hooks.
var crunExecCalls = []string{"close", "lseek", "rt_sigprocmask"}

// unmodelledCall returns the first of names the filter keeps from
// running, with why, or "".
func (e *eval) unmodelledCall(names []string) string {
	for _, n := range names {
		if f := e.call(n, nil); f.refuses() {
			what := "refuses"
			switch {
			case f.kill != "":
				what = "kills on"
			case f.unknown != "":
				what = "may refuse"
			}
			return fmt.Sprintf("the filter %s %s, which the init calls after installing it; what it then prints is not modelled", what, n)
		}
	}
	return ""
}

// seccompBefore reports, for a filter installed before the checks
// (noNewPrivileges false), whether the result is already decided: a
// refused call the model does not follow (unknown), or a default action
// that kills.
// more are calls the init makes besides its usual ones (crun's second
// find_executable).
func (e *eval) seccompBefore(more ...string) bool {
	sc := e.plan.Seccomp
	if sc == nil || sc.NoNewPrivileges {
		return false
	}
	calls := runcInitCalls
	if e.rt.Release.Runtime == "crun" {
		calls = crunInitCalls
	}
	why := e.unmodelledCall(calls)
	if why == "" {
		why = e.unmodelledCall(more)
	}
	if why != "" {
		e.seccompUnknown(why)
		return true
	}
	// faccessat2 answered with an errno is followed (seccompVerdict); one
	// that kills, or whose answer cannot be told, is not. A real run:
	// runc 1.1.4 under a default SCMP_ACT_KILL_PROCESS that allows every
	// call but faccessat2 dies in its eaccess check (audit: syscall=439)
	// and `runc run` says only `container process is already dead`.
	if _, why := e.faccessat2Filtered(); why != "" {
		e.seccompUnknown("faccessat2: " + why)
		return true
	}
	return false
}

// seccompAfter is seccompBefore for a filter installed after the checks
// (noNewPrivileges true).
func (e *eval) seccompAfter() bool {
	sc := e.plan.Seccomp
	if sc == nil || !sc.NoNewPrivileges {
		return false
	}
	calls := runcExecCalls
	if e.rt.Release.Runtime == "crun" {
		calls = crunExecCalls
	}
	if why := e.unmodelledCall(calls); why != "" {
		e.seccompUnknown(why)
		return true
	}
	return false
}

// chdirFiltered is the filter's answer to chdir(process.cwd), where it is
// installed by then (e.filterOn): decided reports that the filter, not the
// kernel, answers — with err, or, when the model cannot tell what follows,
// with the result made unknown and errSeccompUnknown. A call the filter
// answers with an errno fails with it, before the kernel looks at the path
// (seccomp runs at syscall entry). Real runs: chdir answered EACCES fails
// every runc with `chdir to cwd ("/") set in config.json failed:
// permission denied` (rc94+ retry it after setuid, and the filter answers
// again); crun's first chdir runs before its filter.
func (e *eval) chdirFiltered() (err error, decided bool) {
	if !e.filterOn {
		return nil, false
	}
	f := e.call("chdir", spec.PathArgs)
	switch {
	case f.unknown != "":
		e.seccompUnknownAt(StepChdir, "chdir: "+f.unknown)
		return errSeccompUnknown, true
	case f.kill != "":
		e.seccompUnknownAt(StepChdir, "the filter kills on chdir before the container starts; what the runtime then prints is not modelled")
		return errSeccompUnknown, true
	case f.zero:
		// chdir returns 0 and does nothing: the process stays in /.
		return nil, true
	case f.err != nil:
		return f.err, true
	}
	return nil, false
}

// errSeccompUnknown is what a step the filter decides returns when the
// model cannot tell what follows (the result is already unknown).
var errSeccompUnknown = &seccompError{"the seccomp filter's effect is not modelled"}

// seccompLate is the filter at execve, where it is always installed: the
// refusals that come with installing it under noNewPrivileges, the calls
// the init makes after it, and its answer to execve (execveFiltered). It
// reports whether the result is decided; text formats the release's
// execve error.
func (e *eval) seccompLate(name string, text func(error) string) bool {
	if e.plan.Seccomp == nil {
		return false
	}
	if e.plan.NoNewPrivileges && (e.notifyRefused() || e.seccompAfter()) {
		return true
	}
	e.filterOn = true
	return e.execveFiltered(name, text)
}

// execveFiltered decides what the filter does with the final execve, which
// runs under the filter wherever it was installed. It reports whether the
// filter decided the result; text formats the release's execve error.
// Real runs (execve answered by the filter, runc rc92 … 1.6.0-rc.1, crun
// 1.8.1): SCMP_ACT_ERRNO fails it with errnoRet as any execve error is
// printed (`exec /bin/echo: permission denied`); errnoRet 0 makes execve
// return 0, which runc prints as `errno 0` and crun with the errno left
// over (unknown); SCMP_ACT_KILL_PROCESS ends the container with status 159
// and nothing printed; SCMP_ACT_KILL (KILL_THREAD) kills crun's only
// thread (159) but leaves runc init's other threads waiting, so `runc run`
// never returns (unknown); SCMP_ACT_TRAP kills crun (159), and makes
// runc init's Go runtime print `SIGSYS: bad system call` and a goroutine
// dump and exit 2.
func (e *eval) execveFiltered(name string, text func(error) string) bool {
	f := e.call("execve", spec.PathArgs)
	if e.host.Exec {
		return e.joinExecveFiltered(name, f, text)
	}
	crun := e.rt.Release.Runtime == "crun"
	switch {
	case f.unknown != "":
		e.seccompUnknownAt(StepExecve, "execve: "+f.unknown)
	case f.zero && crun:
		e.seccompUnknownAt(StepExecve, "execve returns 0 without running; crun then prints the errno left over from an earlier call")
	case f.zero:
		e.refuse(&seccompExecveErrno, errnoZero{}, text(errnoZero{}), name)
	case f.err != nil:
		e.refuse(&seccompExecveErrno, f.err, text(f.err), name)
	case f.kill == specs.ActKillProcess, crun && f.kill != "":
		e.refuse(&seccompExecveKilled, &seccompError{"killed by SIGSYS (" + string(f.kill) + ")"}, "", name)
	case f.kill == specs.ActKillThread:
		e.seccompUnknownAt(StepExecve, "SCMP_ACT_KILL kills only the thread calling execve; runc init's other threads live on and `runc run` does not return")
	case f.kill == specs.ActTrap:
		e.refuse(&seccompExecveTrapped, &seccompError{"SIGSYS from SCMP_ACT_TRAP"}, "SIGSYS: bad system call", name)
		e.res.Caveat = "seccomp: runc init's Go runtime prints a goroutine dump after this line"
	default:
		return false
	}
	return true
}

// errnoZero is what Go makes of a system call returning 0 where it fails
// only with -1: syscall.Errno(0), whose text is "errno 0".
type errnoZero struct{}

func (errnoZero) Error() string { return "errno 0" }

// faccessat2Filtered is the filter's answer to the faccessat2 of the
// checks, per release, or nil when it runs.
func (e *eval) faccessat2Filtered() (err error, why string) {
	f := e.call("faccessat2", spec.Faccessat2Args)
	switch {
	case f.unknown != "":
		return nil, f.unknown
	case f.kill != "":
		return nil, "the filter kills on faccessat2; what the runtime then prints is not modelled"
	}
	return f.err, ""
}

// Seccomp for a process joined to a running container (Host.Exec): runc's
// setns init installs the container's filter where the standard init does
// — before finalizeNamespace, or under noNewPrivileges as late as it can —
// but rc92 … 1.1.11 look process.args[0] up in system.Execv, after the
// filter whatever noNewPrivileges says (opencontainers/runc
// libcontainer/setns_init_linux.go:linuxSetnsInit.Init@v1.1.11); crun exec
// installs it after its first chdir and find_executable, as crun's init
// does (containers/crun src/libcrun/container.c:exec_process_entrypoint@1.8.1).
// The join oracle's filters answer faccessat2 only (testdata/runtime/exec);
// what else a filter does to a joined process is made unknown rather than
// carried over from the standard init.

// joinFilterInExecv reports whether runc exec installs the filter after
// finalizeNamespace and before its LookPath: a filter under
// noNewPrivileges on a line that looks args[0] up in system.Execv
// (Join.LookPath JoinLookPathInExecv, rc92 … 1.1.11).
func (e *eval) joinFilterInExecv() bool {
	l := e.rt.Release
	return e.host.Exec && l.Runtime == "runc" && l.Sentry == nil && e.plan.Seccomp != nil &&
		e.plan.Seccomp.NoNewPrivileges && l.Join.LookPath == JoinLookPathInExecv
}

// seccompInExecv is, for joinFilterInExecv, the filter's installation
// before LookPath: the calls the setns init makes after it (runcExecCalls,
// which hold LookPath's stat), and faccessat2, which LookPath of a Go ≥
// 1.20 build makes (an answer that kills or cannot be told is unknown, as
// seccompBefore makes it). It reports whether the result is decided;
// otherwise the filter is on from here (filterOn).
func (e *eval) seccompInExecv() bool {
	if e.seccompAfter() {
		return true
	}
	if _, why := e.faccessat2Filtered(); why != "" {
		e.seccompUnknown("faccessat2: " + why)
		return true
	}
	e.filterOn = true
	return false
}

// joinContainerSeccompRefused reports whether the release refuses the
// container's own linux.seccomp — when it converts the config
// (seccompRefusal) or when its init installs the filter (notifyRefused,
// with noNewPrivileges or not): the container then never started, and
// there is nothing to join. The result is unknown (a refusal seccompRefusal
// already made unknown stays so): no join case runs such a container.
func (e *eval) joinContainerSeccompRefused() bool {
	tr := len(e.tr)
	if !e.seccompRefusal() && !e.notifyRefused() {
		return false
	}
	if e.res.Unknown != "" {
		return true
	}
	why := fmt.Sprintf("this release refuses the container's linux.seccomp (%s) when it starts the container, so there is no running container to join; not modelled", e.res.Text)
	e.tr = e.tr[:tr]
	e.res.Text, e.res.Phase, e.res.ExitStatus = "", "", 0
	e.seccompUnknown(why)
	return true
}

// joinExecveFiltered is execveFiltered for a joined process (f, the
// filter's answer to execve): an errno fails execve as the kernel's own
// errno does, in the words of the line's join (text: reported by runc exec
// until 1.1.11, printed by the process from 1.1.12, crun exec's `exec:
// <strerror>`); an execve returning 0, a kill or a trap no join case has
// run, and the result is unknown.
func (e *eval) joinExecveFiltered(name string, f filtered, text func(error) string) bool {
	reported := e.rt.Release.Runtime == "runc" && e.rt.Release.Join.Execve == JoinExecveReported
	switch {
	case f.unknown != "":
		e.seccompUnknownAt(StepExecve, "execve: "+f.unknown)
	case f.zero || f.kill != "":
		e.seccompUnknownAt(StepExecve, "what the filter's answer to execve (errno 0, SIGSYS) does to a process joined by exec is not modelled")
	case f.err != nil && reported:
		e.refuse(&seccompJoinExecveReported, f.err, text(f.err), name)
	case f.err != nil:
		e.refuse(&seccompExecveErrno, f.err, text(f.err), name)
	default:
		return false
	}
	return true
}

// seccompJoinExecveReported: the filter answers a joined process's execve
// (b) with an errno, which runc exec reports (JoinExecveReported): its
// own failure, with its exit status.
var seccompJoinExecveReported = initStep{stage: StepExecve, says: "execve(%[2]q): the filter answers", fails: verbatim}
