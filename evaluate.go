package preexec

import (
	"errors"
	"fmt"
	"io/fs"
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
	// Rootless: the runtime runs as an unprivileged user, in a user
	// namespace it made from the config's mappings: its own id mapped
	// alone (which it may write itself), or with ranges of its
	// subordinate ids (/etc/subuid, /etc/subgid) that newuidmap and
	// newgidmap map, as rootless podman does. runc never calls setgroups
	// then, and refuses process.user.additionalGids as the line's
	// RootlessGroups says (opencontainers/runc
	// libcontainer/init_linux.go:setupUser@v1.1.5, Container.start from
	// v1.3.0). crun 1.8.1 sets them unless /proc/self/setgroups reads
	// "deny" (src/libcrun/linux.c:libcrun_container_setgroups,
	// can_setgroups@1.8.1), which the model decides from the gid
	// mappings: "deny" when they map one id, the user's own gid (written
	// by crun's libcrun_set_usernamespace or by newgidmap, which denies
	// when no range comes from /etc/subgid), "allow" when they map more
	// (newgidmap, given a range from /etc/subgid, leaves a new
	// namespace's "allow"); an unmapped additional gid then fails crun's
	// setgroups with EINVAL. The model does not read /etc/subuid or
	// /etc/subgid: it takes mappings of more than one id for ranges
	// newuidmap and newgidmap accept, and a crun result that depends on
	// setgroups says so in Result.Caveat.
	Rootless bool
	// Bounding is the capability bounding set of the process that runs
	// the runtime (CapBnd in its /proc/PID/status: an engine's daemon, a
	// shell); the zero value is every capability, as a host boots. A
	// rootful runtime's init without a user namespace is uid 0 with this
	// set as its permitted and effective sets (security/commoncap.c:
	// cap_bprm_creds_from_file at its execve), so a config asking for a
	// capability outside it fails runc's and crun's capset with EPERM (the
	// runtime oracle's bounding_* cases, which run the runtime under
	// setpriv --bounding-set). In a user namespace, and rootless, the
	// init has every capability of the new namespace
	// (kernel/user_namespace.c:set_cred_user_ns), and runsc's sandbox
	// gives the container its own: neither reads it. A set without a
	// capability the runtime's own setup may use (RuntimeSetupCaps) makes
	// the answer unknown.
	Bounding caps.Set
	// Arch is the seccomp architecture ("SCMP_ARCH_X86_64" if empty).
	Arch specs.Arch
	// Create: the error prefix says `runc create failed:` (runc create)
	// instead of `runc run failed:`.
	Create bool
	// Exec: the process joins the running container the config describes,
	// by `runc exec --process` (spec.ParseExec makes its plan): runc's
	// setns init, as the line's Join says, instead of a new container's
	// (crun exec's exec_process_entrypoint for crun). A failure in
	// PhaseCreate is then exec's own, before the process runs, with exec's
	// exit status in Result.ExitStatus. runsc exec is not modelled: a
	// gVisor runtime's result is unknown.
	Exec bool
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
	// PhaseAfterStart; in PhaseCreate, with Host.Exec, runc exec's (crun
	// exec's) own; 0 otherwise.
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

	// in, line, version, goName and goV are the evaluation's inputs, for
	// Trace, Fixes and RuntimeBuild (the Runtime's Name and Extrapolated
	// are the fields above).
	in              *input
	line            *Release
	version, goName string
	goV             goVersion
}

// ran records that r is rt's, built with Go g.
func (r *Result) ran(rt Runtime, g goVersion) {
	r.Runtime, r.line, r.version, r.goName, r.goV, r.Extrapolated = rt.Name, rt.Release, rt.Version, rt.Go, g, rt.Extrapolated
}

// RuntimeBuild is the runtime r was evaluated for, as Evaluate or Compare
// was given it: its row, release and toolchain (a Go patch included, as
// RuntimeFor reads it from a binary). Evaluating another input or host
// with it asks the very build r answers for, where LookupRuntime(r.Runtime)
// may name every patch of a Go minor. The zero Runtime for a Result
// Evaluate did not make.
func (r Result) RuntimeBuild() Runtime {
	return Runtime{Name: r.Runtime, Release: r.line, Version: r.version, Go: r.goName, Extrapolated: r.Extrapolated}
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
	e.reset(r.in, r.RuntimeBuild(), r.goV, nil)
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
	// filterOn: the seccomp filter is installed at this point of the
	// init (seccomp.go).
	filterOn bool
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
	e.res.in = in
	e.res.ran(rt, g)
}

func (e *eval) run() {
	if why := e.setupUnknown(); why != "" {
		e.res.Step, e.res.Unknown = StepConfig, why
		return
	}
	switch {
	case e.rt.Release.Runtime == "crun" && e.host.Exec:
		e.crunJoin()
	case e.rt.Release.Runtime == "crun":
		e.crun()
	case e.rt.Release.Sentry != nil && e.host.Exec:
		e.runscJoin()
	case e.rt.Release.Sentry != nil:
		e.runsc()
	case e.host.Exec:
		e.runcJoin()
	default:
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
	if e.host.Exec {
		// runc exec's (crun exec's) own exit status.
		e.res.ExitStatus = e.rt.Release.Join.ExitStatus
	}
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

// kernel returns the access.Kernel of the host, with faccessat2's answer
// during the checks.
func (e *eval) kernel() access.Kernel {
	return access.Kernel{Version: e.host.Kernel, ProtectedSymlinks: e.host.ProtectedSymlinks, Faccessat2: e.f2err}
}

// errnoText is what the trace says faccessat2 returns: err's errno name.
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
// namespace with every capability (of the host's bounding set without a
// user namespace), and no_new_privs as the config asks.
func (e *eval) rootCred() *access.Cred {
	c := &e.root
	*c = *access.Root()
	if b := runtimeBounding(e.host, e.plan, e.rt.Release); b != 0 {
		c.CapBounding, c.CapEffective, c.CapPermitted = b, b, b
	}
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
	if e.host.Exec {
		// runc exec: one prefix, ready or not.
		return e.rt.Release.Join.Prefix
	}
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
