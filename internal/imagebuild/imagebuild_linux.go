//go:build linux

package imagebuild

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/rootfs"
)

// Epoch is the modification time of every layer entry and the image's
// creation time: fixed, so that builds are reproducible.
var Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// The PAX records that carry a fixture's xattrs (archive/tar's
// paxSchilyXattr prefix and the kernel's xattr names).
const (
	PAXACL  = "SCHILY.xattr.system.posix_acl_access"
	PAXCaps = "SCHILY.xattr.security.capability"
)

// Layer returns the uncompressed layer tar of f: for each line in order, its
// missing parent directories (0755 0:0), then the line's own entry. A later
// line for a path already written replaces it (an engine unpacking the
// layer applies entries in order), except that a directory written again
// only updates its attributes. Names are relative ("home/nonroot/"); the
// root directory, when a line gives it, is "./".
func Layer(f *rootfs.Fixture) ([]byte, error) {
	var busybox []byte
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	seen := map[string]bool{}
	var parents func(p string) error
	parents = func(p string) error {
		dir := path.Dir(p)
		if dir == "/" || dir == p || seen[dir] {
			return nil
		}
		if err := parents(dir); err != nil {
			return err
		}
		seen[dir] = true
		return tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeDir, Name: tarName(dir, true), Mode: 0o755,
			ModTime: Epoch, Format: tar.FormatPAX,
		})
	}
	for _, e := range f.Entries {
		if err := parents(e.Path); err != nil {
			return nil, err
		}
		h := &tar.Header{
			Name: tarName(e.Path, e.Kind == rootfs.KindDir), Mode: int64(e.Mode & 0o7777),
			Uid: int(e.UID), Gid: int(e.GID), ModTime: Epoch, Format: tar.FormatPAX,
		}
		var body []byte
		switch e.Kind {
		case rootfs.KindDir:
			h.Typeflag = tar.TypeDir
		case rootfs.KindFile:
			h.Typeflag = tar.TypeReg
			body = e.Content
			if e.ContentSpec == "busybox" {
				if busybox == nil {
					b, err := os.ReadFile(fixture.HostBusybox)
					if err != nil {
						return nil, fmt.Errorf("imagebuild: line %d (%s): content busybox needs the host's static busybox (Debian: apt-get install busybox-static): %w", e.Line, e, err)
					}
					busybox = b
				}
				body = busybox
			}
			h.Size = int64(len(body))
		case rootfs.KindSymlink:
			h.Typeflag = tar.TypeSymlink
			h.Linkname = e.Target
			h.Mode = 0o777
		case rootfs.KindFIFO:
			h.Typeflag = tar.TypeFifo
		default:
			return nil, fmt.Errorf("imagebuild: line %d (%s): a %s mount has no image form", e.Line, e, e.Kind)
		}
		if e.ACL != nil || e.Caps != nil {
			h.PAXRecords = map[string]string{}
			if e.ACL != nil {
				h.PAXRecords[PAXACL] = string(fixture.ACLXattr(e.ACL))
			}
			if e.Caps != nil {
				h.PAXRecords[PAXCaps] = string(e.Caps.Marshal())
			}
		}
		seen[e.Path] = true
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("imagebuild: line %d (%s): %w", e.Line, e, err)
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// tarName is the layer entry name of the fixture path p.
func tarName(p string, dir bool) string {
	if p == "/" {
		return "./"
	}
	n := strings.TrimPrefix(p, "/")
	if dir {
		n += "/"
	}
	return n
}

// Config is the part of an image's config an engine turns into the
// process: the Dockerfile's USER, WORKDIR, ENTRYPOINT, CMD and ENV.
type Config struct {
	User       string
	WorkingDir string
	Entrypoint []string
	Cmd        []string
	Env        []string
}

// Image returns a single-layer linux image of f with config c, for this
// machine's architecture: NewLayer, then WithLayer.
func Image(f *rootfs.Fixture, c Config) (v1.Image, error) {
	l, err := NewLayer(f)
	if err != nil {
		return nil, err
	}
	return WithLayer(l, c)
}

// NewLayer returns f's Layer as a go-containerregistry layer that
// compresses once, however many images share it.
func NewLayer(f *rootfs.Fixture) (v1.Layer, error) {
	tarBytes, err := Layer(f)
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tarBytes)), nil
	}, tarball.WithCompressedCaching)
}

// WithLayer returns the linux image of one layer with config c, for this
// machine's architecture.
func WithLayer(layer v1.Layer, c Config) (v1.Image, error) {
	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: Epoch}, CreatedBy: "preexec imagebuild: fixture"},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = runtime.GOARCH
	cf.Created = v1.Time{Time: Epoch}
	cf.Config = v1.Config{
		User:       c.User,
		WorkingDir: c.WorkingDir,
		Entrypoint: c.Entrypoint,
		Cmd:        c.Cmd,
		Env:        c.Env,
	}
	return mutate.ConfigFile(img, cf)
}

// WriteDockerArchive writes img to the file p as a docker-archive tar (what
// `docker save` writes: manifest.json, the config and the layers), tagged
// tag ("preexec.test/distroless:nonroot").
func WriteDockerArchive(p, tag string, img v1.Image) error {
	t, err := name.NewTag(tag, name.StrictValidation)
	if err != nil {
		return fmt.Errorf("imagebuild: tag %q: %w", tag, err)
	}
	return tarball.WriteToFile(p, t, img)
}

// WriteOCILayout writes img into the OCI image layout directory dir
// (created if needed; an existing layout gains the image), its index entry
// annotated org.opencontainers.image.ref.name=ref.
func WriteOCILayout(dir, ref string, img v1.Image) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return err
		}
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": ref,
	}))
}

// WriteDockerArchives writes several images to the file p as one
// docker-archive tar, each under its tag (an image with several tags is
// written once); docker load, podman load and ctr images import load them
// all.
func WriteDockerArchives(p string, tagged map[string]v1.Image) error {
	m := make(map[name.Tag]v1.Image, len(tagged))
	for tag, img := range tagged {
		t, err := name.NewTag(tag, name.StrictValidation)
		if err != nil {
			return fmt.Errorf("imagebuild: tag %q: %w", tag, err)
		}
		m[t] = img
	}
	return tarball.MultiWriteToFile(p, m)
}
