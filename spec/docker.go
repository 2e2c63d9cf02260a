package spec

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

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
	if err := dockerCLISeccomp(eng, ov); err != nil {
		return nil, err
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

	// daemon/create.go:create@v20.10.24: setSecurityOptions
	// (parseSecurityOpt) after verifyContainerSettings (the working
	// directory, the capabilities) and before setHostConfig (the mounts).
	if msg := securityOptRefusal(Docker, ov.SecurityOpt); msg != "" {
		return nil, refuse(true, "%s", msg)
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
	// row's grant. --privileged is every capability docker knows
	// (oci/caps/utils.go:TweakCapabilities@v20.10.24: GetAllCapabilities,
	// up to CAP_AUDIT_READ), whatever --cap-add and --cap-drop say (their
	// names are still checked at create, above); oci.SetCapabilities
	// gives a non-root user the bounding set only, as for any container.
	list := tweakDockerCaps(eng.Caps, ov.CapAdd, ov.CapDrop)
	if ov.Privileged {
		list = allCaps(caps.CAP_AUDIT_READ)
	}
	grantCaps(p, eng.Grant, list, p.User.UID == 0)

	p.NoNewPrivileges = ov.NoNewPrivileges
	s.Root.Readonly = ov.ReadOnly
	// daemon/seccomp_linux.go:WithSeccomp@v20.10.24 installs no filter
	// for a privileged container, even with seccomp=PATH (the CLI has
	// read the file all the same).
	if ov.Seccomp == "unconfined" || ov.Privileged {
		s.Linux = &specs.Linux{}
	} else if err := withSeccomp(s, dockerSeccomp, eng, ov); err != nil {
		return nil, err
	}
	ms, err := dockerMounts(ov)
	if err != nil {
		return nil, refuse(false, "%s", err.Error())
	}
	s.Mounts = ms
	if err := callerEnvUndecided(eng, ov.Env, p.Args); err != nil {
		return nil, err
	}
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
