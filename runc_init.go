package preexec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// runc is the init sequence of runc rc92 … 1.6 (opencontainers/runc
// libcontainer/standard_init_linux.go:linuxStandardInit.Init and
// libcontainer/init_linux.go:finalizeNamespace@v1.0.0-rc92 … v1.6.0-rc.1),
// from runc create's own checks to the execve, one call a step.
func (e *eval) runc() {
	l, plan := e.rt.Release, e.plan
	if plan.Refused != "" {
		e.refuse(&runcValidateProcessSpec, errors.New(plan.Refused), plan.Refused, "")
		return
	}
	if e.host.Rootless && l.RootlessGroups == RootlessGroupsFatalAtStart && len(plan.User.AdditionalGids) > 0 {
		e.refuse(&runcRootlessGroups, errRootlessGroups, errRootlessGroups.Error(), "")
		return
	}
	if e.seccompRefusal() {
		return
	}
	if l.EnvCheckAt == EnvCheckBeforeReady && e.envRefused(&runcEnvBeforeReady) {
		return
	}
	root := e.rootCred()
	over, ok := e.mkdirCwd(root)
	if !ok {
		return
	}
	// InitSeccomp: here, before finalizeNamespace, or with noNewPrivileges
	// just before execve (standard_init_linux.go:Init).
	seccompErr := e.redundantRule()
	if seccompErr != "" && !plan.NoNewPrivileges {
		e.refuse(&runcInitSeccomp, &redundantRuleError{seccompErr}, seccompErr, "")
		return
	}
	if !plan.NoNewPrivileges && (e.notifyRefused() || e.seccompBefore()) {
		return
	}
	e.seccompVerdict()
	e.proc = access.Proc{Cred: root, FS: over, Kernel: e.kernel()}
	userProc := e.finalizeNamespace(&e.proc, root)
	if userProc == nil {
		return
	}
	// LookPath, the line's check of its result, execve, the interpreter.
	e.runcExec(userProc, seccompErr)
}

// finalizeNamespace is init_linux.go:finalizeNamespace from runc-init root
// (proc, with credentials root), as both of runc's inits take it (the
// standard init's, and runc exec's setns init): the chdir as root where
// the line takes it, the check of process.env of 1.3 on, the bounding set,
// setupUser, the chdir after setuid, the capabilities. It returns the
// container user's process with its final credentials, nil if the
// container failed.
func (e *eval) finalizeNamespace(proc *access.Proc, root *access.Cred) *access.Proc {
	l, plan := e.rt.Release, e.plan
	over := proc.FS
	// The chdir as root, where the line takes it.
	retry := false
	switch l.Chdir {
	case ChdirAsRoot:
		if e.chdir(&runcChdirAsRoot, proc, nil) != nil || e.unknownCapsFatal() {
			return nil
		}
	case ChdirAfterSetuid:
		if e.unknownCapsFatal() {
			return nil
		}
	case ChdirAsRootThenRetry:
		retry = e.chdir(&runcChdirAsRootRetried, proc, nil) != nil
		if e.failed() {
			return nil
		}
	}
	if l.EnvCheckAt == EnvCheckInFinalizeNamespace && e.envRefused(&runcEnvInFinalizeNamespace) {
		return nil
	}
	// ApplyBoundingSet, SetKeepCaps, setupUser.
	want := plan.Caps
	if plan.CapsAbsent && l.AbsentCaps == AbsentCapsDropAll {
		want = caps.Sets{}
	}
	keepCaps := plan.CapsAbsent && l.AbsentCaps == AbsentCapsKeep
	user := e.runcSetupUser(proc, e.boundingSet(root, want, keepCaps))
	if user == nil {
		return nil
	}
	e.userProc = access.Proc{Cred: user, FS: over, Cwd: proc.Cwd, Kernel: e.kernel()}
	userProc := &e.userProc
	if (l.Chdir == ChdirAfterSetuid || retry) && e.chdir(&runcChdirAsUser, userProc, nil) != nil {
		return nil
	}
	// ClearKeepCaps, ApplyCaps.
	if !e.applyCaps(user, want, keepCaps) {
		return nil
	}
	userProc.Cred = &e.final
	return userProc
}

// runc's steps, in the order its init takes them; a, b and c are what a
// call of each names (initStep).
var (
	// utils_linux.go:validateProcessSpec, in runc create itself: a is its
	// refusal.
	runcValidateProcessSpec = initStep{stage: StepConfig, says: "validateProcessSpec: %s", fails: startText}
	// Container.start, before runc init, refuses additionalGids when
	// rootless (a).
	runcRootlessGroups = initStep{stage: StepUser, says: "rootless: %s", fails: startText}
	// The check of process.env (a is its complaint): newContainerInit's
	// populateProcessEnvironment before ready (≤ 1.2), or prepareEnv in
	// finalizeNamespace after the first chdir.
	runcEnvBeforeReady         = initStep{stage: StepConfig, says: "process.env: %s", fails: preReadyText}
	runcEnvInFinalizeNamespace = initStep{stage: StepConfig, says: "process.env: %s", fails: postReadyText}
	// prepareRootfs: os.MkdirAll(cwd (a), 0755) as root, before ready.
	runcMkdirAll = initStep{stage: StepMkdirCwd, says: "os.MkdirAll(%q) as root", fails: mkdirText}
	// InitSeccomp before finalizeNamespace: a is the filter's refusal.
	runcInitSeccomp = initStep{stage: StepConfig, says: "seccomp: %s", fails: postReadyText}
	// finalizeNamespace's chdir to cwd (a) as runc-init root: fatal, or
	// retried after setuid on EACCES and EPERM (rc94 on).
	runcChdirAsRoot        = initStep{stage: StepChdir, says: "chdir %s as runc-init root", fails: runcChdirText}
	runcChdirAsRootRetried = initStep{stage: StepChdir, says: "chdir %s as runc-init root", fails: runcChdirText, retried: isPermission}
	// capabilities.New refuses a name (in a) its library does not know,
	// b being the last it knows (rc92, rc93).
	runcUnknownCap = initStep{stage: StepCaps, says: "%s (the runtime knows up to %s)", fails: postReadyText}
	// setupUser: the user lookup in /etc/passwd and /etc/group where the
	// line does one, then setgroups, setgid and setuid, c being the user
	// made.
	runcLookupUser = initStep{stage: StepUser, failed: "user lookup in /etc/passwd and /etc/group", fails: setupUserText}
	runcSetupUser  = initStep{stage: StepUser, trace: setupUserTrace, failed: "setupUser", fails: setupUserText}
	// The chdir to cwd (a) after setuid: the line's only one (rc93), or
	// the retry.
	runcChdirAsUser = initStep{stage: StepChdir, says: "chdir %s as the container user, no effective capabilities", fails: runcChdirText}
	// ClearKeepCaps, ApplyCaps: c is the final credentials.
	runcApplyCaps = initStep{stage: StepCaps, says: "capabilities applied: %[3]s", failed: "capset", fails: capsText}
	// os/exec.LookPath(process.args[0]): a names the toolchain, b is what
	// it found.
	runcLookPath = initStep{stage: StepLookPath, trace: lookPathTrace, fails: lookPathText}
	// The line's check of what LookPath found (b), a being its verb in
	// runc's error: faccessat2 else access(2) (1.1.4 … 1.1.15), or x/sys's
	// Faccessat (builds before Go 1.20).
	runcFaccessat2         = initStep{stage: StepEaccess, says: "faccessat2(%[2]q, X_OK, AT_EACCESS)", fails: execCheckText}
	runcFaccessat2Fallback = initStep{stage: StepEaccess, says: "faccessat2 refused: access(%[2]q, X_OK) with real ids, no capabilities for a non-root uid", fails: execCheckText}
	runcXSysFaccessat      = initStep{stage: StepEaccess, says: "x/sys Faccessat(%[2]q, X_OK, AT_EACCESS)", fails: execCheckText}
	// execve(a) as c, whose error runc init prints itself, with no
	// prefix; under a filter that refuses a rule (below), the filter's
	// refusal comes first, though the trace shows execve before it.
	runcExecve              = initStep{stage: StepExecve, says: "execve(%[1]q) as %[3]s", fails: runcExecText, afterStart: true}
	runcExecveFilterRefused = initStep{stage: StepExecve, says: "execve(%[1]q) as %[3]s"}
	// InitSeccomp under noNewPrivileges, just before execve: a is the
	// filter's refusal, which runc init prints itself.
	runcInitSeccompLate = initStep{stage: StepConfig, says: "seccomp after the checks: %s", fails: initSeccompText, afterStart: true}
)

// envRefused is runc's check of process.env (Release.EnvCheck) at the step
// d; it reports whether runc refused the config.
func (e *eval) envRefused(d *initStep) bool {
	msg := e.m.envComplaint(e.rt.Release.EnvCheck, e.plan.Env)
	if msg == "" {
		return false
	}
	e.refuse(d, errors.New(msg), msg, "")
	return true
}

// mkdirCwd is prepareRootfs's os.MkdirAll(cwd, 0755) as root, before
// ready, and before root.readonly's remount (finalizeRootfs). The
// directories it makes are an overlay on the root filesystem, shared by
// every later step (and, in a Compare, every runc); it reports whether it
// succeeded.
func (e *eval) mkdirCwd(root *access.Cred) (*access.Overlay, bool) {
	k := opKey{op: opMkdirAll, line: lineKey{view: uint8(e.viewClass)}, cred: keyOf(root)}
	mk := e.m.do(&k, func() opVal {
		mk := &mkdirScratch{over: access.Overlay{Base: e.view}}
		mk.earlyOver.Base = e.early
		mk.early = access.Proc{Cred: root, FS: &mk.earlyOver, Kernel: e.kernel()}
		err := mkdirAll(&mk.early, &mk.over, e.plan.Cwd)
		return opVal{over: &mk.over, err: err}
	})
	return mk.over, !e.step(&runcMkdirAll, mk.err, e.plan.Cwd, "", nil)
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
	e.refuse(&runcUnknownCap, errors.New(msg), msg, l.LastCap.String())
	return true
}

// boundingSet is ApplyBoundingSet and SetKeepCaps as runc-init root, unless
// the line keeps the capabilities: the credentials setupUser starts from.
func (e *eval) boundingSet(root *access.Cred, want caps.Sets, keep bool) *access.Cred {
	e.bounded = *root
	c := &e.bounded
	st := c.Caps()
	if !keep {
		st, _ = st.ApplyBoundingSet(want.Bounding)
	}
	st.KeepCaps = true
	c.SetCaps(st)
	return c
}

// runcSetupUser is setupUser from the credentials c: the user lookup in
// /etc/passwd and /etc/group where the line does one, then setupUser. It
// returns the container user's credentials, nil if the container failed.
func (e *eval) runcSetupUser(proc *access.Proc, c *access.Cred) *access.Cred {
	l, plan := e.rt.Release, e.plan
	groups := plan.User.AdditionalGids
	if l.User == UserPasswd {
		k := procKey(opPasswd, proc)
		k.cwd = "" // it reads absolute paths
		pw := e.m.do(&k, func() opVal {
			g, err := resolveUserPasswd(proc, plan.User.UID, plan.User.GID, plan.User.AdditionalGids)
			return opVal{groups: g, err: err}
		})
		if e.step(&runcLookupUser, pw.err, "", "", nil) {
			return nil
		}
		groups = pw.groups
	}
	k := opKey{op: opSetupUser, cred: keyOf(c)}
	k.groups, k.ngroups = groupsKey(groups)
	// How unmapped ids fail matters only if one is.
	if _, ok := plan.UserNS.KUID(plan.User.UID); !ok {
		k.line.unmapped = uint8(l.Unmapped)
	} else if _, ok := plan.UserNS.KGID(plan.User.GID); !ok {
		k.line.unmapped = uint8(l.Unmapped)
	}
	k.line.setgroups, k.line.rootlessGroups = l.Errors.Setgroups != "", uint8(l.RootlessGroups)
	su := e.m.do(&k, func() opVal {
		user, err := e.setupUser(c, groups)
		return opVal{cred: user, err: err}
	})
	if e.step(&runcSetupUser, su.err, "", "", su.cred) {
		return nil
	}
	return su.cred
}

// setupUserTrace is what the trace says of setupUser, which made c.
func setupUserTrace(e *eval, _, _ string, c *access.Cred) string {
	u := &e.plan.User
	return fmt.Sprintf("setgroups %v, setgid %d, setuid %d: %s", u.AdditionalGids, u.GID, u.UID, credSummary(c))
}

// applyCaps is ClearKeepCaps and ApplyCaps from the container user's
// credentials, unless the line keeps the capabilities: the final
// credentials, in e.final. It reports whether it succeeded.
func (e *eval) applyCaps(user *access.Cred, want caps.Sets, keep bool) bool {
	st := user.Caps()
	st.KeepCaps = false
	var err error
	if !keep {
		st, err = st.ApplyCaps(want)
	}
	if err == nil {
		e.final = *user
		e.final.SetCaps(st)
	}
	return !e.step(&runcApplyCaps, err, "", "", &e.final)
}

// runcExec is runc init's last steps as p: os/exec.LookPath, the line's
// check of its result, the seccomp filter under noNewPrivileges (a
// refusal seccompErr), execve, the interpreter. LookPath, the check and
// execve are one memoized operation, since they depend only on the final
// credentials, the working directory, faccessat2's answer and the line's
// variants.
func (e *eval) runcExec(p *access.Proc, seccompErr string) {
	l := e.rt.Release
	gc := goClass(e.goV)
	lineCheck, verb := l.ExecCheck, "exec "
	if e.host.Exec {
		// runc exec's check is `eaccess` whatever implements it
		// (opencontainers/runc
		// libcontainer/setns_init_linux.go:linuxSetnsInit.Init@v1.1.12).
		lineCheck, verb = l.Join.ExecCheck, "eaccess "
	}
	check := ExecCheckNone
	switch {
	case lineCheck == ExecCheckFaccessat2ElseAccess:
		check = ExecCheckFaccessat2ElseAccess
	case lineCheck == ExecCheckXSysFaccessatBeforeGo120 && !goToolchains[gc].go120Tag:
		check = ExecCheckXSysFaccessatBeforeGo120
	}
	k := procKey(opExecTail, p)
	k.line.goClass, k.line.env, k.line.check = uint8(gc), uint8(l.Env), uint8(check)
	t := e.m.do(&k, func() opVal {
		return e.execTail(p, gc, l.Env, check)
	})
	name := t.s
	if e.step(&runcLookPath, stepErr(t, StepLookPath), goToolchains[gc].name, name, nil) {
		return
	}
	switch {
	case check == ExecCheckFaccessat2ElseAccess && t.fallback:
		if e.step(&runcFaccessat2Fallback, stepErr(t, StepEaccess), verb, name, nil) {
			return
		}
	case check == ExecCheckFaccessat2ElseAccess:
		if e.step(&runcFaccessat2, stepErr(t, StepEaccess), verb, name, nil) {
			return
		}
	case check == ExecCheckXSysFaccessatBeforeGo120:
		if e.step(&runcXSysFaccessat, stepErr(t, StepEaccess), "eaccess ", name, nil) {
			return
		}
	}
	if seccompErr != "" && e.host.Exec {
		e.res.Step, e.res.Unknown = StepConfig, "runc exec with noNewPrivileges and a seccomp rule the line refuses is not modelled: "+seccompErr
		return
	}
	if seccompErr != "" {
		e.step(&runcExecveFilterRefused, stepErr(t, StepExecve), name, "", p.Cred)
		e.refuse(&runcInitSeccompLate, &redundantRuleError{seccompErr}, seccompErr, "")
		return
	}
	execve := &runcExecve
	if e.host.Exec && l.Join.Execve == JoinExecveReported {
		execve = &runcJoinExecveReported
	}
	if e.seccompLate(name, func(err error) string { return execve.fails(e, name, "", err) }) {
		return
	}
	if e.step(execve, stepErr(t, StepExecve), name, "", p.Cred) {
		return
	}
	e.interpreter(t.x)
}

// lookPathTrace is what the trace says of LookPath by the toolchain
// named a, which found b.
func lookPathTrace(e *eval, goName, name string, _ *access.Cred) string {
	if g := e.goV; g.patch == noPatch && minorSplits(g) {
		// A minor without its patch, whose patches look paths up
		// differently: evaluated as its newest (refine says when the
		// others would differ), not a class this build need be in.
		goName = fmt.Sprintf("%d.%d as its newest patches", g.major, g.minor)
	}
	return fmt.Sprintf("exec.LookPath(%q) (Go %s) = %q", e.plan.Args[0], goName, name)
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
	x := e.m.do(&k, func() opVal {
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
	r, ok := e.plan.Seccomp.Redundant(l.SeccompIgnoresDefaultErrnoRet)
	if !ok {
		return ""
	}
	// libseccomp's -EACCES, through libseccomp-golang's errRc; a rule
	// with argument conditions goes through AddRuleConditional, whose
	// error says "seccomp rule" (matchCall@v1.0.0-rc92, v1.0.1).
	what := "seccomp filter rule"
	if r.Conditional {
		what = "seccomp rule"
	}
	return fmt.Sprintf("error adding %s for syscall %s: %s", what, r.Name, errnoString(access.EACCES))
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
	if e.plan.UserNSInherited {
		// No mappings in the config: runc's HostUID and HostGID return
		// the id itself, and only the kernel refuses it.
		uidOK, gidOK = true, true
	}
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
		if errors.Is(err, access.EINVAL) && l.Unmapped != UnmappedUpFront {
			return nil, fmt.Errorf("cannot setgid to unmapped gid %d in user namespace", u.GID)
		}
		return nil, errors.New(errnoString(err))
	}
	if cur, err = access.Setuid(cur, u.UID); err != nil {
		if errors.Is(err, access.EINVAL) && l.Unmapped != UnmappedUpFront {
			return nil, fmt.Errorf("cannot setuid to unmapped uid %d in user namespace", u.UID)
		}
		return nil, errors.New(errnoString(err))
	}
	return cur, nil
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

// The texts of runc's failures: the line's prefix (Release.Errors) for
// where in its life runc is, then its words.

// startText is runc's own refusal a, before runc init.
func startText(e *eval, a, _ string, _ error) string {
	return e.prefixOf(e.rt.Release.Errors.Start) + a
}

// preReadyText is runc init's refusal a before it is ready.
func preReadyText(e *eval, a, _ string, _ error) string { return e.prefix(false) + a }

// postReadyText is runc init's refusal a after it is ready.
func postReadyText(e *eval, a, _ string, _ error) string { return e.prefix(true) + a }

// mkdirText is os.MkdirAll's error, before ready.
func mkdirText(e *eval, _, _ string, err error) string { return e.prefix(false) + goErrorText(err) }

// runcChdirText is the line's words for chdir's error.
func runcChdirText(e *eval, _, _ string, err error) string {
	l, cwd := e.rt.Release, e.plan.Cwd
	if l.Errors.Chdir != chdirText {
		return e.prefix(true) + fmt.Sprintf(l.Errors.Chdir, cwd, errnoString(err))
	}
	// fmt.Sprintf(chdirText, …), without boxing its arguments.
	pre, why := e.prefix(true), errnoString(err)
	var b strings.Builder
	b.Grow(len(pre) + len(cwd) + len(why) + 64)
	b.WriteString(pre)
	b.WriteString(`chdir to cwd (`)
	var q [128]byte
	b.Write(strconv.AppendQuote(q[:0], cwd))
	b.WriteString(`) set in config.json failed: `)
	b.WriteString(why)
	return b.String()
}

// setupUserText is setupUser's error (or the user lookup's).
func setupUserText(e *eval, _, _ string, err error) string {
	return e.prefix(true) + e.rt.Release.Errors.SetupUser + err.Error()
}

// capsText is ApplyCaps's error.
func capsText(e *eval, _, _ string, err error) string {
	return e.prefix(true) + fmt.Sprintf(e.rt.Release.Errors.Caps, errnoString(err))
}

// lookPathText is os/exec.LookPath's error.
func lookPathText(e *eval, _, _ string, err error) string { return e.prefix(true) + goErrorText(err) }

// execCheckText is the error of the line's check (verb "exec " or
// "eaccess ") of the path name LookPath found.
func execCheckText(e *eval, verb, name string, err error) string {
	return e.prefix(true) + verb + name + ": " + errnoString(err)
}

// initSeccompText is runc init's own words for the filter's refusal msg,
// after the start.
func initSeccompText(e *eval, msg, _ string, _ error) string {
	return fmt.Sprintf(e.rt.Release.Errors.InitSeccomp, msg)
}

// runcExecText is runc init's own words, with no prefix, for execve's error
// on name.
func runcExecText(e *eval, name, _ string, err error) string {
	return fmt.Sprintf(e.rt.Release.Errors.Exec, name, errnoString(err))
}
