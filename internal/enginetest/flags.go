package enginetest

import (
	"fmt"
	"strconv"
	"strings"
)

// HostSource is the host directory the cases' -v flags bind: the oracle
// creates it, so that every engine finds it.
const HostSource = "/tmp/preexec-enginetest-src"

// EngineArgs returns the arguments of engine's create command for case c,
// after the harness's own ("create --runtime capture --network none --name
// NAME" for docker and podman, "containers create" for ctr): the case's
// flags in the engine's spelling, the image, and the command. When the
// engine has no form for a flag, skip says which and why.
//
// Docker and podman take the Docker spelling as it is. ctr 1.6.20
// (`ctr containers create --help`) has --cwd for --workdir, --env for -e,
// --cap-add and --cap-drop with CAP_-prefixed names, --read-only, --mount
// for --tmpfs (type=tmpfs) and -v (type=bind, options rbind and ro or rw),
// --seccomp --seccomp-profile for seccomp=PATH, --privileged
// (seccomp=unconfined and
// no-new-privileges are its defaults: no filter, and noNewPrivileges
// unless --allow-new-privs), and takes the container id after the image
// and then the whole process args; it has no --user, --group-add or
// --userns option, and its positional args replace the image's
// entrypoint and cmd together, so --entrypoint, and a command on an image
// with an entrypoint, have no ctr form.
func EngineArgs(engine string, c *Case) (args []string, skip string, err error) {
	flags, command, err := splitFlags(c.Flags)
	if err != nil {
		return nil, "", err
	}
	image := ImageRef(c)
	switch engine {
	case Docker, Podman:
		for _, f := range flags {
			args = append(args, f.Name)
			if f.Name != "--read-only" && f.Name != "--privileged" {
				args = append(args, f.Value)
			}
		}
		args = append(args, image)
		return append(args, command...), "", nil
	case Containerd:
		for _, f := range flags {
			switch f.Name {
			case "--workdir":
				args = append(args, "--cwd", f.Value)
			case "-e":
				args = append(args, "--env", f.Value)
			case "--cap-add", "--cap-drop":
				v := strings.ToUpper(f.Value)
				if v != "ALL" && !strings.HasPrefix(v, "CAP_") {
					v = "CAP_" + v
				}
				args = append(args, f.Name, v)
			case "--read-only", "--privileged":
				args = append(args, f.Name)
			case "--tmpfs":
				dst, opts, _ := strings.Cut(f.Value, ":")
				m := "type=tmpfs,src=tmpfs,dst=" + dst
				if opts != "" {
					m += ",options=" + strings.ReplaceAll(opts, ",", ":")
				}
				args = append(args, "--mount", m)
			case "-v":
				parts := strings.Split(f.Value, ":")
				if len(parts) < 2 || len(parts) > 3 {
					return nil, "", fmt.Errorf("-v %s: want SRC:DST[:ro]", f.Value)
				}
				opt := "rbind:rw"
				if len(parts) == 3 {
					if parts[2] != "ro" && parts[2] != "rw" {
						return nil, "ctr: -v option " + parts[2] + " has no --mount form", nil
					}
					opt = "rbind:" + parts[2]
				}
				args = append(args, "--mount", "type=bind,src="+parts[0]+",dst="+parts[1]+",options="+opt)
			case "--security-opt":
				switch {
				case f.Value == "seccomp=unconfined":
					// ctr's default: no seccomp filter.
				case f.Value == "seccomp="+ProfilePath:
					return nil, "a seccomp profile file is held for docker and podman only", nil
				case f.Value == "no-new-privileges":
					// ctr's default: noNewPrivileges unless --allow-new-privs.
				case strings.HasPrefix(f.Value, "seccomp="):
					args = append(args, "--seccomp", "--seccomp-profile", strings.TrimPrefix(f.Value, "seccomp="))
				default:
					return nil, "ctr 1.6.20 has no option for --security-opt " + f.Value, nil
				}
			default:
				return nil, "ctr 1.6.20 has no option for " + f.Name, nil
			}
		}
		if len(command) > 0 && len(c.Image.Entrypoint) > 0 {
			return nil, "ctr 1.6.20's command replaces the image's entrypoint too; Docker's command after an entrypoint has no ctr form", nil
		}
		args = append(args, image, ContainerName(c))
		return append(args, command...), "", nil
	case ContainerdCRI:
		return nil, "", fmt.Errorf("%s has no command line: the harness drives it over gRPC (CRIArgs)", engine)
	}
	return nil, "", fmt.Errorf("unknown engine %q", engine)
}

// A CRIConfig is what the oracle sends containerd's CRI plugin for a case:
// the fields of a CRI ContainerConfig (k8s.io/cri-api runtime/v1) that the
// kubelet fills from a Kubernetes container asking for what the case's
// flags ask of Docker. The user is not here: the kubelet takes it from
// runAsUser, else from the runtime's ImageStatus (the harness asks the
// real containerd, see Harness.createCRI).
type CRIConfig struct {
	Command, Args []string
	WorkingDir    string
	// Envs are KEY=VALUE pairs, sent as CRI KeyValues.
	Envs []string
	// RunAsUser and RunAsGroup are a numeric --user uid[:gid].
	RunAsUser, RunAsGroup *int64
	SupplementalGroups    []int64
	AddCapabilities       []string
	DropCapabilities      []string
	// NoNewPrivs is allowPrivilegeEscalation: false.
	NoNewPrivs     bool
	ReadonlyRootfs bool
	// SeccompLocalhost is a profile's path for seccomp=PATH; otherwise the
	// profile is Unconfined, the kubelet's default without a
	// seccompProfile (SeccompDefault off).
	SeccompLocalhost string
	// Privileged is securityContext.privileged, a case's --privileged;
	// the kubelet then makes the pod's sandbox privileged too (the
	// harness creates such a container in a privileged sandbox of its
	// own). TestCRIPrivileged sets it with capabilities the flags cannot
	// express.
	Privileged bool
}

// CRIArgs maps c's flags to the CRIConfig of the Kubernetes container that
// asks for the same, as spec's kubeFromFlags reads them for the CRI
// engines: a numeric --user uid[:gid] is runAsUser and runAsGroup,
// numeric --group-add are supplementalGroups, --workdir is workingDir,
// --entrypoint is command and the command is args, --cap-add/--cap-drop
// are capabilities add/drop as written, no-new-privileges is
// allowPrivilegeEscalation: false (with --privileged too, a skip: the API
// server refuses it), --privileged is privileged, --read-only is
// readOnlyRootFilesystem, -e KEY=VALUE is env. Kubernetes names users
// and groups by number, takes
// mounts from the pod's volumes, user namespaces from the pod, and gives
// every env entry a value: a case with a user or group name, -v, --tmpfs,
// --userns or -e KEY is skipped with the reason.
func CRIArgs(c *Case) (cfg CRIConfig, skip string, err error) {
	flags, command, err := splitFlags(c.Flags)
	if err != nil {
		return CRIConfig{}, "", err
	}
	num := func(what, s string) (*int64, string) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "a Kubernetes container names its " + what + " by number, not " + strconv.Quote(s)
		}
		return &n, ""
	}
	cfg.Args = command
	for _, f := range flags {
		switch f.Name {
		case "--user":
			// The last --user wins, group and all.
			u, g, hasG := strings.Cut(f.Value, ":")
			cfg.RunAsGroup = nil
			if cfg.RunAsUser, skip = num("user (runAsUser)", u); skip != "" {
				return CRIConfig{}, skip, nil
			}
			if hasG {
				if cfg.RunAsGroup, skip = num("group (runAsGroup)", g); skip != "" {
					return CRIConfig{}, skip, nil
				}
			}
		case "--group-add":
			g, skip := num("supplementalGroups", f.Value)
			if skip != "" {
				return CRIConfig{}, skip, nil
			}
			cfg.SupplementalGroups = append(cfg.SupplementalGroups, *g)
		case "--workdir":
			cfg.WorkingDir = f.Value
		case "--entrypoint":
			cfg.Command = []string{f.Value}
		case "--cap-add":
			cfg.AddCapabilities = append(cfg.AddCapabilities, f.Value)
		case "--cap-drop":
			cfg.DropCapabilities = append(cfg.DropCapabilities, f.Value)
		case "--read-only":
			cfg.ReadonlyRootfs = true
		case "--privileged":
			cfg.Privileged = true
		case "-e":
			if !strings.Contains(f.Value, "=") {
				return CRIConfig{}, "a Kubernetes env entry has a value; -e " + f.Value + " takes the client's", nil
			}
			cfg.Envs = append(cfg.Envs, f.Value)
		case "--security-opt":
			switch {
			case f.Value == "no-new-privileges":
				cfg.NoNewPrivs = true
			case f.Value == "seccomp=unconfined":
			case f.Value == "seccomp="+ProfilePath:
				return CRIConfig{}, "a seccomp profile file is held for docker and podman only", nil
			case strings.HasPrefix(f.Value, "seccomp="):
				cfg.SeccompLocalhost = strings.TrimPrefix(f.Value, "seccomp=")
			default:
				return CRIConfig{}, "Kubernetes has no securityContext field for --security-opt " + f.Value, nil
			}
		default:
			// -v, --tmpfs, --userns.
			return CRIConfig{}, "a Kubernetes container has no form for " + f.Name + " (mounts are the pod's volumes, user namespaces the pod's)", nil
		}
	}
	if cfg.Privileged && cfg.NoNewPrivs {
		return CRIConfig{}, "Kubernetes refuses privileged with allowPrivilegeEscalation false (the API server's validation; the CRI alone takes both)", nil
	}
	return cfg, "", nil
}

// ImageRef is the tag of a case's image.
func ImageRef(c *Case) string {
	return "preexec.test/case/" + strings.ReplaceAll(c.Name, "_", "-") + ":latest"
}

// ContainerName is the name of a case's container, the same in every
// engine.
func ContainerName(c *Case) string { return "preexec-" + strings.ReplaceAll(c.Name, "_", "-") }
