//go:build linux

package enginetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/internal/runtimes"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// A RootlessHarness runs podman 4.3.1 as RootlessUser and as root, each
// with its own storage below Dir; no daemon is started.
type RootlessHarness struct {
	// Dir holds both podmans' storage, runroot and tmpdir.
	Dir string
	// Rootless is the user's ids and subordinate ranges, as
	// /etc/passwd, /etc/subuid and /etc/subgid give them.
	Rootless spec.Rootless
	// Engines are the two podmans by engine name (RootlessPodman,
	// RootfulPodman).
	Engines map[string]*Harness
	xdg     string
}

// LookupRootless reads RootlessUser's ids from the user database and its
// ranges from /etc/subuid and /etc/subgid.
func LookupRootless() (spec.Rootless, error) {
	u, err := user.Lookup(RootlessUser)
	if err != nil {
		return spec.Rootless{}, fmt.Errorf("%v (.ci/install-rootless makes it)", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	r := spec.Rootless{UID: uint32(uid), GID: uint32(gid)}
	for _, f := range []struct {
		path string
		to   *[]spec.IDRange
	}{{"/etc/subuid", &r.SubUIDs}, {"/etc/subgid", &r.SubGIDs}} {
		fh, err := os.Open(f.path)
		if err != nil {
			return r, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			name, rest, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
			if !ok || (name != RootlessUser && name != u.Uid) {
				continue
			}
			rg, err := spec.ParseIDRange(rest)
			if err != nil {
				fh.Close()
				return r, fmt.Errorf("%s: %v", f.path, err)
			}
			*f.to = append(*f.to, rg)
		}
		fh.Close()
		if len(*f.to) == 0 {
			return r, fmt.Errorf("%s has no range for %s (.ci/install-rootless adds it)", f.path, RootlessUser)
		}
	}
	return r, nil
}

// StartRootless prepares the two podmans below dir (made world-searchable:
// the rootless user reads its storage and the runtime links there).
// Close removes their containers and stops the rootless pause process.
func StartRootless(ctx context.Context, dir string, in *Installed) (*RootlessHarness, error) {
	rl, err := LookupRootless()
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	h := &RootlessHarness{Dir: dir, Rootless: rl, Engines: map[string]*Harness{}}
	mk := func(sub string, owner int) (string, error) {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
		return d, os.Chown(d, owner, owner)
	}
	// The capture runtime (cmd/capture) records the spec each podman
	// writes; the rootless one runs it as the user, so its directory of
	// captures is everyone's.
	capture, err := BuildCapture(ctx, filepath.Join(dir, "cap"))
	if err != nil {
		return nil, err
	}
	capturedDir := filepath.Join(dir, "cap", "captured")
	if err := os.MkdirAll(capturedDir, 0o777); err != nil {
		return nil, err
	}
	if err := os.Chmod(capturedDir, 0o777); err != nil {
		return nil, err
	}
	for _, e := range []struct {
		name  string
		owner int
	}{{RootlessPodman, int(rl.UID)}, {RootfulPodman, 0}} {
		base, err := mk(strings.NewReplacer("@", "-", "+", "-", ".", "-").Replace(e.name), 0)
		if err != nil {
			return nil, err
		}
		pod, err := mk(filepath.Join(filepath.Base(base), "p"), e.owner)
		if err != nil {
			return nil, err
		}
		eh := &Harness{Dir: base, in: in, capture: capture, capturedDir: capturedDir, podDir: pod, Runtimes: map[string]string{}}
		eh.podmanGlobal = []string{
			"--root", filepath.Join(pod, "root"), "--runroot", filepath.Join(pod, "run"),
			"--tmpdir", filepath.Join(pod, "tmp"), "--storage-driver", "overlay",
			"--cgroup-manager", "cgroupfs", "--events-backend", "file",
		}
		if e.owner != 0 {
			home, err := mk(filepath.Join(filepath.Base(base), "home"), e.owner)
			if err != nil {
				return nil, err
			}
			xdg, err := mk(filepath.Join(filepath.Base(base), "xdg"), e.owner)
			if err != nil {
				return nil, err
			}
			if err := os.Chmod(xdg, 0o700); err != nil {
				return nil, err
			}
			h.xdg = xdg
			eh.podmanWrap = []string{"setpriv", "--reuid=" + strconv.Itoa(e.owner), "--regid=" + strconv.Itoa(int(rl.GID)), "--init-groups",
				"env", "HOME=" + home, "XDG_RUNTIME_DIR=" + xdg}
		}
		h.Engines[e.name] = eh
	}
	return h, nil
}

// MakeRootlessHostSource makes RootlessHostSource from
// RootlessHostFixture, afresh.
func MakeRootlessHostSource() error {
	if err := os.RemoveAll(RootlessHostSource); err != nil {
		return err
	}
	f, err := rootfs.ParseFixture("rootless host source", RootlessHostFixture)
	if err != nil {
		return err
	}
	if err := os.Mkdir(RootlessHostSource, 0o755); err != nil {
		return err
	}
	return fixture.Materialize(f, RootlessHostSource)
}

// Load loads the images of archive (readable by the rootless user) into
// both podmans.
func (h *RootlessHarness) Load(ctx context.Context, archive string) error {
	if err := os.Chmod(archive, 0o644); err != nil {
		return err
	}
	for name, eh := range h.Engines {
		if _, stderr, err := eh.Podman(ctx, "load", "-q", "-i", archive); err != nil {
			return fmt.Errorf("%s load: %v: %s", name, err, dropHostWarnings(stderr))
		}
	}
	return nil
}

// RunAll runs every case with every runtime of rts in the rootless podman,
// and the cases RootfulToo says in podman as root, jobs at a time; the
// runs by case, engine and runtime name. Each case is also created once
// per podman with the capture runtime: the specs (or refusals) by case
// and engine; specOnly's cases are only created so, in the rootless
// podman.
func (h *RootlessHarness) RunAll(ctx context.Context, cases, specOnly []Case, rts []runtimes.Runtime, jobs int) (map[string]map[string]map[string]E2ERun, map[string]map[string]Outcome) {
	type job struct {
		c       *Case
		engine  string
		rt      runtimes.Runtime
		capture bool
	}
	ch := make(chan job)
	var mu sync.Mutex
	out := map[string]map[string]map[string]E2ERun{}
	specs := map[string]map[string]Outcome{}
	var wg sync.WaitGroup
	for w := 0; w < max(jobs, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if j.capture {
					o, err := h.Engines[j.engine].Create(ctx, Podman, j.c)
					if err != nil {
						o = Outcome{Error: "(harness: " + err.Error() + ")"}
					}
					// The storage layer's id in a rootfs path is random
					// too: $ID, as in the runs.
					o.Error = containerID.ReplaceAllString(dropHostWarnings(o.Error), "$$ID")
					mu.Lock()
					if specs[j.c.Name] == nil {
						specs[j.c.Name] = map[string]Outcome{}
					}
					specs[j.c.Name][j.engine] = o
					mu.Unlock()
					continue
				}
				// A run the harness's timeout killed (exit -1: under a
				// loaded machine podman waits on its locks), or one
				// that exited 0 having printed nothing (every case that
				// starts prints; seen once in ~700 runs under load: the
				// container's output lost, as containerd#770 loses
				// ctr's), is made again, up to three times.
				var r E2ERun
				for try := 0; try < 3; try++ {
					r = h.Engines[j.engine].RunE2E(ctx, Podman, j.rt, j.c)
					if r.Exit != -1 && (r.Exit != 0 || r.Stdout != "" || r.Stderr != "" || r.Skip != "") {
						break
					}
					_, _, _ = h.Engines[j.engine].Podman(ctx, "rm", "--force", "--ignore", E2EContainerName(j.rt, j.c))
				}
				r.Stderr = dropHostWarnings(r.Stderr)
				r.Stdout = dropHostWarnings(r.Stdout)
				mu.Lock()
				putRun(out, j.c.Name, j.engine, j.rt.Name, r)
				mu.Unlock()
			}
		}()
	}
	for i := range specOnly {
		ch <- job{c: &specOnly[i], engine: RootlessPodman, capture: true}
	}
	for i := range cases {
		ch <- job{c: &cases[i], engine: RootlessPodman, capture: true}
		if RootfulToo(&cases[i]) {
			ch <- job{c: &cases[i], engine: RootfulPodman, capture: true}
		}
	}
	for _, rt := range rts {
		for i := range cases {
			ch <- job{c: &cases[i], engine: RootlessPodman, rt: rt}
			if RootfulToo(&cases[i]) {
				ch <- job{c: &cases[i], engine: RootfulPodman, rt: rt}
			}
		}
	}
	close(ch)
	wg.Wait()
	return out, specs
}

// Close removes both podmans' containers, stops the rootless podman's
// pause process (it holds the user and mount namespaces), and unmounts
// what is left below Dir.
func (h *RootlessHarness) Close() error {
	var first error
	for name, eh := range h.Engines {
		if _, stderr, err := eh.Podman(context.Background(), "rm", "--all", "--force"); err != nil && first == nil {
			first = fmt.Errorf("%s rm --all --force: %v: %s", name, err, dropHostWarnings(stderr))
		}
	}
	// pkg/rootless: the pause process's pid is in TMPDIR/pause.pid
	// (util.GetRootlessPauseProcessPidPathGivenDir@v4.3.1, --tmpdir).
	if eh := h.Engines[RootlessPodman]; eh != nil {
		for _, p := range []string{filepath.Join(eh.podDir, "tmp", "pause.pid"), filepath.Join(h.xdg, "libpod", "tmp", "pause.pid")} {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
				if err := unix.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) && first == nil {
					first = err
				}
			}
		}
	}
	if err := unmountBelow(h.Dir); err != nil && first == nil {
		first = err
	}
	return first
}

// RootlessRuntimesInstalled returns the installed runtimes of
// RootlessRuntimes, in its order, and the names not installed.
func RootlessRuntimesInstalled() ([]runtimes.Runtime, []string, error) {
	all, err := runtimes.Installed()
	if err != nil {
		return nil, nil, err
	}
	var out []runtimes.Runtime
	var missing []string
	for _, n := range RootlessRuntimes {
		i := slices.IndexFunc(all, func(r runtimes.Runtime) bool { return r.Name == n })
		if i < 0 {
			missing = append(missing, n)
			continue
		}
		out = append(out, all[i])
	}
	return out, missing, nil
}

// RunRootless builds and loads the images of cases into both podmans of a
// harness below a temporary directory, runs them (RunAll) and returns
// the goldens the runs make; the harness is closed and its directory
// removed.
func RunRootless(ctx context.Context, in *Installed, cases, specOnly []Case, rts []runtimes.Runtime, jobs int) (map[string]*RootlessGolden, error) {
	dir, err := os.MkdirTemp("", "pe-rl-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := MakeRootlessHostSource(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(HostSource, 0o755); err != nil { // Curated's -v
		return nil, err
	}
	h, err := StartRootless(ctx, dir, in)
	if err != nil {
		return nil, err
	}
	out, err := func() (map[string]*RootlessGolden, error) {
		archive := filepath.Join(dir, "images.tar")
		if err := Archive(slices.Concat(cases, specOnly), archive); err != nil {
			return nil, err
		}
		if err := h.Load(ctx, archive); err != nil {
			return nil, err
		}
		runs, specs := h.RunAll(ctx, cases, specOnly, rts, jobs)
		out := map[string]*RootlessGolden{}
		for _, c := range slices.Concat(cases, specOnly) {
			out[c.Name] = &RootlessGolden{Case: c, Rootless: h.Rootless, Specs: specs[c.Name], Runs: runs[c.Name]}
		}
		return out, nil
	}()
	if cerr := h.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("stopping the rootless harness: %w", cerr)
	}
	return out, err
}
