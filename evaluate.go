package preexec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// Host is what decides the pre-exec checks besides config.json and the root
// filesystem. The zero value is a current x86_64 kernel, fs.protected_symlinks
// off, a rootful runtime started with umask 022 by `runc run`.
type Host struct {
	// Kernel is the kernel's version code (access.KernelVersion); 0 is the
	// newest modelled. Below 5.8 faccessat2 does not exist (ENOSYS).
	Kernel uint32
	// ProtectedSymlinks is fs.protected_symlinks.
	ProtectedSymlinks bool
	// Rootless: the runtime runs without root in a user namespace it made:
	// setgroups is skipped, and additionalGids are refused or ignored as
	// the line's RootlessGroups says.
	Rootless bool
	// Arch is the seccomp architecture ("SCMP_ARCH_X86_64" if empty).
	Arch specs.Arch
	// Create: the error prefix says `runc create failed:` (runc create)
	// instead of `runc run failed:`.
	Create bool
}

// A Step names a stage of a runtime's init sequence.
type Step string

// The steps, in the order runc takes them.
const (
	StepConfig      Step = "config"      // the config itself (unknown capabilities, seccomp)
	StepMkdirCwd    Step = "mkdir-cwd"   // creating a missing process.cwd
	StepUser        Step = "user"        // setgroups, setgid, setuid
	StepChdir       Step = "chdir"       // chdir(process.cwd)
	StepCaps        Step = "caps"        // applying process.capabilities
	StepLookPath    Step = "lookpath"    // finding process.args[0]
	StepEaccess     Step = "eaccess"     // runc 1.1.4–1.1.15's check of it
	StepExecve      Step = "execve"      // the execve itself
	StepInterpreter Step = "interpreter" // the #! interpreter reading its script
	StepStarted     Step = "started"     // the entrypoint's own code runs
)

// A Phase is when, in a container's life, a runtime's check fails.
//
// runc create runs runc init up to its wait on the exec fifo: every check
// before it (user, chdir, capabilities, LookPath, runc 1.1.4's eaccess)
// fails `runc create`, and an engine reports that error as its own, with
// its own exit status (spec.Engine.Failure). runc start only opens the
// fifo; init then runs what is left — the final execve, and for runc ≤
// 1.0.x the seccomp filter under noNewPrivileges — as the container's
// process: its error is the container's own output, and the engine shows
// it as such with the container's exit status (opencontainers/runc
// libcontainer/standard_init_linux.go:Init at v1.0.0-rc92, v1.1.0, v1.2.0,
// v1.4.0). crun 1.8.1 waits likewise before its execv (containers/crun
// src/libcrun/container.c:container_init@1.8.1). No modelled check fails
// `runc start` itself.
type Phase string

// The phases of a failure.
const (
	// PhaseCreate: the runtime's create fails; the container never ran.
	PhaseCreate Phase = "create"
	// PhaseAfterStart: the runtime started the container, whose process
	// printed the error and exited.
	PhaseAfterStart Phase = "after-start"
)

// A Result is what a runtime does with a container, as Evaluate predicts it.
type Result struct {
	// Runtime is the runtime's name.
	Runtime string
	// Starts reports that the entrypoint's own code runs.
	Starts bool
	// Step is where it fails (StepStarted when it starts).
	Step Step
	// Phase is when it fails, as the engine around the runtime sees it:
	// PhaseCreate (the runtime refuses the container; the engine reports
	// the runtime's error as its own) or PhaseAfterStart (the runtime
	// started the container and its process prints Error and exits with
	// ExitStatus); "" when it starts or cannot be told.
	Phase Phase
	// ExitStatus is the container process's exit status in
	// PhaseAfterStart; 0 otherwise.
	ExitStatus int
	// Text is the text the runtime (or, after execve, the interpreter)
	// prints, byte for byte; "" when it starts.
	Text string
	// Err is the model's error behind it, for errors.Is and a *access.Denial
	// explanation; nil when it starts.
	Err error
	// Caveat says why the prediction may not hold ("" if it should).
	Caveat string
	// Unknown says why the model cannot tell whether the runtime gets
	// past Step: the check there needs what the root filesystem does not
	// hold, a file's contents in a manifest (access.ErrNoContent): "the
	// manifest has no file contents: execve reads the head of
	// /entrypoint.sh (its #! line, or its ELF header and program
	// headers)"; or what the reader could not read (access.ErrUnreadable:
	// preexec's own process may not look there, or the host failed):
	// "preexec (uid 65534) could not lstat /home/nonroot/app in
	// /b/rootfs: permission denied; read it as root, or check the image or
	// an mtree manifest instead". Starts is then false, Error is "",
	// and Err is the error that could not be told. "" when the model
	// can tell.
	Unknown string
	// Extrapolated is the Runtime's Extrapolated: why the model answered
	// with the behaviour of another release or toolchain than the one
	// named; "" when the rows name it.
	Extrapolated string

	// in, line and goV are the evaluation's inputs, for Trace and Fixes.
	in   *input
	line *Release
	goV  goVersion
}

// Trace lists every step the runtime takes, with its credentials and
// decision. It runs the evaluation again with tracing on (Evaluate and
// Compare do not format the steps, which is most of their cost), so the
// root filesystem must not have changed since.
func (r Result) Trace() []TraceStep {
	if r.in == nil {
		return nil
	}
	e := new(eval)
	e.reset(r.in, Runtime{Name: r.Runtime, Release: r.line}, r.goV, nil)
	e.tracing = true
	e.run()
	return e.tr
}

// A TraceStep is one step of a Result's trace.
type TraceStep struct {
	// Step is the stage of the init sequence.
	Step Step
	// What the step did ("chdir /home/nonroot as uid 0 (all capabilities)").
	What string
	// Err is its error, nil if it passed.
	Err error
}

// input is what one evaluation reads besides the runtime.
type input struct {
	plan *spec.Plan
	fsys access.FS
	host Host
	// others is the runtime fix of these inputs, made once for all the
	// results of a Compare (Result.Fixes).
	others struct {
		once sync.Once
		fix  Fix
		ok   bool
	}
}

// eval holds one evaluation.
type eval struct {
	evalState
	// The credentials and processes of the init sequence, kept here so
	// that one allocation holds them. Each is assigned whole before it is
	// read, so that reset leaves them be: a Compare resets its eval for
	// every class, and the write barriers of clearing them cost.
	root, bounded, final access.Cred
	proc, userProc       access.Proc
	tmp                  access.Proc // chdir's copy
}

// evalState is what reset sets anew for each evaluation.
type evalState struct {
	*input
	rt    Runtime
	goV   goVersion
	res   Result
	f2err error // what faccessat2 returns during the checks
	// m shares operations with the other evaluations of a Compare; nil
	// in Evaluate and in a traced run.
	m       *memo
	tracing bool
	tr      []TraceStep
	// view is the root filesystem this runtime's init sees at the checks,
	// early the same before root.readonly's remount (both fsys unless it
	// is a *View); viewClass tells views of one *View apart in memo keys.
	view, early access.FS
	viewClass   int
}

// Evaluate predicts what runtime rt does with the container plan describes,
// whose root filesystem (with its mounts already applied: bind sources and
// tmpfs contents in place, their flags on the inodes) is fsys, on host.
//
// Not modelled: AppArmor, SELinux, hooks, rlimits.
func Evaluate(plan *spec.Plan, fsys access.FS, rt Runtime, host Host) Result {
	e := newEval(&input{plan: plan, fsys: fsys, host: host}, rt, nil)
	e.run()
	e.input.refine(rt, &e.res, nil)
	return e.res
}

func newEval(in *input, rt Runtime, m *memo) *eval {
	e := new(eval)
	e.reset(in, rt, rt.goVersion(), m)
	return e
}

// reset readies e for an evaluation of rt, built with Go g.
func (e *eval) reset(in *input, rt Runtime, g goVersion, m *memo) {
	e.evalState = evalState{input: in, rt: rt, goV: g, m: m, view: in.fsys, early: in.fsys}
	if v, ok := in.fsys.(*View); ok {
		lv := v.line(rt.Release)
		e.viewClass, e.view, e.early = lv.class, lv.final, lv.early
	}
	e.res.Runtime, e.res.in, e.res.line, e.res.goV = rt.Name, in, rt.Release, g
	e.res.Extrapolated = rt.Extrapolated
}

func (e *eval) run() {
	if e.rt.Release.Runtime == "crun" {
		e.crun()
	} else {
		e.runc()
	}
	if e.res.Step == "" {
		e.res.Step, e.res.Starts = StepStarted, true
	}
}

// fail records the failing step and its text; an error that needed what
// the root filesystem does not hold (file contents) or what its reader
// could not read makes the result unknown instead.
func (e *eval) fail(step Step, text string, err error) {
	if errors.Is(err, access.ErrUnreadable) {
		e.res.Step, e.res.Err, e.res.Unknown = step, err, UnreadableWhy(err)
		return
	}
	if errors.Is(err, access.ErrNoContent) {
		e.res.Step, e.res.Err, e.res.Unknown = step, err, unknownWhy(err)
		return
	}
	e.res.Step, e.res.Text, e.res.Err = step, text, err
	e.res.Phase = PhaseCreate
}

// failAfterStart is fail for an error the container's own process meets
// after the runtime started it: runc init (or crun's container process)
// prints text on the container's stderr and exits with status.
func (e *eval) failAfterStart(step Step, text string, err error, status int) {
	e.fail(step, text, err)
	if e.res.Unknown == "" {
		e.res.Phase, e.res.ExitStatus = PhaseAfterStart, status
	}
}

// UnreadableWhy says, for an error that Is access.ErrUnreadable, which
// path the reader could not read and why, and what would answer instead:
// "preexec (uid 65534) could not lstat /home/nonroot/app in /b/rootfs:
// permission denied; read it as root, or check the image or an mtree
// manifest instead". Reading as root helps only where the host refused
// a non-root reader (EACCES, EPERM); an image or a manifest is read
// without the host's permissions on the tree. It is Result.Unknown for
// such an error, and what the CLI says when nothing could be decided.
func UnreadableWhy(err error) string {
	var re *access.ReadError
	if !errors.As(err, &re) {
		// An FS of the caller's own that says ErrUnreadable: its words.
		return "preexec could not read the root filesystem: " + err.Error() + "; check the image or an mtree manifest instead"
	}
	who := "preexec"
	if re.UID >= 0 {
		who = fmt.Sprintf("preexec (uid %d)", re.UID)
	}
	where := ""
	if re.Root != "" {
		where = " in " + re.Root
	}
	advice := "check the image or an mtree manifest instead"
	if re.Denied() && re.UID != 0 {
		advice = "read it as root, or " + advice
	}
	return fmt.Sprintf("%s could not %s %s%s: %s; %s", who, re.Op, re.Path, where, re.Reason(), advice)
}

// unknownWhy says why an operation that failed with err (wrapping
// access.ErrNoContent) cannot be told: the backend's words, then what
// needed the bytes.
func unknownWhy(err error) string {
	why := access.ErrNoContent.Error()
	for u := err; u != nil; u = errors.Unwrap(u) {
		if errors.Is(u, access.ErrNoContent) {
			why = u.Error() // the innermost says it best
		}
	}
	var xe *access.ExecError
	var pe *pathErr
	switch {
	case errors.As(err, &xe) && xe.Stage == access.StageLoader:
		return fmt.Sprintf("%s: execve reads the ELF loader %s", why, xe.Path)
	case errors.As(err, &xe):
		return fmt.Sprintf("%s: execve reads the head of %s (its #! line, or its ELF header and program headers)", why, xe.Path)
	case errors.As(err, &pe):
		return fmt.Sprintf("%s: the user lookup reads %s", why, pe.path)
	}
	return why
}

// trace records a step of a traced run; callers test e.tracing first, so
// that an untraced run formats nothing.
func (e *eval) trace(step Step, err error, format string, args ...any) {
	e.tr = append(e.tr, TraceStep{Step: step, What: fmt.Sprintf(format, args...), Err: err})
}

// kernel returns the access.Kernel of the host, with faccessat2's answer
// during the checks.
func (e *eval) kernel() access.Kernel {
	return access.Kernel{Version: e.host.Kernel, ProtectedSymlinks: e.host.ProtectedSymlinks, Faccessat2: e.f2err}
}

// seccompVerdict sets what faccessat2 returns while the checks run: ENOSYS
// on a kernel before 5.8, else the filter's answer if runc installs it
// before the checks (noNewPrivileges false).
func (e *eval) seccompVerdict() {
	if e.host.Kernel != 0 && e.host.Kernel < access.KernelVersion(5, 8) {
		e.f2err = access.ENOSYS
		if e.tracing {
			e.trace(StepConfig, nil, "kernel before 5.8: faccessat2 is ENOSYS")
		}
		return
	}
	sc := e.plan.Seccomp
	if !sc.InstalledBeforeChecks() {
		return
	}
	arch := e.host.Arch
	if arch == "" {
		arch = specs.ArchX86_64
	}
	v := sc.Faccessat2For(arch)
	switch {
	case v.ENOSYSStub && e.rt.Release.SeccompENOSYSStub:
		e.f2err = access.ENOSYS
	case v.Effect == spec.Returns && v.Err != nil:
		e.f2err = v.Err
		if v.Rule == -1 && e.rt.Release.SeccompIgnoresDefaultErrnoRet {
			e.f2err = access.EPERM
		}
	}
	if v.Uncertain {
		e.res.Caveat = "seccomp: " + v.Reason
	}
	if e.tracing {
		e.trace(StepConfig, nil, "seccomp installed before the checks: faccessat2 returns %s", errnoText(e.f2err))
	}
}

func errnoText(err error) string {
	if err == nil {
		return "its answer (allowed)"
	}
	if n := access.ErrnoName(err); n != "" {
		return n
	}
	return err.Error()
}

// errnoString is the Go text of the errno inside err ("permission denied").
func errnoString(err error) string {
	if s := access.Strerror(err); s != "" {
		return s
	}
	return err.Error()
}

// rootCred is runc-init's (or crun's) credentials: uid 0 of the container's
// namespace with every capability, and no_new_privs as the config asks.
func (e *eval) rootCred() *access.Cred {
	c := &e.root
	*c = *access.Root()
	// runc sets PR_SET_NO_NEW_PRIVS before finalizeNamespace, crun in
	// set_required_caps: either way before execve, which is where it acts.
	c.NoNewPrivs = e.plan.NoNewPrivileges
	if ns := e.plan.UserNS; ns != nil {
		c.UserNS = ns
		k, _ := ns.KUID(0)
		g, _ := ns.KGID(0)
		c.UID, c.EUID, c.SUID, c.FSUID = k, k, k, k
		c.GID, c.EGID, c.SGID, c.FSGID = g, g, g, g
	}
	return c
}

// prefix returns the error prefix of the line for a pre- or post-ready
// error.
func (e *eval) prefix(ready bool) string {
	p := e.rt.Release.Errors.PreReady
	if ready {
		p = e.rt.Release.Errors.PostReady
	}
	return e.prefixOf(p)
}

// prefixOf fills in the runc subcommand of an error prefix.
func (e *eval) prefixOf(p string) string {
	cli := "run"
	if e.host.Create {
		cli = "create"
	}
	if strings.Contains(p, "%[1]s") {
		return prefixText(p, cli)
	}
	return p
}

// prefixTexts holds fmt.Sprintf(p, cli) for the error prefixes p of every
// line, made once: a failure's text then costs no formatting.
var prefixTexts = sync.OnceValue(func() map[[2]string]string {
	m := map[[2]string]string{}
	for _, l := range lines {
		for _, p := range []string{l.Errors.PreReady, l.Errors.PostReady, l.Errors.Start} {
			if strings.Contains(p, "%[1]s") {
				for _, cli := range []string{"run", "create"} {
					m[[2]string{p, cli}] = fmt.Sprintf(p, cli)
				}
			}
		}
	}
	return m
})

// prefixText is fmt.Sprintf(p, cli).
func prefixText(p, cli string) string {
	if s, ok := prefixTexts()[[2]string{p, cli}]; ok {
		return s
	}
	return fmt.Sprintf(p, cli)
}

// runc is the init sequence of runc rc92 … 1.6 (opencontainers/runc
// libcontainer/standard_init_linux.go:linuxStandardInit.Init and
// libcontainer/init_linux.go:finalizeNamespace@v1.0.0-rc92 … v1.6.0-rc.1).
func (e *eval) runc() {
	l := e.rt.Release
	plan := e.plan
	if plan.Refused != "" {
		// utils_linux.go:validateProcessSpec, in runc create itself.
		if e.tracing {
			e.trace(StepConfig, nil, "validateProcessSpec: %s", plan.Refused)
		}
		e.fail(StepConfig, e.prefixOf(l.Errors.Start)+plan.Refused, errors.New(plan.Refused))
		return
	}
	if e.host.Rootless && l.RootlessGroups == RootlessGroupsFatalAtStart && len(plan.User.AdditionalGids) > 0 {
		// Container.start, before runc init.
		const msg = "cannot set any additional groups in a rootless container"
		if e.tracing {
			e.trace(StepUser, nil, "rootless: %s", msg)
		}
		e.fail(StepUser, e.prefixOf(l.Errors.Start)+msg, errRootlessGroups)
		return
	}
	// newContainerInit: populateProcessEnvironment, before ready (≤ 1.2).
	if l.EnvCheckAt == EnvCheckBeforeReady {
		if msg := e.m.envComplaint(l.EnvCheck, plan.Env); msg != "" {
			if e.tracing {
				e.trace(StepConfig, nil, "process.env: %s", msg)
			}
			e.fail(StepConfig, e.prefix(false)+msg, errors.New(msg))
			return
		}
	}
	root := e.rootCred()

	// prepareRootfs: os.MkdirAll(cwd, 0755) as root, before ready. The
	// directories it makes are an overlay on the root filesystem, shared
	// by every later step (and, in a Compare, every runc).
	// It runs before root.readonly's remount (finalizeRootfs).
	mk := e.m.do(opKey{op: opMkdirAll, view: e.viewClass, cred: keyOf(root)}, func() opVal {
		mk := &mkdirScratch{over: access.Overlay{Base: e.view}}
		mk.earlyOver.Base = e.early
		mk.early = access.Proc{Cred: root, FS: &mk.earlyOver, Kernel: e.kernel()}
		err := mkdirAll(&mk.early, &mk.over, plan.Cwd)
		return opVal{over: &mk.over, err: err}
	})
	if e.tracing {
		e.trace(StepMkdirCwd, mk.err, "os.MkdirAll(%q) as root", plan.Cwd)
	}
	if mk.err != nil {
		e.fail(StepMkdirCwd, e.prefix(false)+goErrorText(mk.err), mk.err)
		return
	}
	over := mk.over
	// InitSeccomp: before finalizeNamespace, or after the checks with
	// noNewPrivileges (standard_init_linux.go:Init).
	seccompErr := e.redundantRule()
	if seccompErr != "" && !plan.NoNewPrivileges {
		if e.tracing {
			e.trace(StepConfig, nil, "seccomp: %s", seccompErr)
		}
		e.fail(StepConfig, e.prefix(true)+seccompErr, &redundantRuleError{seccompErr})
		return
	}
	e.seccompVerdict()
	e.proc = access.Proc{Cred: root, FS: over, Kernel: e.kernel()}
	proc := &e.proc

	// finalizeNamespace.
	chdirFail := func(err error) {
		var text string
		if l.Errors.Chdir == chdirText {
			// fmt.Sprintf(chdirText, …), without boxing its arguments.
			pre, why := e.prefix(true), errnoString(err)
			var b strings.Builder
			b.Grow(len(pre) + len(plan.Cwd) + len(why) + 64)
			b.WriteString(pre)
			b.WriteString(`chdir to cwd (`)
			var q [128]byte
			b.Write(strconv.AppendQuote(q[:0], plan.Cwd))
			b.WriteString(`) set in config.json failed: `)
			b.WriteString(why)
			text = b.String()
		} else {
			text = e.prefix(true) + fmt.Sprintf(l.Errors.Chdir, plan.Cwd, errnoString(err))
		}
		e.fail(StepChdir, text, err)
	}
	retry := false
	switch l.Chdir {
	case ChdirAsRoot:
		if err := e.chdir(proc, "runc-init root"); err != nil {
			chdirFail(err)
			return
		}
		if e.unknownCapsFatal() {
			return
		}
	case ChdirAfterSetuid:
		if e.unknownCapsFatal() {
			return
		}
	case ChdirAsRootThenRetry:
		if err := e.chdir(proc, "runc-init root"); err != nil {
			if !errors.Is(err, fs.ErrPermission) {
				chdirFail(err)
				return
			}
			retry = true
		}
	}
	if l.EnvCheckAt == EnvCheckInFinalizeNamespace {
		// prepareEnv, in finalizeNamespace after the first chdir.
		if msg := e.m.envComplaint(l.EnvCheck, plan.Env); msg != "" {
			if e.tracing {
				e.trace(StepConfig, nil, "process.env: %s", msg)
			}
			e.fail(StepConfig, e.prefix(true)+msg, errors.New(msg))
			return
		}
	}

	// ApplyBoundingSet, SetKeepCaps, setupUser.
	want := plan.Caps
	if plan.CapsAbsent && l.AbsentCaps == AbsentCapsDropAll {
		want = caps.Sets{}
	}
	keepCaps := plan.CapsAbsent && l.AbsentCaps == AbsentCapsKeep
	e.bounded = *root
	c := &e.bounded
	st := c.Caps()
	if !keepCaps {
		st, _ = st.ApplyBoundingSet(want.Bounding)
	}
	st.KeepCaps = true
	c.SetCaps(st)
	groups := plan.User.AdditionalGids
	if l.User == UserPasswd {
		k := procKey(opPasswd, proc)
		k.cwd = "" // it reads absolute paths
		pw := e.m.do(k, func() opVal {
			g, err := resolveUserPasswd(proc, plan.User.UID, plan.User.GID, plan.User.AdditionalGids)
			return opVal{groups: g, err: err}
		})
		if pw.err != nil {
			if e.tracing {
				e.trace(StepUser, pw.err, "user lookup in /etc/passwd and /etc/group")
			}
			e.fail(StepUser, e.prefix(true)+l.Errors.SetupUser+pw.err.Error(), pw.err)
			return
		}
		groups = pw.groups
	}
	k := opKey{op: opSetupUser, cred: keyOf(c)}
	k.groups, k.ngroups = groupsKey(groups)
	// How unmapped ids fail matters only if one is.
	if _, ok := plan.UserNS.KUID(plan.User.UID); !ok {
		k.unmapped = l.Unmapped
	} else if _, ok := plan.UserNS.KGID(plan.User.GID); !ok {
		k.unmapped = l.Unmapped
	}
	k.setgroups, k.rootlessGroups = l.Errors.Setgroups, l.RootlessGroups
	su := e.m.do(k, func() opVal {
		user, err := e.setupUser(c, groups)
		return opVal{cred: user, err: err}
	})
	if su.err != nil {
		if e.tracing {
			e.trace(StepUser, su.err, "setupUser")
		}
		e.fail(StepUser, e.prefix(true)+l.Errors.SetupUser+su.err.Error(), su.err)
		return
	}
	user := su.cred
	if e.tracing {
		e.trace(StepUser, nil, "setgroups %v, setgid %d, setuid %d: %s", plan.User.AdditionalGids, plan.User.GID, plan.User.UID, credSummary(user))
	}
	e.userProc = access.Proc{Cred: user, FS: over, Cwd: proc.Cwd, Kernel: e.kernel()}
	userProc := &e.userProc
	if l.Chdir == ChdirAfterSetuid || retry {
		if err := e.chdir(userProc, "the container user, no effective capabilities"); err != nil {
			chdirFail(err)
			return
		}
	}
	// ClearKeepCaps, ApplyCaps.
	st = user.Caps()
	st.KeepCaps = false
	if !keepCaps {
		var err error
		st, err = st.ApplyCaps(want)
		if err != nil {
			if e.tracing {
				e.trace(StepCaps, err, "capset")
			}
			e.fail(StepCaps, e.prefix(true)+fmt.Sprintf(l.Errors.Caps, errnoString(err)), err)
			return
		}
	}
	e.final = *user
	e.final.SetCaps(st)
	userProc.Cred = &e.final
	if e.tracing {
		e.trace(StepCaps, nil, "capabilities applied: %s", credSummary(&e.final))
	}

	// LookPath, the line's check of its result, execve: one memoized
	// operation, since it depends only on the final credentials, the
	// working directory, faccessat2's answer and the variants.
	gc := goClass(e.goV)
	eacc := ExecCheckNone
	switch {
	case l.ExecCheck == ExecCheckFaccessat2ElseAccess:
		eacc = ExecCheckFaccessat2ElseAccess
	case l.ExecCheck == ExecCheckXSysFaccessatBeforeGo120 && !goToolchains[gc].go120Tag:
		eacc = ExecCheckXSysFaccessatBeforeGo120
	}
	k = procKey(opExecTail, userProc)
	k.goClass, k.env, k.check = gc, l.Env, eacc
	t := e.m.do(k, func() opVal {
		return e.execTail(userProc, gc, l.Env, eacc)
	})
	name := t.s
	if e.tracing {
		e.trace(StepLookPath, stepErr(t, StepLookPath), "exec.LookPath(%q) (Go %s) = %q", plan.Args[0], goToolchains[gc].name, name)
		if t.step != StepLookPath {
			switch eacc {
			case ExecCheckFaccessat2ElseAccess:
				if t.fallback {
					e.trace(StepEaccess, stepErr(t, StepEaccess), "faccessat2 refused: access(%q, X_OK) with real ids, no capabilities for a non-root uid", name)
				} else {
					e.trace(StepEaccess, stepErr(t, StepEaccess), "faccessat2(%q, X_OK, AT_EACCESS)", name)
				}
			case ExecCheckXSysFaccessatBeforeGo120:
				e.trace(StepEaccess, stepErr(t, StepEaccess), "x/sys Faccessat(%q, X_OK, AT_EACCESS)", name)
			}
		}
		if t.step != StepLookPath && t.step != StepEaccess {
			e.trace(StepExecve, stepErr(t, StepExecve), "execve(%q) as %s", name, credSummary(userProc.Cred))
		}
	}
	switch t.step {
	case StepLookPath:
		e.fail(StepLookPath, e.prefix(true)+goErrorText(t.err), t.err)
	case StepEaccess:
		verb := "exec "
		if eacc == ExecCheckXSysFaccessatBeforeGo120 {
			verb = "eaccess "
		}
		e.fail(StepEaccess, e.prefix(true)+verb+name+": "+errnoString(t.err), t.err)
	case StepExecve, "":
		if seccompErr != "" {
			// after ready, printed by runc init itself.
			if e.tracing {
				e.trace(StepConfig, nil, "seccomp after the checks: %s", seccompErr)
			}
			e.failAfterStart(StepConfig, fmt.Sprintf(l.Errors.InitSeccomp, seccompErr), &redundantRuleError{seccompErr}, l.Errors.InitExitStatus)
			return
		}
		if t.step == "" {
			e.interpreter(t.x)
			return
		}
		// printed by runc init itself, no prefix.
		e.failAfterStart(StepExecve, fmt.Sprintf(l.Errors.Exec, name, errnoString(t.err)), t.err, l.Errors.InitExitStatus)
	}
}

// errRootlessGroups is runc's refusal of additionalGids when rootless.
var errRootlessGroups = errors.New("cannot set any additional groups in a rootless container")

// redundantRuleError is runc's refusal of a seccomp rule equal to the
// default action.
type redundantRuleError struct{ msg string }

func (e *redundantRuleError) Error() string { return e.msg }

// redundantRule is the error of a line that refuses a seccomp rule equal
// to the default action (spec.Seccomp.RedundantRule), "" if none.
func (e *eval) redundantRule() string {
	l := e.rt.Release
	if !l.SeccompRedundantRuleFatal {
		return ""
	}
	name, ok := e.plan.Seccomp.RedundantRule(l.SeccompIgnoresDefaultErrnoRet)
	if !ok {
		return ""
	}
	// libseccomp's -EACCES, through libseccomp-golang's errRc.
	return fmt.Sprintf("error adding seccomp filter rule for syscall %s: %s", name, errnoString(access.EACCES))
}

// execTail runs runc-init's last steps as p: os/exec.LookPath of the Go
// class gc with the environment env gives it, the check eacc, execve. The
// step is where it failed ("" if it did not).
func (e *eval) execTail(p *access.Proc, gc int, env InitEnv, eacc ExecCheck) opVal {
	plan := e.plan
	lpEnv := access.LookPathEnvFrom(plan.Env)
	if env == EnvPathOnly {
		lpEnv.ExecErrDot0 = false
	}
	name, err := goToolchains[gc].lookPath(p, plan.Args[0], lpEnv)
	if err != nil {
		return opVal{step: StepLookPath, s: name, err: err}
	}
	v := opVal{s: name}
	switch eacc {
	case ExecCheckFaccessat2ElseAccess:
		err = p.Faccessat2(name, access.X_OK, access.AT_EACCESS)
		if errors.Is(err, access.ENOSYS) || errors.Is(err, access.EPERM) {
			// system.Eaccess: access(2) when faccessat2 is refused
			// (uid == euid and gid == egid always hold in runc init).
			v.fallback = true
			err = p.Access(name, access.X_OK)
		}
	case ExecCheckXSysFaccessatBeforeGo120:
		err = access.Faccessat2ElseEmulated(p, name, access.X_OK, access.AT_EACCESS)
	}
	if err != nil {
		v.step, v.err = StepEaccess, err
		return v
	}
	k := procKey(opExecve, p)
	k.name = name
	x := e.m.do(k, func() opVal {
		x, err := p.Execve(name, plan.Args)
		return opVal{x: x, err: err}
	})
	v.x, v.err = x.x, x.err
	if v.err != nil {
		v.step = StepExecve
	}
	return v
}

// stepErr is t's error if it failed at step.
func stepErr(t opVal, step Step) error {
	if t.step == step {
		return t.err
	}
	return nil
}

// chdir is chdir(process.cwd) by p, who it is for the trace.
func (e *eval) chdir(p *access.Proc, who string) error {
	v := e.m.do(procKey(opChdir, p), func() opVal {
		// A copy, in e: Chdir keeps no pointer to it.
		e.tmp = *p
		err := e.tmp.Chdir(e.plan.Cwd)
		return opVal{s: e.tmp.Cwd, err: err}
	})
	p.Cwd = v.s
	if e.tracing {
		e.trace(StepChdir, v.err, "chdir %s as %s", e.plan.Cwd, who)
	}
	return v.err
}

// execve runs execve(name, process.args) as p, then the interpreter's
// open of its script; it reports whether the container failed, with text
// formatting the runtime's execve error.
func (e *eval) execve(p *access.Proc, name string, text func(error) string) bool {
	k := procKey(opExecve, p)
	k.name = name
	v := e.m.do(k, func() opVal {
		x, err := p.Execve(name, e.plan.Args)
		return opVal{x: x, err: err}
	})
	if e.tracing {
		verb := "execve"
		if e.rt.Release.Runtime == "crun" {
			verb = "execv"
		}
		e.trace(StepExecve, v.err, "%s(%q) as %s", verb, name, credSummary(p.Cred))
	}
	if v.err != nil {
		e.failAfterStart(StepExecve, text(v.err), v.err, e.rt.Release.Errors.InitExitStatus)
		return true
	}
	e.interpreter(v.x)
	return e.res.Step != ""
}

// unknownCapsFatal fails the container on a capability name the line's
// library does not know, where the line refuses those (runc rc92, rc93).
func (e *eval) unknownCapsFatal() bool {
	l := e.rt.Release
	if !l.UnknownCapsFatal {
		return false
	}
	name := e.unknownCap()
	if name == "" {
		return false
	}
	msg := fmt.Sprintf("unknown capability %q", name)
	if e.tracing {
		e.trace(StepCaps, nil, "%s (the runtime knows up to %s)", msg, l.LastCap)
	}
	e.fail(StepCaps, e.prefix(true)+msg, errors.New(msg))
	return true
}

// interpreterExitStatus is the status busybox sh (and dash) exit with when
// they cannot open their script, the interpreter whose words Result.Text
// gives: 2, as the runtime oracle's goldens record it (testdata/runtime,
// class post-exec-error, exitStatus 2).
const interpreterExitStatus = 2

// interpreter decides whether a #! interpreter, now running with the new
// credentials, can read its script; the message is busybox sh's.
func (e *eval) interpreter(x *access.Exec) {
	if x.Script == "" || x.ScriptErr == nil {
		return
	}
	interp := x.Argv[0]
	if e.tracing {
		e.trace(StepInterpreter, x.ScriptErr, "%s opens %s as %s", interp, x.Script, credSummary(x.Cred))
	}
	e.failAfterStart(StepInterpreter, fmt.Sprintf("%s: can't open '%s': %s", interp, x.Script, glibcStrerror(x.ScriptErr)), x.ScriptErr, interpreterExitStatus)
}

// setupUser is runc's setupUser: the unmapped-id check of the line,
// setgroups(groups) unless rootless, setgid, setuid (opencontainers/runc
// libcontainer/init_linux.go:setupUser@v1.0.0-rc92 … v1.6.0-rc.1). Errors
// are what runc prints after its `unable to setup user: `.
func (e *eval) setupUser(c *access.Cred, groups []uint32) (*access.Cred, error) {
	u := e.plan.User
	l := e.rt.Release
	ns := e.plan.UserNS
	_, uidOK := ns.KUID(u.UID)
	_, gidOK := ns.KGID(u.GID)
	switch {
	case l.Unmapped == UnmappedUpFront && !uidOK:
		return nil, errors.New("cannot set uid to unmapped user in user namespace")
	case l.Unmapped == UnmappedUpFront && !gidOK:
		return nil, errors.New("cannot set gid to unmapped user in user namespace")
	case l.Unmapped == UnmappedChownStdio && !uidOK:
		return nil, errors.New("chown /dev/stdin: invalid argument")
	case e.host.Rootless && l.RootlessGroups == RootlessGroupsFatalInInit && len(u.AdditionalGids) > 0:
		return nil, errRootlessGroups
	}
	cur := c
	var err error
	if !e.host.Rootless {
		if cur, err = access.Setgroups(cur, groups); err != nil {
			return nil, errors.New(l.Errors.Setgroups + errnoString(err))
		}
	}
	if cur, err = access.Setgid(cur, u.GID); err != nil {
		if errors.Is(err, access.EINVAL) {
			return nil, fmt.Errorf("cannot setgid to unmapped gid %d in user namespace", u.GID)
		}
		return nil, errors.New(errnoString(err))
	}
	if cur, err = access.Setuid(cur, u.UID); err != nil {
		if errors.Is(err, access.EINVAL) {
			return nil, fmt.Errorf("cannot setuid to unmapped uid %d in user namespace", u.UID)
		}
		return nil, errors.New(errnoString(err))
	}
	return cur, nil
}

// mkdirScratch is what a memoized MkdirAll of the cwd makes, in one
// allocation: the overlay of the directories it creates, and the process
// that creates them with its own overlay (the view before root.readonly's
// remount). The overlays' maps are made by the first directory created.
type mkdirScratch struct {
	over, earlyOver access.Overlay
	early           access.Proc
	bind            bindWritable
}

// mkdirAll is Go's os.MkdirAll(p, 0755) run by runc-init as root: the
// directories it would create are added to over, 0755 (runc's umask 022)
// and owned by root of the container.
func mkdirAll(proc *access.Proc, over *access.Overlay, p string) error {
	if ino, err := proc.Stat(p); err == nil {
		if ino.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: p, Err: access.ENOTDIR}
	}
	i := len(p) - 1
	for i >= 0 && p[i] == '/' {
		i--
	}
	for i >= 0 && p[i] != '/' {
		i--
	}
	if i < 0 {
		i = 0
	}
	if parent := p[:i]; len(parent) > 0 {
		if err := mkdirAll(proc, over, parent); err != nil {
			return err
		}
	}
	created, err := proc.Mkdir(p)
	if err != nil {
		if ino, lerr := proc.Lstat(p); lerr == nil && ino.IsDir() {
			return nil
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = p
		}
		return err
	}
	dir, _ := over.Lstat(path.Dir(created))
	if over.Dirs == nil {
		over.Dirs = map[string]access.Inode{}
	}
	over.Dirs[created] = access.Inode{Mode: access.S_IFDIR | 0o755, UID: proc.Cred.FSUID, GID: proc.Cred.FSGID, Mount: dir.Mount}
	if o, ok := proc.FS.(*access.Overlay); ok && o != over {
		// proc sees the mounts before a later remount: the new directory
		// has its parent's flags there.
		dir, _ := o.Lstat(path.Dir(created))
		if o.Dirs == nil {
			o.Dirs = map[string]access.Inode{}
		}
		o.Dirs[created] = access.Inode{Mode: access.S_IFDIR | 0o755, UID: proc.Cred.FSUID, GID: proc.Cred.FSGID, Mount: dir.Mount}
	}
	return nil
}

// goErrorText is the text Go prints for err, with Linux's errno strings.
func goErrorText(err error) string {
	var pe *fs.PathError
	var le *access.LookPathError
	switch {
	case errors.As(err, &le):
		return "exec: " + fmt.Sprintf("%q", le.Name) + ": " + goErrorText(le.Err)
	case errors.As(err, &pe):
		return pe.Op + " " + pe.Path + ": " + errnoString(pe.Err)
	}
	return errnoString(err)
}

// glibcStrerror is strerror(3)'s text, as busybox and crun print it
// ("Permission denied").
func glibcStrerror(err error) string {
	s := errnoString(err)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// unknownCap returns the first capability name of process.capabilities
// (bounding, effective, inheritable, permitted, ambient, as runc's
// capabilities.New reads them) that the runtime's library does not know,
// "" if none.
func (e *eval) unknownCap() string {
	sp := e.plan.Spec
	if sp == nil || sp.Process == nil || sp.Process.Capabilities == nil {
		return ""
	}
	lc := sp.Process.Capabilities
	for _, set := range [][]string{lc.Bounding, lc.Effective, lc.Inheritable, lc.Permitted, lc.Ambient} {
		for _, n := range set {
			c, ok := caps.Parse(n)
			if !ok || c > e.rt.Release.LastCap {
				return n
			}
		}
	}
	return ""
}

func credSummary(c *access.Cred) string {
	s := fmt.Sprintf("uid %d gid %d", c.EUID, c.EGID)
	if len(c.Groups) > 0 {
		s += fmt.Sprintf(" groups %v", c.Groups)
	}
	switch c.CapEffective {
	case 0:
		s += ", no effective capabilities"
	case caps.All:
		s += ", all capabilities"
	default:
		s += ", effective " + c.CapEffective.String()
	}
	return s
}
