package enginetest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// A Case is one image and one set of engine flags: the image is built from
// Rootfs (fixture text) with the config Image, and a container is created
// from it with Flags. Every field is data, never host state, so that the
// model (spec.FromImage) can be judged on the same case from its golden.
type Case struct {
	// Name is unique, snake_case, and names the rule (curated) or the seed
	// and index (random: "random_s1_0042").
	Name string `json:"name"`
	// Rule says why the case exists (curated), citing the engine code or
	// issue it pins; random cases say which dimensions they drew.
	Rule string `json:"rule,omitempty"`
	// Rootfs is the image's single layer as fixture text
	// (rootfs.ParseFixture), without mount lines.
	Rootfs string `json:"rootfs"`
	// Image is the image's config.
	Image ImageConfig `json:"image"`
	// Flags are Docker-style create flags, spec.ParseOverrides' input:
	// --user U, --group-add G, --workdir W, --entrypoint E, --cap-add C,
	// --cap-drop C, --security-opt no-new-privileges,
	// --security-opt seccomp=unconfined, --read-only, --tmpfs DST[:OPTS],
	// -v SRC:DST[:ro], --userns MODE, -e K=V, then "--" and the command.
	Flags []string `json:"flags,omitempty"`
	// SeccompProfile is the content of the file a flag
	// "--security-opt seccomp=$PROFILE" names: the harness writes it to a
	// file of its own and puts that file's path in the flag (and $PROFILE
	// back in what the engine prints); nil with such a flag: the file is
	// missing. Docker and podman only: ctr and the CRI cases skip it.
	SeccompProfile *string `json:"seccompProfile,omitempty"`
}

// ProfilePath stands for the seccomp profile's path in a case's flags and
// in what the engines print.
const ProfilePath = "$PROFILE"

// usesProfile reports whether c names a seccomp profile file.
func (c *Case) usesProfile() bool {
	return slices.Contains(c.Flags, "seccomp="+ProfilePath)
}

// ProjectCase is Project, and for a case that names a seccomp profile file
// also linux.seccomp as the engine wrote it (for the others the engines'
// default profiles, which the model does not hold, are left out), and
// for a container with a user namespace of its own that namespace and
// linux.uidMappings and gidMappings.
func ProjectCase(c *Case, s *specs.Spec) *specs.Spec {
	out := Project(s)
	if out != nil && c.usesProfile() && s.Linux != nil && s.Linux.Seccomp != nil {
		out.Linux = &specs.Linux{Seccomp: s.Linux.Seccomp}
	}
	// A user namespace of the container's own (podman's --userns
	// keep-id, nomap): the namespace and its mappings.
	if out != nil && s.Linux != nil {
		for _, ns := range s.Linux.Namespaces {
			if ns.Type != specs.UserNamespace {
				continue
			}
			if out.Linux == nil {
				out.Linux = &specs.Linux{}
			}
			out.Linux.Namespaces = []specs.LinuxNamespace{ns}
			out.Linux.UIDMappings, out.Linux.GIDMappings = s.Linux.UIDMappings, s.Linux.GIDMappings
		}
	}
	return out
}

// ImageConfig is the part of an image config an engine turns into the
// process: the Dockerfile's USER, WORKDIR, ENTRYPOINT, CMD and ENV.
type ImageConfig = spec.ImageConfig

var caseName = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)

// Check reports what is wrong with c: a name that is not snake_case, a
// rootfs that does not parse or has mount lines, flags the engines' parser
// would not see as this package writes them.
func (c *Case) Check() error {
	if !caseName.MatchString(c.Name) {
		return fmt.Errorf("case %q: name must be snake_case", c.Name)
	}
	f, err := rootfs.ParseFixture(c.Name, c.Rootfs)
	if err != nil {
		return err
	}
	for _, e := range f.Entries {
		if e.Kind == rootfs.KindTmpfs || e.Kind == rootfs.KindBind {
			return fmt.Errorf("case %s: rootfs line %d: an image has no mounts", c.Name, e.Line)
		}
	}
	_, _, err = splitFlags(c.Flags)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.Name, err)
	}
	return nil
}

// A flag is one parsed create flag: Name is the Docker spelling
// ("--user"), Value its argument ("" for --read-only).
type flag struct {
	Name, Value string
}

// valued are the flags that take a value, in the Docker spelling.
var valued = map[string]bool{
	"--user": true, "--group-add": true, "--workdir": true, "--entrypoint": true,
	"--cap-add": true, "--cap-drop": true, "--security-opt": true, "--tmpfs": true,
	"-v": true, "--userns": true, "-e": true,
}

// splitFlags splits a case's flags into the flags (in order) and the
// command after "--".
func splitFlags(args []string) ([]flag, []string, error) {
	var out []flag
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return out, args[i+1:], nil
		case a == "--read-only" || a == "--privileged":
			out = append(out, flag{Name: a})
		case valued[a]:
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("flag %s: want a value", a)
			}
			out = append(out, flag{Name: a, Value: args[i+1]})
			i++
		default:
			if k, v, ok := strings.Cut(a, "="); ok && valued[k] && strings.HasPrefix(k, "--") {
				out = append(out, flag{Name: k, Value: v})
				continue
			}
			return nil, nil, fmt.Errorf("flag %q: not one the engine oracle maps", a)
		}
	}
	return out, nil, nil
}
