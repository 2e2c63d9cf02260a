package preexec

import "github.com/preexec/preexec/caps"

// The runc release lines, each read at its tags in opencontainers/runc
// (libcontainer/init_linux.go, standard_init_linux.go, rootfs_linux.go,
// specconv/spec_linux.go). A line's Cite names what differs from the line
// before it.

const (
	chdirText = `chdir to cwd (%q) set in config.json failed: %s`
	runc11Pre = `runc %[1]s failed: unable to start container process: error during container init: `
	runc11Pst = `runc %[1]s failed: unable to start container process: `
)

var (
	runcRC92 = &Release{
		Runtime: "runc", Join: joinRC92, Versions: []string{"1.0.0-rc92"}, OfficialGo: "1.14",
		Chdir: ChdirAsRoot, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll, UnknownCapsFatal: true,
		Errors: ErrorStyle{
			PreReady:  "container_linux.go:370: starting container process caused: process_linux.go:459: container init caused: ",
			PostReady: "container_linux.go:370: starting container process caused: ",
			Exec:      "standard_init_linux.go:219: exec user process caused: %[2]s",
			Chdir:     chdirText, SetupUser: "setup user: ", Caps: "apply caps: %s",
			InitSeccomp:    "standard_init_linux.go:207: init seccomp caused: %s",
			InitExitStatus: 1,
		},
		LastCap: caps.CAP_AUDIT_READ, EnvCheck: EnvQuotesPair, User: UserPasswd,
		SeccompIgnoresDefaultErrnoRet: true,
		SeccompRedundantRuleFatal:     true,
		Cite: map[string]string{
			"Join":       "opencontainers/runc libcontainer/setns_init_linux.go:linuxSetnsInit.Init@v1.0.0-rc92: LookPath in system.Execv, every error back to `runc exec` (exec.go: `exec failed: %v`)",
			"Chdir":      "5e0e67d76 (#2086): chdir first in finalizeNamespace, as root",
			"OfficialGo": "opencontainers/runc go.mod@v1.0.0-rc92: go 1.14 (rc92 … 1.0.3 were built by script/release.sh on the releaser's host, Go not recorded; Dockerfile@v1.0.0-rc92 says GO_VERSION=1.13)",
		},
	}
	runcRC93 = &Release{
		Runtime: "runc", Join: joinRC93, Versions: []string{"1.0.0-rc93"}, OfficialGo: "1.15",
		Chdir: ChdirAfterSetuid, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll, UnknownCapsFatal: true,
		Errors: ErrorStyle{
			PreReady:  "container_linux.go:367: starting container process caused: process_linux.go:495: container init caused: ",
			PostReady: "container_linux.go:367: starting container process caused: ",
			Exec:      "standard_init_linux.go:219: exec user process caused: %[2]s",
			Chdir:     chdirText, SetupUser: "setup user: ", Caps: "apply caps: %s",
			InitSeccomp:    "standard_init_linux.go:207: init seccomp caused: %s",
			InitExitStatus: 1,
		},
		LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesPair, User: UserPasswd,
		SeccompENOSYSStub: true, SeccompIgnoresDefaultErrnoRet: true,
		SeccompRedundantRuleFatal: true,
		SeccompFlags:              SeccompFlagsRefused,
		Cite: map[string]string{
			"SeccompFlags":      "7a8d7162f (#2750): SetupSeccomp refuses linux.seccomp.flags (`seccomp flags are not yet supported by runc`); real runs of rc93, 1.1.4, 1.1.15",
			"Join":              "file:line of linuxContainer.start's wrap moved",
			"SeccompENOSYSStub": "7a8d7162f (#2750): -ENOSYS stub for syscalls newer than the profile",
			"OfficialGo":        "opencontainers/runc Dockerfile@v1.0.0-rc93: GO_VERSION=1.15",
			"LastCap":           "gocapability 42c35b437635 vendored: CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE known",
			"Chdir":             "d869d05ab (#2712): chdir after setupUser, before the capabilities are applied",
			"Errors":            "file:line of the call sites moved",
		},
	}
	runcRC94 = &Release{
		Runtime: "runc", Join: joinRC94, Versions: []string{"1.0.0-rc94"}, OfficialGo: "1.15",
		Chdir: ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     rc94Errors,
		LastCap:    caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesPair, User: UserPasswd,
		SeccompENOSYSStub: true, SeccompIgnoresDefaultErrnoRet: true,
		SeccompRedundantRuleFatal: true,
		SeccompFlags:              SeccompFlagsRefused,
		Cite: map[string]string{
			"Join":             "file:line of linuxContainer.start's wrap moved",
			"Chdir":            "6ce2d63a5 (#2894): chdir as root, retried after setuid on EACCES/EPERM",
			"UnknownCapsFatal": "5fb831a0f (#2854): unknown capabilities are warned about and dropped",
			"Errors":           "file:line of the call sites moved",
		},
	}
	runcRC95 = &Release{
		Runtime: "runc", Join: joinRC94, Versions: []string{"1.0.0-rc95"}, OfficialGo: "1.16",
		Chdir: ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     rc94Errors,
		LastCap:    caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesPair, User: UserPasswd,
		SeccompENOSYSStub:         true,
		SeccompRedundantRuleFatal: true,
		SeccompFlags:              SeccompFlagsRefused,
		Cite: map[string]string{
			"SeccompIgnoresDefaultErrnoRet": "c61f60625 (#2954): defaultErrnoRet is honoured",
			"OfficialGo":                    "opencontainers/runc Dockerfile@v1.0.0-rc95: GO_VERSION=1.16",
		},
	}
	runc100 = &Release{
		Runtime: "runc", Join: joinRC94, Versions: []string{"1.0.0", "1.0.1"}, OfficialGo: "1.16",
		Chdir: ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     rc94Errors,
		LastCap:    caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesVariable, User: UserPasswd,
		SeccompENOSYSStub: true, SeccompRedundantRuleFatal: true,
		SeccompFlags: SeccompFlagsRefused,
		Cite:         map[string]string{"EnvCheck": "v1.0.0 init_linux.go:populateProcessEnvironment: `invalid environment variable: %q`, empty names and NUL refused"},
	}
	runc102 = &Release{
		Runtime: "runc", Join: joinRC94, Versions: []string{"1.0.2", "1.0.3"}, OfficialGo: "1.16",
		Chdir: ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     rc94Errors,
		LastCap:    caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesVariable, User: UserPasswd,
		SeccompENOSYSStub: true,
		SeccompFlags:      SeccompFlagsRefused,
		Cite:              map[string]string{"SeccompRedundantRuleFatal": "960182fdf (#3129, backport): matchCall skips a rule whose action is the default one"},
	}
	rc94Errors = ErrorStyle{
		PreReady:  "container_linux.go:380: starting container process caused: process_linux.go:545: container init caused: ",
		PostReady: "container_linux.go:380: starting container process caused: ",
		Exec:      "standard_init_linux.go:228: exec user process caused: %[2]s",
		Chdir:     chdirText, SetupUser: "setup user: ", Caps: "apply caps: %s",
		InitSeccomp:    "standard_init_linux.go:216: init seccomp caused: %s",
		InitExitStatus: 1,
	}
	joinRC92 = JoinStyle{Prefix: "exec failed: container_linux.go:370: starting container process caused: ", ExecveText: "%[2]s", ExitStatus: 1}
	joinRC93 = JoinStyle{Prefix: "exec failed: container_linux.go:367: starting container process caused: ", ExecveText: "%[2]s", ExitStatus: 1}
	joinRC94 = JoinStyle{Prefix: "exec failed: container_linux.go:380: starting container process caused: ", ExecveText: "%[2]s", ExitStatus: 1}
	join110  = JoinStyle{Prefix: "exec failed: unable to start container process: ", ExecveText: "exec %s: %s", ExitStatus: 255}
	join1112 = JoinStyle{Prefix: join110.Prefix, LookPath: JoinLookPathEarly, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Execve: JoinExecvePrinted, ExitStatus: 255}
	// joinDebian115 is Debian's runc 1.1.5+ds1-1+deb12u1 (DistroBuild.Join):
	// 1.1.12's setns init over 1.1.5's system.Eaccess.
	joinDebian115 = JoinStyle{Prefix: join110.Prefix, LookPath: JoinLookPathEarly, ExecCheck: ExecCheckFaccessat2ElseAccess, Execve: JoinExecvePrinted, ExitStatus: 255}
	join120       = JoinStyle{Prefix: join110.Prefix, LookPath: JoinLookPathEarly, Execve: JoinExecvePrinted, ExitStatus: 255}
	runc11Errors  = ErrorStyle{PreReady: runc11Pre, PostReady: runc11Pst, Exec: "exec %s: %s", Chdir: chdirText, SetupUser: "unable to setup user: ", Setgroups: "setgroups: ", Caps: "unable to apply caps: %s", Start: "runc %[1]s failed: ", InitExitStatus: 1}
	runc12Errors  = ErrorStyle{PreReady: runc11Pre, PostReady: runc11Pre, Exec: "exec %s: %s", Chdir: chdirText, SetupUser: "unable to setup user: ", Setgroups: "setgroups: ", Caps: "unable to apply caps: %s", Start: "runc %[1]s failed: ", InitExitStatus: 255}
	runc13Errors  = ErrorStyle{PreReady: runc11Pre, PostReady: runc11Pre, Exec: "exec %s: %s", Chdir: chdirText, SetupUser: "unable to setup user: ", Setgroups: "setgroups: ", Caps: "unable to apply caps: can't apply capabilities: %s", Start: "runc %[1]s failed: ", InitExitStatus: 255}
	runc110       = &Release{
		Runtime: "runc", Join: join110, Versions: []string{"1.1.0", "1.1.1", "1.1.2"}, OfficialGo: "1.17",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesVariable, User: UserPasswd,
		SeccompENOSYSStub: true, SeccompActions: SeccompActionsNotify, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite: map[string]string{
			"Join":            "60e02b4b2: runc exec exits 255 on its own failure; e918d0213 (#3033): `unable to start container process: `; 794cd66df (#3238): an execve error is `exec <path>: <errno>`",
			"SeccompActions":  "libcontainer/seccomp/config.go@v1.1.0: SCMP_ACT_NOTIFY known (2b025c017, #2682)",
			"SeccompListener": "libcontainer/process_linux.go:initProcess.start@v1.1.0 (procSeccomp): `listenerPath is not set`; real runs of 1.1.4 and 1.1.12: `runc run failed: unable to start container process: listenerPath is not set`",
			"OfficialGo":      "opencontainers/runc Dockerfile@v1.1.0: GO_VERSION=1.17, the image `make release` builds in from 1.1.0 (Makefile@v1.1.0)",
			"Errors":          "e918d0213 (#3033), d974b22ac (#3214): own error system removed, `runc run failed:` prefix; 794cd66df (#3238): `exec <path>: <errno>`; 7563a8f06 (#3270): `setgroups: <errno>`",
			"MountFlagWords":  "ba935a51a, 382eba435 (#3272): nosymfollow, symfollow and the recursive attributes (rro, rnosuid, …) are flags (libcontainer/specconv/spec_linux.go@v1.1.0)",
		},
	}
	runc113 = &Release{
		Runtime: "runc", Join: join110, Versions: []string{"1.1.3"}, OfficialGo: "1.17",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesVariable, User: UserPasswd,
		SeccompENOSYSStub: true, SeccompActions: SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite: map[string]string{
			"SeccompActions": "libcontainer/seccomp/config.go@v1.1.3: SCMP_ACT_KILL_THREAD and SCMP_ACT_KILL_PROCESS known (d105e052d); real runs: rc92 … 1.0.3 refuse SCMP_ACT_KILL_PROCESS, 1.1.4 on accept it",
			"note":           "split from 1.1.0 … 1.1.2 for SeccompActions alone",
		},
	}
	runc114 = &Release{
		Runtime: "runc", Join: join110, Versions: []string{"1.1.4", "1.1.5"}, OfficialGo: "1.17",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckFaccessat2ElseAccess, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesVariable, User: UserPasswd,
		SeccompENOSYSStub: true,
		SeccompActions:    SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite:         map[string]string{"ExecCheck": "d83a861d9 (#3541, backport of #3522): system.Eaccess after LookPath"},
	}
	runc116 = &Release{
		Runtime: "runc", Join: join110, Versions: []string{"1.1.6", "1.1.7"}, OfficialGo: "1.20",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvQuotesVariable, User: UserPasswd,
		SeccompENOSYSStub: true,
		SeccompActions:    SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite: map[string]string{
			"ExecCheck":  "840b95394 (#3817, backport of #3753): x/sys Faccessat for Go < 1.20, nothing for Go ≥ 1.20",
			"OfficialGo": "opencontainers/runc Dockerfile@v1.1.6: GO_VERSION=1.20",
		},
	}
	runc118 = &Release{
		Runtime: "runc", Join: join110, Versions: []string{"1.1.8"}, OfficialGo: "1.20",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvHidesPair, User: UserPasswd,
		SeccompENOSYSStub: true, Tmpfs: TmpfsModeDataNoSpecial,
		SeccompActions: SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite: map[string]string{
			"EnvCheck": "63af8b006: do not print environment variable value (`invalid environment variable: missing '='`)",
			"Tmpfs":    "9af462e4a (#3916, backport of #3912): a covered directory's mode is passed as mode= before the config's data",
		},
	}
	runc119 = &Release{
		Runtime: "runc", Join: join110, Versions: []string{"1.1.9", "1.1.10", "1.1.11"}, OfficialGo: "1.20",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvHidesPair, User: UserPasswd,
		SeccompENOSYSStub: true, Tmpfs: TmpfsModeData,
		SeccompActions: SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite: map[string]string{
			"Tmpfs": "3d3a2b38b (#3961, backport): syscallMode keeps the setuid, setgid and sticky bits of the covered directory's mode=",
		},
	}
	runc1112 = &Release{
		Runtime: "runc", Versions: []string{"1.1.12"}, OfficialGo: "1.20",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvHidesPair, User: UserPasswd,
		SeccompENOSYSStub: true, Tmpfs: TmpfsModeData, Join: join1112,
		SeccompActions: SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite: map[string]string{
			"Join": "fbe3eed1e: the setns init looks args[0] up early, with the x/sys eaccess of Go < 1.20 builds (opencontainers/runc libcontainer/setns_init_linux.go:linuxSetnsInit.Init@v1.1.12); 284ba3057 (GHSA-xr7r-f8xq-vfvv): fds closed before execve, so the process prints an execve error itself",
			"note": "1.1.12 adds verifyCwd (0994249a5, GHSA-xr7r-f8xq-vfvv), which never fires for a cwd inside the root",
		},
	}
	runc1113 = &Release{
		Runtime: "runc", Join: join1112, Versions: []string{"1.1.13"}, OfficialGo: "1.21",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvHidesPair, User: UserPasswd,
		SeccompENOSYSStub: true, Tmpfs: TmpfsModeData,
		SeccompActions: SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite:         map[string]string{"OfficialGo": "opencontainers/runc Dockerfile@v1.1.13: GO_VERSION=1.21"},
	}
	runc1114 = &Release{
		Runtime: "runc", Join: join1112, Versions: []string{"1.1.14", "1.1.15"}, OfficialGo: "1.22",
		MountFlagWords: MountFlagsRecursive,
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckXSysFaccessatBeforeGo120, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc11Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvHidesPair, User: UserPasswd,
		SeccompENOSYSStub: true, Tmpfs: TmpfsModeData,
		SeccompActions: SeccompActionsAll, SeccompListener: "listenerPath is not set",
		SeccompFlags: SeccompFlagsRefused,
		Cite:         map[string]string{"OfficialGo": "opencontainers/runc Dockerfile@v1.1.14: GO_VERSION=1.22"},
	}
	runc120 = &Release{
		Runtime: "runc", Join: join120, Versions: []string{"1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6", "1.2.7", "1.2.8", "1.2.9"}, OfficialGo: "1.22",
		MountFlagWords: MountFlagsIdmap,
		OfficialGoOf:   map[string]string{"1.2.6": "1.23", "1.2.7": "1.23", "1.2.8": "1.23", "1.2.9": "1.24"},
		Chdir:          ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll,
		Errors:     runc12Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvHidesPair, User: UserPasswd,
		SeccompENOSYSStub: true, Tmpfs: TmpfsModeData,
		Unmapped:       UnmappedEINVAL,
		SeccompActions: SeccompActionsAll, SeccompListener: "seccomp listenerPath is not set",
		SeccompFlags: SeccompFlagsChecked,
		Cite: map[string]string{
			"SeccompFlags":    "libcontainer/specconv/spec_linux.go:SetupSeccomp@v1.2.0: each flag through seccomp.FlagSupported; a real 1.2.0 run takes SECCOMP_FILTER_FLAG_LOG",
			"SeccompListener": "f81ef1493 (libcontainer/process_linux.go:initProcess.start@v1.2.0): `seccomp listenerPath is not set`; real runs of 1.2.0, 1.4.0, 1.6.0-rc.1: `runc run failed: unable to start container process: error during container init: seccomp listenerPath is not set`",
			"Join":            "a1e87f8d7 (#4292): eaccess removed from the setns init too",
			"ExecCheck":       "a1e87f8d7 (#4292): eaccess removed, LookPath only",
			"OfficialGo":      "opencontainers/runc Dockerfile GO_VERSION: 1.22 at v1.2.0 … v1.2.5, 1.23 at v1.2.6 … v1.2.8, 1.24 at v1.2.9",
			"Unmapped":        "9387eac3a (#4124): unmapped ids reported from setgid/setuid's EINVAL",
			"MountFlagWords":  "3b57e45cb (#3985): idmap and ridmap are flags (libcontainer/specconv/spec_linux.go@v1.2.0)",
			"Errors":          "c6e7b1a8e (#3982): every init error wrapped `error during container init:`; an init that fails after the start exits 255 (f2f16213e, libcontainer/init_linux.go:Init@v1.2.0)",
		},
	}
	runc130 = &Release{
		Runtime: "runc", Join: join120, Versions: []string{"1.3.0", "1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5", "1.3.6", "1.3.7"}, OfficialGo: "1.23",
		MountFlagWords: MountFlagsIdmap, EnvCheckAt: EnvCheckInFinalizeNamespace,
		OfficialGoOf: map[string]string{"1.3.4": "1.24", "1.3.5": "1.25", "1.3.6": "1.25", "1.3.7": "1.26"},
		Chdir:        ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvPathOnly,
		AbsentCaps: AbsentCapsKeep,
		Errors:     runc13Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvLastFirst, User: UserNumeric,
		RootlessGroups: RootlessGroupsFatalAtStart, SeccompENOSYSStub: true, Tmpfs: TmpfsModeData,
		Unmapped:       UnmappedEINVAL,
		SeccompActions: SeccompActionsAll, SeccompListener: "seccomp listenerPath is not set",
		SeccompFlags: SeccompFlagsChecked,
		Cite: map[string]string{
			"RootlessGroups": "52f702af5 (#3999): additionalGids refused in Container.start, before runc init",
			"OfficialGo":     "opencontainers/runc Dockerfile GO_VERSION: 1.23 at v1.3.0 … v1.3.3, 1.24 at v1.3.4, 1.25 at v1.3.5, v1.3.6, 1.26 at v1.3.7 (#5413)",
			"User":           "7dc248688 (#3999): numeric ids, no /etc/passwd or /etc/group",
			"EnvCheck":       "06f1e0765 (#4325): libcontainer/env.go:prepareEnv@v1.3.0 checks the entries last first",
			"EnvCheckAt":     "a56f2bc83 (backport of bf3864649, #4693): prepareEnv runs in finalizeNamespace, after the first chdir (libcontainer/init_linux.go:finalizeNamespace@v1.3.0)",
			"Errors":         "capabilities.go: `can't apply capabilities: %w`",
			"Env":            "06f1e0765 (#4325): only PATH enters runc-init's environment",
			"AbsentCaps":     "049a5f76c, 73849e797 (#4585): no process.capabilities leaves capabilities alone",
			"note":           "1.3.7 (CVE-2026-119101: runc restore's external mount names; runc features' version annotation, #5329) changes no pre-exec step; its Dockerfile GO_VERSION is 1.26 (#5413), a build of the same Go class as 1.23.12+",
		},
	}
	runc140 = &Release{
		Runtime: "runc", Join: join120, Versions: []string{"1.4.0", "1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.5.0", "1.5.1", "1.5.2", "1.5.3", "1.6.0-rc.1"}, OfficialGo: "1.25",
		MountFlagWords: MountFlagsIdmap, EnvCheckAt: EnvCheckInFinalizeNamespace,
		OfficialGoOf:  map[string]string{"1.4.0": "1.24", "1.4.4": "1.26", "1.5.2": "1.26", "1.5.3": "1.26", "1.6.0-rc.1": "1.26"},
		DropsDefaults: []string{"1.5.3"},
		Chdir:         ChdirAsRootThenRetry, CwdCreate: CwdMkdirAll, ExecCheck: ExecCheckNone, Env: EnvPathOnly,
		AbsentCaps: AbsentCapsKeep,
		Errors:     runc13Errors, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvLastFirst, User: UserNumeric,
		RootlessGroups: RootlessGroupsFatalAtStart, SeccompENOSYSStub: true, Tmpfs: TmpfsModeData,
		Unmapped:       UnmappedChownStdio,
		SeccompActions: SeccompActionsAll, SeccompListener: "seccomp listenerPath is not set",
		SeccompFlags: SeccompFlagsChecked,
		Cite: map[string]string{
			"Unmapped":      "9c5e687b6 (#4679): fixStdioPermissions chowns with chown(uid, -1) and no longer skips EINVAL, so an unmapped uid fails there (opencontainers/runc libcontainer/init_linux.go:fixStdioPermissions@v1.4.0)",
			"OfficialGo":    "Dockerfile GO_VERSION (1.24 at 1.4.0; 1.25 at 1.4.1, 1.4.2, 1.4.3, 1.5.0, 1.5.1; 1.26 from 1.4.4, 1.5.2, 1.6.0-rc.1 on, #5413 and its backports)",
			"DropsDefaults": "libcontainer/specconv/spec_linux.go:parseMountOptions@v1.5.3 (#5500) no longer passes `defaults` as mount data; 1.6.0-rc.1 still does. Real runs (tmpfs with options nosuid, defaults): runc 1.5.2, 1.6.0-rc.1 and every older runc fail at create with `… data=mode=0755,defaults: invalid argument`, 1.5.3 mounts it",
			"note": "internal/linux.Exec, same texts. 1.4.4: moby/sys/capability v0.5.0 (LastCap by PR_CAPBSET_READ, the same names known), maskDir retries nr_inodes=2 (2eb5880d5, 5d91aacd9), no host propagation change without a mount namespace (#5537); 1.5.2: HOME set for an absent env (321073efd, #5266; LookPath still sees PATH only), rslave root propagation (#5192), libseccomp-golang v0.12.0 (#5436); " +
				"1.5.3 (not 1.6.0-rc.1): root.readonly keeps the rootfs mount's nosuid, nodev, noexec (opencontainers/runc libcontainer/rootfs_linux.go:setReadonly@v1.5.3, #5588) and the `defaults` option is no longer passed as mount data (libcontainer/specconv/spec_linux.go:parseMountOptions@v1.5.3, #5500) — the first is not modelled (the model's rootfs mount has none of those flags); mount failures are outside the model's steps, but a mount option passed as data that the model does not know the filesystem to take makes the result unknown (mountdata.go; DropsDefaults)",
		},
	}
	crun181 = &Release{
		Runtime: "crun", Versions: []string{"1.8.1"}, LastCap: caps.CAP_CHECKPOINT_RESTORE, EnvCheck: EnvCheckNone, User: UserNumeric,
		MountFlagWords: MountFlagsCrun,
		Chdir:          ChdirCrun, CwdCreate: CwdEnsureIgnoringErrors, ExecCheck: ExecCheckNone, Env: EnvAll,
		AbsentCaps: AbsentCapsDropAll, RootlessGroups: RootlessGroupsIgnored, Tmpfs: TmpfsKernel,
		UserNSBind: UserNSBindReadonlyOnly, Unmapped: UnmappedCrun,
		Errors: ErrorStyle{InitExitStatus: 1}, DropsDefaults: []string{"1.8.1"},
		SeccompActions: SeccompActionsAll,
		SeccompFlags:   SeccompFlagsChecked,
		Join:           JoinStyle{LookPath: JoinLookPathEarly, Execve: JoinExecvePrinted, ExecveText: "exec: %[2]s", ExitStatus: 255},
		Cite: map[string]string{
			"Join":           "containers/crun src/libcrun/container.c:exec_process_entrypoint@1.8.1: chdir and find_executable as root, retried with the process's credentials (an error bare, crun exec exits 255: libcrun_container_exec_with_options sees no \"0\" on its pipe); `exec: <strerror>` from the process itself, which exits 1; a process without env gets the container's",
			"SeccompFlags":   "src/libcrun/seccomp.c@1.8.1: known flags applied, `unknown seccomp option %s` otherwise; a real run takes SECCOMP_FILTER_FLAG_LOG",
			"SeccompActions": "src/libcrun/seccomp.c:get_seccomp_action@1.8.1: every action libseccomp 2.5 has (ALLOW, ERRNO, KILL, LOG, TRAP, TRACE, KILL_PROCESS, KILL_THREAD, NOTIFY); another fails `invalid seccomp action `X``",
			"Chdir":          "d78dff2a: chdir retried after the capabilities are set; 2f13875f (#914): cwd creation errors ignored",
			"DropsDefaults":  "src/libcrun/mount_flags.perf: `defaults` is a flag word of no flags; a real crun 1.8.1 mounts a tmpfs with options nosuid, defaults",
		},
	}
)

var lines = []*Release{runcRC92, runcRC93, runcRC94, runcRC95, runc100, runc102, runc110, runc113, runc114, runc116, runc118, runc119, runc1112, runc1113, runc1114, runc120, runc130, runc140, crun181, runsc20221219}
