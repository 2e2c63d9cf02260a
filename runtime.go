package preexec

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// A Release is a row of the model: a runtime release line, consecutive
// versions that take every pre-exec step the same way. Each field is one
// behaviour; a field that
// differs from the previous line cites, in Cite, the upstream commit or PR
// that changed it (TestRowCitations holds them to the fields that differ).
// Lines are data: adding a version is adding it to a line's Versions or
// adding a line.
type Release struct {
	// Runtime is "runc" or "crun".
	Runtime string
	// Versions are the releases of the line, in release order, without
	// the leading v ("1.0.0-rc94", "1.1.4").
	Versions []string
	// OfficialGo is the Go toolchain of the official release binaries
	// ("1.17"), used for a name without +go; "" for crun (C). A version
	// built with another Go says so in OfficialGoOf.
	OfficialGo string
	// OfficialGoOf is, per version, the official binaries' Go where it is
	// not OfficialGo, as its Cite["OfficialGo"] records it (the Dockerfile's
	// GO_VERSION at the tag, which release builds use).
	OfficialGoOf map[string]string
	// DropsDefaults are the versions of the line that consume the mount
	// option `defaults` instead of passing it to the kernel as mount data
	// (runc before 1.5.3 passes it, and every filesystem the model knows
	// refuses it: opencontainers/runc#5500), as Cite["DropsDefaults"]
	// says.
	DropsDefaults []string

	// Chdir is where chdir(process.cwd) happens in finalizeNamespace.
	Chdir ChdirPlacement
	// CwdCreate is how a missing process.cwd is created.
	CwdCreate CwdCreate
	// ExecCheck is the check runc makes of LookPath's result before
	// execve (none, faccessat2 else access(2), x/sys Faccessat).
	ExecCheck ExecCheck
	// Env is what runc-init's own environment (which LookPath reads)
	// holds.
	Env InitEnv
	// AbsentCaps is what an absent process.capabilities means.
	AbsentCaps AbsentCaps
	// UnknownCapsFatal: an unknown capability name fails the container
	// (runc rc92, rc93) instead of being warned about and dropped.
	UnknownCapsFatal bool
	// LastCap is the highest capability the runtime's capability library
	// knows (rc92 vendors gocapability d98352740cb2: CAP_AUDIT_READ).
	LastCap caps.Cap
	// SeccompENOSYSStub: the filter answers ENOSYS for syscalls newer than
	// every one the profile names (runc rc93 on, patchbpf, 7a8d7162f,
	// #2750).
	SeccompENOSYSStub bool
	// SeccompIgnoresDefaultErrnoRet: the default action's errno is EPERM
	// whatever defaultErrnoRet says (runc before rc95, c61f60625, #2954).
	SeccompIgnoresDefaultErrnoRet bool
	// SeccompRedundantRuleFatal: a seccomp rule whose action equals the
	// default action fails the container (libseccomp refuses it; runc
	// before v1.0.2, spec.Seccomp.RedundantRule).
	SeccompRedundantRuleFatal bool
	// SeccompActions are the seccomp actions the release knows; an action
	// it does not know fails `runc run` before runc init starts
	// (SeccompActionsOf).
	SeccompActions SeccompActions
	// SeccompListener is what the release says of a filter with an
	// SCMP_ACT_NOTIFY rule and no linux.seccomp.listenerPath, after
	// Errors.PostReady: runc's parent refuses the notify fd its init sends
	// (libcontainer/process_linux.go:initProcess.start, procSeccomp); ""
	// for a release that installs such a filter without a listener, when
	// the kernel answers the call ENOSYS (crun; kernel/seccomp.c,
	// SECCOMP_RET_USER_NOTIF with no listener).
	SeccompListener string
	// SeccompFlags is what the release does with linux.seccomp.flags.
	SeccompFlags SeccompFlags
	// Tmpfs is how the mode of a tmpfs's root is chosen.
	Tmpfs TmpfsMode
	// UserNSBind is which of a bind mount's flags apply in a container
	// with a user namespace.
	UserNSBind UserNSBind
	// EnvCheck is how runc validates process.env entries.
	EnvCheck EnvCheck
	// EnvCheckAt is where in runc's init that validation runs.
	EnvCheckAt EnvCheckPlace
	// MountFlagWords are the mount options the runtime consumes as flags
	// rather than passing them to the kernel as the filesystem's data.
	MountFlagWords MountFlagWords
	// User is how process.user becomes credentials.
	User UserResolve
	// Unmapped is how a uid or gid without a mapping in the container's
	// user namespace fails.
	Unmapped UnmappedIDs
	// RootlessGroups is what a rootless runtime does with additionalGids.
	RootlessGroups RootlessGroups
	// Errors are the texts and wrappings the line prints.
	Errors ErrorStyle
	// Sentry, for gVisor's runsc, is how its sentry (a kernel of its own)
	// takes the steps where it differs from Linux and runc; nil for runc
	// and crun.
	Sentry *Sentry
	// Join is what `runc exec` (`crun exec`) does differently when it
	// joins a process to the running container (Host.Exec).
	Join JoinStyle
	// Cite justifies, per field name, how this line differs from the
	// previous one: "Chdir": "6ce2d63a5 (#2894)".
	Cite map[string]string
}

// ChdirPlacement says when runc (or crun) changes to process.cwd.
type ChdirPlacement int

const (
	// ChdirAsRoot: first thing in finalizeNamespace, as runc-init root with
	// every capability, no retry (runc rc10 … rc92, 5e0e67d76, #2086).
	ChdirAsRoot ChdirPlacement = iota
	// ChdirAfterSetuid: after setupUser, before the capabilities are
	// applied: a non-root user has no effective capabilities (runc rc93,
	// d869d05ab, #2712).
	ChdirAfterSetuid
	// ChdirAsRootThenRetry: as root first; on EACCES or EPERM again after
	// setupUser, without effective capabilities (runc rc94 on, 6ce2d63a5,
	// #2894).
	ChdirAsRootThenRetry
	// ChdirCrun: as root first; on any error again after the capabilities
	// are set, with the configured effective set (crun 1.4+, d78dff2a).
	ChdirCrun
)

var chdirNames = [...]string{"as root", "after setuid", "as root, retry after setuid", "as root, retry with caps"}

func (c ChdirPlacement) String() string { return chdirNames[c] }

// CwdCreate says how a missing process.cwd is created.
type CwdCreate int

const (
	// CwdMkdirAll: Go's os.MkdirAll(cwd, 0755) as runc-init root after
	// pivot_root; its error fails the container before it is ready
	// (runc, every version).
	CwdMkdirAll CwdCreate = iota
	// CwdEnsureIgnoringErrors: mkdirat per component, errors ignored
	// ("let it fail later") (crun ≥ 1.5, 2f13875f, #914).
	CwdEnsureIgnoringErrors
)

// ExecCheck is the check a runtime makes on LookPath's result before execve.
type ExecCheck int

const (
	// ExecCheckNone: nothing after LookPath.
	ExecCheckNone ExecCheck = iota
	// ExecCheckFaccessat2ElseAccess: faccessat2(X_OK, AT_EACCESS); on ENOSYS
	// or EPERM access(2), which ignores CAP_DAC_OVERRIDE for a non-root
	// uid; error `exec <name>: <errno>` (runc 1.1.4, 1.1.5, d83a861d9,
	// #3541).
	ExecCheckFaccessat2ElseAccess
	// ExecCheckXSysFaccessatBeforeGo120: for a binary built with Go < 1.20,
	// golang.org/x/sys Faccessat(X_OK, AT_EACCESS) (≥ v0.6.0: CAP_DAC_OVERRIDE
	// counts); error `eaccess <name>: <errno>`; nothing with Go ≥ 1.20
	// (runc 1.1.6 … 1.1.15, 840b95394, #3817).
	ExecCheckXSysFaccessatBeforeGo120
)

// TmpfsMode is how a runtime chooses the mode of a tmpfs mount's root,
// which the kernel makes 1777 unless the mount's data says mode=
// (mm/shmem.c), owned by the mounting process (the container's root) unless
// it says uid= or gid=.
type TmpfsMode int

const (
	// TmpfsChmodDir: over an existing directory, the tmpfs root is
	// chmodded to that directory's mode (os.Chmod of os.Stat's mode,
	// special bits kept) after mounting, whatever mode= said (runc rc92 …
	// 1.1.7, libcontainer/rootfs_linux.go:mountToRootfs).
	TmpfsChmodDir TmpfsMode = iota
	// TmpfsModeDataNoSpecial: over an existing directory, "mode=%04o" of
	// os.Stat's FileMode goes before the config's data, so a mode= of the
	// config wins; Go's FileMode keeps its setuid, setgid and sticky bits
	// outside 07777, so the kernel's mask drops them (runc 1.1.8,
	// 9af462e4a, #3916).
	TmpfsModeDataNoSpecial
	// TmpfsModeData: as TmpfsModeDataNoSpecial with syscallMode, so the
	// special bits are kept (runc 1.1.9 on, 3d3a2b38b, #3961).
	TmpfsModeData
	// TmpfsKernel: the runtime leaves the mode to mode= or the kernel's
	// 1777 (crun 1.8.1, src/libcrun/linux.c: no stat of the target).
	TmpfsKernel
)

var tmpfsNames = [...]string{"chmod to the covered dir's mode", "covered dir's mode= first (no special bits)", "covered dir's mode= first", "mode= or 1777"}

func (t TmpfsMode) String() string { return tmpfsNames[t] }

// UserNSBind is which of a bind mount's options (ro, noexec, nosuid,
// nodev) take effect when the container has a user namespace.
type UserNSBind int

const (
	// UserNSBindRemount: all of them, as without a user namespace: the
	// bind mount is remounted with the config's flags (runc,
	// libcontainer/rootfs_linux.go:mountToRootfs).
	UserNSBindRemount UserNSBind = iota
	// UserNSBindReadonlyOnly: noexec, nosuid and nodev only together with
	// ro. crun 1.8.1 clones the source in the host with open_tree
	// (src/libcrun/linux.c:prepare_and_send_mount_mounts), moves the clone
	// into place and calls do_mount with the flags less MS_BIND
	// (do_mounts), and do_mount remounts only for MS_BIND or MS_RDONLY:
	// without ro the clone keeps its source's flags.
	UserNSBindReadonlyOnly
)

var userNSBindNames = [...]string{"every option", "noexec, nosuid, nodev only with ro"}

func (u UserNSBind) String() string { return userNSBindNames[u] }

// EnvCheck is the validation of process.env entries by runc's init; each
// returns its first complaint. Where it runs is the row's EnvCheckAt.
type EnvCheck int

const (
	// EnvCheckNone: crun puts every entry as given.
	EnvCheckNone EnvCheck = iota
	// EnvQuotesPair: `invalid environment 'PAIR'` for an entry without '=',
	// then os.Setenv's own errors (runc rc92 … rc95, opencontainers/runc
	// libcontainer/init_linux.go:populateProcessEnvironment@v1.0.0-rc92).
	EnvQuotesPair
	// EnvQuotesVariable: `invalid environment variable: "PAIR"`, empty
	// names and NUL bytes refused (runc 1.0.0 … 1.1.7).
	EnvQuotesVariable
	// EnvHidesPair: as EnvQuotesVariable without printing the pair
	// (63af8b006, runc 1.1.8 … 1.2.x).
	EnvHidesPair
	// EnvLastFirst: from the last entry backwards (opencontainers/runc
	// libcontainer/env.go:prepareEnv@v1.3.0, 06f1e0765, #4325; runc 1.3.0
	// on).
	EnvLastFirst
)

// EnvCheckPlace is where runc's init validates process.env (EnvCheck).
type EnvCheckPlace int

const (
	// EnvCheckBeforeReady: in newContainerInit's
	// populateProcessEnvironment, before the init reports ready (runc ≤
	// 1.2.x, opencontainers/runc
	// libcontainer/init_linux.go:populateProcessEnvironment@v1.2.0).
	EnvCheckBeforeReady EnvCheckPlace = iota
	// EnvCheckInFinalizeNamespace: in finalizeNamespace, after the first
	// chdir, so after ready (runc 1.3.0 on, a56f2bc83, backport of #4693:
	// opencontainers/runc libcontainer/init_linux.go:finalizeNamespace@v1.3.0).
	EnvCheckInFinalizeNamespace
)

// MountFlagWords is which mount options a runtime consumes as mount flags
// (the rest are the filesystem's data).
type MountFlagWords int

const (
	// MountFlagsClassic: runcFlagWords (opencontainers/runc
	// libcontainer/specconv/spec_linux.go@v1.0.0-rc92 … v1.0.3).
	MountFlagsClassic MountFlagWords = iota
	// MountFlagsRecursive: those, nosymfollow, symfollow and the
	// recursive attributes rro, rnosuid, … (runc110FlagWords: runc 1.1.0
	// on, ba935a51a, 382eba435, #3272).
	MountFlagsRecursive
	// MountFlagsIdmap: those and idmap, ridmap (runc120FlagWords: runc
	// 1.2.0 on, 3b57e45cb, #3985).
	MountFlagsIdmap
	// MountFlagsCrun: crunFlagWords (crun 1.8.1,
	// src/libcrun/mount_flags.perf).
	MountFlagsCrun
)

// UserResolve is how process.user becomes the credentials runc sets.
type UserResolve int

const (
	// UserNumeric: the ids as given (runc ≥ 1.3.0, 7dc248688, #3999; crun).
	UserNumeric UserResolve = iota
	// UserPasswd: libcontainer/user.GetExecUserPath over the container's
	// /etc/passwd and /etc/group: read errors are fatal, ids must be in
	// 0 … 2³¹−1, additional gids may name a group (runc ≤ 1.2.x).
	UserPasswd
)

// UnmappedIDs is how a runtime reports process.user ids that its user
// namespace does not map.
type UnmappedIDs int

const (
	// UnmappedUpFront: checked before setgroups, uid first: `cannot set uid
	// to unmapped user in user namespace` (runc ≤ 1.1.x, init_linux.go:setupUser).
	UnmappedUpFront UnmappedIDs = iota
	// UnmappedEINVAL: from setgid's and setuid's EINVAL, gid first: `cannot
	// setgid to unmapped gid N in user namespace` (runc 1.2.0 on, 9387eac3a,
	// #4124).
	UnmappedEINVAL
	// UnmappedChownStdio: as UnmappedEINVAL, but an unmapped uid fails
	// earlier, when fixStdioPermissions chowns the container's stdin to it:
	// `chown /dev/stdin: invalid argument` (runc 1.4.0 on no longer ignores
	// EINVAL there; stdio not /dev/null, as engines give it).
	UnmappedChownStdio
	// UnmappedCrun: setresgid, then setresuid, fail with `cannot setresgid
	// to N: Invalid argument` (crun's set_required_caps).
	UnmappedCrun
)

// RootlessGroups is what a rootless runtime (Host.Rootless) does with
// process.user.additionalGids, which it cannot set: setgroups is denied in
// a user namespace its unprivileged user mapped.
type RootlessGroups int

const (
	// RootlessGroupsFatalInInit: setupUser fails with `cannot set any
	// additional groups in a rootless container`, after the user lookup
	// and the unmapped-id checks (runc ≤ 1.2.x, init_linux.go:setupUser).
	RootlessGroupsFatalInInit RootlessGroups = iota
	// RootlessGroupsFatalAtStart: the same text, from Container.start
	// before runc init runs, with only the `runc run failed: ` prefix
	// (runc 1.3.0 on, 52f702af5, #3999).
	RootlessGroupsFatalAtStart
	// RootlessGroupsIgnored: no refusal; setgroups(additionalGids) is
	// called unless /proc/self/setgroups says "deny" — a gid mapping of
	// one id — and the list is then ignored (crun 1.8.1,
	// src/libcrun/linux.c:libcrun_container_setgroups@1.8.1; see
	// Host.Rootless).
	RootlessGroupsIgnored
)

// InitEnv is the environment runc-init's LookPath sees.
type InitEnv int

const (
	// EnvAll: every process.env entry (runc ≤ 1.2.x).
	EnvAll InitEnv = iota
	// EnvPathOnly: only PATH (runc ≥ 1.3.0, 06f1e0765, #4325).
	EnvPathOnly
)

// AbsentCaps is what a config.json without process.capabilities means.
type AbsentCaps int

const (
	// AbsentCapsDropAll: every set is emptied (runc ≤ 1.2.x, crun).
	AbsentCapsDropAll AbsentCaps = iota
	// AbsentCapsKeep: runc-init's capabilities are left alone (runc ≥
	// 1.3.0, 049a5f76c + 73849e797, #4585).
	AbsentCapsKeep
)

// ErrorStyle holds the texts a line prints.
type ErrorStyle struct {
	// PreReady and PostReady prefix an error before and after the init
	// process reported ready (its procReady message to opencontainers/runc
	// libcontainer/process_linux.go:initProcess.start); CLI is "run" or
	// "create" where the prefix names it.
	PreReady, PostReady string
	// Exec formats the line runc init prints when execve fails, with %s
	// for the path and the errno text: `exec %s: %s`, or
	// `standard_init_linux.go:219: exec user process caused: %[2]s`.
	Exec string
	// Chdir formats the chdir error: `chdir to cwd (%q) set in
	// config.json failed: %s`.
	Chdir string
	// SetupUser prefixes user resolution errors: `setup user: ` (≤ 1.0.3),
	// `unable to setup user: ` (1.1+).
	SetupUser string
	// Setgroups prefixes the errno of a failed setgroups in setupUser:
	// "" (runc ≤ 1.0.3 returns unix.Setgroups' error as it is),
	// `setgroups: ` (runc 1.1.0 on wraps it in os.SyscallError, 7563a8f06,
	// #3270: opencontainers/runc libcontainer/init_linux.go:setupUser@v1.1.0).
	Setgroups string
	// Caps formats a capset failure with %s for the errno text.
	Caps string
	// Start prefixes an error of runc's own create, before runc init runs:
	// `runc %[1]s failed: ` from 1.1.0 (create.go and run.go wrap
	// startContainer's error, d974b22ac, #3214); "" before, where fatal
	// prints the error bare.
	Start string
	// InitSeccomp formats the line runc init prints when it fails to
	// install the seccomp filter after ready (noNewPrivileges), with %s
	// for the error; "" where that cannot fail (runc ≤ 1.0.1 only).
	InitSeccomp string
	// InitExitStatus is the exit status of the container's process when
	// init fails after the start, printing its error on the container's
	// stderr (the final execve, or runc ≤ 1.0.x's seccomp under
	// noNewPrivileges): 1 for runc ≤ 1.1 (opencontainers/runc
	// init.go:init@v1.1.15, os.Exit(1)) and crun (as the runtime oracle
	// records it); 255 from runc 1.2.0 (opencontainers/runc
	// libcontainer/init_linux.go:Init@v1.2.0, os.Exit(255)).
	InitExitStatus int
}

// A Runtime is one runtime binary the model predicts: a version of a Release
// built with a Go toolchain.
type Runtime struct {
	// Name is the name it was looked up by: runtime@version+goX.Y
	// ("runc@1.1.4+go1.19"), crun@version.
	Name string
	// Release is the row that answers for it: the one naming
	// Version, else (Extrapolated) the newest older release's.
	Release *Release
	// Version is the release ("1.1.4", "1.0.0-rc93"; "1.7.0" for a name
	// given as runc@1.7).
	Version string
	// Go is the toolchain that built it ("1.19", "1.20.1", "1.26"); ""
	// for crun. A minor without a patch level names every patch release
	// of it: where they take os/exec.LookPath differently and that
	// changes the answer, Evaluate's result is unknown (ErrGoPatch).
	Go string
	// Extrapolated says why the model answers for this runtime with the
	// behaviour of another ("runc 1.7.0 is not modelled; answered as runc
	// 1.6.0-rc.1, the newest older release modelled"; a Go newer than
	// NewestGo); "" when the rows name it.
	Extrapolated string
}

// Releases returns the rows of the model, runc first, in release order.
func Releases() []*Release { return lines }

// Runtimes returns every runtime the model knows: each runc version of
// each line built with each toolchain of runcBuilds that builds it, and
// crun; in table order, a version's builds in runcBuilds' order (oldest Go
// first). These are the builds .ci/install-runtimes makes for the runtime
// oracle, but for gVisor's runsc, a sandbox rather than a drop-in runc,
// which LookupRuntime answers by name (runsc@20221219.0+debian).
func Runtimes() []Runtime {
	var out []Runtime
	for _, l := range lines {
		for _, v := range l.Versions {
			if l.Runtime == "crun" {
				out = append(out, Runtime{Name: "crun@" + v, Release: l, Version: v})
				continue
			}
			if l.Sentry != nil {
				// gVisor is not a drop-in runc: named, not catalogued.
				continue
			}
			for _, b := range runcBuilds {
				if b.builds(v) {
					out = append(out, Runtime{Name: "runc@" + v + "+go" + b.Go, Release: l, Version: v, Go: b.Go})
				}
			}
		}
	}
	return out
}

// A runcBuild is the runc releases one Go toolchain builds for the runtime
// oracle (.ci/install-runtimes, which TestInstallScriptBuildsRuntimes holds
// to this table).
type runcBuild struct {
	// Go is the toolchain, as the builds' names give it ("1.19").
	Go string
	// Before, if set, limits the builds to releases older than it.
	Before string
	// Versions, if set, are the only releases built.
	Versions []string
	// Source is where .ci/install-runtimes lists them.
	Source string
}

// runcBuilds are the Go toolchains the runtime oracle's runc binaries are
// built with, oldest first.
var runcBuilds = []runcBuild{
	{Go: "1.19", Before: "1.2.0",
		Source: "go119_tags: Debian's Go 1.19, the toolchain of their era, for rc92 … 1.1.15 (runc 1.2.0's go.mod wants Go 1.22)"},
	{Go: "1.26",
		Source: "default_tags: the default Go, every release"},
	{Go: "1.27", Versions: []string{
		"1.0.0-rc92", "1.0.0-rc93", "1.0.0-rc94", "1.1.4", "1.1.6", "1.1.12",
		"1.2.0", "1.2.9", "1.3.0", "1.3.7", "1.4.0", "1.4.4", "1.5.3", "1.6.0-rc.1"},
		Source: "go127_tags: Go 1.27.3 (GOTOOLCHAIN=go1.27.3), a sample of every line"},
}

// builds reports whether b builds runc release v.
func (b runcBuild) builds(v string) bool {
	if b.Before != "" && spec.CompareVersions(v, b.Before) >= 0 {
		return false
	}
	return b.Versions == nil || slices.Contains(b.Versions, v)
}

// LookupRuntime returns the runtime named name: "runc@1.1.4+go1.19",
// "runc@1.1.4" (the official binary's Go), "runc@1.1.5+debian" (a known
// distribution build, DistroBuilds), "crun@1.8.1".
//
// A version the rows do not name is answered from the newest older
// modelled release of the same runtime, and a Go newer than NewestGo with
// NewestGo's behaviour; the Runtime then says why in Extrapolated. A
// version older than every modelled release, a malformed name, an unknown
// build suffix, and crun with one, are errors (*RuntimeError).
//
// A version may be given as X.Y ("runc@1.7", "crun@1.9"): a minor the rows
// model no release of means X.Y.0, answered as above and marked
// extrapolated; a minor they model releases of ("runc@1.1") is refused,
// naming them, since they may answer differently.
func LookupRuntime(name string) (Runtime, error) {
	kind, rest, ok := strings.Cut(name, "@")
	if ok && kind == "runsc" {
		return lookupRunsc(name, rest)
	}
	if !ok || (kind != "runc" && kind != "crun") {
		return Runtime{}, runtimeErr(name, "want runc@VERSION[+goX.Y] or crun@VERSION")
	}
	version, build, _ := strings.Cut(rest, "+")
	short := ""
	if full, ok, err := shortVersion(name, kind, version); err != nil {
		return Runtime{}, err
	} else if ok {
		short, version = version, full
	}
	if !validVersion(version) {
		return Runtime{}, runtimeErr(name, "%s", versionForms(kind))
	}
	l, modelled := lineOf(kind, version)
	if l == nil {
		return Runtime{}, runtimeErr(name, "%s %s is older than every %s release modelled (%s)", kind, version, kind, oldestVersion(kind))
	}
	rt := Runtime{Name: name, Release: l, Version: version}
	var why []string
	if modelled != version {
		read := ""
		if short != "" {
			read = fmt.Sprintf(" (%s read as %s)", short, version)
		}
		why = append(why, fmt.Sprintf("%s %s%s is not modelled; answered as %s %s, the newest older release modelled", kind, version, read, kind, modelled))
	}
	switch {
	case kind == "crun":
		if build != "" {
			return Runtime{}, runtimeErr(name, "crun takes no +build")
		}
	case build == "":
		rt.Go = l.officialGo(modelled)
		if modelled != version {
			why[0] += fmt.Sprintf(" with its official binaries' Go %s", rt.Go)
		}
	case strings.HasPrefix(build, "go"):
		g, err := parseGo(build[2:])
		if err != nil {
			return Runtime{}, runtimeErr(name, "%v", err)
		}
		rt.Go = build[2:]
		newest, _ := parseGo(NewestGo())
		if !newest.atLeast(g.major, g.minor, g.patch) {
			why = append(why, fmt.Sprintf("Go %s is newer than every toolchain modelled; answered with Go %s's behaviour", rt.Go, NewestGo()))
		}
	default:
		d, ok := distroBuild(build, version)
		if !ok {
			return Runtime{}, runtimeErr(name, "want +goX.Y, or a known distribution build (%s)", distroBuildNames())
		}
		rt.Go = d.Go
		if d.Join != nil {
			// The package's own exec path: a row of its own, apart from
			// the upstream release's in a Compare.
			rt.Release = distroRows()[d.Build+"@"+d.Version]
		}
	}
	if w := goTooOld(rt.Go); w != "" {
		why = append(why, w)
	}
	rt.Extrapolated = strings.Join(why, "; ")
	return rt, nil
}

// LookupRuntimes returns the runtimes that names name, in order, each as
// LookupRuntime returns it; a name it refuses is left out and its
// *RuntimeError joined into err, so that one bad name does not lose the
// others.
func LookupRuntimes(names []string) ([]Runtime, error) {
	var rts []Runtime
	var errs []error
	for _, n := range names {
		rt, err := LookupRuntime(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rts = append(rts, rt)
	}
	return rts, errors.Join(errs...)
}

// validVersion reports whether v is a release version as the rows spell
// them: X.Y.Z with an optional -rcN or -rc.N.
func validVersion(v string) bool {
	core, pre, hasPre := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if !allDigits(p) {
			return false
		}
	}
	if !hasPre {
		return true
	}
	n, ok := strings.CutPrefix(pre, "rc")
	n = strings.TrimPrefix(n, ".")
	return ok && allDigits(n)
}

func allDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lineOf returns the line of kind that answers version: the line naming
// it, else the line of the newest older release modelled, and the release
// it names (want itself when modelled); nil if every release modelled
// is newer.
func lineOf(kind, want string) (*Release, string) {
	var best *Release
	var bestV string
	for _, l := range lines {
		if l.Runtime != kind {
			continue
		}
		for _, v := range l.Versions {
			if v == want {
				return l, v
			}
			if spec.CompareVersions(v, want) < 0 && (best == nil || spec.CompareVersions(bestV, v) < 0) {
				best, bestV = l, v
			}
		}
	}
	return best, bestV
}

// oldestVersion is the oldest release of kind modelled.
func oldestVersion(kind string) string {
	var oldest string
	for _, l := range lines {
		if l.Runtime != kind {
			continue
		}
		for _, v := range l.Versions {
			if oldest == "" || spec.CompareVersions(v, oldest) < 0 {
				oldest = v
			}
		}
	}
	return oldest
}

// goVersion returns the toolchain that built rt (zero for crun or a bad
// version, which LookupRuntime refuses).
func (rt Runtime) goVersion() goVersion {
	if rt.Go == "" {
		return goVersion{}
	}
	g, _ := parseGo(rt.Go)
	return g
}

// goVersion is a Go toolchain version; a missing patch is the newest.
type goVersion struct{ major, minor, patch int32 }

// noPatch is the patch of a goVersion given as a minor alone ("1.20"):
// past every release's.
const noPatch = 1 << 20

func parseGo(s string) (goVersion, error) {
	major, rest, ok := strings.Cut(s, ".")
	if !ok {
		return goVersion{}, fmt.Errorf("bad Go version %q", s)
	}
	minor, patch, hasPatch := strings.Cut(rest, ".")
	a, err1 := strconv.ParseInt(major, 10, 32)
	b, err2 := strconv.ParseInt(minor, 10, 32)
	c, err3 := int64(noPatch), error(nil)
	if hasPatch {
		c, err3 = strconv.ParseInt(patch, 10, 32)
	}
	if err1 != nil || err2 != nil || err3 != nil {
		return goVersion{}, fmt.Errorf("bad Go version %q", s)
	}
	return goVersion{int32(a), int32(b), int32(c)}, nil
}

func (g goVersion) atLeast(major, minor, patch int32) bool {
	if g.major != major {
		return g.major > major
	}
	if g.minor != minor {
		return g.minor > minor
	}
	return g.patch >= patch
}
