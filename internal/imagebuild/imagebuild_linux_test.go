//go:build linux

package imagebuild

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/rootfs"
)

const distroless = `
dir /home/nonroot 0700 65532:65532
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
file /app 0755 0:0 elf
file /bin/busybox 0755 0:0 busybox
symlink /bin/sh busybox
file /srv/ping 0750 0:1000 elf acl=u::rwx,u:1000:r-x,g::r-x,m::r-x,o::--- caps=CAP_NET_RAW+ep
fifo /run/fifo 0600 0:0
dir /home 0711 0:0
`

// entry is what a layer entry says, in comparable form.
type entry struct {
	Name     string
	Type     byte
	Mode     int64
	UID, GID int
	Link     string
	Xattrs   map[string][]byte
	// Content is the sha256 of the body, "" for none: cmp.Diff of a
	// busybox's bytes takes a minute under -race.
	Content string
}

func digest(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

func readLayer(t *testing.T, r io.Reader) []entry {
	t.Helper()
	var out []entry
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		e := entry{Name: h.Name, Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid, Link: h.Linkname, Content: digest(b)}
		for k, v := range h.PAXRecords {
			if strings.HasPrefix(k, "SCHILY.xattr.") {
				if e.Xattrs == nil {
					e.Xattrs = map[string][]byte{}
				}
				e.Xattrs[strings.TrimPrefix(k, "SCHILY.xattr.")] = []byte(v)
			}
		}
		out = append(out, e)
	}
}

// TestLayer holds each kind of fixture line to the tar entry an engine
// unpacks: parents first (0755 0:0), owners, modes, symlink bodies, the
// host's busybox, ACL and capability xattrs in the kernel's encodings.
func TestLayer(t *testing.T) {
	f := rootfs.MustParseFixture(distroless)
	b, err := Layer(f)
	if err != nil {
		t.Fatal(err)
	}
	busybox, err := os.ReadFile(fixture.HostBusybox)
	if err != nil {
		t.Skipf("no host busybox: %v", err)
	}
	var ping rootfs.Entry
	for _, e := range f.Entries {
		if e.Path == "/srv/ping" {
			ping = e
		}
	}
	dir := func(n string, mode int64, uid, gid int) entry {
		return entry{Name: n, Type: tar.TypeDir, Mode: mode, UID: uid, GID: gid}
	}
	want := []entry{
		dir("home/", 0o755, 0, 0),
		dir("home/nonroot/", 0o700, 65532, 65532),
		dir("etc/", 0o755, 0, 0),
		{Name: "etc/passwd", Type: tar.TypeReg, Mode: 0o644, Content: digest(f.Entries[1].Content)},
		{Name: "app", Type: tar.TypeReg, Mode: 0o755, Content: digest(rootfs.ProbeELF(rootfs.EM_X86_64, ""))},
		dir("bin/", 0o755, 0, 0),
		{Name: "bin/busybox", Type: tar.TypeReg, Mode: 0o755, Content: digest(busybox)},
		{Name: "bin/sh", Type: tar.TypeSymlink, Mode: 0o777, Link: "busybox"},
		dir("srv/", 0o755, 0, 0),
		{Name: "srv/ping", Type: tar.TypeReg, Mode: 0o750, GID: 1000, Content: digest(rootfs.ProbeELF(rootfs.EM_X86_64, "")),
			Xattrs: map[string][]byte{
				"system.posix_acl_access": fixture.ACLXattr(ping.ACL),
				"security.capability":     ping.Caps.Marshal(),
			}},
		dir("run/", 0o755, 0, 0),
		{Name: "run/fifo", Type: tar.TypeFifo, Mode: 0o600},
		dir("home/", 0o711, 0, 0),
	}
	if diff := cmp.Diff(want, readLayer(t, bytes.NewReader(b))); diff != "" {
		t.Errorf("Layer (-want +got):\n%s", diff)
	}
}

func TestLayerRefusesMounts(t *testing.T) {
	f := rootfs.MustParseFixture("mount /tmp tmpfs 1777 0:0\n")
	_, err := Layer(f)
	if err == nil || !strings.Contains(err.Error(), "line 1 (mount /tmp tmpfs 1777 0:0): a tmpfs mount has no image form") {
		t.Fatalf("Layer of a tmpfs line: got %v", err)
	}
}

// TestImage writes one image as a docker archive and an OCI layout and
// reads both back with go-containerregistry: the same config, the same
// layer, the same digest, and the same digest when built again.
func TestImage(t *testing.T) {
	f := rootfs.MustParseFixture("file /app 0755 0:0 elf\ndir /home/nonroot 0700 65532:65532\n")
	c := Config{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}, Cmd: []string{"-v"}, Env: []string{"PATH=/bin"}}
	img, err := Image(f, c)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Image(f, c)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	if d2, _ := again.Digest(); d != d2 {
		t.Errorf("two builds: digests %s and %s", d, d2)
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "image.tar")
	if err := WriteDockerArchive(archive, "preexec.test/distroless:nonroot", img); err != nil {
		t.Fatal(err)
	}
	oci := filepath.Join(dir, "oci")
	if err := WriteOCILayout(oci, "preexec.test/distroless:nonroot", img); err != nil {
		t.Fatal(err)
	}
	fromTar, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(oci)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "preexec.test/distroless:nonroot" {
		t.Fatalf("OCI layout index: %+v", im.Manifests)
	}
	fromOCI, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	wantLayer, err := Layer(f)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]v1.Image{"docker-archive": fromTar, "oci-layout": fromOCI} {
		cf, err := got.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		wantCfg := v1.Config{User: c.User, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint, Cmd: c.Cmd, Env: c.Env}
		if diff := cmp.Diff(wantCfg, cf.Config); diff != "" {
			t.Errorf("%s: config (-want +got):\n%s", name, diff)
		}
		if cf.OS != "linux" || cf.Architecture == "" {
			t.Errorf("%s: platform %s/%s", name, cf.OS, cf.Architecture)
		}
		layers, err := got.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("%s: layers %d, %v", name, len(layers), err)
		}
		rc, err := layers[0].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, wantLayer) {
			t.Errorf("%s: the layer read back differs from Layer's", name)
		}
		if gd, _ := got.Digest(); name == "oci-layout" && gd != d {
			t.Errorf("%s: digest %s, built %s", name, gd, d)
		}
	}
}
