package runtimetest

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/caps"
)

// Curated returns the hand-written cases, in table order. Each row's rule
// cites the upstream code whose behaviour it pins: runc files are
// opencontainers/runc's (under libcontainer/ but utils_linux.go; commits
// and PRs where a release changed it), crun's are containers/crun's under
// src/libcrun/ at 1.8.1, kernel files torvalds/linux's, Go's golang/go's. Names are unique
// snake_case rules. The outcomes are not in the table: they are what the
// real runtimes do, recorded in testdata/runtime/curated/.
func Curated() []Case {
	var cs []Case
	add := func(c Case) {
		if c.Seccomp == "" {
			c.Seccomp = SeccompNone
		}
		cs = append(cs, c)
	}

	// The two incidents.
	add(Case{
		Name:   "rc93_chdir_distroless_nonroot_home_openshift_uid",
		Rule:   "init_linux.go:finalizeNamespace: rc93 chdirs after setuid with E=∅, so /home/nonroot 0700 65532:65532 denies uid 1000680000 gid 0: `chdir to cwd (\"/home/nonroot\") set in config.json failed: permission denied`; rc92 and rc94+ chdir as root first (d869d05ab, #2712; 6ce2d63a5, #2894)",
		Rootfs: rootfsOf(Base, "dir /home/nonroot 0700 65532:65532"),
		Process: Process{UID: 1000680000, GID: 0, Cwd: "/home/nonroot", Args: echoArgs,
			Env: []string{DefaultPATH}, Capabilities: &Capabilities{}},
	})
	incident114 := func(name, rule string, sc Seccomp, nnp bool) {
		p := proc(1000, 1000, "/", "/entrypoint.sh")
		p.Capabilities = everySet("CAP_DAC_OVERRIDE")
		p.NoNewPrivileges = nnp
		add(Case{Name: name, Rule: rule, Seccomp: sc, Process: p,
			Rootfs: rootfsOf(Base, "file /entrypoint.sh 0744 0:0 "+StartScript)})
	}
	incident114("runc114_eaccess_0744_dac_override_faccessat2_enosys",
		"system.Eaccess@v1.1.4 (d83a861d9, #3541): 1.1.4/1.1.5 Eaccess falls back to access(2) on ENOSYS, which ignores CAP_DAC_OVERRIDE for a non-root real uid (fs/open.c:access_override_creds): `exec /entrypoint.sh: permission denied`; the seccomp filter is installed before the check when noNewPrivileges is false (standard_init_linux.go:Init)",
		SeccompFaccessat2ENOSYS, false)
	incident114("runc114_eaccess_0744_dac_override_faccessat2_allowed",
		"system.Eaccess@v1.1.4: with faccessat2 available Eaccess uses AT_EACCESS, where CAP_DAC_OVERRIDE grants exec because some x bit is set (fs/namei.c:generic_permission), so every runtime starts",
		SeccompNone, false)
	incident114("runc114_eaccess_0744_dac_override_faccessat2_eperm",
		"system.Eaccess@v1.1.4: 1.1.4/1.1.5 fall back on EPERM too; crun's glibc eaccess falls back only on ENOSYS and crun looks up as root before seccomp (crun container.c:container_init_setup, utils.c:check_access)",
		SeccompFaccessat2EPERM, false)
	incident114("runc114_eaccess_0744_dac_override_enosys_no_new_privileges",
		"standard_init_linux.go:Init: with noNewPrivileges the filter is installed after LookPath/eaccess, so faccessat2 still works at the check and only execve is filtered",
		SeccompFaccessat2ENOSYS, true)

	// Allowlist seccomp profiles (default SCMP_ACT_ERRNO) on the 1.1.4
	// entrypoint: what faccessat2 answers decides whether 1.1.4/1.1.5 fall
	// back to access(2) (ENOSYS, EPERM) or fail on the answer itself, and
	// whether Go ≥ 1.20's LookPath emulates (ENOSYS, EPERM) or refuses.
	incident114("seccomp_errno_allow_old_enosys_stub",
		"standard_init_linux.go:Init: default SCMP_ACT_ERRNO, every syscall older than faccessat2 allowed: runc ≥ rc93's -ENOSYS stub (patchbpf, 7a8d7162f) answers faccessat2 ENOSYS, rc92's filter EPERM; 1.1.4/1.1.5 fall back to access(2) on both",
		SeccompErrnoAllowOld, false)
	incident114("seccomp_errno_allow_old_no_new_privileges",
		"standard_init_linux.go:Init: with noNewPrivileges the allowlist is installed after the checks: faccessat2 answers during them and only execve is filtered (allowed)",
		SeccompErrnoAllowOld, true)
	incident114("seccomp_errno_enosys_allow_old",
		"standard_init_linux.go:Init: defaultErrnoRet 38 with only older syscalls allowed: ENOSYS from the stub (rc93 on) or, where honoured (rc95 on, c61f60625), from the default action; rc92 answers EPERM",
		SeccompErrnoENOSYSAllowOld, false)
	incident114("seccomp_errno_enosys_allow_all",
		"standard_init_linux.go:Init: defaultErrnoRet 38 with syscalls newer than faccessat2 allowed (no stub for it): runc before rc95 ignores defaultErrnoRet (EPERM), rc95 on answers ENOSYS",
		SeccompErrnoENOSYSAllowAll, false)
	incident114("seccomp_errno_eperm_allow_all",
		"standard_init_linux.go:Init: defaultErrnoRet 1 with syscalls newer than faccessat2 allowed: faccessat2 is EPERM on every runc",
		SeccompErrnoEPERMAllowAll, false)
	incident114("seccomp_errno_eacces_allow_all",
		"standard_init_linux.go:Init: defaultErrnoRet 13: runc before rc95 answers EPERM (1.1.4-style checks fall back), rc95 on EACCES, which 1.1.4/1.1.5's eaccess and Go ≥ 1.20's LookPath report as permission denied without a fallback",
		SeccompErrnoEACCESAllowAll, false)
	incident114("seccomp_errno_eacces_allow_all_no_new_privileges",
		"standard_init_linux.go:Init: the defaultErrnoRet 13 allowlist with noNewPrivileges: installed after the checks, it no longer answers faccessat2",
		SeccompErrnoEACCESAllowAll, true)
	incident114("seccomp_errno_allow_old_faccessat2_rule_eacces",
		"standard_init_linux.go:Init: an explicit SCMP_ACT_ERRNO rule for faccessat2 (errnoRet 13) names it, so runc's stub starts after it and the rule answers EACCES on every runc",
		SeccompErrnoAllowOldFaccessat2EACCES, false)
	incident114("seccomp_errno_allow_old_faccessat2_rule_same_as_default",
		"standard_init_linux.go:Init: a faccessat2 rule equal to the default action (SCMP_ACT_ERRNO, EPERM): runc 1.0.2 on skips it as redundant (matchCall, 960182fdf), still naming faccessat2 for the stub, while rc92 … 1.0.1 fail: `error adding seccomp filter rule for syscall faccessat2: permission denied`, so the default EPERM answers",
		SeccompErrnoAllowOldFaccessat2Errno, false)
	incident114("seccomp_errno_allow_old_faccessat2_rule_same_as_default_no_new_privileges",
		"standard_init_linux.go:Init: the redundant faccessat2 rule with noNewPrivileges: runc before 1.0.2 still refuses it, when it installs the filter after the checks",
		SeccompErrnoAllowOldFaccessat2Errno, true)

	// chdir placement: rc92 root only, rc93 after setuid, rc94+ root then retry.
	add(Case{
		Name:    "chdir_gid0_group_dir_openshift",
		Rule:    "fs/namei.c:acl_permission_check: the group class decides for gid 0 on a 0770 1001:0 directory (OpenShift's arbitrary uid with gid 0), so even rc93's chdir after setuid passes (finalizeNamespace)",
		Rootfs:  rootfsOf(Base, "dir /app 0770 1001:0"),
		Process: proc(1000680000, 0, "/app", echoArgs...),
	})
	add(Case{
		Name:    "chdir_fowner_only_0700_root_dir",
		Rule:    "fs/namei.c:generic_permission: CAP_FOWNER never grants search; rc93 chdirs with E=∅ anyway and fails, rc92/rc94+ chdir as root (finalizeNamespace; d869d05ab, #2712; 6ce2d63a5, #2894)",
		Rootfs:  rootfsOf(Base, "dir /data 0700 0:0"),
		Process: withCaps(proc(1000, 1000, "/data", echoArgs...), everySet("CAP_FOWNER")),
	})
	add(Case{
		Name:    "chdir_dac_read_search_0000_dir",
		Rule:    "fs/namei.c:generic_permission: CAP_DAC_READ_SEARCH grants search of a 0000 directory, but rc93's chdir after setuid runs with E=∅ (finalizeNamespace)",
		Rootfs:  rootfsOf(Base, "dir /data 0000 0:0"),
		Process: withCaps(proc(1000, 1000, "/data", echoArgs...), everySet("CAP_DAC_READ_SEARCH")),
	})
	add(Case{
		Name:    "chdir_owner_class_precedence_dir_0077",
		Rule:    "fs/namei.c:acl_permission_check: the owner class decides alone: a 0077 directory owned by the user is not searchable by it although group and other are rwx; runc rc94+ still enters it as root first (finalizeNamespace)",
		Rootfs:  rootfsOf(Base, "dir /home/app 0077 1000:1000"),
		Process: proc(1000, 1000, "/home/app", echoArgs...),
	})
	add(Case{
		Name: "chdir_userns_unmapped_owner_acl_grants_user",
		Rule: "kernel/capability.c:capable_wrt_inode_uidgid: in a user namespace capabilities do not apply to an inode whose owner is unmapped; the container root is other (---) on /data 0700 5000:5000 while the ACL entry u:101000 grants the user: rc92 (root only) fails, rc93 (user) and rc94+ (root, then retry as the user) pass (finalizeNamespace)",
		Rootfs: rootfsOf(BaseUserNS,
			"dir /data 0700 5000:5000 acl=u::rwx,u:101000:r-x,g::---,m::r-x,o::---"),
		Process: proc(1000, 1000, "/data", echoArgs...),
		UserNS:  userns100000(),
	})
	add(Case{
		Name: "chdir_userns_unmapped_owner_no_acl",
		Rule: "kernel/capability.c:capable_wrt_inode_uidgid: an unmapped-owner 0700 directory is closed to the container root (no capability applies) and to the user: every runtime fails chdir, with its own text (finalizeNamespace; crun container.c:container_init_setup)",
		Rootfs: rootfsOf(BaseUserNS,
			"dir /data 0700 5000:5000"),
		Process: proc(1000, 1000, "/data", echoArgs...),
		UserNS:  userns100000(),
	})

	// Ids without a mapping in the container's user namespace (init_linux.go:setupUser).
	add(Case{
		Name:    "user_uid_unmapped_in_userns",
		Rule:    "init_linux.go:setupUser: a uid outside the namespace's map: runc ≤ 1.1 refuses it up front (`cannot set uid to unmapped user in user namespace`), 1.2+ from setuid's EINVAL (`cannot setuid to unmapped uid 70000 in user namespace`)",
		Rootfs:  rootfsOf(BaseUserNS),
		Process: proc(70000, 1000, "/", echoArgs...),
		UserNS:  userns100000(),
	})
	add(Case{
		Name:    "user_additional_gid_unmapped_in_userns",
		Rule:    "kernel/groups.c:SYSCALL_DEFINE2(setgroups): an additional gid outside the namespace's map is EINVAL; a rootful runtime writes the maps itself and leaves /proc/PID/setgroups \"allow\", so runc's setupUser (init_linux.go) and crun's libcrun_container_setgroups (linux.c@1.8.1) call setgroups and fail with it",
		Rootfs:  rootfsOf(BaseUserNS),
		Process: withGroups(proc(1000, 1000, "/", echoArgs...), 70000),
		UserNS:  userns100000(),
	})
	add(Case{
		Name:    "user_gid_unmapped_in_userns",
		Rule:    "init_linux.go:setupUser: a gid outside the namespace's map: `cannot set gid to unmapped user in user namespace` (≤ 1.1), `cannot setgid to unmapped gid 70000 in user namespace` (1.2+)",
		Rootfs:  rootfsOf(BaseUserNS),
		Process: proc(1000, 70000, "/", echoArgs...),
		UserNS:  userns100000(),
	})

	// cwd creation (rootfs_linux.go:prepareRootfs) and crun's ensure-dir
	// (utils.c:crun_safe_ensure_directory_at, #914).
	add(Case{
		Name:    "cwd_missing_created",
		Rule:    "rootfs_linux.go:prepareRootfs: runc MkdirAll(cwd, 0755) as root after pivot_root; crun ensures it too (crun container.c:container_init_setup): a missing cwd never fails",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/does/not/exist", echoArgs...),
	})
	add(Case{
		Name:         "cwd_missing_created_readonly_root",
		Rule:         "rootfs_linux.go:prepareRootfs: the MkdirAll runs before root.readonly's remount (finalizeRootfs), so it still works",
		Rootfs:       rootfsOf(Base),
		Process:      proc(1000, 1000, "/work", echoArgs...),
		ReadonlyRoot: true,
	})
	add(Case{
		Name:    "cwd_is_a_file",
		Rule:    "rootfs_linux.go:prepareRootfs: runc's MkdirAll fails pre-ready with `mkdir /w: not a directory`; crun ignores the ensure-dir error and fails chdir: `chdir `/w`: Not a directory`",
		Rootfs:  rootfsOf(Base, "file /w 0644 0:0"),
		Process: proc(1000, 1000, "/w", echoArgs...),
	})
	add(Case{
		Name:    "cwd_below_a_file",
		Rule:    "rootfs_linux.go:prepareRootfs: cwd /f/sub with /f a file: `mkdir /f: not a directory`",
		Rootfs:  rootfsOf(Base, "file /f 0644 0:0"),
		Process: proc(1000, 1000, "/f/sub", echoArgs...),
	})
	add(Case{
		Name:    "cwd_symlink_loop",
		Rule:    "rootfs_linux.go:prepareRootfs: a symlink loop at cwd: Stat ELOOP then Mkdir EEXIST: `mkdir /w: file exists`; crun: ELOOP at chdir",
		Rootfs:  rootfsOf(Base, "symlink /w /x", "symlink /x /w"),
		Process: proc(1000, 1000, "/w", echoArgs...),
	})
	add(Case{
		Name:    "cwd_dangling_symlink",
		Rule:    "rootfs_linux.go:prepareRootfs: a dangling symlink at cwd: `mkdir /w: file exists`; crun resolves the link inside the root while ensuring the directory (utils.c:crun_safe_ensure_directory_at)",
		Rootfs:  rootfsOf(Base, "symlink /w /nowhere"),
		Process: proc(1000, 1000, "/w", echoArgs...),
	})
	add(Case{
		Name:    "cwd_symlink_to_dir",
		Rule:    "rootfs_linux.go:prepareRootfs: a symlink to a directory at cwd: nothing to create, chdir follows it (fs/namei.c:nd_jump_root: an absolute target resolves in the root)",
		Rootfs:  rootfsOf(Base, "dir /srv/app 0755 0:0", "symlink /w /srv/app"),
		Process: proc(1000, 1000, "/w", echoArgs...),
	})
	add(Case{
		Name:    "cwd_missing_under_readonly_bind",
		Rule:    "rootfs_linux.go:prepareRootfs: runc's MkdirAll under a read-only bind mount: `mkdir /ro/new: read-only file system`; crun ignores ensure-dir errors (crun container.c:container_init_setup) — and 1.8.1 creates the directory before the bind's read-only remount, in the host's source directory, and starts",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/ro/new", echoArgs...),
		Mounts:  []Mount{{Destination: "/ro", Type: "bind", Source: "dir / 0755 0:0\n", Options: []string{"ro"}}},
	})
	add(Case{
		Name:    "cwd_tmpfs_mode_0700",
		Rule:    "rootfs_linux.go:mountToRootfs: a tmpfs with mode=0700 owned by root as cwd: rc93 fails the chdir as the user, rc92/rc94+ enter as root",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/work", echoArgs...),
		Mounts:  []Mount{{Destination: "/work", Type: "tmpfs", Options: []string{"mode=0700"}}},
	})

	add(Case{
		Name:    "cwd_tmpfs_over_dir_0700_no_mode",
		Rule:    "rootfs_linux.go:mountToRootfs: a tmpfs without mode= over an existing 0700 root directory: runc gives the tmpfs root the directory's mode (chmod ≤ 1.1.7, mode= from 1.1.8), so rc93's chdir as the user fails; the kernel's default would be 1777",
		Rootfs:  rootfsOf(Base, "dir /data 0700 0:0"),
		Process: proc(1000, 1000, "/data", echoArgs...),
		Mounts:  []Mount{{Destination: "/data", Type: "tmpfs"}},
	})

	// tmpfs modes (rootfs_linux.go:mountToRootfs): the probe is a missing entrypoint inside the
	// tmpfs, which the user's LookPath stats: ENOENT if the tmpfs root
	// lets it search, EACCES if not.
	tmpfsProbe := func(name, rule, base string, m Mount) {
		rfs := rootfsOf(Base)
		if base != "" {
			rfs = rootfsOf(Base, base)
		}
		add(Case{Name: name, Rule: rule, Rootfs: rfs,
			Process: proc(1000, 1000, "/", m.Destination+"/missing"), Mounts: []Mount{m}})
	}
	tmpfsProbe("tmpfs_mode_option_over_dir_0700",
		"rootfs_linux.go:mountToRootfs: mode=0755 on a tmpfs over an existing 0700 directory: runc ≤ 1.1.7 chmods the tmpfs root to the directory's mode after mounting (mode= lost, EACCES), 1.1.8 on puts the directory's mode= before the config's, which wins (9af462e4a, #3916); crun takes mode= as given",
		"dir /data 0700 0:0", Mount{Destination: "/data", Type: "tmpfs", Options: []string{"mode=0755"}})
	tmpfsProbe("tmpfs_no_mode_over_dir_0700",
		"rootfs_linux.go:mountToRootfs: no mode= over an existing 0700 directory: runc gives the tmpfs root the directory's mode (chmod ≤ 1.1.7, mode= from 1.1.8), so the user cannot search it; crun leaves the kernel's 1777",
		"dir /data 0700 0:0", Mount{Destination: "/data", Type: "tmpfs"})
	tmpfsProbe("tmpfs_no_mode_missing_dir",
		"rootfs_linux.go:mountToRootfs: no mode= and no directory: runc MkdirAll(0755)s the mount point and the tmpfs root keeps the kernel's 1777 (shmem_fill_super)",
		"", Mount{Destination: "/data", Type: "tmpfs"})
	tmpfsProbe("tmpfs_mode_0700_uid_other",
		"rootfs_linux.go:mountToRootfs: mode=0700,uid=2000: the tmpfs root belongs to uid 2000, so uid 1000 cannot search it (EACCES at LookPath's stat)",
		"", Mount{Destination: "/data", Type: "tmpfs", Options: []string{"mode=0700", "uid=2000"}})
	tmpfsProbe("tmpfs_mode_0700_uid_user",
		"rootfs_linux.go:mountToRootfs: mode=0700,uid=1000: the user owns the tmpfs root and searches it (ENOENT)",
		"", Mount{Destination: "/data", Type: "tmpfs", Options: []string{"mode=0700", "uid=1000"}})
	tmpfsProbe("tmpfs_mode_0070_gid_user",
		"rootfs_linux.go:mountToRootfs: mode=0070,gid=1000: the group class grants search to gid 1000 (ENOENT)",
		"", Mount{Destination: "/data", Type: "tmpfs", Options: []string{"mode=0070", "gid=1000"}})
	tmpfsProbe("tmpfs_mode_1777",
		"rootfs_linux.go:mountToRootfs: mode=1777: sticky and world-searchable (ENOENT)",
		"", Mount{Destination: "/data", Type: "tmpfs", Options: []string{"mode=1777"}})
	tmpfsProbe("tmpfs_mode_2750_over_dir_0755",
		"rootfs_linux.go:mountToRootfs: mode=2750 over a 0755 directory: runc ≤ 1.1.7 chmods it back to 0755 (ENOENT for other), 1.1.8 on keeps 2750, where other may not search (EACCES)",
		"dir /data 0755 0:0", Mount{Destination: "/data", Type: "tmpfs", Options: []string{"mode=2750"}})
	tmpfsProbe("tmpfs_no_mode_over_dir_1770",
		"rootfs_linux.go:mountToRootfs: no mode= over a 1770 0:0 directory: the copied mode (≤ 1.1.7 chmod keeps the sticky bit, 1.1.8 drops it: mode=%04o of a Go FileMode, 1.1.9 syscallMode keeps it, 3d3a2b38b) denies other either way",
		"dir /data 1770 0:0", Mount{Destination: "/data", Type: "tmpfs"})
	tmpfsProbe("tmpfs_no_mode_over_dir_1777",
		"rootfs_linux.go:mountToRootfs: no mode= over a 1777 directory: world-searchable whichever way the mode is copied",
		"dir /data 1777 0:0", Mount{Destination: "/data", Type: "tmpfs"})
	add(Case{
		Name:    "tmpfs_cwd_below_mode_0700_uid_other",
		Rule:    "rootfs_linux.go:prepareRootfs: cwd /data/work below a mode=0700,uid=2000 tmpfs: runc-init root creates it (CAP_DAC_OVERRIDE) and chdirs as root (rc92, rc94+); rc93's chdir as the user cannot search /data",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/data/work", echoArgs...),
		Mounts:  []Mount{{Destination: "/data", Type: "tmpfs", Options: []string{"mode=0700", "uid=2000"}}},
	})

	// root.readonly (rootfs_linux.go:finalizeRootfs): runc remounts the root read-only in
	// finalizeRootfs, after the mounts and the cwd's MkdirAll; crun after
	// its mounts and ensure-dir.
	add(Case{
		Name:         "readonly_root_cwd_missing_nested",
		Rule:         "rootfs_linux.go:prepareRootfs: a missing /a/b/c on a read-only root is created before the remount: every runtime starts",
		Rootfs:       rootfsOf(Base),
		Process:      proc(1000, 1000, "/a/b/c", echoArgs...),
		ReadonlyRoot: true,
	})
	add(Case{
		Name:         "readonly_root_tmpfs_missing_mountpoint",
		Rule:         "rootfs_linux.go:mountToRootfs: a tmpfs on a missing /scratch of a read-only root: the mount point is made before the remount; cwd below it is created in the tmpfs",
		Rootfs:       rootfsOf(Base),
		Process:      proc(1000, 1000, "/scratch/work", echoArgs...),
		Mounts:       []Mount{{Destination: "/scratch", Type: "tmpfs", Options: []string{"mode=1777"}}},
		ReadonlyRoot: true,
	})
	add(Case{
		Name:         "readonly_root_exec_script_rc93_chdir",
		Rule:         "rootfs_linux.go:finalizeRootfs: ro is not noexec: a script on a read-only root runs; rc93's chdir as the user into 0700 /home/app still fails",
		Rootfs:       rootfsOf(Base, "dir /home/app 0700 0:0", "file /entrypoint.sh 0755 0:0 "+StartScript),
		Process:      proc(1000, 1000, "/home/app", "/entrypoint.sh"),
		ReadonlyRoot: true,
	})
	add(Case{
		Name:         "readonly_root_cwd_missing_under_readonly_bind",
		Rule:         "rootfs_linux.go:prepareRootfs: a read-only root with a read-only bind: runc's MkdirAll under the bind fails (`mkdir /ro/new: read-only file system`), crun creates it before either remount",
		Rootfs:       rootfsOf(Base),
		Process:      proc(1000, 1000, "/ro/new", echoArgs...),
		Mounts:       []Mount{{Destination: "/ro", Type: "bind", Source: "dir / 0755 0:0\n", Options: []string{"ro"}}},
		ReadonlyRoot: true,
	})
	add(Case{
		Name:         "readonly_root_userns_cwd_missing",
		Rule:         "rootfs_linux.go:prepareRootfs: a read-only root in a user namespace: the container root (host 100000) creates the missing cwd in its own 0755 directory before the remount",
		Rootfs:       rootfsOf(BaseUserNS, "dir /srv 0755 100000:100000"),
		Process:      proc(1000, 1000, "/srv/new", echoArgs...),
		UserNS:       userns100000(),
		ReadonlyRoot: true,
	})

	// Rootless (Host.Rootless): the runtime runs as RootlessUID, which the
	// user namespace maps to the container's root and nothing else.
	rootless := func(name, rule string, p Process, lines ...string) {
		add(Case{Name: name, Rule: rule, Rootfs: rootfsOf(BaseRootless, lines...), Process: p,
			UserNS: usernsRootless(), Rootless: true})
	}
	rootless("rootless_echo_as_container_root",
		"init_linux.go:setupUser: a rootless runtime (run by host uid 4242, mapped to the container's root) starts busybox echo as uid 0",
		withCaps(proc(0, 0, "/", echoArgs...), bep(DockerCaps...)))
	rootless("rootless_additional_gid_unmapped_setgroups_skipped",
		"init_linux.go:setupUser: rootless runc refuses additionalGids and never calls setgroups; crun skips setgroups where /proc/self/setgroups says deny, as it does when only the user's own gid is mapped (newgidmap, or crun's own deny_setgroups without it: linux.c:libcrun_set_usernamespace, can_setgroups@1.8.1), so an additionalGids entry the namespace does not map is ignored instead of failing setgroups with EINVAL",
		withGroups(withCaps(proc(0, 0, "/", echoArgs...), bep(DockerCaps...)), 1000))
	rootless("rootless_exec_host_root_owned_0700",
		"kernel/capability.c:capable_wrt_inode_uidgid: the host root owns /entrypoint.sh 0700, unmapped in the rootless namespace: CAP_DAC_OVERRIDE does not apply, the container root is other (---)",
		withCaps(proc(0, 0, "/", "/entrypoint.sh"), bep(DockerCaps...)),
		"file /entrypoint.sh 0700 0:0 "+StartScript)
	rootless("rootless_exec_owned_0700",
		"fs/namei.c:acl_permission_check: /entrypoint.sh 0700 owned by the mapped RootlessUID is the container root's own: the owner class grants it",
		withCaps(proc(0, 0, "/", "/entrypoint.sh"), bep(DockerCaps...)),
		"file /entrypoint.sh 0700 4242:4242 "+StartScript)
	rootless("rootless_chdir_host_root_owned_0700",
		"kernel/capability.c:capable_wrt_inode_uidgid: cwd /data 0700 owned by the unmapped host root: no capability helps, every runtime fails chdir with its text",
		withCaps(proc(0, 0, "/data", echoArgs...), bep(DockerCaps...)),
		"dir /data 0700 0:0")
	rootless("rootless_cwd_missing_created",
		"rootfs_linux.go:prepareRootfs: the missing cwd is created by the rootless container root in its own / (0755 4242:4242)",
		withCaps(proc(0, 0, "/work/sub", echoArgs...), bep(DockerCaps...)))

	// Rootless with subordinate ids: container 0 is RootlessUID, 1 … N are
	// the subordinate range from SubordinateID (container 1000 is host
	// 200999), mapped by newuidmap and newgidmap as rootless podman maps
	// them (runc: libcontainer/nsenter/nsexec.c:update_uidmap and
	// try_mapping_tool@v1.1.5, the tool's path from
	// container_linux.go:bootstrapData; crun:
	// src/libcrun/linux.c:libcrun_set_usernamespace@1.8.1).
	subidNS := func(ns *UserNS, name, rule string, p Process, lines ...string) {
		add(Case{Name: name, Rule: rule, Rootfs: rootfsOf(BaseRootless, lines...), Process: p,
			UserNS: ns, Rootless: true})
	}
	subid := func(name, rule string, p Process, lines ...string) {
		subidNS(usernsSubid(SubordinateCount, SubordinateCount), name, rule, p, lines...)
	}
	subid("rootless_subid_echo_as_mapped_user",
		"nsexec.c:update_uidmap@v1.1.5: writing a multi-range map as an unprivileged user fails with EPERM and runc maps it with newuidmap/newgidmap (try_mapping_tool); crun 1.8.1 calls them first (linux.c:libcrun_set_usernamespace); setupUser then sets uid 1000 (host 200999)",
		proc(1000, 1000, "/", echoArgs...))
	subid("rootless_subid_exec_owned_by_mapped_user_0700",
		"fs/namei.c:acl_permission_check: /entrypoint.sh 0700 owned by host 200999, container uid 1000 through the subordinate range: the owner class grants uid 1000",
		proc(1000, 1000, "/", "/entrypoint.sh"),
		"file /entrypoint.sh 0700 200999:200999 "+StartScript)
	subid("rootless_subid_exec_mapped_owner_0700_root_dac_override",
		"kernel/capability.c:capable_wrt_inode_uidgid: /entrypoint.sh 0700 owned by host 200999 (mapped: container 1000): the container root's CAP_DAC_OVERRIDE applies, unlike for an unmapped owner",
		withCaps(proc(0, 0, "/", "/entrypoint.sh"), bep(DockerCaps...)),
		"file /entrypoint.sh 0700 200999:200999 "+StartScript)
	subid("rootless_subid_exec_unmapped_owner_0700_root_dac_override",
		"kernel/capability.c:capable_wrt_inode_uidgid: /entrypoint.sh 0700 owned by host 300000, outside the subordinate range (the overflow id inside): CAP_DAC_OVERRIDE does not apply, the container root is other (---)",
		withCaps(proc(0, 0, "/", "/entrypoint.sh"), bep(DockerCaps...)),
		"file /entrypoint.sh 0700 300000:300000 "+StartScript)
	subid("rootless_subid_exec_unmapped_owner_0705_other",
		"fs/namei.c:acl_permission_check: /entrypoint.sh 0705 owned by host 300000 (unmapped, the overflow id inside): uid 1000 is other, r-x",
		proc(1000, 1000, "/", "/entrypoint.sh"),
		"file /entrypoint.sh 0705 300000:300000 "+StartScript)
	subid("rootless_subid_chdir_mapped_owner_0700_other_user",
		"kernel/capability.c:capable_wrt_inode_uidgid: cwd /home/app 0700 of host 200999 (container 1000) is mapped, so the container root's CAP_DAC_OVERRIDE applies to it: a runtime that chdirs as root first (runc rc92, 1.0.0-rc94 on: init_linux.go:finalizeNamespace; crun's chdir#1) is there before uid 2000 (host 201999, other) would be refused; rc93 chdirs only as the user and fails with EACCES",
		proc(2000, 2000, "/home/app", echoArgs...),
		"dir /home 0755 4242:4242", "dir /home/app 0700 200999:200999")
	subid("rootless_subid_chdir_unmapped_owner_0700_mapped_user",
		"kernel/capability.c:capable_wrt_inode_uidgid: cwd /home/app 0700 of host 300000, outside every mapping: neither the container root (no capability applies to an unmapped owner) nor uid 1000 (other, ---) may search it, chdir fails with EACCES everywhere",
		proc(1000, 1000, "/home/app", echoArgs...),
		"dir /home 0755 4242:4242", "dir /home/app 0700 300000:300000")
	subid("rootless_subid_chdir_unmapped_owner_0701_mapped_user",
		"fs/namei.c:acl_permission_check: cwd /home/app 0701 of host 300000 (unmapped, the overflow id inside): uid 1000 is other, --x, and may chdir into it",
		proc(1000, 1000, "/home/app", echoArgs...),
		"dir /home 0755 4242:4242", "dir /home/app 0701 300000:300000")
	subid("rootless_subid_chdir_mapped_owner_0700_own",
		"fs/namei.c:acl_permission_check: cwd /home/app 0700 owned by host 200999 is uid 1000's own",
		proc(1000, 1000, "/home/app", echoArgs...),
		"dir /home 0755 4242:4242", "dir /home/app 0700 200999:200999")
	subid("rootless_subid_cwd_missing_created_in_mapped_users_dir",
		"rootfs_linux.go:prepareRootfs@v1.1.5 (crun: crun_safe_ensure_directory_at as root): the missing cwd /home/app/new is made by the container root, whose CAP_DAC_OVERRIDE applies in /home/app 0700 of host 200999 (mapped); uid 1000 then searches its own directory",
		proc(1000, 1000, "/home/app/new", echoArgs...),
		"dir /home 0755 4242:4242", "dir /home/app 0700 200999:200999")
	subid("rootless_subid_cwd_missing_in_unmapped_dir",
		"kernel/capability.c:capable_wrt_inode_uidgid: /srv 0755 of host 300000 (unmapped): the container root's CAP_DAC_OVERRIDE does not apply, so runc's mkdir of the missing cwd fails with EACCES; crun ignores it and its chdir fails with ENOENT",
		withCaps(proc(1000, 1000, "/srv/new", echoArgs...), bep(DockerCaps...)),
		"dir /srv 0755 300000:300000")
	subid("rootless_subid_additional_gid_mapped_grants_group",
		"crun linux.c:libcrun_container_setgroups/can_setgroups@1.8.1: newgidmap, given a range from /etc/subgid, leaves /proc/PID/setgroups \"allow\" (shadow src/newgidmap.c:write_setgroups), so crun calls setgroups([2000]) and group 2000 (host 201999) grants 0750; runc refuses additionalGids whenever it is rootless (init_linux.go:setupUser@v1.1.5; Container.start from 1.3.0)",
		withGroups(proc(1000, 1000, "/", "/entrypoint.sh"), 2000),
		"file /entrypoint.sh 0750 4242:201999 "+StartScript)
	subid("rootless_subid_additional_gid_unmapped_einval",
		"kernel/groups.c:SYSCALL_DEFINE2(setgroups): gid 70000 is outside the gid mappings, EINVAL; crun calls setgroups since newgidmap left setgroups \"allow\" (linux.c:libcrun_container_setgroups@1.8.1); runc refuses additionalGids when rootless",
		withGroups(proc(1000, 1000, "/", echoArgs...), 70000))
	subidNS(usernsSubid(SubordinateCount, 0), "rootless_subid_uids_only_additional_gid_ignored",
		"shadow newgidmap writes \"deny\" to /proc/PID/setgroups when only the caller's own gid is mapped (src/newgidmap.c:write_setgroups), so crun's can_setgroups skips setgroups and an unmapped additional gid is ignored (linux.c:can_setgroups@1.8.1); runc refuses it",
		withGroups(proc(1000, 0, "/", echoArgs...), 1000))
	subidNS(usernsSubid(0, SubordinateCount), "rootless_subid_gids_only_additional_gid_mapped",
		"newgidmap maps gid range 1…65536 from /etc/subgid and leaves setgroups \"allow\": crun's setgroups([2000]) grants group 2000 (host 201999) on /entrypoint.sh 0750; uid 0 only is mapped (setuid to 0)",
		withGroups(proc(0, 1000, "/", "/entrypoint.sh"), 2000),
		"file /entrypoint.sh 0750 300000:201999 "+StartScript)

	// The entrypoint: permission classes and capabilities.
	add(Case{
		Name:    "exec_owner_class_precedence_0074",
		Rule:    "fs/namei.c:acl_permission_check: the owner class decides alone: a 0074 script owned by the user is not executable by it; Go <1.20 LookPath accepts any x bit and execve fails, Go ≥1.20 LookPath's eaccess fails first (golang/go src/os/exec/lp_unix.go:findExecutable@go1.20)",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0074 1000:1000 "+StartScript),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_additional_gid_grants_group",
		Rule:    "kernel/groups.c: in_group_p checks the supplementary groups set from additionalGids (init_linux.go:setupUser's setgroups): 0750 0:2000 runs for gid 1000 with additional gid 2000",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0750 0:2000 "+StartScript),
		Process: withGroups(proc(1000, 1000, "/", "/entrypoint.sh"), 2000),
	})
	add(Case{
		Name:    "exec_without_additional_gid_other_denied",
		Rule:    "fs/namei.c:acl_permission_check: without the supplementary group the other class (---) decides: 0750 0:2000 is denied; Go <1.20 LookPath passes on the mode bits and execve fails",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0750 0:2000 "+StartScript),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_acl_mask_removes_named_user_x",
		Rule:    "fs/posix_acl.c:posix_acl_permission: the mask limits the named user entry: u:1000:r-x with m::r-- gives r--, exec denied; the mode's group bits show the mask",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0700 0:0 "+StartScript+" acl=u::rwx,u:1000:r-x,g::---,m::r--,o::---"),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_acl_named_user_grants",
		Rule:    "fs/posix_acl.c:posix_acl_permission: a named user entry within the mask grants exec and read: u:1000:r-x, m::r-x",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0700 0:0 "+StartScript+" acl=u::rwx,u:1000:r-x,g::---,m::r-x,o::---"),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_acl_named_user_denies_group_allows_enosys",
		Rule:    "golang/go src/syscall/syscall_linux.go:Faccessat@go1.21.13, system.Eaccess@v1.1.4: the named entry u:1000:r-- decides in the kernel (denied) where a mode-bit emulation sees gid 0's group r-x: with faccessat2 ENOSYS, 1.1.4/1.1.5's access(2) fallback refuses at create, Go/x-sys emulations pass and execve fails",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0750 0:0 "+StartScript+" acl=u::rwx,u:1000:r--,g::r-x,m::r-x,o::---"),
		Process: proc(1000, 0, "/", "/entrypoint.sh"),
		Seccomp: SeccompFaccessat2ENOSYS,
	})
	add(Case{
		Name:    "exec_dac_read_search_not_exec",
		Rule:    "fs/namei.c:generic_permission: CAP_DAC_READ_SEARCH grants read, never exec: a 0700 0:0 script is denied at execve (Go <1.20 LookPath passes on mode bits) or at LookPath's eaccess (Go ≥1.20)",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0700 0:0 "+StartScript),
		Process: withCaps(proc(1000, 1000, "/", "/entrypoint.sh"), everySet("CAP_DAC_READ_SEARCH")),
	})
	add(Case{
		Name:    "exec_fowner_not_exec",
		Rule:    "fs/inode.c:inode_owner_or_capable, fs/namei.c:generic_permission: CAP_FOWNER bypasses only owner checks (chmod, utimes), never exec",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0700 0:0 "+StartScript),
		Process: withCaps(proc(1000, 1000, "/", "/entrypoint.sh"), everySet("CAP_FOWNER")),
	})
	add(Case{
		Name:    "exec_dac_override_needs_some_x",
		Rule:    "fs/namei.c:generic_permission: CAP_DAC_OVERRIDE grants exec of a regular file only if some x bit is set: 0644 is denied even to uid 0 with every capability",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0644 0:0 "+StartScript),
		Process: withCaps(proc(0, 0, "/", "/entrypoint.sh"), bep(AllCaps...)),
	})
	add(Case{
		Name:    "exec_root_dac_override_foreign_0700",
		Rule:    "fs/namei.c:generic_permission: CAP_DAC_OVERRIDE grants exec of 0700 1000:1000 to uid 0 (an x bit is set) and read to the interpreter",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0700 1000:1000 "+StartScript),
		Process: withCaps(proc(0, 0, "/", "/entrypoint.sh"), bep(DockerCaps...)),
	})
	add(Case{
		Name:    "exec_root_no_capabilities_foreign_0700",
		Rule:    "fs/namei.c:acl_permission_check: uid 0 without capabilities is plain DAC: 0700 1000:1000 is denied (ApplyCaps sets E to the config's empty set)",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0700 1000:1000 "+StartScript),
		Process: proc(0, 0, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:   "exec_root_capabilities_absent_foreign_0700",
		Rule:   "init_linux.go:finalizeNamespace (049a5f76c, #4585): without process.capabilities runc ≤1.2 applies empty sets (denied), runc ≥1.3 leaves runc-init's full set (uid 0 passes); crun drops everything",
		Rootfs: rootfsOf(Base, "file /entrypoint.sh 0700 1000:1000 "+StartScript),
		Process: Process{UID: 0, GID: 0, Cwd: "/", Args: []string{"/entrypoint.sh"},
			Env: []string{DefaultPATH}},
	})
	add(Case{
		Name:    "exec_script_0711_unreadable",
		Rule:    "fs/binfmt_script.c:load_script: execve of a 0711 script succeeds, then the interpreter cannot open it: busybox sh prints `can't open`",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0711 0:0 "+StartScript),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_binary_0711_no_read_needed",
		Rule:    "fs/exec.c:prepare_binprm: an ELF needs exec, not read: a 0711 busybox copy runs for a non-owner",
		Rootfs:  rootfsOf(Base, "file /usr/bin/echo 0711 0:0 busybox"),
		Process: proc(1000, 1000, "/", "/usr/bin/echo", Marker),
	})
	add(Case{
		Name:    "exec_parent_dir_not_searchable",
		Rule:    "fs/namei.c:may_lookup: every directory walked needs search: /opt/app 0700 0:0 hides run.sh from uid 1000 (LookPath: `stat …: permission denied`); crun looks up as root first and fails at execv (crun container.c:container_init_setup)",
		Rootfs:  rootfsOf(Base, "dir /opt/app 0700 0:0", "file /opt/app/run.sh 0755 0:0 "+StartScript),
		Process: proc(1000, 1000, "/", "/opt/app/run.sh"),
	})
	add(Case{
		Name:    "exec_symlink_to_script",
		Rule:    "fs/namei.c:step_into: execve follows the entrypoint symlink; the target's mode decides",
		Rootfs:  rootfsOf(Base, "file /app/run.sh 0755 0:0 "+StartScript, "symlink /entrypoint /app/run.sh"),
		Process: proc(1000, 1000, "/", "/entrypoint"),
	})
	add(Case{
		Name:    "exec_symlink_to_0644_target",
		Rule:    "fs/namei.c:generic_permission: the symlink's own mode is irrelevant, the 0644 target has no x bit",
		Rootfs:  rootfsOf(Base, "file /app/run.sh 0644 0:0 "+StartScript, "symlink /entrypoint /app/run.sh"),
		Process: proc(1000, 1000, "/", "/entrypoint"),
	})

	// Mounts.
	noexecBind := Mount{Destination: "/app", Type: "bind", Options: []string{"noexec"},
		Source: "dir / 0755 0:0\nfile /run.sh 0755 0:0 " + StartScript + "\n"}
	add(Case{
		Name:    "exec_noexec_bind_mount",
		Rule:    "fs/namei.c:may_open, rootfs_linux.go:mountToRootfs: noexec makes execve EACCES; faccessat2-based checks (Go ≥1.20 LookPath, 1.1.4/1.1.5 eaccess) see it at create, mode-bit LookPath (Go <1.20) does not",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/", "/app/run.sh"),
		Mounts:  []Mount{noexecBind},
	})
	add(Case{
		Name:    "exec_noexec_bind_mount_root_enosys",
		Rule:    "rootfs_linux.go:mountToRootfs, system.Eaccess@v1.1.4: with faccessat2 ENOSYS, 1.1.4/1.1.5's access(2) still sees noexec (kernel), Go's and x/sys's userspace emulations do not",
		Rootfs:  rootfsOf(Base),
		Process: withCaps(proc(0, 0, "/", "/app/run.sh"), bep(DockerCaps...)),
		Mounts:  []Mount{noexecBind},
		Seccomp: SeccompFaccessat2ENOSYS,
	})
	// crun 1.8.1 in a user namespace: a bind mount is an open_tree clone
	// moved into place, remounted only for ro (UserNSBindReadonlyOnly).
	usernsBind := func(opts ...string) []Mount {
		return []Mount{{Destination: "/app", Type: "bind", Options: opts,
			Source: "dir / 0755 100000:100000\nfile /run.sh 0755 100000:100000 " + StartScript + "\n"}}
	}
	add(Case{
		Name:    "exec_noexec_bind_mount_userns",
		Rule:    "rootfs_linux.go:mountToRootfs in a user namespace: runc remounts the bind mount noexec (EACCES); crun 1.8.1 moves an open_tree clone into place and remounts only for ro, so noexec is lost and the script runs (src/libcrun/linux.c:do_mounts, do_mount)",
		Rootfs:  rootfsOf(BaseUserNS),
		Process: proc(1000, 1000, "/", "/app/run.sh"),
		Mounts:  usernsBind("noexec"),
		UserNS:  userns100000(),
	})
	add(Case{
		Name:    "exec_noexec_ro_bind_mount_userns",
		Rule:    "with ro as well crun 1.8.1 remounts the clone with every flag (MS_REMOUNT|MS_BIND|MS_RDONLY|MS_NOEXEC at finalize_mounts): EACCES on every runtime",
		Rootfs:  rootfsOf(BaseUserNS),
		Process: proc(1000, 1000, "/", "/app/run.sh"),
		Mounts:  usernsBind("ro", "noexec"),
		UserNS:  userns100000(),
	})
	add(Case{
		Name:    "exec_file_caps_nosuid_bind_mount_userns",
		Rule:    "security/commoncap.c:get_file_caps in a user namespace: runc's nosuid hides security.capability and the binary runs; crun 1.8.1 loses nosuid without ro, so fP outside the empty bounding set with fE is EPERM",
		Rootfs:  rootfsOf(BaseUserNS),
		Process: proc(1000, 1000, "/", "/tools/echo", Marker),
		Mounts: []Mount{{Destination: "/tools", Type: "bind", Options: []string{"nosuid"},
			Source: "dir / 0755 100000:100000\nfile /echo 0755 100000:100000 busybox caps=CAP_NET_RAW+ep caprev=3 caproot=100000\n"}},
		UserNS: userns100000(),
	})
	add(Case{
		Name:    "exec_readonly_bind_mount",
		Rule:    "rootfs_linux.go:mountToRootfs: ro is not noexec: a script on a read-only bind mount runs",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/", "/app/run.sh"),
		Mounts: []Mount{{Destination: "/app", Type: "bind", Options: []string{"ro", "nosuid"},
			Source: "dir / 0755 0:0\nfile /run.sh 0755 0:0 " + StartScript + "\n"}},
	})
	add(Case{
		Name:    "exec_interpreter_on_noexec_tmpfs",
		Rule:    "fs/binfmt_script.c:load_script: a #! interpreter on a noexec mount is EACCES at execve of the script; the script's own checks pass",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0755 0:0 text=\"#!/tools/sh\\necho "+Marker+"\\n\""),
		Process: proc(0, 0, "/", "/entrypoint.sh"),
		Mounts: []Mount{{Destination: "/tools", Type: "bind", Options: []string{"noexec"},
			Source: "dir / 0755 0:0\nfile /sh 0755 0:0 busybox\n"}},
	})

	// Formats: #!, ELF interpreter, file capabilities.
	add(Case{
		Name:    "exec_args_empty",
		Rule:    "utils_linux.go:validateProcessSpec: an empty process.args (what ctr run hands the runtime for an image without ENTRYPOINT or CMD): runc's validateProcessSpec refuses it in runc create, bare before 1.1.0 and behind `runc create failed: ` after; crun, with args absent from the JSON (as engines write it), looks nothing up and fails in container_init after the setup: `executable path not specified`",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/"),
	})
	add(Case{
		Name:    "exec_directory_as_args0",
		Rule:    "fs/namei.c:may_open, golang/go src/os/exec/lp_unix.go:findExecutable@go1.20: a directory: Go <1.20 LookPath `permission denied`, Go ≥1.20 `is a directory`; crun `open executable: Operation not permitted`",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/", "/bin"),
	})
	add(Case{
		Name:    "exec_shebang_interpreter_missing",
		Rule:    "fs/binfmt_script.c:load_script: a missing #! interpreter is ENOENT from execve of the script: `exec /entrypoint.sh: no such file or directory`",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0755 0:0 script=/bin/bash"),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_shebang_crlf",
		Rule:    "fs/binfmt_script.c:load_script: `#!/bin/sh\\r\\n` names the interpreter \"/bin/sh\\r\", which does not exist: ENOENT",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0755 0:0 text=\"#!/bin/sh\\r\\necho "+Marker+"\\r\\n\""),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_no_shebang",
		Rule:    "fs/exec.c:search_binary_handler: a text file without #! is ENOEXEC (`exec format error`); Go's and crun's execv do not fall back to sh",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0755 0:0 text=\"echo "+Marker+"\\n\""),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	add(Case{
		Name:    "exec_dynamic_binary_without_loader",
		Rule:    "fs/binfmt_elf.c:load_elf_binary: a PT_INTERP that does not exist is ENOENT from execve (`no such file or directory`; crun: `(missing dynamic library?)`)",
		Rootfs:  rootfsOf(Base, "file /app 0755 0:0 interp=/lib64/ld-linux-x86-64.so.2"),
		Process: proc(1000, 1000, "/", "/app"),
	})
	add(Case{
		Name:    "exec_dynamic_binary_with_loader",
		Rule:    "fs/binfmt_elf.c:load_elf_binary: with its PT_INTERP present (the probe serves as loader) the binary runs; the probe exits 100",
		Rootfs:  rootfsOf(Base, "file /app 0755 0:0 interp=/lib64/ld-linux-x86-64.so.2", "file /lib64/ld-linux-x86-64.so.2 0755 0:0 elf"),
		Process: proc(1000, 1000, "/", "/app"),
	})
	add(Case{
		Name:    "exec_dynamic_binary_loader_0644",
		Rule:    "fs/binfmt_elf.c:load_elf_binary: a PT_INTERP without exec permission is EACCES from execve",
		Rootfs:  rootfsOf(Base, "file /app 0755 0:0 interp=/lib64/ld-linux-x86-64.so.2", "file /lib64/ld-linux-x86-64.so.2 0644 0:0 elf"),
		Process: proc(1000, 1000, "/", "/app"),
	})
	add(Case{
		Name:    "exec_file_caps_empty_bounding",
		Rule:    "security/commoncap.c:bprm_caps_from_vfs_caps: fE set and fP not grantable through an empty bounding set: execve EPERM (`operation not permitted`)",
		Rootfs:  rootfsOf(Base, "file /usr/bin/echo 0755 0:0 busybox caps=CAP_NET_RAW+ep"),
		Process: proc(1000, 1000, "/", "/usr/bin/echo", Marker),
	})
	add(Case{
		Name:    "exec_file_caps_in_bounding",
		Rule:    "security/commoncap.c:get_file_caps: with CAP_NET_RAW in the bounding set the same file gains it and runs",
		Rootfs:  rootfsOf(Base, "file /usr/bin/echo 0755 0:0 busybox caps=CAP_NET_RAW+ep"),
		Process: withCaps(proc(1000, 1000, "/", "/usr/bin/echo", Marker), &Capabilities{Bounding: []string{"CAP_NET_RAW"}}),
	})
	add(Case{
		Name:    "exec_file_caps_empty_bounding_no_new_privileges",
		Rule:    "security/commoncap.c: no_new_privs does not skip file capabilities: bprm_caps_from_vfs_caps still finds fP outside the bounding set with fE set, EPERM",
		Rootfs:  rootfsOf(Base, "file /usr/bin/echo 0755 0:0 busybox caps=CAP_NET_RAW+ep"),
		Process: withNNP(proc(1000, 1000, "/", "/usr/bin/echo", Marker)),
	})
	add(Case{
		Name:    "exec_file_caps_empty_bounding_nosuid_mount",
		Rule:    "security/commoncap.c: on a nosuid mount get_file_caps ignores security.capability, so the empty bounding set no longer matters",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/", "/tools/echo", Marker),
		Mounts: []Mount{{Destination: "/tools", Type: "bind", Options: []string{"nosuid"},
			Source: "dir / 0755 0:0\nfile /echo 0755 0:0 busybox caps=CAP_NET_RAW+ep\n"}},
	})

	// PATH lookups (golang/go src/os/exec/lp_unix.go:LookPath).
	add(Case{
		Name:    "path_bare_name_found",
		Rule:    "golang/go src/os/exec/lp_unix.go:LookPath: a bare args[0] is looked up in process.env's PATH (init_linux.go:populateProcessEnvironment, env.go:prepareEnv)",
		Rootfs:  rootfsOf(Base, "file /usr/local/bin/entrypoint 0755 0:0 "+StartScript),
		Process: proc(1000, 1000, "/", "entrypoint"),
	})
	add(Case{
		Name:   "path_relative_entry_errdot",
		Rule:   "golang/go src/os/exec/exec.go:ErrDot@go1.19.8: a match through a relative PATH entry is ErrDot in Go ≥1.19: `exec: \"run\": cannot run executable found relative to current directory`; crun resolves it against the cwd (crun utils.c:find_executable)",
		Rootfs: rootfsOf(Base, "file /app/bin/run 0755 0:0 "+StartScript),
		Process: Process{UID: 1000, GID: 1000, Cwd: "/app", Args: []string{"run"},
			Env: []string{"PATH=bin:/usr/bin"}, Capabilities: &Capabilities{}},
	})
	add(Case{
		Name:   "path_empty_entry",
		Rule:   "golang/go src/os/exec/lp_unix.go:LookPath: an empty PATH element is \".\" for Go (ErrDot when it matches); crun's strsep gives \"/run\" instead (crun utils.c:find_executable)",
		Rootfs: rootfsOf(Base, "file /app/run 0755 0:0 "+StartScript),
		Process: Process{UID: 1000, GID: 1000, Cwd: "/app", Args: []string{"run"},
			Env: []string{"PATH=:/usr/bin"}, Capabilities: &Capabilities{}},
	})
	add(Case{
		Name:   "path_absent",
		Rule:   "env.go:prepareEnv, golang/go src/os/exec/lp_unix.go:LookPath: no PATH in process.env: a bare name is never found (`executable file not found in $PATH`); no default PATH",
		Rootfs: rootfsOf(Base),
		Process: Process{UID: 1000, GID: 1000, Cwd: "/", Args: []string{"echo", Marker},
			Env: []string{"HOME=/"}, Capabilities: &Capabilities{}},
	})
	add(Case{
		Name: "path_first_candidate_not_searchable",
		Rule: "golang/go src/os/exec/lp_unix.go:LookPath: LookPath discards a candidate's EACCES and takes the next (/usr/bin/run); crun looks up as root first and picks /opt/private/bin/run, then execv fails as the user (crun container.c:container_init_setup)",
		Rootfs: rootfsOf(Base, "dir /opt/private 0700 0:0", "file /opt/private/bin/run 0755 0:0 "+StartScript,
			"file /usr/bin/run 0755 0:0 "+StartScript),
		Process: Process{UID: 1000, GID: 1000, Cwd: "/", Args: []string{"run"},
			Env: []string{"PATH=/opt/private/bin:/usr/bin"}, Capabilities: &Capabilities{}},
	})
	add(Case{
		Name:    "path_relative_args0_with_slash",
		Rule:    "golang/go src/os/exec/lp_unix.go:LookPath: args[0] with a slash is not looked up in PATH and resolves from the cwd just set, never ErrDot",
		Rootfs:  rootfsOf(Base, "file /app/run.sh 0755 0:0 "+StartScript),
		Process: proc(1000, 1000, "/app", "./run.sh"),
	})
	add(Case{
		Name:    "path_missing_absolute",
		Rule:    "golang/go src/os/exec/exec.go:(*Error).Error: a missing absolute args[0]: `exec: \"/nope\": stat /nope: no such file or directory`; crun: `executable file `/nope` not found in $PATH`",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/", "/nope"),
	})

	add(Case{
		Name:    "path_dot_prefixed_bare_name",
		Rule:    "crun utils.c:find_executable: crun joins an args[0] starting with \".\" to process.cwd even without a slash (.hidden → /app/.hidden); Go's LookPath looks a slash-less name up in PATH only: `executable file not found in $PATH`",
		Rootfs:  rootfsOf(Base, "file /app/.hidden 0755 0:0 "+StartScript),
		Process: proc(1000, 1000, "/app", ".hidden"),
	})
	add(Case{
		Name:    "path_args0_empty_string",
		Rule:    "golang/go src/os/exec/exec.go:validateLookPath@go1.26.8: args[0] \"\": Go ≥1.23.12/1.24.6 reject it at once (`executable file not found in $PATH`), older Go walks PATH, where every candidate is a directory",
		Rootfs:  rootfsOf(Base),
		Process: proc(1000, 1000, "/", "", Marker),
	})
	chain := []string{"file /app/run.sh 0755 0:0 " + StartScript, "symlink /l40 /app/run.sh"}
	for i := 39; i >= 0; i-- {
		chain = append(chain, fmt.Sprintf("symlink /l%d /l%d", i, i+1))
	}
	add(Case{
		Name:    "exec_symlink_chain_41_eloop",
		Rule:    "fs/namei.c:reserve_stack: 41 symlinks to the entrypoint exceed the kernel's 40 (MAXSYMLINKS): LookPath's stat gets ELOOP (`stat /l0: too many levels of symbolic links`)",
		Rootfs:  rootfsOf(Base, chain...),
		Process: proc(1000, 1000, "/", "/l0"),
	})
	// No row for exactly 40 links (fs/namei.c:reserve_stack: they resolve): on a host busy
	// with other containers' mounts the result is not deterministic. An
	// RCU path walk that must restart in ref-walk mode (mount_lock changed)
	// keeps the links it already counted (fs/namei.c: total_link_count is
	// set once per lookup in __set_nameidata, not per retry), so the
	// retry can end in ELOOP; the recording saw ELOOP from execve or from
	// busybox sh's open in 3 of 72 runtimes.

	// User and group resolution (init_linux.go:setupUser).
	add(Case{
		Name:    "user_etc_group_name_maps_additional_gid",
		Rule:    "init_linux.go:setupUser@v1.2.0 (user.GetExecUser): runc ≤1.2 matches each additional gid against /etc/group by name or gid, first line wins: a group named \"2000\" with gid 5 turns additional gid 2000 into 5 (denied on 0750 0:2000); runc ≥1.3 and crun use the number (setupUser@v1.3.0, 7dc248688, #3999; crun linux.c:libcrun_container_setgroups)",
		Rootfs:  rootfsOf(Base, "file /etc/group 0644 0:0 text=\"2000:x:5:\\nreal:x:2000:\\n\"", "file /entrypoint.sh 0750 0:2000 "+StartScript),
		Process: withGroups(proc(1000, 1000, "/", "/entrypoint.sh"), 2000),
	})
	add(Case{
		Name:    "user_etc_passwd_is_a_directory",
		Rule:    "init_linux.go:setupUser@v1.2.0 (user.GetExecUser): runc ≤1.2 fails on a read error of /etc/passwd: `unable to find user 1000: read /etc/passwd: is a directory`; 1.3+ only looks up HOME and ignores errors; crun reads it only for HOME",
		Rootfs:  rootfsOf(Base, "dir /etc/passwd 0755 0:0"),
		Process: proc(1000, 1000, "/", echoArgs...),
	})
	add(Case{
		Name:    "user_uid_above_2_31",
		Rule:    "init_linux.go:setupUser@v1.2.0 (user.GetExecUser): runc ≤1.2 range-checks ids without a passwd entry: `uids and gids must be in range 0-2147483647`; 1.3+ and crun pass the number to the kernel",
		Rootfs:  rootfsOf(Base),
		Process: proc(2147483648, 1000, "/", echoArgs...),
	})
	add(Case{
		Name:    "user_etc_group_is_a_directory_names_passwd_user",
		Rule:    "opencontainers/runc libcontainer/user/user.go:GetExecUser@v1.1.15: runc ≤1.2 reads /etc/group for its \"uid:gid\" spec and words a read error with the passwd name of the uid: `unable to find groups for spec alice: read /etc/group: is a directory`; 1.3+ and crun do not read it for the gid",
		Rootfs:  rootfsOf(Base, "file /etc/passwd 0644 0:0 text=\"alice:x:1000:1000::/home/alice:/bin/sh\\n\"", "dir /etc/group 0755 0:0"),
		Process: proc(1000, 1000, "/", echoArgs...),
	})
	add(Case{
		Name:    "user_etc_group_name_only_line_maps_additional_gid_to_0",
		Rule:    "opencontainers/runc libcontainer/user/user.go:GetAdditionalGroups@v1.1.15: a group line holding only a name (\"2000\") has gid 0 (parseLine leaves missing fields zero) and matches additional gid 2000 by name, so runc ≤1.2 sets gid 0 instead of 2000 (denied on 0750 0:2000); runc ≥1.3 and crun use the number",
		Rootfs:  rootfsOf(Base, "file /etc/group 0644 0:0 text=\"2000\\n\"", "file /entrypoint.sh 0750 0:2000 "+StartScript),
		Process: withGroups(proc(1000, 1000, "/", "/entrypoint.sh"), 2000),
	})
	add(Case{
		Name:    "user_gid_above_2_31_in_etc_group",
		Rule:    "opencontainers/runc libcontainer/user/user.go:GetExecUser@v1.1.15 range-checks a numeric gid only when no /etc/group line has it: with a line for gid 2147483648, runc ≤1.2 takes the gid",
		Rootfs:  rootfsOf(Base, "file /etc/group 0644 0:0 text=\"big:x:2147483648:\\n\""),
		Process: proc(1000, 2147483648, "/", echoArgs...),
	})
	add(Case{
		Name:   "env_entry_without_equals",
		Rule:   "init_linux.go:populateProcessEnvironment, env.go:prepareEnv: a process.env entry without '=' is refused with a per-version text (rc92/rc93 `invalid environment 'FOO'`, 1.0.3/1.1.0 `invalid environment variable: \"FOO\"`, 1.1.15+ `… missing '='`)",
		Rootfs: rootfsOf(Base),
		Process: Process{UID: 1000, GID: 1000, Cwd: "/", Args: echoArgs,
			Env: []string{DefaultPATH, "FOO"}, Capabilities: &Capabilities{}},
	})

	// Capabilities runc does not know.
	add(Case{
		Name:    "caps_unknown_to_old_runc",
		Rule:    "rc92/rc93 refuse a capability their vendored gocapability does not know (rc92's does not know CAP_CHECKPOINT_RESTORE, from Linux 5.9: `unknown capability \"CAP_CHECKPOINT_RESTORE\"`; rc93's does); rc94+ warn and drop unknown ones (#2854)",
		Rootfs:  rootfsOf(Base),
		Process: withCaps(proc(0, 0, "/", echoArgs...), bep("CAP_CHOWN", "CAP_CHECKPOINT_RESTORE")),
	})
	curatedRunsc(add)
	// The runtime's own bounding set (Host.Bounding): the runtime runs
	// under setpriv --bounding-set without the capabilities of Bounding.
	const boundingRule = "security/commoncap.c:cap_bprm_creds_from_file, cap_capset: a rootful runtime's init without a user namespace is uid 0 with its parent's bounding set as P and E; capset of a P, E or I outside it is EPERM (runc Caps.ApplyCaps \"unable to apply caps\", crun \"capset\")"
	add(Case{
		Name:     "bounding_runtime_lacks_asked_cap",
		Rule:     boundingRule + ": Docker's defaults ask CAP_NET_RAW, which the runtime's bounding set lacks",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), bep(DockerCaps...)),
		Bounding: []string{"CAP_NET_RAW"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_sys_resource_asked",
		Rule:     boundingRule + ": CAP_SYS_RESOURCE asked where the runtime has none (hosts and VMs without it: --privileged as root fails every runc and crun)",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), bep("CAP_CHOWN", "CAP_SYS_RESOURCE")),
		Bounding: []string{"CAP_SYS_RESOURCE"},
	})
	nofile := []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}}
	add(Case{
		Name:     "bounding_runtime_lacks_sys_resource_rlimit_nofile",
		Rule:     boundingRule + ": `runc spec`'s RLIMIT_NOFILE 1024 lowers the runtime's limit, which needs no CAP_SYS_RESOURCE; the capset of CAP_SYS_RESOURCE still fails",
		Rootfs:   rootfsOf(Base),
		Process:  withRlimits(withCaps(proc(0, 0, "/", echoArgs...), bep("CAP_CHOWN", "CAP_SYS_RESOURCE")), nofile),
		Bounding: []string{"CAP_SYS_RESOURCE"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_sys_resource_rlimit_starts",
		Rule:     "kernel/sys.c:do_prlimit: lowering a hard limit needs no CAP_SYS_RESOURCE: RLIMIT_NOFILE 1024 without it, nothing asked, starts",
		Rootfs:   rootfsOf(Base),
		Process:  withRlimits(withCaps(proc(0, 0, "/", echoArgs...), bep("CAP_CHOWN")), nofile),
		Bounding: []string{"CAP_SYS_RESOURCE"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_asked_cap_user",
		Rule:     boundingRule + ": as uid 1000, after setuid with keepcaps, the same capset",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(1000, 1000, "/", echoArgs...), bep(DockerCaps...)),
		Bounding: []string{"CAP_NET_RAW"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_inheritable",
		Rule:     boundingRule + ": an inheritable capability the config's bounding set keeps but the runtime's lacks (cap_capset: I ⊆ old I ∪ bset)",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), &Capabilities{Bounding: []string{"CAP_NET_RAW"}, Inheritable: []string{"CAP_NET_RAW"}}),
		Bounding: []string{"CAP_NET_RAW"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_config_bounding_only",
		Rule:     boundingRule + ": a capability only in the config's bounding set is dropped there, never asked of capset: it starts",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), &Capabilities{Bounding: []string{"CAP_CHOWN", "CAP_NET_RAW"}, Effective: []string{"CAP_CHOWN"}, Permitted: []string{"CAP_CHOWN"}}),
		Bounding: []string{"CAP_NET_RAW"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_unasked",
		Rule:     boundingRule + ": capabilities the config does not ask for and the runtime's setup does not use (preexec.RuntimeSetupCaps) change nothing: it starts",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), bep("CAP_CHOWN", "CAP_KILL")),
		Bounding: []string{"CAP_NET_RAW", "CAP_SYS_TIME", "CAP_AUDIT_WRITE", "CAP_SYS_NICE"},
	})
	add(Case{
		Name:     "bounding_runtime_lacks_every_unused",
		Rule:     "preexec.RuntimeSetupCaps: no runtime's setup uses a capability outside it; without all of them at once, a config that asks none of them starts",
		Rootfs:   rootfsOf(Base),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), bep("CAP_CHOWN", "CAP_SETUID")),
		Bounding: unusedBySetup(),
	})
	add(Case{
		Name:     "bounding_runtime_lacks_asked_cap_userns",
		Rule:     "kernel/user_namespace.c:set_cred_user_ns: in a new user namespace the init has every capability, the bounding set too, whatever its parent's: Docker's defaults start",
		Rootfs:   rootfsOf(BaseUserNS),
		Process:  withCaps(proc(0, 0, "/", echoArgs...), bep(DockerCaps...)),
		UserNS:   userns100000(),
		Bounding: []string{"CAP_NET_RAW"},
	})

	return cs
}

func withCaps(p Process, c *Capabilities) Process { p.Capabilities = c; return p }

func withGroups(p Process, gids ...uint32) Process { p.AdditionalGids = gids; return p }

func withNNP(p Process) Process { p.NoNewPrivileges = true; return p }

func withRlimits(p Process, r []specs.POSIXRlimit) Process { p.Rlimits = r; return p }

// userns100000 maps container ids 0…65535 to host ids 100000…165535.
func userns100000() *UserNS {
	m := []IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
	return &UserNS{UIDMappings: m, GIDMappings: m}
}

// unusedBySetup names the capabilities outside preexec.RuntimeSetupCaps.
func unusedBySetup() []string {
	var names []string
	for _, c := range (caps.All &^ preexec.RuntimeSetupCaps).Caps() {
		names = append(names, c.String())
	}
	return names
}
