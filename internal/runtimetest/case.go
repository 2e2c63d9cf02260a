package runtimetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

// Marker is the line an entrypoint prints on stdout when it runs, so that
// "started" is observed, not inferred.
const Marker = "preexec-started"

// A Case is one bundle for the runtime oracle: a root filesystem and the
// parts of config.json that decide the pre-exec checks. It is what a golden
// file records next to the outcomes, and what the model (issue [3/5]) will
// be evaluated on, so every field is data, never host state.
//
// Ids in Rootfs and in Mounts' sources are kernel ids, as stored on disk;
// Process ids are ids inside the container (equal to kernel ids without a
// user namespace).
type Case struct {
	// Name is unique, snake_case, and names the rule (curated) or the seed
	// and index (random: "random_s1_0042").
	Name string `json:"name"`
	// Rule says why the case exists, citing the kernel, runc, crun or Go
	// code it pins.
	Rule string `json:"rule"`
	// Rootfs is the container's root filesystem as fixture text
	// (rootfs.ParseFixture); its "/" line sets the root directory. It must
	// not contain mount lines: mounts are Mounts, made by the runtime.
	Rootfs Fixture `json:"rootfs"`
	// Process is config.json's process.
	Process Process `json:"process"`
	// Seccomp is the filter in linux.seccomp, by name.
	Seccomp Seccomp `json:"seccomp"`
	// Mounts are added after the default mounts (/proc, /dev, /dev/pts,
	// /dev/shm, /sys), in order.
	Mounts []Mount `json:"mounts,omitempty"`
	// UserNS, if set, adds a user namespace with these mappings.
	UserNS *UserNS `json:"userns,omitempty"`
	// ReadonlyRoot is root.readonly.
	ReadonlyRoot bool `json:"readonlyRoot,omitempty"`
	// Rootless runs the runtime as the unprivileged host user RootlessUID
	// (gid RootlessUID, no supplementary groups), as `runc spec
	// --rootless` and rootless podman set a container up: UserNS must map
	// container id 0 to RootlessUID (size 1), the one id such a user may
	// map itself (user_namespaces(7)), and may map further ids of the
	// container to ranges inside the user's subordinate range
	// (SubordinateID, SubordinateCount: /etc/subuid and /etc/subgid), which
	// the runtime maps through newuidmap and newgidmap. The model runs it
	// with Host.Rootless.
	Rootless bool `json:"rootless,omitempty"`
	// Bounding are capabilities ("CAP_NET_RAW") dropped from the
	// runtime's own bounding set: the harness runs it under setpriv
	// --bounding-set -net_raw,… (util-linux), as a host or a daemon
	// without them would, and the model with Host.Bounding lacking them.
	// Not with Rootless (dropping needs CAP_SETPCAP).
	Bounding []string `json:"bounding,omitempty"`
}

// RootlessUID is the host uid and gid that runs the runtime of a Rootless
// case: the user preexec-rootless of .ci/install-rootless, whose passwd
// entry newuidmap and newgidmap read.
const RootlessUID = 4242

// SubordinateID and SubordinateCount are RootlessUID's subordinate uids
// and gids, its line `preexec-rootless:200000:65536` in /etc/subuid and
// /etc/subgid (.ci/install-rootless): the host ids newuidmap and
// newgidmap (shadow) let it map besides its own.
const (
	SubordinateID    = 200000
	SubordinateCount = 65536
)

// Process is the part of an OCI process object that the pre-exec checks
// read. terminal is always false; the umask is the runtime's default.
type Process struct {
	UID            uint32   `json:"uid"`
	GID            uint32   `json:"gid"`
	AdditionalGids []uint32 `json:"additionalGids,omitempty"`
	Cwd            string   `json:"cwd"`
	Args           []string `json:"args"`
	// Env is process.env; empty means absent from config.json.
	Env []string `json:"env,omitempty"`
	// Capabilities is process.capabilities; nil means absent from
	// config.json, which runc ≤ 1.2 and crun take as "no capabilities"
	// and runc ≥ 1.3 as "leave them alone" (049a5f76c, #4585).
	Capabilities    *Capabilities `json:"capabilities,omitempty"`
	NoNewPrivileges bool          `json:"noNewPrivileges,omitempty"`
	// Rlimits is process.rlimits.
	Rlimits []specs.POSIXRlimit `json:"rlimits,omitempty"`
}

// Capabilities is process.capabilities: each set as capability names
// ("CAP_DAC_OVERRIDE"). An empty set is absent from config.json (as the
// runtime-spec types write it), which every runtime takes as empty.
type Capabilities struct {
	Bounding    []string `json:"bounding,omitempty"`
	Effective   []string `json:"effective,omitempty"`
	Inheritable []string `json:"inheritable,omitempty"`
	Permitted   []string `json:"permitted,omitempty"`
	Ambient     []string `json:"ambient,omitempty"`
}

// Seccomp names the seccomp filter of a case (config.go:seccompProfile
// writes it). The faccessat2-* filters have the default action
// SCMP_ACT_ALLOW and answer faccessat2 (x86_64 syscall 439) with
// SCMP_ACT_ERRNO and errnoRet ENOSYS (38), as on a kernel before 5.8 or
// under an old libseccomp profile, or EPERM (1), as under Docker-style
// profiles that refuse unknown syscalls.
//
// The errno-* filters are allowlists, as Docker's default profile is: the
// default action SCMP_ACT_ERRNO (with defaultErrnoRet when the name says
// enosys, eperm or eacces) and one SCMP_ACT_ALLOW rule naming every x86_64
// syscall older than faccessat2 ("allow-old"), or every one but faccessat2
// ("allow-all"), so that runc init and busybox run and only faccessat2
// (and, for allow-old, later syscalls) meets the default action. A
// "-faccessat2-…" suffix adds an explicit SCMP_ACT_ERRNO rule for
// faccessat2, with errnoRet 13 (eacces) or none (errno).
type Seccomp string

// The seccomp filters.
const (
	SeccompNone             Seccomp = "none"
	SeccompFaccessat2ENOSYS Seccomp = "faccessat2-enosys"
	SeccompFaccessat2EPERM  Seccomp = "faccessat2-eperm"

	SeccompErrnoAllowOld                 Seccomp = "errno-allow-old"
	SeccompErrnoENOSYSAllowOld           Seccomp = "errno-enosys-allow-old"
	SeccompErrnoENOSYSAllowAll           Seccomp = "errno-enosys-allow-all"
	SeccompErrnoEPERMAllowAll            Seccomp = "errno-eperm-allow-all"
	SeccompErrnoEACCESAllowAll           Seccomp = "errno-eacces-allow-all"
	SeccompErrnoAllowOldFaccessat2EACCES Seccomp = "errno-allow-old-faccessat2-eacces"
	SeccompErrnoAllowOldFaccessat2Errno  Seccomp = "errno-allow-old-faccessat2-errno"
)

// A Mount is an extra OCI mount.
type Mount struct {
	// Destination is the absolute path in the container.
	Destination string `json:"destination"`
	// Type is "bind" or "tmpfs".
	Type string `json:"type"`
	// Source is, for a bind mount, the host directory to bind, as fixture
	// text whose "/" is the directory itself; the harness materialises it
	// next to the bundle's rootfs. Unused for tmpfs.
	Source Fixture `json:"source,omitempty"`
	// Options are the OCI mount options: for bind, e.g. "ro", "noexec",
	// "nosuid" ("bind" or "rbind" is added when absent); for tmpfs, e.g.
	// "mode=0700", "uid=1000", "noexec".
	Options []string `json:"options,omitempty"`
}

// UserNS is a user namespace's mappings, as linux.uidMappings and
// linux.gidMappings.
type UserNS struct {
	UIDMappings []IDMap `json:"uidMappings"`
	GIDMappings []IDMap `json:"gidMappings"`
}

// IDMap maps Size ids from ContainerID inside to HostID outside.
type IDMap struct {
	ContainerID uint32 `json:"containerID"`
	HostID      uint32 `json:"hostID"`
	Size        uint32 `json:"size"`
}

// Fixture is fixture text. In JSON it is an array of its lines, so that a
// golden file shows one inode per line; a JSON string is accepted too.
type Fixture string

// MarshalJSON writes f as an array of its non-empty lines.
func (f Fixture) MarshalJSON() ([]byte, error) {
	lines := []string{}
	for _, l := range strings.Split(string(f), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return json.Marshal(lines)
}

// UnmarshalJSON reads an array of lines or a string.
func (f *Fixture) UnmarshalJSON(b []byte) error {
	var lines []string
	if err := json.Unmarshal(b, &lines); err == nil {
		*f = Fixture(strings.Join(lines, "\n") + "\n")
		if len(lines) == 0 {
			*f = ""
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("fixture: want an array of lines or a string")
	}
	*f = Fixture(s)
	return nil
}

// Parse parses f; name prefixes errors.
func (f Fixture) Parse(name string) (*rootfs.Fixture, error) {
	return rootfs.ParseFixture(name, string(f))
}

// Validate checks that c can be materialised: a name and a rule, fixtures
// that parse (without mount lines), an absolute cwd, args, known seccomp
// and mount types, and capability names this module knows.
func (c *Case) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Name == "" {
		bad("name: empty")
	}
	if c.Rule == "" {
		bad("rule: empty")
	}
	if f, err := c.Rootfs.Parse("rootfs"); err != nil {
		bad("%v", err)
	} else {
		for _, e := range f.Entries {
			if e.Kind == rootfs.KindTmpfs || e.Kind == rootfs.KindBind {
				bad("rootfs:%d: mount lines are not allowed, use mounts", e.Line)
			}
		}
	}
	if !path.IsAbs(c.Process.Cwd) {
		bad("process.cwd: want an absolute path, got %q", c.Process.Cwd)
	}
	if _, gen := genProfile(c.Seccomp); !gen && seccompProfiles[c.Seccomp] == nil && c.Seccomp != SeccompNone {
		bad("seccomp: want none or a filter of seccompProfiles, got %q", c.Seccomp)
	}
	for _, n := range c.Bounding {
		if _, ok := caps.Parse(n); !ok || !strings.HasPrefix(n, "CAP_") {
			bad("bounding: want a capability as CAP_NAME, got %q", n)
		}
	}
	if len(c.Bounding) > 0 && c.Rootless {
		bad("bounding: not with rootless (dropping from the bounding set needs CAP_SETPCAP)")
	}
	if lc := c.Process.Capabilities; lc != nil {
		for _, set := range [][]string{lc.Bounding, lc.Effective, lc.Inheritable, lc.Permitted, lc.Ambient} {
			for _, n := range set {
				if _, ok := caps.Parse(n); !ok {
					bad("process.capabilities: unknown %q", n)
				}
			}
		}
	}
	for i, m := range c.Mounts {
		if !path.IsAbs(m.Destination) {
			bad("mounts[%d].destination: want an absolute path, got %q", i, m.Destination)
		}
		switch m.Type {
		case "bind":
			f, err := m.Source.Parse(fmt.Sprintf("mounts[%d].source", i))
			if err != nil {
				bad("%v", err)
				continue
			}
			for _, e := range f.Entries {
				if e.Kind == rootfs.KindTmpfs || e.Kind == rootfs.KindBind {
					bad("mounts[%d].source:%d: mount lines are not allowed", i, e.Line)
				}
			}
		case "tmpfs":
			if m.Source != "" {
				bad("mounts[%d].source: a tmpfs has no source", i)
			}
		default:
			bad("mounts[%d].type: want bind or tmpfs, got %q", i, m.Type)
		}
	}
	if c.UserNS != nil && (len(c.UserNS.UIDMappings) == 0 || len(c.UserNS.GIDMappings) == 0) {
		bad("userns: want uid and gid mappings")
	}
	if c.Rootless {
		if c.UserNS == nil {
			bad("rootless: want a user namespace")
		} else {
			for _, err := range []error{rootlessMappings("uidMappings", c.UserNS.UIDMappings), rootlessMappings("gidMappings", c.UserNS.GIDMappings)} {
				if err != nil {
					bad("rootless: %v", err)
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("case %s: %w", c.Name, err)
	}
	return nil
}

// rootlessMappings checks the mappings of a Rootless case: the first maps
// container id 0 to RootlessUID, size 1; the others map container ids
// above the ones before to host ids inside the subordinate range, without
// overlapping each other.
func rootlessMappings(what string, ms []IDMap) error {
	own := IDMap{ContainerID: 0, HostID: RootlessUID, Size: 1}
	if len(ms) == 0 || ms[0] != own {
		return fmt.Errorf("%s: want the first mapping 0 to %d, size 1", what, RootlessUID)
	}
	next := uint64(1)
	var hosts [][2]uint64
	for _, m := range ms[1:] {
		lo, hi := uint64(m.HostID), uint64(m.HostID)+uint64(m.Size)
		switch {
		case m.Size == 0:
			return fmt.Errorf("%s: a mapping of size 0", what)
		case uint64(m.ContainerID) < next:
			return fmt.Errorf("%s: container id %d: want ascending container ids above %d", what, m.ContainerID, next-1)
		case lo < SubordinateID || hi > SubordinateID+SubordinateCount:
			return fmt.Errorf("%s: host ids %d..%d: want them inside the subordinate range %d..%d", what, lo, hi-1, SubordinateID, SubordinateID+SubordinateCount-1)
		}
		for _, h := range hosts {
			if lo < h[1] && h[0] < hi {
				return fmt.Errorf("%s: host ids %d..%d overlap another mapping", what, lo, hi-1)
			}
		}
		hosts = append(hosts, [2]uint64{lo, hi})
		next = uint64(m.ContainerID) + uint64(m.Size)
	}
	return nil
}

// Subordinate reports whether c is a Rootless case that maps ids besides
// RootlessUID, through the subordinate range (newuidmap, newgidmap).
func (c *Case) Subordinate() bool {
	return c.Rootless && c.UserNS != nil && (len(c.UserNS.UIDMappings) > 1 || len(c.UserNS.GIDMappings) > 1)
}

// Class is the kind of an outcome.
type Class string

// The outcome classes.
const (
	// Started: the entrypoint ran and printed Marker (or the probe ELF
	// exited with rootfs.ProbeExitRan).
	Started Class = "started"
	// CreateError: the runtime refused before execve, with its own error
	// (runc: the msg of its final level=error log line; crun: its stderr
	// line).
	CreateError Class = "create-error"
	// ExecError: execve itself failed after the runtime's checks passed;
	// the message is the line runc init or crun's container process
	// printed.
	ExecError Class = "exec-error"
	// PostExecError: execve succeeded but the program it started — the
	// #! interpreter — failed before the entrypoint printed Marker; the
	// message is the interpreter's.
	PostExecError Class = "post-exec-error"
	// HarnessError: the harness could not tell (timeout, bundle error,
	// output no rule classifies). Never a runtime's result.
	HarnessError Class = "harness-error"
)

// An Outcome is what one runtime did with one case, as its user sees it.
type Outcome struct {
	Class Class `json:"class"`
	// Started is true only for Class Started.
	Started bool `json:"started"`
	// Message is the runtime's (or interpreter's) error, byte-exact after
	// unquoting runc's logrus value; empty when started.
	Message string `json:"message,omitempty"`
	// ExitStatus is the runtime command's exit status.
	ExitStatus int `json:"exitStatus"`
	// Output is the raw stdout and stderr, kept only for harness errors.
	Output string `json:"output,omitempty"`
}

// Phase is when the runtime failed, read off what it printed: an error
// `runc run` logged itself (logrus level=error) or crun printed before its
// container process ran is the create's; a line runc init or crun's
// container process printed bare after the start — its execve error, runc
// ≤ 1.0.x's "init seccomp caused" under noNewPrivileges — and an
// interpreter's are after the start, the container's own output. "" when
// it started.
func (o Outcome) Phase() preexec.Phase {
	switch {
	case o.Started || o.Class == HarnessError:
		return ""
	case o.Class == ExecError || o.Class == PostExecError:
		return preexec.PhaseAfterStart
	case runcOldInitErr.MatchString(o.Message):
		return preexec.PhaseAfterStart
	}
	return preexec.PhaseCreate
}

// String is a one-line form for logs and diffs.
func (o Outcome) String() string {
	s := fmt.Sprintf("%s (exit %d)", o.Class, o.ExitStatus)
	if o.Message != "" {
		s += ": " + o.Message
	}
	return s
}
