//go:build linux

package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/internal/runtimes"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// The CRI side of the harness: the harness's containerd serves its CRI
// plugin on the same socket, in containerd namespace k8s.io, with one pod
// sandbox in the host's network namespace (so no CNI is needed) whose
// pause container is a busybox sleep (PauseImage, built here, never
// pulled), run by the Debian runc. Each case is a container created in
// that sandbox with CreateContainer; the spec containerd will hand the
// runtime is the runtimeSpec of ContainerStatus(verbose), so the case's
// container is never started.

// PauseImage is the sandbox image the harness's CRI plugin is configured
// with (sandbox_image).
const PauseImage = "preexec.test/pause:1"

// criNamespace is the containerd namespace of the CRI plugin.
const criNamespace = "k8s.io"

// criConfig is the CRI plugin's part of the harness's containerd config
// (containerd 1.6 pkg/cri/config): the sandbox image; no AppArmor (this
// machine has none); restrict_oom_score_adj, since the harness may run
// where lowering oom_score_adj to the sandbox's -998 is refused (runc's
// nsexec: "failed to update /proc/self/oom_score_adj: Permission
// denied"); the default runtime io.containerd.runc.v2 running runc; CNI
// directories of the harness's own, left empty.
//
// Each runc of rts is a runtime handler of its own (criHandler), for the
// end-to-end runs.
func criConfig(dir, runc string, rts []runtimes.Runtime) string {
	handlers := ""
	for i, rt := range rts {
		handlers += fmt.Sprintf(`    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s.options]
        BinaryName = %q
`, criHandler(i), criHandler(i), rt.Path)
	}
	return fmt.Sprintf(`[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  disable_apparmor = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = %q
%s  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
`, PauseImage, runc, handlers, filepath.Join(dir, "cni-bin"), filepath.Join(dir, "cni-conf"))
}

// criHandler is the CRI runtime handler of the i-th runtime given to Start.
func criHandler(i int) string { return fmt.Sprintf("rt%d", i) }

// sandboxRunc is the runc that runs the sandbox's pause container: the
// Debian package's, else the newest installed build.
func sandboxRunc() (string, error) {
	rts, err := runtimes.Installed()
	if err != nil {
		return "", err
	}
	var last string
	for _, rt := range rts {
		if !strings.HasPrefix(rt.Name, "runc@") {
			continue
		}
		if strings.HasSuffix(rt.Name, "+debian") {
			return rt.Path, nil
		}
		last = rt.Path
	}
	if last == "" {
		return "", fmt.Errorf("no runc installed to run the CRI sandbox (.ci/install-runtimes installs them)")
	}
	return last, nil
}

// pauseArchive writes the pause image, a static busybox sleeping, to a
// docker-archive tar in dir.
func pauseArchive(dir string) (string, error) {
	f, err := rootfs.ParseFixture("pause", "dir / 0755 0:0\nfile /bin/busybox 0755 0:0 busybox\nsymlink /bin/sleep busybox\n")
	if err != nil {
		return "", err
	}
	img, err := imagebuild.Image(f, imagebuild.Config{Entrypoint: []string{"/bin/sleep", "2147483647"}})
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "pause.tar")
	return p, imagebuild.WriteDockerArchive(p, PauseImage, img)
}

// criState is the harness's CRI client and its sandboxes, made on first
// use: one for the spec oracle (handler ""), one per runtime handler for
// the end-to-end runs.
type criState struct {
	once      sync.Once
	err       error
	conn      *grpc.ClientConn
	rt        cri.RuntimeServiceClient
	img       cri.ImageServiceClient
	handlers  map[string]string // runtime name → handler
	mu        sync.Mutex
	sandboxes map[string]*criSandbox
}

// A criSandbox is a running pod sandbox.
type criSandbox struct {
	once   sync.Once
	err    error
	id     string
	config *cri.PodSandboxConfig
}

// criClient connects to the CRI plugin, once.
func (h *Harness) criClient() (*criState, error) {
	s := &h.cri
	s.once.Do(func() {
		if h.criOff != nil {
			s.err = fmt.Errorf("%s: the CRI plugin is off: %v", ContainerdCRI, h.criOff)
			return
		}
		s.conn, s.err = grpc.NewClient("unix://"+h.ctrSock, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if s.err != nil {
			return
		}
		s.rt, s.img = cri.NewRuntimeServiceClient(s.conn), cri.NewImageServiceClient(s.conn)
	})
	return s, s.err
}

// criSandbox returns the sandbox of handler ("" for the default runtime),
// running it the first time: in the host's network namespace, its logs
// below the harness's directory.
func (h *Harness) criSandbox(ctx context.Context, handler string) (*criState, *criSandbox, error) {
	return h.criSandboxWith(ctx, handler, nil, false)
}

// criSandboxWith is criSandbox, for a pod whose namespace options carry
// userns (nil: none, as the kubelet sends for hostUsers: true before
// 1.30), or a privileged pod (the kubelet's sandbox for a pod with a
// privileged container: kubecontainer.HasPrivilegedContainer): a sandbox
// of its own.
func (h *Harness) criSandboxWith(ctx context.Context, handler string, userns *cri.UserNamespace, privileged bool) (*criState, *criSandbox, error) {
	s, err := h.criClient()
	if err != nil {
		return nil, nil, err
	}
	key := handler
	if userns != nil {
		key += "-userns"
	}
	if privileged {
		key += "-privileged"
	}
	s.mu.Lock()
	if s.sandboxes == nil {
		s.sandboxes = map[string]*criSandbox{}
	}
	sb := s.sandboxes[key]
	if sb == nil {
		sb = &criSandbox{}
		s.sandboxes[key] = sb
	}
	s.mu.Unlock()
	sb.once.Do(func() {
		name := "preexec" + key
		logs := filepath.Join(h.Dir, "cri-logs", name)
		if sb.err = os.MkdirAll(logs, 0o755); sb.err != nil {
			return
		}
		sb.config = &cri.PodSandboxConfig{
			Metadata:     &cri.PodSandboxMetadata{Name: name, Namespace: "default", Uid: name},
			LogDirectory: logs,
			Linux: &cri.LinuxPodSandboxConfig{SecurityContext: &cri.LinuxSandboxSecurityContext{
				Privileged:       privileged,
				NamespaceOptions: &cri.NamespaceOption{Network: cri.NamespaceMode_NODE, UsernsOptions: userns}}},
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		r, err := s.rt.RunPodSandbox(ctx, &cri.RunPodSandboxRequest{Config: sb.config, RuntimeHandler: handler})
		if err != nil {
			sb.err = fmt.Errorf("CRI RunPodSandbox (handler %q): %w", handler, err)
			return
		}
		sb.id = r.PodSandboxId
	})
	return s, sb, sb.err
}

// closeCRI stops and removes the sandboxes and closes the connection.
func (h *Harness) closeCRI() error {
	s := &h.cri
	if s.conn == nil {
		return nil
	}
	defer s.conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var first error
	for _, sb := range s.sandboxes {
		if sb.id == "" {
			continue
		}
		if _, err := s.rt.StopPodSandbox(ctx, &cri.StopPodSandboxRequest{PodSandboxId: sb.id}); err != nil && first == nil {
			first = fmt.Errorf("CRI StopPodSandbox: %w", err)
		}
		if _, err := s.rt.RemovePodSandbox(ctx, &cri.RemovePodSandboxRequest{PodSandboxId: sb.id}); err != nil && first == nil {
			first = fmt.Errorf("CRI RemovePodSandbox: %w", err)
		}
	}
	return first
}

// createCRI creates c's container in the sandbox as the kubelet would for
// the Kubernetes container CRIArgs describes, and returns the projected
// runtimeSpec, or the kubelet's event text for a refusal: "Error: " and
// the gRPC status message (kuberuntime_container.go:startContainer).
//
// The user is the kubelet's (kuberuntime determineEffectiveSecurityContext
// and getImageUser): runAsUser when the case sets one, else the Uid of the
// image's CRI ImageStatus, else its Username (as runAsUsername), else uid
// 0 ("treat it as root").
func (h *Harness) createCRI(ctx context.Context, c *Case) (Outcome, error) {
	cfg, skip, err := CRIArgs(c)
	if err != nil {
		return Outcome{}, err
	}
	if skip != "" {
		return Outcome{Skip: skip}, nil
	}
	// A privileged container is in a privileged sandbox, as the kubelet
	// makes one for a pod that has one (kubecontainer.HasPrivilegedContainer).
	s, sb, err := h.criSandboxWith(ctx, "", nil, cfg.Privileged)
	if err != nil {
		return Outcome{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	id, refusal, err := h.criCreate(ctx, s, sb, c, cfg, ContainerName(c), "", nil)
	if err != nil || refusal != "" {
		return Outcome{Error: refusal}, err
	}
	vs, err := s.rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		return Outcome{}, fmt.Errorf("CRI ContainerStatus %s: %w", ContainerName(c), err)
	}
	var info struct {
		RuntimeSpec *specs.Spec `json:"runtimeSpec"`
	}
	if err := json.Unmarshal([]byte(vs.Info["info"]), &info); err != nil || info.RuntimeSpec == nil {
		return Outcome{}, fmt.Errorf("CRI ContainerStatus %s: no runtimeSpec (%v) in %.300s", ContainerName(c), err, vs.Info["info"])
	}
	sp := info.RuntimeSpec
	hostname := sp.Hostname
	if hostname == "" {
		// In the host's network namespace the sandbox shares its UTS
		// namespace too, and HOSTNAME is the host's (os.Hostname in
		// pkg/cri/server/container_create_linux.go@v1.6.20).
		hostname, _ = os.Hostname()
	}
	out := Outcome{Spec: h.normaliseSpec(Project(sp), id, h.ctrDir, hostname)}
	// The sandbox's id is in the sources of the mounts it shares
	// (hostname, hosts, resolv.conf, /dev/shm).
	for i := range out.Spec.Mounts {
		out.Spec.Mounts[i].Source = strings.ReplaceAll(out.Spec.Mounts[i].Source, sb.id, "$SANDBOX")
	}
	if _, err := s.rt.RemoveContainer(ctx, &cri.RemoveContainerRequest{ContainerId: id}); err != nil {
		return Outcome{}, fmt.Errorf("CRI RemoveContainer %s: %w", ContainerName(c), err)
	}
	return out, nil
}

// CRIHostUsersFalse creates c's container as the kubelet does for a pod
// with hostUsers: false: in a sandbox whose namespace options, and the
// container's, ask for a user namespace of the pod's own (mode POD, ids
// 0 to spec.PodIDs-1 at host id spec.PodIDs, the kubelet's first range:
// pkg/kubelet/userns/userns_manager.go). It returns the user namespace
// and mappings of the spec the runtime was given ("host" when it has
// none: the pod runs with the host's users), or the kubelet's event text
// for a refusal.
func (h *Harness) CRIHostUsersFalse(ctx context.Context, c *Case) (string, error) {
	cfg, skip, err := CRIArgs(c)
	if err != nil {
		return "", err
	}
	if skip != "" {
		return "", fmt.Errorf("%s: skipped on the CRI: %s", c.Name, skip)
	}
	ids := []*cri.IDMapping{{HostId: spec.PodIDs, ContainerId: 0, Length: spec.PodIDs}}
	userns := &cri.UserNamespace{Mode: cri.NamespaceMode_POD, Uids: ids, Gids: ids}
	s, sb, err := h.criSandboxWith(ctx, "", userns, false)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	id, refusal, err := h.criCreate(ctx, s, sb, c, cfg, ContainerName(c)+"-userns", "", userns)
	if err != nil || refusal != "" {
		return refusal, err
	}
	defer s.rt.RemoveContainer(ctx, &cri.RemoveContainerRequest{ContainerId: id})
	vs, err := s.rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		return "", fmt.Errorf("CRI ContainerStatus %s: %w", ContainerName(c), err)
	}
	var info struct {
		RuntimeSpec *specs.Spec `json:"runtimeSpec"`
	}
	if err := json.Unmarshal([]byte(vs.Info["info"]), &info); err != nil || info.RuntimeSpec == nil || info.RuntimeSpec.Linux == nil {
		return "", fmt.Errorf("CRI ContainerStatus %s: no runtimeSpec (%v) in %.300s", ContainerName(c), err, vs.Info["info"])
	}
	l := info.RuntimeSpec.Linux
	for _, ns := range l.Namespaces {
		if ns.Type == specs.UserNamespace {
			return fmt.Sprintf("user namespace %q, uidMappings %v, gidMappings %v", ns.Path, l.UIDMappings, l.GIDMappings), nil
		}
	}
	if len(l.UIDMappings)+len(l.GIDMappings) > 0 {
		return fmt.Sprintf("no user namespace, uidMappings %v, gidMappings %v", l.UIDMappings, l.GIDMappings), nil
	}
	return "host", nil
}

// CRISpec creates c's container from cfg as the kubelet would (in a
// privileged sandbox when cfg.Privileged) and returns the spec containerd
// hands the runtime, or the kubelet's event text for a refusal.
func (h *Harness) CRISpec(ctx context.Context, c *Case, cfg CRIConfig, name string) (*specs.Spec, string, error) {
	s, sb, err := h.criSandboxWith(ctx, "", nil, cfg.Privileged)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	id, refusal, err := h.criCreate(ctx, s, sb, c, cfg, name, "", nil)
	if err != nil || refusal != "" {
		return nil, refusal, err
	}
	defer s.rt.RemoveContainer(ctx, &cri.RemoveContainerRequest{ContainerId: id})
	vs, err := s.rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		return nil, "", fmt.Errorf("CRI ContainerStatus %s: %w", name, err)
	}
	var info struct {
		RuntimeSpec *specs.Spec `json:"runtimeSpec"`
	}
	if err := json.Unmarshal([]byte(vs.Info["info"]), &info); err != nil || info.RuntimeSpec == nil {
		return nil, "", fmt.Errorf("CRI ContainerStatus %s: no runtimeSpec (%v) in %.300s", name, err, vs.Info["info"])
	}
	return info.RuntimeSpec, "", nil
}

// criCreate creates c's container named name in sandbox sb from cfg, with
// the kubelet's user, and returns its id, or the kubelet's event text for
// CreateContainer's refusal, or a harness error. logPath, if set, is its
// log file in the sandbox's log directory; userns, if set, the
// container's user namespace options (as the sandbox's).
func (h *Harness) criCreate(ctx context.Context, s *criState, sb *criSandbox, c *Case, cfg CRIConfig, name, logPath string, userns *cri.UserNamespace) (id, refusal string, err error) {
	image := ImageRef(c)
	st, err := s.img.ImageStatus(ctx, &cri.ImageStatusRequest{Image: &cri.ImageSpec{Image: image}})
	if err != nil || st.Image == nil {
		return "", "", fmt.Errorf("CRI ImageStatus %s: %v (image %v)", image, err, st.GetImage())
	}
	sc := &cri.LinuxContainerSecurityContext{
		Privileged:     cfg.Privileged,
		NoNewPrivs:     cfg.NoNewPrivs,
		ReadonlyRootfs: cfg.ReadonlyRootfs,
		Seccomp:        &cri.SecurityProfile{ProfileType: cri.SecurityProfile_Unconfined},
	}
	switch {
	case cfg.RunAsUser != nil:
		sc.RunAsUser = &cri.Int64Value{Value: *cfg.RunAsUser}
	case st.Image.Uid != nil:
		sc.RunAsUser = &cri.Int64Value{Value: st.Image.Uid.Value}
	case st.Image.Username != "":
		sc.RunAsUsername = st.Image.Username
	default:
		sc.RunAsUser = &cri.Int64Value{Value: 0}
	}
	if cfg.RunAsGroup != nil {
		sc.RunAsGroup = &cri.Int64Value{Value: *cfg.RunAsGroup}
	}
	sc.SupplementalGroups = cfg.SupplementalGroups
	if userns != nil {
		sc.NamespaceOptions = &cri.NamespaceOption{Network: cri.NamespaceMode_NODE, UsernsOptions: userns}
	}
	if cfg.SeccompLocalhost != "" {
		sc.Seccomp = &cri.SecurityProfile{ProfileType: cri.SecurityProfile_Localhost, LocalhostRef: cfg.SeccompLocalhost}
	}
	if len(cfg.AddCapabilities) > 0 || len(cfg.DropCapabilities) > 0 {
		sc.Capabilities = &cri.Capability{AddCapabilities: cfg.AddCapabilities, DropCapabilities: cfg.DropCapabilities}
	}
	var envs []*cri.KeyValue
	for _, e := range cfg.Envs {
		k, v, _ := strings.Cut(e, "=")
		envs = append(envs, &cri.KeyValue{Key: k, Value: v})
	}
	r, err := s.rt.CreateContainer(ctx, &cri.CreateContainerRequest{PodSandboxId: sb.id, SandboxConfig: sb.config,
		Config: &cri.ContainerConfig{
			Metadata:   &cri.ContainerMetadata{Name: name},
			Image:      &cri.ImageSpec{Image: image},
			Command:    cfg.Command,
			Args:       cfg.Args,
			WorkingDir: cfg.WorkingDir,
			Envs:       envs,
			LogPath:    logPath,
			Linux:      &cri.LinuxContainerConfig{SecurityContext: sc},
		}})
	if err != nil {
		if _, ok := status.FromError(err); !ok {
			return "", "", fmt.Errorf("CRI CreateContainer %s: %w", name, err)
		}
		return "", h.criEvent(err), nil
	}
	return r.ContainerId, "", nil
}

// criEvent is the kubelet's event text for a CRI call's error: "Error: "
// and the gRPC status message (kuberuntime_container.go:startContainer),
// normalised; the container's id, made by CreateContainer, is in some.
func (h *Harness) criEvent(err error) string {
	msg := containerID.ReplaceAllString(status.Convert(err).Message(), "$$ID")
	return h.normalise("Error: "+msg, "", h.ctrDir)
}

// loadCRI imports archive and the pause image into the CRI plugin's
// namespace.
func (h *Harness) loadCRI(ctx context.Context, archive string) error {
	pause, err := pauseArchive(filepath.Dir(archive))
	if err != nil {
		return err
	}
	defer os.Remove(pause)
	for _, a := range []string{pause, archive} {
		r := run(ctx, h.in.Ctr, "-a", h.ctrSock, "-n", criNamespace, "images", "import", "--no-unpack=false", a)
		if r.err != nil {
			return fmt.Errorf("%s: ctr -n %s images import %s: %v: %s", ContainerdCRI, criNamespace, filepath.Base(a), r.err, r.stderr)
		}
	}
	return nil
}

// runE2ECRI runs c in the sandbox of rt's runtime handler as the kubelet
// would: CreateContainer, StartContainer, and the container's status once
// it has exited. Exit is its exit code: containerd's CRI records a failed
// start as exit code 128 (errorStartExitCode, reason StartError,
// pkg/cri/server/container_start.go@v1.6.20), and Stderr is then the
// kubelet's event, "Error: " and StartContainer's gRPC message; a refusal
// at create is exit 128 too, with CreateContainer's. Otherwise Stdout and
// Stderr are the container's two streams from its CRI log (one
// "TIME STREAM TAG TEXT" line per line written).
func (h *Harness) runE2ECRI(ctx context.Context, rt runtimes.Runtime, c *Case) E2ERun {
	handler, ok := h.cri.handlers[rt.Name]
	if !ok {
		return E2ERun{Skip: "no CRI runtime handler for " + rt.Name}
	}
	cfg, skip, err := CRIArgs(c)
	if err != nil {
		return E2ERun{Exit: -1, Stderr: "(harness: " + err.Error() + ")"}
	}
	if skip != "" {
		return E2ERun{Skip: skip}
	}
	run := E2ERun{Flags: []string{"--runtime-handler", "$HANDLER(" + rt.Name + ")"}}
	fail := func(err error) E2ERun {
		run.Exit, run.Stderr = -1, fmt.Sprintf("(harness: %v)", err)
		return run
	}
	s, sb, err := h.criSandboxWith(ctx, handler, nil, cfg.Privileged)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	name := ContainerName(c)
	logPath := name + ".log"
	id, refusal, err := h.criCreate(ctx, s, sb, c, cfg, name, logPath, nil)
	switch {
	case err != nil:
		return fail(err)
	case refusal != "":
		run.Exit, run.Stderr = 128, refusal
		return run
	}
	defer s.rt.RemoveContainer(context.Background(), &cri.RemoveContainerRequest{ContainerId: id})
	if _, err := s.rt.StartContainer(ctx, &cri.StartContainerRequest{ContainerId: id}); err != nil {
		if _, ok := status.FromError(err); !ok {
			return fail(err)
		}
		run.Exit, run.Stderr = 128, strings.ReplaceAll(h.criEvent(err), filepath.Dir(rt.Path), "$RUNTIMES")
		return run
	}
	for {
		st, err := s.rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id})
		if err != nil {
			return fail(err)
		}
		if st.Status.State == cri.ContainerState_CONTAINER_EXITED {
			run.Exit = int(st.Status.ExitCode)
			break
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// The CRI plugin copies the streams to the log as they come; give a
	// process that exited at once a moment for its last line (every E2E
	// process that runs prints something).
	var b []byte
	for try := 0; try < 20; try++ {
		if b, err = os.ReadFile(filepath.Join(sb.config.LogDirectory, logPath)); err != nil || len(b) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return fail(err)
	}
	var out, errs strings.Builder
	for _, line := range strings.SplitAfter(string(b), "\n") {
		// TIME STREAM TAG TEXT (pkg/cri/io/logger.go@v1.6.20); tag P is a
		// partial line, continued by the next.
		f := strings.SplitN(line, " ", 4)
		if len(f) < 4 {
			continue
		}
		w := &out
		if f[1] == "stderr" {
			w = &errs
		}
		w.WriteString(strings.TrimSuffix(f[3], "\n"))
		if f[2] == "F" {
			w.WriteString("\n")
		}
	}
	run.Stdout = h.normalise(out.String(), id, h.ctrDir)
	run.Stderr = h.normalise(errs.String(), id, h.ctrDir)
	return run
}
