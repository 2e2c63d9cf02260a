package spec

import (
	"errors"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// ImageConfig is the part of an OCI image config (image-spec
// config.config) the engines read to make a container's process.
type ImageConfig struct {
	User       string   `json:"user,omitempty"`
	WorkingDir string   `json:"workingDir,omitempty"`
	Entrypoint []string `json:"entrypoint,omitempty"`
	Cmd        []string `json:"cmd,omitempty"`
	Env        []string `json:"env,omitempty"`
}

// An EngineError is the engine refusing to create or start the container
// before any runtime runs. Msg is the engine's own text, byte for byte
// where the engine's text does not name host paths or container ids;
// Engine.Refusal renders it as the user sees it.
type EngineError struct {
	// Engine is the row's name.
	Engine string
	// Msg is the engine's text.
	Msg string
	// Create reports that the engine refuses at create (docker create,
	// podman create), not when the container starts; docker run then also
	// prints "See 'docker run --help'.".
	Create bool
	// Snapshot reports that containerd met the error reading the image's
	// files through a temporary mount of the snapshot: it prints "mount
	// callback failed on DIR: " before Msg (mount.WithTempMount@v1.6.20),
	// and Msg's paths are inside DIR, a random /tmp/containerd-mountN for
	// ctr, ROOT/tmpmounts/containerd-mountN for the CRI plugin.
	Snapshot bool
	// CLI reports that the engine's command line refused before it asked
	// the daemon: docker prints it without "Error response from daemon: "
	// (cli/command/container/run.go@v20.10.24, a flag it cannot read).
	CLI bool
	// parse: podman's command line refused the flag while parsing it,
	// before any other check.
	parse bool
}

// Error returns the engine's text.
func (e *EngineError) Error() string { return e.Msg }

// ContainerID stands for the container's id in an engine's text that
// names it (podman: `workdir "/x" does not exist on container ID`): the id
// is random, so FromImage writes this in its place.
const ContainerID = "$ID"

// An UnsupportedError is an override the engine's command line has no
// way to express (ctr run has no --user in 1.6; Docker runs no pods), or
// one the model does not know how that engine reads.
type UnsupportedError struct {
	// Engine is the row's name.
	Engine string
	// What says which override and why.
	What string
}

// Error returns "ENGINE: WHAT".
func (e *UnsupportedError) Error() string { return e.Engine + ": " + e.What }

// FromImage returns the runtime spec engine eng writes for a container of
// an image with config img and root filesystem fsys, created with
// overrides ov: process.user (with additionalGids and umask), cwd, args,
// env, the capability sets, noNewPrivileges, root.readonly and the mounts
// the overrides add. /etc/passwd and /etc/group are read from fsys the way
// the engine reads them.
//
// An error is an *EngineError where the engine refuses (its exact text),
// an *UnsupportedError for an override the engine cannot take, a
// *NoContentError (errors.Is(err, access.ErrNoContent)) where what the
// engine does depends on bytes fsys does not hold: /etc/passwd or
// /etc/group of a manifest, or one larger than an image index keeps, or
// an *UndecidedError (errors.Is(err, ErrUndecided)) where it depends on a
// component outside the inputs (a pod's hostUsers: false on containerd
// 1.6, which the kubelet decides).
//
// The spec holds only what decides the pre-exec checks: no namespaces,
// cgroups, devices, the engine's own /proc, /dev and /sys mounts, rlimits,
// hooks, or seccomp profile (linux.seccomp is set only for the profiles
// that matter to faccessat2: none, for seccomp=unconfined). The default
// profiles of these versions (moby profiles/seccomp/default.json v20.10,
// containers/common v0.50.1 seccomp.json, containerd's contrib/seccomp)
// allow faccessat2, so leaving them out changes no check. HOSTNAME is the
// container's id, unknown here: it is set to "". Docker and podman create
// a missing WORKDIR (as root, 0755 — podman chowns it to the user); the
// spec says nothing of it and the rootfs is not changed. Nor is the
// /etc/passwd entry CRI-O and podman bind-mount for a uid the image's file
// lacks (utils.GeneratePasswd, libpod generatePasswdAndGroup): it changes
// what the process reads, not its credentials.
func FromImage(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	rec := &contentRecorder{FS: fsys}
	s, err := fromEngine(img, rec, eng, ov)
	if rec.missing != "" {
		return nil, &NoContentError{Engine: eng.Name, Path: rec.missing}
	}
	return s, err
}

// A NoContentError says that what an engine makes of an image depends on
// the contents of a file the root filesystem has but whose bytes it does
// not hold: the answer is not known, neither a spec nor a refusal.
type NoContentError struct {
	// Engine is the row's name.
	Engine string
	// Path is the file, inside the root.
	Path string
}

// Error says which engine needs which file.
func (e *NoContentError) Error() string {
	return e.Engine + " reads " + e.Path + ", whose bytes the root filesystem does not hold (an mtree manifest has none; an image index keeps a file's first rootfs.MaxImageHeld bytes)"
}

// Is reports whether target is access.ErrNoContent.
func (e *NoContentError) Is(target error) bool { return target == access.ErrNoContent }

// contentRecorder is fsys, noting the first file whose bytes it lacked.
type contentRecorder struct {
	access.FS
	missing string
}

func (c *contentRecorder) ReadAt(name string, p []byte, off int64) (int, error) {
	n, err := c.FS.ReadAt(name, p, off)
	if err != nil && errors.Is(err, access.ErrNoContent) && c.missing == "" {
		c.missing = strings.Clone(name)
	}
	return n, err
}

// fromEngine is FromImage by the engine's family.
func fromEngine(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	if eng.Rootless != nil && eng.Family != Podman {
		return nil, &UnsupportedError{eng.Name, "rootless " + eng.Family.String() + " is not modelled (rootless podman is)"}
	}
	switch eng.Family {
	case Docker:
		return fromDocker(img, fsys, eng, ov)
	case Podman:
		return fromPodman(img, fsys, eng, ov)
	case Ctr:
		return fromCtr(img, fsys, eng, ov)
	case ContainerdCRI, CRIO:
		return fromCRI(img, fsys, eng, ov)
	}
	return nil, &UnsupportedError{eng.Name, "unknown engine family"}
}

// newSpec is the skeleton every engine fills.
func newSpec() *specs.Spec {
	return &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}},
		Root:    &specs.Root{Path: "rootfs"},
	}
}

// replaceOrAppendEnv is moby container/env.go:ReplaceOrAppendEnvValues
// (v20.10.24) and containerd oci/spec_opts.go:replaceOrAppendEnvValues
// (v1.6.20), which agree: an override KEY=V replaces the default with that
// key or is appended; a bare KEY removes it. Keys are cut at the first
// '='; appended values are not looked up again, so an override repeated
// twice is appended twice.
func replaceOrAppendEnv(defaults, overrides []string) []string {
	out := append([]string{}, defaults...)
	idx := map[string]int{}
	for i, e := range out {
		k, _, _ := strings.Cut(e, "=")
		idx[k] = i
	}
	removed := map[int]bool{}
	for _, v := range overrides {
		k, _, ok := strings.Cut(v, "=")
		if !ok {
			if i, has := idx[v]; has {
				removed[i] = true
			}
			continue
		}
		if i, has := idx[k]; has {
			out[i] = v
			delete(removed, i)
		} else {
			out = append(out, v)
		}
	}
	res := out[:0:0]
	for i, e := range out {
		if !removed[i] {
			res = append(res, e)
		}
	}
	return res
}

// uint32s converts ids.
func uint32s(ids []int) []uint32 {
	out := make([]uint32, len(ids))
	for i, id := range ids {
		out[i] = uint32(id)
	}
	return out
}

// normalizeCap is moby oci/caps NormalizeLegacyCapabilities@v20.10.24 and
// containers/common pkg/capabilities NormalizeCapabilities@v0.50.1 for one
// name: upper-cased, "ALL" kept, "CAP_" added when missing; ok false for a
// name the kernel does not have. Docker's list stops at CAP_AUDIT_READ
// (oci/caps/utils.go init: newer ones are held back from runc).
func normalizeCap(c string, last caps.Cap) (string, bool) {
	c = strings.ToUpper(c)
	if c == "ALL" {
		return c, true
	}
	if !strings.HasPrefix(c, "CAP_") {
		c = "CAP_" + c
	}
	k, ok := caps.Parse(c)
	return c, ok && k <= last
}

// allCaps lists every capability up to last, kernel order.
func allCaps(last caps.Cap) []string {
	var out []string
	for c := caps.Cap(0); c <= last; c++ {
		out = append(out, c.String())
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// inBounding keeps the names of list in the engine's bounding set
// (securityConfigureGenerator keeps only what capabilities.BoundingSet()
// has); a zero set is every capability. The result is never nil.
func inBounding(list []string, bounding caps.Set) []string {
	out := []string{}
	for _, n := range list {
		if c, ok := caps.Parse(n); !ok || bounding == 0 || bounding.Has(c) {
			out = append(out, n)
		}
	}
	return out
}

// uniqueVolumes drops a -v identical to an earlier one (same source,
// destination and options), as both CLIs do before anything else sees
// them: the docker CLI collects -v in a map
// (cli/command/container/opts.go:parse@v20.10.24, copts.volumes.GetMap()),
// podman skips a bind whose destination, source and options repeat an
// earlier one (pkg/specgen/volumes.go:GenVolumeMounts@v4.3.1). Two -v on
// one destination that differ are still the engine's duplicate-mount
// refusal. Found by the engine oracle (RandomCtr's ctr_s1_0054).
func uniqueVolumes(vs []Volume) []Volume {
	var out []Volume
	for i, v := range vs {
		dup := false
		for _, w := range vs[:i] {
			if v.Source == w.Source && v.Destination == w.Destination && slices.Equal(v.Options, w.Options) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}
