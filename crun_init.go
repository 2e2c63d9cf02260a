package preexec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// crun is crun 1.8.1's init (containers/crun
// src/libcrun/container.c:container_init_setup and container_init@1.8.1),
// one call a step: errors are `msg: strerror` (src/libcrun/error.c@1.8.1),
// printed bare.
func (e *eval) crun() {
	plan := e.plan
	if e.seccompRefusal() {
		return
	}
	root := e.rootCred()
	if plan.KeepOriginalGroups {
		// The groups are those of whatever started crun (conmon's), which
		// the model does not know: it goes on with additionalGids.
		e.res.Caveat = "crun keeps the supplementary groups of the process that starts it (" + spec.KeepOriginalGroupsAnnotation + "), which the model does not know; it assumed process.user.additionalGids"
	}
	// init_container: setgroups(additionalGids) as root, early.
	if !e.crunSetgroups(root) {
		return
	}
	e.proc = access.Proc{Cred: root, FS: e.ensureCwd(root), Kernel: e.kernel()}
	proc := &e.proc

	// chdir#1 and find_executable#1 as root: errors but find_executable's
	// ENOENT are tried again as the container user.
	chdir1 := e.chdir(&crunChdirAsRoot, proc, nil)
	// Without process.args (absent from the JSON: an engine's spec with
	// none) crun looks nothing up, and container_init fails after the
	// setup, before execv.
	var exe string
	var find1 error
	if len(plan.Args) > 0 {
		exe, find1 = e.findExecutable(&crunFindAsRoot, proc)
		if e.failed() {
			return
		}
	}

	// seccomp (unless noNewPrivileges), then set_required_caps.
	if e.crunFilter(find1) {
		return
	}
	userProc, exe, ok := e.crunAsUser(root, proc, chdir1, find1, exe)
	if !ok {
		return
	}
	if len(plan.Args) == 0 {
		const msg = "executable path not specified"
		e.refuse(&crunNoArgs, errors.New(msg), msg, "")
		return
	}
	if e.seccompLate(exe, func(err error) string { return crunExecText(e, exe, "", err) }) {
		return
	}
	e.execve(&crunExecv, userProc, exe)
}

// crunSetgroups is libcrun_container_setgroups (containers/crun
// src/libcrun/linux.c@1.8.1), which crun's init_container calls as the
// container's root (root) before container_init_setup: unless
// can_setgroups finds /proc/self/setgroups reading "deny"
// (setgroupsDenied), setgroups(process.user.additionalGids), whose error
// fails the container (`setgroups: <strerror>`: an unmapped gid is
// EINVAL); with run.oci.keep_original_groups it calls none (the model
// takes the groups for additionalGids all the same, with crun's caveat on
// it). It sets e.root to the credentials after it and reports whether
// the container goes on.
func (e *eval) crunSetgroups(root *access.Cred) bool {
	if e.host.Rootless && len(e.plan.User.AdditionalGids) > 0 && !e.plan.KeepOriginalGroups {
		e.caveat(rootlessSetgroupsCaveat)
	}
	if e.setgroupsDenied() {
		return true
	}
	c, err := access.Setgroups(root, e.plan.User.AdditionalGids)
	switch {
	case err != nil && e.plan.KeepOriginalGroups:
		// crun calls no setgroups: the groups stay what they were,
		// which the model took for additionalGids (see crun's caveat).
		return true
	case err != nil:
		e.refuse(&crunSetgroupsStep, err, "", "")
		return false
	}
	e.root = *c
	return true
}

// setgroupsDenied reports whether /proc/self/setgroups reads "deny" in the
// user namespace of a rootless runtime (Host.Rootless), from its gid
// mappings. A new namespace's file says "allow". A mapping of one id (a
// single entry of size 1) is the one an unprivileged user may map without
// a helper, its own gid, and whoever writes it writes "deny" first: the
// kernel refuses that gid_map otherwise
// (kernel/user_namespace.c:new_idmap_permitted), crun 1.8.1 writes it when
// it maps the id itself (linux.c:deny_setgroups in
// libcrun_set_usernamespace), and shadow's newgidmap, which crun calls
// first, writes it when no mapped range comes from /etc/subgid
// (src/newgidmap.c:verify_range, write_setgroups). Mappings of more ids
// need newgidmap, which took a range from the user's /etc/subgid and then
// leaves the file as it was: "allow". A rootful runtime writes the maps
// itself and leaves "allow". runc never calls setgroups when rootless,
// whatever the file says (init_linux.go:setupUser's allowSupGroups), so
// only crun reads this.
func (e *eval) setgroupsDenied() bool {
	if !e.host.Rootless {
		return false
	}
	ns := e.plan.UserNS
	return ns == nil || len(ns.GIDMap) == 1 && ns.GIDMap[0].Size == 1
}

// rootlessSetgroupsCaveat says what setgroupsDenied assumes.
const rootlessSetgroupsCaveat = "a rootless crun sets process.user.additionalGids only where /proc/self/setgroups allows it: the model takes a gid mapping of one id for the user's own gid (setgroups denied) and a wider one for a range newgidmap took from the user's /etc/subgid (allowed); it does not read /etc/subgid"

// caveat adds c to the result's caveat.
func (e *eval) caveat(c string) {
	if e.res.Caveat == "" {
		e.res.Caveat = c
		return
	}
	if !strings.Contains(e.res.Caveat, c) {
		e.res.Caveat += "; " + c
	}
}

// crun's steps, in the order its init takes them; a, b and c are what a
// call of each names (initStep).
var (
	// libcrun_container_setgroups: setgroups(process.user.additionalGids)
	// as root, its error fatal.
	crunSetgroupsStep = initStep{stage: StepUser, says: "setgroups(process.user.additionalGids) as root", fails: func(_ *eval, _, _ string, err error) string {
		return "setgroups: " + glibcStrerror(err)
	}}
	// crun_safe_ensure_directory_at(cwd (a)) as root, errors ignored
	// ("let it fail later").
	crunEnsureCwd = initStep{stage: StepMkdirCwd, says: "ensure %s as root (errors ignored)"}
	// chdir#1 to cwd (a) as root: an error is tried again as the user.
	crunChdirAsRoot = initStep{stage: StepChdir, says: "chdir %s as root"}
	// find_executable#1 of process.args[0] (a) as root, finding b: ENOENT
	// fails, other errors are tried again as the user.
	crunFindAsRoot = initStep{stage: StepLookPath, says: "find_executable(%q) as root = %q", fails: crunFindText, retried: notENOENT}
	// set_required_caps: setresgid, setresuid and capset of process.user
	// and process.capabilities, then the capabilities applied (c).
	crunSetresgid = initStep{stage: StepUser, fails: setresgidText, trace: func(e *eval, _, _ string, _ *access.Cred) string {
		return fmt.Sprintf("setresgid(%d)", e.plan.User.GID)
	}}
	crunSetresuid = initStep{stage: StepUser, fails: setresuidText, trace: func(e *eval, _, _ string, _ *access.Cred) string {
		return fmt.Sprintf("setresuid(%d), with PR_SET_KEEPCAPS", e.plan.User.UID)
	}}
	crunCapset      = initStep{stage: StepCaps, says: "capset(process.capabilities' effective, permitted, inheritable)", fails: capsetText}
	crunCapsApplied = initStep{stage: StepCaps, says: "capabilities applied: %[3]s"}
	// find_executable#2 (a, finding b) and chdir#2 (to a) as the
	// container user (c).
	crunFindAsUser  = initStep{stage: StepLookPath, says: "find_executable(%[1]q) as %[3]s = %[2]q", fails: crunFindText}
	crunChdirAsUser = initStep{stage: StepChdir, says: "chdir %[1]s as %[3]s", fails: crunChdirText}
	// container_init without process.args (src/libcrun/container.c@1.8.1):
	// a is its words.
	crunNoArgs = initStep{stage: StepLookPath, says: "process.args is absent: nothing to execute", fails: verbatim}
	// execv(a) as c, whose error the container's process prints.
	crunExecv = initStep{stage: StepExecve, says: "execv(%[1]q) as %[3]s", fails: crunExecText, afterStart: true}
)

// crunFilter is crun's seccomp filter (unless noNewPrivileges) with what
// it answers before set_required_caps: the calls of a second
// find_executable where the first failed. It reports whether the
// container failed.
func (e *eval) crunFilter(find1 error) bool {
	var looksAgain []string
	if find1 != nil {
		looksAgain = crunFindCalls
	}
	if e.seccompBefore(looksAgain...) {
		return true
	}
	e.seccompVerdict()
	return false
}

// crunAsUser is set_required_caps, then find_executable#2 and chdir#2
// with the container's credentials where the first tries as root (proc)
// failed (find1, chdir1): crun's init and crun exec take it alike. It
// returns the container user's process and the executable found, ok false
// if the container failed.
func (e *eval) crunAsUser(root *access.Cred, proc *access.Proc, chdir1, find1 error, exe string) (*access.Proc, string, bool) {
	final := e.setRequiredCaps(root)
	if final == nil {
		return nil, "", false
	}
	cwd := "/"
	if chdir1 == nil {
		cwd = proc.Cwd
	}
	e.userProc = access.Proc{Cred: final, FS: proc.FS, Cwd: cwd, Kernel: e.kernel()}
	userProc := &e.userProc
	if find1 != nil {
		var err error
		if exe, err = e.findExecutable(&crunFindAsUser, userProc); err != nil {
			return nil, "", false
		}
	}
	if chdir1 != nil && e.chdir(&crunChdirAsUser, userProc, final) != nil {
		return nil, "", false
	}
	return userProc, exe, true
}

// ensureCwd is crun_safe_ensure_directory_at(process.cwd) as root. It runs
// before read-only bind mounts are remounted read-only, and before
// root.readonly's remount.
func (e *eval) ensureCwd(root *access.Cred) *access.Overlay {
	k := opKey{op: opCrunEnsure, line: lineKey{view: uint8(e.viewClass)}, cred: keyOf(root)}
	mk := e.m.do(&k, func() opVal {
		mk := &mkdirScratch{over: access.Overlay{Base: e.view}, bind: bindWritable{e.early}}
		mk.earlyOver.Base = &mk.bind
		mk.early = access.Proc{Cred: root, FS: &mk.earlyOver, Kernel: e.kernel()}
		return opVal{over: &mk.over, err: mkdirAll(&mk.early, &mk.over, e.plan.Cwd)}
	})
	e.step(&crunEnsureCwd, mk.err, e.plan.Cwd, "", nil)
	return mk.over
}

// findExecutable is the step d, find_executable(process.args[0]) as p.
func (e *eval) findExecutable(d *initStep, p *access.Proc) (string, error) {
	plan := e.plan
	env := plan.Env
	if e.host.Exec && len(env) == 0 {
		// crun exec: a process without env gets the container's.
		env = plan.JoinedEnv
	}
	_, hasPath := env.Getenv("PATH")
	exe, err := crunFindExecutable(p, plan.Args[0], plan.Cwd, access.LookPathEnvFrom(env).PATH, hasPath)
	e.step(d, err, plan.Args[0], exe, p.Cred)
	return exe, err
}

// setRequiredCaps is set_required_caps: the bounding set, setresgid,
// setresuid, capset and the ambient capabilities, as root with
// CAP_SETPCAP. It returns the container's credentials, nil if the
// container failed.
func (e *eval) setRequiredCaps(root *access.Cred) *access.Cred {
	plan := e.plan
	want := plan.Caps
	if plan.CapsAbsent {
		want = caps.Sets{}
	}
	e.bounded = *root
	c := &e.bounded
	// It drops every bounding capability not listed.
	st, _ := c.Caps().ApplyBoundingSet(want.Bounding)
	st.KeepCaps = true
	c.SetCaps(st)
	user, err := access.Setresgid(c, plan.User.GID, plan.User.GID, plan.User.GID)
	if e.step(&crunSetresgid, err, "", "", nil) {
		return nil
	}
	user, err = access.Setresuid(user, plan.User.UID, plan.User.UID, plan.User.UID)
	if e.step(&crunSetresuid, err, "", "", nil) {
		return nil
	}
	st, err = user.Caps().Capset(want.Effective, want.Permitted, want.Inheritable)
	if e.step(&crunCapset, err, "", "", nil) {
		return nil
	}
	for _, cp := range want.Ambient.Caps() {
		// EINVAL and EPERM are ignored (set_required_caps).
		if n, err := st.RaiseAmbient(cp); err == nil {
			st = n
		}
	}
	st.KeepCaps = false
	e.final = *user
	e.final.SetCaps(st)
	e.step(&crunCapsApplied, nil, "", "", &e.final)
	return &e.final
}

// notENOENT reports whether err is not ENOENT.
func notENOENT(err error) bool { return !errors.Is(err, access.ENOENT) }

// The texts of crun's failures.

// crunFindText is find_executable's error.
func crunFindText(e *eval, _, _ string, err error) string {
	if errors.Is(err, access.ENOENT) {
		return fmt.Sprintf("executable file `%s` not found in $PATH: No such file or directory", e.plan.Args[0])
	}
	return "open executable: " + glibcStrerror(err)
}

func setresgidText(e *eval, _, _ string, err error) string {
	return fmt.Sprintf("cannot setresgid to %d: %s", e.plan.User.GID, glibcStrerror(err))
}

func setresuidText(e *eval, _, _ string, err error) string {
	return fmt.Sprintf("cannot setresuid to %d: %s", e.plan.User.UID, glibcStrerror(err))
}

func capsetText(_ *eval, _, _ string, err error) string { return "capset: " + glibcStrerror(err) }

func crunChdirText(e *eval, _, _ string, err error) string {
	return fmt.Sprintf("chdir `%s`: %s", e.plan.Cwd, glibcStrerror(err))
}

// crunExecText is execv's error on exe.
func crunExecText(_ *eval, exe, _ string, err error) string {
	if errors.Is(err, access.ENOENT) {
		return fmt.Sprintf("exec container process (missing dynamic library?) `%s`: %s", exe, glibcStrerror(err))
	}
	return fmt.Sprintf("exec container process `%s`: %s", exe, glibcStrerror(err))
}

// crunFindExecutable is crun 1.8.1's find_executable (src/libcrun/utils.c):
// a name starting with "." or holding a "/" but relative is joined to
// process.cwd; an absolute one is checked as is; a bare one is looked up in
// PATH, where an empty element yields "/name" (strsep never gives the
// "." case the code tests for), ENOENT candidates are skipped and the last
// other error is kept. A candidate the reader could not read
// (access.ErrUnreadable) ends the search with its error: it might have
// been the one found.
func crunFindExecutable(p *access.Proc, name, cwd, pathEnv string, hasPath bool) (string, error) {
	if strings.HasPrefix(name, ".") || (!strings.HasPrefix(name, "/") && strings.Contains(name, "/")) {
		full := strings.TrimSuffix(cwd, "/") + "/" + name
		return full, crunCheckAccess(p, full)
	}
	if strings.HasPrefix(name, "/") {
		return name, crunCheckAccess(p, name)
	}
	if !hasPath {
		return "", access.ENOENT
	}
	var last error = access.ENOENT
	for _, dir := range strings.Split(pathEnv, ":") {
		cand := dir + "/" + name
		err := crunCheckAccess(p, cand)
		if err == nil {
			return cand, nil
		}
		if errors.Is(err, access.ErrUnreadable) {
			// This candidate might have been the one: not known.
			return "", err
		}
		if !errors.Is(err, access.ENOENT) {
			last = err
		}
	}
	return "", last
}

// crunCheckAccess is crun's check_access (src/libcrun/utils.c @1.8.1):
// glibc's eaccess(path, X_OK), which for a process whose real and
// effective ids are equal (always, in crun) is plain access(2) — real ids,
// no effective capabilities for a non-root uid, never faccessat2, so a
// seccomp filter on faccessat2 does not matter (observed with strace on
// Debian's crun 1.8.1) — then stat: not a regular file is EPERM.
func crunCheckAccess(p *access.Proc, file string) error {
	err := p.Access(file, access.X_OK)
	if err != nil {
		return unwrapErrno(err)
	}
	ino, err := p.Stat(file)
	if err != nil {
		return unwrapErrno(err)
	}
	if !ino.IsRegular() {
		return access.EPERM
	}
	return nil
}

// unwrapErrno returns the errno inside err, keeping a *access.Denial.
func unwrapErrno(err error) error {
	var d *access.Denial
	if errors.As(err, &d) {
		return d
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// bindWritable shows fsys as crun sees it while it creates the cwd: bind
// mounts are not yet remounted read-only.
type bindWritable struct{ access.FS }

func (b bindWritable) Lstat(name string) (access.Inode, error) {
	ino, err := b.FS.Lstat(name)
	ino.Mount &^= access.MNT_READONLY
	return ino, err
}
