//go:build linux

package enginetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/preexec/preexec/internal/runtimes"
)

// podmanUnconfined are the runc versions that reject podman 4.3.1's
// default seccomp profile here (rc92: "error adding seccomp filter rule for
// syscall bdflush: permission denied"; rc93 and rc94 likewise): podman runs
// them with --security-opt seccomp=unconfined.
var podmanUnconfined = map[string]bool{"1.0.0-rc92": true, "1.0.0-rc93": true, "1.0.0-rc94": true}

// logTime is the time= field of a runc log line that podman quotes.
var logTime = regexp.MustCompile(`time="[^"]*"`)

// dockerWaitRace is a line the docker CLI sometimes adds after a failed
// run, when its wait for the container is cancelled: it comes and goes
// from one run to the next, before or after the error, so it is dropped
// with its line break (dropWaitRace).
var dockerWaitRace = regexp.MustCompile(`^time="[^"]*" level=error msg="error waiting for container: context canceled"$`)

// dropWaitRace returns s without its dockerWaitRace lines.
func dropWaitRace(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !dockerWaitRace.MatchString(l) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// E2EFlags returns the flags of `ENGINE run` for case c with runtime rt
// (before the image), or why the run is not made. ctr 1.6.20 runs the
// runtime by path through the io.containerd.runc.v2 shim (`ctr run --rm
// --runc-binary PATH`, cmd/ctr/commands/run/run_unix.go@v1.6.20) and
// takes the case's flags as EngineArgs maps them; a case with a flag ctr
// has no form for (--user) is skipped with EngineArgs's reason, and so is
// crun, which the shim runs but which refuses this machine's hybrid
// cgroups.
func E2EFlags(engine string, rt runtimes.Runtime, c *Case) ([]string, string) {
	flags, _, err := splitFlags(c.Flags)
	if err != nil {
		return nil, err.Error()
	}
	var out []string
	switch engine {
	case Containerd:
		if rt.Kind == runtimes.KindCrun {
			return nil, "crun under ctr fails every create on this machine's hybrid cgroups (\"cgroups in hybrid mode not supported, drop all controllers from cgroupv2\"); the runtime oracle keeps crun"
		}
		args, skip, err := EngineArgs(Containerd, c)
		if err != nil {
			return nil, err.Error()
		}
		if skip != "" {
			return nil, skip
		}
		// EngineArgs ends with the image, the container id and the
		// command; the flags come before.
		_, command, _ := splitFlags(c.Flags)
		args = args[:len(args)-2-len(command)]
		return append([]string{"--rm", "--runc-binary", rt.Path}, args...), ""
	case Docker:
		if rt.Kind != runtimes.KindRunc {
			return nil, "docker run is held to the runc builds only"
		}
		out = []string{"--runtime", rt.Name, "--network", "none", "--rm"}
	case Podman:
		if rt.Kind == runtimes.KindCrun {
			return nil, "crun under podman needs a pure cgroup2 view, which this machine's hybrid cgroups lack (the runtime oracle keeps crun)"
		}
		out = []string{"--runtime", rt.Path, "--network", "none", "--rm",
			"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}
		if podmanUnconfined[rt.Version] {
			out = append(out, "--security-opt", "seccomp=unconfined")
		}
	default:
		return nil, "no end-to-end runs for " + engine
	}
	for _, f := range flags {
		out = append(out, f.Name)
		if f.Name != "--read-only" && f.Name != "--privileged" {
			out = append(out, f.Value)
		}
	}
	return out, ""
}

// RunE2E runs case c's image with runtime rt in engine (docker run,
// podman run or ctr run) and returns what the engine printed, normalised.
// ctr's container id (its name, which ctr run takes after the image) is
// $ID.
func (h *Harness) RunE2E(ctx context.Context, engine string, rt runtimes.Runtime, c *Case) E2ERun {
	if engine == ContainerdCRI {
		if rt.Kind != runtimes.KindRunc {
			return E2ERun{Skip: "crun under containerd's runc shim fails every create on this machine's hybrid cgroups; the runtime oracle keeps crun"}
		}
		return h.runE2ECRI(ctx, rt, c)
	}
	rtDir := filepath.Dir(rt.Path)
	if engine == Podman && rt.Kind == runtimes.KindRunc {
		link, err := h.runtimeLink(rt)
		if err != nil {
			return E2ERun{Exit: -1, Stderr: fmt.Sprintf("(harness: %v)", err)}
		}
		rt.Path, rtDir = link, filepath.Dir(filepath.Dir(link))
	}
	flags, skip := E2EFlags(engine, rt, c)
	if skip != "" {
		return E2ERun{Skip: skip}
	}
	_, command, _ := splitFlags(c.Flags)
	name := E2EContainerName(rt, c)
	args := append(append([]string{"run", "--name", name}, flags...), ImageRef(c))
	args = append(args, command...)
	var stdout, stderr string
	var err error
	dir, id := h.dockDir, ""
	switch engine {
	case Docker:
		stdout, stderr, err = h.Docker(ctx, args...)
	case Podman:
		dir = h.podDir
		stdout, stderr, err = h.Podman(ctx, args...)
	case Containerd:
		dir, id = h.ctrDir, name
		args = append(append(append([]string{"run"}, flags...), ImageRef(c), name), command...)
		// ctr run now and then loses the output of a process that exits
		// at once (containerd/containerd#770: its fifo copy is not yet
		// reading when the process has written and gone; seen here once
		// in ~300 runs under load as exit 0 with nothing on stdout): a
		// run that exits 0 and printed nothing is made again, up to
		// three times. Every E2E process that starts prints the marker.
		for try := 0; try < 3; try++ {
			stdout, stderr, err = h.Ctr(ctx, args...)
			if err != nil || stdout != "" || stderr != "" {
				break
			}
		}
	}
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	} else if err != nil {
		exit = -1
		stderr += fmt.Sprintf("\n(harness: %v)", err)
	}
	// The runtimes' directory first: podman's link to one is below the
	// harness's directory, which normalise names $DIR.
	stderr = strings.ReplaceAll(stderr, rtDir, "$RUNTIMES")
	run := E2ERun{Flags: flags, Exit: exit, Stdout: h.normalise(stdout, id, dir), Stderr: h.normalise(stderr, id, dir)}
	for i, f := range run.Flags {
		run.Flags[i] = strings.ReplaceAll(f, rtDir, "$RUNTIMES")
	}
	run.Stderr = dropWaitRace(run.Stderr)
	run.Stderr = logTime.ReplaceAllString(run.Stderr, `time="$$TIME"`)
	run.Stderr = containerID.ReplaceAllString(run.Stderr, "$$ID")
	return run
}

// E2EContainerName is the name of case c's container run with rt.
func E2EContainerName(rt runtimes.Runtime, c *Case) string {
	return "e2e-" + strings.NewReplacer("@", "-", "+", "-", ".", "-").Replace(rt.Name) + "-" + ContainerName(c)
}

// runtimeLink returns the path of a link named as the runtime's kind
// ("runc", "crun") to rt, below the harness's directory in one of rt's
// own: DIR/rt/NAME/runc. podman passes --log-format=json to a runtime and
// reads its errors in that form only when the runtime's name — the base
// name of a --runtime path — is one containers.conf's
// runtime_supports_json lists (runc, crun, …; libpod's
// newConmonOCIRuntime@v4.3.1), as it is on users' machines; a build named
// runc@1.1.4+go1.19 would have its text log quoted instead.
func (h *Harness) runtimeLink(rt runtimes.Runtime) (string, error) {
	link := filepath.Join(h.Dir, "rt", rt.Name, string(rt.Kind))
	h.linkMu.Lock()
	defer h.linkMu.Unlock()
	if target, err := os.Readlink(link); err == nil && target == rt.Path {
		return link, nil
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return "", err
	}
	os.Remove(link)
	if err := os.Symlink(rt.Path, link); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err
	}
	return link, nil
}

// RunE2EAll runs every case with every runtime it runs with (E2ERunsWith)
// in every engine of engines (E2EEngines when nil), jobs runs at a time,
// and returns the runs by case, engine and runtime name.
func (h *Harness) RunE2EAll(ctx context.Context, cases []Case, rts []runtimes.Runtime, engines []string, jobs int) map[string]map[string]map[string]E2ERun {
	if engines == nil {
		engines = E2EEngines
	}
	type job struct {
		c      *Case
		engine string
		rt     runtimes.Runtime
	}
	ch := make(chan job)
	var mu sync.Mutex
	out := map[string]map[string]map[string]E2ERun{}
	var wg sync.WaitGroup
	for w := 0; w < max(jobs, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				r := h.RunE2E(ctx, j.engine, j.rt, j.c)
				mu.Lock()
				putRun(out, j.c.Name, j.engine, j.rt.Name, r)
				mu.Unlock()
			}
		}()
	}
	for _, rt := range rts {
		for i := range cases {
			if !E2ERunsWith(&cases[i], rt.Name) {
				continue
			}
			for _, e := range engines {
				ch <- job{&cases[i], e, rt}
			}
		}
	}
	close(ch)
	wg.Wait()
	return out
}

// putRun sets runs[name][engine][runtime] to r, making the maps it needs.
func putRun(runs map[string]map[string]map[string]E2ERun, name, engine, runtime string, r E2ERun) {
	if runs[name] == nil {
		runs[name] = map[string]map[string]E2ERun{}
	}
	if runs[name][engine] == nil {
		runs[name][engine] = map[string]E2ERun{}
	}
	runs[name][engine][runtime] = r
}

// RemoveE2E removes what a run of case c with rt in engine may have left
// behind — the engine's container of that name, and under ctr its task —
// so that the run can be made again. An engine that has nothing of that
// name is no error: nothing is returned.
func (h *Harness) RemoveE2E(ctx context.Context, engine string, rt runtimes.Runtime, c *Case) {
	name := E2EContainerName(rt, c)
	switch engine {
	case Docker:
		_, _, _ = h.Docker(ctx, "rm", "--force", name)
	case Podman:
		_, _, _ = h.Podman(ctx, "rm", "--force", "--ignore", name)
	case Containerd:
		_, _, _ = h.Ctr(ctx, "tasks", "kill", "--signal", "SIGKILL", name)
		_, _, _ = h.Ctr(ctx, "tasks", "delete", "--force", name)
		_, _, _ = h.Ctr(ctx, "containers", "delete", name)
	}
	// The CRI's runs remove their container and sandbox themselves
	// (runE2ECRI's deferred removals).
}
