package spec_test

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// etc is an image with users and groups that split the engines: alice in
// wheel, audio and (by name) a group "alice" of her own gid; nonroot with a
// same-name group listing it (containerd#11937); bob whose primary group
// 100 lists nobody.
const etc = `
dir / 0755 0:0
dir /home/nonroot 0700 65532:65532
dir /app 0755 2000:2000
file /app/run 0755 0:0 text="#!/bin/sh\n"
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:alice:/home/alice:/bin/sh\nbob:x:1001:100:bob:/home/bob:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
file /etc/group 0644 0:0 text="root:x:0:\nwheel:x:10:alice,bob,root\naudio:x:29:alice\nusers:x:100:\nalice:x:1000:\nnonroot:x:65532:nonroot\n"
`

// fc32 is containerd#11937's reproducer (burgerdev/weird-images src/gid):
// user "name" (2:1) is a member of the group named "name" (gid 2).
const fc32 = `
dir / 0755 0:0
file /etc/passwd 0644 0:0 text="name:x:2:1::/home/name:/usr/sbin/nologin\n"
file /etc/group 0644 0:0 text="daemon:x:1:\nname:x:2:name\n"
`

// noEtc has neither /etc/passwd nor /etc/group.
const noEtc = "dir / 0755 0:0\nfile /app 0755 0:0 text=\"x\"\n"

func fromImage(t *testing.T, engine, fixture string, img spec.ImageConfig, flags ...string) (*specs.Spec, error) {
	t.Helper()
	eng, err := spec.LookupEngine(engine)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := spec.ParseOverrides(flags)
	if err != nil {
		t.Fatal(err)
	}
	if img.Cmd == nil && img.Entrypoint == nil {
		img.Cmd = []string{"/app/run"}
	}
	return spec.FromImage(img, rootfs.MustParseFixture(fixture).Mem(), eng, ov)
}

// userLine is process.user as "uid:gid [additionalGids]", or the error.
func userLine(s *specs.Spec, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	u := s.Process.User
	return fmt.Sprintf("%d:%d %v", u.UID, u.GID, u.AdditionalGids)
}

// TestFromImageUser pins how each engine resolves USER through the image's
// /etc/passwd and /etc/group.
func TestFromImageUser(t *testing.T) {
	rows := []struct {
		name, engine, fixture, user string
		flags                       []string
		want, rule                  string
	}{
		{"docker_name", "docker@20.10.24", etc, "alice", nil, "1000:1000 [1000 10 29]",
			"libcontainer/user GetExecUser: a name gives its passwd line; groups listing it are added (runc v1.1 user.go); getUser puts the gid first (moby e44d7f735e, 20.10.18)"},
		{"docker_name_before_20_10_18", "docker@20.10.17", etc, "alice", nil, "1000:1000 [10 29]",
			"daemon/oci_linux.go:getUser@v20.10.17: no primary gid in additionalGids"},
		{"docker_uid", "docker@20.10.24", etc, "1000", nil, "1000:1000 [1000 10 29]",
			"GetExecUser: a number selects the passwd line by uid, and its name the groups"},
		{"docker_uid_absent", "docker@20.10.24", etc, "1000680000", nil, "1000680000:0 [0]",
			"GetExecUser: a uid absent from passwd runs with gid 0 and no groups (OpenShift's GID 0)"},
		{"docker_uid_gid", "docker@20.10.24", etc, "1000:29", nil, "1000:29 [29]",
			"GetExecUser: with a group part no supplementary groups are looked up"},
		{"docker_name_group", "docker@20.10.24", etc, "alice:wheel", nil, "1000:10 [10]",
			"GetExecUser: a group name selects the gid from /etc/group"},
		{"docker_name_absent", "docker@20.10.24", etc, "carol", nil, "error: unable to find user carol: no matching entries in passwd file",
			"GetExecUser: a name not in passwd is ErrNoPasswdEntries"},
		{"docker_group_absent", "docker@20.10.24", etc, "alice:nogroup", nil, "error: unable to find group nogroup: no matching entries in group file",
			"GetExecUser: a group name not in /etc/group is ErrNoGroupEntries"},
		{"docker_no_passwd_uid", "docker@20.10.24", noEtc, "1000", nil, "1000:0 [0]",
			"GetExecUserPath: a file that cannot be opened reads as empty"},
		{"docker_no_passwd_name", "docker@20.10.24", noEtc, "alice", nil, "error: unable to find user alice: no matching entries in passwd file",
			"GetExecUserPath: no passwd, a name cannot resolve"},
		{"docker_uid_out_of_range", "docker@20.10.24", etc, "2147483648", nil, "error: uids and gids must be in range 0-2147483647",
			"GetExecUser: a numeric uid must be in 0..2^31-1 (ErrRange)"},
		{"docker_same_name_group", "docker@20.10.24", etc, "nonroot", nil, "65532:65532 [65532 65532]",
			"GetExecUser: a group whose name is the user's is not special; getUser appends Sgids after the gid without dedup"},
		{"docker_group_add", "docker@20.10.24", etc, "bob", []string{"--group-add", "audio", "--group-add", "4242"}, "1001:100 [100 10 29 4242]",
			"getUser: --group-add through GetAdditionalGroups, by name or number, appended after Sgids"},
		{"docker_group_add_absent", "docker@20.10.24", etc, "bob", []string{"--group-add", "nogroup"}, "error: Unable to find group nogroup: no matching entries in group file",
			"GetAdditionalGroups (runc v1.1): a name not in /etc/group"},
		{"podman_name", "podman@4.3.1", etc, "alice", nil, "1000:1000 [1000 10 29]",
			"generateSpec: uid, gid, AddProcessAdditionalGid(gid), then Sgids when the user has no ':'"},
		{"podman_same_name_group_dedup", "podman@4.3.1", etc, "nonroot", nil, "65532:65532 [65532]",
			"runtime-tools AddProcessAdditionalGid skips a gid already present"},
		{"podman_no_user", "podman@4.3.1", etc, "", nil, "0:0 [10]",
			"generateSpec: an empty user sets no uid, gid or primary gid, but GetExecUser(\"\") matches uid 0's groups"},
		{"podman_uid_gid", "podman@4.3.1", etc, "1000:1000", nil, "1000:1000 [1000]",
			"generateSpec: with ':' in the user no Sgids are added"},
		{"ctr_name", "containerd@1.6.20", etc, "alice", nil, "1000:1000 [1000 10 29]",
			"oci.WithUsername then WithAdditionalGIDs(uid): member lists, primary gid first (ensureAdditionalGids)"},
		{"ctr_same_name_group", "containerd@1.6.20", etc, "nonroot", nil, "65532:65532 [65532]",
			"oci.WithAdditionalGIDs@v1.6.20 skips a group named as the user (containerd#11937); here its gid is the primary one anyway"},
		{"ctr_uid_gid_gets_groups", "containerd@1.6.20", etc, "1000:29", nil, "1000:29 [10 29]",
			"WithImageConfigArgs: WithAdditionalGIDs(uid) runs even for uid:gid (CVE-2023-25173); ensureAdditionalGids prepends the gid only when absent"},
		{"ctr_uid_absent", "containerd@1.6.20", etc, "1000680000", nil, "1000680000:0 [0]",
			"oci.WithUserID: no passwd line gives gid 0"},
		{"ctr_name_absent", "containerd@1.6.20", etc, "carol", nil, "error: no users found",
			"oci.UserFromPath: ErrNoUsersFound"},
		{"ctr_no_user_root_groups", "containerd@1.6.20", etc, "", nil, "0:0 [0 10]",
			"WithImageConfigArgs: no USER still runs WithAdditionalGIDs(\"root\")"},
		{"fc32_docker_same_name_group_kept", "docker@20.10.24", fc32, "name", nil, "2:1 [1 2]",
			"GetExecUser: the group named as the user lists it, so it is added (containerd#11937)"},
		{"fc32_ctr_same_name_group_skipped", "containerd@1.6.20", fc32, "name", nil, "2:1 [1]",
			"oci.WithAdditionalGIDs@v1.6.20: `if g.Name == username { return false }` drops it (containerd#11937)"},
		{"fc32_podman_same_name_group_kept", "podman@4.3.1", fc32, "name", nil, "2:1 [1 2]",
			"podman's GetExecUser, as Docker"},
		{"crio_uid_absent", "crio@1.34.0", etc, "", []string{"--user", "1000680000"}, "1000680000:0 [0]",
			"setupContainerUser: runAsUser through GetExecUser, unknown uid → gid 0, gid added first"},
		{"crio_name_absent", "crio@1.34.0", etc, "carol", nil, "error: get exec user: unable to find user carol: no matching entries in passwd file",
			"utils.GetUserInfo wraps GetExecUser's error"},
		{"cri_containerd_runasuser", "containerd-cri@1.6.20", etc, "", []string{"--user", "1000:29", "--group-add", "4242"}, "1000:29 [10 29 4242]",
			"containerSpecOpts: WithUser(uid:gid), WithAdditionalGIDs(uid), WithSupplementalGroups: merged and sorted (mergeGids)"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got := userLine(fromImage(t, r.engine, r.fixture, spec.ImageConfig{User: r.user}, r.flags...))
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// capLine is the capability sets as "B=n E=n P=n I=n A=n" with the names
// of E when short.
func capLine(s *specs.Spec, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	c := s.Process.Capabilities
	return fmt.Sprintf("B=%d E=%d P=%d I=%d A=%d %s", len(c.Bounding), len(c.Effective), len(c.Permitted), len(c.Inheritable), len(c.Ambient), strings.Join(c.Effective, ","))
}

// TestFromImageCaps pins each engine row's capability grant, for root and
// for a non-root user.
func TestFromImageCaps(t *testing.T) {
	rows := []struct {
		name, engine, user string
		flags              []string
		want, rule         string
	}{
		{"docker_18_root", "docker@20.10.13", "", nil, "B=14 E=14 P=14 I=14 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,CAP_MKNOD,CAP_NET_RAW,CAP_SETGID,CAP_SETUID,CAP_SETFCAP,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_KILL,CAP_AUDIT_WRITE",
			"oci/oci.go:SetCapabilities@v20.10.13: all four sets for uid 0"},
		{"docker_18_nonroot", "docker@20.10.13", "alice", nil, "B=14 E=0 P=0 I=14 A=0 ",
			"SetCapabilities@v20.10.13 (moby 15ff09395c): non-root keeps B and I, E=P empty"},
		{"docker_20_10_14_root", "docker@20.10.17", "", nil, "B=14 E=14 P=14 I=0 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,CAP_MKNOD,CAP_NET_RAW,CAP_SETGID,CAP_SETUID,CAP_SETFCAP,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_KILL,CAP_AUDIT_WRITE",
			"SetCapabilities@v20.10.14 (moby dd38613d0c, CVE-2022-24769): inheritable empty"},
		{"docker_24_0_5_nonroot", "docker@24.0.5", "alice", nil, "B=14 E=0 P=0 I=0 A=0 ",
			"SetCapabilities@v24.0.5: non-root gets the bounding set only"},
		{"docker_24_0_6_nonroot", "docker@24.0.6", "alice", nil, "B=14 E=14 P=14 I=0 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,CAP_MKNOD,CAP_NET_RAW,CAP_SETGID,CAP_SETUID,CAP_SETFCAP,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_KILL,CAP_AUDIT_WRITE",
			"SetCapabilities@v24.0.6 (moby bf2b8a05a0): B=E=P for every uid"},
		{"docker_cap_drop_all_add", "docker@20.10.24", "", []string{"--cap-drop", "all", "--cap-add", "dac_override"}, "B=1 E=1 P=1 I=0 A=0 CAP_DAC_OVERRIDE",
			"TweakCapabilities: drop ALL keeps only the added; names upper-cased and CAP_-prefixed"},
		{"docker_cap_unknown", "docker@20.10.24", "", []string{"--cap-add", "foo"}, `error: invalid CapAdd: unknown capability: "CAP_FOO"`,
			"daemon/container.go:validateCapabilities: NormalizeLegacyCapabilities at create"},
		{"docker_cap_add_all", "docker@20.10.24", "", []string{"--cap-add", "ALL"}, "B=38 E=38 P=38 I=0 A=0 " + allUpTo(37),
			"oci/caps/utils.go init: ALL stops at CAP_AUDIT_READ"},
		{"podman_root", "podman@4.3.1", "", nil, "B=11 E=11 P=11 I=0 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_NET_BIND_SERVICE,CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_CHROOT",
			"containers.conf default_capabilities (common v0.50.1): eleven, sorted"},
		{"podman_nonroot", "podman@4.3.1", "alice", nil, "B=11 E=0 P=0 I=0 A=0 ",
			"securityConfigureGenerator: a non-root user string gets E=P=A=I of --cap-add only"},
		{"podman_nonroot_cap_add", "podman@4.3.1", "alice", []string{"--cap-add", "net_admin"}, "B=12 E=1 P=1 I=1 A=1 CAP_NET_ADMIN",
			"securityConfigureGenerator: the added capabilities become ambient and inheritable for a non-root user"},
		{"podman_uid0_name_root", "podman@4.3.1", "root", nil, "B=11 E=11 P=11 I=0 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_NET_BIND_SERVICE,CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_CHROOT",
			"securityConfigureGenerator: the user string \"root\" is root"},
		{"podman_add_and_drop", "podman@4.3.1", "", []string{"--cap-add", "chown", "--cap-drop", "CHOWN"}, `error: capability "CAP_CHOWN" cannot be dropped and added`,
			"MergeCapabilities: a name both added and dropped"},
		{"ctr_nonroot_full", "containerd@1.6.20", "alice", nil, "B=14 E=14 P=14 I=0 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,CAP_MKNOD,CAP_NET_RAW,CAP_SETGID,CAP_SETUID,CAP_SETFCAP,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_KILL,CAP_AUDIT_WRITE",
			"oci/spec.go:populateDefaultUnixSpec: B=E=P for every uid (containerd#4669 not merged; kubernetes-sigs/kind#1331)"},
		{"ctr_cap_all_refused", "containerd@1.6.20", "", []string{"--cap-add", "ALL"}, "error: capabilities must be specified with 'CAP_' prefix",
			"run_unix.go:NewContainer: --cap-add must start with CAP_"},
		{"crio_default", "crio@1.34.0", "alice", nil, "B=9 E=9 P=9 I=0 A=0 CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_KILL",
			"capabilities_linux.go:Default@v1.34.0: nine, B=E=P for every uid"},
		{"crio_drop_all", "crio@1.34.0", "", []string{"--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"}, "B=1 E=1 P=1 I=0 A=0 CAP_NET_BIND_SERVICE",
			"SpecSetupCapabilities: drop ALL leaves the added only"},
		{"cri_containerd_drop_all", "containerd-cri@1.6.20", "", []string{"--cap-drop", "ALL"}, "B=0 E=0 P=0 I=0 A=0 ",
			"pkg/cri/opts WithCapabilities: drop ALL is WithCapabilities(nil)"},
		{"cri_containerd_drop_all_lowercase", "containerd-cri@1.6.20", "", []string{"--cap-drop", "all"}, "B=0 E=0 P=0 I=0 A=0 ",
			"WithCapabilities@v1.6.20: util.InStringSlice finds ALL with strings.EqualFold, so all drops everything (engine oracle: flag_cap_drop_all_lowercase)"},
		{"cri_containerd_add_all_drop_all", "containerd-cri@1.6.20", "", []string{"--cap-add", "ALL", "--cap-drop", "ALL"}, "B=0 E=0 P=0 I=0 A=0 ",
			"WithCapabilities@v1.6.20: add ALL, then drop ALL (engine oracle: flag_cap_add_all_drop_all)"},
		{"crio_add_all_drop_all", "crio@1.34.0", "", []string{"--cap-add", "ALL", "--cap-drop", "ALL"}, "B=0 E=0 P=0 I=0 A=0 ",
			"SpecSetupCapabilities@v1.34.0: add ALL adds every capability, then drop ALL drops every one"},
		{"crio_drop_lowercase_prefixed", "crio@1.34.0", "", []string{"--cap-drop", "cap_dac_override"}, "B=8 E=8 P=8 I=0 A=0 CAP_CHOWN,CAP_FSETID,CAP_FOWNER,CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_KILL",
			"SpecSetupCapabilities: cap_dac_override keeps its prefix; DropProcessCapabilityBounding upper-cases it and drops CAP_DAC_OVERRIDE"},
		{"crio_add_lowercase_prefixed", "crio@1.34.0", "", []string{"--cap-add", "cap_sys_ptrace"}, "B=10 E=10 P=10 I=0 A=0 CAP_SYS_PTRACE,CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_KILL",
			"SpecSetupCapabilities: inStringSlice validates in any case; AddProcessCapabilityBounding adds CAP_SYS_PTRACE"},
		{"crio_drop_unknown", "crio@1.34.0", "", []string{"--cap-drop", "FOO"}, "error: failed to drop cap CAP_FOO invalid capability: CAP_FOO",
			"SpecSetupCapabilities: `failed to drop cap %s %w` around runtime-tools CapValid's `invalid capability: %s`"},
		{"crio_drop_unknown_prefixed_lowercase", "crio@1.34.0", "", []string{"--cap-drop", "cap_foo"}, "error: failed to drop cap cap_foo invalid capability: CAP_FOO",
			"SpecSetupCapabilities: the name as written (prefixed), CapValid's upper-cased"},
		{"crio_add_unknown", "crio@1.34.0", "", []string{"--cap-add", "foo"}, `error: unknown capability "CAP_FOO" to add`,
			"SpecSetupCapabilities: an added name not in getOCICapabilitiesList"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			user := r.user
			var flags []string
			if strings.HasPrefix(r.engine, "cri") || strings.HasPrefix(r.engine, "containerd-cri") {
				if user == "alice" {
					flags, user = []string{"--user", "1000"}, ""
				}
			}
			got := capLine(fromImage(t, r.engine, etc, spec.ImageConfig{User: user}, append(flags, r.flags...)...))
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

func allUpTo(last int) string {
	var out []string
	for _, n := range []string{"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ"}[:last+1] {
		out = append(out, "CAP_"+n)
	}
	return strings.Join(out, ",")
}

// procLine is cwd, args, env, noNewPrivileges, umask and root.readonly.
func procLine(s *specs.Spec, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	p := s.Process
	umask := "-"
	if p.User.Umask != nil {
		umask = fmt.Sprintf("%04o", *p.User.Umask)
	}
	return fmt.Sprintf("cwd=%s args=%q env=%q nnp=%v umask=%s ro=%v", p.Cwd, p.Args, p.Env, p.NoNewPrivileges, umask, s.Root.Readonly)
}

// TestFromImageProcess pins WORKDIR, ENTRYPOINT + CMD, the environment,
// no_new_privs, umask and --read-only per engine.
func TestFromImageProcess(t *testing.T) {
	ep := spec.ImageConfig{Entrypoint: []string{"/app/run"}, Cmd: []string{"a"}, WorkingDir: "/app", Env: []string{"A=1"}}
	rows := []struct {
		name, engine string
		img          spec.ImageConfig
		flags        []string
		want, rule   string
	}{
		{"docker_defaults", "docker@20.10.24", ep, nil,
			`cwd=/app args=["/app/run" "a"] env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOSTNAME=" "A=1"] nnp=false umask=- ro=false`,
			"createSpec: args = Entrypoint + Cmd; CreateDaemonEnvironment: PATH and HOSTNAME, then the image's env"},
		{"docker_entrypoint_clears_cmd", "docker@20.10.24", ep, []string{"--entrypoint", "/bin/sh"},
			`cwd=/app args=["/bin/sh"] env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOSTNAME=" "A=1"] nnp=false umask=- ro=false`,
			"daemon/commit.go:merge: a user entrypoint drops the image's Cmd"},
		{"docker_workdir_cleaned_env_override", "docker@20.10.24", ep, []string{"-w", "/app/", "-e", "PATH=/x", "--security-opt", "no-new-privileges", "--read-only", "--", "b"},
			`cwd=/app args=["/app/run" "b"] env=["PATH=/x" "HOSTNAME=" "A=1"] nnp=true umask=- ro=true`,
			"SetupWorkingDirectory cleans the path; ReplaceOrAppendEnvValues replaces PATH in place; NoNewPrivileges and ReadonlyRootfs pass through"},
		{"docker_workdir_relative_flag", "docker@20.10.24", ep, []string{"-w", "rel"},
			"error: the working directory 'rel' is invalid, it needs to be an absolute path",
			"daemon/container.go:translateWorkingDir on the create request"},
		{"docker_no_command", "docker@20.10.24", spec.ImageConfig{Entrypoint: []string{""}}, nil,
			"error: No command specified", "mergeAndVerifyConfig: Entrypoint [\"\"] is reset and nothing is left"},
		{"docker_workdir_not_dir", "docker@20.10.24", spec.ImageConfig{WorkingDir: "/app/run", Cmd: []string{"x"}}, nil,
			"error: Cannot mkdir: /app/run is not a directory", "SetupWorkingDirectory: an existing non-directory"},
		{"podman_defaults", "podman@4.3.1", ep, nil,
			`cwd=/app args=["/app/run" "a"] env=["A=1" "HOME=/root" "HOSTNAME=" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "TERM=xterm" "container=podman"] nnp=false umask=0022 ro=false`,
			"CompleteSpec: env.DefaultEnvVariables, containers.conf env and the image's as a map; HOME from passwd; umask 0022 from containers.conf"},
		{"podman_entrypoint_json", "podman@4.3.1", ep, []string{"--entrypoint", `["/bin/sh","-c"]`, "--", "echo"},
			`cwd=/app args=["/bin/sh" "-c" "echo"] env=["A=1" "HOME=/root" "HOSTNAME=" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "TERM=xterm" "container=podman"] nnp=false umask=0022 ro=false`,
			"specgenutil: --entrypoint parsed as a JSON array when it is one"},
		{"podman_workdir_missing", "podman@4.3.1", ep, []string{"-w", "/missing"},
			`error: workdir "/missing" does not exist on container $ID`, "resolveWorkDir: a --workdir must exist"},
		{"podman_image_workdir_missing_created", "podman@4.3.1", spec.ImageConfig{WorkingDir: "/missing", Cmd: []string{"x"}}, nil,
			`cwd=/missing args=["x"] env=["HOME=/root" "HOSTNAME=" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "TERM=xterm" "container=podman"] nnp=false umask=0022 ro=false`,
			"resolveWorkDir: the image's WORKDIR is created (WithCreateWorkingDir)"},
		{"ctr_defaults", "containerd@1.6.20", spec.ImageConfig{Entrypoint: []string{"/app/run"}, Env: []string{"A=1"}}, []string{"-e", "B=2"},
			`cwd=/ args=["/app/run"] env=["A=1" "B=2"] nnp=true umask=- ro=false`,
			"populateDefaultUnixSpec: noNewPrivileges true; WithImageConfigArgs: the image env, --env over it, no default PATH when the image has env"},
		{"ctr_args_replace_all", "containerd@1.6.20", spec.ImageConfig{Cmd: []string{"/app/run"}}, []string{"--", "x", "y"},
			`cwd=/ args=["x" "y"] env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] nnp=true umask=- ro=false`,
			"oci.WithProcessArgs replaces the image's argv; defaultUnixEnv when the image has no env"},
		{"cri_containerd_nnp", "containerd-cri@1.6.20", ep, []string{"--security-opt", "no-new-privileges"},
			`cwd=/app args=["/app/run" "a"] env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOSTNAME=" "A=1"] nnp=true umask=- ro=false`,
			"containerSpec: WithNewPrivileges, then WithNoNewPrivileges when allowPrivilegeEscalation is false"},
		{"crio_env", "crio@1.34.0", ep, []string{"-e", "A=2"},
			`cwd=/app args=["/app/run" "a"] env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "TERM=xterm" "HOSTNAME=" "A=2" "container=crio"] nnp=false umask=- ro=false`,
			"CRI-O: generate.New's PATH and TERM, HOSTNAME, mergeEnvs (the container's A over the image's), container=crio"},
		{"cri_command_args", "containerd-cri@1.6.20", ep, []string{"--entrypoint", "/bin/sh", "--", "-c", "x"},
			`cwd=/app args=["/bin/sh" "-c" "x"] env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOSTNAME=" "A=1"] nnp=false umask=- ro=false`,
			"pkg/cri/opts WithProcessArgs: command replaces the entrypoint, args the Cmd"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got := procLine(fromImage(t, r.engine, etc, r.img, r.flags...))
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// TestFromImageMounts pins the options --tmpfs, -v and --read-only give.
func TestFromImageMounts(t *testing.T) {
	rows := []struct {
		name, engine string
		flags        []string
		want, rule   string
	}{
		{"docker_tmpfs_default", "docker@20.10.24", []string{"--tmpfs", "/scratch"}, "tmpfs /scratch [noexec nosuid nodev rprivate]",
			"WithMounts: noexec,nosuid,nodev and the default propagation (docker/docs#8138, moby#35890)"},
		{"docker_tmpfs_exec_wins", "docker@20.10.24", []string{"--tmpfs", "/scratch:exec,mode=1777"}, "tmpfs /scratch [nosuid nodev rprivate exec mode=1777]",
			"MergeTmpfsOptions: the later of noexec/exec wins"},
		{"docker_tmpfs_bad_option", "docker@20.10.24", []string{"--tmpfs", "/scratch:foo=1"}, `error: Invalid tmpfs option ["foo" "1"]`,
			"MergeTmpfsOptions: an unknown KEY=VALUE"},
		{"docker_bind_ro", "docker@20.10.24", []string{"-v", "/src:/data:ro"}, "bind /data [rbind ro rprivate]",
			"WithMounts: rbind, ro when not writable, rprivate for a host path"},
		{"docker_duplicate", "docker@20.10.24", []string{"--tmpfs", "/data", "-v", "/src:/data"}, "error: Duplicate mount point: /data",
			"registerMountPoints: a bind on a --tmpfs destination (#10618)"},
		{"podman_tmpfs_default", "podman@4.3.1", []string{"--tmpfs", "/scratch"}, "tmpfs /scratch [rw rprivate nosuid nodev tmpcopyup]",
			"ProcessOptions: tmpfs gets rw, rprivate, nosuid, nodev, tmpcopyup — exec allowed"},
		{"podman_read_only_tmpfs", "podman@4.3.1", []string{"--read-only"}, "tmpfs /tmp [rw rprivate nosuid nodev tmpcopyup]; tmpfs /var/tmp [rw rprivate nosuid nodev tmpcopyup]; tmpfs /run [rw rprivate nosuid nodev tmpcopyup]",
			"parseVolumes: --read-only with read-only-tmpfs adds /tmp, /var/tmp, /run"},
		{"podman_userns_keep_id", "podman@4.3.1", []string{"--userns", "keep-id"}, "error: keep-id is only supported in rootless mode",
			"namespaces.go: keep-id is refused by podman run as root (held by the engine oracle's rootful userns cases)"},
		{"podman_duplicate", "podman@4.3.1", []string{"-v", "/a:/data", "--tmpfs", "/data"}, "error: /data: duplicate mount destination",
			"parseVolumes: specgen.ErrDuplicateDest"},
		{"ctr_tmpfs_as_mount", "containerd@1.6.20", []string{"--tmpfs", "/scratch:size=1m"}, "tmpfs /scratch [size=1m]",
			"ctr --mount: the options as given, no defaults (run.go:withMounts)"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s, err := fromImage(t, r.engine, etc, spec.ImageConfig{}, r.flags...)
			var got string
			if err != nil {
				got = "error: " + err.Error()
			} else {
				var ms []string
				for _, m := range s.Mounts {
					ms = append(ms, fmt.Sprintf("%s %s %v", m.Type, m.Destination, m.Options))
				}
				got = strings.Join(ms, "; ")
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// TestLookupEngine pins the version ranges of the rows.
func TestLookupEngine(t *testing.T) {
	rows := []struct{ name, want, rule string }{
		{"docker@18.06.3", "docker@20.10.13", "the 18.04–20.10.13 rule (moby 15ff09395c)"},
		{"docker@20.10.14", "docker@20.10.17", "CVE-2022-24769 from 20.10.14"},
		{"docker@20.10.18", "docker@20.10.24", "primary gid in additionalGids from 20.10.18"},
		{"docker@23.0.1", "docker@23.0.6", "23.0 keeps the 20.10.14 cap rule and message, with its own exit status for EISDIR"},
		{"docker@24.0.2", "docker@24.0.5", "24.0 adds \"failed to create task for container\""},
		{"docker@v26.1.0", "docker@24.0.6", "B=E=P for every uid from 24.0.6 on"},
		{"cri-o@1.34.2", "crio@1.34.0", "cri-o is crio"},
		{"docker@17.12.0", "", "before 18.04 no row"},
		{"nerdctl@1.0.0", "", "an unknown engine"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		e, err := spec.LookupEngine(r.name)
		if (err != nil) != (r.want == "") || e.Name != r.want {
			t.Errorf("LookupEngine(%q) = %q, %v; want %q (%s)", r.name, e.Name, err, r.want, r.rule)
		}
	}
	// Rows of one family cover disjoint, increasing version ranges.
	last := map[spec.Family]spec.Engine{}
	for _, e := range spec.Engines() {
		if p, ok := last[e.Family]; ok {
			if p.Until == "" || spec.CompareVersions(e.Since, p.Until) < 0 || e.Since == p.Until {
				t.Errorf("%s (from %s) overlaps %s (to %q)", e.Name, e.Since, p.Name, p.Until)
			}
		}
		last[e.Family] = e
	}
	for _, e := range spec.Engines() {
		if e.Source == "" || e.GrantSource == "" || len(e.Caps) == 0 {
			t.Errorf("%s: every row cites its source and lists its capabilities", e.Name)
		}
		if got, err := spec.LookupEngine(e.Name); err != nil || got.Name != e.Name {
			t.Errorf("LookupEngine(%q) = %q, %v", e.Name, got.Name, err)
		}
	}
}

// TestMessage pins each engine's wrapping of a runtime error and of its
// own refusals.
func TestMessage(t *testing.T) {
	const runc = `runc create failed: unable to start container process: exec: "/x": permission denied`
	rows := []struct{ name, engine, msg, want, rule string }{
		{"docker_20_10", "docker@20.10.24", runc,
			`docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/x": permission denied: unknown.`,
			"cli reportError + containerd runtimeError + errdefs Unknown"},
		{"docker_24", "docker@24.0.6", runc,
			`docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/x": permission denied: unknown.`,
			"libcontainerd/remote/client.go@v24.0.0 (moby 4bafaa00aa)"},
		{"podman_permission", "podman@4.3.1", runc,
			`Error: runc: runc create failed: unable to start container process: exec: "/x": permission denied: OCI permission denied`,
			"getOCIRuntimeError: permission denied → ErrOCIRuntimePermissionDenied"},
		{"podman_not_found", "podman@4.3.1", `runc create failed: unable to start container process: exec: "x": executable file not found in $PATH`,
			`Error: runc: runc create failed: unable to start container process: exec: "x": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found`,
			"getOCIRuntimeError: executable file not found → ErrOCIRuntimeNotFound"},
		{"podman_other", "podman@4.3.1", "chdir to cwd (\"/x\") set in config.json failed: not a directory\n",
			`Error: OCI runtime error: runc: chdir to cwd ("/x") set in config.json failed: not a directory`,
			"getOCIRuntimeError: anything else → ErrOCIRuntime, trimmed of newlines"},
		{"podman_one_line", "podman@4.3.1", "first\nsecond: Permission Denied\nthird",
			`Error: runc: second: Permission Denied: OCI permission denied`,
			"getOCIRuntimeError: (?i), and '.' stops at a newline: the matching line only"},
		{"ctr", "containerd@1.6.20", runc,
			`ctr: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/x": permission denied: unknown`,
			"cmd/ctr/main.go prints ctr: and the error"},
		{"kubelet_containerd", "containerd-cri@1.6.20", runc,
			`Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/x": permission denied: unknown`,
			"container_start.go + kubelet event Error: %v"},
		{"kubelet_crio", "crio@1.34.0", runc,
			`Error: container create failed: runc create failed: unable to start container process: exec: "/x": permission denied`,
			"runtime_oci.go CreateContainer + kubelet event"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		e, _ := spec.LookupEngine(r.engine)
		if got := e.Message("runc", r.msg); got != r.want {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.name, r.rule, got, r.want)
		}
	}

	// Docker on containerd 1.5: the row copied with that containerd's
	// wrapping (runtime/v2/manager.go@v1.5.0 "failed to create shim").
	d15, _ := spec.LookupEngine("docker@20.10.24")
	d15.ShimPrefix = "failed to create shim: "
	if got, want := d15.Message("runc", "x: permission denied"), "docker: Error response from daemon: failed to create shim: OCI runtime create failed: x: permission denied: unknown."; got != want {
		t.Errorf("docker on containerd 1.5:\ngot  %s\nwant %s", got, want)
	}

	// Refusals.
	d, _ := spec.LookupEngine("docker@20.10.24")
	_, err := fromImage(t, "docker@20.10.24", etc, spec.ImageConfig{User: "carol"})
	if got, want := d.Refusal(err), "docker: Error response from daemon: unable to find user carol: no matching entries in passwd file."; got != want {
		t.Errorf("docker start refusal:\ngot  %s\nwant %s", got, want)
	}
	_, err = fromImage(t, "docker@20.10.24", etc, spec.ImageConfig{Entrypoint: []string{""}})
	if got, want := d.Refusal(err), "docker: Error response from daemon: No command specified.\nSee 'docker run --help'."; got != want {
		t.Errorf("docker create refusal:\ngot  %s\nwant %s", got, want)
	}
	var ee *spec.EngineError
	if !errors.As(err, &ee) || !ee.Create || ee.Engine != "docker@20.10.24" {
		t.Errorf("No command specified is an *EngineError at create, got %#v", err)
	}
}

// fixtureFS is a rootfs.Mem from fixture text.
func fixtureFS(text string) *rootfs.Mem { return rootfs.MustParseFixture(text).Mem() }

// TestFromImageSetsIndependent: each capability set of a spec is its own
// slice, so a caller editing one (a --cap-drop of its own) leaves the
// others and the engine rows alone.
func TestFromImageSetsIndependent(t *testing.T) {
	for _, e := range spec.Engines() {
		for _, user := range []string{"", "alice"} {
			s, err := spec.FromImage(spec.ImageConfig{User: user, Cmd: []string{"x"}}, fixtureFS(etc), e, spec.Overrides{CapAdd: []string{"NET_ADMIN"}})
			if err != nil {
				continue
			}
			c := s.Process.Capabilities
			sets := [][]string{c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient}
			for i := range sets {
				if len(sets[i]) > 0 {
					sets[i][0] = "MUTATED"
				}
			}
			for i, set := range sets {
				for j, other := range sets {
					if i != j && len(other) > 0 && len(set) > 0 && &set[0] == &other[0] {
						t.Errorf("%s user %q: sets %d and %d share memory", e.Name, user, i, j)
					}
				}
			}
			if strings.HasPrefix(e.Caps[0], "MUTATED") {
				t.Fatalf("%s: the row's list was changed through a spec", e.Name)
			}
		}
	}
}

// FuzzFromImageUser feeds arbitrary /etc/passwd, /etc/group and USER to
// every engine row: never a panic; a refusal is an *EngineError or an
// *UnsupportedError; a spec has a process with a cwd and args; a numeric
// USER that the libcontainer engines (Docker, podman) accept is the uid.
func FuzzFromImageUser(f *testing.F) {
	f.Add("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n", "wheel:x:10:alice\n", "alice")
	f.Add("a:b\n\n  :x:-1:2\n", "#c\n g:x:5:a,,b\r\n", "a:g")
	f.Add("", "", "4294967296:1")
	f.Fuzz(func(t *testing.T, passwd, group, user string) {
		fsys := rootfs.NewMem().Dir("/", 0o755, 0, 0).Dir("/etc", 0o755, 0, 0).
			File("/etc/passwd", 0o644, 0, 0, []byte(passwd)).File("/etc/group", 0o644, 0, 0, []byte(group))
		for _, e := range spec.Engines() {
			s, err := spec.FromImage(spec.ImageConfig{User: user, Cmd: []string{"x"}}, fsys, e, spec.Overrides{})
			if err != nil {
				var ee *spec.EngineError
				var ue *spec.UnsupportedError
				if !errors.As(err, &ee) && !errors.As(err, &ue) {
					t.Fatalf("%s: %T %v", e.Name, err, err)
				}
				continue
			}
			if s.Process == nil || s.Process.Cwd == "" || len(s.Process.Args) == 0 {
				t.Fatalf("%s: incomplete process %+v", e.Name, s.Process)
			}
			if n, err := strconv.Atoi(strings.Split(user, ":")[0]); err == nil && (e.Family == spec.Docker || e.Family == spec.Podman) {
				if n < 0 || n > math.MaxInt32 || s.Process.User.UID != uint32(n) {
					t.Fatalf("%s: USER %q accepted as uid %d", e.Name, user, s.Process.User.UID)
				}
			}
		}
	})
}

// TestSecurityOptEngines pins how each engine reads --security-opt past
// the CLI's KEY=VALUE split: docker's daemon at create (moby
// daemon/daemon_unix.go:parseSecurityOpt@v20.10.24) and podman's command
// line (pkg/specgenutil/specgen.go:FillOutSpecGen@v4.3.1) read
// no-new-privileges' value with strconv.ParseBool and refuse a key they
// do not know, in the same words; podman knows a few keys more. The
// engine oracle holds flag_no_new_privileges_1, _false, _invalid and
// flag_security_opt_unknown_key.
func TestSecurityOptEngines(t *testing.T) {
	rows := []struct {
		name, engine, opt string
		want, rule        string
	}{
		{"docker_nnp_1", "docker@20.10.24", "no-new-privileges=1", "nnp=true", "ParseBool(\"1\") is true"},
		{"podman_nnp_true", "podman@4.3.1", "no-new-privileges=TRUE", "nnp=true", "ParseBool(\"TRUE\") is true"},
		{"docker_nnp_false", "docker@20.10.24", "no-new-privileges=false", "nnp=false", "ParseBool(\"false\") is false"},
		{"docker_nnp_invalid", "docker@20.10.24", "no-new-privileges=maybe", `error: invalid --security-opt 2: "no-new-privileges=maybe"`, "a value ParseBool refuses"},
		{"podman_nnp_invalid", "podman@4.3.1", "no-new-privileges:yes", `error: invalid --security-opt 2: "no-new-privileges:yes"`, "the old ':' form, a value ParseBool refuses"},
		{"docker_unknown_key", "docker@20.10.24", "foo=bar", `error: invalid --security-opt 2: "foo=bar"`, "a key the daemon does not know"},
		{"podman_unknown_key", "podman@4.3.1", "foo=bar", `error: invalid --security-opt 2: "foo=bar"`, "a key podman does not know"},
		{"docker_mask", "docker@20.10.24", "mask=/proc/x", `error: invalid --security-opt 2: "mask=/proc/x"`, "mask is podman's only"},
		{"podman_mask", "podman@4.3.1", "mask=/proc/x", "nnp=false", "podman's mask key"},
		{"podman_systempaths", "podman@4.3.1", "systempaths=confined", "error: invalid systempaths option \"confined\", only `unconfined` is supported", "podman's own words for systempaths"},
		{"docker_label", "docker@20.10.24", "label=disable", "nnp=false", "label is the daemon's"},
		{"cri_unknown_key", "containerd-cri@1.6.20", "foo=bar", "error: containerd-cri@1.6.20: Kubernetes has no securityContext field for --security-opt foo=bar", "a Kubernetes container has no form for it"},
		{"cri_nnp_1", "crio@1.34.0", "no-new-privileges=1", "nnp=true", "allowPrivilegeEscalation: false"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s, err := fromImage(t, r.engine, etc, spec.ImageConfig{}, "--security-opt", r.opt)
			got := ""
			if err != nil {
				got = "error: " + err.Error()
			} else {
				got = fmt.Sprintf("nnp=%v", s.Process.NoNewPrivileges)
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// TestPrivilegedEngines holds --privileged as each engine builds it: the
// capability sets (counted: 38 is every capability up to CAP_AUDIT_READ,
// docker's list; 41 every one the model knows) and the seccomp filter.
func TestPrivilegedEngines(t *testing.T) {
	rows := []struct {
		name, engine string
		flags        []string
		want, rule   string
	}{
		{"docker_root", "docker@20.10.24", nil, "B38 E38 P38 I0 A0 seccomp=false nnp=false", "TweakCapabilities: GetAllCapabilities, up to CAP_AUDIT_READ; WithSeccomp installs nothing"},
		{"docker_user", "docker@20.10.24", []string{"--user", "1000"}, "B38 E0 P0 I0 A0 seccomp=false nnp=false", "oci.SetCapabilities: a non-root user gets the bounding set only"},
		{"docker_cap_drop_all", "docker@20.10.24", []string{"--cap-drop", "ALL"}, "B38 E38 P38 I0 A0 seccomp=false nnp=false", "privileged wins over --cap-drop"},
		{"docker_cap_drop_unknown", "docker@20.10.24", []string{"--cap-drop", "NOPE"}, `error: invalid CapDrop: unknown capability: "CAP_NOPE"`, "validateCapabilities still checks the names at create"},
		{"docker_nnp", "docker@20.10.24", []string{"--security-opt", "no-new-privileges"}, "B38 E38 P38 I0 A0 seccomp=false nnp=true", "no-new-privileges is kept"},
		{"podman_root", "podman@4.3.1", nil, "B41 E41 P41 I0 A0 seccomp=false nnp=false", "securityConfigureGenerator: capabilities.BoundingSet(); no profile of the user's: no filter"},
		{"podman_user", "podman@4.3.1", []string{"--user", "1000"}, "B41 E0 P0 I0 A0 seccomp=false nnp=false", "a non-root user: E, P, I and A are --cap-add's, none"},
		{"podman_user_cap_add", "podman@4.3.1", []string{"--user", "1000", "--cap-add", "DAC_OVERRIDE"}, "B41 E1 P1 I1 A1 seccomp=false nnp=false", "a non-root user gets --cap-add in E, P, I and A"},
		{"podman_cap_drop_all", "podman@4.3.1", []string{"--cap-drop", "ALL"}, "B41 E41 P41 I0 A0 seccomp=false nnp=false", "MergeCapabilities is not called"},
		{"podman_add_drop_same", "podman@4.3.1", []string{"--cap-add", "CHOWN", "--cap-drop", "CHOWN"}, "B41 E41 P41 I0 A0 seccomp=false nnp=false", "nor is its add-and-drop refusal"},
		{"ctr_root", "containerd@1.6.20", nil, "B41 E41 P41 I0 A0 seccomp=false nnp=true", "oci.WithPrivileged: WithAllCurrentCapabilities; ctr's noNewPrivileges stays"},
		{"ctr_cap_drop", "containerd@1.6.20", []string{"--cap-drop", "CHOWN"}, "B40 E40 P40 I0 A0 seccomp=false nnp=true", "--cap-drop applies after WithPrivileged"},
		{"cri_root", "containerd-cri@1.6.20", nil, "B41 E41 P41 I0 A0 seccomp=false nnp=false", "securityContext.privileged"},
		{"cri_user", "containerd-cri@1.6.20", []string{"--user", "1000"}, "B41 E41 P41 I0 A0 seccomp=false nnp=false", "the CRI plugin gives a non-root user B, E and P too"},
		{"cri_nnp", "containerd-cri@1.6.20", []string{"--security-opt", "no-new-privileges"}, "error: containerd-cri@1.6.20: --privileged with no-new-privileges: Kubernetes refuses a container with privileged true and allowPrivilegeEscalation false", "the API server's refusal"},
		{"crio_user", "crio@1.34.0", []string{"--user", "1000"}, "B41 E41 P41 I41 A41 seccomp=false nnp=false", "CRI-O's SetupPrivileged: all five sets"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s, err := fromImage(t, r.engine, etc, spec.ImageConfig{}, append([]string{"--privileged"}, r.flags...)...)
			got := ""
			if err != nil {
				got = "error: " + err.Error()
			} else {
				c := s.Process.Capabilities
				got = fmt.Sprintf("B%d E%d P%d I%d A%d seccomp=%v nnp=%v", len(c.Bounding), len(c.Effective), len(c.Permitted), len(c.Inheritable), len(c.Ambient),
					s.Linux != nil && s.Linux.Seccomp != nil, s.Process.NoNewPrivileges)
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// TestBareEnvEngines holds -e NAME without a value: the CLI takes the
// caller's value, which the model does not know; where PATH could be it
// and args[0] is looked up in it the answer is unknown, else the model's
// spec is a caller's without the variable.
func TestBareEnvEngines(t *testing.T) {
	img := spec.ImageConfig{Cmd: []string{"run"}, Env: []string{"PATH=/app", "FOO=image"}}
	rows := []struct {
		name, engine string
		img          spec.ImageConfig
		flags        []string
		want, rule   string
	}{
		{"docker_path_bare_args0", "docker@20.10.24", img, []string{"-e", "PATH"}, "unknown", "args[0] \"run\" is looked up in the caller's PATH, or in none"},
		{"podman_path_bare_args0", "podman@4.3.1", img, []string{"-e", "PATH"}, "unknown", "the caller's PATH, or the image's"},
		{"podman_wildcard", "podman@4.3.1", img, []string{"-e", "PA*"}, "unknown", "NAME* takes every caller variable with that prefix, PATH among them"},
		{"podman_wildcard_other", "podman@4.3.1", img, []string{"-e", "FO*"}, "FOO=image PATH=/app", "a prefix PATH lacks cannot set it"},
		{"docker_wildcard_literal", "docker@20.10.24", img, []string{"-e", "PA*"}, "FOO=image PATH=/app", "docker has no wildcard: PA* is a name"},
		{"docker_path_slash_args0", "docker@20.10.24", spec.ImageConfig{Cmd: []string{"/app/run"}, Env: img.Env}, []string{"-e", "PATH"}, "FOO=image", "args[0] has a '/': PATH is not read; the spec is an unset caller's (the image's PATH removed too)"},
		{"docker_other_unset", "docker@20.10.24", img, []string{"-e", "FOO"}, "PATH=/app", "another variable: an unset caller's, the image's FOO removed"},
		{"podman_other_unset", "podman@4.3.1", img, []string{"-e", "FOO"}, "FOO=image PATH=/app", "podman drops an unset variable: the image's FOO stays"},
		{"cri_bare", "containerd-cri@1.6.20", img, []string{"-e", "FOO"}, "error: containerd-cri@1.6.20: -e FOO takes the value of the caller's environment; a Kubernetes env entry has its value", "a Kubernetes env entry has a value"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s, err := fromImage(t, r.engine, etc, r.img, r.flags...)
			got := ""
			switch {
			case errors.Is(err, spec.ErrUndecided):
				got = "unknown"
				if !strings.Contains(err.Error(), "-e "+r.flags[1]) {
					t.Errorf("the reason does not name the flag: %v", err)
				}
			case err != nil:
				got = "error: " + err.Error()
			default:
				var kept []string
				for _, e := range s.Process.Env {
					if strings.HasPrefix(e, "FOO=") || strings.HasPrefix(e, "PATH=") {
						kept = append(kept, e)
					}
				}
				sort.Strings(kept)
				got = strings.Join(kept, " ")
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}
