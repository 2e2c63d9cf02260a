package enginetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/internal/runtimes"
)

// E2E are the end-to-end cases: images docker run, podman run and ctr run
// start (or fail to start) with each installed runtime, the outcome
// recorded as the engine prints it.
var E2E = []Case{
	{
		Name: "e2e_distroless_arbitrary_uid",
		Rule: "GoogleContainerTools/distroless#718: distroless static:nonroot (USER 65532, WORKDIR /home/nonroot 0700 65532:65532) run as OpenShift's arbitrary uid with gid 0: runc rc93 chdirs after setuid without capabilities and fails",
		Rootfs: `dir / 0755 0:0
file /bin/busybox 0755 0:0 busybox
symlink /bin/echo busybox
dir /home/nonroot 0700 65532:65532
dir /tmp 1777 0:0
` + fileLine("/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n") +
			fileLine("/etc/group", "root:x:0:\nnonroot:x:65532:\n"),
		Image: ImageConfig{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/bin/echo", Marker}},
		Flags: []string{"--user", "1000680000:0"},
	},
	{
		Name:   "e2e_script_0744_cap_add_dac_override",
		Rule:   "opencontainers/runc#3715: a 0744 root:root entrypoint script run as a non-root user with --cap-add DAC_OVERRIDE: runc 1.1.4/1.1.5 check it with faccessat2(AT_EACCESS) or access(2) first; what the engine grants a non-root user decides",
		Rootfs: RootfsFull,
		Image:  ImageConfig{User: "alice", Entrypoint: []string{"/entrypoint.sh"}},
		Flags:  []string{"--cap-add", "DAC_OVERRIDE"},
	},
	{
		Name:   "e2e_entrypoint_0644_image_user",
		Rule:   "an entrypoint without an execute bit (0644 root:root) under the image's USER alice, no flags, so ctr runs it too: execve fails with EACCES whatever the capabilities, and each runc reports it at create in its own words",
		Rootfs: RootfsFull + fileLine("/app.sh", "#!/bin/sh\necho "+Marker+"\n"),
		Image:  ImageConfig{User: "alice", Entrypoint: []string{"/app.sh"}},
	},
	{
		Name:   "e2e_workdir_0700_other_image_user",
		Rule:   "the image's USER alice with WORKDIR /home/nonroot (0700 65532:65532), no flags, so ctr runs it too: whether the runtime chdirs before or after setuid, and with which capabilities, decides (runc rc93 chdirs after setuid)",
		Rootfs: RootfsFull,
		Image:  ImageConfig{User: "alice", WorkingDir: "/home/nonroot", Entrypoint: []string{"/bin/echo", Marker}},
	},
	// Failures after the start: runc create passes (LookPath and, where
	// there is one, the eaccess check find an executable file) and the
	// final execve fails in the container's process, which prints the
	// error and exits; the engine shows the container's own output and
	// status, not an error of its own.
	{
		Name:   "e2e_after_start_fcaps_outside_bounding",
		Rule:   "a program whose file capabilities (CAP_SYS_ADMIN+ep) are not in the bounding set every engine gives: execve fails with EPERM (commoncap.c:bprm_caps_from_vfs_caps, effective bit set) after the start, on every runtime",
		Rootfs: RootfsFull + "file /bin/capbox 0755 0:0 busybox caps=CAP_SYS_ADMIN+ep\n",
		Image:  ImageConfig{User: "alice", Entrypoint: []string{"/bin/capbox", "echo", Marker}},
	},
	{
		Name:   "e2e_after_start_exec_format",
		Rule:   "an executable text file without #!: LookPath and eaccess pass, execve fails with ENOEXEC (exec format error) after the start",
		Rootfs: RootfsFull + "file /app/run 0755 0:0 text=\"echo hi\\n\"\n",
		Image:  ImageConfig{Entrypoint: []string{"/app/run"}},
	},
	{
		Name:   "e2e_after_start_missing_interpreter",
		Rule:   "a script whose #! interpreter does not exist: execve fails with ENOENT after the start (podman's not-found class is for the create only)",
		Rootfs: RootfsFull + "file /app/run.sh 0755 0:0 script=/usr/bin/python3\n",
		Image:  ImageConfig{Entrypoint: []string{"/app/run.sh"}},
	},
	{
		Name:   "e2e_after_start_eacces_image_user",
		Rule:   "a 0744 root:root script under the image's USER alice, no flags: Go < 1.20's LookPath passes on the owner's x bit, so runc ≤ 1.1.3 built with Go 1.19 fails execve with EACCES after the start; Go ≥ 1.20's LookPath and runc 1.1.4's eaccess refuse it at create",
		Rootfs: RootfsFull,
		Image:  ImageConfig{User: "alice", Entrypoint: []string{"/entrypoint.sh"}},
	},
	{
		Name:   "e2e_args0_directory",
		Rule:   "process.args[0] is a directory: LookPath refuses it at create (EACCES before Go 1.20, EISDIR after), which podman words as an OCI runtime error",
		Rootfs: RootfsFull,
		Image:  ImageConfig{Entrypoint: []string{"/app"}},
	},
	// WORKDIR through symlinks: dockerd resolves it inside the rootfs and
	// creates what is missing as root before the runtime runs
	// (daemon/container_operations_unix.go, container.SetupWorkingDirectory
	// at v20.10.24); other engines leave it to the runtime.
	{
		Name:   "e2e_workdir_dangling_link",
		Rule:   "WORKDIR /w is a symlink to the missing /data/w: dockerd creates /data/w through the link; runc's MkdirAll of /w meets the link itself (EEXIST)",
		Rootfs: RootfsFull + "dir /data 0755 0:0\nsymlink /w /data/w\n",
		Image:  ImageConfig{WorkingDir: "/w", Entrypoint: []string{"/bin/echo", Marker}},
	},
	{
		Name:   "e2e_workdir_link_loop",
		Rule:   "WORKDIR /w is a symlink loop (/w → /w2 → /w): dockerd's in-scope resolution refuses it before the runtime runs; the runtimes meet ELOOP",
		Rootfs: RootfsFull + "symlink /w /w2\nsymlink /w2 /w\n",
		Image:  ImageConfig{WorkingDir: "/w", Entrypoint: []string{"/bin/echo", Marker}},
	},
	{
		Name:   "e2e_workdir_under_file",
		Rule:   "WORKDIR /app/run/sub below a regular file: dockerd's in-scope lstat fails with ENOTDIR and refuses the container at create; the runtimes' MkdirAll fails",
		Rootfs: RootfsFull + "file /app/run 0755 0:0 text=\"x\"\n",
		Image:  ImageConfig{WorkingDir: "/app/run/sub", Entrypoint: []string{"/bin/echo", Marker}},
	},
	{
		Name:   "e2e_workdir_flag_under_file",
		Rule:   "--workdir /app/run/sub below a regular file: podman's stat fails with ENOTDIR for a working directory it must not create; docker refuses at its lstat; the runtimes' MkdirAll fails",
		Rootfs: RootfsFull + "file /app/run 0755 0:0 text=\"x\"\n",
		Image:  ImageConfig{Entrypoint: []string{"/bin/echo", Marker}},
		Flags:  []string{"--workdir", "/app/run/sub"},
	},
	{
		Name:   "e2e_args0_missing",
		Rule:   "process.args[0] does not exist: LookPath's stat fails at create (ENOENT), which docker run and podman run exit 127 for",
		Rootfs: RootfsFull,
		Image:  ImageConfig{Entrypoint: []string{"/app/missing"}},
	},
	{
		Name:   "e2e_starts",
		Rule:   "a root process that starts on every runtime: busybox echo prints the marker",
		Rootfs: RootfsFull,
		Image:  ImageConfig{Entrypoint: []string{"/bin/echo", Marker}},
	},
	{
		Name:   "e2e_privileged_user",
		Rule:   "--privileged --user 1000, a 0700 root-owned entrypoint in a 0700 WORKDIR of another uid: docker (oci.SetCapabilities) and podman give a non-root user the bounding set only, the exec fails; the CRI plugin gives B, E and P, the exec passes and the shell, without them after execve, cannot open the script",
		Rootfs: RootfsPrivileged,
		Image:  privImage,
		Flags:  []string{"--privileged", "--user", "1000"},
	},
	{
		Name:   "e2e_privileged_root",
		Rule:   "--privileged as root on a host whose bounding set lacks CAP_SYS_RESOURCE (recordingBounding): docker 20.10 asks every capability it knows (caps.GetAllCapabilities) and the runtime's capset fails (preexec.Host.Bounding); podman keeps the capabilities of its own bounding set, ctr and the CRI plugin those of their own effective set, and it starts",
		Rootfs: RootfsFull,
		Image:  ImageConfig{Entrypoint: []string{"/bin/echo", Marker}},
		Flags:  []string{"--privileged"},
	},
	{
		Name:   "e2e_privileged_user_cap_add",
		Rule:   "--privileged --user 1000 --cap-add DAC_OVERRIDE: podman's non-root user gets it in E, P, I and A (securityConfigureGenerator@v4.3.1), the script runs; docker's bounding set only",
		Rootfs: RootfsPrivileged,
		Image:  privImage,
		Flags:  []string{"--privileged", "--user", "1000", "--cap-add", "DAC_OVERRIDE"},
	},
}

// E2ERandom returns n random end-to-end cases of seed: Random's
// dimensions (an image's USER, WORKDIR, ENTRYPOINT/CMD and Env over one of
// the rootfs variants, zero to four flags) from a stream of their own,
// each run with E2ERandomRuntimes only. Engines skip what they cannot
// express, as in the spec oracle.
func E2ERandom(seed uint64, n int) []Case {
	return randomKept(seed, 0x6532657270726565, "e2e_rand", n, func(*Case) bool { return true })
}

// e2eRandomCases is the number of E2ERandom cases of GoldenSeed recorded
// and run.
const e2eRandomCases = 24

// E2ERandomRuntimes are the runtimes E2ERandom's cases run with: one of
// each release line whose pre-exec steps differ in ways an engine's spec
// reaches (chdir placement, the LookPath check, error texts).
var E2ERandomRuntimes = []string{
	"runc@1.0.0-rc92+go1.19", "runc@1.0.0-rc93+go1.26", "runc@1.0.0-rc95+go1.19", "runc@1.1.4+go1.19",
	"runc@1.1.5+debian", "runc@1.1.12+go1.26", "runc@1.2.9+go1.26", "runc@1.4.0+go1.26",
}

// E2ERuntimes are the installed runtimes the end-to-end images run with:
// every one but a go-installed build whose release and Go toolchain class
// another build before it shares (preexec.Changes finds nothing between
// them: runc@1.4.0+go1.27 beside runc@1.4.0+go1.26). Such a build prints
// the same texts at the same steps, which is all an engine sees of it; the
// runtime oracle holds every build itself. Distribution builds
// (runc@1.1.5+debian) are always kept.
func E2ERuntimes(rts []runtimes.Runtime) []runtimes.Runtime {
	var out []runtimes.Runtime
	var kept []preexec.Runtime
	for _, rt := range rts {
		if rt.Kind == runtimes.KindRunsc {
			// gVisor under an engine is not held (an engine's words for
			// runsc's errors are marked uncertain): the runtime oracle
			// holds runsc itself.
			continue
		}
		m, err := preexec.LookupRuntime(rt.Name)
		if err == nil && m.Extrapolated == "" && strings.Contains(rt.Name, "+go") {
			if slices.ContainsFunc(kept, func(k preexec.Runtime) bool {
				return k.Version == m.Version && k.Release == m.Release && strings.Contains(k.Name, "+go") && len(preexec.Changes(k, m)) == 0
			}) {
				continue
			}
			kept = append(kept, m)
		}
		out = append(out, rt)
	}
	return out
}

// E2ECases are every end-to-end case: E2E, run with every runtime, and
// the recorded E2ERandom cases.
func E2ECases() []Case {
	return append(slices.Clone(E2E), E2ERandom(GoldenSeed, e2eRandomCases)...)
}

// E2ERunsWith reports whether case c runs with the runtime named rt:
// E2E's with every runtime, E2ERandom's with E2ERandomRuntimes.
func E2ERunsWith(c *Case, rt string) bool {
	return !strings.HasPrefix(c.Name, "e2e_rand_") || slices.Contains(E2ERandomRuntimes, rt)
}

// An E2ERun is one `docker run`, `podman run` or `ctr run` of a case's
// image with one runtime: the engine's exit status and what it printed, byte for byte but
// for one final newline and the normalisation of the spec goldens, plus:
// the runtime directory is $RUNTIMES (podman names the runtime by path),
// the time= of a runc log line podman quotes is $TIME, and the line the
// docker CLI sometimes adds when its wait is cancelled
// (`time="…" level=error msg="error waiting for container: context
// canceled"`), which comes and goes between runs, is dropped. Skip says
// why the run was not made.
type E2ERun struct {
	// Flags are the run's flags before the image, the case's flags last
	// (the runtime as $RUNTIMES/NAME for podman and ctr).
	Flags  []string `json:"flags,omitempty"`
	Exit   int      `json:"exit"`
	Stdout string   `json:"stdout"`
	Stderr string   `json:"stderr"`
	Skip   string   `json:"skip,omitempty"`
}

// An E2EGolden is one end-to-end case and its runs by engine and runtime
// name (runc@1.0.0-rc93+go1.19).
type E2EGolden struct {
	Case Case                         `json:"case"`
	Runs map[string]map[string]E2ERun `json:"runs"`
}

// LoadE2E reads the end-to-end goldens, dir/e2e/NAME.json; a missing
// directory is none.
func LoadE2E(dir string) (map[string]*E2EGolden, error) {
	return loadCaseFiles(dir, "e2e", func(g *E2EGolden) string { return g.Case.Name })
}

// loadCaseFiles reads dir/sub/NAME.json, each one golden T of the case
// named NAME (name says which case a T holds), strictly: an unknown field
// or a file named for another case is an error. A missing directory is
// none.
func loadCaseFiles[T any](dir, sub string, name func(*T) string) (map[string]*T, error) {
	files, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]*T{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		g := new(T)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(g); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", sub, filepath.Base(f), err)
		}
		if want := name(g) + ".json"; filepath.Base(f) != want {
			return nil, fmt.Errorf("%s/%s: holds case %q, want file %s", sub, filepath.Base(f), name(g), want)
		}
		out[name(g)] = g
	}
	return out, nil
}

// E2EEngines are the engines of the end-to-end runs.
var E2EEngines = []string{Docker, Podman, Containerd, ContainerdCRI}

// SortedRuntimes returns the runtime names of runs, sorted.
func SortedRuntimes(runs map[string]E2ERun) []string {
	var out []string
	for n := range runs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
