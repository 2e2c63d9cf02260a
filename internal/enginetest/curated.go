package enginetest

import "strings"

// Building blocks of the cases' images.

// Passwd is the image's /etc/passwd: users with a same-name primary group
// (alice), a primary group that /etc/group names differently (bob: 100,
// users), a user whose same-name group has another gid (app: 2000 in
// passwd, group app is 2001), and distroless's nonroot.
const Passwd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:alice:/home/alice:/bin/sh
bob:x:1001:100:bob:/home/bob:/bin/sh
app:x:2000:2000:app:/app:/bin/sh
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
`

// Group is the image's /etc/group: alice is a member of users, wheel,
// audio and app; bob of wheel and staff; app of staff.
const Group = `root:x:0:
daemon:x:1:
wheel:x:10:alice,bob
audio:x:29:alice,nonroot
staff:x:50:bob,app
users:x:100:alice
alice:x:1000:
app:x:2001:alice
nonroot:x:65532:
`

// Marker is what the cases' entrypoints print when they start.
const Marker = "preexec-started"

// base is the part of every rootfs: a static busybox with sh and echo, a
// 0744 root-owned script, distroless's /home/nonroot and a few homes.
const base = `dir / 0755 0:0
file /bin/busybox 0755 0:0 busybox
symlink /bin/sh busybox
symlink /bin/echo busybox
symlink /bin/id busybox
file /entrypoint.sh 0744 0:0 text="#!/bin/sh\necho ` + Marker + `\n"
file /start.sh 0755 0:0 text="#!/bin/sh\necho ` + Marker + `\n"
dir /home/nonroot 0700 65532:65532
dir /home/alice 0750 1000:1000
dir /app 0755 2000:2000
dir /tmp 1777 0:0
`

func fileLine(p, content string) string {
	return "file " + p + " 0644 0:0 text=" + quote(content) + "\n"
}

// quote is a Go string literal of s (the fixture's text= form).
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// Rootfs variants, by what /etc holds.
var (
	// RootfsFull has /etc/passwd and /etc/group.
	RootfsFull = base + fileLine("/etc/passwd", Passwd) + fileLine("/etc/group", Group)
	// RootfsNoGroup has /etc/passwd only.
	RootfsNoGroup = base + fileLine("/etc/passwd", Passwd)
	// RootfsNoPasswd has neither (like a scratch image).
	RootfsNoPasswd = base
	// RootfsRootOnly has a passwd and group with root alone.
	RootfsRootOnly = base + fileLine("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n") + fileLine("/etc/group", "root:x:0:\n")
)

// RootfsPrivileged is RootfsFull with a WORKDIR /secret (0700, owned by
// app) and a 0700 root-owned /priv.sh: the chdir needs
// CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH in the effective set, and the
// exec CAP_DAC_OVERRIDE for any user but root, so the --privileged
// cases' answer turns on the capabilities the engine gives.
var RootfsPrivileged = RootfsFull + "dir /secret 0700 2000:2000\n" +
	"file /priv.sh 0700 0:0 text=" + quote("#!/bin/sh\necho "+Marker+"\n") + "\n"

// privImage is the image of the --privileged cases.
var privImage = ImageConfig{Entrypoint: []string{"/priv.sh"}, WorkingDir: "/secret"}

// privRule cites what --privileged is in each engine.
const privRule = "--privileged: every capability the engine knows (moby oci/caps/utils.go:TweakCapabilities@v20.10.24; podman pkg/specgen/generate/security_linux.go:securityConfigureGenerator@v4.3.1, its bounding set; containerd oci.WithPrivileged@v1.6.20 for ctr and the CRI plugin), no seccomp filter"

// echo is the usual entrypoint: busybox echo prints the marker.
var echo = []string{"/bin/echo", Marker}

// Curated is the hand-written table: each user form, group membership,
// WORKDIR, ENTRYPOINT and CMD combination and override flag once.
var Curated = curated()

func curated() []Case {
	img := func(user, wd string) ImageConfig {
		return ImageConfig{User: user, WorkingDir: wd, Cmd: echo}
	}
	c := func(name, rule, rfs string, im ImageConfig, flags ...string) Case {
		return Case{Name: name, Rule: rule, Rootfs: rfs, Image: im, Flags: flags}
	}
	// A --security-opt seccomp=FILE case: the file's content (nil: missing)
	// (profiles/seccomp/seccomp_linux.go:LoadProfile@v20.10.24, podman
	// pkg/specgen/generate/config_linux_cgo.go@v4.3.1).
	profile := func(name, rule string, content *string) Case {
		cs := c(name, rule, RootfsFull, img("", ""), "--security-opt", "seccomp="+ProfilePath)
		cs.SeccompProfile = content
		return cs
	}
	ptr := func(s string) *string { return &s }
	userRule := "containerd pkg/oci/spec_opts.go:WithUser, moby/sys/user GetExecUser: USER resolved through the image's /etc/passwd and /etc/group"
	cs := []Case{
		c("user_unset", "no USER: root, the engine's default groups", RootfsFull, img("", "")),
		c("user_name", userRule+": a name, its primary gid and its groups", RootfsFull, img("alice", "")),
		c("user_uid", userRule+": a uid found in passwd", RootfsFull, img("1000", "")),
		c("user_uid_absent", userRule+": a uid not in passwd (gid 0)", RootfsFull, img("4242", "")),
		c("user_name_group", userRule+": name:group", RootfsFull, img("alice:wheel", "")),
		c("user_uid_gid", userRule+": uid:gid, no lookup of groups?", RootfsFull, img("1000:10", "")),
		c("user_name_gid", userRule+": name:gid", RootfsFull, img("alice:29", "")),
		c("user_uid_group", userRule+": uid:group", RootfsFull, img("1000:audio", "")),
		c("user_name_absent", userRule+": a name absent from /etc/passwd", RootfsFull, img("nobody_here", "")),
		c("user_group_absent", userRule+": a group absent from /etc/group", RootfsFull, img("alice:nogroup", "")),
		c("user_member_of_groups", userRule+": bob's primary group 100 and memberships wheel, staff", RootfsFull, img("bob", "")),
		c("user_same_name_group", "containerd#11937: app's passwd gid 2000, group app is 2001", RootfsFull, img("app", "")),
		c("user_name_same_name_group", "containerd#11937's image: app:app takes the group named app (2001)", RootfsFull, img("app:app", "")),
		c("user_root_name", userRule+": root by name", RootfsFull, img("root", "")),
		c("user_zero_zero", userRule+": 0:0", RootfsFull, img("0:0", "")),
		c("user_nonroot_uid", "distroless static:nonroot: USER 65532", RootfsFull, img("65532", "/home/nonroot")),
		c("user_name_no_group_file", userRule+": no /etc/group", RootfsNoGroup, img("alice", "")),
		c("user_uid_no_passwd", userRule+": no /etc/passwd, a uid", RootfsNoPasswd, img("1000", "")),
		c("user_name_no_passwd", userRule+": no /etc/passwd, a name", RootfsNoPasswd, img("alice", "")),
		c("user_uid_gid_no_passwd", userRule+": no /etc/passwd, uid:gid", RootfsNoPasswd, img("1000:1000", "")),
		c("user_root_only_passwd", userRule+": a passwd with root alone, a uid", RootfsRootOnly, img("1000", "")),

		c("workdir_unset", "WORKDIR absent: cwd /", RootfsFull, img("", "")),
		c("workdir_missing", "WORKDIR a directory the image lacks", RootfsFull, img("", "/nonexistent/dir")),
		c("workdir_home_nonroot_as_other", "GoogleContainerTools/distroless#718: /home/nonroot 0700 as another uid", RootfsFull, img("1000", "/home/nonroot")),
		c("workdir_relative", "a relative WORKDIR in the image config", RootfsFull, img("", "app")),

		c("entrypoint_only", "ENTRYPOINT without CMD", RootfsFull, ImageConfig{Entrypoint: echo}),
		c("cmd_only", "CMD without ENTRYPOINT", RootfsFull, ImageConfig{Cmd: echo}),
		c("entrypoint_and_cmd", "ENTRYPOINT + CMD", RootfsFull, ImageConfig{Entrypoint: []string{"/bin/echo"}, Cmd: []string{Marker}}),
		c("no_entrypoint_no_cmd", "neither: the engine has no command", RootfsFull, ImageConfig{}),
		c("entrypoint_shell_form", "ENTRYPOINT [\"/bin/sh\", \"-c\", ...]", RootfsFull, ImageConfig{Entrypoint: []string{"/bin/sh", "-c", "echo " + Marker}}),
		c("entrypoint_relative", "a relative entrypoint, resolved through PATH by the runtime", RootfsFull, ImageConfig{Entrypoint: []string{"echo", Marker}}),

		c("env_without_path", "image Env without PATH: the engine's default PATH", RootfsFull, ImageConfig{Cmd: echo, Env: []string{"FOO=bar"}}),
		c("env_with_path", "image Env with PATH", RootfsFull, ImageConfig{Cmd: echo, Env: []string{"PATH=/bin", "FOO=bar"}}),
		c("env_with_home", "image Env with HOME", RootfsFull, ImageConfig{User: "alice", Cmd: echo, Env: []string{"HOME=/srv"}}),

		c("flag_user_arbitrary_uid_gid0", "GoogleContainerTools/distroless#718: OpenShift's arbitrary uid, gid 0, on distroless", RootfsFull, img("65532", "/home/nonroot"), "--user", "1000680000:0"),
		c("flag_user_name", "--user name", RootfsFull, img("", ""), "--user", "alice"),
		c("flag_user_uid", "--user uid", RootfsFull, img("", ""), "--user", "1000"),
		c("flag_user_name_group", "--user name:group", RootfsFull, img("", ""), "--user", "alice:wheel"),
		c("flag_user_uid_gid", "--user uid:gid", RootfsFull, img("", ""), "--user", "1000:10"),
		c("flag_user_absent_name", "--user with a name absent from /etc/passwd", RootfsFull, img("", ""), "--user", "nobody_here"),
		c("flag_user_root_over_image", "--user 0 over USER alice", RootfsFull, img("alice", ""), "--user", "0"),
		c("flag_group_add_name", "--group-add by name", RootfsFull, img("alice", ""), "--group-add", "staff"),
		c("flag_group_add_gid", "--group-add a gid absent from /etc/group", RootfsFull, img("alice", ""), "--group-add", "4242"),
		c("flag_group_add_absent_name", "--group-add a name absent from /etc/group", RootfsFull, img("alice", ""), "--group-add", "nogroup"),
		c("flag_group_add_with_uid_gid", "--group-add with --user uid:gid", RootfsFull, img("", ""), "--user", "1000:1000", "--group-add", "wheel"),
		c("flag_duplicate_mount_and_unknown_group", "a destination given to --tmpfs and -v, with a --group-add the image lacks: podman refuses the mounts at create, before init looks the groups up (the engine oracle's time-seeded FINDING)", RootfsNoGroup, img("alice", ""), "--tmpfs", "/home/alice", "--group-add", "wheel", "-v", "/tmp/preexec-enginetest-src:/home/alice"),
		c("flag_group_add_keep_groups", "podman's --group-add keep-groups is a keyword, not a group name (docker looks the name up)", RootfsFull, img("alice", ""), "--group-add", "keep-groups"),
		c("flag_group_add_keep_groups_and_name", "podman refuses keep-groups with another --group-add", RootfsFull, img("alice", ""), "--group-add", "keep-groups", "--group-add", "wheel"),
		c("flag_workdir", "--workdir", RootfsFull, img("", ""), "--workdir", "/home/alice"),
		c("flag_workdir_missing", "--workdir a directory the image lacks", RootfsFull, img("", ""), "--workdir", "/missing"),
		c("flag_entrypoint", "--entrypoint replaces ENTRYPOINT and drops CMD", RootfsFull, ImageConfig{Entrypoint: []string{"/bin/sh", "-c"}, Cmd: []string{"echo x"}}, "--entrypoint", "/bin/echo"),
		c("flag_entrypoint_empty", "--entrypoint \"\" resets ENTRYPOINT", RootfsFull, ImageConfig{Entrypoint: []string{"/bin/sh", "-c"}, Cmd: echo}, "--entrypoint", ""),
		c("flag_command_after_entrypoint", "a command replaces CMD after ENTRYPOINT", RootfsFull, ImageConfig{Entrypoint: []string{"/bin/echo"}, Cmd: []string{"x"}}, "--", Marker),
		c("flag_command_no_entrypoint", "a command replaces CMD", RootfsFull, ImageConfig{Cmd: []string{"/bin/false"}}, "--", "/bin/echo", Marker),
		c("flag_cap_add_dac_override_script", "opencontainers/runc#3715: a 0744 root script run as alice with CAP_DAC_OVERRIDE", RootfsFull, ImageConfig{User: "alice", Entrypoint: []string{"/entrypoint.sh"}}, "--cap-add", "DAC_OVERRIDE"),
		c("flag_cap_drop_all", "--cap-drop ALL", RootfsFull, img("", ""), "--cap-drop", "ALL"),
		c("flag_cap_drop_all_add_one", "--cap-drop ALL --cap-add NET_BIND_SERVICE", RootfsFull, img("", ""), "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"),
		c("flag_cap_add_all", "--cap-add ALL", RootfsFull, img("", ""), "--cap-add", "ALL"),
		c("flag_cap_drop_one", "--cap-drop CHOWN", RootfsFull, img("", ""), "--cap-drop", "CHOWN"),
		c("flag_cap_conflict_user_absent", "--cap-drop CHOWN --cap-add CHOWN with a USER absent from /etc/passwd: which refusal comes first (podman: the capability merge at create, before init looks the user up; a clock-seeded FINDING)", RootfsFull, img("nobody_here", ""), "--cap-drop", "CHOWN", "--cap-add", "CHOWN"),
		c("flag_cap_add_nonroot", "--cap-add for a non-root user: which sets get it", RootfsFull, img("alice", ""), "--cap-add", "NET_ADMIN"),
		c("flag_cap_add_prefixed", "--cap-add CAP_SYS_PTRACE (with the prefix)", RootfsFull, img("", ""), "--cap-add", "CAP_SYS_PTRACE"),
		c("flag_no_new_privileges", "--security-opt no-new-privileges", RootfsFull, img("alice", ""), "--security-opt", "no-new-privileges"),
		c("flag_cap_drop_all_lowercase", "--cap-drop all, lower case: the CRI plugin finds ALL with strings.EqualFold (containerd pkg/cri/opts/spec_linux.go:WithCapabilities@v1.6.20, util.InStringSlice)", RootfsFull, img("", ""), "--cap-drop", "all"),
		c("flag_cap_add_all_drop_all", "--cap-add ALL --cap-drop ALL: ALL is added, then dropped (containerd WithCapabilities@v1.6.20; CRI-O SpecSetupCapabilities@v1.34.0)", RootfsFull, img("", ""), "--cap-add", "ALL", "--cap-drop", "ALL"),
		c("flag_cap_drop_lowercase_prefixed", "--cap-drop cap_dac_override: a lower-case name with its prefix", RootfsFull, img("", ""), "--cap-drop", "cap_dac_override"),
		c("flag_no_new_privileges_1", "--security-opt no-new-privileges=1: the value is strconv.ParseBool's (moby daemon/daemon_unix.go:parseSecurityOpt@v20.10.24, podman pkg/specgenutil/specgen.go:FillOutSpecGen@v4.3.1)", RootfsFull, img("alice", ""), "--security-opt", "no-new-privileges=1"),
		c("flag_no_new_privileges_false", "--security-opt no-new-privileges=false", RootfsFull, img("alice", ""), "--security-opt", "no-new-privileges=false"),
		c("flag_no_new_privileges_invalid", "--security-opt no-new-privileges=maybe: not a ParseBool value, refused", RootfsFull, img("alice", ""), "--security-opt", "no-new-privileges=maybe"),
		c("flag_security_opt_unknown_key", "--security-opt foo=bar: a key neither engine knows is refused", RootfsFull, img("", ""), "--security-opt", "foo=bar"),
		c("flag_seccomp_unconfined", "--security-opt seccomp=unconfined", RootfsFull, img("", ""), "--security-opt", "seccomp=unconfined"),
		profile("seccomp_profile_missing", "--security-opt seccomp=FILE, FILE missing: docker's CLI and podman refuse, each in its words", nil),
		profile("seccomp_profile_empty", "an empty profile: not JSON (docker CLI json.Compact, podman's decoding)", ptr("")),
		profile("seccomp_profile_truncated", "a truncated JSON object", ptr(`{"defaultAction":`)),
		profile("seccomp_profile_wrong_type", "a number as defaultAction: the engines' own types refuse it (dockerd at start, podman at create)", ptr(`{"defaultAction":5}`)),
		profile("seccomp_profile_unknown_action", "an action nobody knows is passed to the runtime", ptr(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_BOGUS"}]}`)),
		profile("seccomp_profile_unknown_name", "a syscall name nobody knows is passed on", ptr(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["nosuchcall"],"action":"SCMP_ACT_ERRNO"}]}`)),
		profile("seccomp_profile_default_errno_ret", "defaultErrnoRet, listenerPath and flags: moby 20.10's type drops them, containers/common keeps them", ptr(`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"listenerPath":"/run/agent.sock","flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["execve"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_NE"}]}]}`)),
		profile("seccomp_profile_name_and_names", "a rule with both name and names: both engines refuse it", ptr(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"execve","names":["chdir"],"action":"SCMP_ACT_ERRNO"}]}`)),
		profile("seccomp_profile_arch_map", "archMap: the native architecture's entry and its subarchitectures", ptr(`{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]},{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],"syscalls":[{"names":["execve"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}`)),
		profile("seccomp_profile_includes_caps", "a rule included only with CAP_SYS_ADMIN in the bounding set, another excluded with CAP_CHOWN", ptr(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chdir"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}},{"names":["execve"],"action":"SCMP_ACT_ERRNO","excludes":{"caps":["CAP_CHOWN"]}}]}`)),
		c("flag_read_only", "--read-only", RootfsFull, img("", ""), "--read-only"),
		c("flag_tmpfs", "--tmpfs with the engine's default options", RootfsFull, img("", ""), "--tmpfs", "/scratch"),
		c("flag_tmpfs_options", "--tmpfs DST:OPTS", RootfsFull, img("", ""), "--tmpfs", "/scratch:rw,noexec,mode=1777"),
		c("flag_tmpfs_over_workdir", "--tmpfs over the WORKDIR", RootfsFull, img("alice", "/home/alice"), "--tmpfs", "/home/alice"),
		c("flag_volume", "-v SRC:DST", RootfsFull, img("", ""), "-v", HostSource+":/data"),
		c("flag_volume_ro", "-v SRC:DST:ro", RootfsFull, img("", ""), "-v", HostSource+":/data:ro"),
		c("flag_userns_host", "--userns host", RootfsFull, img("", ""), "--userns", "host"),
		c("flag_env", "-e adds a variable", RootfsFull, ImageConfig{Cmd: echo, Env: []string{"FOO=bar"}}, "-e", "BAZ=qux"),
		c("flag_env_override", "-e replaces an image variable", RootfsFull, ImageConfig{Cmd: echo, Env: []string{"FOO=bar"}}, "-e", "FOO=override"),
		c("flag_env_path", "-e PATH", RootfsFull, img("", ""), "-e", "PATH=/custom/bin"),
		c("flag_env_bare_unset", "-e NAME, NAME not in the caller's environment: docker's CLI sends it bare and the daemon removes the image's (docker/cli opts/env.go:ValidateEnv@v20.10.24, moby daemon/commit.go:merge), podman drops it and keeps the image's (pkg/env/env.go:parseEnv@v4.3.1), ctr's --env unsets it before the image's env is applied", RootfsFull, ImageConfig{Cmd: echo, Env: []string{"PREEXEC_CALLER_UNSET=image"}}, "-e", "PREEXEC_CALLER_UNSET"),
		c("flag_read_only_nonroot_nnp", "--read-only, a user and no-new-privileges together", RootfsFull, img("65532", "/home/nonroot"), "--read-only", "--security-opt", "no-new-privileges", "--user", "1000680000:0"),
		c("flag_privileged", privRule+": as root", RootfsPrivileged, privImage, "--privileged"),
		c("flag_privileged_user", privRule+": as uid 1000, docker gives the bounding set only (oci.SetCapabilities), podman E, P, I and A of --cap-add only, the CRI plugin B, E and P", RootfsPrivileged, privImage, "--privileged", "--user", "1000"),
		c("flag_privileged_user_cap_add", privRule+": as uid 1000 with --cap-add DAC_OVERRIDE: podman's non-root sets get it (ambient too), docker's do not", RootfsPrivileged, privImage, "--privileged", "--user", "1000", "--cap-add", "DAC_OVERRIDE"),
		c("flag_privileged_cap_drop_all", privRule+": --cap-drop ALL changes nothing in docker, podman and the CRI plugin; ctr refuses ALL", RootfsPrivileged, privImage, "--privileged", "--cap-drop", "ALL"),
		c("flag_privileged_nnp", privRule+": with no-new-privileges (Kubernetes refuses the pair: a CRI skip)", RootfsPrivileged, privImage, "--privileged", "--security-opt", "no-new-privileges"),
	}
	return cs
}
