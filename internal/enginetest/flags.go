package enginetest

import (
	"fmt"
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
// --seccomp --seccomp-profile for seccomp=PATH (seccomp=unconfined and
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
			if f.Name != "--read-only" {
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
			case "--read-only":
				args = append(args, "--read-only")
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
	}
	return nil, "", fmt.Errorf("unknown engine %q", engine)
}
