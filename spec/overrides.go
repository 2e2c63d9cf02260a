package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// Overrides are the settings a user adds to an image when creating a
// container: docker and podman run flags (ParseOverrides) or a Kubernetes
// container (ParsePod). Fields hold what was given, unnormalised: each
// engine reads them its own way in FromImage.
type Overrides struct {
	// User is --user (-u), "" when not given.
	User string
	// GroupAdd is --group-add, in order.
	GroupAdd []string
	// Workdir is --workdir (-w), "" when not given.
	Workdir string
	// Entrypoint is --entrypoint, nil when not given. Docker takes the
	// string as one program name; podman first tries it as a JSON array.
	Entrypoint *string
	// Cmd is the command after the flags (after "--", or from the first
	// argument that is not a flag); nil when none.
	Cmd []string
	// CapAdd and CapDrop are --cap-add and --cap-drop as spelled.
	CapAdd, CapDrop []string
	// NoNewPrivileges is --security-opt no-new-privileges, alone or with
	// a value strconv.ParseBool reads (no-new-privileges=1, =false).
	NoNewPrivileges bool
	// SecurityOpt is every --security-opt, as given: each engine refuses
	// what it does not read, in its own words (see securityOptRefusal).
	SecurityOpt []string
	// Seccomp is --security-opt seccomp=VALUE: "unconfined", a profile
	// path, or "" for the engine's default profile.
	Seccomp string
	// SeccompFile is the profile Seccomp names, as the caller read it
	// (load does, with its limits); nil when none was read, and then the
	// profile is not modelled.
	SeccompFile *SeccompFile `json:"-"`
	// ReadOnly is --read-only.
	ReadOnly bool
	// Privileged is --privileged: each engine's privileged container
	// (capabilities, seccomp; see fromDocker, fromPodman, fromCtr), and
	// securityContext.privileged for the CRI engines.
	Privileged bool
	// Tmpfs is --tmpfs, in order.
	Tmpfs []Tmpfs
	// Volumes is -v/--volume, in order.
	Volumes []Volume
	// Userns is --userns, "" when not given.
	Userns string
	// Env is --env/-e, in order, as given ("K=V", or "K" to take the
	// caller's value or unset it).
	Env []string
	// Kube is the Kubernetes container ParsePod read, nil for flags. The
	// CRI engines need it (FromImage derives one from the flags when it
	// is nil); the others refuse it.
	Kube *KubeContainer
}

// Tmpfs is one --tmpfs DST[:OPTIONS].
type Tmpfs struct {
	// Destination is DST as given.
	Destination string
	// Options is OPTIONS as given, "" when absent. Docker splits the
	// flag at the first ':', podman takes the part between the first and
	// second (moby opts.ParseTmpfs vs podman getTmpfsMounts).
	Options string
}

// Volume is one -v SRC:DST[:OPTIONS], or -v DST for an anonymous volume.
type Volume struct {
	// Source is SRC: a host path, a volume name, or "" for an anonymous
	// volume.
	Source string
	// Destination is DST.
	Destination string
	// Options are OPTIONS split on ','.
	Options []string
}

// ReadOnly reports whether the volume is mounted read-only ("ro" among its
// options).
func (v Volume) ReadOnly() bool {
	for _, o := range v.Options {
		if o == "ro" {
			return true
		}
	}
	return false
}

// A FlagError is an argument ParseOverrides cannot read. Msg is worded as
// the docker CLI's flag parser (spf13/pflag) words it.
type FlagError struct {
	// Index is the position of the argument in the slice.
	Index int
	// Msg says what is wrong.
	Msg string
}

// Error returns "argument INDEX: MSG".
func (e *FlagError) Error() string { return fmt.Sprintf("argument %d: %s", e.Index, e.Msg) }

// flagSpec is one flag ParseOverrides knows.
type flagSpec struct {
	long, short string
	value       bool
	set         func(o *Overrides, v string) error
}

// An OverrideFlag is one engine flag ParseOverrides reads, as a command
// line that passes engine flags through (preexec's check and explain)
// must declare it.
type OverrideFlag struct {
	// Long is the flag's name without dashes: "user" for --user.
	Long string
	// Short is its one-letter form ("u" for -u), or "".
	Short string
	// Value reports whether the flag takes a value; a flag without one
	// (--read-only) is a boolean.
	Value bool
}

// OverrideFlags returns the engine flags ParseOverrides reads, in the
// order it documents them.
func OverrideFlags() []OverrideFlag {
	out := make([]OverrideFlag, len(overrideFlags))
	for i, f := range overrideFlags {
		out[i] = OverrideFlag{Long: f.long, Short: f.short, Value: f.value}
	}
	return out
}

var overrideFlags = []flagSpec{
	{"user", "u", true, func(o *Overrides, v string) error { o.User = v; return nil }},
	{"group-add", "", true, func(o *Overrides, v string) error { o.GroupAdd = append(o.GroupAdd, v); return nil }},
	{"workdir", "w", true, func(o *Overrides, v string) error { o.Workdir = v; return nil }},
	{"entrypoint", "", true, func(o *Overrides, v string) error { o.Entrypoint = &v; return nil }},
	{"cap-add", "", true, func(o *Overrides, v string) error { o.CapAdd = append(o.CapAdd, v); return nil }},
	{"cap-drop", "", true, func(o *Overrides, v string) error { o.CapDrop = append(o.CapDrop, v); return nil }},
	{"security-opt", "", true, setSecurityOpt},
	{"read-only", "", false, func(o *Overrides, v string) error { o.ReadOnly = v != "false"; return nil }},
	{"privileged", "", false, func(o *Overrides, v string) error { o.Privileged = v != "false"; return nil }},
	{"tmpfs", "", true, setTmpfs},
	{"volume", "v", true, setVolume},
	{"userns", "", true, func(o *Overrides, v string) error { o.Userns = v; return nil }},
	{"env", "e", true, func(o *Overrides, v string) error { o.Env = append(o.Env, v); return nil }},
}

// setSecurityOpt reads --security-opt as the docker CLI's
// parseSecurityOpts does (cli/command/container/opts.go@v20.10.24): KEY=VALUE
// or KEY:VALUE, or no-new-privileges alone; anything else is refused
// here. no-new-privileges takes a value strconv.ParseBool reads;
// seccomp's value is "unconfined" or a profile path. The engines read the
// keys themselves (securityOptRefusal): a value ParseBool does not read,
// and a key the engine does not know, are refused at create.
func setSecurityOpt(o *Overrides, v string) error {
	if v == "no-new-privileges" {
		o.NoNewPrivileges = true
		o.SecurityOpt = append(o.SecurityOpt, v)
		return nil
	}
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		k, val, ok = strings.Cut(v, ":")
	}
	if !ok {
		return fmt.Errorf("invalid --security-opt: %q", v)
	}
	switch k {
	case "no-new-privileges":
		if b, err := strconv.ParseBool(val); err == nil {
			o.NoNewPrivileges = b
		}
	case "seccomp":
		if val == "" {
			return fmt.Errorf("invalid --security-opt: %q", v)
		}
		o.Seccomp = val
	}
	o.SecurityOpt = append(o.SecurityOpt, v)
	return nil
}

// securityOptRefusal is what docker (moby
// daemon/daemon_unix.go:parseSecurityOpt@v20.10.24, at create) or podman
// (pkg/specgenutil/specgen.go:FillOutSpecGen@v4.3.1) says of the first
// --security-opt it does not take, "" when it takes them all. Both split
// at the first '=', else ':'; both read no-new-privileges' value with
// strconv.ParseBool and take label, apparmor and seccomp; podman also
// takes mask, proc-opts, unmask and systempaths=unconfined (another
// systempaths value in its own words; docker's CLI takes
// systempaths=unconfined itself, cli/command/container/opts.go
// parseSystemPaths@v20.10.24). Anything else is
// `invalid --security-opt 2: "KEY=VALUE"` in both (held by the engine
// oracle's flag_no_new_privileges_invalid and
// flag_security_opt_unknown_key).
func securityOptRefusal(family Family, opts []string) string {
	for _, opt := range opts {
		if opt == "no-new-privileges" {
			continue
		}
		k, v, ok := strings.Cut(opt, "=")
		if !ok {
			k, v, _ = strings.Cut(opt, ":")
		}
		bad := false
		switch k {
		case "label", "apparmor", "seccomp":
		case "no-new-privileges":
			_, err := strconv.ParseBool(v)
			bad = err != nil
		case "systempaths":
			if v != "unconfined" {
				if family == Podman {
					return fmt.Sprintf("invalid systempaths option %q, only `unconfined` is supported", v)
				}
				bad = true
			}
		case "mask", "proc-opts", "unmask":
			bad = family != Podman
		default:
			bad = true
		}
		if bad {
			return fmt.Sprintf("invalid --security-opt 2: %q", opt)
		}
	}
	return ""
}

func setTmpfs(o *Overrides, v string) error {
	dst, opts, _ := strings.Cut(v, ":")
	if !strings.HasPrefix(dst, "/") {
		return fmt.Errorf("invalid tmpfs %q: destination must be an absolute path", v)
	}
	o.Tmpfs = append(o.Tmpfs, Tmpfs{Destination: dst, Options: opts})
	return nil
}

func setVolume(o *Overrides, v string) error {
	parts := strings.Split(v, ":")
	var vol Volume
	switch len(parts) {
	case 1:
		vol.Destination = parts[0]
	case 2, 3:
		vol.Source, vol.Destination = parts[0], parts[1]
		if len(parts) == 3 && parts[2] != "" {
			vol.Options = strings.Split(parts[2], ",")
		}
	default:
		return fmt.Errorf("invalid volume specification: '%s'", v)
	}
	if !strings.HasPrefix(vol.Destination, "/") {
		return fmt.Errorf("invalid volume specification: '%s': destination must be an absolute path", v)
	}
	o.Volumes = append(o.Volumes, vol)
	return nil
}

// ParseOverrides reads docker/podman run flags, without the image name:
//
//	--user U  --group-add G  --workdir W  --entrypoint E  --cap-add C
//	--cap-drop C  --security-opt no-new-privileges
//	--security-opt seccomp=unconfined|PATH  --read-only  --privileged  --tmpfs DST[:OPTS]
//	-v SRC:DST[:OPTS]  --userns MODE  --env K=V  [--] COMMAND...
//
// Each flag takes its value as the next argument or after '='
// (--user=1000); -u, -w, -v and -e are the short forms, also as -u1000.
// As docker run does (flags not interspersed), the first argument that is
// not a flag, or everything after "--", is the command. A bare -e NAME is
// the caller's value, which the model does not have: where it could be
// PATH, the answer is unknown (the CRI engines refuse it). --security-opt
// keys other than no-new-privileges and seccomp are each engine's to take
// or refuse, in its words (Engine rows). Errors are
// *FlagError values worded as the docker CLI's: "unknown flag: --foo",
// "flag needs an argument: --user".
func ParseOverrides(args []string) (Overrides, error) {
	var o Overrides
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.Cmd = append([]string{}, args[i+1:]...)
			break
		}
		if a == "" || a[0] != '-' || a == "-" {
			o.Cmd = append([]string{}, args[i:]...)
			break
		}
		var f *flagSpec
		var val string
		hasVal := false
		if strings.HasPrefix(a, "--") {
			name, v, eq := strings.Cut(a[2:], "=")
			for j := range overrideFlags {
				if overrideFlags[j].long == name {
					f = &overrideFlags[j]
				}
			}
			if f == nil {
				return Overrides{}, &FlagError{i, "unknown flag: --" + name}
			}
			val, hasVal = v, eq
			if hasVal && !f.value {
				// spf13/pflag bool.go:boolValue.Set: strconv.ParseBool (1, t, TRUE,
				// …), the last occurrence winning.
				b, err := strconv.ParseBool(v)
				if err != nil {
					return Overrides{}, &FlagError{i, fmt.Sprintf("invalid argument %q for \"--%s\" flag: strconv.ParseBool: parsing %q: invalid syntax", v, name, v)}
				}
				val = strconv.FormatBool(b)
			}
		} else {
			short := a[1:2]
			for j := range overrideFlags {
				if overrideFlags[j].short == short {
					f = &overrideFlags[j]
				}
			}
			if f == nil {
				return Overrides{}, &FlagError{i, fmt.Sprintf("unknown shorthand flag: '%s' in %s", short, a)}
			}
			if len(a) > 2 {
				val, hasVal = strings.TrimPrefix(a[2:], "="), true
			}
		}
		if f.value && !hasVal {
			if i+1 >= len(args) {
				if strings.HasPrefix(a, "--") {
					return Overrides{}, &FlagError{i, "flag needs an argument: --" + f.long}
				}
				return Overrides{}, &FlagError{i, fmt.Sprintf("flag needs an argument: '%s' in -%s", f.short, f.short)}
			}
			i++
			val = args[i]
		}
		if err := f.set(&o, val); err != nil {
			return Overrides{}, &FlagError{i, err.Error()}
		}
	}
	return o, nil
}
