package enginetest

import (
	"slices"
	"strings"

	"github.com/preexec/preexec/spec"
)

// The rootless engine oracle: podman 4.3.1 run by an ordinary user (the
// user .ci/install-rootless makes: preexec-rootless, 4242:4242, /etc/subuid
// and /etc/subgid 200000:65536), with private --root, --runroot and
// --tmpdir below a temporary directory, the overlay driver (native
// overlay in a user namespace, kernel ≥ 5.13: what a user of podman 4.3.1
// gets on a current kernel; vfs copies every layer per container), and
// podman run as root beside it for the --userns flags it refuses. Each
// case's image is run for real with each of RootlessRuntimes (through a
// link named runc, as the rootful end-to-end runs do), and the exit
// status and output are recorded in testdata/engine/rootless/NAME.json
// (RootlessGolden) and held to the model: spec.FromImage with
// Engine.Rootless, Engine.HostIDs, preexec.Evaluate and Engine.Failure.

// Rootless engine names: podman run by the rootless user, and podman run
// as root (for --userns).
const (
	RootlessPodman = "podman@4.3.1+rootless"
	RootfulPodman  = Podman
)

// RootlessUser is the user the rootless runs are made as
// (.ci/install-rootless).
const RootlessUser = "preexec-rootless"

// RootlessRuntimes are the runtimes the rootless cases run with: Debian's
// runc 1.1.5 (what Debian pairs with podman 4.3.1), runc 1.0.0-rc93 (chdir
// after setuid, before the capabilities: whether a capability of the
// namespace applies decides), 1.1.4 (the eaccess check of args[0], whose
// access(2) fallback ignores capabilities) and 1.2.9 (the 1.2 line's
// init, no eaccess), and crun 1.8.1, which this machine's hybrid cgroups
// refuse under podman (recorded as a skip, with the reason).
var RootlessRuntimes = []string{
	"runc@1.0.0-rc93+go1.26", "runc@1.1.4+go1.19", "runc@1.1.5+debian", "runc@1.2.9+go1.26", "crun@1.8.1",
}

// RootlessHostSource is the host directory the rootless cases' -v flags
// bind, made from RootlessHostFixture by the harness (as root).
const RootlessHostSource = "/tmp/preexec-enginetest-rlsrc"

// RootlessHostFixture is the tree at RootlessHostSource: scripts owned by
// root (an id the rootless namespace does not map: the overflow id inside,
// out of any capability's reach), by the rootless user (root inside) and
// by subordinate id 201000 (uid 1001, bob, inside).
const RootlessHostFixture = `dir / 0755 0:0
file /root.sh 0750 0:0 text="#!/bin/sh\necho ` + Marker + `\n"
file /user.sh 0700 4242:4242 text="#!/bin/sh\necho ` + Marker + `\n"
file /sub.sh 0700 201000:201000 text="#!/bin/sh\necho ` + Marker + `\n"
file /open.sh 0755 0:0 text="#!/bin/sh\necho ` + Marker + `\n"
`

// RootlessCases are the rootless oracle's cases: the curated ones below,
// each citing the podman or kernel rule it holds, and the end-to-end
// images (E2E) run rootless.
func RootlessCases() []Case {
	sh := func(p string) []string { return []string{p} }
	rfs := RootfsFull + "file /app/run.sh 0700 1000:1000 text=\"#!/bin/sh\\necho " + Marker + "\\n\"\n" +
		"dir /home/kept 0700 4242:4242\n" +
		"dir /home/rootonly 0700 0:0\n"
	c := func(name, rule string, im ImageConfig, flags ...string) Case {
		return Case{Name: name, Rule: rule, Rootfs: rfs, Image: im, Flags: flags}
	}
	vol := []string{"-v", RootlessHostSource + ":/host"}
	cs := []Case{
		c("rl_root_image_file_of_alice", "root in the rootless namespace (the user's uid on the host) with podman's CAP_DAC_OVERRIDE runs a 0700 script of the image's alice: the stored file is owned by a subordinate id the namespace maps (uid 1000 inside), so the capability applies (capable_wrt_inode_uidgid)",
			ImageConfig{Entrypoint: sh("/app/run.sh")}),
		c("rl_alice_groups", "USER alice with her image groups (10, 29, 100, 2001): additionalGids are set by runc (euid 0 in podman's namespace, /proc/self/setgroups \"allow\": not runc's rootless mode) and crun",
			ImageConfig{User: "alice", Entrypoint: []string{"/bin/id"}}),
		c("rl_alice_workdir_rootonly", "USER alice, WORKDIR /home/rootonly (0700 0:0): no capability for a non-root user (podman's rule), the chdir fails",
			ImageConfig{User: "alice", WorkingDir: "/home/rootonly", Entrypoint: echo}),
		c("rl_bind_root_owned_as_root", "a host script 0750 root:root bind-mounted: root is not mapped in the rootless namespace, so the file is nobody's (the overflow id) inside and CAP_DAC_OVERRIDE of the namespace does not apply: execve EACCES (rootful podman runs it)",
			ImageConfig{Entrypoint: sh("/host/root.sh")}, vol...),
		c("rl_bind_user_owned_as_root", "a host script 0700 of the rootless user: uid 0 inside owns it",
			ImageConfig{Entrypoint: sh("/host/user.sh")}, vol...),
		c("rl_bind_sub_owned_as_bob", "a host script 0700 of subordinate uid 201000: uid 1001 (bob) inside owns it",
			ImageConfig{Entrypoint: sh("/host/sub.sh")}, append([]string{"--user", "bob"}, vol...)...),
		c("rl_bind_sub_owned_as_alice", "a host script 0700 of subordinate uid 201000 run as alice: neither owner nor capable (podman gives a non-root user no capability)",
			ImageConfig{Entrypoint: sh("/host/sub.sh")}, append([]string{"--user", "alice"}, vol...)...),
		c("rl_bind_open_as_alice", "a host script 0755 of root, bind-mounted, run as alice: the other bits allow it",
			ImageConfig{Entrypoint: sh("/host/open.sh")}, append([]string{"--user", "alice"}, vol...)...),
		c("rl_keep_id", "--userns keep-id: the user's uid and gid inside (pkg/util/utils.go:GetKeepIDMapping@v4.3.1), no capability (security_linux.go: keep-id without --user is not root)",
			ImageConfig{Entrypoint: []string{"/bin/id"}}, "--userns", "keep-id"),
		c("rl_keep_id_own_dir", "--userns keep-id, WORKDIR /home/kept (0700, the image's uid 4242): the stored directory is the user's own inside",
			ImageConfig{WorkingDir: "/home/kept", Entrypoint: echo}, "--userns", "keep-id"),
		c("rl_keep_id_rootonly", "--userns keep-id, WORKDIR /home/rootonly (0700 0:0): no capability, the chdir fails",
			ImageConfig{WorkingDir: "/home/rootonly", Entrypoint: echo}, "--userns", "keep-id"),
		c("rl_keep_id_uid_opt", "--userns keep-id:uid=1000,gid=1000: alice's ids are the user's inside; /app/run.sh is hers",
			ImageConfig{Entrypoint: sh("/app/run.sh")}, "--userns", "keep-id:uid=1000,gid=1000"),
		c("rl_keep_id_user_root", "--userns keep-id --user root: root of the container (subordinate id 200000 on the host) with podman's capabilities",
			ImageConfig{WorkingDir: "/home/kept", Entrypoint: sh("/app/run.sh")}, "--userns", "keep-id", "--user", "root"),
		c("rl_keep_id_bind_user", "--userns keep-id: the rootless user's host script is the user's own inside",
			ImageConfig{Entrypoint: sh("/host/user.sh")}, append([]string{"--userns", "keep-id"}, vol...)...),
		c("rl_nomap", "--userns nomap: root inside is subordinate id 200000, the user's own uid is not mapped (GetNoMapMapping@v4.3.1); the image's files keep their ids",
			ImageConfig{WorkingDir: "/home/rootonly", Entrypoint: sh("/app/run.sh")}, "--userns", "nomap"),
		c("rl_nomap_bind_user", "--userns nomap: the rootless user's own host script is unmapped in the container: the overflow id, no capability applies",
			ImageConfig{Entrypoint: sh("/host/user.sh")}, append([]string{"--userns", "nomap"}, vol...)...),
		c("rl_userns_host", "--userns host: the namespace podman runs in (the rootless one; the host's for root)",
			ImageConfig{Entrypoint: sh("/app/run.sh")}, "--userns", "host"),
		c("rl_userns_private", "--userns private without --uidmap: SetupUserNS refuses (privateUserNamespace@v4.3.1)",
			ImageConfig{Entrypoint: echo}, "--userns", "private"),
		c("rl_userns_bogus", "--userns bogus: ParseNamespace refuses",
			ImageConfig{Entrypoint: echo}, "--userns", "bogus"),
		{Name: "rl_nomap_unstorable", Rule: "--userns nomap and a directory of uid 65536 (WORKDIR /last): the container's namespace maps 0 … 65535 only; containers/storage does not refuse its copy of the image but gives the directory another owner (65533 inside, seen with ls -ln under the overlay driver), which the model does not know: unknown",
			Rootfs: rfs + "dir /last 0700 65536:65536\n", Image: ImageConfig{WorkingDir: "/last", Entrypoint: echo}, Flags: []string{"--userns", "nomap"}},
	}
	// No --userns auto case: containers/storage allocates its ids among
	// the containers of the storage from the user's range (getAutoUserNS),
	// so a run starts or fails "creating container storage: could not
	// find enough available IDs" by what else runs (both were recorded
	// from one case, 4 runs at a time); the model says unknown.
	for _, e := range E2E {
		cs = append(cs, e)
	}
	return cs
}

// RootlessSpecCases are the curated engine cases (Curated), created in
// the rootless podman with the capture runtime only: the spec it writes
// for every user form, group, capability, mount and seccomp flag, held to
// spec.FromImage with Engine.Rootless. Not run with the runtimes.
func RootlessSpecCases() []Case { return slices.Clone(Curated) }

// RootfulToo reports whether case c also runs in podman run as root: the
// cases with --userns.
func RootfulToo(c *Case) bool { return slices.Contains(c.Flags, "--userns") }

// A RootlessGolden is one rootless case, the spec each podman wrote for
// it and its runs by engine (RootlessPodman, RootfulPodman) and runtime
// name (none for RootlessSpecCases), with the rootless user's ids as they
// were when it was recorded.
type RootlessGolden struct {
	Case     Case          `json:"case"`
	Rootless spec.Rootless `json:"rootless"`
	// Specs are what each podman handed the capture runtime (Project's
	// fields, and the user namespace with its mappings: ProjectCase), or
	// its refusal, by engine.
	Specs map[string]Outcome           `json:"specs"`
	Runs  map[string]map[string]E2ERun `json:"runs,omitempty"`
}

// LoadRootless reads dir/rootless/NAME.json; a missing directory is none.
func LoadRootless(dir string) (map[string]*RootlessGolden, error) {
	return loadCaseFiles(dir, "rootless", func(g *RootlessGolden) string { return g.Case.Name })
}

// sharedMountWarning is the line rootless podman prints on every command
// when the host's / is not a shared mount (a fact of the host, not of the
// container): dropped from what is recorded.
const sharedMountWarning = `level=warning msg="\"/\" is not a shared mount, this could cause issues or missing mounts with rootless containers"`

// dropHostWarnings returns s without sharedMountWarning's lines.
func dropHostWarnings(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.Contains(l, sharedMountWarning) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
