//go:build linux

package runtimetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultTimeout bounds one run of a runtime on a bundle.
const DefaultTimeout = 30 * time.Second

// A Harness runs runtimes on bundles below a private work directory: a
// tmpfs mounted on a new temporary directory (fixtures hold ACLs and file
// capabilities, which tmpfs supports, and a 2 MB busybox copy per bundle
// costs memory bandwidth, not disk writes). It is safe for concurrent use.
type Harness struct {
	dir     string
	Timeout time.Duration
	n       atomic.Uint64
}

// NewHarness creates the work directory and mounts a tmpfs on it. It needs
// root.
func NewHarness() (*Harness, error) {
	dir, err := os.MkdirTemp("", "preexec-runtimetest-")
	if err != nil {
		return nil, err
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "mode=0711"); err != nil {
		os.Remove(dir)
		return nil, &os.PathError{Op: "mount tmpfs", Path: dir, Err: err}
	}
	return &Harness{dir: dir, Timeout: DefaultTimeout}, nil
}

// Close unmounts and removes the work directory.
func (h *Harness) Close() error {
	if err := unix.Unmount(h.dir, unix.MNT_DETACH); err != nil {
		return &os.PathError{Op: "unmount", Path: h.dir, Err: err}
	}
	return os.Remove(h.dir)
}

// Run materialises c in a fresh bundle, runs rt on it with a fresh state
// directory and a unique container id, and returns the classified outcome.
// The bundle and state are removed afterwards. Failures of the harness
// itself are returned as a HarnessError outcome, never as a runtime's.
func (h *Harness) Run(ctx context.Context, rt Runtime, c *Case) Outcome {
	n := h.n.Add(1)
	id := fmt.Sprintf("preexec-%d-%d", os.Getpid(), n)
	work := filepath.Join(h.dir, strconv.FormatUint(n, 10))
	bundle := filepath.Join(work, "bundle")
	state := filepath.Join(work, "state")
	defer os.RemoveAll(work)
	for _, d := range []string{work, bundle, state} {
		if err := os.Mkdir(d, 0o711); err != nil {
			return harnessError(err)
		}
	}
	if err := Bundle(c, bundle); err != nil {
		return harnessError(fmt.Errorf("bundle: %w", err))
	}
	if c.Rootless {
		// The unprivileged runtime keeps its state there.
		if err := os.Chown(state, RootlessUID, RootlessUID); err != nil {
			return harnessError(err)
		}
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stdout, stderr, status, err := runCmd(rctx, withBounding(rt.command(c.Rootless, state, "run", "--bundle", bundle, id), c.Bounding))
	if err != nil {
		// Kill whatever the runtime left behind, best effort.
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		force := "-f"
		if rt.Kind == "runsc" {
			force = "-force" // runsc/cmd/delete.go has no -f
		}
		runCmd(dctx, rt.command(c.Rootless, state, "delete", force, id))
		dcancel()
		o := harnessError(err)
		o.Output = joinOutput(stdout, stderr)
		return o
	}
	return Classify(rt.Kind, stdout, stderr, status)
}

func harnessError(err error) Outcome {
	return Outcome{Class: HarnessError, Message: err.Error(), ExitStatus: -1}
}

func joinOutput(stdout, stderr string) string {
	return "stdout:\n" + stdout + "stderr:\n" + stderr
}

// cgroupWrapper makes crun's private mount namespace usable: crun 1.8.1
// wants a cgroup2 hierarchy on /sys/fs/cgroup, which a hybrid or v1 host
// does not have there. The shell runs in a new mount namespace
// (SysProcAttr.Unshareflags CLONE_NEWNS, which Go makes rprivate), mounts
// cgroup2 over /sys/fs/cgroup and execs crun with
// --cgroup-manager=disabled.
const cgroupWrapper = `mount -t cgroup2 none /sys/fs/cgroup && exec "$0" "$@"`

// rootlessCgroupWrapper is cgroupWrapper for a rootless crun: the mount
// needs root, so the shell drops to RootlessUID (setpriv, util-linux) only
// for the exec.
const rootlessCgroupWrapper = `mount -t cgroup2 none /sys/fs/cgroup && exec setpriv --reuid=4242 --regid=4242 --clear-groups "$0" "$@"`

// command returns the command line that runs the runtime with state
// directory state and the given subcommand arguments; rootless runs it as
// RootlessUID with no supplementary groups.
func (rt Runtime) command(rootless bool, state string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	switch rt.Kind {
	case "crun":
		wrapper := cgroupWrapper
		if rootless {
			wrapper = rootlessCgroupWrapper
		}
		full := append([]string{"-c", wrapper, rt.Path, "--cgroup-manager=disabled", "--root", state}, args...)
		cmd = exec.Command("/bin/sh", full...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Setpgid: true}
	case "runsc":
		// gVisor with --rootless=false, with no network stack
		// (--network=none: the sandbox needs no host veth) and no cgroup
		// (--ignore-cgroups: CI machines have hybrid cgroups), its state
		// in the run's own directory; a rootless case runs it as
		// RootlessUID, which runsc takes as rootless whatever --rootless
		// says, and which maps the spec's ids with newuidmap and
		// newgidmap.
		full := append([]string{"--root", state, "--rootless=false", "--network=none", "--ignore-cgroups"}, args...)
		cmd = exec.Command(rt.Path, full...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if rootless {
			cmd.SysProcAttr.Credential = &syscall.Credential{Uid: RootlessUID, Gid: RootlessUID, Groups: []uint32{}}
		}
	default:
		cmd = exec.Command(rt.Path, append([]string{"--root", state}, args...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if rootless {
			cmd.SysProcAttr.Credential = &syscall.Credential{Uid: RootlessUID, Gid: RootlessUID, Groups: []uint32{}}
		}
	}
	// A fixed environment: no TERM (crun colours only a terminal anyway),
	// nothing of the test's environment; a rootless runtime's runtime
	// directory is its state directory.
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	if rootless {
		cmd.Env = append(cmd.Env, "XDG_RUNTIME_DIR="+state)
	}
	return cmd
}

// withBounding returns cmd run under setpriv --bounding-set with the
// capabilities drop dropped from its bounding set; cmd itself when drop is
// empty.
func withBounding(cmd *exec.Cmd, drop []string) *exec.Cmd {
	if len(drop) == 0 {
		return cmd
	}
	names := make([]string, len(drop))
	for i, n := range drop {
		names[i] = "-" + strings.ToLower(strings.TrimPrefix(n, "CAP_"))
	}
	w := exec.Command("setpriv", append([]string{"--bounding-set", strings.Join(names, ","), cmd.Path}, cmd.Args[1:]...)...)
	w.SysProcAttr, w.Env, w.Dir = cmd.SysProcAttr, cmd.Env, cmd.Dir
	return w
}

// runCmd runs cmd with stdin from /dev/null until it exits or ctx ends, then
// kills its process group. err is set only when the command could not be
// run to completion (start failure, timeout, death by a signal).
func runCmd(ctx context.Context, cmd *exec.Cmd) (stdout, stderr string, status int, err error) {
	var out, errb bytes.Buffer
	cmd.Stdin = nil
	cmd.Stdout = &out
	cmd.Stderr = &errb
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return "", "", -1, err
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		case <-done:
		}
	}()
	werr := cmd.Wait()
	close(done)
	stdout, stderr = out.String(), errb.String()
	if ctx.Err() != nil {
		return stdout, stderr, -1, fmt.Errorf("timeout: %w", ctx.Err())
	}
	var ee *exec.ExitError
	switch {
	case werr == nil:
		return stdout, stderr, 0, nil
	case errors.As(werr, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return stdout, stderr, -1, fmt.Errorf("runtime killed by %v", ws.Signal())
		}
		return stdout, stderr, ee.ExitCode(), nil
	default:
		return stdout, stderr, -1, werr
	}
}
