package preexec

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// gVisor's runsc: its sentry is a kernel of its own, which walks paths,
// checks permissions and loads programs with its own code, and prints its
// own errors. Everything here is read at google/gvisor tag
// release-20221219.0, the source of Debian's runsc 0.0~20221219.0.

// Sentry is how a gVisor release takes the pre-exec steps where it differs
// from Linux and from runc's init, one behaviour a field; each field set
// cites its upstream source in Cite under its own name (TestSentryCitations).
type Sentry struct {
	// CwdInGofer: the gofer creates process.cwd with os.MkdirAll(cwd,
	// 0755) as the host's root, after the bind mounts and before the
	// sentry mounts its tmpfs mounts (a cwd below one is made in the
	// directory the tmpfs then covers); an error kills the sandbox before
	// it reports, and runsc prints only SandboxEOF.
	CwdInGofer bool
	// CwdUnsearched: the working directory is looked up as the container
	// user, each directory on the way searched, but not the directory
	// itself (runc's chdir needs search permission on it).
	CwdUnsearched bool
	// OwnPathLookup: a bare process.args[0] is looked up by the sentry in
	// the last PATH of process.env: relative and empty entries skipped,
	// each candidate opened for reading and execution as the container
	// user (OpenReadExec), EACCES and ENOENT skipped, any other error
	// fatal; not found is ENOENT. A name with a '/' after its first byte
	// is joined to process.cwd unchecked.
	OwnPathLookup bool
	// OpenReadExec: the loader opens the program, a #! interpreter and an
	// ELF interpreter O_RDONLY with FileExec: read and execute permission
	// are checked at once (vfs.GenericCheckPermissions with MayRead|MayExec),
	// so a file without read permission is EACCES and CAP_DAC_READ_SEARCH
	// does not help; a file that is not regular, or on a noexec mount, is
	// EACCES.
	OpenReadExec bool
	// NoACLs: permissions are the mode bits, owner and group the gofer
	// reports (stat's, where an ACL's mask is the group bits); POSIX ACL
	// entries are not consulted.
	NoACLs bool
	// KeepsSpecCreds: the first process runs with the credentials made
	// from the spec, which no exec transforms: set-user-ID and
	// set-group-ID bits and file capabilities are ignored, and a non-root
	// user keeps its effective capabilities (so a #! interpreter reads its
	// script with them; the loader already needed it readable).
	KeepsSpecCreds bool
	// ShebangLine is how much of a #! line the loader reads: 127 bytes,
	// the rest of a longer line silently dropped (Linux reads 256 and
	// refuses a cut interpreter path).
	ShebangLine int
	// GoferChecks: the gofer, which walks and opens every file of the
	// root filesystem for the sentry, runs as root of the spec's user
	// namespace, so the host kernel refuses it a directory or file whose
	// owner that namespace does not map unless its other class (or ACL)
	// allows: EACCES, whatever the sentry's own check said. Without a user
	// namespace it is the host's root and passes.
	GoferChecks bool
	// EnvWithoutEqualsFatal: a process.env entry without '=' fails the
	// sandbox's boot (SandboxEOF).
	EnvWithoutEqualsFatal bool
	// SandboxEOF is what runsc prints when the sandbox (its gofer or its
	// sentry) fails before it reports to runsc, after the subcommand's
	// prefix ("creating container: "; `runsc run` adds "running
	// container: ").
	SandboxEOF string
	// StartPrefix prefixes the sentry's errors of process creation after
	// the subcommand's ("starting container: "; `runsc run` adds "running
	// container: ").
	StartPrefix string
	// Cite justifies each field, by name.
	Cite map[string]string
}

// runsc20221219 is gVisor release-20221219.0, Debian's runsc package.
var runsc20221219 = &Release{
	Runtime: "runsc", Versions: []string{"20221219.0"},
	CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
	AbsentCaps: AbsentCapsDropAll, UnknownCapsFatal: true, LastCap: caps.CAP_AUDIT_READ,
	Tmpfs: TmpfsKernel, UserNSBind: UserNSBindRemount, User: UserNumeric,
	EnvCheck: EnvCheckNone, MountFlagWords: MountFlagsClassic, DropsDefaults: []string{"20221219.0"},
	Sentry: &Sentry{
		CwdInGofer: true, CwdUnsearched: true, OwnPathLookup: true, OpenReadExec: true,
		NoACLs: true, KeepsSpecCreds: true, GoferChecks: true, ShebangLine: 127, EnvWithoutEqualsFatal: true,
		SandboxEOF:  "cannot create sandbox: cannot read client sync file: waiting for sandbox to start: EOF",
		StartPrefix: "starting root container: starting sandbox: ",
		Cite: map[string]string{
			"CwdInGofer":            "google/gvisor runsc/cmd/gofer.go:setupRootFS@release-20221219.0 (resolveSymlinks, os.MkdirAll(dst, 0755), after setupMounts' bind mounts; tmpfs mounts are the sentry's, runsc/boot/vfs.go:mountSubmounts)",
			"CwdUnsearched":         "google/gvisor pkg/sentry/kernel/kernel.go:Kernel.CreateProcess@release-20221219.0 (GetDentryAt without CheckSearchable, NOTE(b/236028361))",
			"OwnPathLookup":         "google/gvisor pkg/sentry/fsimpl/user/path.go:ResolveExecutablePath, resolve@release-20221219.0; runsc/specutils/specutils.go:ResolveEnvs (a map: the last PATH wins)",
			"OpenReadExec":          "google/gvisor pkg/sentry/loader/loader.go:openPath@release-20221219.0 (O_RDONLY, FileExec; TODO gvisor.dev/issue/160), pkg/sentry/vfs/permissions.go:AccessTypesForOpenFlags, GenericCheckPermissions, pkg/sentry/vfs/vfs.go:VirtualFilesystem.OpenAt (noexec, not regular: EACCES)",
			"NoACLs":                "google/gvisor pkg/sentry/fsimpl/gofer/gofer.go:dentry.checkPermissions@release-20221219.0 (GenericCheckPermissions on the cached mode, uid, gid)",
			"KeepsSpecCreds":        "google/gvisor runsc/boot/loader.go:New@release-20221219.0 (auth.NewUserCredentials from the spec), pkg/sentry/kernel/kernel.go:Kernel.CreateProcess (TaskConfig.Credentials as given, no updateCredsForExecLocked)",
			"GoferChecks":           "google/gvisor runsc/container/container.go:createGoferProcess@release-20221219.0 (the gofer joins or creates the spec's user namespace with its mappings, as uid 0), runsc/fsgofer (host open and walk)",
			"ShebangLine":           "google/gvisor pkg/sentry/loader/interpreter.go:parseInterpreterScript@release-20221219.0 (interpMaxLineLength = 127)",
			"EnvWithoutEqualsFatal": "google/gvisor runsc/specutils/specutils.go:ResolveEnvs@release-20221219.0 (`invalid variable`), called by runsc/boot/loader.go:createProcessArgs in the sandbox's boot",
			"SandboxEOF":            "google/gvisor runsc/container/container.go:New (`cannot create sandbox: %w`), runsc/sandbox/sandbox.go:New (`cannot read client sync file: %w`, `waiting for sandbox to start: %v`)@release-20221219.0; runsc/container/container.go:Run (`creating container: %v`)",
			"StartPrefix":           "google/gvisor runsc/sandbox/sandbox.go:Sandbox.StartRoot (`starting root container: %v`), runsc/boot/controller.go:containerManager.StartRoot (`starting sandbox: %v`)@release-20221219.0; runsc/boot/loader.go:createContainerProcess (`creating process: %w`)",
		},
	},
	Cite: map[string]string{
		"Sentry":           "gVisor's sentry walks, checks and loads with its own code: see Sentry.Cite",
		"UnknownCapsFatal": "google/gvisor runsc/specutils/specutils.go:capsFromNames@release-20221219.0 (`unknown capability %q`, in the sandbox's boot: SandboxEOF); ambient is not read (TODO gvisor.dev/issue/3166)",
		"LastCap":          "google/gvisor runsc/specutils/specutils.go:capFromName@release-20221219.0 ends at CAP_AUDIT_READ",
		"AbsentCaps":       "google/gvisor runsc/specutils/specutils.go:Capabilities@release-20221219.0 returns empty sets for an absent process.capabilities, so even uid 0 has none",
		"DropsDefaults":    "google/gvisor runsc/specutils/fs.go:optionsMap@release-20221219.0: `defaults` is a flag word of no flags",
		"MountFlagWords":   "runc's classic words stand for google/gvisor runsc/specutils/fs.go:optionsMap, propOptionsMap@release-20221219.0, which also has acl and noacl and lacks lazytime, nolazytime and tmpcopyup: an option only one of them knows is judged as runc's",
		"Tmpfs":            "google/gvisor pkg/sentry/fsimpl/tmpfs/tmpfs.go:FilesystemType.GetFilesystem@release-20221219.0: the root is mode= or 01777, the covered directory is not read",
	},
}

// runscForms is the form of a runsc name, for a refusal.
const runscForms = "want runsc@YYYYMMDD.N[+debian], a gVisor release (runsc@20221219.0)"

// lookupRunsc is LookupRuntime for a runsc name: runsc@20221219.0 or
// runsc@20221219.0+debian (Debian's build of that tag). A release after
// the newest modelled is answered as it and marked extrapolated.
func lookupRunsc(name, rest string) (Runtime, error) {
	version, build, _ := strings.Cut(rest, "+")
	if build != "" && build != "debian" {
		return Runtime{}, runtimeErr(name, "%s", runscForms)
	}
	date, n, ok := strings.Cut(version, ".")
	if !ok || len(date) != 8 || !allDigits(date[:6]) || !allDigits(date[6:]) || !allDigits(n) {
		return Runtime{}, runtimeErr(name, "%s", runscForms)
	}
	var l *Release
	var modelled string
	for _, r := range lines {
		if r.Runtime != "runsc" {
			continue
		}
		for _, v := range r.Versions {
			if spec.CompareVersions(v, version) <= 0 && (l == nil || spec.CompareVersions(modelled, v) < 0) {
				l, modelled = r, v
			}
		}
	}
	if l == nil {
		return Runtime{}, runtimeErr(name, "runsc %s is older than every runsc release modelled (%s)", version, oldestVersion("runsc"))
	}
	rt := Runtime{Name: name, Release: l, Version: version}
	if modelled != version {
		rt.Extrapolated = fmt.Sprintf("runsc %s is not modelled; answered as runsc %s, the newest older release modelled", version, modelled)
	}
	return rt, nil
}

// sentryFS shows an FS as gVisor's gofer client sees it: the mode, owner
// and group the gofer's stat gives, no ACL, no file capabilities
// (Sentry.NoACLs, Sentry.KeepsSpecCreds). The gofer runs in the spec's
// user namespace, ns, so that the owners it reports are ids of that
// namespace, and an id it does not map is the overflow id 65534
// (runsc/container/container.go:createGoferProcess@release-20221219.0,
// "so the gofer's view of the filesystem aligns with the users in the
// sandbox"); the sentry's credentials hold the spec's ids in a namespace
// of its own where every id is mapped.
type sentryFS struct {
	access.FS
	ns *access.UserNS
}

// overflowID is the kernel's overflowuid and overflowgid.
const overflowID = 65534

func (f sentryFS) Lstat(name string) (access.Inode, error) {
	ino, err := f.FS.Lstat(name)
	ino.ACL, ino.Caps = nil, nil
	if f.ns != nil && err == nil {
		var ok bool
		if ino.UID, ok = f.ns.UID(ino.UID); !ok {
			ino.UID = overflowID
		}
		if ino.GID, ok = f.ns.GID(ino.GID); !ok {
			ino.GID = overflowID
		}
	}
	return ino, err
}

// gvisorPermission is the sentry's vfs.GenericCheckPermissions
// (pkg/sentry/vfs/permissions.go@release-20221219.0) for the access types
// mask (access.MAY_READ, MAY_WRITE, MAY_EXEC) in the sandbox's one user
// namespace, where every id is mapped.
func gvisorPermission(c *access.Cred, ino *access.Inode, mask access.Mask) error {
	perms := ino.Mode & 0o777
	switch {
	case c.EUID == ino.UID:
		perms >>= 6
	case c.EGID == ino.GID || slices.Contains(c.Groups, ino.GID):
		perms >>= 3
	}
	want := uint32(mask) & 7
	if perms&want == want {
		return nil
	}
	dir := ino.IsDir()
	if (dir && mask&access.MAY_WRITE == 0) || want == uint32(access.MAY_READ) {
		if c.CapEffective.Has(caps.CAP_DAC_READ_SEARCH) {
			return nil
		}
	}
	if dir || mask&access.MAY_EXEC == 0 || ino.Mode&0o111 != 0 {
		if c.CapEffective.Has(caps.CAP_DAC_OVERRIDE) {
			return nil
		}
	}
	return access.EACCES
}

// gvisorErrno is the text of the sentry's error for err
// (pkg/errors/linuxerr/linuxerr.go@release-20221219.0), "" for an errno
// the model does not expect there.
func gvisorErrno(err error) string {
	for _, e := range []struct {
		errno error
		text  string
	}{
		{access.EACCES, "permission denied"},
		{access.ENOENT, "no such file or directory"},
		{access.ENOTDIR, "not a directory"},
		{access.ELOOP, "too many symbolic links encountered"},
		{access.ENOEXEC, "exec format error"},
		{access.ENAMETOOLONG, "file name too long"},
		{access.EPERM, "operation not permitted"},
	} {
		if errors.Is(err, e.errno) {
			return e.text
		}
	}
	return ""
}

// runsc is `runsc run` (or create and start) of release-20221219.0:
// runsc/cmd/run.go:Run.Execute, the gofer's setupRootFS, the sandbox's
// boot (runsc/boot/loader.go:New) and the sentry's creation of the first
// process (runsc/boot/loader.go:createContainerProcess). Every failure is
// runsc's own text with its exit status 128 (runsc/cli/main.go:Main), and
// Phase is PhaseCreate: the container's process never runs. With
// Host.Create the sandbox's failures are `runsc create`'s, the sentry's
// are `runsc start`'s (create succeeded), which Phase does not tell apart.
// A rootless runsc (Host.Rootless: run by a non-root user, which runsc
// takes as rootless whatever --rootless says) makes the spec's user
// namespace with newuidmap and runs its gofer there with the
// capabilities of that namespace's root
// (runsc/container/container.go:createGoferProcess@release-20221219.0):
// the model is the same, for the container's root mapped alone or with
// subordinate ids (the runtime oracle runs runsc as an unprivileged user
// on both, newuidmap and newgidmap installed). Not modelled (unknown): a
// rootless runsc without a user namespace, a user namespace joined by
// path, an empty process.args.
func (e *eval) runsc() {
	s := e.rt.Release.Sentry
	plan := e.plan
	cli := "running container: "
	boot, start := cli+"creating container: ", cli+"starting container: "
	if e.host.Create {
		boot, start = "creating container: ", "starting container: "
	}
	start += s.StartPrefix
	fail := func(step Step, text string, err error) {
		e.fail(step, text, err)
		if e.host.Create && e.res.Unknown == "" {
			e.res.Caveat = runscEngineCaveat
			if strings.HasPrefix(text, "starting container: ") {
				e.res.Caveat = runscStartCaveat + " " + runscEngineCaveat
			}
		}
	}
	if len(plan.Args) == 0 {
		// specutils.ValidateSpec: `Spec.Process.Arg must be defined: %+v`
		// of the process, whose pointers print as Go heap addresses.
		e.res.Step, e.res.Err = StepConfig, errors.New("process.args is empty")
		e.res.Unknown = "runsc refuses an empty process.args with `reading spec: Spec.Process.Arg must be defined: ` and the process printed with %+v, Go heap addresses and all (runsc/specutils/specutils.go:ValidateSpec), which cannot be predicted byte for byte"
		return
	}
	if plan.UserNSPath != "" || (e.host.Rootless && plan.UserNS == nil) {
		e.res.Step, e.res.Err = StepConfig, errors.New("not modelled")
		e.res.Unknown = "runsc is modelled with a user namespace it makes from the spec's mappings, or as root without one: a user namespace joined by path, and a rootless runsc without a user namespace (runsc/container/container.go:createGoferProcess refuses it), are not modelled"
		return
	}
	sandboxEOF := boot + s.SandboxEOF
	// The sandbox's boot: capabilities and the environment
	// (runsc/boot/loader.go:New, createProcessArgs).
	if name := runscUnknownCap(plan, e.rt.Release.LastCap); name != "" {
		if e.tracing {
			e.runscTrace(StepCaps, nil, "unknown capability %q: the sandbox's boot fails", name)
		}
		fail(StepCaps, sandboxEOF, fmt.Errorf("unknown capability %q", name))
		return
	}
	if s.EnvWithoutEqualsFatal {
		for _, kv := range plan.Env {
			if !strings.Contains(kv, "=") {
				if e.tracing {
					e.runscTrace(StepConfig, nil, "invalid variable: %s: the sandbox's boot fails", kv)
				}
				fail(StepConfig, sandboxEOF, fmt.Errorf("invalid variable: %s", kv))
				return
			}
		}
	}
	// The gofer: MkdirAll(cwd) as the host's root, bind mounts in place,
	// tmpfs mounts not.
	gview := e.runscGoferView()
	// The gofer is root of the spec's user namespace, if any.
	root := e.rootCred()
	mk := &mkdirScratch{}
	mk.over.Base = gview
	mk.early = access.Proc{Cred: root, FS: &mk.over, Kernel: access.Kernel{Version: e.host.Kernel}}
	dst, err := goferResolve(&mk.early, plan.Cwd)
	if err == nil {
		err = mkdirAll(&mk.early, &mk.over, dst)
	}
	if err != nil {
		if e.tracing {
			e.runscTrace(StepMkdirCwd, err, "the gofer's os.MkdirAll(%q) as root", plan.Cwd)
		}
		if errors.Is(err, access.ErrUnreadable) || errors.Is(err, access.ErrNoContent) {
			e.fail(StepMkdirCwd, "", err)
			return
		}
		fail(StepMkdirCwd, sandboxEOF, err)
		return
	}
	if e.tracing {
		e.runscTrace(StepMkdirCwd, nil, "the gofer's os.MkdirAll(%q) as root (%q, its symlinks resolved)", plan.Cwd, dst)
	}
	fsys := access.FS(sentryFS{e.view, plan.UserNS})
	if len(mk.over.Dirs) > 0 {
		// The directories the gofer made, but for those a tmpfs covers.
		over := &access.Overlay{Base: fsys, Dirs: map[string]access.Inode{}}
		for d, ino := range mk.over.Dirs {
			if !runscUnderTmpfs(plan, d) {
				over.Dirs[d] = ino
			}
		}
		fsys = over
	}
	// The container's credentials, as the spec gives them.
	want := plan.Caps
	if plan.CapsAbsent {
		want = caps.Sets{}
	}
	c := access.User(plan.User.UID, plan.User.GID, plan.User.AdditionalGids...)
	c.CapEffective, c.CapPermitted, c.CapInheritable, c.CapBounding = want.Effective, want.Permitted, want.Inheritable, want.Bounding
	c.NoNewPrivs = true
	e.final = *c
	p := access.Proc{Cred: &e.final, FS: fsys, Kernel: access.Kernel{Version: e.host.Kernel}}
	// The gofer walks and opens each file the sentry asks for, as root of
	// the spec's user namespace (Sentry.GoferChecks).
	g := &gofer{Proc: access.Proc{Cred: root, FS: e.view, Kernel: access.Kernel{Version: e.host.Kernel}}}
	if len(mk.over.Dirs) > 0 {
		g.FS = &access.Overlay{Base: e.view, Dirs: fsys.(*access.Overlay).Dirs}
	}
	if e.tracing {
		e.runscTrace(StepUser, nil, "the sentry's credentials: %s", credSummary(&e.final))
	}

	// ResolveExecutablePath.
	arg0 := plan.Args[0]
	name := arg0
	switch {
	case path.IsAbs(arg0):
	case strings.IndexByte(arg0, '/') > 0:
		name = path.Join(plan.Cwd, arg0)
	default:
		pathEnv, _ := plan.Path()
		var dirs []string
		if _, ok := plan.Path(); ok {
			dirs = strings.Split(pathEnv, ":")
		}
		found, err := runscFind(&p, g, dirs, arg0)
		if e.tracing {
			e.runscTrace(StepLookPath, err, "the sentry looks %q up in PATH %v: %q", arg0, dirs, found)
		}
		if err != nil {
			if text, ok := e.runscErrno(StepLookPath, err); ok {
				fail(StepLookPath, fmt.Sprintf("%serror finding executable %q in PATH %v: %s", start, arg0, fmtSlice(dirs), text), err)
			}
			return
		}
		name = found
	}

	// CreateProcess: the working directory, then the loader.
	wd, err := p.Stat(plan.Cwd)
	if err == nil {
		err = g.walk(plan.Cwd)
	}
	if err == nil && !wd.IsDir() {
		// The gofer made it a directory unless something covers it.
		err = access.ENOTDIR
	}
	if e.tracing {
		e.runscTrace(StepChdir, err, "the sentry looks up the working directory %s as %s (the directory itself not searched)", plan.Cwd, credSummary(&e.final))
	}
	if err != nil {
		if errors.Is(err, access.ENOTDIR) && !errors.Is(err, access.ErrUnreadable) && !errors.Is(err, access.ErrNoContent) {
			e.runscUnknown(StepChdir, err)
		} else if text, ok := e.runscErrno(StepChdir, err); ok {
			fail(StepChdir, fmt.Sprintf("%screating process: failed to find initial working directory %q: %s", start, plan.Cwd, text), err)
		}
		return
	}
	_, cwd, _ := p.Resolve(plan.Cwd)
	p.Cwd, g.Cwd = cwd, cwd
	step, err, unknown := runscLoad(&p, g, name, plan.Args, s.ShebangLine)
	if e.tracing {
		e.runscTrace(step, err, "the sentry loads %q as %s", name, credSummary(&e.final))
	}
	switch {
	case unknown != "":
		e.res.Step, e.res.Err, e.res.Unknown = step, err, unknown
	case err != nil:
		if text, ok := e.runscErrno(step, err); ok {
			fail(step, fmt.Sprintf("%screating process: failed to load %s: %s", start, name, text), err)
		}
	}
}

// The caveats of a runsc failure under create and start (Host.Create).
const (
	runscStartCaveat  = "runsc create succeeds and `runsc start` prints this: the container is created, its process never runs."
	runscEngineCaveat = "How an engine words runsc's errors is not held to a real engine running runsc."
)

// runscErrno is the sentry's text for err at step; where the model
// cannot tell (what the reader could not read, a file's contents it does
// not have, an errno it does not know there) it makes the result unknown
// and reports false.
func (e *eval) runscErrno(step Step, err error) (string, bool) {
	if errors.Is(err, access.ErrUnreadable) || errors.Is(err, access.ErrNoContent) {
		e.fail(step, "", err)
		return "", false
	}
	text := gvisorErrno(err)
	if text == "" {
		e.runscUnknown(step, err)
		return "", false
	}
	return text, true
}

// runscUnknown makes the result unknown for an error whose text or cause
// the model does not know in gVisor.
func (e *eval) runscUnknown(step Step, err error) {
	if errors.Is(err, access.ErrUnreadable) || errors.Is(err, access.ErrNoContent) {
		e.fail(step, "", err)
		return
	}
	e.res.Step, e.res.Err = step, err
	e.res.Unknown = fmt.Sprintf("gVisor's sentry fails here with %v, whose handling and text in release-20221219.0 the model does not know", err)
}

// fmtSlice is fmt's %v of a []string: "[a b]".
func fmtSlice(s []string) string { return "[" + strings.Join(s, " ") + "]" }

// runscUnknownCap is the first capability name of the bounding,
// effective, inheritable or permitted set that capsFromNames does not
// know (ambient is not read), "" if none.
func runscUnknownCap(plan *spec.Plan, last caps.Cap) string {
	sp := plan.Spec
	if sp == nil || sp.Process == nil || sp.Process.Capabilities == nil {
		return ""
	}
	lc := sp.Process.Capabilities
	for _, set := range [][]string{lc.Bounding, lc.Effective, lc.Inheritable, lc.Permitted} {
		for _, n := range set {
			if c, ok := caps.Parse(n); !ok || c > last {
				return n
			}
		}
	}
	return ""
}

// runscUnderTmpfs reports whether d is at or below the destination of a
// tmpfs mount of plan: the sentry's, which the gofer does not see.
func runscUnderTmpfs(plan *spec.Plan, d string) bool {
	for _, m := range plan.Mounts {
		if m.Type != "tmpfs" || m.Bind {
			continue
		}
		dest := path.Clean("/" + m.Destination)
		if d == dest || strings.HasPrefix(d, dest+"/") || dest == "/" {
			return true
		}
	}
	return false
}

// runscGoferView is the root filesystem as the gofer sees it when it
// creates the cwd: the bind mounts in place but without their flags (one
// mount(2) with MS_BIND, where the kernel ignores the others:
// runsc/cmd/gofer.go:setupMounts, specutils.SafeSetupAndMount), not the
// sentry's tmpfs mounts, root.readonly not yet applied.
func (e *eval) runscGoferView() access.FS {
	v, ok := e.fsys.(*View)
	if !ok {
		return e.early
	}
	binds := *v.plan
	binds.Mounts = nil
	for _, m := range v.plan.Mounts {
		if m.Type == "tmpfs" && !m.Bind {
			continue
		}
		if m.Bind {
			m.Flags = 0
		}
		binds.Mounts = append(binds.Mounts, m)
	}
	return NewView(&binds, v.base, v.sources).early(e.rt.Release)
}

// goferResolve is the gofer's resolveSymlinks (runsc/cmd/gofer.go,
// resolveSymlinksImpl@release-20221219.0) of name as p: the path cleaned
// first (so "/x/../w" is "/w" whether /x exists or not), each component
// lstat'ed, a missing one taken as it is, a symlink's target resolved in
// turn (an absolute one from the root), at most 255 deep.
func goferResolve(p *access.Proc, name string) (string, error) {
	return goferResolveAt(p, "/", name, 255)
}

func goferResolveAt(p *access.Proc, base, rel string, follow int) (string, error) {
	if follow == 0 {
		return "", access.ELOOP
	}
	for _, name := range strings.Split(path.Clean(rel), "/") {
		if name == "" {
			continue
		}
		next := path.Join(base, name)
		ino, err := p.Lstat(next)
		if err != nil {
			if errors.Is(err, access.ENOENT) && !errors.Is(err, access.ErrUnreadable) {
				base = next
				continue
			}
			return "", err
		}
		if ino.IsSymlink() {
			link, err := p.FS.Readlink(next)
			if err != nil {
				return "", err
			}
			if path.IsAbs(link) {
				base = "/"
			}
			if base, err = goferResolveAt(p, base, link, follow-1); err != nil {
				return "", err
			}
			continue
		}
		base = next
	}
	return base, nil
}

// runscFind is the sentry's PATH search (user.resolve): each absolute
// entry joined with name, opened for reading and execution; EACCES and
// ENOENT go on to the next, another error ends the search.
func runscFind(p *access.Proc, g *gofer, dirs []string, name string) (string, error) {
	for _, d := range dirs {
		if !path.IsAbs(d) {
			continue
		}
		cand := path.Join(d, name)
		_, err := runscOpen(p, g, cand)
		switch {
		case err == nil:
			return cand, nil
		case errors.Is(err, access.ErrUnreadable) || errors.Is(err, access.ErrNoContent):
			return "", err
		case errors.Is(err, access.EACCES) || errors.Is(err, access.ENOENT):
			continue
		}
		return "", err
	}
	return "", access.ENOENT
}

// errSpecialFile is a file the model does not know the sentry's open of.
var errSpecialFile = errors.New("a device, FIFO or socket, whose open through the gofer is not modelled")

// runscOpen is the sentry's OpenAt(name, O_RDONLY, FileExec) as p: the walk
// (each directory searched), then read and execute permission at once,
// then noexec and the file type (Sentry.OpenReadExec). It returns the
// resolved path.
func runscOpen(p *access.Proc, g *gofer, name string) (string, error) {
	ino, resolved, err := p.Resolve(name)
	if err == nil {
		err = g.open(name)
	}
	if err != nil {
		return "", err
	}
	switch ino.Type() {
	case access.S_IFREG, access.S_IFDIR:
	default:
		// A device, FIFO or socket: what the gofer does opening it is
		// not modelled (the caller answers unknown).
		return "", &fs.PathError{Op: "open", Path: name, Err: errSpecialFile}
	}
	const rx = access.MAY_READ | access.MAY_EXEC
	if err := gvisorPermission(p.Cred, &ino, rx); err != nil {
		return "", gvisorDenial(resolved, access.ReasonPermission, ino, rx, p.Cred)
	}
	switch {
	case ino.Mount&access.MNT_NOEXEC != 0:
		return "", gvisorDenial(resolved, access.ReasonNoexec, ino, rx, p.Cred)
	case !ino.IsRegular():
		return "", gvisorDenial(resolved, access.ReasonNotRegular, ino, rx, p.Cred)
	}
	return resolved, nil
}

// gvisorDenial explains the sentry's EACCES on ino (at path) for c, as
// gvisorPermission decides it: the class of the mode bits that applied
// and the capability that would have overridden it.
func gvisorDenial(path string, why access.Reason, ino access.Inode, mask access.Mask, c *access.Cred) *access.Denial {
	d := &access.Denial{Path: path, Reason: why, Inode: ino, Mask: mask, Cred: *c, Err: access.EACCES}
	if why != access.ReasonPermission {
		return d
	}
	switch {
	case c.EUID == ino.UID:
		d.Class = access.ClassOwner
	case c.EGID == ino.GID || slices.Contains(c.Groups, ino.GID):
		d.Class = access.ClassGroup
	default:
		d.Class = access.ClassOther
	}
	if ino.IsDir() || mask&access.MAY_EXEC == 0 || ino.Mode&0o111 != 0 {
		d.Cap, d.HasCap = caps.CAP_DAC_OVERRIDE, true
	}
	return d
}

// gofer is the gofer's own access to the root filesystem, as the host
// kernel checks it: it runs as root of the spec's user namespace (the
// host's root without one), so that a directory or file whose owner that
// namespace does not map is closed to it but for its other class and
// ACL (Sentry.GoferChecks).
type gofer struct{ access.Proc }

// walk is the gofer's part of the sentry's walk to name: the host kernel
// checks the gofer's search permission on each directory in which it looks
// a name up; "." and ".." the sentry answers from its own dentries, and
// the directory reached is not searched. Its EACCES ends the sentry's
// walk; the walk's other errors are the sentry's own (the same tree).
func (g *gofer) walk(name string) error {
	_, err := g.lookup(name)
	return err
}

// open is the gofer's open of name for reading, to serve the sentry's
// reads of it: its walk, then read permission on the file.
func (g *gofer) open(name string) error {
	ino, err := g.lookup(name)
	if err != nil || ino == nil {
		return err
	}
	if err := access.Permission(g.Cred, ino, access.MAY_READ); err != nil {
		return err
	}
	return nil
}

// lookup walks name as the gofer, following symlinks (40 at most), and
// returns the inode reached, nil where the walk ends otherwise than by the
// gofer's EACCES (the sentry then has its own answer).
func (g *gofer) lookup(name string) (*access.Inode, error) {
	cur := "/"
	if !strings.HasPrefix(name, "/") && g.Cwd != "" {
		cur = g.Cwd
	}
	comps := strings.Split(name, "/")
	links := 0
	for i := 0; i < len(comps); i++ {
		c := comps[i]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		dir, err := g.FS.Lstat(cur)
		if err != nil || !dir.IsDir() {
			return nil, nil
		}
		if err := access.Permission(g.Cred, &dir, access.MAY_EXEC); err != nil {
			return nil, err
		}
		next := path.Join(cur, c)
		ino, err := g.FS.Lstat(next)
		if err != nil {
			return nil, nil
		}
		if ino.IsSymlink() {
			if links++; links > 40 {
				return nil, nil
			}
			target, err := g.FS.Readlink(next)
			if err != nil {
				return nil, nil
			}
			if strings.HasPrefix(target, "/") {
				cur = "/"
			}
			comps = append(strings.Split(target, "/"), comps[i+1:]...)
			i = -1
			continue
		}
		cur = next
	}
	ino, err := g.FS.Lstat(cur)
	if err != nil {
		return nil, nil
	}
	return &ino, nil
}

// runscLoad is the sentry's loader (loader.loadExecutable, loadELF) for
// the first process: up to 6 files opened with runscOpen, each #! line
// parsed as parseInterpreterScript does, an ELF checked as Linux checks
// it (access.Proc.Execve, on the same files, less the credentials it
// would compute) and its PT_INTERP opened with runscOpen. unknown is set
// where the model cannot tell.
func runscLoad(p *access.Proc, g *gofer, name string, argv []string, lineMax int) (step Step, err error, unknown string) {
	file := name
	step = StepExecve
	var head [128]byte
	for i := 0; ; i++ {
		if i == 6 {
			return StepInterpreter, access.ELOOP, ""
		}
		resolved, err := runscOpen(p, g, file)
		if err != nil {
			return step, err, ""
		}
		clear(head[:])
		n, err := p.FS.ReadAt(resolved, head[:], 0)
		if err != nil && err != io.EOF {
			return step, err, ""
		}
		if n >= 4 && string(head[:4]) == "\x7fELF" {
			break
		}
		if n < 2 || string(head[:2]) != "#!" {
			return step, access.ENOEXEC, ""
		}
		// The first lineMax bytes, "#!" skipped, up to a newline: a
		// longer line is cut there, interpreter and all.
		line := head[2:min(n, lineMax)]
		if j := strings.IndexByte(string(line), '\n'); j >= 0 {
			line = line[:j]
		}
		l := strings.TrimLeft(string(line), " \t")
		interp := l
		if j := strings.IndexAny(l, " \t"); j >= 0 {
			interp = l[:j]
		}
		if interp == "" {
			return step, access.ENOEXEC, ""
		}
		if strings.IndexByte(interp, 0) >= 0 {
			return step, errors.New("a NUL in a #! line"), "a NUL byte in a #! line is read by gVisor as part of the name; not modelled"
		}
		file, step = interp, StepInterpreter
	}
	// The ELF itself, as Linux checks it; the loader's credentials are
	// not computed by gVisor (KeepsSpecCreds).
	x, err := p.Execve(file, argv)
	if errors.Is(err, access.ErrUnreadable) || errors.Is(err, access.ErrNoContent) {
		return step, err, ""
	}
	var xe *access.ExecError
	if err != nil && errors.As(err, &xe) {
		switch xe.Stage {
		case access.StageCreds:
			return step, nil, ""
		case access.StageLoader:
			if errors.Is(err, access.ENOENT) || errors.Is(err, access.EACCES) {
				return StepExecve, err, ""
			}
		case access.StageFormat:
			if errors.Is(err, access.ENOEXEC) {
				return step, err, ""
			}
		}
		return step, err, fmt.Sprintf("the ELF %s fails Linux's checks with %v; gVisor's own ELF loader (pkg/sentry/loader/elf.go) is not modelled beyond ENOEXEC, a missing or unreadable interpreter", file, err)
	}
	if err != nil {
		return step, err, ""
	}
	if x.Interp != "" {
		if _, err := runscOpen(p, g, x.Interp); err != nil {
			return StepExecve, err, ""
		}
	}
	return step, nil, ""
}

// sentryFields are the Sentry fields the docs list, in order, with what
// each says.
var sentryFields = []struct{ name, what string }{
	{"CwdInGofer", "the gofer creates process.cwd as the host's root (symlinks resolved its own way, bind mounts writable, before the tmpfs mounts); an error kills the sandbox"},
	{"CwdUnsearched", "the working directory itself need not be searchable"},
	{"OwnPathLookup", "the sentry's own PATH search: candidates opened for reading and execution, EACCES and ENOENT skipped"},
	{"OpenReadExec", "the program, its #! interpreter and its ELF interpreter need read and execute permission, checked at once"},
	{"NoACLs", "POSIX ACLs are not consulted, only the mode bits"},
	{"KeepsSpecCreds", "no exec transforms the credentials: set-user-ID, set-group-ID and file capabilities ignored; a non-root user keeps its effective capabilities"},
	{"GoferChecks", "the gofer, root of the spec's user namespace, also walks and opens each file: an owner that namespace does not map closes it"},
	{"ShebangLine", "bytes of a #! line read"},
	{"EnvWithoutEqualsFatal", "a process.env entry without '=' kills the sandbox"},
	{"SandboxEOF", "what runsc prints when the sandbox dies before it reports"},
	{"StartPrefix", "the prefix of the sentry's errors of process creation"},
}

// writeSentries renders, for each gVisor row, how its sentry differs from
// Linux and runc, one behaviour a line with its citation.
func writeSentries(b *strings.Builder) {
	for i, l := range lines {
		if l.Sentry == nil {
			continue
		}
		s := l.Sentry
		fmt.Fprintf(b, "\n## gVisor: line %d, %s %s\n\n", i+1, l.Runtime, strings.Join(l.Versions, ", "))
		b.WriteString("Its sentry is a kernel of its own; where it differs from Linux and runc:\n\n")
		b.WriteString("| behaviour | value | upstream |\n|---|---|---|\n")
		for _, f := range sentryFields {
			var v string
			switch f.name {
			case "ShebangLine":
				v = fmt.Sprint(s.ShebangLine)
			case "SandboxEOF":
				v = "`" + s.SandboxEOF + "`"
			case "StartPrefix":
				v = "`" + s.StartPrefix + "`"
			default:
				v = fmt.Sprint(reflect.ValueOf(s).Elem().FieldByName(f.name).Bool())
			}
			fmt.Fprintf(b, "| %s: %s | %s | %s |\n", f.name, f.what, v, s.Cite[f.name])
		}
		b.WriteString("\nAnd as rows give it: ")
		var parts []string
		keys := make([]string, 0, len(l.Cite))
		for k := range l.Cite {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k != "Sentry" {
				parts = append(parts, fmt.Sprintf("%s (%s)", k, l.Cite[k]))
			}
		}
		b.WriteString(strings.Join(parts, "; "))
		b.WriteString(".\n")
	}
}

// String names the behaviours s sets, for Changes: "gVisor's sentry:
// cwd made by the gofer, …"; nil is the host kernel's own checks.
func (s *Sentry) String() string {
	if s == nil {
		return "none: the host kernel checks, as runc's init asks"
	}
	var on []string
	v := reflect.ValueOf(s).Elem()
	for _, f := range sentryFields {
		x := v.FieldByName(f.name)
		if x.Kind() == reflect.Bool && x.Bool() {
			on = append(on, f.name)
		}
	}
	return fmt.Sprintf("gVisor's sentry: %s; #! lines cut at %d bytes", strings.Join(on, ", "), s.ShebangLine)
}

// sentryUses are the Release fields besides Sentry that a row with a
// Sentry reads (runsc, the View): Changes between such a row and one
// without compares only these.
var sentryUses = map[string]bool{"Sentry": true, "UnknownCapsFatal": true, "LastCap": true, "AbsentCaps": true, "Tmpfs": true, "UserNSBind": true, "MountFlagWords": true}

// runscTrace records a step of a traced run of runsc (callers test
// e.tracing first, so that an untraced run formats nothing).
func (e *eval) runscTrace(step Step, err error, format string, args ...any) {
	e.tr = append(e.tr, TraceStep{Step: step, What: fmt.Sprintf(format, args...), Err: err})
}
