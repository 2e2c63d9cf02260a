//go:build linux

package rootfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// TestImageContainerd holds Image to the real containerd: each row of
// imageRuleRows becomes a docker-archive (go-containerregistry), which a
// private containerd (the installed one, 1.6.20 in CI) imports and
// unpacks into its overlayfs snapshotter; `ctr images mount` shows the
// merged tree, read through rootfs.Dir, and every name of either side
// must agree in type, mode, owner, size, symlink body, ACL and file
// capabilities. Where containerd refuses a layer, NewImage must too. Rows
// whose unpacking Image does not model (its error says so) only log what
// containerd did. Runs as root with containerd and ctr on PATH; with
// PREEXEC_ORACLE=required (CI) not running is a failure. Summary line:
// "image-oracle: <rows> rows x containerd <version>, <M> disagreements".
func TestImageContainerd(t *testing.T) {
	skip := t.Skip
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		skip = t.Fatal
	}
	if os.Geteuid() != 0 {
		skip("containerd's unpacking is the oracle: run as root")
	}
	ctrd, err1 := exec.LookPath("containerd")
	ctr, err2 := exec.LookPath("ctr")
	if err1 != nil || err2 != nil {
		skip("containerd and ctr are not installed (.ci/install-engines)")
	}
	version, _ := exec.Command(ctrd, "--version").Output()
	dir, err := os.MkdirTemp("/tmp", "pxi")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "sock")
	conf := fmt.Sprintf("version = 2\nroot = %q\nstate = %q\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = %q\n[ttrpc]\n  address = %q\n",
		filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc")
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	daemon := exec.Command(ctrd, "--config", filepath.Join(dir, "config.toml"))
	daemon.Stdout, daemon.Stderr = logf, logf
	daemon.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-daemon.Process.Pid, syscall.SIGTERM)
		daemon.Wait()
	}()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("containerd did not start: %s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, ctr, append([]string{"-a", sock, "-n", "preexec"}, args...)...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	rows, notModelled, disagree := imageRuleRows(), 0, 0
	rows = append(rows, ruleRow{name: "conformance_fixture", rule: "every inode form of the conformance fixture: ACLs, file capabilities (revisions 2 and 3), setuid, sticky, FIFOs, ELFs, scripts",
		layers: [][]tf{{tdir("base/", 0o755, 0, 0)}, fixtureEntries(t, MustParseFixture(conformance))}})
	for _, r := range rows {
		ok := t.Run(r.name, func(t *testing.T) {
			var layers [][]byte
			for _, l := range r.layers {
				layers = append(layers, layerTar(t, true, l...))
			}
			ref := "preexec.test/rule-" + strings.ReplaceAll(r.name, "_", "-") + ":1"
			archive := filepath.Join(dir, r.name+".tar")
			tag, err := name.NewTag(ref)
			if err != nil {
				t.Fatal(err)
			}
			if err := tarball.WriteToFile(archive, tag, ggcrImage(t, spec.ImageConfig{}, hostPl(), layers...)); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(dir, "m-"+r.name)
			out, cerr := run("images", "import", archive)
			if cerr == nil {
				if err := os.Mkdir(target, 0o755); err != nil {
					t.Fatal(err)
				}
				if out, cerr = run("images", "mount", ref, target); cerr == nil {
					defer run("images", "unmount", "--rm", target)
				}
			}
			model, merr := NewImage(memLayers(layers...), &ImageOptions{Whole: wholeAll})
			if merr != nil && errors.Is(merr, errNotModelled) {
				t.Logf("not modelled; containerd: %v %s", cerr, out)
				notModelled++
				return
			}
			if (cerr != nil) != (merr != nil) {
				t.Fatalf("%s: containerd: %v: %s; model: %v", r.rule, cerr, out, merr)
			}
			if cerr != nil {
				t.Logf("both refuse: containerd: %s; model: %v", out, merr)
				return
			}
			compareImageTree(t, target, model)
		})
		if !ok {
			disagree++
		}
	}
	v := "?"
	if f := strings.Fields(string(version)); len(f) >= 3 {
		v = f[2] // "containerd github.com/containerd/containerd 1.6.20~ds1 …"
	}
	t.Logf("image-oracle: %d rows x containerd %s, %d disagreements (%d not modelled)", len(rows), v, disagree, notModelled)
}

// compareImageTree compares every name under root (read with rootfs.Dir)
// with model, and every name of model with root.
func compareImageTree(t *testing.T, root string, model *Image) {
	t.Helper()
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		n := filepath.Clean("/" + rel)
		seen[n] = true
		compareImageName(t, d, model, n)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range model.ents.len() {
		if n := model.nameOf(uint32(i)); !seen[n] {
			t.Errorf("%s: in the model, not in containerd's tree", n)
		}
	}
}

func compareImageName(t *testing.T, d *Dir, model *Image, n string) {
	t.Helper()
	want, werr := d.Lstat(n)
	got, gerr := model.Lstat(n)
	if werr != nil || gerr != nil {
		t.Errorf("%s: Lstat: containerd %v, model %v", n, werr, gerr)
		return
	}
	if !want.IsRegular() && !want.IsSymlink() {
		want.Size, got.Size = 0, 0
	}
	// Revision 0 reads back as 2; and getxattr in the initial namespace
	// shows a revision-3 value whose root id is 0 as revision 2
	// (security/commoncap.c:cap_inode_getsecurity), while Image keeps it as
	// the layer wrote it: execve treats the two alike (a rootid-0 value
	// counts in every namespace), so they compare equal.
	norm := func(fc *caps.FileCaps) *caps.FileCaps {
		if fc == nil {
			return nil
		}
		c := *fc
		if c.Revision == 0 || (c.Revision == 3 && c.RootID == 0) {
			c.Revision = 2
		}
		return &c
	}
	want.Caps, got.Caps = norm(want.Caps), norm(got.Caps)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: Lstat (-containerd +model):\n%s", n, diff)
	}
	if want.IsSymlink() {
		wl, _ := d.Readlink(n)
		gl, _ := model.Readlink(n)
		if wl != gl {
			t.Errorf("%s: Readlink: containerd %q, model %q", n, wl, gl)
		}
	}
	if want.IsRegular() && want.Size > 0 && want.Size < 1<<20 {
		wb, gb := make([]byte, want.Size), make([]byte, want.Size)
		d.ReadAt(n, wb, 0)
		if k, err := model.ReadAt(n, gb, 0); (err != nil && err != access.ErrNoContent && k != len(gb)) || string(wb) != string(gb) {
			t.Errorf("%s: contents differ: containerd %q, model %q (%v)", n, wb, gb, err)
		}
	}
}
