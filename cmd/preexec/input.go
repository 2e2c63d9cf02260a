package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/spec"
)

// inputOptions say how to read INPUT and, for an image or a manifest, how
// an engine makes the container's spec from it: the flags' load.Options
// (Flags are the engine flags, as spec.ParseOverrides takes them).
type inputOptions struct {
	load.Options
	// Exec is --exec: a process.json that `runc exec --process` joins to
	// the container INPUT describes ("" for none).
	Exec string
}

func (o *inputOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Engine, "engine", "", "")
	fs.StringVar(&o.Platform, "platform", "", "")
	fs.StringVar(&o.Config, "config", "", "")
	fs.StringVar(&o.PodFile, "pod", "", "")
	fs.StringVar(&o.Container, "container", "", "")
	fs.StringVar(&o.SCC, "scc", "", "")
	fs.BoolVar(&o.Confine, "confine", false, "")
	fs.Var(&o.Limits, "limit", "")
	fs.StringVar(&o.Exec, "exec", "", "")
	registerRootless(fs, &o.Rootless)
	// The engine flags are spec.ParseOverrides' own table; -x and --x
	// are the same to package flag.
	for _, f := range spec.OverrideFlags() {
		o.registerOverride(fs, f.Long, "--"+f.Long, f.Value)
		if f.Short != "" {
			o.registerOverride(fs, f.Short, "-"+f.Short, f.Value)
		}
	}
}

// registerOverride declares the engine flag name, which check and explain
// pass on to spec.ParseOverrides as arg (with its value, or alone when it
// takes none and is true).
func (o *inputOptions) registerOverride(fs *flag.FlagSet, name, arg string, value bool) {
	if value {
		fs.Func(name, "", func(v string) error { o.Flags = append(o.Flags, arg, v); return nil })
		return
	}
	fs.BoolFunc(name, "", func(v string) error {
		if v == "true" {
			o.Flags = append(o.Flags, arg)
		}
		return nil
	})
}

const inputUsage = `INPUT is what preexec reads, told apart by what it is:
  an OCI bundle     a directory with config.json and its root filesystem
  an image          an OCI image layout directory, an OCI archive tar, or a
                    docker-archive tar (docker save, podman save)
  a manifest        an mtree(5) manifest of a root filesystem (go-mtree,
                    mtree -c -K type,mode,uid,gid,link,size,xattr); it has
                    no file contents, so a check that reads them is unknown

For an image or a manifest an engine makes the container's spec:
  --engine NAME        docker@20.10.24 (default), podman@4.3.1,
                       containerd@1.6.20 (ctr), containerd-cri@1.6.20,
                       crio@1.34.0, or another version of a Docker row
  --platform OS/ARCH   the image of an index to take (default linux/host)
  --config FILE        a manifest's container: this config.json
  --pod FILE           a Kubernetes Pod (YAML); --container NAME picks one
  --scc restricted-v2  OpenShift's SCC admits the pod (CRI engines)
  --confine            read nothing outside INPUT (for inputs from strangers):
                       a bundle's root.path and bind sources must be in it,
                       an image takes no -v
  --exec PROCESS.json a process joined to the running container INPUT
                       describes, as runc exec --process PROCESS.json
                       (kubectl exec, docker exec) takes it: runc's setns
                       init, which creates no missing cwd; a process
                       without capabilities has the container's (crun exec
                       too). A bundle or a manifest with --config only
` + rootlessUsage + `  --limit NAME=VALUE   raise or lower a bound on what is read (repeatable):
                       file-size (64MiB), yaml-expansion (16MiB),
                       index-descriptors (10000), layers (128),
                       inflated-size (32GiB), mtree-size (256MiB),
                       mtree-lines (1048576), bind-sources (1024); sizes
                       take KiB, MiB or GiB; an error that reaches one
                       names it: (limit file-size)
  engine flags, as docker and podman take them: --user, --group-add,
  --workdir, --entrypoint, --cap-add, --cap-drop, --security-opt,
  --read-only, --privileged, --tmpfs, -v, --userns (podman: host,
  keep-id[:uid=N,gid=N], nomap; auto, ns: and container: are not
  modelled), -e; INPUT -- CMD ARGS... sets CMD.
With a bundle, --engine only renders the runtime's error the way that
engine prints it.
`

// An input is INPUT read (load.Container): the container's plan and root
// filesystem, the engine whose messages the user sees (nil: the
// runtime's own), the engine's refusal, and what the engine made the spec
// from (Source), for the fixes.
type input = load.Container

// loadInput reads path as a bundle, an image or a manifest; cmd is what
// followed `--` after it.
func loadInput(path string, o inputOptions, cmd []string, progress io.Writer, terminal bool) (*input, error) {
	lo := o.Options
	lo.Cmd, lo.Progress, lo.ProgressTerminal = cmd, progress, terminal
	return load.Open(path, &lo)
}

// prepare reads INPUT for check and explain. It returns nil and the exit
// status when there is nothing to evaluate: bad input (2, the reason on
// stderr) or the engine refusing the container (1, its words on stdout).
// The caller closes the input it returns.
// With an engine, host becomes `runc create`'s: engines create the
// container, then start it.
func prepare(path string, o inputOptions, cmd []string, host *preexec.Host, asJSON bool, stdout, stderr io.Writer) (*input, int) {
	o.HostBounding = host.Bounding
	in, err := loadInput(path, o, cmd, stderr, isTerminal(stderr))
	if errors.Is(err, access.ErrUnreadable) {
		printf(stderr, "preexec: no prediction: %s\n", preexec.UnreadableWhy(err))
		return nil, 2
	}
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return nil, 2
	}
	if in.Refusal != "" {
		var out bytes.Buffer
		writeRefusal(&out, in, asJSON)
		stdout.Write(out.Bytes())
		in.Close()
		return nil, 1
	}
	if in.Unknown != "" {
		var out bytes.Buffer
		writeEngineUnknown(&out, in, asJSON)
		stdout.Write(out.Bytes())
		in.Close()
		return nil, 3
	}
	*host = in.On(*host)
	if o.Exec != "" {
		if err := joinProcess(in, o.Exec, o.Limits); err != nil {
			printf(stderr, "preexec: %v\n", err)
			in.Close()
			return nil, 2
		}
		host.Exec = true
	}
	return in, 0
}

// shownOf is r's failure as the user reads it: through eng (its error at
// create, the container's own output and status after the start), or
// without an engine as the runtime prints it, with the container's exit
// status after the start (-1 at create: runc's own status is not
// modelled).
func shownOf(eng *spec.Engine, r preexec.Result) spec.Shown {
	after := r.Phase == preexec.PhaseAfterStart
	if eng == nil {
		if after {
			return spec.Shown{Text: r.Text, Output: true, Exit: r.ExitStatus}
		}
		if r.ExitStatus != 0 {
			// runc exec's own status (Host.Exec).
			return spec.Shown{Text: r.Text, Exit: r.ExitStatus}
		}
		return spec.Shown{Text: r.Text, Exit: -1}
	}
	name, _, _ := strings.Cut(r.Runtime, "@")
	return eng.Failure(name, r.Text, after, r.ExitStatus)
}
