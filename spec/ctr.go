package spec

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

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
// installs no seccomp filter unless --seccomp. --privileged is ctr's
// --privileged.
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
	if ov.Privileged {
		// --privileged: oci.WithPrivileged (oci/spec_opts.go@v1.6.20),
		// before --cap-add and --cap-drop: WithAllCurrentCapabilities,
		// ctr's own effective set (pkg/cap.Current) in B, E and P, and
		// WithSeccompUnconfined (ctr has no filter anyway);
		// noNewPrivileges stays.
		all := inBounding(allCaps(caps.CAP_LAST_CAP), eng.HostBounding)
		c.Bounding, c.Effective, c.Permitted = all, append([]string{}, all...), append([]string{}, all...)
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
