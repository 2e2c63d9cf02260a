package enginetest

import (
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/internal/golden"
)

// Engine names, as spec.LookupEngine knows them.
const (
	Docker     = "docker@20.10.24"
	Podman     = "podman@4.3.1"
	Containerd = "containerd@1.6.20"
	// ContainerdCRI is the same containerd's CRI plugin, driven as the
	// kubelet drives it (CRIArgs).
	ContainerdCRI = "containerd-cri@1.6.20"
)

// EngineNames lists the engines the oracle drives, in golden order.
var EngineNames = []string{Docker, Podman, Containerd, ContainerdCRI}

// enginePackages is the number of engine packages behind EngineNames
// (docker.io, podman, containerd: the CRI plugin is containerd's), one
// EngineInfo each in the goldens' header.
const enginePackages = 3

// An Outcome is what one engine did with one case: exactly one of Spec,
// Error and Skip is set.
type Outcome struct {
	// Spec is the projection (Project) of the spec the engine handed the
	// runtime, its host paths and container ids normalised (see doc.go).
	Spec *specs.Spec `json:"spec,omitempty"`
	// Error is the engine's exact error text (its stderr, host paths
	// normalised) when it refused to create the container or to write its
	// spec.
	Error string `json:"error,omitempty"`
	// Skip says why the engine was not asked: a flag of the case it has no
	// form for (ctr 1.6 has no --user).
	Skip string `json:"skip,omitempty"`
}

// A Golden is one case and what each engine did with it.
type Golden struct {
	Case Case `json:"case"`
	// Outcomes maps an engine name (Docker, Podman, Containerd) to its
	// outcome.
	Outcomes map[string]Outcome `json:"outcomes"`
}

// EngineInfo says which engine binary produced outcomes.
type EngineInfo struct {
	Name string `json:"name"`
	// Package is the Debian package and its version
	// ("docker.io 20.10.24+dfsg1-1+deb12u1+b6").
	Package string `json:"package"`
	// VersionOutput is what the daemon's --version printed.
	VersionOutput string `json:"version_output"`
}

// A Header says what produced the goldens.
type Header struct {
	// Kernel is `uname -r` of the recording machine.
	Kernel  string       `json:"kernel"`
	Engines []EngineInfo `json:"engines"`
}

// Goldens is the whole golden set of the spec oracle.
type Goldens struct {
	Header  Header
	Curated map[string]*Golden
	Random  map[string]*Golden
}

// All returns the curated and random goldens, sorted by case name.
func (g *Goldens) All() []*Golden {
	var out []*Golden
	for _, m := range []map[string]*Golden{g.Curated, g.Random} {
		for _, gc := range m {
			out = append(out, gc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Case.Name < out[j].Case.Name })
	return out
}

// FindGoldenDir returns testdata/engine of the module containing the
// working directory, found by walking up to go.mod.
func FindGoldenDir() (string, error) { return golden.Dir("engine") }

// LoadGoldens reads the golden set in dir (header.json, curated/*.json,
// random/*.json); a missing dir is an empty set.
func LoadGoldens(dir string) (*Goldens, error) {
	g := &Goldens{}
	var err error
	g.Curated, g.Random, err = golden.Load(dir, &g.Header, func(gc *Golden) string { return gc.Case.Name }, func(gc *Golden) {
		if gc.Outcomes == nil {
			gc.Outcomes = map[string]Outcome{}
		}
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Marshal returns the canonical bytes of v: golden.Marshal's two-space
// indented JSON, HTML characters not escaped, a final newline.
func Marshal(v any) ([]byte, error) { return golden.Marshal(v) }

// Project returns the part of s the goldens hold, the part that decides
// the pre-exec checks: process.user (uid, gid, umask, additionalGids),
// process.cwd, args, env, every capability set and noNewPrivileges;
// root.readonly (a root only when read-only, without its path); and each
// mount's destination, type, source and options. Everything else (rlimits,
// namespaces, cgroups, seccomp's rules, hostname) is left out.
//
// podman 4.3 writes env and its own bind mounts in Go map order, different
// on every create, so Project puts both in a canonical order: env sorted,
// mounts sorted by destination, stably (a parent directory's mount still
// comes before the mounts below it, and two mounts on one destination keep
// their order). s is not modified.
func Project(s *specs.Spec) *specs.Spec {
	if s == nil {
		return nil
	}
	out := &specs.Spec{}
	if p := s.Process; p != nil {
		out.Process = &specs.Process{
			User: specs.User{
				UID: p.User.UID, GID: p.User.GID, Umask: p.User.Umask,
				AdditionalGids: p.User.AdditionalGids,
			},
			Cwd: p.Cwd, Args: p.Args, Env: slices.Clone(p.Env),
			Capabilities:    p.Capabilities,
			NoNewPrivileges: p.NoNewPrivileges,
		}
	}
	if s.Root != nil && s.Root.Readonly {
		out.Root = &specs.Root{Readonly: true}
	}
	for _, m := range s.Mounts {
		out.Mounts = append(out.Mounts, specs.Mount{
			Destination: m.Destination, Type: m.Type, Source: m.Source, Options: m.Options,
		})
	}
	if out.Process != nil {
		slices.Sort(out.Process.Env)
	}
	slices.SortStableFunc(out.Mounts, func(a, b specs.Mount) int { return strings.Compare(a.Destination, b.Destination) })
	return out
}

// Canonical returns o in the form two outcomes of case c on engine are
// compared in: with two or more --group-add flags, Docker and podman
// collect the groups in a map (libcontainer/user.GetAdditionalGroups) and
// write additionalGids in random order, so they are sorted (the kernel
// keeps supplementary groups as a sorted set anyway, groups_sort). o is
// not modified.
func Canonical(c *Case, engine string, o Outcome) Outcome {
	if o.Spec == nil || o.Spec.Process == nil || engine == Containerd {
		return o
	}
	n := 0
	for _, f := range c.Flags {
		if f == "--group-add" {
			n++
		}
	}
	if n < 2 {
		return o
	}
	s := *o.Spec
	p := *s.Process
	p.User.AdditionalGids = slices.Sorted(slices.Values(p.User.AdditionalGids))
	s.Process = &p
	o.Spec = &s
	return o
}
