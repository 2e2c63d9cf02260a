//go:build linux

package rootfs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// BenchmarkDirCheck is one preexec.Evaluate of a distroless-like container
// (cwd /home/nonroot 0700 65532:65532, entrypoint /app 0755 0:0 busybox,
// user 65532) on a rootfs.Dir, NewDir and Close included, over trees of
// 1k and 100k files (in /usr/share/doc/pkgNNNN, made before the timing).
// Budget (issue 7): the same cost at every size, since a Dir reads only the
// inodes a check names.
//
// As another user than root the tree and the container user are the
// caller's own ids: the same lookups, without chown.
func BenchmarkDirCheck(b *testing.B) {
	for _, files := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			root, uid := distrolessTree(b, files)
			plan, err := spec.Parse("config.json", []byte(fmt.Sprintf(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
  "process": {"user": {"uid": %d, "gid": %d}, "cwd": "/home/nonroot", "args": ["/app"], "env": ["PATH=/usr/bin:/bin"]}}`, uid, uid)))
			if err != nil {
				b.Fatal(err)
			}
			rt, err := preexec.LookupRuntime("runc@1.1.4+go1.19")
			if err != nil {
				b.Fatal(err)
			}
			check := func() preexec.Result {
				d, err := rootfs.NewDir(root)
				if err != nil {
					b.Fatal(err)
				}
				res := preexec.Evaluate(plan, d, rt, preexec.Host{})
				d.Close()
				return res
			}
			if res := check(); !res.Starts {
				b.Fatalf("the distroless-like container does not start: %s", res.Text)
			}
			b.ReportAllocs()
			for b.Loop() {
				check()
			}
			b.ReportMetric(float64(files), "files")
		})
	}
}

// distrolessTree makes, below b.TempDir(), /home/nonroot 0700 and /app 0755
// (the host's busybox, or the probe ELF) and files empty files in
// directories of 100. It returns the root and the uid that owns
// /home/nonroot: 65532 as root, else the caller's.
func distrolessTree(b *testing.B, files int) (string, int) {
	b.Helper()
	root := b.TempDir()
	uid := 65532
	if os.Geteuid() != 0 {
		uid = os.Getuid()
	}
	home := filepath.Join(root, "home", "nonroot")
	if err := os.MkdirAll(home, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.Chown(home, uid, uid); err != nil {
		b.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		b.Fatal(err)
	}
	app, err := os.ReadFile(fixture.HostBusybox)
	if err != nil {
		app = rootfs.ProbeELF(access.EM_X86_64, "")
	}
	if err := os.WriteFile(filepath.Join(root, "app"), app, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < files; i++ {
		dir := filepath.Join(root, "usr", "share", "doc", fmt.Sprintf("pkg%04d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("file%02d", i%100)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	return root, uid
}
