package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
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
// an *UnsupportedError for an override the engine cannot take.
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

// ---- Docker -------------------------------------------------------------

// fromDocker follows docker run: the CLI's flags become the container's
// Config and HostConfig; daemon/create.go:mergeAndVerifyConfig merges the
// image config (daemon/commit.go:merge); at start
// daemon/oci_linux.go:createSpec builds the spec (v20.10.24).
func fromDocker(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	if ov.Kube != nil {
		return nil, &UnsupportedError{eng.Name, "docker runs no Kubernetes pods"}
	}
	if ov.Userns != "" && ov.Userns != "host" {
		return nil, &UnsupportedError{eng.Name, "--userns " + ov.Userns + ": docker takes only host (user namespaces come from the daemon's --userns-remap, not modelled)"}
	}
	ov.Volumes = uniqueVolumes(ov.Volumes)
	refuse := func(create bool, format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...), Create: create}
	}
	// Create: merge (daemon/commit.go:merge). The CLI sends --entrypoint
	// as a one-element list, [""] for an empty one.
	var ep []string
	if ov.Entrypoint != nil {
		ep = []string{*ov.Entrypoint}
	}
	cmd := ov.Cmd
	if len(ep) == 0 {
		if len(cmd) == 0 {
			cmd = img.Cmd
		}
		if ov.Entrypoint == nil {
			ep = img.Entrypoint
		}
	}
	if len(ep) == 1 && ep[0] == "" {
		ep = nil
	}
	if len(ep) == 0 && len(cmd) == 0 {
		return nil, refuse(true, "No command specified")
	}
	user := ov.User
	if user == "" {
		user = img.User
	}
	env := append([]string{}, ov.Env...)
	if len(env) == 0 {
		env = append(env, img.Env...)
	} else {
		for _, ie := range img.Env {
			k := strings.Split(ie, "=")[0]
			found := false
			for _, ue := range ov.Env {
				if strings.Split(ue, "=")[0] == k {
					found = true
					break
				}
			}
			if !found {
				env = append(env, ie)
			}
		}
	}
	wd := ov.Workdir
	if wd == "" {
		wd = img.WorkingDir
	}
	// daemon/container.go:translateWorkingDir checks the create request,
	// before the image is merged: a relative WORKDIR of the image passes.
	if ov.Workdir != "" && !path.IsAbs(ov.Workdir) {
		return nil, refuse(true, "the working directory '%s' is invalid, it needs to be an absolute path", ov.Workdir)
	}
	// daemon/volumes.go:registerMountPoints at create: a -v destination
	// already bound, or given to --tmpfs (#10618).
	binds := map[string]bool{}
	for _, v := range ov.Volumes {
		dst := path.Clean(v.Destination)
		tmpfs := false
		for _, t := range ov.Tmpfs {
			tmpfs = tmpfs || t.Destination == v.Destination
		}
		if binds[dst] || tmpfs {
			return nil, refuse(true, "Duplicate mount point: %s", dst)
		}
		binds[dst] = true
	}
	// daemon/container.go:validateCapabilities at create.
	for _, set := range []struct {
		name string
		list []string
	}{{"CapAdd", ov.CapAdd}, {"CapDrop", ov.CapDrop}} {
		for _, c := range set.list {
			if n, ok := normalizeCap(c, caps.CAP_AUDIT_READ); !ok {
				return nil, refuse(true, "invalid %s: unknown capability: %q", set.name, n)
			}
		}
	}

	// Start: createSpec.
	s := newSpec()
	p := s.Process
	// container.go:SetupWorkingDirectory cleans the path, and makes it
	// with MkdirAllAndChownNew; an existing non-directory fails.
	// It resolves the path inside the rootfs first (dockerScopedPath): a
	// symlink loop is refused there; the directories it makes are
	// Prepared's.
	p.Cwd = "/"
	if wd != "" {
		p.Cwd = path.Clean(wd)
		if _, err := dockerScopedPath(fsys, p.Cwd); err != nil {
			var ee *EngineError
			if !errors.As(err, &ee) {
				return nil, err
			}
			return nil, refuse(true, "%s", ee.Msg)
		}
		if ino, err := (&access.Proc{Cred: access.Root(), FS: fsys}).Stat(p.Cwd); err == nil && !ino.IsDir() {
			return nil, refuse(false, "Cannot mkdir: %s is not a directory", p.Cwd)
		}
	}
	p.Args = append(append([]string{}, ep...), cmd...)
	// container.go:CreateDaemonEnvironment.
	p.Env = replaceOrAppendEnv([]string{defaultPath, "HOSTNAME="}, env)

	// oci_linux.go:getUser.
	passwd, group := readEtc(fsys, "/etc/passwd"), readEtc(fsys, "/etc/group")
	eu, err := getExecUser(user, passwd, group)
	if err != nil {
		return nil, refuse(false, "%s", err.Error())
	}
	p.User.UID, p.User.GID = uint32(eu.uid), uint32(eu.gid)
	var add []int
	if len(ov.GroupAdd) > 0 {
		if add, err = getAdditionalGroups(ov.GroupAdd, group); err != nil {
			return nil, refuse(false, "%s", err.Error())
		}
	}
	if eng.PrimaryGIDInAdditional {
		p.User.AdditionalGids = []uint32{p.User.GID}
	}
	p.User.AdditionalGids = append(p.User.AdditionalGids, uint32s(append(eu.sgids, add...))...)

	// oci_linux.go:WithCapabilities: caps.TweakCapabilities, then the
	// row's grant.
	list := tweakDockerCaps(eng.Caps, ov.CapAdd, ov.CapDrop)
	grantCaps(p, eng.Grant, list, p.User.UID == 0)

	p.NoNewPrivileges = ov.NoNewPrivileges
	s.Root.Readonly = ov.ReadOnly
	if ov.Seccomp == "unconfined" {
		s.Linux = &specs.Linux{}
	}
	ms, err := dockerMounts(ov)
	if err != nil {
		return nil, refuse(false, "%s", err.Error())
	}
	s.Mounts = ms
	return s, nil
}

// tweakDockerCaps is moby oci/caps/utils.go:TweakCapabilities@v20.10.24:
// with no add or drop the defaults; add ALL gives every capability (up to
// CAP_AUDIT_READ) but the dropped; drop ALL gives the added; else the
// defaults minus the dropped, then the added (a duplicate stays).
func tweakDockerCaps(basics, adds, drops []string) []string {
	if len(adds) == 0 && len(drops) == 0 {
		return append([]string{}, basics...)
	}
	norm := func(l []string) []string {
		var out []string
		for _, c := range l {
			n, _ := normalizeCap(c, caps.CAP_AUDIT_READ)
			out = append(out, n)
		}
		return out
	}
	capAdd, capDrop := norm(adds), norm(drops)
	var out []string
	switch {
	case contains(capAdd, "ALL"):
		for _, c := range allCaps(caps.CAP_AUDIT_READ) {
			if !contains(capDrop, c) {
				out = append(out, c)
			}
		}
	case contains(capDrop, "ALL"):
		out = capAdd
	default:
		for _, c := range basics {
			if !contains(capDrop, c) {
				out = append(out, c)
			}
		}
		out = append(out, capAdd...)
	}
	return out
}

// grantCaps puts list into the sets of p as grant says for a root or
// non-root user; each set gets its own copy.
func grantCaps(p *specs.Process, grant CapGrant, list []string, root bool) {
	c := p.Capabilities
	cp := func() []string { return append([]string{}, list...) }
	c.Bounding = cp()
	switch {
	case grant == GrantAllFourRootOnly && root:
		c.Effective, c.Permitted, c.Inheritable = cp(), cp(), cp()
	case grant == GrantAllFourRootOnly:
		c.Inheritable, c.Effective, c.Permitted = cp(), []string{}, []string{}
	case grant == GrantBoundingOnlyForNonRoot && !root:
	default:
		c.Effective, c.Permitted = cp(), cp()
	}
}

// dockerMounts are the mounts --tmpfs and -v add
// (daemon/oci_linux.go:WithMounts@v20.10.24): a tmpfs gets
// noexec,nosuid,nodev,rprivate then the user's options, merged by
// mount.MergeTmpfsOptions (the last of two opposite flags wins); a bind
// gets rbind, ro when read-only, and rprivate for a host path.
func dockerMounts(ov Overrides) ([]specs.Mount, error) {
	var ms []specs.Mount
	for _, v := range ov.Volumes {
		opts := []string{"rbind"}
		if v.ReadOnly() {
			opts = append(opts, "ro")
		}
		if strings.HasPrefix(v.Source, "/") {
			opts = append(opts, "rprivate")
		}
		ms = append(ms, specs.Mount{Destination: path.Clean(v.Destination), Type: "bind", Source: v.Source, Options: opts})
	}
	for _, t := range ov.Tmpfs {
		opts := []string{"noexec", "nosuid", "nodev", "rprivate"}
		if t.Options != "" {
			opts = append(opts, strings.Split(t.Options, ",")...)
		}
		merged, err := mergeTmpfsOptions(opts)
		if err != nil {
			return nil, err
		}
		ms = append(ms, specs.Mount{Destination: path.Clean(t.Destination), Type: "tmpfs", Source: "tmpfs", Options: merged})
	}
	// daemon/volumes.go: mounts sorted by depth (sort.Sort(mounts(ms))).
	sort.SliceStable(ms, func(i, j int) bool {
		return len(strings.Split(ms[i].Destination, "/")) < len(strings.Split(ms[j].Destination, "/"))
	})
	return ms, nil
}

// tmpfsFlag maps the flags of moby/sys/mount flags_unix.go@v0.2.0 (as
// moby v20.10.24 vendors it) to the MS_* bit they set or clear;
// propagation flags share one key.
var tmpfsFlag = map[string]int{
	"ro": 1, "rw": 1, "suid": 2, "nosuid": 2, "dev": 4, "nodev": 4,
	"exec": 8, "noexec": 8, "sync": 16, "async": 16, "dirsync": 128,
	"remount": 32, "mand": 64, "nomand": 64, "atime": 1024, "noatime": 1024,
	"diratime": 2048, "nodiratime": 2048, "bind": -1, "rbind": -1,
	"unbindable": -1, "runbindable": -1, "private": -1, "rprivate": -1,
	"shared": -1, "rshared": -1, "slave": -1, "rslave": -1,
	"relatime": 1 << 21, "norelatime": 1 << 21, "strictatime": 1 << 24,
	"nostrictatime": 1 << 24,
}

// tmpfsData are the KEY=VALUE options MergeTmpfsOptions accepts.
var tmpfsData = map[string]bool{"size": true, "mode": true, "uid": true, "gid": true, "nr_inodes": true, "nr_blocks": true, "mpol": true}

// mergeTmpfsOptions is moby/sys/mount.MergeTmpfsOptions: from the last
// option to the first, keep an option only if none with the same flag (or
// data key) was kept; "defaults" dropped; an unknown KEY=VALUE is
// `Invalid tmpfs option ["KEY" "VALUE"]`.
func mergeTmpfsOptions(options []string) ([]string, error) {
	flags := map[int]bool{}
	data := map[string]bool{}
	var out []string
	for i := len(options) - 1; i >= 0; i-- {
		o := options[i]
		if o == "defaults" {
			continue
		}
		if f, ok := tmpfsFlag[o]; ok {
			if !flags[f] {
				out = append([]string{o}, out...)
				flags[f] = true
			}
			continue
		}
		parts := strings.SplitN(o, "=", 2)
		if len(parts) != 2 || !tmpfsData[parts[0]] {
			q := make([]string, len(parts))
			for i, p := range parts {
				q[i] = strconv.Quote(p)
			}
			return nil, fmt.Errorf("Invalid tmpfs option [%s]", strings.Join(q, " "))
		}
		if !data[parts[0]] {
			out = append([]string{o}, out...)
			data[parts[0]] = true
		}
	}
	return out, nil
}

// ---- podman -------------------------------------------------------------

// fromPodman follows podman run (v4.3.1): the CLI fills a SpecGenerator
// (pkg/specgenutil), pkg/specgen/generate makes the OCI spec
// (container.go:CompleteSpec, oci.go:SpecGenToOCI,
// security_linux.go:securityConfigureGenerator) and libpod completes it
// at init (container_internal_common.go:generateSpec). containers.conf is
// the compiled-in default of containers/common v0.50.1; rootful, no user
// namespace.
func fromPodman(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	if ov.Kube != nil {
		return nil, &UnsupportedError{eng.Name, "podman kube play is not modelled"}
	}
	if ov.Userns != "" && ov.Userns != "host" {
		return nil, &UnsupportedError{eng.Name, "--userns " + ov.Userns + ": the user namespace's mappings are not modelled"}
	}
	refuse := func(create bool, format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...), Create: create}
	}
	user := ov.User
	if user == "" {
		user = img.User
	}
	// --group-add keep-groups is a keyword: it asks the OCI runtime to
	// keep the caller's supplementary groups (the annotation
	// run.oci.keep_original_groups, which crun reads and runc ignores), and
	// no group is looked up; with another --group-add it is refused
	// (pkg/specgen/generate/container_create.go:createContainerOptions
	// and pkg/specgenutil@v4.3.1; held by the engine oracle's
	// flag_group_add_keep_groups cases).
	keepGroups := slices.Contains(ov.GroupAdd, "keep-groups")
	if keepGroups {
		if len(ov.GroupAdd) > 1 {
			return nil, refuse(true, "the '--group-add keep-groups' option is not allowed with any other --group-add options")
		}
		ov.GroupAdd = nil
	}
	// pkg/specgenutil/specgen.go: --entrypoint is a JSON array or one
	// string; oci.go:makeCommand.
	var userEP []string
	if ov.Entrypoint != nil {
		if err := json.Unmarshal([]byte(*ov.Entrypoint), &userEP); err != nil {
			userEP = []string{*ov.Entrypoint}
		}
	}
	ep := userEP
	if ep == nil {
		ep = img.Entrypoint
	}
	var args []string
	if len(ep) != 1 || ep[0] != "" {
		args = append(args, ep...)
	}
	command := ov.Cmd
	if len(command) == 0 && len(userEP) == 0 {
		command = img.Cmd
	}
	args = append(args, command...)
	if len(args) == 0 {
		return nil, refuse(true, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image")
	}
	s := newSpec()
	p := s.Process
	p.Args = args
	// container_create.go: WorkDir from the flag, the image, else "/".
	p.Cwd = ov.Workdir
	if p.Cwd == "" {
		p.Cwd = img.WorkingDir
	}
	if p.Cwd == "" {
		p.Cwd = "/"
	}

	// container.go:CompleteSpec: env.DefaultEnvVariables, containers.conf
	// env, the image's, then --env, as a map (the spec's order is random:
	// the model sorts by name).
	envm := map[string]string{}
	setEnv := func(list []string) {
		for _, e := range list {
			k, v, ok := strings.Cut(e, "=")
			if !ok {
				continue
			}
			envm[k] = v
		}
	}
	setEnv([]string{defaultPath, "TERM=xterm", "container=podman"})
	setEnv(img.Env)
	setEnv(ov.Env)

	// security_linux.go:securityConfigureGenerator runs at create
	// (specgen), so its refusal comes before anything init looks up
	// (the engine oracle's FINDING: --cap-drop X --cap-add X with a user
	// absent from /etc/passwd is the capability refusal).
	list, err := mergePodmanCaps(eng.Caps, ov.CapAdd, ov.CapDrop, eng.HostBounding)
	if err != nil {
		return nil, refuse(true, "%s", err.Error())
	}

	// pkg/specgen/generate/container_create.go:MakeContainer finalizes the
	// mounts at create (a destination given twice is refused there),
	// before init looks the user and the groups up (found by the engine
	// oracle on a time-seeded case: -v and --tmpfs on one destination with
	// a --group-add the image lacks).
	ms, err := podmanMounts(ov)
	if err != nil {
		return nil, refuse(true, "%s", err.Error())
	}

	// generateSpec: lookup.GetUserGroupInfo(c.config.User) with no
	// defaults, then uid, gid and gid as first additional gid only when
	// the user string is set.
	passwd, group := readEtc(fsys, "/etc/passwd"), readEtc(fsys, "/etc/group")
	eu, err := getExecUser(user, passwd, group)
	if err != nil {
		return nil, refuse(false, "%s", err.Error())
	}
	if _, has := envm["HOME"]; !has && eu.home != "" {
		envm["HOME"] = eu.home
	}
	// container_internal_linux.go: HOSTNAME, the container's hostname,
	// unless the env has one.
	if _, has := envm["HOSTNAME"]; !has {
		envm["HOSTNAME"] = ""
	}
	keys := make([]string, 0, len(envm))
	for k := range envm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Env = append(p.Env, k+"="+envm[k])
	}
	addGid := func(g uint32) {
		for _, x := range p.User.AdditionalGids {
			if x == g {
				return
			}
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, g)
	}
	if user != "" {
		p.User.UID, p.User.GID = uint32(eu.uid), uint32(eu.gid)
		addGid(p.User.GID)
	}
	// containers.conf umask "0022".
	umask := uint32(0o022)
	p.User.Umask = &umask
	if len(ov.GroupAdd) > 0 {
		gids, err := getAdditionalGroups(ov.GroupAdd, group)
		if err != nil {
			return nil, refuse(false, "looking up supplemental groups for container %s: %s", ContainerID, err.Error())
		}
		for _, g := range gids {
			addGid(uint32(g))
		}
	}
	if !strings.Contains(user, ":") {
		for _, g := range eu.sgids {
			addGid(uint32(g))
		}
	}
	// container_internal_common.go:resolveWorkDir at init, after
	// generateSpec has looked the user up, on the host path of the
	// mounted rootfs (PodmanRootfs): stat(2) follows a symlink on the
	// host, so an absolute link's target is the host's. A WORKDIR from the
	// image is created when missing (os.MkdirAll: EEXIST, as for a link
	// it cannot follow, is no error; ENOTDIR below a file is "creating
	// container ID workdir: mkdir FILE: not a directory", held by
	// e2e_workdir_under_file); one from --workdir must exist; either must
	// be a directory; one on a mount is the runtime's.
	if !podmanOnMount(ov, p.Cwd) {
		ino, err := (&access.Proc{Cred: access.Root(), FS: fsys}).Stat(p.Cwd)
		switch {
		case err == nil && !ino.IsDir():
			return nil, refuse(false, "workdir %q exists on container %s, but is not a directory", p.Cwd, ContainerID)
		case errors.Is(err, access.ENOENT) && ov.Workdir != "":
			return nil, refuse(false, "workdir %q does not exist on container %s", p.Cwd, ContainerID)
		case err != nil && ov.Workdir != "":
			return nil, refuse(false, "detecting workdir %q on container %s: stat %s%s: %s", p.Cwd, ContainerID, PodmanRootfs, p.Cwd, access.Strerror(err))
		case errors.Is(err, access.ENOTDIR):
			if file := firstFile(fsys, p.Cwd); file != "" {
				return nil, refuse(false, "creating container %s workdir: mkdir %s%s: not a directory", ContainerID, PodmanRootfs, file)
			}
		}
	}

	// security_linux.go:securityConfigureGenerator (merged above).
	list = inBounding(list, eng.HostBounding)
	name := strings.Split(user, ":")[0]
	c := p.Capabilities
	c.Bounding, c.Inheritable, c.Ambient = list, []string{}, []string{}
	if (name == "" && ov.Userns != "keep-id") || name == "root" || name == "0" {
		c.Effective, c.Permitted = append([]string{}, list...), append([]string{}, list...)
	} else {
		userCaps, err := mergePodmanCaps(nil, ov.CapAdd, nil, eng.HostBounding)
		if err != nil {
			return nil, refuse(true, "capabilities requested by user are not valid: %q: %s", strings.Join(ov.CapAdd, ","), err.Error())
		}
		userCaps = inBounding(userCaps, eng.HostBounding)
		c.Effective, c.Permitted = userCaps, append([]string{}, userCaps...)
		c.Ambient, c.Inheritable = append([]string{}, userCaps...), append([]string{}, userCaps...)
	}
	p.NoNewPrivileges = ov.NoNewPrivileges
	s.Root.Readonly = ov.ReadOnly
	if ov.Seccomp == "unconfined" {
		s.Linux = &specs.Linux{}
	}
	s.Mounts = ms
	if keepGroups {
		s.Annotations = map[string]string{KeepOriginalGroupsAnnotation: "1"}
	}
	return s, nil
}

// KeepOriginalGroupsAnnotation is the annotation with which podman's
// --group-add keep-groups asks crun to keep the supplementary groups of
// the process that starts it (crun src/libcrun/container.c, "setgroups
// skipped"; runc does not read it).
const KeepOriginalGroupsAnnotation = "run.oci.keep_original_groups"

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

// podmanOnMount is libpod's isPathOnVolume || isPathOnMount: dir is a
// mount's destination or below one.
func podmanOnMount(ov Overrides, dir string) bool {
	var dsts []string
	for _, v := range ov.Volumes {
		dsts = append(dsts, path.Clean(v.Destination))
	}
	for _, t := range ov.Tmpfs {
		dsts = append(dsts, path.Clean(t.Destination))
	}
	if ov.ReadOnly {
		dsts = append(dsts, "/tmp", "/var/tmp", "/run")
	}
	dir = path.Clean(dir)
	for _, d := range dsts {
		if dir == d || strings.HasPrefix(dir, d+"/") {
			return true
		}
	}
	return false
}

// mergePodmanCaps is containers/common pkg/capabilities
// MergeCapabilities@v0.50.1: names normalised and sorted; drop ALL gives
// the added; add ALL gives the bounding set (here every capability the
// model knows) minus the dropped; a name both added and dropped is an
// error.
func mergePodmanCaps(base, adds, drops []string, bounding caps.Set) ([]string, error) {
	norm := func(l []string) ([]string, error) {
		out := make([]string, 0, len(l))
		for _, c := range l {
			n, ok := normalizeCap(c, caps.CAP_LAST_CAP)
			if !ok {
				return nil, fmt.Errorf("%q: unknown capability", n)
			}
			out = append(out, n)
		}
		sort.Strings(out)
		return out, nil
	}
	base, err := norm(base)
	if err != nil {
		return nil, err
	}
	if len(adds) == 0 && len(drops) == 0 {
		return base, nil
	}
	capDrop, err := norm(drops)
	if err != nil {
		return nil, err
	}
	capAdd, err := norm(adds)
	if err != nil {
		return nil, err
	}
	if contains(capDrop, "ALL") {
		if contains(capAdd, "ALL") {
			return nil, fmt.Errorf("adding all caps and removing all caps not allowed")
		}
		return capAdd, nil
	}
	if contains(capAdd, "ALL") {
		base = inBounding(allCaps(caps.CAP_LAST_CAP), bounding)
		sort.Strings(base)
		capAdd = nil
	} else {
		for _, a := range capAdd {
			if contains(capDrop, a) {
				return nil, fmt.Errorf("capability %q cannot be dropped and added", a)
			}
		}
	}
	out := make([]string, 0, len(base)+len(capAdd))
	for _, c := range base {
		if !contains(capDrop, c) {
			out = append(out, c)
		}
	}
	for _, c := range capAdd {
		if !contains(base, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out, nil
}

// podmanMounts are the mounts --tmpfs, -v and --read-only add
// (pkg/specgenutil/volumes.go:parseVolumes,getTmpfsMounts and
// pkg/util/mountOpts.go:ProcessOptions@v4.3.1): a tmpfs gets the user's
// options, then rw, rprivate, nosuid, nodev and tmpcopyup where the user
// set none of their kind — not noexec (getDefaultMountOptions("") has
// noexec false); --read-only adds /tmp, /var/tmp and /run as such tmpfs
// (read-only-tmpfs defaults to true). A bind gets the user's options, rw
// and rprivate and rbind where unset; nosuid, nodev and noexec follow the
// host mount of the source (statfs), which the model cannot see and
// leaves out.
func podmanMounts(ov Overrides) ([]specs.Mount, error) {
	ov.Volumes = uniqueVolumes(ov.Volumes)
	var ms []specs.Mount
	seen := map[string]bool{}
	// parseVolumes: -v first, then --tmpfs; a destination twice is
	// specgen.ErrDuplicateDest, but for one --tmpfs repeated with the same
	// options (getTmpfsMounts).
	for _, v := range ov.Volumes {
		dst := path.Clean(v.Destination)
		if seen[dst] {
			return nil, fmt.Errorf("%s: duplicate mount destination", v.Destination)
		}
		seen[dst] = true
	}
	tmpfsOpts := map[string]string{}
	for _, t := range ov.Tmpfs {
		if o, dup := tmpfsOpts[t.Destination]; dup {
			if o == t.Options {
				continue
			}
			return nil, fmt.Errorf("%s: duplicate mount destination", t.Destination)
		}
		if seen[path.Clean(t.Destination)] {
			return nil, fmt.Errorf("%s: duplicate mount destination", t.Destination)
		}
		tmpfsOpts[t.Destination] = t.Options
	}
	for _, t := range ov.Tmpfs {
		if _, first := tmpfsOpts[t.Destination]; !first {
			continue
		}
		delete(tmpfsOpts, t.Destination)
		var opts []string
		parts := strings.Split(t.Destination+":"+t.Options, ":")
		if len(parts) > 1 && parts[1] != "" {
			opts = strings.Split(parts[1], ",")
		}
		o, err := processPodmanOptions(opts, true)
		if err != nil {
			return nil, err
		}
		dst := path.Clean(t.Destination)
		seen[dst] = true
		ms = append(ms, specs.Mount{Destination: dst, Type: "tmpfs", Source: "tmpfs", Options: o})
	}
	for _, v := range ov.Volumes {
		o, err := processPodmanOptions(v.Options, false)
		if err != nil {
			return nil, err
		}
		dst := path.Clean(v.Destination)
		ms = append(ms, specs.Mount{Destination: dst, Type: "bind", Source: v.Source, Options: o})
	}
	if ov.ReadOnly {
		for _, dst := range []string{"/tmp", "/var/tmp", "/run"} {
			if !seen[dst] {
				ms = append(ms, specs.Mount{Destination: dst, Type: "tmpfs", Source: "tmpfs",
					Options: []string{"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}})
			}
		}
	}
	return ms, nil
}

// processPodmanOptions is pkg/util/mountOpts.go:ProcessOptions@v4.3.1 for
// the options this model knows, with no source path (tmpfs: nosuid and
// nodev by default, exec allowed).
func processPodmanOptions(options []string, tmpfs bool) ([]string, error) {
	kinds := map[string]string{
		"exec": "exec", "noexec": "exec", "suid": "suid", "nosuid": "suid",
		"dev": "dev", "nodev": "dev", "rw": "rw", "ro": "rw",
		"private": "prop", "rprivate": "prop", "slave": "prop", "rslave": "prop",
		"shared": "prop", "rshared": "prop", "unbindable": "prop", "runbindable": "prop",
		"size": "size", "mode": "mode", "tmpcopyup": "copyup", "notmpcopyup": "copyup",
		"bind": "bind", "rbind": "bind", "z": "z", "Z": "z", "U": "U",
	}
	found := map[string]bool{}
	var out []string
	for _, o := range options {
		key, _, _ := strings.Cut(o, "=")
		kind, ok := kinds[key]
		if !ok {
			return nil, fmt.Errorf("unknown mount option %q: invalid mount option", o)
		}
		if found[kind] {
			return nil, fmt.Errorf("%q: duplicate mount option passed", o)
		}
		found[kind] = true
		if key == "notmpcopyup" {
			continue
		}
		out = append(out, o)
	}
	if !found["rw"] {
		out = append(out, "rw")
	}
	if !found["prop"] {
		out = append(out, "rprivate")
	}
	if tmpfs {
		if !found["suid"] {
			out = append(out, "nosuid")
		}
		if !found["dev"] {
			out = append(out, "nodev")
		}
		if !found["copyup"] {
			out = append(out, "tmpcopyup")
		}
	} else if !found["bind"] {
		out = append(out, "rbind")
	}
	return out, nil
}

// ---- ctr ----------------------------------------------------------------

// fromCtr follows ctr run IMAGE ID [ARGS] (cmd/ctr/commands/run/
// run_unix.go:NewContainer@v1.6.20): the default spec
// (oci/spec.go:populateDefaultUnixSpec: uid 0, cwd "/", noNewPrivileges
// true, the 14 capabilities in B, E and P), --env, --mount, the image
// config (oci/spec_opts.go:WithImageConfigArgs), then the flags. ctr 1.6
// has no --user, --group-add, --entrypoint or --userns. The docker flags
// are read in their ctr spelling (internal/enginetest EngineArgs):
// --workdir as --cwd, -e as --env, --cap-add/--cap-drop NAME upper-cased
// with "CAP_" added (ALL stays, and ctr refuses it), --tmpfs DST[:OPTS] as
// --mount type=tmpfs,src=tmpfs,dst=DST,options=OPTS and -v SRC:DST[:ro] as
// --mount type=bind,…,options=rbind:rw|ro (ctr adds no default option,
// cmd/ctr/commands/run/run.go:withMounts), ARGS after the flags.
// --security-opt no-new-privileges changes nothing (already set); ctr
// installs no seccomp filter unless --seccomp.
func fromCtr(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	switch {
	case ov.Kube != nil:
		return nil, &UnsupportedError{eng.Name, "ctr runs no Kubernetes pods"}
	case ov.User != "":
		return nil, &UnsupportedError{eng.Name, "ctr run has no --user in 1.6"}
	case len(ov.GroupAdd) > 0:
		return nil, &UnsupportedError{eng.Name, "ctr run has no --group-add"}
	case ov.Entrypoint != nil:
		return nil, &UnsupportedError{eng.Name, "ctr run has no --entrypoint"}
	case ov.Userns != "":
		return nil, &UnsupportedError{eng.Name, "ctr run has no --userns"}
	case len(ov.Cmd) > 0 && len(img.Entrypoint) > 0:
		return nil, &UnsupportedError{eng.Name, "ctr run's args replace the image's entrypoint too; a command after an entrypoint has no ctr form"}
	}
	refuse := func(format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...), Create: true}
	}
	ctrCap := func(c string) string {
		c = strings.ToUpper(c)
		if c != "ALL" && !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		return c
	}
	var adds, drops []string
	for _, c := range ov.CapAdd {
		adds = append(adds, ctrCap(c))
	}
	for _, c := range ov.CapDrop {
		drops = append(drops, ctrCap(c))
	}
	for _, c := range append(append([]string{}, adds...), drops...) {
		if !strings.HasPrefix(c, "CAP_") {
			return nil, refuse("capabilities must be specified with 'CAP_' prefix")
		}
	}
	s := newSpec()
	p := s.Process
	p.NoNewPrivileges = true
	c := p.Capabilities
	c.Bounding = append([]string{}, eng.Caps...)
	c.Effective = append([]string{}, eng.Caps...)
	c.Permitted = append([]string{}, eng.Caps...)
	var env []string
	if len(ov.Env) > 0 {
		env = replaceOrAppendEnv(nil, ov.Env)
	}
	for _, t := range ov.Tmpfs {
		m := specs.Mount{Type: "tmpfs", Source: "tmpfs", Destination: t.Destination}
		if t.Options != "" {
			m.Options = strings.Split(t.Options, ",")
		}
		s.Mounts = append(s.Mounts, m)
	}
	for _, v := range ov.Volumes {
		rw := "rw"
		if v.ReadOnly() {
			rw = "ro"
		}
		s.Mounts = append(s.Mounts, specs.Mount{Type: "bind", Source: v.Source, Destination: v.Destination, Options: []string{"rbind", rw}})
	}
	if err := applyContainerdImage(img, fsys, eng, s, env, nil); err != nil {
		return nil, err
	}
	if len(ov.Cmd) > 0 {
		// oci.WithProcessArgs replaces the whole argv.
		p.Args = append([]string{}, ov.Cmd...)
	}
	if ov.Workdir != "" {
		p.Cwd = ov.Workdir
	}
	for _, a := range adds {
		for _, l := range []*[]string{&c.Bounding, &c.Effective, &c.Permitted} {
			if !contains(*l, a) {
				*l = append(*l, a)
			}
		}
	}
	for _, d := range drops {
		for _, l := range []*[]string{&c.Bounding, &c.Effective, &c.Permitted} {
			var kept []string
			for _, x := range *l {
				if x != d {
					kept = append(kept, x)
				}
			}
			*l = kept
		}
	}
	s.Root.Readonly = ov.ReadOnly
	return s, nil
}

// applyContainerdImage is oci/spec_opts.go:WithImageConfigArgs@v1.6.20:
// env from the image (or the default PATH when the image has none) with
// env over it; args = Entrypoint + (args or Cmd); cwd = WorkingDir or
// "/"; the image's user through WithUser and WithAdditionalGIDs(uid), or
// WithAdditionalGIDs("root") when it has none.
func applyContainerdImage(img ImageConfig, fsys access.FS, eng Engine, s *specs.Spec, env, args []string) error {
	p := s.Process
	defaults := img.Env
	if len(defaults) == 0 {
		defaults = []string{defaultPath}
	}
	p.Env = replaceOrAppendEnv(defaults, env)
	cmd := img.Cmd
	if len(args) > 0 {
		cmd = args
	}
	p.Args = append(append([]string{}, img.Entrypoint...), cmd...)
	p.Cwd = img.WorkingDir
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	if img.User != "" {
		if err := containerdWithUser(fsys, eng, p, img.User); err != nil {
			return err
		}
		return containerdAdditionalGIDs(fsys, p, strconv.FormatUint(uint64(p.User.UID), 10))
	}
	return containerdAdditionalGIDs(fsys, p, "root")
}

// ensureAdditionalGids is oci/spec_opts.go:ensureAdditionalGids@v1.6.20:
// the primary gid first unless already present.
func ensureAdditionalGids(p *specs.Process) {
	for _, g := range p.User.AdditionalGids {
		if g == p.User.GID {
			return
		}
	}
	p.User.AdditionalGids = append([]uint32{p.User.GID}, p.User.AdditionalGids...)
}

// containerdWithUser is oci/spec_opts.go:WithUser@v1.6.20:
//
//  1. "uid:gid", both numbers (strconv.Atoi, then uint32): taken as given.
//  2. "name", "name:group", "uid:group", "name:gid": names looked up in
//     /etc/passwd and /etc/group (UserFromPath, GIDFromPath); a name that
//     is not there is `no users found` / `no groups found`; a missing
//     file is the open error.
//  3. "uid" alone (WithUserID): the passwd line with that uid gives uid
//     and gid; no line, or no /etc/passwd, gives gid 0.
//  4. "name" alone (WithUsername): must be in /etc/passwd.
//  5. more than one ':' is `invalid USER value U`.
//
// additionalGids are reset, then hold the primary gid
// (ensureAdditionalGids).
func containerdWithUser(fsys access.FS, eng Engine, p *specs.Process, userstr string) error {
	refuse := func(msg string) error { return &EngineError{Engine: eng.Name, Msg: msg, Create: true, Snapshot: true} }
	p.User.AdditionalGids = nil
	defer ensureAdditionalGids(p)
	passwd := readEtc(fsys, "/etc/passwd")
	parts := strings.Split(userstr, ":")
	findUser := func(match func(passwdEntry) bool) (passwdEntry, error) {
		if !passwd.open {
			return passwdEntry{}, errNotExist("/etc/passwd")
		}
		all, err := parsePasswd(passwd)
		if err != nil {
			return passwdEntry{}, err
		}
		for _, u := range all {
			if match(u) {
				return u, nil
			}
		}
		return passwdEntry{}, errNoUsersFound
	}
	switch len(parts) {
	case 1:
		v, err := strconv.Atoi(parts[0])
		if err != nil {
			u, err := findUser(func(u passwdEntry) bool { return u.name == userstr })
			if err != nil {
				return refuse(err.Error())
			}
			p.User.UID, p.User.GID = uint32(u.uid), uint32(u.gid)
			return nil
		}
		uid := uint32(v)
		u, err := findUser(func(u passwdEntry) bool { return u.uid == int(uid) })
		if err != nil {
			if err == errNoUsersFound || isNotExist(err) {
				p.User.UID, p.User.GID = uid, 0
				return nil
			}
			return refuse(err.Error())
		}
		p.User.UID, p.User.GID = uint32(u.uid), uint32(u.gid)
		return nil
	case 2:
		var username, groupname string
		var uid, gid uint32
		if v, err := strconv.Atoi(parts[0]); err != nil {
			username = parts[0]
		} else {
			uid = uint32(v)
		}
		if v, err := strconv.Atoi(parts[1]); err != nil {
			groupname = parts[1]
		} else {
			gid = uint32(v)
		}
		if username != "" {
			u, err := findUser(func(u passwdEntry) bool { return u.name == username })
			if err != nil {
				return refuse(err.Error())
			}
			uid = uint32(u.uid)
		}
		if groupname != "" {
			group := readEtc(fsys, "/etc/group")
			if !group.open {
				return refuse(errNotExist("/etc/group").Error())
			}
			all, err := parseGroup(group)
			if err != nil {
				return refuse(err.Error())
			}
			found := false
			for _, g := range all {
				if g.name == groupname {
					gid, found = uint32(g.gid), true
					break
				}
			}
			if !found {
				return refuse("no groups found")
			}
		}
		p.User.UID, p.User.GID = uid, gid
		return nil
	}
	return refuse("invalid USER value " + userstr)
}

// containerdAdditionalGIDs is oci/spec_opts.go:WithAdditionalGIDs@v1.6.20:
// the user (a uid is looked up for its name; a uid with no passwd line
// adds nothing) is searched in every group's member list, skipping a
// group whose name is the user's own (the same-name rule,
// containerd#11937); then the primary gid first.
func containerdAdditionalGIDs(fsys access.FS, p *specs.Process, userstr string) error {
	p.User.AdditionalGids = nil
	defer ensureAdditionalGids(p)
	username := userstr
	if uid, err := strconv.Atoi(userstr); err == nil {
		passwd := readEtc(fsys, "/etc/passwd")
		if !passwd.open {
			return nil
		}
		all, err := parsePasswd(passwd)
		if err != nil {
			return err
		}
		username = ""
		for _, u := range all {
			if u.uid == uid {
				username = u.name
				break
			}
		}
		if username == "" {
			return nil
		}
	}
	group := readEtc(fsys, "/etc/group")
	if !group.open {
		return nil
	}
	all, err := parseGroup(group)
	if err != nil {
		return err
	}
	for _, g := range all {
		if g.name == username {
			continue
		}
		if contains(g.list, username) {
			p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g.gid))
		}
	}
	return nil
}

// errNoUsersFound is oci.ErrNoUsersFound.
var errNoUsersFound = fmt.Errorf("no users found")

// notExistError is the *fs.PathError os.Open returns for a missing file;
// the engine's text names the host path of the rootfs mount, which is
// left out here.
type notExistError struct{ name string }

func (e *notExistError) Error() string { return "open " + e.name + ": no such file or directory" }

func errNotExist(name string) error { return &notExistError{name} }

func isNotExist(err error) bool { _, ok := err.(*notExistError); return ok }

// ---- CRI ----------------------------------------------------------------

// kubeFromFlags turns docker-style flags into the Kubernetes container a
// user would write for them, for the CRI engines: a numeric --user
// [uid[:gid]] as runAsUser and runAsGroup, a name as the image user would
// be (CRI has no group names), --group-add numbers as supplementalGroups,
// --workdir, --entrypoint and the command as workingDir, command and
// args, --cap-add/--cap-drop, no-new-privileges as
// allowPrivilegeEscalation false, --read-only, --env.
func kubeFromFlags(eng Engine, ov Overrides) (*KubeContainer, error) {
	if len(ov.Tmpfs) > 0 || len(ov.Volumes) > 0 || ov.Userns != "" {
		return nil, &UnsupportedError{eng.Name, "mounts and user namespaces come from the pod's volumes, not modelled"}
	}
	k := &KubeContainer{Pod: "pod", Namespace: "default", Name: "main", WorkingDir: ov.Workdir,
		CapAdd: ov.CapAdd, CapDrop: ov.CapDrop, ReadOnlyRootFilesystem: ov.ReadOnly, Env: ov.Env, Args: ov.Cmd}
	if ov.Entrypoint != nil {
		k.Command = []string{*ov.Entrypoint}
	}
	if ov.NoNewPrivileges {
		f := false
		k.AllowPrivilegeEscalation = &f
	}
	if ov.User != "" {
		u, g, hasG := strings.Cut(ov.User, ":")
		uid, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			return nil, &UnsupportedError{eng.Name, "a Kubernetes container names its user by number (runAsUser), not " + strconv.Quote(u)}
		}
		k.RunAsUser = &uid
		if hasG {
			gid, err := strconv.ParseInt(g, 10, 64)
			if err != nil {
				return nil, &UnsupportedError{eng.Name, "a Kubernetes container names its group by number (runAsGroup), not " + strconv.Quote(g)}
			}
			k.RunAsGroup = &gid
		}
	}
	for _, g := range ov.GroupAdd {
		gid, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return nil, &UnsupportedError{eng.Name, "supplementalGroups are numbers, not " + strconv.Quote(g)}
		}
		k.SupplementalGroups = append(k.SupplementalGroups, gid)
	}
	return k, nil
}

// criUser is what the kubelet sends as the user: the effective runAsUser,
// else the image's user from the runtime's ImageStatus (containerd
// pkg/cri/server/helpers.go:getUserFromImage@v1.6.20: the part before
// ':', a number as uid, else a name; "" as uid 0 by the kubelet's
// getImageUser), after verifyRunAsNonRoot
// (pkg/kubelet/kuberuntime/security_context_others.go).
func criUser(img ImageConfig, k *KubeContainer) (uid *int64, username string, err error) {
	var imgUID *int64
	imgName := ""
	if img.User != "" {
		u := strings.Split(img.User, ":")[0]
		if n, e := strconv.ParseInt(u, 10, 64); e == nil {
			imgUID = &n
		} else {
			imgName = u
		}
	} else {
		zero := int64(0)
		imgUID = &zero
	}
	if k.RunAsNonRoot != nil && *k.RunAsNonRoot {
		switch {
		case k.RunAsUser != nil && *k.RunAsUser == 0:
			return nil, "", fmt.Errorf("container's runAsUser breaks non-root policy (pod: %q, container: %s)", k.podName(), k.Name)
		case k.RunAsUser != nil:
		case imgUID == nil && imgName != "":
			return nil, "", fmt.Errorf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root (pod: %q, container: %s)", imgName, k.podName(), k.Name)
		case imgUID != nil && *imgUID == 0:
			return nil, "", fmt.Errorf("container has runAsNonRoot and image will run as root (pod: %q, container: %s)", k.podName(), k.Name)
		}
	}
	if k.RunAsUser != nil {
		return k.RunAsUser, "", nil
	}
	return imgUID, imgName, nil
}

// criCommand is containerd pkg/cri/opts/spec.go:WithProcessArgs@v1.6.20
// (moby's merge): command replaces the entrypoint and, without args,
// drops the image's Cmd; an image entrypoint of [""] counts as none.
// CRI-O (internal/factory/container/container.go SpecSetProcessArgs
// @v1.34.0) does the same but keeps an entrypoint [""] (emptyEntrypoint
// false).
func criCommand(img ImageConfig, k *KubeContainer, emptyEntrypoint bool) ([]string, error) {
	command, args := k.Command, k.Args
	if len(command) == 0 {
		if len(args) == 0 {
			args = append([]string{}, img.Cmd...)
		}
		if command == nil && !(emptyEntrypoint && len(img.Entrypoint) == 1 && img.Entrypoint[0] == "") {
			command = append([]string{}, img.Entrypoint...)
		}
	}
	if len(command) == 0 && len(args) == 0 {
		return nil, fmt.Errorf("no command specified")
	}
	return append(append([]string{}, command...), args...), nil
}

// fromCRI follows the kubelet and a CRI runtime: containerd's CRI plugin
// (pkg/cri/server/container_create_linux.go:containerSpec and
// containerSpecOpts@v1.6.20) or CRI-O (server/container_create.go
// setupContainerUser@v1.34.0, internal/factory/container
// SpecSetupCapabilities).
func fromCRI(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	k := ov.Kube
	if k == nil {
		var err error
		if k, err = kubeFromFlags(eng, ov); err != nil {
			return nil, err
		}
	}
	refuse := func(msg string) error { return &EngineError{Engine: eng.Name, Msg: msg, Create: true} }
	uid, username, err := criUser(img, k)
	if err != nil {
		return nil, refuse(err.Error())
	}
	args, err := criCommand(img, k, eng.Family == ContainerdCRI)
	if err != nil {
		if eng.Family == ContainerdCRI {
			// CreateContainer: containerSpec's error, then its caller's
			// (pkg/cri/server/container_create.go@v1.6.20).
			return nil, refuse(fmt.Sprintf("failed to generate container %q spec: failed to generate spec: %v", ContainerID, err))
		}
		return nil, refuse(err.Error())
	}
	if k.RunAsGroup != nil && uid == nil && username == "" {
		// containerSpecOpts, then CreateContainer
		// (container_create_linux.go, container_create.go@v1.6.20).
		return nil, refuse(fmt.Sprintf("failed to get container spec opts: failed to generate user string: user group %q is specified without user", strconv.FormatInt(*k.RunAsGroup, 10)))
	}
	s := newSpec()
	p := s.Process
	p.Args = args
	p.Cwd = "/"
	if img.WorkingDir != "" {
		p.Cwd = img.WorkingDir
	}
	if k.WorkingDir != "" {
		p.Cwd = k.WorkingDir
	}
	p.NoNewPrivileges = k.NoNewPrivs()
	s.Root.Readonly = k.ReadOnlyRootFilesystem

	// User: containerd's generateUserString and oci.WithUser, or CRI-O's
	// generateUserString and GetUserInfo (libcontainer's GetExecUser).
	userstr := username
	if uid != nil && username == "" {
		userstr = strconv.FormatInt(*uid, 10)
	}
	groups := k.criGroups()
	if eng.Family == ContainerdCRI {
		// WithDefaultPathEnv, HOSTNAME, then the image's env and the
		// container's.
		p.Env = replaceOrAppendEnv(nil, []string{defaultPath})
		p.Env = replaceOrAppendEnv(p.Env, []string{"HOSTNAME="})
		p.Env = replaceOrAppendEnv(p.Env, append(append([]string{}, img.Env...), k.Env...))
		withGroup := userstr
		if k.RunAsGroup != nil {
			withGroup += ":" + strconv.FormatInt(*k.RunAsGroup, 10)
		}
		if withGroup != "" {
			if err := containerdWithUser(fsys, eng, p, withGroup); err != nil {
				return nil, err
			}
		}
		// customopts.WithAdditionalGIDs(runAsUsername or runAsUser, "0"
		// when unset), merged and sorted (mergeGids), then
		// WithSupplementalGroups (merged and sorted again).
		before := p.User.AdditionalGids
		addUser := username
		if addUser == "" {
			addUser = "0"
			if uid != nil {
				addUser = strconv.FormatInt(*uid, 10)
			}
		}
		if err := containerdAdditionalGIDs(fsys, p, addUser); err != nil {
			// oci.WithAdditionalGIDs reads /etc/group through a temporary
			// mount of the snapshot, as WithUser does.
			return nil, &EngineError{Engine: eng.Name, Msg: err.Error(), Create: true, Snapshot: true}
		}
		p.User.AdditionalGids = mergeGids(p.User.AdditionalGids, before)
		var sg []uint32
		for _, g := range groups {
			sg = append(sg, uint32(g))
		}
		p.User.AdditionalGids = mergeGids(p.User.AdditionalGids, sg)
		c := p.Capabilities
		c.Bounding, c.Effective, c.Permitted = append([]string{}, eng.Caps...), append([]string{}, eng.Caps...), append([]string{}, eng.Caps...)
		criContainerdCaps(c, k, eng.HostBounding)
		return s, nil
	}

	// CRI-O: runtime-tools generate.New's PATH and TERM
	// (internal/factory/container/container.go), HOSTNAME, crio.conf's
	// default_env (empty by default), the container's env then the
	// image's keys it lacks (server/utils.go:mergeEnvs; image entries
	// without '=' dropped), "container=crio" (container_create_linux.go),
	// each AddProcessEnv replacing the same key in place.
	env := []string{"HOSTNAME="}
	env = append(env, k.Env...)
	for _, ie := range img.Env {
		key, _, ok := strings.Cut(ie, "=")
		if !ok || key == "" {
			continue
		}
		found := false
		for _, ke := range k.Env {
			kk, _, _ := strings.Cut(ke, "=")
			found = found || kk == key
		}
		if !found {
			env = append(env, ie)
		}
	}
	p.Env = replaceOrAppendEnv([]string{defaultPath, "TERM=xterm"}, append(env, "container=crio"))
	passwd, group := readEtc(fsys, "/etc/passwd"), readEtc(fsys, "/etc/group")
	// server/container_create.go:generateUserString: the uid, else the
	// name, else the image's whole USER.
	crioStr := username
	if uid != nil && username == "" {
		crioStr = strconv.FormatInt(*uid, 10)
	}
	if crioStr == "" {
		crioStr = img.User
	}
	eu, err := getExecUser(crioStr, passwd, group)
	if err != nil {
		return nil, refuse("get exec user: " + err.Error())
	}
	p.User.UID, p.User.GID = uint32(eu.uid), uint32(eu.gid)
	if k.RunAsGroup != nil {
		p.User.GID = uint32(*k.RunAsGroup)
	}
	addGid := func(g uint32) {
		if !containsGid(p.User.AdditionalGids, g) {
			p.User.AdditionalGids = append(p.User.AdditionalGids, g)
		}
	}
	addGid(p.User.GID)
	for _, g := range eu.sgids {
		addGid(uint32(g))
	}
	for _, g := range groups {
		addGid(uint32(g))
	}
	if err := crioCapsApply(p.Capabilities, eng.Caps, k); err != nil {
		return nil, refuse(err.Error())
	}
	return s, nil
}

func containsGid(l []uint32, g uint32) bool {
	for _, x := range l {
		if x == g {
			return true
		}
	}
	return false
}

// mergeGids is pkg/cri/opts/spec_linux.go:mergeGids@v1.6.20: the union,
// sorted.
func mergeGids(a, b []uint32) []uint32 {
	set := map[uint32]bool{}
	for _, g := range append(append([]uint32{}, a...), b...) {
		set[g] = true
	}
	var out []uint32
	for g := range set {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// criContainerdCaps is pkg/cri/opts/spec_linux.go:WithCapabilities and
// WithoutAmbientCaps@v1.6.20: add ALL sets every capability, drop ALL
// none, then each other name, upper-cased behind "CAP_", is added to or
// removed from B, E and P. Unknown names are not checked here (the
// runtime decides).
func criContainerdCaps(c *specs.LinuxCapabilities, k *KubeContainer, bounding caps.Set) {
	if len(k.CapAdd) == 0 && len(k.CapDrop) == 0 {
		return
	}
	if contains(k.CapAdd, "ALL") {
		// c.allCaps is pkg/cap.Current(): containerd's own effective set.
		all := inBounding(allCaps(caps.CAP_LAST_CAP), bounding)
		c.Bounding, c.Effective, c.Permitted = all, append([]string{}, all...), append([]string{}, all...)
	}
	if contains(k.CapDrop, "ALL") {
		c.Bounding, c.Effective, c.Permitted = nil, nil, nil
	}
	for _, a := range k.CapAdd {
		if strings.ToUpper(a) == "ALL" {
			continue
		}
		n := "CAP_" + strings.ToUpper(a)
		for _, l := range []*[]string{&c.Bounding, &c.Effective, &c.Permitted} {
			if !contains(*l, n) {
				*l = append(*l, n)
			}
		}
	}
	for _, d := range k.CapDrop {
		if strings.ToUpper(d) == "ALL" {
			continue
		}
		n := "CAP_" + strings.ToUpper(d)
		for _, l := range []*[]string{&c.Bounding, &c.Effective, &c.Permitted} {
			var kept []string
			for _, x := range *l {
				if x != n {
					kept = append(kept, x)
				}
			}
			*l = kept
		}
	}
	c.Ambient = nil
}

// crioCapsApply is CRI-O's SpecSetupCapabilities@v1.34.0 without
// inheritable capabilities (add_inheritable_capabilities defaults to
// false): the defaults join the added unless add or drop is ALL; ALL adds
// or drops every capability; names get "CAP_" unless they have it (any
// case); an unknown added name is `unknown capability "CAP_X" to add`.
func crioCapsApply(c *specs.LinuxCapabilities, defaults []string, k *KubeContainer) error {
	addAll, dropAll := containsFold(k.CapAdd, "ALL"), containsFold(k.CapDrop, "ALL")
	adds := append([]string{}, k.CapAdd...)
	if !addAll && !dropAll {
		adds = append(adds, defaults...)
	}
	all := allCaps(caps.CAP_LAST_CAP)
	prefixed := func(s string) string {
		if !strings.HasPrefix(strings.ToLower(s), "cap_") {
			return "CAP_" + strings.ToUpper(s)
		}
		return s
	}
	var b, e, p []string
	if addAll {
		b, e, p = append([]string{}, all...), append([]string{}, all...), append([]string{}, all...)
	}
	for _, a := range adds {
		if strings.EqualFold(a, "ALL") {
			continue
		}
		n := prefixed(a)
		if !contains(all, n) {
			return fmt.Errorf("unknown capability %q to add", n)
		}
		for _, l := range []*[]string{&b, &e, &p} {
			if !contains(*l, n) {
				*l = append(*l, n)
			}
		}
	}
	for _, d := range k.CapDrop {
		if strings.EqualFold(d, "ALL") {
			continue
		}
		n := prefixed(d)
		for _, l := range []*[]string{&b, &e, &p} {
			var kept []string
			for _, x := range *l {
				if x != n {
					kept = append(kept, x)
				}
			}
			*l = kept
		}
	}
	c.Bounding, c.Effective, c.Permitted = b, e, p
	return nil
}

func containsFold(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
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

// PodmanRootfs stands for the directory podman mounts a container's root
// filesystem on (its overlay driver under the default storage root:
// /var/lib/containers/storage/overlay/ID/merged, the layer's id in place
// of $ID) in the texts that name it.
const PodmanRootfs = "/var/lib/containers/storage/overlay/$ID/merged"

// firstFile returns the first existing non-directory on the way to p
// (each prefix stat(2)ed as root, following symlinks), "" if none: what
// os.MkdirAll names when it fails with ENOTDIR.
func firstFile(fsys access.FS, p string) string {
	proc := &access.Proc{Cred: access.Root(), FS: fsys}
	prefix := ""
	for _, c := range strings.Split(strings.Trim(path.Clean(p), "/"), "/") {
		prefix += "/" + c
		ino, err := proc.Stat(prefix)
		if err != nil {
			return ""
		}
		if !ino.IsDir() {
			return prefix
		}
	}
	return ""
}
