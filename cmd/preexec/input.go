package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// inputOptions say how to read INPUT and, for an image or a manifest, how
// an engine makes the container's spec from it.
type inputOptions struct {
	engine    string
	platform  string
	config    string
	pod       string
	container string
	scc       string
	// overrides are the engine flags, as spec.ParseOverrides takes them.
	overrides []string
}

func (o *inputOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.engine, "engine", "", "")
	fs.StringVar(&o.platform, "platform", "", "")
	fs.StringVar(&o.config, "config", "", "")
	fs.StringVar(&o.pod, "pod", "", "")
	fs.StringVar(&o.container, "container", "", "")
	fs.StringVar(&o.scc, "scc", "", "")
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
		fs.Func(name, "", func(v string) error { o.overrides = append(o.overrides, arg, v); return nil })
		return
	}
	fs.BoolFunc(name, "", func(v string) error {
		if v == "true" {
			o.overrides = append(o.overrides, arg)
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
  engine flags, as docker and podman take them: --user, --group-add,
  --workdir, --entrypoint, --cap-add, --cap-drop, --security-opt,
  --read-only, --tmpfs, -v, --userns, -e; INPUT -- CMD ARGS... sets CMD.
With a bundle, --engine only renders the runtime's error the way that
engine prints it.
`

// An input is INPUT read: the container's plan and root filesystem, and
// the engine whose messages the user sees (nil: the runtime's own).
type input struct {
	plan *spec.Plan
	fsys access.FS
	eng  *spec.Engine
	// refusal is the engine refusing the container before any runtime
	// runs (FromImage's *spec.EngineError), as the user sees it.
	refusal string
	// image is what the engine made the spec from, for an image or a
	// manifest without --config: nil for a bundle.
	image *engineInput
}

// engineInput is what spec.FromImage took, so that a fix can be made
// where the engine's user makes it and the spec made again.
type engineInput struct {
	img spec.ImageConfig
	// base is the root filesystem before the spec's mounts.
	base access.FS
	// ov are the overrides before the SCC admitted them.
	ov  spec.Overrides
	scc string
}

// loadInput reads path as a bundle, an image or a manifest; cmd is what
// followed `--` after it.
func loadInput(path string, o inputOptions, cmd []string, progress io.Writer, terminal bool) (*input, error) {
	kind, err := inputKind(path)
	if err != nil {
		return nil, err
	}
	in := &input{}
	if o.engine != "" {
		eng, err := spec.LookupEngine(o.engine)
		if err != nil {
			return nil, fmt.Errorf("--engine: %v", err)
		}
		in.eng = &eng
	}
	if kind == "bundle" {
		if len(o.overrides) > 0 || len(cmd) > 0 || o.pod != "" || o.scc != "" || o.platform != "" || o.config != "" {
			return nil, fmt.Errorf("%s is an OCI bundle: its config.json is the container; engine flags, --pod, --scc, --platform and --config apply to an image or a manifest", path)
		}
		in.plan, in.fsys, err = loadBundle(path)
		return in, err
	}
	var (
		img  spec.ImageConfig
		fsys access.FS
	)
	switch kind {
	case "image":
		if o.config != "" {
			return nil, errors.New("--config: an image has its own config; use engine flags")
		}
		m, err := rootfs.OpenImage(path, &rootfs.ImageOptions{Platform: o.platform, Progress: progress, ProgressTerminal: terminal})
		if err != nil {
			return nil, err
		}
		c := m.Config()
		img = spec.ImageConfig{User: c.User, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint, Cmd: c.Cmd, Env: c.Env}
		fsys = m
	case "manifest":
		if o.platform != "" {
			return nil, errors.New("--platform: a manifest is one root filesystem")
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		m, err := rootfs.ParseMTree(path, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		fsys = m
		if o.config != "" {
			if len(o.overrides) > 0 || len(cmd) > 0 || o.pod != "" || o.scc != "" {
				return nil, errors.New("--config: the config.json is the container; drop the engine flags")
			}
			data, err := os.ReadFile(o.config)
			if err != nil {
				return nil, err
			}
			if in.plan, err = spec.Parse(o.config, data); err != nil {
				return nil, err
			}
			in.fsys, err = mountsOver(fsys, in.plan, filepath.Dir(o.config))
			return in, err
		}
	}
	if in.eng == nil {
		name := "docker@20.10.24"
		if o.pod != "" || o.scc != "" {
			name = "containerd-cri@1.6.20"
		}
		eng, err := spec.LookupEngine(name)
		if err != nil {
			return nil, err
		}
		in.eng = &eng
	}
	raw, err := overridesOf(o, cmd)
	if err != nil {
		return nil, err
	}
	return engineMade(in, path, img, fsys, raw, o.scc)
}

// engineMade has in.eng make the container's spec from the image config
// img, its root filesystem and the overrides raw (before the SCC named
// scc admits them): in.plan and in.fsys, or in.refusal when the engine
// refuses it. name says what the spec was made from, in errors.
func engineMade(in *input, name string, img spec.ImageConfig, fsys access.FS, raw spec.Overrides, scc string) (*input, error) {
	ov, err := admit(raw, scc)
	if err != nil {
		return nil, err
	}
	in.image = &engineInput{img: img, base: fsys, ov: raw, scc: scc}
	s, err := spec.FromImage(img, fsys, *in.eng, ov)
	var refused *spec.EngineError
	switch {
	case errors.As(err, &refused):
		in.refusal = in.eng.Refusal(err)
		return in, nil
	case err != nil:
		return nil, err
	}
	if in.plan, err = spec.FromSpec(in.eng.Name+" spec of "+name, s); err != nil {
		return nil, err
	}
	in.fsys, err = mountsOver(spec.Prepared(img, fsys, *in.eng, ov), in.plan, "")
	return in, err
}

// prepare reads INPUT for check and explain. It returns nil and the exit
// status when there is nothing to evaluate: bad input (2, the reason on
// stderr) or the engine refusing the container (1, its words on stdout).
// With an engine, host becomes `runc create`'s: engines create the
// container, then start it.
func prepare(path string, o inputOptions, cmd []string, host *preexec.Host, asJSON bool, stdout, stderr io.Writer) (*input, int) {
	in, err := loadInput(path, o, cmd, stderr, isTerminal(stderr))
	if errors.Is(err, access.ErrUnreadable) {
		fmt.Fprintf(stderr, "preexec: no prediction: %s\n", preexec.UnreadableWhy(err))
		return nil, 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "preexec: %v\n", err)
		return nil, 2
	}
	if in.refusal != "" {
		var out bytes.Buffer
		writeRefusal(&out, in, asJSON)
		stdout.Write(out.Bytes())
		return nil, 1
	}
	if in.eng != nil {
		host.Create = true
	}
	return in, 0
}

// overridesOf parses the engine flags and the pod; admit applies the
// SCC.
func overridesOf(o inputOptions, cmd []string) (spec.Overrides, error) {
	args := append([]string(nil), o.overrides...)
	if len(cmd) > 0 {
		args = append(append(args, "--"), cmd...)
	}
	if o.pod != "" {
		if len(args) > 0 {
			return spec.Overrides{}, errors.New("--pod: the pod is the container; drop the engine flags")
		}
		data, err := os.ReadFile(o.pod)
		if err != nil {
			return spec.Overrides{}, err
		}
		return spec.ParsePod(o.pod, data, o.container)
	}
	if o.container != "" {
		return spec.Overrides{}, errors.New("--container: needs --pod")
	}
	ov, err := spec.ParseOverrides(args)
	if err != nil {
		return spec.Overrides{}, err
	}
	if o.scc != "" {
		if len(args) > 0 {
			return spec.Overrides{}, errors.New("--scc: admits a pod (--pod FILE) or a bare container, not engine flags")
		}
		ov.Kube = &spec.KubeContainer{}
	}
	return ov, nil
}

// admit applies the SCC named scc to the pod's container.
func admit(ov spec.Overrides, scc string) (spec.Overrides, error) {
	switch scc {
	case "":
		return ov, nil
	case spec.RestrictedV2.Name:
		if ov.Kube == nil {
			return ov, errors.New("--scc: admits a pod")
		}
		if why := spec.RestrictedV2.Refuses(*ov.Kube); why != "" {
			return ov, fmt.Errorf("--scc %s: %s", scc, why)
		}
		k := spec.RestrictedV2.Admit(*ov.Kube)
		ov.Kube = &k
		return ov, nil
	}
	return ov, fmt.Errorf("--scc: %q is not modelled (want %s)", scc, spec.RestrictedV2.Name)
}

// inputKind tells a bundle, an image and a manifest apart.
func inputKind(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		switch {
		case exists(filepath.Join(path, "config.json")):
			return "bundle", nil
		case exists(filepath.Join(path, "oci-layout")):
			return "image", nil
		}
		return "", fmt.Errorf("%s: neither an OCI bundle (no config.json) nor an OCI image layout (no oci-layout)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case n >= 262 && bytes.HasPrefix(head[257:], []byte("ustar")):
		return "image", nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "", fmt.Errorf("%s: a gzip stream: decompress it first (docker save and podman save write plain tar)", path)
	case bytes.IndexByte(head, 0) >= 0:
		return "", fmt.Errorf("%s: neither a tar archive nor an mtree manifest", path)
	}
	return "manifest", nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
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
			return spec.Shown{Text: r.Error, Output: true, Exit: r.ExitStatus}
		}
		return spec.Shown{Text: r.Error, Exit: -1}
	}
	name, _, _ := strings.Cut(r.Runtime, "@")
	return eng.Failure(name, r.Error, after, r.ExitStatus)
}
