//go:build linux

package rootfs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/internal/runtimes"
	"github.com/preexec/preexec/internal/runtimetest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// benchDepths are the depths of the cwd and of args[0] in
// BenchmarkBundleCheck: the number of components of each path.
var benchDepths = []int{1, 8, 128}

// BenchmarkBundleCheck is one check of a bundle on disk for every runtime
// (preexec.Runtimes), in process, as `preexec check` does it: NewDir, the
// plan's mounts over it (preexec.NewView), Compare and Close, the plan
// parsed before. The rootfs holds 1k or 1M files (in
// /usr/share/doc/pkgNNNN; the 1M tree is made once below os.TempDir() and
// kept for later runs, and skipped with -short) and the cwd and args[0] (a
// static busybox run as "true") at depth 1, 8 and 128.
//
// For each tree and depth:
//   - check: on a CachedDir (Dir.Cached), what the CLI does. Budget
//     (issue 13): ≤ 300 µs, linear in the depth.
//   - check-uncached: on the Dir itself, each name resolved from the root
//     for every question, for comparison.
//   - runc-run: one real `runc run` of the same bundle (the newest runc of
//     the runtime oracle's manifest, else /usr/sbin/runc; it needs root),
//     with x-cheaper-than-runc-run, its time over check's in this run.
//     Budget: ≥ 300×.
func BenchmarkBundleCheck(b *testing.B) {
	for _, files := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			if files > 1_000 && testing.Short() {
				b.Skip("the 1M-file tree takes a minute to make the first time: not with -short")
			}
			bt := benchTree(b, files)
			for _, depth := range benchDepths {
				b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
					plan, bundle := bt.bundle(b, depth)
					rts := preexec.Runtimes()
					check := func(cached bool) preexec.Comparison {
						d, err := rootfs.NewDir(bt.root)
						if err != nil {
							b.Fatal(err)
						}
						var fsys access.FS = d
						var c *rootfs.CachedDir
						if cached {
							c = d.Cached()
							fsys = c
						}
						cmp := preexec.Compare(plan, preexec.NewView(plan, fsys, nil), rts, preexec.Host{})
						if c != nil {
							c.Close()
						}
						d.Close()
						return cmp
					}
					if cmp := check(true); len(cmp.Groups) == 0 || !cmp.Groups[0].Starts {
						b.Fatalf("the bundle does not start: %+v", cmp.Groups)
					}
					var checkNs float64
					b.Run("check", func(b *testing.B) {
						b.ReportAllocs()
						cpu := processCPU()
						for b.Loop() {
							check(true)
						}
						reportCPU(b, cpu)
						checkNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
						b.ReportMetric(float64(len(rts)), "runtimes")
					})
					b.Run("check-uncached", func(b *testing.B) {
						b.ReportAllocs()
						cpu := processCPU()
						for b.Loop() {
							check(false)
						}
						reportCPU(b, cpu)
					})
					b.Run("runc-run", func(b *testing.B) {
						runc, why := benchRunc()
						if runc == "" {
							b.Skip(why)
						}
						state := b.TempDir()
						n := 0
						run := func() {
							n++
							ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
							defer cancel()
							id := fmt.Sprintf("preexec-bench-%d-%d", os.Getpid(), n)
							cmd := exec.CommandContext(ctx, runc, "--root", state, "run", "--bundle", bundle, id)
							cmd.Stdout, cmd.Stderr = io.Discard, nil
							var stderr strings.Builder
							cmd.Stderr = &stderr
							cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
							if err := cmd.Run(); err != nil {
								b.Fatalf("%s run: %v\n%s", runc, err, stderr.String())
							}
						}
						run()
						for b.Loop() {
							run()
						}
						if checkNs > 0 {
							runNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
							b.ReportMetric(runNs/checkNs, "x-cheaper-than-runc-run")
						}
					})
				})
			}
		})
	}
}

// benchRunc is the runc BenchmarkBundleCheck runs, or "" and why not.
var benchRunc = sync.OnceValues(func() (string, string) {
	if os.Geteuid() != 0 {
		return "", "runc run needs root"
	}
	if all, err := runtimes.Installed(); err == nil {
		for i := len(all) - 1; i >= 0; i-- {
			if all[i].Kind == runtimes.KindRunc && all[i].Path != "" {
				return all[i].Path, ""
			}
		}
	}
	if _, err := os.Stat("/usr/sbin/runc"); err == nil {
		return "/usr/sbin/runc", ""
	}
	return "", "no runc: none in " + runtimes.Dir() + "/manifest.json, no /usr/sbin/runc"
})

// A benchBundle is a rootfs with files files and the chains of every
// benchDepths, shared by one bundle directory per depth.
type benchBundle struct {
	dir, root string
}

// benchTree returns the tree for files: below b.TempDir() for 1k, kept
// below os.TempDir() (made once, marked complete) for more.
func benchTree(b *testing.B, files int) *benchBundle {
	b.Helper()
	var dir string
	if files <= 1_000 {
		dir = b.TempDir()
	} else {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("preexec-bench-bundle-%d-v1-uid%d", files, os.Geteuid()))
		if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
			return &benchBundle{dir: dir, root: filepath.Join(dir, "rootfs")}
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.Logf("making %d files below %s, once", files, dir)
	}
	bt := &benchBundle{dir: dir, root: filepath.Join(dir, "rootfs")}
	for _, p := range []string{dir, bt.root} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.Chmod(p, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	app, err := os.ReadFile(fixture.HostBusybox)
	if err != nil {
		b.Skipf("the bundle's entrypoint is the host's static busybox: %v", err)
	}
	for _, depth := range benchDepths {
		chain := bt.chain(depth)
		if err := os.MkdirAll(filepath.Join(bt.root, chain, "w"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bt.root, chain, "true"), app, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < files; i += 100 {
		d := filepath.Join(bt.root, "usr", "share", "doc", fmt.Sprintf("pkg%04d", i/100))
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		dfd, err := unix.Open(d, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 100 && i+j < files; j++ {
			fd, err := unix.Openat(dfd, fmt.Sprintf("file%02d", j), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			unix.Close(fd)
		}
		unix.Close(dfd)
	}
	if files > 1_000 {
		if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return bt
}

// chain is the directory the cwd and args[0] of depth are in, "" or
// "/depthN/d/d…" with depth-1 components.
func (bt *benchBundle) chain(depth int) string {
	if depth == 1 {
		return ""
	}
	return fmt.Sprintf("/depth%d", depth) + strings.Repeat("/d", depth-2)
}

// bundle writes the bundle of depth (config.json whose root.path is the
// shared rootfs) and returns its plan and directory.
func (bt *benchBundle) bundle(b *testing.B, depth int) (*spec.Plan, string) {
	b.Helper()
	chain := bt.chain(depth)
	c := &runtimetest.Case{Process: runtimetest.Process{
		UID: 1000, GID: 1000,
		Cwd:  chain + "/w",
		Args: []string{chain + "/true"},
		Env:  []string{"PATH=/usr/bin:/bin"},
	}}
	s := runtimetest.Spec(c, nil)
	s.Root.Path = bt.root
	text, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(bt.dir, fmt.Sprintf("bundle-depth%d", depth))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), text, 0o644); err != nil {
		b.Fatal(err)
	}
	plan, err := spec.Parse("config.json", text)
	if err != nil {
		b.Fatal(err)
	}
	return plan, dir
}

// processCPU is the CPU time this process has used, user and system: a
// cost that, unlike the wall clock, other load on the machine does not
// inflate by waiting.
func processCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process CPU time per op since start as cpu-ns/op
// (the garbage collector's included). A metric, never a budget asserted.
func reportCPU(b *testing.B, start time.Duration) {
	if start == 0 {
		return
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}
