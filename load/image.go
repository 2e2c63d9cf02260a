package load

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/preexec/preexec/internal/limit"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// An ImageFile is an image file read: its root filesystem, its layers
// indexed once (rootfs.Image, an access.FS), and its config.
type ImageFile struct {
	*rootfs.Image
	// Config is the part of the image's config an engine makes a
	// container's process from.
	Config spec.ImageConfig
	// OS, Architecture and Variant are the config's platform.
	OS, Architecture, Variant string
}

// OpenImage reads the image at p: its layers into a rootfs.Image (see
// rootfs.Image for how they are applied; rootfs.NewImage builds one from
// layers a caller opens itself, a registry's) and its config. p is one of:
//
//  1. an OCI image layout directory (image-spec image-layout.md: oci-layout,
//     index.json, blobs/), read with go-containerregistry's layout package;
//  2. an OCI archive, a tar of such a layout (`podman save --format
//     oci-archive`, `skopeo copy … oci-archive:`), read in place: its
//     members are located once and each blob is read from its offset, so
//     nothing is unpacked to disk;
//  3. a docker-archive (`docker save`, `podman save`): manifest.json, read
//     with go-containerregistry's tarball.LoadManifest, then the config and
//     layer members in place. An archive with both index.json and
//     manifest.json (docker save ≥ 25) is read as an OCI archive.
//
// In an index (nested indexes included) the image is the one manifest whose
// platform satisfies opts.Platform (v1.Platform.Satisfies: an empty
// variant matches any) and, if opts.Ref is set, whose
// org.opencontainers.image.ref.name is Ref; no match, or several, is an
// error listing what the index has. The default platform is linux on the
// host's architecture: images are Linux images even on a macOS host, whose
// engines run them in a Linux VM of the host's architecture. An index with
// a single image takes it whatever its platform unless opts.Platform is
// set. In a docker-archive opts.Ref picks among several images by tag.
//
// The blobs of an OCI layout or archive are verified against their
// digests as they stream: a mismatch (a swapped layer) is an error that Is
// ErrDigest, as docker and containerd refuse such an image. The members of
// a docker-archive are named by path and are not verified.
func OpenImage(p string, opts *rootfs.ImageOptions) (*ImageFile, error) {
	if opts == nil {
		opts = &rootfs.ImageOptions{}
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if _, err := layout.FromPath(p); err != nil {
			return nil, fmt.Errorf("rootfs: %s: not an OCI image layout: %w", p, err)
		}
		// index.json and the blobs are files of the layout: read without
		// following a symbolic link out of it or waiting on a FIFO.
		index, err := readInputFile(filepath.Join(p, "index.json"), true, blobMax(opts))
		if err != nil {
			return nil, fmt.Errorf("rootfs: %s: %w", p, err)
		}
		blob := func(h v1.Hash) (io.ReadCloser, error) { return layoutBlob(p, h) }
		return openOCI(p, index, blob, opts)
	}
	f, err := openRegular(p, false, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := scanArchive(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: %w", p, err)
	}
	a.max = blobMax(opts)
	if _, ok := a.members["index.json"]; ok {
		index, err := a.read("index.json")
		if err != nil {
			return nil, fmt.Errorf("rootfs: %s: %w", p, err)
		}
		blob := func(h v1.Hash) (io.ReadCloser, error) {
			return a.open(path.Join("blobs", h.Algorithm, h.Hex))
		}
		return openOCI(p, index, blob, opts)
	}
	if _, ok := a.members["manifest.json"]; ok {
		return openDockerArchive(p, a, opts)
	}
	return nil, fmt.Errorf("rootfs: %s: neither an OCI layout or archive (no index.json) nor a docker-archive (no manifest.json)", p)
}

// hostPlatform is the default platform: linux on the host's architecture.
func hostPlatform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

func wantPlatform(opts *rootfs.ImageOptions) (v1.Platform, error) {
	if opts.Platform == "" {
		return hostPlatform(), nil
	}
	pl, err := v1.ParsePlatform(opts.Platform)
	if err != nil {
		return v1.Platform{}, fmt.Errorf("rootfs: platform %q: %w", opts.Platform, err)
	}
	return *pl, nil
}

// A candidate is an image manifest of an index.
// MaxIndexDescriptors is the default bound of the descriptors OpenImage
// reads in an image's index and the indexes it nests (limit
// index-descriptors, rootfs.ImageOptions.MaxIndexDescriptors): more is an
// error naming the limit.
const MaxIndexDescriptors = 10000

// maxListed is how many images an error about an index lists.
const maxListed = 12

// candidateKey is an image or index as an index lists it: its digest, and
// the ref name it has there.
type candidateKey struct {
	digest v1.Hash
	ref    string
}

type candidate struct {
	desc     v1.Descriptor
	ref      string
	platform v1.Platform
}

func (c candidate) String() string {
	s := c.platform.String()
	if c.ref != "" {
		s += " (" + c.ref + ")"
	}
	return s + " " + c.desc.Digest.String()
}

const refAnnotation = "org.opencontainers.image.ref.name"

// openOCI reads the image the index (index.json) selects from blob.
func openOCI(p string, index []byte, blob func(v1.Hash) (io.ReadCloser, error), opts *rootfs.ImageOptions) (*ImageFile, error) {
	// Every blob is read through its digest: a swapped one is an error.
	unverified := blob
	blob = func(h v1.Hash) (io.ReadCloser, error) {
		rc, err := unverified(h)
		if err != nil {
			return nil, err
		}
		return verified(rc, h)
	}
	readBlob := func(h v1.Hash) ([]byte, error) {
		rc, err := blob(h)
		if err != nil {
			return nil, err
		}
		max := blobMax(opts)
		data, err := io.ReadAll(io.LimitReader(rc, max+1))
		if err != nil {
			rc.Close()
			return nil, err
		}
		if int64(len(data)) > max {
			rc.Close()
			return nil, fmt.Errorf("blob %s: larger than the %s preexec reads of a manifest or config (limit file-size)", h, limit.Size(max))
		}
		return data, rc.Close()
	}
	var cands []candidate
	// Each index and image is taken once per ref name, however many
	// indexes list it, and the descriptors read are bounded: four nested
	// indexes listing one child N times were N⁴ reads.
	seen := map[candidateKey]bool{}
	platforms := map[v1.Hash]v1.Platform{} // of images without one in their descriptor
	descriptors, maxDescriptors := 0, MaxIndexDescriptors
	if opts.MaxIndexDescriptors > 0 {
		maxDescriptors = opts.MaxIndexDescriptors
	}
	var walk func(raw []byte, ref string, depth int) error
	walk = func(raw []byte, ref string, depth int) error {
		if depth > 4 {
			return errors.New("indexes nested more than 4 deep")
		}
		im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		for _, d := range im.Manifests {
			if descriptors++; descriptors > maxDescriptors {
				return fmt.Errorf("more than %d descriptors in its indexes (limit index-descriptors)", maxDescriptors)
			}
			r := ref
			if a := d.Annotations[refAnnotation]; a != "" {
				r = a
			}
			k := candidateKey{d.Digest, r}
			if seen[k] {
				continue
			}
			seen[k] = true
			switch {
			case d.MediaType.IsIndex():
				sub, err := readBlob(d.Digest)
				if err != nil {
					return fmt.Errorf("index %s: %w", d.Digest, err)
				}
				if err := walk(sub, r, depth+1); err != nil {
					return err
				}
			case d.MediaType.IsImage() || d.MediaType == "":
				c := candidate{desc: d, ref: r}
				if d.Platform != nil {
					c.platform = *d.Platform
				} else if pl, ok := platforms[d.Digest]; ok {
					c.platform = pl
				} else if cf, err := ociConfig(readBlob, d.Digest); err == nil {
					c.platform = v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
					platforms[d.Digest] = c.platform
				}
				cands = append(cands, c)
			}
		}
		return nil
	}
	if err := walk(index, "", 0); err != nil {
		return nil, fmt.Errorf("rootfs: %s: index.json: %w", p, err)
	}
	want, err := wantPlatform(opts)
	if err != nil {
		return nil, err
	}
	var match []candidate
	for _, c := range cands {
		if opts.Ref != "" && c.ref != opts.Ref {
			continue
		}
		if c.platform.Satisfies(want) || (len(cands) == 1 && opts.Platform == "") {
			match = append(match, c)
		}
	}
	if len(match) != 1 {
		what := "no image"
		if len(match) > 1 {
			what = "several images"
		}
		var have []string
		for _, c := range cands {
			have = append(have, c.String())
		}
		sort.Strings(have)
		have = slices.Compact(have)
		if len(have) > maxListed {
			have = append(have[:maxListed], fmt.Sprintf("and %d more", len(have)-maxListed))
		}
		sel := "platform " + want.String()
		if opts.Ref != "" {
			sel += " and ref " + opts.Ref
		}
		return nil, fmt.Errorf("rootfs: %s: %s for %s; the index has: %s", p, what, sel, strings.Join(have, ", "))
	}
	raw, err := readBlob(match[0].desc.Digest)
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: manifest %s: %w", p, match[0].desc.Digest, err)
	}
	man, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: manifest %s: %w", p, match[0].desc.Digest, err)
	}
	cf, err := ociConfig(readBlob, man.Config.Digest)
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: config %s: %w", p, man.Config.Digest, err)
	}
	layers := make([]rootfs.ImageLayer, len(man.Layers))
	for i, d := range man.Layers {
		open := func() (io.ReadCloser, error) { return decompressed(blob(d.Digest)) }
		layers[i] = rootfs.ImageLayer{Name: d.Digest.String(), Size: d.Size, Open: open}
	}
	return withConfig(rootfs.NewImage(layers, opts))(cf)
}

// decompressed is the layer blob rc with a zstd stream decompressed, told
// by its magic number as containerd tells it (archive/compression:
// DetectCompression@v1.6.20), not by the media type: a zstd layer under a
// +gzip media type is read. rootfs.NewImage reads gzip and plain tars
// itself (klauspost's zstd imports os, so rootfs does not).
func decompressed(rc io.ReadCloser, err error) (io.ReadCloser, error) {
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(rc)
	if magic, _ := br.Peek(4); string(magic) != "\x28\xb5\x2f\xfd" {
		return struct {
			io.Reader
			io.Closer
		}{br, rc}, nil
	}
	zr, err := zstd.NewReader(br)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return zstdCloser{zr, rc}, nil
}

// zstdCloser closes a zstd decoder and the blob under it.
type zstdCloser struct {
	*zstd.Decoder
	blob io.Closer
}

func (z zstdCloser) Close() error {
	z.Decoder.Close()
	return z.blob.Close()
}

// ociConfig reads the config of the manifest or config blob h: a manifest
// is followed to its config.
func ociConfig(readBlob func(v1.Hash) ([]byte, error), h v1.Hash) (*v1.ConfigFile, error) {
	raw, err := readBlob(h)
	if err != nil {
		return nil, err
	}
	if man, err := v1.ParseManifest(bytes.NewReader(raw)); err == nil && man.Config.Digest.Hex != "" && man.Config.MediaType != types.MediaType("") {
		if raw, err = readBlob(man.Config.Digest); err != nil {
			return nil, err
		}
	}
	return v1.ParseConfigFile(bytes.NewReader(raw))
}

// withConfig completes NewImage's result with the config cf.
func withConfig(m *rootfs.Image, err error) func(cf *v1.ConfigFile) (*ImageFile, error) {
	return func(cf *v1.ConfigFile) (*ImageFile, error) {
		if err != nil {
			return nil, err
		}
		return &ImageFile{
			Image: m,
			Config: spec.ImageConfig{
				User: cf.Config.User, WorkingDir: cf.Config.WorkingDir,
				Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, Env: cf.Config.Env,
			},
			OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant,
		}, nil
	}
}

// openDockerArchive reads the image of a docker-archive.
func openDockerArchive(p string, a *archive, opts *rootfs.ImageOptions) (*ImageFile, error) {
	// Read whole, as the archive's other members are: within file-size.
	b, err := a.read("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: manifest.json: %w", p, err)
	}
	var m tarball.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("rootfs: %s: manifest.json: %w", p, err)
	}
	var match []tarball.Descriptor
	var have []string
	for _, d := range m {
		have = append(have, strings.Join(d.RepoTags, " ")+" "+d.Config)
		if opts.Ref == "" {
			match = append(match, d)
			continue
		}
		for _, t := range d.RepoTags {
			if t == opts.Ref {
				match = append(match, d)
				break
			}
		}
	}
	if len(match) != 1 {
		what := "no image"
		if len(match) > 1 {
			what = "several images (pick one with its tag)"
		}
		return nil, fmt.Errorf("rootfs: %s: %s for ref %q; manifest.json has: %s", p, what, opts.Ref, strings.Join(have, ", "))
	}
	d := match[0]
	raw, err := a.read(d.Config)
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: config: %w", p, err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("rootfs: %s: config %s: %w", p, d.Config, err)
	}
	if opts.Platform != "" {
		want, err := wantPlatform(opts)
		if err != nil {
			return nil, err
		}
		got := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
		if !got.Satisfies(want) {
			return nil, fmt.Errorf("rootfs: %s: the image is %s, not %s", p, got.String(), want.String())
		}
	}
	layers := make([]rootfs.ImageLayer, len(d.Layers))
	for i, name := range d.Layers {
		mem, err := a.resolve(name)
		if err != nil {
			return nil, fmt.Errorf("rootfs: %s: layer %d: %w", p, i+1, err)
		}
		layers[i] = rootfs.ImageLayer{Name: name, Size: mem.size, Open: func() (io.ReadCloser, error) { return a.open(name) }}
	}
	return withConfig(rootfs.NewImage(layers, opts))(cf)
}

// An archive is a tar file whose members are read in place.
type archive struct {
	f       io.ReaderAt
	members map[string]member
	// max is the most bytes of a member read whole (0: MaxFileBytes).
	max int64
}

type member struct {
	off, size int64
	link      string // target of a symlink or hardlink member
	hard      bool
}

// scanArchive locates the members of the tar f of size bytes: archive/tar
// reads its headers and seeks over its data.
func scanArchive(f io.ReaderAt, size int64) (*archive, error) {
	sr := io.NewSectionReader(f, 0, size)
	tr := tar.NewReader(sr)
	a := &archive{f: f, members: map[string]member{}}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a tar: %w", err)
		}
		off, _ := sr.Seek(0, io.SeekCurrent)
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		switch hdr.Typeflag {
		case tar.TypeReg:
			a.members[name] = member{off: off, size: hdr.Size}
		case tar.TypeSymlink:
			a.members[name] = member{link: hdr.Linkname}
		case tar.TypeLink:
			a.members[name] = member{link: hdr.Linkname, hard: true}
		}
		if len(a.members) > 1<<20 {
			return nil, errors.New("more than a million members")
		}
	}
	return a, nil
}

// resolve returns the regular member name, following links.
func (a *archive) resolve(name string) (member, error) {
	orig := name
	for range 16 {
		m, ok := a.members[strings.TrimPrefix(path.Clean("/"+name), "/")]
		if !ok {
			return member{}, fmt.Errorf("no member %s", orig)
		}
		if m.link == "" {
			return m, nil
		}
		if m.hard || path.IsAbs(m.link) {
			name = m.link
		} else {
			name = path.Join(path.Dir(name), m.link)
		}
	}
	return member{}, fmt.Errorf("member %s: too many links", orig)
}

func (a *archive) open(name string) (io.ReadCloser, error) {
	m, err := a.resolve(name)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(io.NewSectionReader(a.f, m.off, m.size)), nil
}

func (a *archive) read(name string) ([]byte, error) {
	m, err := a.resolve(name)
	if err != nil {
		return nil, err
	}
	max := a.max
	if max <= 0 {
		max = MaxFileBytes
	}
	if m.size > max {
		return nil, fmt.Errorf("member %s: larger than the %s preexec reads of a manifest or config (limit file-size)", name, limit.Size(max))
	}
	b := make([]byte, m.size)
	if _, err := a.f.ReadAt(b, m.off); err != nil {
		return nil, fmt.Errorf("member %s: %w", name, err)
	}
	return b, nil
}

// ImageOf reads img, a go-containerregistry image (a registry's, from
// remote.Image), as OpenImage reads a file: its layers, uncompressed by
// go-containerregistry, into a rootfs.Image, and its config. name says
// which image it is in errors.
//
// The manifest and the config are read whole, so each is first held to
// opts.MaxBlobBytes (limit file-size), as from a file: the manifest
// (go-containerregistry reads at most 100 MiB of it) by its bytes, the
// config by the size its descriptor declares, which go-containerregistry
// verifies as it reads.
func ImageOf(name string, img v1.Image, opts *rootfs.ImageOptions) (*ImageFile, error) {
	max := blobMax(opts)
	raw, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("%s: manifest: %w", name, err)
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%s: manifest: larger than the %s preexec reads of a manifest or config (limit file-size)", name, limit.Size(max))
	}
	man, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("%s: manifest: %w", name, err)
	}
	if man.Config.Size > max {
		return nil, fmt.Errorf("%s: config %s: larger than the %s preexec reads of a manifest or config (limit file-size)", name, man.Config.Digest, limit.Size(max))
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("%s: config: %w", name, err)
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("%s: layers: %w", name, err)
	}
	layers := make([]rootfs.ImageLayer, len(ls))
	for i, l := range ls {
		dg, _ := l.Digest()
		size, _ := l.Size()
		layers[i] = rootfs.ImageLayer{Name: dg.String(), Size: size, Open: l.Uncompressed}
	}
	m, err := rootfs.NewImage(layers, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return withConfig(m, nil)(cf)
}

// layoutBlob opens the blob h of the OCI layout p: blobs/ALG/HEX, each a
// real directory or file of the layout (a symbolic link there could lead
// the read out of it; go-containerregistry's layout.Path.Blob follows
// them), a regular file opened without blocking.
func layoutBlob(p string, h v1.Hash) (io.ReadCloser, error) {
	if h.Algorithm == "" || strings.ContainsAny(h.Algorithm, `/\.`) || h.Hex == "" || strings.ContainsAny(h.Hex, `/\.`) {
		return nil, fmt.Errorf("%s: a blob digest %q that names no file of the layout", p, h)
	}
	for _, d := range []string{filepath.Join(p, "blobs"), filepath.Join(p, "blobs", h.Algorithm)} {
		st, err := os.Lstat(d)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s: %s, not a directory of the layout", d, kindOf(st.Mode()))
		}
	}
	return openRegular(filepath.Join(p, "blobs", h.Algorithm, h.Hex), true, 0)
}

// blobMax is the most bytes of a manifest, config or index.json read whole.
func blobMax(opts *rootfs.ImageOptions) int64 {
	if opts.MaxBlobBytes > 0 {
		return opts.MaxBlobBytes
	}
	return MaxFileBytes
}
