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

// fromPodman follows podman run (v4.3.1): the CLI fills a SpecGenerator
// (pkg/specgenutil), pkg/specgen/generate makes the OCI spec
// (container.go:CompleteSpec, oci.go:SpecGenToOCI,
// security_linux.go:securityConfigureGenerator) and libpod completes it
// at init (container_internal_common.go:generateSpec). containers.conf is
// the compiled-in default of containers/common v0.50.1. Rootful, or
// rootless (eng.Rootless); --userns host, keep-id and nomap
// (podman_userns.go). The spec's ids are those of the namespace podman
// runs in; Engine.HostIDs takes them to the host's.
func fromPodman(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	if ov.Kube != nil {
		return nil, &UnsupportedError{eng.Name, "podman kube play is not modelled"}
	}
	if rl := eng.Rootless; rl != nil && (len(rl.SubUIDs) == 0 || len(rl.SubGIDs) == 0) {
		return nil, &UnsupportedError{eng.Name, "rootless podman without /etc/subuid and /etc/subgid ranges (one id mapped, setgroups denied) is not modelled"}
	}
	// Rootless podman runs in a user namespace its pause process made, whose
	// creation gave it every capability in its bounding set, whatever the
	// host's (torvalds/linux kernel/user_namespace.c:set_cred_user_ns,
	// cap_bset = CAP_FULL_SET): --cap-add ALL adds them all (held by the
	// rootless oracle's curated flag_cap_add_all, CAP_SYS_RESOURCE too on a
	// host whose bounding set lacks it).
	if eng.Rootless != nil {
		eng.HostBounding = 0
	}
	// pkg/specgenutil/specgen.go:FillOutSpecGen parses --userns first;
	// what the mode then refuses, MakeContainer refuses below.
	userns, usernsErr, err := parsePodmanUserns(eng, ov.Userns)
	if err != nil {
		return nil, err
	}
	// FillOutSpecGen reads --security-opt after --userns, in the command
	// line, before the container is made.
	if msg := securityOptRefusal(Podman, ov.SecurityOpt); msg != "" {
		return nil, &EngineError{Engine: eng.Name, Msg: msg, Create: true}
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
	// namespaces.go (keep-id and nomap rootful) and SetupUserNS (private
	// without mappings) refuse in MakeContainer before
	// securityConfigureGenerator.
	if usernsErr != nil {
		return nil, usernsErr
	}
	// --privileged: securityConfigureGenerator@v4.3.1 takes
	// capabilities.BoundingSet() (podman's own bounding set; the spec
	// has it sorted by name, as the engine oracle's flag_privileged
	// shows) and merges nothing: --cap-add and --cap-drop neither change
	// nor are checked for the bounding set.
	var list []string
	if ov.Privileged {
		list = allCaps(caps.CAP_LAST_CAP)
		sort.Strings(list)
	} else if list, err = mergePodmanCaps(eng.Caps, ov.CapAdd, ov.CapDrop, eng.HostBounding); err != nil {
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

	// namespaces.go:namespaceOptions: keep-id without options adds the
	// user's passwd entry (not a credential); without a user string the
	// container runs as the keep-id ids.
	capUser := user // securityConfigureGenerator reads the user string as given
	if userns.mode == "keep-id" && user == "" {
		user = fmt.Sprintf("%d:%d", userns.uid, userns.gid)
	}
	userns.apply(s)

	// generateSpec: lookup.GetUserGroupInfo(c.config.User) with no
	// defaults, then uid, gid and gid as first additional gid only when
	// the user string is set.
	passwd, group := readEtc(fsys, "/etc/passwd"), readEtc(fsys, "/etc/group")
	eu, err := getExecUser(user, passwd, group)
	if err != nil {
		return nil, refuse(false, "%s", err.Error())
	}
	// keep-id without uid= or gid= (WithAddCurrentUserPasswdEntry): when
	// the image's /etc/passwd has no entry for the user, podman adds one
	// whose home is the working directory and sets HOME to it
	// (container_internal_common.go:userPasswdEntry@v4.3.1; the user's
	// own home instead when it is a mount destination, which the model
	// does not know: the host user's name and home are not its input).
	// It runs before generateSpec's HOME of the looked-up user (held by
	// the rootless oracle's rl_keep_id_user_root: HOME is the workdir,
	// not root's /root).
	if _, has := envm["HOME"]; !has && userns.passwdEntry {
		if own, err := getExecUser(strconv.Itoa(int(eng.Rootless.UID)), passwd, group); err != nil || own.home == "" {
			envm["HOME"] = p.Cwd
		}
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
			// A group the namespace lacks is skipped with a warning.
			if userns.gidAvailable(eng, g) {
				addGid(uint32(g))
			}
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
			return nil, refuse(false, "detecting workdir %q on container %s: stat %s%s: %s", p.Cwd, ContainerID, podmanRootfs(eng), p.Cwd, access.Strerror(err))
		case errors.Is(err, access.ENOTDIR):
			if file := firstFile(fsys, p.Cwd); file != "" {
				return nil, refuse(false, "creating container %s workdir: mkdir %s%s: not a directory", ContainerID, podmanRootfs(eng), file)
			}
		}
	}

	// security_linux.go:securityConfigureGenerator (merged above).
	list = inBounding(list, eng.HostBounding)
	name := strings.Split(capUser, ":")[0]
	c := p.Capabilities
	c.Bounding, c.Inheritable, c.Ambient = list, []string{}, []string{}
	if (name == "" && userns.mode != "keep-id") || name == "root" || name == "0" {
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
	// securityConfigureGenerator clears the filter when unconfined, or
	// privileged with no profile of the user's (containers.conf's default
	// paths count as none); a privileged container keeps a profile given
	// with seccomp=PATH.
	if ov.Seccomp == "unconfined" || ov.Privileged && (ov.Seccomp == "" || ov.Seccomp == podmanSeccompOverridePath || ov.Seccomp == podmanSeccompDefaultPath) {
		if s.Linux == nil {
			s.Linux = &specs.Linux{}
		}
	} else if err := withSeccomp(s, podmanSeccomp, eng, ov); err != nil {
		return nil, err
	}
	s.Mounts = ms
	if keepGroups {
		s.Annotations = map[string]string{KeepOriginalGroupsAnnotation: "1"}
	}
	if err := callerEnvUndecided(eng, ov.Env, p.Args); err != nil {
		return nil, err
	}
	return s, nil
}

// podmanSeccompOverridePath and podmanSeccompDefaultPath are
// containers/common pkg/config SeccompOverridePath and
// SeccompDefaultPath@v0.50.1: as seccomp=PATH they are the default
// profile, which a privileged container goes without.
const (
	podmanSeccompOverridePath = "/etc/containers/seccomp.json"
	podmanSeccompDefaultPath  = "/usr/share/containers/seccomp.json"
)

// KeepOriginalGroupsAnnotation is the annotation with which podman's
// --group-add keep-groups asks crun to keep the supplementary groups of
// the process that starts it (crun src/libcrun/container.c, "setgroups
// skipped"; runc does not read it).
const KeepOriginalGroupsAnnotation = "run.oci.keep_original_groups"

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

// PodmanRootfs stands for the directory podman mounts a container's root
// filesystem on (its overlay driver under the default storage root:
// /var/lib/containers/storage/overlay/ID/merged, the layer's id in place
// of $ID) in the texts that name it.
const PodmanRootfs = "/var/lib/containers/storage/overlay/$ID/merged"

// PodmanRootlessRootfs is PodmanRootfs for rootless podman: its storage
// is below the user's home (containers/storage
// types/utils.go:getRootlessStorageOpts, $XDG_DATA_HOME or
// $HOME/.local/share, then containers/storage).
const PodmanRootlessRootfs = "$HOME/.local/share/containers/storage/overlay/$ID/merged"

// podmanRootfs is the rootfs eng's texts name.
func podmanRootfs(eng Engine) string {
	if eng.Rootless != nil {
		return PodmanRootlessRootfs
	}
	return PodmanRootfs
}

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
