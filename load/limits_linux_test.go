//go:build linux

package load_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
)

// TestLimitsReached: each limit of load.Limits, set below what an input
// needs, refuses it with an error naming the limit as --limit takes it;
// the default reads the same input.
func TestLimitsReached(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle")
	for _, d := range []string{"rootfs", "a", "b"} {
		if err := os.MkdirAll(filepath.Join(bundle, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bundle, "rootfs", "app"), rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(bundle, "config.json"), `{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "mounts":[{"destination":"/ma","type":"bind","source":"a","options":["rbind"]},{"destination":"/mb","type":"bind","source":"b","options":["rbind"]}],
 "process":{"user":{"uid":0,"gid":0},"cwd":"/mb","args":["/app"],"env":["PATH=/bin"]}}`)

	mtree := write(t, filepath.Join(dir, "root.mtree"), "#mtree\n/set type=file mode=0644 uid=0 gid=0\n. type=dir mode=0755\n    app mode=0755\n..\n")
	pod := write(t, filepath.Join(dir, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {x: &a "+strings.Repeat("y", 2000)+"}\nspec:\n  containers:\n  - name: c\n    image: i\n    env:\n    - {name: A, value: *a}\n    - {name: B, value: *a}\n")

	layer := func(name string) mutate.Addendum {
		return mutate.Addendum{Layer: static.NewLayer(tarOf(t, name), types.OCIUncompressedLayer)}
	}
	img, err := mutate.Append(empty.Image, layer("a"), layer("b"))
	if err != nil {
		t.Fatal(err)
	}
	image := layoutOf(t, img)
	// An index listing the image twice: two descriptors, one image.
	twice := layoutOf(t, img)
	if lp, err := layout.FromPath(twice); err != nil {
		t.Fatal(err)
	} else if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}

	// A docker-archive whose manifest.json, one image of 200 tags, is
	// larger than its config.
	tags := map[name.Reference]v1.Image{}
	for i := range 200 {
		ref, err := name.ParseReference(fmt.Sprintf("preexec.test/many-tags:t%d", i))
		if err != nil {
			t.Fatal(err)
		}
		tags[ref] = img
	}
	dockerArchive := filepath.Join(dir, "docker.tar")
	if err := tarball.MultiRefWriteToFile(dockerArchive, tags); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name  string
		open  func(*load.Options) (*load.Container, error)
		limit string
		want  string
	}{
		{"a config.json over file-size", func(o *load.Options) (*load.Container, error) { return load.Bundle(bundle, o) },
			"file-size=100", "config.json: larger than the 100 bytes preexec reads of a file (limit file-size)"},
		{"a pod whose aliases add more than yaml-expansion", func(o *load.Options) (*load.Container, error) {
			o.PodFile = pod
			return load.Manifest(mtree, o)
		}, "yaml-expansion=1KiB", "pod.yaml:1: YAML aliases expand 2172 bytes by more than 1 KiB; refused (limit yaml-expansion)"},
		{"a docker-archive's manifest.json over file-size", func(o *load.Options) (*load.Container, error) { return load.Image(dockerArchive, o) },
			"file-size=4KiB", "manifest.json: member manifest.json: larger than the 4 KiB preexec reads of a manifest or config (limit file-size)"},
		{"an image of more than layers", func(o *load.Options) (*load.Container, error) { return load.Image(image, o) },
			"layers=1", "2 layers, more than the 1 read (limit layers)"},
		{"layers inflating past inflated-size", func(o *load.Options) (*load.Container, error) { return load.Image(image, o) },
			"inflated-size=1KiB", "hold more than 1 KiB (limit inflated-size)"},
		{"an index of more than index-descriptors", func(o *load.Options) (*load.Container, error) { return load.Image(twice, o) },
			"index-descriptors=1", "more than 1 descriptors in its indexes (limit index-descriptors)"},
		{"a manifest over mtree-size", func(o *load.Options) (*load.Container, error) { return load.Manifest(mtree, o) },
			"mtree-size=40", "root.mtree: larger than 40 bytes (limit mtree-size)"},
		{"a manifest of more than mtree-lines", func(o *load.Options) (*load.Container, error) { return load.Manifest(mtree, o) },
			"mtree-lines=2", "lines, more than the 2 preexec reads (limit mtree-lines)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The default reads it.
			if ct, err := c.open(&load.Options{}); err != nil {
				t.Fatalf("default limits: %v", err)
			} else {
				ct.Close()
			}
			var o load.Options
			if err := o.Limits.Set(c.limit); err != nil {
				t.Fatal(err)
			}
			ct, err := c.open(&o)
			if err == nil {
				ct.Close()
				t.Fatalf("--limit %s: read; want %q", c.limit, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("--limit %s: %v; want %q", c.limit, err, c.want)
			}
		})
	}

	// bind-sources: past it, a mount's source is not opened and what it
	// shows is unknown (here the cwd /mb, under the second source).
	o := load.Options{Limits: load.Limits{BindSources: 1}}
	ct, err := load.Bundle(bundle, &o)
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Close()
	rt, _ := preexec.LookupRuntime("runc@1.1.12")
	res := preexec.Evaluate(ct.Plan, ct.FS, rt, ct.Host)
	if res.Starts || !errors.Is(res.Err, access.ErrUnreadable) || !strings.Contains(res.Unknown, "more than 1 bind mount sources (limit bind-sources)") {
		t.Errorf("bind-sources=1: starts %v, unknown %q, err %v; want unknown naming the limit", res.Starts, res.Unknown, res.Err)
	}
	if res.Text != "" {
		t.Errorf("bind-sources=1: printed %q for an unknown", res.Text)
	}
}
