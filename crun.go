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
// src/libcrun/container.c:container_init_setup@1.8.1): errors are `msg:
// strerror` (src/libcrun/error.c@1.8.1), printed bare.
func (e *eval) crun() {
	plan := e.plan
	root := e.rootCred()
	if plan.KeepOriginalGroups {
		// The groups are those of whatever started crun (conmon's), which
		// the model does not know: it goes on with additionalGids.
		e.res.Caveat = "crun keeps the supplementary groups of the process that starts it (" + spec.KeepOriginalGroupsAnnotation + "), which the model does not know; it assumed process.user.additionalGids"
	}
	// init_container: setgroups(additionalGids) as root, early.
	if !e.host.Rootless {
		if c, err := access.Setgroups(root, plan.User.AdditionalGids); err == nil {
			e.root = *c
		}
	}
	// crun_safe_ensure_directory_at: errors ignored ("let it fail later").
	// It runs before read-only bind mounts are remounted read-only.
	// It runs before root.readonly's remount as well.
	mk := e.m.do(opKey{op: opCrunEnsure, view: e.viewClass, cred: keyOf(root)}, func() opVal {
		mk := &mkdirScratch{over: access.Overlay{Base: e.view}, bind: bindWritable{e.early}}
		mk.earlyOver.Base = &mk.bind
		mk.early = access.Proc{Cred: root, FS: &mk.earlyOver, Kernel: e.kernel()}
		return opVal{over: &mk.over, err: mkdirAll(&mk.early, &mk.over, plan.Cwd)}
	})
	if e.tracing {
		e.trace(StepMkdirCwd, mk.err, "ensure %s as root (errors ignored)", plan.Cwd)
	}
	e.proc = access.Proc{Cred: root, FS: mk.over, Kernel: e.kernel()}
	proc := &e.proc

	env := access.LookPathEnvFrom(plan.Env)
	_, hasPath := plan.Path()

	// chdir#1 and find_executable#1 as root.
	chdir1 := e.chdir(proc, "root")
	// Without process.args (absent from the JSON: an engine's spec with
	// none) crun looks nothing up, and container_init fails after the
	// setup, before execv.
	var exe, arg0 string
	var find1 error
	if len(plan.Args) > 0 {
		arg0 = plan.Args[0]
		exe, find1 = crunFindExecutable(proc, arg0, plan.Cwd, env.PATH, hasPath)
		if e.tracing {
			e.trace(StepLookPath, find1, "find_executable(%q) as root = %q", arg0, exe)
		}
		if errors.Is(find1, access.ENOENT) {
			e.fail(StepLookPath, fmt.Sprintf("executable file `%s` not found in $PATH: No such file or directory", arg0), find1)
			return
		}
	}

	// seccomp (unless noNewPrivileges), then set_required_caps.
	e.seccompVerdict()
	want := plan.Caps
	if plan.CapsAbsent {
		want = caps.Sets{}
	}
	e.bounded = *root
	c := &e.bounded
	// set_required_caps drops every bounding capability not listed, as
	// root with CAP_SETPCAP.
	st, _ := c.Caps().ApplyBoundingSet(want.Bounding)
	st.KeepCaps = true
	c.SetCaps(st)
	user, err := access.Setresgid(c, plan.User.GID, plan.User.GID, plan.User.GID)
	if err != nil {
		e.fail(StepUser, fmt.Sprintf("cannot setresgid to %d: %s", plan.User.GID, glibcStrerror(err)), err)
		return
	}
	if user, err = access.Setresuid(user, plan.User.UID, plan.User.UID, plan.User.UID); err != nil {
		e.fail(StepUser, fmt.Sprintf("cannot setresuid to %d: %s", plan.User.UID, glibcStrerror(err)), err)
		return
	}
	st = user.Caps()
	if st, err = st.Capset(want.Effective, want.Permitted, want.Inheritable); err != nil {
		e.fail(StepCaps, "capset: "+glibcStrerror(err), err)
		return
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
	final := &e.final
	if e.tracing {
		e.trace(StepCaps, nil, "capabilities applied: %s", credSummary(final))
	}
	cwd := "/"
	if chdir1 == nil {
		cwd = proc.Cwd
	}
	e.userProc = access.Proc{Cred: final, FS: mk.over, Cwd: cwd, Kernel: e.kernel()}
	userProc := &e.userProc

	// find_executable#2 and chdir#2, with the container's credentials.
	if find1 != nil {
		exe, err = crunFindExecutable(userProc, arg0, plan.Cwd, env.PATH, hasPath)
		if e.tracing {
			e.trace(StepLookPath, err, "find_executable(%q) as %s = %q", arg0, credSummary(final), exe)
		}
		if err != nil {
			if errors.Is(err, access.ENOENT) {
				e.fail(StepLookPath, fmt.Sprintf("executable file `%s` not found in $PATH: No such file or directory", arg0), err)
			} else {
				e.fail(StepLookPath, "open executable: "+glibcStrerror(err), err)
			}
			return
		}
	}
	if chdir1 != nil {
		who := ""
		if e.tracing {
			who = credSummary(final)
		}
		if err := e.chdir(userProc, who); err != nil {
			e.fail(StepChdir, fmt.Sprintf("chdir `%s`: %s", plan.Cwd, glibcStrerror(err)), err)
			return
		}
	}
	if len(plan.Args) == 0 {
		// container_init (src/libcrun/container.c@1.8.1).
		const msg = "executable path not specified"
		e.fail(StepLookPath, msg, errors.New(msg))
		return
	}
	e.execve(userProc, exe, func(err error) string {
		if errors.Is(err, access.ENOENT) {
			return fmt.Sprintf("exec container process (missing dynamic library?) `%s`: %s", exe, glibcStrerror(err))
		}
		return fmt.Sprintf("exec container process `%s`: %s", exe, glibcStrerror(err))
	})
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
