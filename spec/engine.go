package spec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/preexec/preexec/caps"
)

// A Family is the code an engine shares across its versions: how it turns
// an image config and the user's settings into a runtime spec.
type Family uint8

// The engine families.
const (
	// Docker is dockerd (moby): daemon/oci_linux.go createSpec.
	Docker Family = iota + 1
	// Podman is libpod: pkg/specgen/generate and
	// libpod/container_internal_common.go generateSpec.
	Podman
	// Ctr is containerd's ctr run: cmd/ctr/commands/run/run_unix.go
	// NewContainer over oci/spec_opts.go.
	Ctr
	// ContainerdCRI is containerd's CRI plugin, driven by the kubelet:
	// pkg/cri/server/container_create_linux.go containerSpec.
	ContainerdCRI
	// CRIO is CRI-O, driven by the kubelet: server/container_create.go.
	CRIO
)

var familyNames = [...]string{Docker: "docker", Podman: "podman", Ctr: "containerd", ContainerdCRI: "containerd-cri", CRIO: "crio"}

// String returns the family's name as it appears in engine names.
func (f Family) String() string {
	if int(f) < len(familyNames) && familyNames[f] != "" {
		return familyNames[f]
	}
	return "Family(" + strconv.Itoa(int(f)) + ")"
}

// A CapGrant is how an engine hands its capability list to the process,
// by set and by user. Every engine puts the list in the bounding set; they
// differ on the other sets for a non-root user, which decides whether
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH reach the checks before execve.
type CapGrant uint8

// The capability grants, in the order Docker went through them.
const (
	// GrantAllFourRootOnly is Docker 18.04 to 20.10.13
	// (oci/oci.go:SetCapabilities@v20.10.13, moby commit 15ff09395c "If
	// container will run as non root user, drop permitted, effective caps
	// early"): uid 0 gets the list in bounding, effective, permitted and
	// inheritable; any other uid in bounding and inheritable, with
	// effective and permitted empty.
	GrantAllFourRootOnly CapGrant = iota + 1
	// GrantBoundingOnlyForNonRoot is Docker 20.10.14 to 24.0.5
	// (oci/oci.go:SetCapabilities@v20.10.14, moby commit dd38613d0c "oci:
	// inheritable capability set should be empty", CVE-2022-24769): uid 0
	// gets bounding, effective and permitted; any other uid bounding only.
	GrantBoundingOnlyForNonRoot
	// GrantBEP gives bounding, effective and permitted to every uid,
	// inheritable and ambient empty: Docker from 24.0.6
	// (oci/oci.go:SetCapabilities@v24.0.6, moby commit bf2b8a05a0 "Do not
	// drop effective&permitted set"), containerd (oci/spec.go
	// populateDefaultUnixSpec@v1.6.20; CRI clears ambient with
	// pkg/cri/opts/spec_linux.go:WithoutAmbientCaps) and CRI-O
	// (internal/factory/container/container.go SpecSetupCapabilities).
	GrantBEP
	// GrantPodman is podman's rule
	// (pkg/specgen/generate/security_linux.go:securityConfigureGenerator@v4.3.1):
	// when the user string's name part is "", "root" or "0" the list goes
	// in bounding, effective and permitted; otherwise bounding gets the
	// list and effective, permitted, inheritable and ambient get only the
	// --cap-add capabilities. The user string decides, not the uid it
	// resolves to.
	GrantPodman
)

// An Engine is one row of the engine table: a container engine over a
// range of versions in which it builds the runtime spec the same way.
// Each field cites the upstream code it comes from.
type Engine struct {
	// Name is the engine and the version the row was read at:
	// "docker@20.10.24". LookupEngine also accepts any version in
	// [Since, Until].
	Name string
	// Family is the code the engine shares across versions.
	Family Family
	// Since and Until bound the versions the row covers, inclusive; Until
	// "" has no upper bound.
	Since, Until string
	// Source is where the row's rules were read: file:function@tag.
	Source string
	// Caps is the default capability list, in the engine's order.
	Caps []string
	// Grant is how Caps reach each set for root and non-root users.
	Grant CapGrant
	// GrantSource cites Grant.
	GrantSource string
	// PrimaryGIDInAdditional reports that the primary gid is also put
	// first in process.user.additionalGids (Docker from 20.10.18:
	// daemon/oci_linux.go:getUser, moby commit e44d7f735e "AdditionalGids
	// must include effective group ID", GHSA-rc4r-wh2q-q6c4; podman,
	// containerd and CRI-O always).
	PrimaryGIDInAdditional bool
	// TaskPrefix is the text dockerd puts before containerd's error when
	// the task cannot be created: "failed to create task for container: "
	// from 24.0.0 (libcontainerd/remote/client.go:Create@v24.0.0, moby
	// commit 4bafaa00aa), "" before.
	TaskPrefix string
	// IsDirExit126: docker run exits 126, not 125, when the failed start
	// says "is a directory" (docker/cli#4001, from 23.0: runc built with
	// Go ≥ 1.20 reports a directory args[0] as EISDIR, not EACCES), and
	// dockerd rewrites such a runtime error (moby/moby#45006, 23.0).
	IsDirExit126 bool
	// ShimPrefix is what containerd's task manager puts before the shim's
	// "OCI runtime create failed: …" (runtime/v2/manager.go): "failed to
	// create shim task: " from containerd 1.6 (every row: Debian pairs
	// docker.io 20.10.24 with containerd 1.6.20), "failed to create shim: "
	// in 1.5, nothing in 1.4. Docker's text depends on the containerd it
	// runs on: set it on a copy of the row for another containerd.
	ShimPrefix string
	// HostBounding is the capability bounding set of the engine's own
	// process, a fact of the host, not of the engine: podman keeps only
	// the capabilities in it and takes it for --cap-add ALL
	// (containers/common pkg/capabilities BoundingSet@v0.50.1, read from
	// /proc/self/status); containerd's CRI takes its own effective set,
	// the same for a root daemon, for add ALL (pkg/cap.Current@v1.6.20). The zero value, as in every row, is every
	// capability the model knows; set it on a copy of the row for a host
	// whose bounding set is smaller (a container, a sandbox).
	HostBounding caps.Set
	// Rootless, when set, is podman run by an ordinary user (a fact of
	// how it runs, not of the row: set it on a copy of the podman row);
	// nil is podman run as root. FromImage refuses it for the other
	// families as unsupported. Rootless podman's bounding set is every
	// capability (its user namespace's), so HostBounding is then not
	// read.
	Rootless *Rootless
}

// shim16 is containerd 1.6's task manager wrapping
// (runtime/v2/manager.go@v1.6.0, unchanged in v1.6.20 and v1.7.0).
const shim16 = "failed to create shim task: "

// defaultPath is the PATH every engine gives a process whose image sets
// none: moby pkg/system.DefaultPathEnv("linux")@v20.10.24, containers/common
// pkg/config/default.go@v0.50.1 (Containers.Env), containerd oci/spec.go
// defaultUnixEnv@v1.6.20.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// dockerCaps is moby oci/caps/defaults.go:DefaultCapabilities@v20.10.24
// (unchanged through v24.0.6).
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// podmanCaps is default_capabilities of the containers.conf that
// containers/common v0.50.1 ships (pkg/config/containers.conf, installed as
// /usr/share/containers/containers.conf; podman v4.3.1's go.mod requires
// v0.50.1): eleven names, without the AUDIT_WRITE, MKNOD and NET_RAW of
// the compiled-in pkg/config/default.go DefaultCapabilities, which only a
// system without that file would use. podman sorts the list
// (pkg/capabilities MergeCapabilities).
var podmanCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYS_CHROOT",
}

// containerdCaps is containerd oci/spec.go:defaultUnixCaps@v1.6.20: the
// same fourteen as Docker, in the same order.
var containerdCaps = dockerCaps

// crioCaps is CRI-O internal/config/capabilities/capabilities_linux.go
// Default@v1.34.0, with the CAP_ prefix SpecSetupCapabilities adds.
var crioCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_KILL",
}

// engines is the engine table, sorted by family and version.
var engines = []Engine{
	{
		Name: "docker@20.10.13", Family: Docker, Since: "18.04.0", Until: "20.10.13",
		Source:     "daemon/oci_linux.go:createSpec,getUser@v20.10.13",
		ShimPrefix: shim16,
		Caps:       dockerCaps, Grant: GrantAllFourRootOnly,
		GrantSource: "oci/oci.go:SetCapabilities@v20.10.13 (moby 15ff09395c, 18.04)",
	},
	{
		Name: "docker@20.10.17", Family: Docker, Since: "20.10.14", Until: "20.10.17",
		Source:     "daemon/oci_linux.go:createSpec,getUser@v20.10.17",
		ShimPrefix: shim16,
		Caps:       dockerCaps, Grant: GrantBoundingOnlyForNonRoot,
		GrantSource: "oci/oci.go:SetCapabilities@v20.10.14 (moby dd38613d0c, CVE-2022-24769)",
	},
	{
		Name: "docker@20.10.24", Family: Docker, Since: "20.10.18", Until: "22.99.99",
		Source:     "daemon/oci_linux.go:createSpec,getUser@v20.10.24",
		ShimPrefix: shim16,
		Caps:       dockerCaps, Grant: GrantBoundingOnlyForNonRoot,
		GrantSource:            "oci/oci.go:SetCapabilities@v20.10.24",
		PrimaryGIDInAdditional: true,
	},
	{
		// 23.0 keeps 20.10's spec and messages; its CLI exits 126 for a
		// directory args[0] (docker/cli#4001) and dockerd rewrites the
		// runtime's EISDIR (moby/moby#45006). Not held to a real 23.0.
		Name: "docker@23.0.6", Family: Docker, Since: "23.0.0", Until: "23.0.99",
		Source:     "daemon/oci_linux.go:createSpec,getUser@v23.0.6",
		ShimPrefix: shim16,
		Caps:       dockerCaps, Grant: GrantBoundingOnlyForNonRoot,
		GrantSource:            "oci/oci.go:SetCapabilities@v23.0.6",
		PrimaryGIDInAdditional: true,
		IsDirExit126:           true,
	},
	{
		Name: "docker@24.0.5", Family: Docker, Since: "24.0.0", Until: "24.0.5",
		Source:     "daemon/oci_linux.go:createSpec,getUser@v24.0.5",
		ShimPrefix: shim16,
		Caps:       dockerCaps, Grant: GrantBoundingOnlyForNonRoot,
		GrantSource:            "oci/oci.go:SetCapabilities@v24.0.5",
		PrimaryGIDInAdditional: true,
		TaskPrefix:             "failed to create task for container: ",
		IsDirExit126:           true,
	},
	{
		Name: "docker@24.0.6", Family: Docker, Since: "24.0.6",
		Source:     "daemon/oci_linux.go:createSpec,getUser@v24.0.6",
		ShimPrefix: shim16,
		Caps:       dockerCaps, Grant: GrantBEP,
		GrantSource:            "oci/oci.go:SetCapabilities@v24.0.6 (moby bf2b8a05a0, #45511 backported in #46221)",
		PrimaryGIDInAdditional: true,
		TaskPrefix:             "failed to create task for container: ",
		IsDirExit126:           true,
	},
	{
		Name: "podman@4.3.1", Family: Podman, Since: "4.3.0", Until: "4.3.99",
		Source: "libpod/container_internal_common.go:generateSpec@v4.3.1",
		Caps:   podmanCaps, Grant: GrantPodman,
		GrantSource:            "pkg/specgen/generate/security_linux.go:securityConfigureGenerator@v4.3.1",
		PrimaryGIDInAdditional: true,
	},
	{
		Name: "containerd@1.6.20", Family: Ctr, Since: "1.6.0", Until: "1.6.99",
		Source:     "cmd/ctr/commands/run/run_unix.go:NewContainer@v1.6.20",
		ShimPrefix: shim16,
		Caps:       containerdCaps, Grant: GrantBEP,
		GrantSource:            "oci/spec.go:populateDefaultUnixSpec@v1.6.20",
		PrimaryGIDInAdditional: true,
	},
	{
		Name: "containerd-cri@1.6.20", Family: ContainerdCRI, Since: "1.6.0", Until: "1.6.99",
		Source:     "pkg/cri/server/container_create_linux.go:containerSpec,containerSpecOpts@v1.6.20",
		ShimPrefix: shim16,
		Caps:       containerdCaps, Grant: GrantBEP,
		GrantSource:            "oci/spec.go:populateDefaultUnixSpec@v1.6.20, pkg/cri/opts/spec_linux.go:WithCapabilities,WithoutAmbientCaps@v1.6.20",
		PrimaryGIDInAdditional: true,
	},
	{
		Name: "crio@1.34.0", Family: CRIO, Since: "1.34.0", Until: "1.34.99",
		Source: "server/container_create.go:setupContainerUser@v1.34.0",
		Caps:   crioCaps, Grant: GrantBEP,
		GrantSource:            "internal/factory/container/container.go:SpecSetupCapabilities@v1.34.0",
		PrimaryGIDInAdditional: true,
	},
}

// Engines returns the engine table, sorted by family and version. The
// slice is a copy; the rows share their capability lists.
func Engines() []Engine { return append([]Engine(nil), engines...) }

// LookupEngine returns the row for name: a row's own name
// ("docker@24.0.6"), or an engine and any version a row covers
// ("docker@23.0.1" is the docker@23.0.6 row). "cri-o" is accepted for
// "crio".
func LookupEngine(name string) (Engine, error) {
	fam, ver, ok := strings.Cut(name, "@")
	if fam == "cri-o" {
		fam = "crio"
	}
	for _, e := range engines {
		if e.Name == fam+"@"+ver {
			return e, nil
		}
	}
	if ok {
		// A row's range holds releases: a pre-release or build suffix
		// is read as its release.
		if v, good := versionRelease(ver); good {
			for _, e := range engines {
				if e.Family.String() != fam {
					continue
				}
				lo, _ := versionRelease(e.Since)
				if CompareVersions(v, lo) < 0 {
					continue
				}
				if hi, has := versionRelease(e.Until); has && CompareVersions(hi, v) < 0 {
					continue
				}
				return e, nil
			}
		}
	}
	var names []string
	for _, e := range engines {
		names = append(names, e.Name)
	}
	return Engine{}, fmt.Errorf("unknown engine %q (known: %s; or ENGINE@VERSION inside a row's range)", name, strings.Join(names, ", "))
}
