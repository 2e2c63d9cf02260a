// Package load reads what preexec.Evaluate and preexec.Compare take from
// the files a user has: an OCI bundle, a container image (an OCI image
// layout directory, an OCI archive or a docker-archive), or an mtree(5)
// manifest of a root filesystem. For an image or a manifest an engine
// (docker, podman, containerd, CRI-O; package spec) makes the container's
// spec as it would, from the image's config, the engine flags of
// Options.Flags or a Kubernetes pod, and an OpenShift SCC.
//
//	c, err := load.Image("app.tar", &load.Options{Flags: []string{"--user", "1000"}})
//	if err != nil { … }
//	defer c.Close()
//	if c.Refusal != "" { … } // the engine refused: no runtime runs
//	host, _ := preexec.HostFor("5.4.0-150-generic") // uname -r
//	rt, _ := preexec.LookupRuntime("runc@1.1.4")
//	res := preexec.Evaluate(c.Plan, c.FS, rt, c.On(host))
//
// A Container's Host is what its engine implies (an engine creates the
// container, then starts it: `runc create`); Container.On adds it to a
// host the caller describes, such as preexec.HostFor's of a kernel
// release. Errors name the file they are about, with the line and
// field where its parser gives them; a file preexec may not read is an
// error that Is access.ErrUnreadable (preexec.UnreadableWhy says why).
// Errors about an option name it as the preexec command's flag does
// (--engine, --pod, --scc, --platform, --config, --container).
//
// Package load reads the host's files; the packages it feeds (preexec,
// spec, rootfs's backends) do not.
package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// The engines an image or a manifest is made a container by when
// Options.Engine is empty: DefaultEngine, or DefaultCRIEngine with a pod or
// an SCC.
const (
	DefaultEngine    = "docker@20.10.24"
	DefaultCRIEngine = "containerd-cri@1.6.20"
)

// The kinds of input Kind tells apart.
const (
	KindBundle   = "bundle"   // a directory with config.json
	KindImage    = "image"    // an OCI image layout directory, an OCI archive or a docker-archive
	KindManifest = "manifest" // an mtree(5) manifest
)

// Options say how to read an input and, for an image or a manifest, how an
// engine makes the container's spec from it. The zero Options (or nil)
// read a bundle as it is, and an image or a manifest as `docker run IMAGE`
// of DefaultEngine makes it.
type Options struct {
	// Engine names the engine (spec.LookupEngine: "docker@20.10.24",
	// "podman@4.3.1", "containerd@1.6.20", "containerd-cri@1.6.20",
	// "crio@1.34.0"…); "" is DefaultEngine, or DefaultCRIEngine with a pod
	// or an SCC. With a bundle it only renders the runtime's error the way
	// that engine prints it.
	Engine string
	// Rootless, when set, is podman run by an ordinary user with these
	// ids and subordinate ranges (spec.Engine.Rootless); the engine must
	// be podman's.
	Rootless *spec.Rootless
	// HostBounding is the capability bounding set of the engine's process
	// (spec.Engine.HostBounding; preexec.Host.Bounding is the runtime's,
	// the same on one host); 0 is every capability.
	HostBounding caps.Set
	// Flags are engine flags as docker and podman take them, read by
	// spec.ParseOverrides: "--user", "1000", "--cap-add", "NET_ADMIN",
	// "--read-only", "-v", "/src:/dst"…
	Flags []string
	// Cmd, if not empty, replaces the image's CMD (what follows IMAGE on
	// `docker run`).
	Cmd []string
	// Pod is a Kubernetes Pod (YAML or JSON) whose container the engine
	// makes; PodFile is its file, read when Pod is nil, and its name in
	// errors. Container names the pod's container ("" for its only one).
	// A pod excludes Flags and Cmd.
	Pod       []byte
	PodFile   string
	Container string
	// SCC names the OpenShift SecurityContextConstraints that admits the
	// pod (spec.RestrictedV2.Name, "restricted-v2"); without a pod it
	// admits a bare container.
	SCC string
	// Platform picks the image of an index ("linux/arm64"); "" is linux on
	// the host's architecture (rootfs.ImageOptions).
	Platform string
	// Config is a manifest's container: this config.json, instead of an
	// engine's spec; its relative bind sources are taken from its
	// directory.
	Config string
	// Progress, if not nil, receives a progress bar while an image's
	// layers are read, when ProgressTerminal says it is a terminal.
	Progress         io.Writer
	ProgressTerminal bool
	// Confine refuses any read outside the input, for inputs from
	// strangers: a bundle's root.path and bind sources must lie inside the
	// bundle directory (symbolic links followed), a manifest's --config
	// bind sources inside the config's directory, and an image takes no
	// -v (its source is the host's). Without it, as the runtimes do, a
	// root.path of "/" or "../.." is read where it points, and a host
	// file's #! line can be printed. The check is of paths as they are
	// when the input is read; an input that changes meanwhile is not
	// confined by it (rootfs.Dir keeps every read inside root.path).
	Confine bool
	// Limits bound what is read of the input (a zero field is its
	// default; see Limits).
	Limits Limits
}

func (o *Options) pod() bool { return o.Pod != nil || o.PodFile != "" }

// A Container is an input read: what Evaluate and Compare take, and the
// engine whose messages the user sees.
type Container struct {
	// Plan and FS are the container's config and its root filesystem as
	// the container sees it (root.path with the spec's bind and tmpfs
	// mounts laid over it by preexec.NewView). Both are nil when the
	// engine refused the container.
	Plan *spec.Plan
	FS   access.FS
	// Engine is the engine that made the spec, or that Options.Engine
	// named for a bundle; nil for a bundle read without one: the
	// runtime's own messages.
	Engine *spec.Engine
	// Refusal is the engine refusing the container before any runtime runs
	// (spec.FromImage's *spec.EngineError), as the user sees it
	// (spec.Engine.Refusal); "" when it does not.
	Refusal string
	// Unknown says why what the engine makes of the image cannot be told
	// (a *spec.NoContentError: it reads a file whose bytes the input does
	// not hold; a *spec.UndecidedError: another component decides);
	// Plan and FS are then nil and Refusal "". "" when it can.
	Unknown string
	// Host is what the input implies of the host: Create when an engine
	// runs the container (it creates it, then starts it). Copy it and set
	// the kernel and fs.protected_symlinks on the copy.
	Host preexec.Host
	// Source is what the engine made the spec from, so that a change can
	// be tried where the engine's user makes it (FromImageConfig again);
	// nil for a bundle and for a manifest read with Options.Config.
	Source *EngineInput

	closers []io.Closer
}

// On returns h, a host the caller describes (preexec.HostFor), with what
// the container implies of it (Host: Create when an engine runs it), for
// Evaluate and Compare.
func (c *Container) On(h preexec.Host) preexec.Host {
	h.Create = h.Create || c.Host.Create
	return h
}

// An EngineInput is what an engine made a container's spec from.
type EngineInput struct {
	// Config is the image's config (empty for a manifest).
	Config spec.ImageConfig
	// Base is the root filesystem before the spec's mounts.
	Base access.FS
	// Overrides are the engine flags or the pod, before SCC admitted them.
	Overrides spec.Overrides
	// SCC names the SCC that admits the pod ("" for none).
	SCC string
	// BindSources is the most bind mount sources the spec may open (the
	// bind-sources limit it was made with; 0 is MaxBindSources).
	BindSources int
}

// Make has eng make the container of s again, as FromImageConfig does but
// with s's bind-sources limit: what a change to s.Config or s.Overrides
// (a fix an engine's user would try) makes. Close the Container it
// returns.
func (s EngineInput) Make(name string, eng spec.Engine) (*Container, error) {
	bindMax := s.BindSources
	if bindMax <= 0 {
		bindMax = MaxBindSources
	}
	return fromImageConfig(name, s.Config, s.Base, eng, s.Overrides, s.SCC, bindMax)
}

// Close closes the directories the Container holds open (a bundle's root
// filesystem and the sources of its bind mounts). Close it when the check
// is done — after the last Result.Fixes, which reads the filesystem again.
// Close of a nil Container does nothing.
func (c *Container) Close() error {
	if c == nil {
		return nil
	}
	var errs []error
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i].Close())
	}
	c.closers = nil
	return errors.Join(errs...)
}

// Open reads path as Kind tells it: Bundle, Image or Manifest.
func Open(path string, o *Options) (*Container, error) {
	kind, err := Kind(path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindBundle:
		return Bundle(path, o)
	case KindImage:
		return Image(path, o)
	}
	return Manifest(path, o)
}

// Kind tells a bundle (a directory with config.json), an image (a
// directory with oci-layout, or a tar archive) and a manifest (any other
// text file) apart: KindBundle, KindImage or KindManifest. A gzip stream,
// a binary file or a directory that is neither is an error naming path.
func Kind(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		switch {
		case exists(filepath.Join(path, "config.json")):
			return KindBundle, nil
		case exists(filepath.Join(path, "oci-layout")):
			return KindImage, nil
		}
		return "", fmt.Errorf("%s: neither an OCI bundle (no config.json) nor an OCI image layout (no oci-layout)", path)
	}
	f, err := openRegular(path, false, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case n >= 262 && bytes.HasPrefix(head[257:], []byte("ustar")):
		return KindImage, nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "", fmt.Errorf("%s: a gzip stream: decompress it first (docker save and podman save write plain tar)", path)
	case bytes.IndexByte(head, 0) >= 0:
		return "", fmt.Errorf("%s: neither a tar archive nor an mtree manifest", path)
	}
	return KindManifest, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// engine looks up o.Engine; nil when it is "".
func engine(o *Options) (*spec.Engine, error) {
	if o.Engine == "" {
		return nil, nil
	}
	eng, err := spec.LookupEngine(o.Engine)
	if err != nil {
		return nil, fmt.Errorf("--engine: %v", err)
	}
	return onHost(&eng, o)
}

// onHost sets o's facts of the engine's host on eng: its bounding set,
// and o.Rootless, with which eng must be podman's.
func onHost(eng *spec.Engine, o *Options) (*spec.Engine, error) {
	eng.HostBounding = o.HostBounding
	if o.Rootless == nil {
		return eng, nil
	}
	if eng.Family != spec.Podman {
		return nil, fmt.Errorf("--rootless: podman only (the engine is %s)", eng.Name)
	}
	eng.Rootless = o.Rootless
	return eng, nil
}

// defaultEngine is DefaultEngine, or DefaultCRIEngine with a pod or an SCC.
func defaultEngine(o *Options) (*spec.Engine, error) {
	name := DefaultEngine
	if o.pod() || o.SCC != "" {
		name = DefaultCRIEngine
	}
	eng, err := spec.LookupEngine(name)
	if err != nil {
		return nil, err
	}
	return onHost(&eng, o)
}

// Bundle reads the OCI bundle dir: dir/config.json and root.path (relative
// to dir) read with rootfs.NewDir, cached for one check, with the bind and
// tmpfs mounts of config.json laid over it. Of the Options only Engine
// applies: config.json is the container.
func Bundle(dir string, o *Options) (*Container, error) {
	if o == nil {
		o = &Options{}
	}
	eng, err := engine(o)
	if err != nil {
		return nil, err
	}
	if o.Rootless != nil {
		// The bundle's rootfs is read with the host's ids, and its
		// config.json is what the runtime gets: no engine stores it.
		return nil, errors.New("--rootless: for an image or a manifest, which rootless podman stores; a bundle is the runtime's input as it is")
	}
	if len(o.Flags) > 0 || len(o.Cmd) > 0 || o.pod() || o.Container != "" || o.SCC != "" || o.Platform != "" || o.Config != "" {
		return nil, fmt.Errorf("%s is an OCI bundle: its config.json is the container; engine flags, --pod, --container, --scc, --platform and --config apply to an image or a manifest", dir)
	}
	cfgPath := filepath.Join(dir, "config.json")
	data, err := readInputFile(cfgPath, true, o.Limits.WithDefaults().FileSize)
	if err != nil {
		return nil, err
	}
	plan, err := spec.Parse(cfgPath, data)
	if err != nil {
		return nil, err
	}
	c := &Container{Plan: plan, Engine: eng, Host: preexec.Host{Create: eng != nil}}
	root := plan.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(dir, root)
	}
	if o.Confine {
		if err := confined(dir, "root.path", plan.Root.Path, root); err != nil {
			return nil, err
		}
		if err := confinedBinds(dir, plan); err != nil {
			return nil, err
		}
	}
	base, err := rootfs.NewDir(root)
	if err != nil {
		return nil, err
	}
	cached := base.Cached() // one check: each name read once
	c.closers = append(c.closers, base, cached)
	c.FS = c.mountsOver(cached, plan, dir, o.Limits.WithDefaults().BindSources)
	return c, nil
}

// Image reads the image at path — an OCI image layout directory, an OCI
// archive or a docker-archive (OpenImage; Options.Platform picks
// one of an index) — and has the engine make the container's spec from
// its config, the engine flags or the pod, and the SCC. An engine that
// refuses the container is Container.Refusal, not an error.
func Image(path string, o *Options) (*Container, error) {
	if o == nil {
		o = &Options{}
	}
	eng, err := engine(o)
	if err != nil {
		return nil, err
	}
	if o.Config != "" {
		return nil, errors.New("--config: an image has its own config; use engine flags")
	}
	imgOpts := &rootfs.ImageOptions{Platform: o.Platform, Progress: o.Progress, ProgressTerminal: o.ProgressTerminal}
	o.Limits.SetImage(imgOpts)
	m, err := OpenImage(path, imgOpts)
	if err != nil {
		return nil, err
	}
	return made(path, m.Config, m.Image, eng, o)
}

// Manifest reads the mtree(5) manifest at path as the root filesystem
// (rootfs.ParseMTree: it has no file contents, so a check that reads them
// is unknown). With Options.Config that config.json is the container;
// otherwise the engine makes it as from an image with an empty config.
func Manifest(path string, o *Options) (*Container, error) {
	if o == nil {
		o = &Options{}
	}
	eng, err := engine(o)
	if err != nil {
		return nil, err
	}
	if o.Platform != "" {
		return nil, errors.New("--platform: a manifest is one root filesystem")
	}
	f, err := openNonblock(path, false)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %s, not a regular file", path, kindOf(st.Mode()))
	}
	lim := o.Limits.WithDefaults()
	m, err := rootfs.ParseMTreeWith(path, f, rootfs.MTreeOptions{MaxBytes: lim.MTreeSize, MaxLines: lim.MTreeLines})
	f.Close()
	if err != nil {
		return nil, err
	}
	if o.Config == "" {
		return made(path, spec.ImageConfig{}, m, eng, o)
	}
	if len(o.Flags) > 0 || len(o.Cmd) > 0 || o.pod() || o.Container != "" || o.SCC != "" {
		return nil, errors.New("--config: the config.json is the container; drop the engine flags, --pod, --container and --scc")
	}
	if o.Rootless != nil {
		return nil, errors.New("--rootless: the config.json is the container; an engine makes none")
	}
	data, err := o.Limits.ReadFile(o.Config)
	if err != nil {
		return nil, err
	}
	plan, err := spec.Parse(o.Config, data)
	if err != nil {
		return nil, err
	}
	if o.Confine {
		if err := confinedBinds(filepath.Dir(o.Config), plan); err != nil {
			return nil, err
		}
	}
	c := &Container{Plan: plan, Engine: eng, Host: preexec.Host{Create: eng != nil}}
	c.FS = c.mountsOver(m, plan, filepath.Dir(o.Config), o.Limits.WithDefaults().BindSources)
	return c, nil
}

// made has eng, or the default engine, make the container of img over
// fsys with o's overrides.
func made(name string, img spec.ImageConfig, fsys access.FS, eng *spec.Engine, o *Options) (*Container, error) {
	if eng == nil {
		var err error
		if eng, err = defaultEngine(o); err != nil {
			return nil, err
		}
	}
	raw, err := Overrides(o)
	if err != nil {
		return nil, err
	}
	if o.Confine && len(raw.Volumes) > 0 {
		return nil, fmt.Errorf("--confine: -v %s:%s reads the host's %s, outside the input", raw.Volumes[0].Source, raw.Volumes[0].Destination, raw.Volumes[0].Source)
	}
	return fromImageConfig(name, img, fsys, *eng, raw, o.SCC, o.Limits.WithDefaults().BindSources)
}

// confined returns an error unless path (what field of the config names
// as given) lies inside dir, both with their symbolic links followed. A
// path that does not resolve is not read, and passes.
func confined(dir, field, given, path string) error {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil
	}
	// Both absolute: a bundle named relative to the working directory
	// and a root.path that resolves absolute are compared alike.
	if realDir, err = filepath.Abs(realDir); err != nil {
		return err
	}
	if real, err = filepath.Abs(real); err != nil {
		return err
	}
	rel, err := filepath.Rel(realDir, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("--confine: %s %q is %s, outside %s", field, given, real, dir)
	}
	return nil
}

// confinedBinds is confined for the bind sources of plan, relative ones
// taken from dir.
func confinedBinds(dir string, plan *spec.Plan) error {
	for _, m := range plan.Mounts {
		if !m.Bind {
			continue
		}
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(dir, src)
		}
		if err := confined(dir, "the source of the bind mount on "+m.Destination, m.Source, src); err != nil {
			return err
		}
	}
	return nil
}

// FromImageConfig has eng make the container's spec from the image config
// img, its root filesystem base and the overrides ov, which the SCC named
// scc admits first (Admit): the Container's Plan and FS, or its Refusal
// when the engine refuses it. name says what the spec was made from, in
// errors. Bind mount sources of the spec are read from the host, at most
// MaxBindSources of them (EngineInput.Make takes another limit). Close the
// Container it returns.
func FromImageConfig(name string, img spec.ImageConfig, base access.FS, eng spec.Engine, ov spec.Overrides, scc string) (*Container, error) {
	return fromImageConfig(name, img, base, eng, ov, scc, MaxBindSources)
}

// fromImageConfig is FromImageConfig opening at most bindMax bind mount
// sources.
func fromImageConfig(name string, img spec.ImageConfig, base access.FS, eng spec.Engine, ov spec.Overrides, scc string, bindMax int) (*Container, error) {
	admitted, err := Admit(ov, scc)
	if err != nil {
		return nil, err
	}
	c := &Container{Engine: &eng, Host: preexec.Host{Create: true},
		Source: &EngineInput{Config: img, Base: base, Overrides: ov, SCC: scc, BindSources: bindMax}}
	s, err := spec.FromImage(img, base, eng, admitted)
	var refused *spec.EngineError
	switch {
	case errors.As(err, &refused):
		c.Refusal = eng.Refusal(err)
		return c, nil
	case errors.Is(err, access.ErrNoContent), errors.Is(err, spec.ErrUndecided):
		c.Unknown = err.Error()
		return c, nil
	case err != nil:
		return nil, err
	}
	if c.Plan, err = spec.FromSpec(eng.Name+" spec of "+name, s); err != nil {
		return nil, err
	}
	// Rootless podman: the process's ids and the stored image's owners
	// as the host's kernel sees them (the plan's UserNS is set).
	stored := eng.HostIDs(c.Plan, spec.Prepared(img, base, eng, admitted))
	if err := spec.Unstorable(stored, base); err != nil {
		// An owner no check looks up is unstorable all the same.
		c.Plan, c.Unknown = nil, err.Error()
		return c, nil
	}
	c.FS = c.mountsOver(stored, c.Plan, "", bindMax)
	return c, nil
}

// Overrides parses o's engine flags and Cmd (spec.ParseOverrides), or its
// pod (spec.ParsePod), before any SCC admits them: with an SCC and neither,
// a bare Kubernetes container.
func Overrides(o *Options) (spec.Overrides, error) {
	if o == nil {
		o = &Options{}
	}
	args := append([]string(nil), o.Flags...)
	if len(o.Cmd) > 0 {
		args = append(append(args, "--"), o.Cmd...)
	}
	if o.pod() {
		if len(args) > 0 {
			return spec.Overrides{}, errors.New("--pod: the pod is the container; drop the engine flags")
		}
		data, name := o.Pod, o.PodFile
		if data == nil {
			var err error
			if data, err = o.Limits.ReadFile(o.PodFile); err != nil {
				return spec.Overrides{}, err
			}
		}
		if name == "" {
			name = "pod"
		}
		return spec.YAML{MaxExpansion: o.Limits.WithDefaults().YAMLExpansion}.ParsePod(name, data, o.Container)
	}
	if o.Container != "" {
		return spec.Overrides{}, errors.New("--container: needs --pod")
	}
	ov, err := spec.ParseOverrides(args)
	if err != nil {
		return spec.Overrides{}, err
	}
	if ov.Seccomp != "" && ov.Seccomp != "unconfined" {
		if ov.SeccompFile, err = o.Limits.readSeccompProfile(ov.Seccomp); err != nil {
			return spec.Overrides{}, err
		}
	}
	if o.SCC != "" {
		if len(args) > 0 {
			return spec.Overrides{}, errors.New("--scc: admits a pod (--pod FILE) or a bare container, not engine flags")
		}
		ov.Kube = &spec.KubeContainer{}
	}
	return ov, nil
}

// Admit applies the SCC named scc ("" for none, or spec.RestrictedV2.Name)
// to the pod's container of ov. An SCC that refuses the pod, or that is
// not modelled, is an error.
func Admit(ov spec.Overrides, scc string) (spec.Overrides, error) {
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
