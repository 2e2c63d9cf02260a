package rootfs_test

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
	"github.com/preexec/preexec/spec"
)

// The tests of package rootfs that write image files read them with
// load.OpenImage (rootfs cannot import load).
func init() {
	rootfs.SetOpenImage(func(p string, o *rootfs.ImageOptions) (*rootfs.Image, spec.ImageConfig, error) {
		f, err := load.OpenImage(p, o)
		if err != nil {
			return nil, spec.ImageConfig{}, err
		}
		return f.Image, f.Config, nil
	})
}

// imageFixture is every inode form an image layer carries (mounts have
// none; the root's mode is the snapshotter's, so no "dir /" line).
const imageFixture = `
dir /home/nonroot 0700 65532:65532
dir /home/acl 0750 1000:1000 acl=u::rwx,u:5:r-x,g::r-x,m::r-x,o::---
dir /tmp 1777 0:0
file /app 0755 0:0 busybox
file /bin/ping 4755 0:0 elf caps=CAP_NET_RAW+ep
file /bin/dyn 0755 0:0 interp=/lib/ld-linux-x86-64.so.2
file /lib/ld-linux-x86-64.so.2 0755 0:0 elf
file /entrypoint.sh 0744 0:0 script=/bin/sh
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\n"
file /etc/motd 0644 0:0 text="hello\n"
file /etc/empty 0644 0:0
file /srv/acl 0640 0:0 text="x" acl=u::rw-,g::r--,g:7:rw-,m::rw-,o::---
file /usr/bin/newuidmap 0755 0:0 elf caps=CAP_SETUID+ep caprev=3 caproot=0
symlink /bin/sh /app
symlink /usr/lib64 lib 0:0
symlink /loop1 loop2
symlink /loop2 loop1
fifo /run/fifo 0600 1:1
`

// TestImageConformance runs rootfstest's suite on Images of imageFixture:
// from a plain and a gzip layer stream, and opened from an OCI layout, an
// OCI archive and a docker-archive written by go-containerregistry. With
// every content kept (Whole), an Image answers as rootfs.Mem does.
func TestImageConformance(t *testing.T) {
	f := rootfs.MustParseFixture(imageFixture)
	rootfstest.TestFS(t, f.Mem(), f)
	opts := &rootfs.ImageOptions{Whole: rootfs.WholeAll}
	for _, gz := range []bool{false, true} {
		layer := rootfs.FixtureLayer(t, f, gz)
		img, err := rootfs.NewImage([]rootfs.ImageLayer{{Name: "fixture", Open: opener(layer)}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := rootfstest.Check(img, f); err != nil {
			t.Errorf("gzip=%v: %v", gz, err)
		}
	}
	dir := t.TempDir()
	img := rootfs.GGCRImage(t, spec.ImageConfig{}, rootfs.FixtureLayer(t, f, true))
	lay := filepath.Join(dir, "layout")
	lp, err := layout.Write(lay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	oci := filepath.Join(dir, "oci.tar")
	rootfs.TarDir(t, lay, oci)
	docker := filepath.Join(dir, "docker.tar")
	tag, _ := name.NewTag("preexec.test/fixture:1")
	if err := tarball.WriteToFile(docker, tag, img); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{lay, oci, docker} {
		got, err := load.OpenImage(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := rootfstest.Check(got.Image, f); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}
