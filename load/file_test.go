//go:build linux

package load_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
	"github.com/preexec/preexec"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
)

// TestHostileInputFiles: the files load reads whole are regular files of
// the input, read without blocking and within a bound. A FIFO config.json
// once hung forever, a link to /dev/zero grew until out of memory, and a
// config.json linked to /etc/shadow was read (its parse error leaked a
// byte of it).
func TestHostileInputFiles(t *testing.T) {
	bundle := func(t *testing.T, config func(path string)) string {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
			t.Fatal(err)
		}
		config(filepath.Join(dir, "config.json"))
		return dir
	}
	for _, c := range []struct {
		name   string
		config func(path string)
		want   string
	}{
		{"fifo", func(p string) { syscall.Mkfifo(p, 0o644) }, "config.json: a named pipe, not a regular file"},
		{"dev_zero", func(p string) { os.Symlink("/dev/zero", p) }, "config.json: a symbolic link; it must be a file of the input itself"},
		{"link_out", func(p string) { os.Symlink("/etc/shadow", p) }, "config.json: a symbolic link; it must be a file of the input itself"},
		{"too_large", func(p string) {
			f, _ := os.Create(p)
			f.Truncate(load.MaxFileBytes + 1)
			f.Close()
		}, "config.json: larger than the 64 MiB preexec reads of a file (limit file-size)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load.Bundle(bundle(t, c.config), nil)
			if err == nil || !strings.HasSuffix(err.Error(), c.want) {
				t.Fatalf("Bundle: %v; want …%s", err, c.want)
			}
		})
	}
	// INPUT itself, a pod and --config: followed if links, but regular.
	dir := t.TempDir()
	fifo := filepath.Join(dir, "input")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load.Kind(fifo); err == nil || !strings.Contains(err.Error(), "a named pipe, not a regular file") {
		t.Errorf("Kind of a FIFO: %v", err)
	}
	if _, err := load.ReadFile("/dev/zero"); err == nil || !strings.Contains(err.Error(), "a character device, not a regular file") {
		t.Errorf("ReadFile(/dev/zero): %v", err)
	}
}

// TestLayoutBlobsStayInside: a layout whose blobs/sha256 is a symbolic
// link to a directory elsewhere is refused, not read through the link
// (go-containerregistry's layout reader follows it); the same layout with
// the directory in place is read (up to its random layer, which is no tar).
func TestLayoutBlobsStayInside(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lay := filepath.Join(dir, "layout")
	lp, err := layout.Write(lay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	if _, err := load.OpenImage(lay, nil); err != nil && !strings.Contains(err.Error(), "layer") {
		t.Fatalf("the layout in place: %v", err)
	}
	elsewhere := filepath.Join(dir, "elsewhere")
	if err := os.Rename(filepath.Join(lay, "blobs", "sha256"), elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(lay, "blobs", "sha256")); err != nil {
		t.Fatal(err)
	}
	_, err = load.OpenImage(lay, nil)
	if err == nil || !strings.Contains(err.Error(), "blobs/sha256: a symbolic link, not a directory of the layout") {
		t.Fatalf("OpenImage through a linked blobs/sha256: %v", err)
	}
}

// tarOf is a plain tar holding one empty file, name.
func tarOf(t *testing.T, name string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	return b.Bytes()
}

// layoutOf writes img as the one image of a new OCI layout and returns its
// directory.
func layoutOf(t *testing.T, img v1.Image) string {
	lay := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(lay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	return lay
}

// TestSwappedLayer: a layer blob replaced by another valid layer (a
// swapped blob) is refused with ErrDigest, as docker and containerd refuse
// to load it; before, it gave a confident answer about the other layer.
func TestSwappedLayer(t *testing.T) {
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(tarOf(t, "a"), types.OCIUncompressedLayer))
	if err != nil {
		t.Fatal(err)
	}
	lay := layoutOf(t, img)
	f, err := load.OpenImage(lay, nil)
	if err != nil {
		t.Fatalf("the image as written: %v", err)
	}
	if _, err := f.Lstat("/a"); err != nil {
		t.Fatalf("/a: %v", err)
	}
	ls, _ := img.Layers()
	dg, _ := ls[0].Digest()
	if err := os.WriteFile(filepath.Join(lay, "blobs", dg.Algorithm, dg.Hex), tarOf(t, "b"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = load.OpenImage(lay, nil)
	if !errors.Is(err, load.ErrDigest) || !strings.Contains(err.Error(), dg.String()) {
		t.Fatalf("OpenImage of a swapped layer: %v; want ErrDigest naming %s", err, dg)
	}
}

// TestZstdUnderGzipMediaType: a layer's compression is told by its magic
// number, as containerd tells it: zstd bytes under a +gzip media type are
// read (they were refused).
func TestZstdUnderGzipMediaType(t *testing.T) {
	var zb bytes.Buffer
	zw, err := zstd.NewWriter(&zb)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(tarOf(t, "z"))
	zw.Close()
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(zb.Bytes(), types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	f, err := load.OpenImage(layoutOf(t, img), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Lstat("/z"); err != nil {
		t.Errorf("/z: %v", err)
	}
}

// writeBlob writes data as a blob of the layout lay and returns its
// descriptor of media type mt.
func writeBlob(t *testing.T, lay string, data []byte, mt types.MediaType) v1.Descriptor {
	h, n, err := v1.SHA256(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lay, "blobs", h.Algorithm, h.Hex), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return v1.Descriptor{MediaType: mt, Size: n, Digest: h}
}

// TestNestedIndexFanOut: four nested indexes each listing its child 30
// times name one image: each is read once (it was 30⁴ reads, past 120 s),
// and an index of more than MaxIndexDescriptors entries is refused naming
// the limit, with a short error.
func TestNestedIndexFanOut(t *testing.T) {
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(tarOf(t, "a"), types.OCIUncompressedLayer))
	if err != nil {
		t.Fatal(err)
	}
	lay := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(lay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.WriteImage(img); err != nil {
		t.Fatal(err)
	}
	mf, _ := img.RawManifest()
	child := writeBlob(t, lay, mf, types.OCIManifestSchema1)
	index := func(d v1.Descriptor, n int) []byte {
		im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
		for range n {
			im.Manifests = append(im.Manifests, d)
		}
		b, _ := json.Marshal(im)
		return b
	}
	for range 4 {
		child = writeBlob(t, lay, index(child, 30), types.OCIImageIndex)
	}
	if err := os.WriteFile(filepath.Join(lay, "index.json"), index(child, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := load.OpenImage(lay, nil)
	if err != nil {
		t.Fatalf("one image behind 30⁴ listings: %v", err)
	}
	if _, err := f.Lstat("/a"); err != nil {
		t.Errorf("/a: %v", err)
	}

	im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	for i := range load.MaxIndexDescriptors + 1 {
		d := writeBlob(t, lay, mf, types.OCIManifestSchema1)
		d.Annotations = map[string]string{"org.opencontainers.image.ref.name": fmt.Sprint("r", i)}
		im.Manifests = append(im.Manifests, d)
	}
	b, _ := json.Marshal(im)
	if err := os.WriteFile(filepath.Join(lay, "index.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = load.OpenImage(lay, nil)
	if err == nil || !strings.Contains(err.Error(), "more than 10000 descriptors in its indexes (limit index-descriptors)") || len(err.Error()) > 400 {
		t.Fatalf("an index of %d entries: %.400v", load.MaxIndexDescriptors+1, err)
	}
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestManyBindMounts: 21,000 bind mounts of one directory open it once
// (they once ran preexec out of descriptors, which it reported as the
// container's error), and 10,000 tmpfs mounts are looked up by an index,
// not each mount tried per name; the container still starts.
func TestManyBindMounts(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"rootfs", "src"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "app"), rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o755); err != nil {
		t.Fatal(err)
	}
	var mounts []string
	for i := range 21000 {
		mounts = append(mounts, fmt.Sprintf(`{"destination":"/b/%d","type":"bind","source":"src","options":["rbind"]}`, i))
	}
	for i := range 10000 {
		mounts = append(mounts, fmt.Sprintf(`{"destination":"/t/%d","type":"tmpfs","source":"tmpfs"}`, i))
	}
	config := `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"mounts":[` + strings.Join(mounts, ",") + `],
 "process":{"user":{"uid":0,"gid":0},"cwd":"/","args":["/app"],"env":["PATH=/bin"]}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	c, err := load.Bundle(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n := openFDs(t) - before; n > 8 {
		t.Errorf("reading the bundle holds %d more descriptors, want a few", n)
	}
	rt, _ := preexec.LookupRuntime("runc@1.1.12")
	if res := preexec.Evaluate(c.Plan, c.FS, rt, c.Host); !res.Starts {
		t.Errorf("runc 1.1.12: %s %s (%v)", res.Step, res.Text, res.Unknown)
	}
}
