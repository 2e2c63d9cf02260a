package preexec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/preexec/preexec/access"
)

// A runtime's init sequence (runc_init.go, crun_init.go) reads top to
// bottom as the runtime's own, one short call a step; the steps the
// runtimes share are below. Every step goes through step, the one place
// where a step enters the trace and where the container fails. A step
// that is a model operation asks the memo first (memo.do, keyed by what the
// operation depends on), so that a Compare does it once.
//
// A step is described by an initStep, a value declared beside the
// sequence that takes it: a call costs the sequence a pointer and the
// words it names, and formats and allocates nothing unless the run is
// traced or the step fails.

// An initStep is one step of a runtime's init sequence: the stage it
// belongs to, what the trace says of it and how the runtime words its
// failure. A call of the step names up to two words of it, a and b (a
// path, a name, a refusal), and the credentials c it runs with.
type initStep struct {
	stage Step
	// says is what the trace says of the step: a format whose verbs take
	// a, b and the summary of c (credSummary), as many as it has verbs, in
	// that order, unless it picks them by explicit index (%[3]s). trace,
	// if set, says it instead; if neither is, the trace does not show the
	// step.
	says  string
	trace func(e *eval, a, b string, c *access.Cred) string
	// failed, if set, is what the trace says instead when the step fails.
	failed string
	// fails is what the runtime prints for the step's error err; nil if
	// the runtime goes on whatever the step returns.
	fails func(e *eval, a, b string, err error) string
	// retried says of an error that it does not fail the container: the
	// runtime tries the step again later.
	retried func(error) bool
	// afterStart: the runtime started the container, whose own process
	// prints the failure and exits with exit, or if that is 0 with the
	// line's Errors.InitExitStatus. Otherwise the runtime's create fails.
	afterStart bool
	exit       int
}

// step records a call of the step d whose operation returned err: in a
// traced run, what it did; and, if err fails the container as d says, the
// failure. It reports whether the container failed.
func (e *eval) step(d *initStep, err error, a, b string, c *access.Cred) bool {
	// A step that passed in an untraced run costs no call.
	if err == nil && !e.tracing {
		return false
	}
	return e.stepTraced(d, err, a, b, c)
}

// stepTraced is step for a step that failed or is traced.
func (e *eval) stepTraced(d *initStep, err error, a, b string, c *access.Cred) bool {
	if e.tracing {
		e.traceStep(d, err, a, b, c)
	}
	if err == nil || d.fails == nil || d.retried != nil && d.retried(err) {
		return false
	}
	e.failAt(d, err, a, b)
	return true
}

// refuse is a step at which the runtime refuses what the config asks,
// before any operation: the trace shows none failing, and the container
// fails with err as d says.
func (e *eval) refuse(d *initStep, err error, a, b string) {
	if e.tracing {
		e.traceStep(d, nil, a, b, nil)
	}
	e.failAt(d, err, a, b)
}

// failAt fails the container at the step d with err.
func (e *eval) failAt(d *initStep, err error, a, b string) {
	text := d.fails(e, a, b, err)
	if !d.afterStart {
		e.fail(d.stage, text, err)
		return
	}
	status := d.exit
	if status == 0 {
		status = e.rt.Release.Errors.InitExitStatus
	}
	e.failAfterStart(d.stage, text, err, status)
}

// traceStep adds the call of d to the trace.
func (e *eval) traceStep(d *initStep, err error, a, b string, c *access.Cred) {
	var what string
	switch {
	case err != nil && d.failed != "":
		what = d.failed
	case d.trace != nil:
		what = d.trace(e, a, b, c)
	case d.says != "":
		args := []any{a, b, ""}
		if c != nil {
			args[2] = credSummary(c)
		}
		if !strings.Contains(d.says, "%[") {
			args = args[:strings.Count(d.says, "%")-2*strings.Count(d.says, "%%")]
		}
		what = fmt.Sprintf(d.says, args...)
	default:
		return
	}
	e.tr = append(e.tr, TraceStep{Step: d.stage, What: what, Err: err})
}

// failed reports whether the container failed at a step already taken.
func (e *eval) failed() bool { return e.res.Step != "" }

// verbatim is a failure's text that is its a.
func verbatim(_ *eval, a, _ string, _ error) string { return a }

// isPermission reports whether err is EACCES or EPERM.
func isPermission(err error) bool { return errors.Is(err, fs.ErrPermission) }

// The steps every runtime takes.
var (
	// kernelNoFaccessat2: a kernel before 5.8 has no faccessat2.
	kernelNoFaccessat2 = initStep{stage: StepConfig, says: "kernel before 5.8: faccessat2 is ENOSYS"}
	// seccompBeforeChecks: the filter, installed before the checks,
	// answers faccessat2 (a: errnoText of the answer).
	seccompBeforeChecks = initStep{stage: StepConfig, says: "seccomp installed before the checks: faccessat2 returns %s"}
	// interpreterOpens: a #! interpreter opens its script b; a is the
	// interpreter, c its credentials (busybox sh's words).
	interpreterOpens = initStep{stage: StepInterpreter, says: "%s opens %s as %s", fails: interpreterText, afterStart: true, exit: interpreterExitStatus}
)

// seccompVerdict sets what faccessat2 returns while the checks run: ENOSYS
// on a kernel before 5.8, else the filter's answer if runc installs it
// before the checks (noNewPrivileges false), or, for runc exec rc92 …
// 1.1.11 under noNewPrivileges, before its LookPath in system.Execv
// (joinFilterInExecv). It sets filterOn: whether the filter is installed
// before finalizeNamespace.
func (e *eval) seccompVerdict() {
	e.filterOn = e.plan.Seccomp.InstalledBeforeChecks()
	if e.host.Kernel != 0 && e.host.Kernel < access.KernelVersion(5, 8) {
		e.f2err = access.ENOSYS
		e.step(&kernelNoFaccessat2, nil, "", "", nil)
		return
	}
	if !e.filterOn && !e.joinFilterInExecv() {
		// Under noNewPrivileges the filter comes after the checks, but
		// for runc exec's LookPath in Execv (rc92 … 1.1.11), which runs
		// after it: faccessat2's answer counts for LookPath there, though
		// finalizeNamespace's chdir runs before the filter (filterOn).
		return
	}
	// seccompBefore has made a lethal or untold answer unknown.
	e.f2err, _ = e.faccessat2Filtered()
	e.step(&seccompBeforeChecks, nil, errnoText(e.f2err), "", nil)
}

// chdir is the step d, chdir(process.cwd) by p, c being who the trace
// names, if d's text names it.
func (e *eval) chdir(d *initStep, p *access.Proc, c *access.Cred) error {
	if err, decided := e.chdirFiltered(); decided {
		if err != errSeccompUnknown {
			e.step(d, err, e.plan.Cwd, "", c)
		}
		return err
	}
	k := procKey(opChdir, p)
	v := e.m.do(&k, func() opVal {
		// A copy, in e: Chdir keeps no pointer to it.
		e.tmp = *p
		err := e.tmp.Chdir(e.plan.Cwd)
		return opVal{s: e.tmp.Cwd, err: err}
	})
	p.Cwd = v.s
	e.step(d, v.err, e.plan.Cwd, "", c)
	return v.err
}

// execve is the step d, execve(name, process.args) as p, then the
// interpreter's open of its script; it reports whether the container
// failed.
func (e *eval) execve(d *initStep, p *access.Proc, name string) bool {
	k := procKey(opExecve, p)
	k.name = name
	v := e.m.do(&k, func() opVal {
		x, err := p.Execve(name, e.plan.Args)
		return opVal{x: x, err: err}
	})
	return e.step(d, v.err, name, "", p.Cred) || e.interpreter(v.x)
}

// interpreterExitStatus is the status busybox sh (and dash) exit with when
// they cannot open their script, the interpreter whose words Result.Text
// gives: 2, as the runtime oracle's goldens record it (testdata/runtime,
// class post-exec-error, exitStatus 2).
const interpreterExitStatus = 2

// interpreter decides whether a #! interpreter, now running with the new
// credentials, can read its script. It reports whether the container
// failed.
func (e *eval) interpreter(x *access.Exec) bool {
	if x.Script == "" || x.ScriptErr == nil {
		return false
	}
	return e.step(&interpreterOpens, x.ScriptErr, x.Argv[0], x.Script, x.Cred)
}

// interpreterText is busybox sh's words when it cannot open its script b.
func interpreterText(_ *eval, interp, script string, err error) string {
	return fmt.Sprintf("%s: can't open '%s': %s", interp, script, glibcStrerror(err))
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
