//go:build linux

package enginetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/internal/runtimes"
)

// DefaultEnginesDir is where .ci/install-engines writes engines.json when
// PREEXEC_ENGINES is not set.
const DefaultEnginesDir = "/var/cache/preexec/engines"

// Installed are the engine binaries .ci/install-engines found (engines.json).
type Installed struct {
	Docker, Dockerd, Podman, Containerd, Ctr string
	// Info identifies each engine, for the goldens' header.
	Info []EngineInfo
}

// LoadInstalled reads engines.json in $PREEXEC_ENGINES (default
// DefaultEnginesDir) and checks that every binary it names exists.
func LoadInstalled() (*Installed, error) {
	dir := os.Getenv("PREEXEC_ENGINES")
	if dir == "" {
		dir = DefaultEnginesDir
	}
	b, err := os.ReadFile(filepath.Join(dir, "engines.json"))
	if err != nil {
		return nil, fmt.Errorf("no engines installed (run .ci/install-engines): %w", err)
	}
	var m struct {
		Format  string `json:"format"`
		Engines []struct {
			Name           string            `json:"name"`
			Package        string            `json:"package"`
			PackageVersion string            `json:"package_version"`
			Paths          map[string]string `json:"paths"`
			VersionOutput  string            `json:"version_output"`
		} `json:"engines"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("engines.json: %w", err)
	}
	if m.Format != "preexec-engines/1" {
		return nil, fmt.Errorf("engines.json: format %q, want preexec-engines/1", m.Format)
	}
	in := &Installed{}
	paths := map[string]*string{
		"docker": &in.Docker, "dockerd": &in.Dockerd, "podman": &in.Podman,
		"containerd": &in.Containerd, "ctr": &in.Ctr,
	}
	for _, e := range m.Engines {
		for k, v := range e.Paths {
			if p, ok := paths[k]; ok {
				*p = v
			}
		}
		in.Info = append(in.Info, EngineInfo{Name: e.Name, Package: e.Package + " " + e.PackageVersion, VersionOutput: e.VersionOutput})
	}
	for k, p := range paths {
		if *p == "" {
			return nil, fmt.Errorf("engines.json: no path for %s", k)
		}
		if _, err := os.Stat(*p); err != nil {
			return nil, fmt.Errorf("engines.json: %s: %w", k, err)
		}
	}
	return in, nil
}

// BuildCapture builds cmd/capture, the runtime stand-in that copies the
// spec an engine hands it, into dir/capture (it writes what it captures to
// dir/captured/ID.json). It needs the go command and this module's source.
func BuildCapture(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "capture")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/preexec/preexec/internal/enginetest/cmd/capture")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build capture: %v\n%s", err, b)
	}
	return out, nil
}

// CaptureMessage is the create error the capture runtime reports
// (cmd/capture's Message).
const CaptureMessage = "preexec capture: config.json captured, not started"

// A Harness runs the three engines on private sockets below Dir: a
// containerd (for ctr, namespace "preexec", and for dockerd, namespace
// "moby"), a dockerd using it, and podman with its own storage. Every
// runtime given to Start is registered with dockerd under its name, and
// the capture runtime under "capture".
type Harness struct {
	// Dir holds every engine's root and state.
	Dir string
	// Runtimes maps the names of the runtimes given to Start to their
	// paths.
	Runtimes map[string]string

	in                      *Installed
	cri                     criState
	criOff                  error // why the CRI plugin is off, if it is
	capture, capturedDir    string
	ctrSock, dockerSock     string
	podmanGlobal            []string
	podmanWrap              []string // runs podman as another user (rootless)
	daemons                 []*exec.Cmd
	ctrDir, dockDir, podDir string
	linkMu                  sync.Mutex // runtimeLink's
}

// Start starts containerd and dockerd below dir (which must be short
// enough for unix socket paths) and prepares podman. capture is the path
// of the capture runtime (BuildCapture), rts the runtimes dockerd also
// gets with --add-runtime. Close stops everything, also after a failure.
func Start(ctx context.Context, dir string, in *Installed, capture string, rts []runtimes.Runtime) (*Harness, error) {
	h := &Harness{Dir: dir, in: in, capture: capture, capturedDir: filepath.Join(filepath.Dir(capture), "captured"),
		Runtimes: map[string]string{}}
	h.ctrDir, h.dockDir, h.podDir = filepath.Join(dir, "c"), filepath.Join(dir, "d"), filepath.Join(dir, "p")
	for _, d := range []string{h.ctrDir, h.dockDir, h.podDir, h.capturedDir} {
		if err := os.MkdirAll(d, 0o711); err != nil {
			return nil, err
		}
	}
	h.ctrSock = filepath.Join(h.ctrDir, "sock")
	h.dockerSock = filepath.Join(h.dockDir, "sock")
	if len(h.ctrSock)+len(".ttrpc") > 100 {
		return nil, fmt.Errorf("enginetest: %s is too long for a unix socket path", h.ctrSock)
	}
	conf := fmt.Sprintf(`version = 2
root = %q
state = %q
[grpc]
  address = %q
[ttrpc]
  address = %q
`, filepath.Join(h.ctrDir, "root"), filepath.Join(h.ctrDir, "state"), h.ctrSock, h.ctrSock+".ttrpc")
	if runc, err := sandboxRunc(); err != nil {
		h.criOff = err
		conf = strings.Replace(conf, "[grpc]", "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]", 1)
	} else {
		var runcs []runtimes.Runtime
		h.cri.handlers = map[string]string{}
		for _, rt := range rts {
			if rt.Kind == runtimes.KindRunc {
				h.cri.handlers[rt.Name] = criHandler(len(runcs))
				runcs = append(runcs, rt)
			}
		}
		conf += criConfig(h.ctrDir, runc, runcs)
	}
	if err := os.WriteFile(filepath.Join(h.ctrDir, "config.toml"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	if err := h.daemon(ctx, filepath.Join(h.ctrDir, "log"), h.ctrSock, in.Containerd, "--config", filepath.Join(h.ctrDir, "config.toml")); err != nil {
		h.Close()
		return nil, err
	}
	// An empty daemon.json of our own: the host's /etc/docker/daemon.json,
	// if any, is not ours to read.
	daemonJSON := filepath.Join(h.dockDir, "daemon.json")
	if err := os.WriteFile(daemonJSON, []byte("{}\n"), 0o644); err != nil {
		h.Close()
		return nil, err
	}
	args := []string{
		"--config-file", daemonJSON,
		"--iptables=false", "--ip-masq=false", "--bridge=none",
		"--host", "unix://" + h.dockerSock,
		"--data-root", filepath.Join(h.dockDir, "root"),
		"--exec-root", filepath.Join(h.dockDir, "exec"),
		"--pidfile", filepath.Join(h.dockDir, "pid"),
		"--containerd", h.ctrSock,
		"--add-runtime", "capture=" + capture,
	}
	for _, r := range rts {
		h.Runtimes[r.Name] = r.Path
		args = append(args, "--add-runtime", r.Name+"="+r.Path)
	}
	if err := h.daemon(ctx, filepath.Join(h.dockDir, "log"), h.dockerSock, in.Dockerd, args...); err != nil {
		h.Close()
		return nil, err
	}
	h.podmanGlobal = []string{
		"--root", filepath.Join(h.podDir, "root"), "--runroot", filepath.Join(h.podDir, "run"),
		"--tmpdir", filepath.Join(h.podDir, "tmp"), "--storage-driver", "overlay",
		"--cgroup-manager", "cgroupfs", "--events-backend", "file",
	}
	return h, nil
}

// daemon starts bin with args in its own process group, its output in
// logf, and waits until sock accepts connections.
func (h *Harness) daemon(ctx context.Context, logf, sock, bin string, args ...string) error {
	lf, err := os.Create(logf)
	if err != nil {
		return err
	}
	defer lf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	h.daemons = append(h.daemons, cmd)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-exited:
			b, _ := os.ReadFile(logf)
			return fmt.Errorf("%s exited before serving %s: %v\n%s", bin, sock, err, tail(b, 3000))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf)
			return fmt.Errorf("%s did not serve %s within 60s\n%s", bin, sock, tail(b, 3000))
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Close stops dockerd, then containerd and the shims it started (SIGTERM,
// SIGKILL after 20 s), unmounts whatever is still mounted below Dir, and
// returns the first error.
func (h *Harness) Close() error {
	var first error
	// podman's container locks live in one shared memory segment of the
	// host (/dev/shm/libpod_lock, 2048 of them), not below --root: free
	// ours.
	if h.podmanGlobal != nil {
		if _, stderr, err := h.Podman(context.Background(), "rm", "--all", "--force"); err != nil {
			first = fmt.Errorf("podman rm --all --force: %v: %s", err, stderr)
		}
	}
	if err := h.closeCRI(); err != nil && first == nil {
		first = err
	}
	for i := len(h.daemons) - 1; i >= 0; i-- {
		cmd := h.daemons[i]
		if cmd.Process == nil {
			continue
		}
		if err := stop(cmd.Process.Pid); err != nil && first == nil {
			first = err
		}
	}
	h.daemons = nil
	// Shims are their own process group leaders; they are ours if their
	// command line names our containerd's socket.
	for _, pid := range pidsMentioning(h.ctrSock) {
		_ = stop(pid)
	}
	if err := unmountBelow(h.Dir); err != nil && first == nil {
		first = err
	}
	return first
}

// stop sends SIGTERM to pid and waits for it to go, with SIGKILL after 20
// s.
func stop(pid int) error {
	if err := unix.Kill(pid, unix.SIGTERM); err != nil {
		return nil // already gone
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if unix.Kill(pid, 0) != nil || isZombie(pid) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = unix.Kill(pid, unix.SIGKILL)
	return fmt.Errorf("pid %d did not stop within 20s of SIGTERM; killed", pid)
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// pidsMentioning returns the processes whose command line contains s.
func pidsMentioning(s string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(s)) {
			out = append(out, pid)
		}
	}
	return out
}

// unmountBelow detaches every mount at or below dir, deepest first.
func unmountBelow(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	var mps []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			mp := unescapeMount(fields[4])
			if mp == dir || strings.HasPrefix(mp, dir+"/") {
				mps = append(mps, mp)
			}
		}
	}
	sort.Slice(mps, func(i, j int) bool { return len(mps[i]) > len(mps[j]) })
	var first error
	for _, mp := range mps {
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) && first == nil {
			first = &os.PathError{Op: "umount", Path: mp, Err: err}
		}
	}
	return first
}

func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// result is what running one engine command gave.
type result struct {
	stdout, stderr string
	err            error
}

func run(ctx context.Context, bin string, args ...string) result {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	err := cmd.Run()
	return result{stdout: o.String(), stderr: e.String(), err: err}
}

// Docker runs Debian's docker CLI against the harness's dockerd.
func (h *Harness) Docker(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	r := run(ctx, h.in.Docker, append([]string{"-H", "unix://" + h.dockerSock}, args...)...)
	return r.stdout, r.stderr, r.err
}

// Podman runs podman with the harness's storage.
func (h *Harness) Podman(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	bin, all := h.in.Podman, append(append([]string{}, h.podmanGlobal...), args...)
	if len(h.podmanWrap) > 0 {
		bin, all = h.podmanWrap[0], append(append(append([]string{}, h.podmanWrap[1:]...), h.in.Podman), all...)
	}
	r := run(ctx, bin, all...)
	return r.stdout, r.stderr, r.err
}

// Ctr runs ctr against the harness's containerd, in namespace "preexec".
func (h *Harness) Ctr(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	r := run(ctx, h.in.Ctr, append([]string{"-a", h.ctrSock, "-n", "preexec"}, args...)...)
	return r.stdout, r.stderr, r.err
}

// Load imports the docker-archive tar into the engines: docker load,
// podman load, ctr images import, and the same with the pause image into
// the CRI plugin's namespace (loadCRI).
func (h *Harness) Load(ctx context.Context, archive string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(EngineNames))
	for i, f := range []func() (string, string, error){
		func() (string, string, error) { return h.Docker(ctx, "load", "-q", "-i", archive) },
		func() (string, string, error) { return h.Podman(ctx, "load", "-q", "-i", archive) },
		func() (string, string, error) { return h.Ctr(ctx, "images", "import", "--no-unpack=false", archive) },
		func() (string, string, error) {
			if h.criOff != nil {
				return "", "", nil
			}
			return "", "", h.loadCRI(ctx, archive)
		},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, stderr, err := f(); err != nil {
				errs[i] = fmt.Errorf("%s: %v: %s", EngineNames[i], err, stderr)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Create creates the container of case c in engine and returns the
// projected, normalised spec the engine hands the runtime, the engine's
// error, or why the engine cannot express the case. For Docker and podman
// the runtime is the capture runtime, run by `docker start` and `podman
// init`; for containerd it is `ctr containers create`, then the Spec of
// `ctr containers info`. An Outcome with neither is returned with an error
// of the harness (an engine that printed what the harness does not know).
func (h *Harness) Create(ctx context.Context, engine string, c *Case) (Outcome, error) {
	if engine == ContainerdCRI {
		if h.criOff != nil {
			return Outcome{}, fmt.Errorf("%s: the CRI plugin is off: %v", engine, h.criOff)
		}
		return h.createCRI(ctx, c)
	}
	args, skip, err := EngineArgs(engine, c)
	if err != nil {
		return Outcome{}, err
	}
	if skip != "" {
		return Outcome{Skip: skip}, nil
	}
	name := ContainerName(c)
	profile := ""
	if c.usesProfile() {
		profile = filepath.Join(h.Dir, "profiles", strings.ReplaceAll(engine, "@", "-"), name+".json")
		if err := os.MkdirAll(filepath.Dir(profile), 0o755); err != nil {
			return Outcome{}, err
		}
		os.Remove(profile)
		if c.SeccompProfile != nil {
			if err := os.WriteFile(profile, []byte(*c.SeccompProfile), 0o644); err != nil {
				return Outcome{}, err
			}
		}
		for i, a := range args {
			if a == "seccomp="+ProfilePath {
				args[i] = "seccomp=" + profile
			}
		}
		defer os.Remove(profile)
	}
	switch engine {
	case Docker:
		out, stderr, err := h.Docker(ctx, append([]string{"create", "--runtime", "capture", "--network", "none", "--name", name}, args...)...)
		if err != nil {
			return Outcome{Error: h.normalise(unpath(stderr, profile), "", h.dockDir)}, nil
		}
		id := strings.TrimSpace(out)
		_, stderr, err = h.Docker(ctx, "start", name)
		return h.captured(c, engine, id, unpath(stderr, profile), err, h.dockDir)
	case Podman:
		out, stderr, err := h.Podman(ctx, append([]string{"create", "--runtime", h.capture, "--network", "none", "--name", name}, args...)...)
		if err != nil && strings.Contains(stderr, "exceeded num_locks") {
			return Outcome{}, fmt.Errorf("%s: the host's podman locks are exhausted (containers left by other runs; podman system renumber frees them): %s", engine, stderr)
		}
		if err != nil {
			return Outcome{Error: h.normalise(unpath(stderr, profile), "", h.podDir)}, nil
		}
		id := strings.TrimSpace(lastLine(out))
		_, stderr, err = h.Podman(ctx, "init", name)
		return h.captured(c, engine, id, unpath(stderr, profile), err, h.podDir)
	case Containerd:
		_, stderr, err := h.Ctr(ctx, append([]string{"containers", "create"}, args...)...)
		if err != nil {
			return Outcome{Error: h.normalise(stderr, name, h.ctrDir)}, nil
		}
		out, stderr, err := h.Ctr(ctx, "containers", "info", name)
		if err != nil {
			return Outcome{}, fmt.Errorf("ctr containers info %s: %v: %s", name, err, stderr)
		}
		var info struct {
			Spec *specs.Spec `json:"Spec"`
		}
		if err := json.Unmarshal([]byte(out), &info); err != nil || info.Spec == nil {
			return Outcome{}, fmt.Errorf("ctr containers info %s: no Spec (%v) in %.300s", name, err, out)
		}
		return Outcome{Spec: h.normaliseSpec(Project(info.Spec), name, h.ctrDir, info.Spec.Hostname)}, nil
	}
	return Outcome{}, fmt.Errorf("unknown engine %q", engine)
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// captured reads what the capture runtime wrote for container id, after
// the engine's start (or init) printed stderr: the runtime's failure
// means the spec was captured; any other failure is the engine's own.
func (h *Harness) captured(c *Case, engine, id, stderr string, err error, engineDir string) (Outcome, error) {
	if err == nil {
		return Outcome{}, fmt.Errorf("%s: the capture runtime did not fail the start of %s", engine, id)
	}
	if !strings.Contains(stderr, CaptureMessage) {
		if strings.Contains(stderr, "exceeded num_locks") {
			return Outcome{}, fmt.Errorf("%s: the host's podman locks are exhausted (containers left by other runs; podman system renumber frees them): %s", engine, stderr)
		}
		return Outcome{Error: h.normalise(stderr, id, engineDir)}, nil
	}
	b, rerr := os.ReadFile(filepath.Join(h.capturedDir, id+".json"))
	if rerr != nil {
		return Outcome{}, fmt.Errorf("%s: the runtime failed as the capture runtime does, but nothing was captured: %v (stderr %q)", engine, rerr, stderr)
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return Outcome{}, fmt.Errorf("%s: captured config.json: %v", engine, err)
	}
	return Outcome{Spec: h.normaliseSpec(ProjectCase(c, &s), id, engineDir, s.Hostname)}, nil
}

// unpath writes ProfilePath for the profile's path in what an engine
// printed (before normalise, which would write $DIR for its directory).
func unpath(stderr, profile string) string {
	if profile == "" {
		return stderr
	}
	return strings.ReplaceAll(stderr, profile, ProfilePath)
}

// ctrMount is the temporary directory containerd mounts a snapshot on to
// read the image's /etc/passwd (mount.WithTempMount): ctr's in /tmp, the
// CRI plugin's in the daemon's root/tmpmounts.
var ctrMount = regexp.MustCompile(`(/tmp|[^\s:"]*/root/tmpmounts)/containerd-mount[0-9]+`)

// containerID is a full container id, as an end-to-end run's error may
// print one it did not know in advance.
var containerID = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// normalise replaces in s the engine's directory with $ENGINE, the
// harness's directory with $DIR, the container id with $ID and its first
// 12 characters with $SHORTID, ctr's temporary mount directory with
// $MOUNT, and trims one final newline.
func (h *Harness) normalise(s, id, engineDir string) string {
	s = strings.TrimSuffix(s, "\n")
	s = ctrMount.ReplaceAllString(s, "$$MOUNT")
	s = strings.ReplaceAll(s, engineDir, "$ENGINE")
	s = strings.ReplaceAll(s, filepath.Dir(h.capture), "$CAPTURE")
	s = strings.ReplaceAll(s, h.Dir, "$DIR")
	if len(id) >= 12 {
		s = strings.ReplaceAll(s, id, "$ID")
		s = strings.ReplaceAll(s, id[:12], "$SHORTID")
	}
	return s
}

// normaliseSpec normalises the strings of a projected spec that carry host
// paths or the container's id: mount sources, env values, and a value equal
// to the container's hostname ($HOSTNAME).
func (h *Harness) normaliseSpec(s *specs.Spec, id, engineDir, hostname string) *specs.Spec {
	if s.Process != nil {
		for i, e := range s.Process.Env {
			if k, v, ok := strings.Cut(e, "="); ok && hostname != "" && v == hostname {
				s.Process.Env[i] = k + "=$HOSTNAME"
				continue
			}
			s.Process.Env[i] = h.normalise(e, id, engineDir)
		}
		slices.Sort(s.Process.Env)
	}
	for i := range s.Mounts {
		s.Mounts[i].Source = h.normalise(s.Mounts[i].Source, id, engineDir)
	}
	return s
}
