package spec_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseDeepNesting: a config nested far deeper than any real one is
// refused with a located error, and placing that error costs memory in
// proportion to the input, not its square (a 40 KB config of 20,000 '['
// once took 1.2 GB and 54 s to place). No timing is asserted; the bytes
// allocated are.
func TestParseDeepNesting(t *testing.T) {
	for _, c := range []struct {
		name string
		data string
		want string
	}{
		{"arrays", `{"process":` + strings.Repeat("[", 100_000), "config.json:1:10011: process[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]…[0]"},
		{"objects", `{"process":` + strings.Repeat(`{"a":`, 40_000), "config.json:1:"},
		{"type_error_deep", `{"process":{"args":` + strings.Repeat("[", 5_000) + strings.Repeat("]", 5_000) + `}}`, "config.json:1:21: process.args[0]: want string, got array"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = spec.Parse("config.json", []byte(c.data)) })
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("Parse: %.300v; want an error starting %q", err, c.want)
			}
			if limit := uint64(400 * len(c.data)); n > limit {
				t.Errorf("placing the error allocated %d bytes for %d bytes of input, want ≤ %d", n, len(c.data), limit)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("the error is %d bytes long; a path keeps its ends", len(err.Error()))
			}
		})
	}
}

// TestPodYAMLAliasBomb: a manifest whose aliases expand a 1 MB anchor
// 1,000 times (a gigabyte; 4.9 GB of RSS once) is refused before it is
// expanded, with ErrYAMLExpansion and the line; aliases that expand a
// little are read as before.
func TestPodYAMLAliasBomb(t *testing.T) {
	refs := strings.Repeat("*big, ", 999) + "*big"
	bomb := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: &big \"" + strings.Repeat("x", 1<<20) + "\"\n    b: [" + refs + "]\nspec:\n  containers: [{name: c, image: i}]\n"
	var err error
	n := allocated(func() { _, err = spec.ParsePod("pod.yaml", []byte(bomb), "") })
	if !errors.Is(err, spec.ErrYAMLExpansion) {
		t.Fatalf("ParsePod: %.200v; want ErrYAMLExpansion", err)
	}
	if !strings.HasPrefix(err.Error(), "pod.yaml:1: YAML aliases expand") {
		t.Errorf("error %q: want the file, the line and the reason", err)
	}
	if limit := uint64(64 << 20); n > limit {
		t.Errorf("refusing allocated %d bytes, want ≤ %d", n, limit)
	}

	small := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: i\n    env: &env [{name: A, value: \"1\"}]\n  - name: b\n    image: i\n    env: *env\n"
	ov, err := spec.ParsePod("pod.yaml", []byte(small), "b")
	if err != nil || ov.Kube == nil || len(ov.Kube.Env) != 1 || ov.Kube.Env[0] != "A=1" {
		t.Errorf("ParsePod with a small alias: %+v, %v; want container b with A=1", ov.Kube, err)
	}
}

// partialFS holds every inode of a Mem but not the bytes of one file, as an
// image index does for an /etc/passwd over rootfs.MaxImageHeld.
type partialFS struct {
	access.FS
	lacks string
}

func (p partialFS) ReadAt(name string, b []byte, off int64) (int, error) {
	if name == p.lacks {
		return 0, fmt.Errorf("the image index does not hold these bytes: %w", access.ErrNoContent)
	}
	return p.FS.ReadAt(name, b, off)
}

// TestFromImageNoContent: an engine that reads /etc/passwd or /etc/group
// whose bytes the root filesystem does not hold (over the image index's
// held bytes, or a manifest's) makes an unknown, not a refusal (it was a
// false "read /etc/passwd: …" refusal even for a numeric user, which
// Docker starts), for every engine.
func TestFromImageNoContent(t *testing.T) {
	mem := rootfs.MustParseFixture("file /etc/passwd 0644 0:0 text=\"alice:x:1000:1000::/home/alice:/bin/sh\\n\"\nfile /etc/group 0644 0:0 text=\"staff:x:50:alice\\n\"\nfile /app 0755 0:0 elf\n").Mem()
	img := spec.ImageConfig{User: "1000", Entrypoint: []string{"/app"}}
	// ctr's WithUser reads /etc/passwd alone (it adds no groups).
	reads := map[string][]string{"/etc/passwd": {"docker@20.10.24", "podman@4.3.1", "containerd@1.6.20", "containerd-cri@1.6.20", "crio@1.34.0"},
		"/etc/group": {"docker@20.10.24", "podman@4.3.1", "containerd-cri@1.6.20", "crio@1.34.0"}}
	for lacks, engines := range reads {
		for _, name := range engines {
			eng, err := spec.LookupEngine(name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = spec.FromImage(img, partialFS{mem, lacks}, eng, spec.Overrides{})
			var nc *spec.NoContentError
			if !errors.As(err, &nc) || !errors.Is(err, access.ErrNoContent) || nc.Path != lacks {
				t.Errorf("%s without %s's bytes: %v; want a NoContentError for it", name, lacks, err)
			}
		}
	}
}
