package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// A Plan is what a config.json asks of a runtime's init, up to execve.
// Fields share memory with Spec.
type Plan struct {
	// Root is root: the container's root filesystem.
	Root Root
	// User is process.user.
	User User
	// Cwd is process.cwd: absolute and not empty.
	Cwd string
	// Args is process.args: not empty but in a plan FromSpec made with
	// Refused set. Args[0] is the name LookPath gets.
	Args []string
	// Refused is the text of runc's validateProcessSpec for an empty
	// process.args ("args must not be empty") in a plan FromSpec made: an
	// engine's spec for an image without ENTRYPOINT or CMD, which ctr run
	// hands the runtime with args absent. The runtime refuses it at create
	// (Evaluate says how); Parse refuses such a config.json itself.
	Refused string
	// Env is process.env as given, duplicates and all; nil when the member
	// is absent or null (runc 1.3 and later then give the process no
	// environment at all).
	Env Env
	// Caps is process.capabilities, the names this model knows.
	Caps caps.Sets
	// CapsAbsent reports that process.capabilities is absent or null: runc
	// up to 1.2 then drops every capability, 1.3 and later keep those of
	// its init. The runtime profile decides; Caps is then empty.
	CapsAbsent bool
	// UnknownCaps lists the capability names of process.capabilities this
	// model does not know, by set, in the order caps.FromSpec gives; nil
	// if there are none. Whether they are fatal depends on the runtime
	// (runc rc92 and rc93 fail with `unknown capability "X"`, later
	// versions warn and ignore them).
	UnknownCaps *caps.UnknownError
	// NoNewPrivileges is process.noNewPrivileges.
	NoNewPrivileges bool
	// KeepOriginalGroups is the annotation run.oci.keep_original_groups
	// set to anything but "0" (podman's --group-add keep-groups sets
	// "1"): crun then leaves the supplementary groups of the process that
	// started it instead of setting additionalGids (containers/crun
	// src/libcrun/linux.c:libcrun_container_setgroups@1.8.1); runc
	// ignores it.
	KeepOriginalGroups bool
	// UserNS is the user namespace built from linux.uidMappings and
	// linux.gidMappings when linux.namespaces has a "user" entry; nil when
	// it has none (the process stays in the initial namespace). The ids of
	// User are ids of this namespace. SetgroupsDenied is left false: a
	// rootless runtime's choice, not the config's.
	UserNS *access.UserNS
	// UserNSPath is the path of a user namespace the container joins
	// (linux.namespaces[].path). Its mappings are then not in the config:
	// UserNS holds only those the config gives, and with none it maps no
	// id.
	UserNSPath string
	// UserNSInherited reports that UserNS is not the config's but the
	// namespace the runtime itself runs in (rootless podman without a
	// --userns of its own: Engine.HostIDs sets it): the config has no
	// mappings for the runtime to check ids against, so an unmapped id
	// fails only in the kernel's setuid or setgid.
	UserNSInherited bool
	// Seccomp is linux.seccomp; nil when there is no filter (absent, or
	// neither defaultAction nor syscalls, which runc takes as disabled).
	Seccomp *Seccomp
	// Mounts are the entries of mounts, in config order.
	Mounts []Mount
	// Spec is the config as decoded, for what the plan does not
	// summarise.
	Spec *specs.Spec
	// JoinedCwd is, in a plan ParseExec made for a process joining a
	// running container, the container's own process.cwd, which runc
	// created when it started the container; "" otherwise.
	JoinedCwd string
	// JoinedEnv is, in such a plan, the container's own process.env,
	// which crun exec gives a process without env (runc gives it none).
	JoinedEnv Env
}

// Root is the container's root filesystem (root in config.json).
type Root struct {
	// Path is root.path as given: absolute, or relative to the bundle.
	Path string
	// Readonly is root.readonly: runc remounts / read-only (a bind
	// remount, MNT_READONLY) after it has created a missing cwd.
	Readonly bool
}

// User is process.user: the ids as given, in the container's user
// namespace. runc receives only numbers; names are the engine's business.
type User struct {
	UID, GID       uint32
	AdditionalGids []uint32
	// Umask is process.user.umask, nil if absent.
	Umask *uint32
}

// Env is an environment as a list of "NAME=value" entries.
type Env []string

// Getenv returns the value of the last entry of e named name, and whether
// there is one. The last one wins as in every runc line: up to 1.2 runc's
// init calls os.Setenv for each entry in order, from 1.3 prepareEnv keeps
// the last duplicate (runc libcontainer/env.go). Entries without '=' name
// nothing.
func (e Env) Getenv(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	for i := len(e) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(e[i], name); ok && strings.HasPrefix(v, "=") {
			return v[1:], true
		}
	}
	return "", false
}

// Path returns the value of the last PATH entry of process.env, and
// whether there is one: the PATH LookPath searches in runc's init (runc
// 1.3 and later copy only it into init's environment; earlier lines copy
// every entry, the last duplicate winning as well). Without one a bare
// args[0] is never found.
func (p *Plan) Path() (string, bool) { return p.Env.Getenv("PATH") }

// problem is a semantic error before it has a position.
type problem struct {
	path, msg string
}

func problemf(path, format string, args ...any) *problem {
	return &problem{path, fmt.Sprintf(format, args...)}
}

// Parse turns the bytes of a config.json into a Plan. name prefixes the
// errors ("config.json").
//
// The JSON is decoded as runc decodes it (encoding/json into specs.Spec:
// unknown members ignored, keys matched case-insensitively, the last
// duplicate winning). Then, in runc's order (utils_linux.go:
// validateProcessSpec, specconv.CreateLibcontainerConfig):
//  1. process must be present ("process property must not be empty");
//  2. process.cwd must not be empty ("Cwd property must not be empty") and
//     must be absolute ("Cwd must be an absolute path");
//  3. process.args must not be empty ("args must not be empty");
//  4. root must be present ("root must be specified") and root.path not
//     empty;
//  5. a "user" entry of linux.namespaces without a path needs both
//     linux.uidMappings and linux.gidMappings, and mappings need a user
//     namespace; each mapping must be one the kernel's uid_map accepts
//     (kernel/user_namespace.c:map_write: a size of at least 1, ranges
//     that end below 2³²-1 and do not overlap, at most 340 lines);
//  6. a tmpfs mode= option must be an octal number.
//
// Every error is an *Error, and comes with a nil Plan. Unknown capability
// names are not an error: see Plan.UnknownCaps.
func Parse(name string, data []byte) (*Plan, error) {
	return parse(name, data, false)
}

// parse is Parse; with emptyArgs an empty process.args is Plan.Refused,
// not an error.
func parse(name string, data []byte, emptyArgs bool) (*Plan, error) {
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, decodeError(name, data, err)
	}
	p, pr := plan(&s, emptyArgs)
	if pr != nil {
		return nil, newError(name, data, locate(data, pr.path), pr.path, pr.msg, nil)
	}
	return p, nil
}

// errEmptyArgs is runc's validateProcessSpec text for an empty
// process.args (utils_linux.go, every release).
const errEmptyArgs = "args must not be empty"

func plan(s *specs.Spec, emptyArgs bool) (*Plan, *problem) {
	pr := s.Process
	switch {
	case pr == nil:
		return nil, problemf("process", "process property must not be empty")
	case pr.Cwd == "":
		return nil, problemf("process.cwd", "Cwd property must not be empty")
	case !strings.HasPrefix(pr.Cwd, "/"):
		// filepath.IsAbs on Linux; path.IsAbs would do, but this package
		// must give Linux's answer on every GOOS.
		return nil, problemf("process.cwd", "Cwd must be an absolute path")
	case len(pr.Args) == 0 && !emptyArgs:
		return nil, problemf("process.args", errEmptyArgs)
	case s.Root == nil:
		return nil, problemf("root", "root must be specified")
	case s.Root.Path == "":
		return nil, problemf("root.path", "must not be empty")
	}
	p := &Plan{
		Root:            Root{Path: s.Root.Path, Readonly: s.Root.Readonly},
		User:            User{UID: pr.User.UID, GID: pr.User.GID, AdditionalGids: pr.User.AdditionalGids, Umask: pr.User.Umask},
		Cwd:             pr.Cwd,
		Args:            pr.Args,
		Env:             Env(pr.Env),
		CapsAbsent:      pr.Capabilities == nil,
		NoNewPrivileges: pr.NoNewPrivileges,
		Spec:            s,

		KeepOriginalGroups: keepOriginalGroups(s.Annotations),
	}
	if len(pr.Args) == 0 {
		p.Refused = errEmptyArgs
	}
	var err error
	p.Caps, err = caps.FromSpec(pr.Capabilities)
	if err != nil {
		var u *caps.UnknownError
		if !errors.As(err, &u) {
			return nil, problemf("process.capabilities", "%v", err)
		}
		p.UnknownCaps = u
	}
	if s.Linux != nil {
		var bad *problem
		if p.UserNS, p.UserNSPath, bad = userNS(s.Linux); bad != nil {
			return nil, bad
		}
		if sc := s.Linux.Seccomp; sc != nil && (sc.DefaultAction != "" || len(sc.Syscalls) > 0) {
			p.Seccomp = &Seccomp{Config: *sc, NoNewPrivileges: pr.NoNewPrivileges}
		}
	}
	for i, m := range s.Mounts {
		mm, bad := parseMount(i, m)
		if bad != nil {
			return nil, bad
		}
		p.Mounts = append(p.Mounts, mm)
	}
	return p, nil
}

// maxExtents is UID_GID_MAP_MAX_EXTENTS, the most lines a uid_map or
// gid_map takes (include/linux/user_namespace.h, Linux 4.15; 5 before).
const maxExtents = 340

// userNS builds the user namespace of linux.namespaces and the mappings.
func userNS(l *specs.Linux) (*access.UserNS, string, *problem) {
	has, path := false, ""
	for _, ns := range l.Namespaces {
		if ns.Type == specs.UserNamespace {
			has, path = true, ns.Path
		}
	}
	switch {
	case !has && len(l.UIDMappings) > 0:
		return nil, "", problemf("linux.uidMappings", "mappings given, but linux.namespaces has no user namespace")
	case !has && len(l.GIDMappings) > 0:
		return nil, "", problemf("linux.gidMappings", "mappings given, but linux.namespaces has no user namespace")
	case !has:
		return nil, "", nil
	case path == "" && len(l.UIDMappings) == 0:
		return nil, "", problemf("linux.uidMappings", "a new user namespace needs mappings")
	case path == "" && len(l.GIDMappings) == 0:
		return nil, "", problemf("linux.gidMappings", "a new user namespace needs mappings")
	}
	uid, pr := idMaps("linux.uidMappings", l.UIDMappings)
	if pr != nil {
		return nil, "", pr
	}
	gid, pr := idMaps("linux.gidMappings", l.GIDMappings)
	if pr != nil {
		return nil, "", pr
	}
	return &access.UserNS{UIDMap: uid, GIDMap: gid}, path, nil
}

// idMaps checks mappings as kernel/user_namespace.c:map_write does and
// converts them.
func idMaps(field string, ms []specs.LinuxIDMapping) ([]access.IDMap, *problem) {
	if len(ms) > maxExtents {
		return nil, problemf(field, "%d mappings, the kernel takes at most %d", len(ms), maxExtents)
	}
	out := make([]access.IDMap, 0, len(ms))
	for i, m := range ms {
		at := fmt.Sprintf("%s[%d]", field, i)
		if m.Size == 0 {
			return nil, problemf(at+".size", "must be at least 1")
		}
		// map_write rejects an extent whose first+count wraps in 32 bits,
		// and (u32)-1 in either range.
		if uint64(m.ContainerID)+uint64(m.Size) > 1<<32-1 {
			return nil, problemf(at, "containerID %d + size %d passes 4294967295", m.ContainerID, m.Size)
		}
		if uint64(m.HostID)+uint64(m.Size) > 1<<32-1 {
			return nil, problemf(at, "hostID %d + size %d passes 4294967295", m.HostID, m.Size)
		}
		for j, o := range ms[:i] {
			if overlap(m.ContainerID, m.Size, o.ContainerID, o.Size) {
				return nil, problemf(at, "containerID range overlaps %s[%d]", field, j)
			}
			if overlap(m.HostID, m.Size, o.HostID, o.Size) {
				return nil, problemf(at, "hostID range overlaps %s[%d]", field, j)
			}
		}
		out = append(out, access.IDMap{ContainerID: m.ContainerID, HostID: m.HostID, Size: m.Size})
	}
	return out, nil
}

func overlap(a, n, b, m uint32) bool {
	return uint64(a) < uint64(b)+uint64(m) && uint64(b) < uint64(a)+uint64(n)
}

// FromSpec returns the plan of s, a spec made in memory (FromImage's, or a
// caller's), as Parse would read it from JSON; errors name name as their
// file. A missing root.path is the rootfs the caller hands Evaluate, not
// an error: an engine's spec names its own. Nor is an empty process.args,
// which reaches the runtime when an engine passes it on (ctr run of an
// image without a command): the plan says so in Refused.
func FromSpec(name string, s *specs.Spec) (*Plan, error) {
	c := *s
	if c.Root == nil || c.Root.Path == "" {
		r := specs.Root{Path: "rootfs"}
		if c.Root != nil {
			r.Readonly = c.Root.Readonly
		}
		c.Root = &r
	}
	data, err := json.Marshal(&c)
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error(), Err: err}
	}
	return parse(name, data, true)
}

// keepOriginalGroups reports whether annotations ask crun to keep the
// caller's groups.
func keepOriginalGroups(annotations map[string]string) bool {
	v, ok := annotations[KeepOriginalGroupsAnnotation]
	return ok && v != "0"
}
