package preexec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

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
	// Rootless: runc runs without root in a user namespace it made
	// (setgroups is then skipped).
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

// A Result is what a runtime does with a container, as Evaluate predicts it.
type Result struct {
	// Runtime is the runtime's name.
	Runtime string
	// Starts reports that the entrypoint's own code runs.
	Starts bool
	// Step is where it fails (StepStarted when it starts).
	Step Step
	// Error is the text the runtime (or, after execve, the interpreter)
	// prints, byte for byte; "" when it starts.
	Error string
	// Err is the model's error behind it, for errors.Is and a *access.Denial
	// explanation; nil when it starts.
	Err error
	// Trace lists every step taken, with its credentials and decision.
	Trace []TraceStep
	// Fix suggests the smallest change that would let it start ("chmod
	// o+x /home/nonroot; or runc ≥ 1.0.0-rc94 retries the chdir as
	// root"); "" when it starts or nothing short can be said.
	Fix string
	// Uncertain says why the prediction may not hold ("" if it should).
	Uncertain string
}

// A TraceStep is one step of a Result's trace.
type TraceStep struct {
	Step Step
	// What the step did ("chdir /home/nonroot as uid 0 (all capabilities)").
	What string
	// Err is its error, nil if it passed.
	Err error
}

// eval holds one evaluation.
type eval struct {
	plan  *spec.Plan
	fsys  access.FS
	rt    Runtime
	host  Host
	goV   goVersion
	res   Result
	f2err error // what faccessat2 returns during the checks
}

// Evaluate predicts what runtime rt does with the container plan describes,
// whose root filesystem (with its mounts already applied: bind sources and
// tmpfs contents in place, their flags on the inodes) is fsys, on host.
//
// Not modelled: AppArmor, SELinux, hooks, user resolution from /etc/passwd
// and /etc/group by runc ≤ 1.2 (numeric ids are used as given), rlimits.
func Evaluate(plan *spec.Plan, fsys access.FS, rt Runtime, host Host) Result {
	e := &eval{plan: plan, fsys: fsys, rt: rt, host: host}
	e.res.Runtime = rt.Name
	if rt.Go != "" {
		e.goV, _ = parseGo(rt.Go)
	}
	if rt.Line.Runtime == "crun" {
		e.crun()
	} else {
		e.runc()
	}
	if e.res.Step == "" {
		e.res.Step, e.res.Starts = StepStarted, true
	} else {
		e.res.Fix = fix(&e.res, rt.Line)
	}
	return e.res
}

// fail records the failing step and its text.
func (e *eval) fail(step Step, text string, err error) {
	e.res.Step, e.res.Error, e.res.Err = step, text, err
}

func (e *eval) trace(step Step, err error, format string, args ...any) {
	e.res.Trace = append(e.res.Trace, TraceStep{Step: step, What: fmt.Sprintf(format, args...), Err: err})
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
		e.trace(StepConfig, nil, "kernel before 5.8: faccessat2 is ENOSYS")
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
	case v.ENOSYSStub && e.rt.Line.SeccompENOSYSStub:
		e.f2err = access.ENOSYS
	case v.Effect == spec.Returns && v.Err != nil:
		e.f2err = v.Err
		if v.Rule == -1 && e.rt.Line.SeccompIgnoresDefaultErrnoRet {
			e.f2err = access.EPERM
		}
	}
	if v.Uncertain {
		e.res.Uncertain = "seccomp: " + v.Reason
	}
	e.trace(StepConfig, nil, "seccomp installed before the checks: faccessat2 returns %s", errnoText(e.f2err))
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
	c := access.Root()
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
	p := e.rt.Line.Errors.PreReady
	if ready {
		p = e.rt.Line.Errors.PostReady
	}
	cli := "run"
	if e.host.Create {
		cli = "create"
	}
	if strings.Contains(p, "%[1]s") {
		p = fmt.Sprintf(p, cli)
	}
	return p
}

// runc is the init sequence of runc rc92 … 1.6 (runc-preexec.md §1.1).
func (e *eval) runc() {
	l := e.rt.Line
	plan := e.plan
	// newContainerInit: populateProcessEnvironment, before ready (≤ 1.2).
	if l.EnvCheck != EnvCheck130 {
		if msg := checkEnv(l.EnvCheck, plan.Env); msg != "" {
			e.trace(StepConfig, nil, "process.env: %s", msg)
			e.fail(StepConfig, e.prefix(false)+msg, errors.New(msg))
			return
		}
	}
	unknownCaps := func() bool {
		if !l.UnknownCapsFatal {
			return false
		}
		name := e.unknownCap()
		if name == "" {
			return false
		}
		msg := fmt.Sprintf("unknown capability %q", name)
		e.trace(StepCaps, nil, "%s (the runtime knows up to %s)", msg, l.LastCap)
		e.fail(StepCaps, e.prefix(true)+msg, errors.New(msg))
		return true
	}
	root := e.rootCred()
	over := &access.Overlay{Base: e.fsys, Dirs: map[string]access.Inode{}}
	proc := &access.Proc{Cred: root, FS: over, Kernel: e.kernel()}

	// prepareRootfs: os.MkdirAll(cwd, 0755) as root, before ready.
	if err := mkdirAll(proc, over, plan.Cwd); err != nil {
		e.trace(StepMkdirCwd, err, "os.MkdirAll(%q) as root", plan.Cwd)
		e.fail(StepMkdirCwd, e.prefix(false)+goErrorText(err), err)
		return
	}
	e.trace(StepMkdirCwd, nil, "os.MkdirAll(%q) as root", plan.Cwd)

	e.seccompVerdict()
	proc.Kernel = e.kernel()

	// finalizeNamespace.
	chdir := func(p *access.Proc, who string) error {
		err := p.Chdir(plan.Cwd)
		e.trace(StepChdir, err, "chdir %s as %s", plan.Cwd, who)
		return err
	}
	chdirFail := func(err error) {
		e.fail(StepChdir, e.prefix(true)+fmt.Sprintf(l.Errors.Chdir, plan.Cwd, errnoString(err)), err)
	}
	retry := false
	switch l.Chdir {
	case ChdirAsRoot:
		if err := chdir(proc, "runc-init root"); err != nil {
			chdirFail(err)
			return
		}
		if unknownCaps() {
			return
		}
	case ChdirAfterSetuid:
		if unknownCaps() {
			return
		}
	case ChdirAsRootThenRetry:
		if err := chdir(proc, "runc-init root"); err != nil {
			if !errors.Is(err, fs.ErrPermission) {
				chdirFail(err)
				return
			}
			retry = true
		}
	}
	if l.EnvCheck == EnvCheck130 {
		// prepareEnv, in finalizeNamespace after the first chdir.
		if msg := checkEnv(l.EnvCheck, plan.Env); msg != "" {
			e.trace(StepConfig, nil, "process.env: %s", msg)
			e.fail(StepConfig, e.prefix(true)+msg, errors.New(msg))
			return
		}
	}

	// ApplyBoundingSet, SetKeepCaps, setupUser.
	want := plan.Caps
	if plan.CapsAbsent && l.AbsentCaps == AbsentCapsDropAll {
		want = caps.Sets{}
	}
	c := *root
	st := c.Caps()
	if !(plan.CapsAbsent && l.AbsentCaps == AbsentCapsKeep) {
		st, _ = st.ApplyBoundingSet(want.Bounding)
	}
	st.KeepCaps = true
	c.SetCaps(st)
	groups := plan.User.AdditionalGids
	if l.User == UserPasswd {
		g, err := resolveUserPasswd(proc, plan.User.UID, plan.User.GID, plan.User.AdditionalGids)
		if err != nil {
			e.trace(StepUser, err, "user lookup in /etc/passwd and /etc/group")
			e.fail(StepUser, e.prefix(true)+l.Errors.SetupUser+err.Error(), err)
			return
		}
		groups = g
	}
	user, err := e.setupUser(&c, groups)
	if err != nil {
		e.trace(StepUser, err, "setupUser")
		e.fail(StepUser, e.prefix(true)+l.Errors.SetupUser+err.Error(), err)
		return
	}
	e.trace(StepUser, nil, "setgroups %v, setgid %d, setuid %d: %s", plan.User.AdditionalGids, plan.User.GID, plan.User.UID, credSummary(user))
	userProc := &access.Proc{Cred: user, FS: over, Cwd: proc.Cwd, Kernel: e.kernel()}
	if l.Chdir == ChdirAfterSetuid || retry {
		if err := chdir(userProc, "the container user, no effective capabilities"); err != nil {
			chdirFail(err)
			return
		}
	}
	// ClearKeepCaps, ApplyCaps.
	st = user.Caps()
	st.KeepCaps = false
	if !(plan.CapsAbsent && l.AbsentCaps == AbsentCapsKeep) {
		var err error
		st, err = st.ApplyCaps(want)
		if err != nil {
			e.trace(StepCaps, err, "capset")
			e.fail(StepCaps, e.prefix(true)+fmt.Sprintf(l.Errors.Caps, errnoString(err)), err)
			return
		}
	}
	final := *user
	final.SetCaps(st)
	userProc.Cred = &final
	e.trace(StepCaps, nil, "capabilities applied: %s", credSummary(&final))

	// LookPath, with the environment runc-init has.
	env := access.LookPathEnvFrom(plan.Env)
	if l.Env == EnvPathOnly {
		env.ExecErrDot0 = false
	}
	name, err := e.lookPath()(userProc, plan.Args[0], env)
	e.trace(StepLookPath, err, "exec.LookPath(%q) (Go %s) = %q", plan.Args[0], goClassNames[goClass(e.goV)], name)
	if err != nil {
		e.fail(StepLookPath, e.prefix(true)+goErrorText(err), err)
		return
	}

	// eaccess.
	switch {
	case l.Eaccess == EaccessFaccessat2ElseAccess:
		err := userProc.Faccessat2(name, access.X_OK, access.AT_EACCESS)
		if errors.Is(err, access.ENOSYS) || errors.Is(err, access.EPERM) {
			// system.Eaccess: access(2) when faccessat2 is refused
			// (uid == euid and gid == egid always hold in runc init).
			err = userProc.Access(name, access.X_OK)
			e.trace(StepEaccess, err, "faccessat2 refused: access(%q, X_OK) with real ids, no capabilities for a non-root uid", name)
		} else {
			e.trace(StepEaccess, err, "faccessat2(%q, X_OK, AT_EACCESS)", name)
		}
		if err != nil {
			e.fail(StepEaccess, e.prefix(true)+"exec "+name+": "+errnoString(err), err)
			return
		}
	case l.Eaccess == EaccessXSysIfGoBefore120 && !e.goV.atLeast(1, 20, 0):
		err := access.GoFaccessatGo1202(userProc, name, access.X_OK, access.AT_EACCESS)
		e.trace(StepEaccess, err, "x/sys Faccessat(%q, X_OK, AT_EACCESS)", name)
		if err != nil {
			e.fail(StepEaccess, e.prefix(true)+"eaccess "+name+": "+errnoString(err), err)
			return
		}
	}

	// execve: printed by runc init itself, no prefix.
	x, err := userProc.Execve(name, plan.Args)
	e.trace(StepExecve, err, "execve(%q) as %s", name, credSummary(&final))
	if err != nil {
		e.fail(StepExecve, fmt.Sprintf(l.Errors.Exec, name, errnoString(err)), err)
		return
	}
	e.interpreter(x)
}

// interpreter decides whether a #! interpreter, now running with the new
// credentials, can read its script; the message is busybox sh's.
func (e *eval) interpreter(x *access.Exec) {
	if x.Script == "" || x.ScriptErr == nil {
		return
	}
	interp := x.Argv[0]
	e.trace(StepInterpreter, x.ScriptErr, "%s opens %s as %s", interp, x.Script, credSummary(x.Cred))
	e.fail(StepInterpreter, fmt.Sprintf("%s: can't open '%s': %s", interp, x.Script, glibcStrerror(x.ScriptErr)), x.ScriptErr)
}

// setupUser is runc's setupUser: the unmapped-id check of the line,
// setgroups(groups) unless rootless, setgid, setuid (runc-preexec.md §1.4,
// §2). Errors are what runc prints after its `unable to setup user: `.
func (e *eval) setupUser(c *access.Cred, groups []uint32) (*access.Cred, error) {
	u := e.plan.User
	l := e.rt.Line
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
	}
	cur := c
	var err error
	if !e.host.Rootless {
		if cur, err = access.Setgroups(cur, groups); err != nil {
			if l.Errors.SetupUser == "setup user: " {
				return nil, errors.New(errnoString(err))
			}
			return nil, fmt.Errorf("setgroups: %s", errnoString(err))
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

// goClass is the Go toolchain's os/exec.LookPath variant: 0 ≤ 1.18, 1
// 1.19, 2 1.20.0–1.20.1, 3 1.20.2 … 1.23.11 and 1.24.0 … 1.24.5, 4 later
// (kernel-go-semantics.md Part II §7). Two builds of a line with the same
// class behave alike on every pre-exec check.
func goClass(g goVersion) int {
	switch {
	case !g.atLeast(1, 19, 0):
		return 0
	case !g.atLeast(1, 20, 0):
		return 1
	case !g.atLeast(1, 20, 2):
		return 2
	case g.major == 1 && g.minor == 23 && g.atLeast(1, 23, 12),
		g.major == 1 && g.minor == 24 && g.atLeast(1, 24, 6),
		g.atLeast(1, 25, 0):
		return 4
	}
	return 3
}

var goClassNames = [...]string{"≤ 1.18", "1.19", "1.20.0–1.20.1", "1.20.2–1.23.11, 1.24.0–1.24.5", "≥ 1.23.12, ≥ 1.24.6"}

// lookPath returns the os/exec.LookPath of the runtime's Go toolchain.
func (e *eval) lookPath() func(*access.Proc, string, access.LookPathEnv) (string, error) {
	return [...]func(*access.Proc, string, access.LookPathEnv) (string, error){
		access.LookPath, access.LookPathGo119, access.LookPathGo120, access.LookPathGo1202, access.LookPathGo12312,
	}[goClass(e.goV)]
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
	over.Dirs[created] = access.Inode{Mode: access.S_IFDIR | 0o755, UID: proc.Cred.FSUID, GID: proc.Cred.FSGID, Mount: dir.Mount}
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
			if !ok || c > e.rt.Line.LastCap {
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
