package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// A scanImage is an image indexed for scan: its config and root
// filesystem, and the digest of its manifest where there is one.
type scanImage struct {
	cfg    spec.ImageConfig
	fsys   *rootfs.Image
	digest string

	// answers are the evaluations already made on this image, by what
	// they depend on (see scanner.evalKey): pods stamped from one
	// template differ in names only, which reach no runtime's check. At
	// most maxAnswers are kept; they go with the image.
	mu      sync.Mutex
	answers map[string]*scanAnswer
}

// A scanAnswer is one evaluation: what a row takes from it.
type scanAnswer struct {
	verdict string
	status  int
	err     string
	results []jsonResult
}

const maxAnswers = 1024

func (m *scanImage) answer(key string) *scanAnswer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.answers[key]
}

func (m *scanImage) keep(key string, a *scanAnswer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.answers == nil {
		m.answers = map[string]*scanAnswer{}
	}
	if len(m.answers) < maxAnswers {
		m.answers[key] = a
	}
}

// An imageSource says where an image's bytes are: a local file or
// directory (with the ref.name or tag that picks it there), or a registry
// reference.
type imageSource struct {
	path, ref string // local
	remote    name.Reference
	// digest is the manifest digest, when known before the image is read
	// (an OCI layout's descriptor, a registry's answer).
	digest string
}

// key is the source's identity in the image cache: the digest when known,
// else the file and what picks the image in it.
func (s imageSource) key() string {
	if s.digest != "" {
		return s.digest
	}
	return "file:" + s.path + "\x00" + s.ref
}

// imageDir maps image references to the files of an --images directory.
//
// Each entry of DIR is an OCI image layout directory, an OCI archive or a
// docker-archive tar. An image of a layout or OCI archive is known by its
// index.json manifests' annotations: io.containerd.image.name (ctr
// export) or org.opencontainers.image.ref.name when that is a full
// reference (skopeo copy … oci:DIR:REF, podman save --format oci-*); a
// ref.name that is only a tag ("latest") names nothing. An image of a
// docker-archive is known by its manifest.json RepoTags (docker save,
// podman save). References are compared normalized (nginx:1.25 is
// index.docker.io/library/nginx:1.25); NAME@sha256:… matches the layout
// image with that manifest digest.
type imageDir struct {
	byRef    map[string]imageSource
	byDigest map[string]imageSource
}

// loadImageDir reads DIR's entries' indexes (not their layers).
func loadImageDir(dir string, lim load.Limits) (*imageDir, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--images: %w", err)
	}
	d := &imageDir{byRef: map[string]imageSource{}, byDigest: map[string]imageSource{}}
	add := func(ref string, src imageSource, p string) error {
		r, err := name.ParseReference(ref)
		if err != nil {
			return nil // not a reference: names nothing
		}
		k := r.Name()
		if prev, ok := d.byRef[k]; ok && prev.path != src.path {
			return fmt.Errorf("--images: %s is both %s and %s", ref, prev.path, p)
		}
		d.byRef[k] = src
		return nil
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		kind, err := load.Kind(p)
		if err != nil || kind != load.KindImage {
			continue // not an image: other files may sit beside them
		}
		idx, err := readIndex(p, lim)
		if err != nil {
			return nil, fmt.Errorf("--images: %s: %w", p, err)
		}
		if idx != nil {
			for _, m := range idx.Manifests {
				refName := m.Annotations["org.opencontainers.image.ref.name"]
				src := imageSource{path: p, ref: refName, digest: m.Digest.String()}
				if !m.MediaType.IsImage() {
					// An index of platforms: OpenImage picks the platform;
					// the digest is not the image's.
					src.digest = ""
				}
				for _, a := range []string{m.Annotations["io.containerd.image.name"], refName} {
					if strings.ContainsAny(a, "/:") {
						if err := add(a, src, p); err != nil {
							return nil, err
						}
					}
				}
				if src.digest != "" {
					d.byDigest[src.digest] = src
				}
			}
			continue
		}
		// A docker-archive: its manifest.json, within file-size.
		raw, err := lim.ReadArchiveMember(p, "manifest.json")
		if err != nil {
			return nil, fmt.Errorf("--images: %s: %w", p, err)
		}
		if raw == nil {
			return nil, fmt.Errorf("--images: %s: an archive with neither index.json nor manifest.json", p)
		}
		var m tarball.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("--images: %s: manifest.json: %w", p, err)
		}
		for _, desc := range m {
			for _, tag := range desc.RepoTags {
				if err := add(tag, imageSource{path: p, ref: tag}, p); err != nil {
					return nil, err
				}
			}
		}
	}
	return d, nil
}

// readIndex reads the index.json of an OCI layout or archive; nil for a
// docker-archive.
func readIndex(p string, lim load.Limits) (*v1.IndexManifest, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	var raw []byte
	if st.IsDir() {
		if raw, err = lim.ReadFile(filepath.Join(p, "index.json")); err != nil {
			return nil, err
		}
	} else {
		raw, err = lim.ReadArchiveMember(p, "index.json")
		if err != nil || raw == nil {
			return nil, err
		}
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	return &im, nil
}

// lookup finds ref in the directory.
func (d *imageDir) lookup(ref string) (imageSource, bool) {
	if d == nil {
		return imageSource{}, false
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return imageSource{}, false
	}
	if dg, ok := r.(name.Digest); ok {
		src, ok := d.byDigest[dg.DigestStr()]
		return src, ok
	}
	src, ok := d.byRef[r.Name()]
	return src, ok
}

// registry reads images from registries: go-containerregistry's remote,
// with the user's docker credentials (authn.DefaultKeychain), anonymous
// where it has none.
type registry struct {
	insecure bool
	platform v1.Platform
	ctx      context.Context
	// once memoizes each reference's resolution to a digest.
	mu    sync.Mutex
	descs map[string]*resolved
}

type resolved struct {
	once sync.Once
	img  v1.Image
	src  imageSource
	err  error
}

func (g *registry) options() []remote.Option {
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithContext(g.ctx)}
	if g.insecure {
		tr := remote.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // --insecure asks for it
		opts = append(opts, remote.WithTransport(tr))
	}
	return append(opts, remote.WithPlatform(g.platform))
}

// resolve asks the registry for ref's manifest: the image (for the
// platform) and its digest. Each reference is asked once.
func (g *registry) resolve(ref string) (v1.Image, imageSource, error) {
	g.mu.Lock()
	if g.descs == nil {
		g.descs = map[string]*resolved{}
	}
	r := g.descs[ref]
	if r == nil {
		r = &resolved{}
		g.descs[ref] = r
	}
	g.mu.Unlock()
	r.once.Do(func() {
		var nopts []name.Option
		if g.insecure {
			nopts = append(nopts, name.Insecure)
		}
		nr, err := name.ParseReference(ref, nopts...)
		if err != nil {
			r.err = fmt.Errorf("%s: not an image reference: %w", ref, err)
			return
		}
		desc, err := remote.Get(nr, g.options()...)
		if err != nil {
			r.err = fmt.Errorf("%s: %w", ref, err)
			return
		}
		img, err := desc.Image() // an index: the platform's image
		if err != nil {
			r.err = fmt.Errorf("%s: %w", ref, err)
			return
		}
		dg, err := img.Digest()
		if err != nil {
			r.err = fmt.Errorf("%s: %w", ref, err)
			return
		}
		r.img, r.src = img, imageSource{remote: nr, digest: dg.String()}
	})
	return r.img, r.src, r.err
}

// openRemote indexes a registry image: its config, then each layer
// streamed from the registry, uncompressed, into a rootfs.Image.
func openRemote(ref string, img v1.Image, lim load.Limits) (*load.ImageFile, error) {
	opts := &rootfs.ImageOptions{}
	lim.SetImage(opts)
	return load.ImageOf(ref, img, opts)
}

// imageCache holds indexed images by digest (or file), at most max of
// them, least recently used first out; an image being read is read once
// however many containers ask for it meanwhile.
type imageCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*cacheEntry
	clock   uint64
	// built counts the images indexed (cache misses), for tests.
	built int
}

type cacheEntry struct {
	ready chan struct{}
	img   *scanImage
	err   error
	used  uint64
	users int
}

// get returns the image for key, building it with build on a miss.
// release must be called when the caller is done with it.
func (c *imageCache) get(key string, build func() (*scanImage, error)) (img *scanImage, err error, release func()) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cacheEntry{}
	}
	e := c.entries[key]
	if e == nil {
		e = &cacheEntry{ready: make(chan struct{})}
		c.entries[key] = e
		c.built++
		e.users++
		c.mu.Unlock()
		e.img, e.err = build()
		close(e.ready)
		c.mu.Lock()
		c.evict()
		c.mu.Unlock()
	} else {
		e.users++
		c.mu.Unlock()
		<-e.ready
	}
	c.mu.Lock()
	c.clock++
	e.used = c.clock
	c.mu.Unlock()
	return e.img, e.err, func() {
		c.mu.Lock()
		e.users--
		c.evict()
		c.mu.Unlock()
	}
}

// evict drops the least recently used images nobody holds until at most
// max remain.
func (c *imageCache) evict() {
	for len(c.entries) > c.max {
		var keys []string
		for k, e := range c.entries {
			select {
			case <-e.ready:
				if e.users == 0 {
					keys = append(keys, k)
				}
			default:
			}
		}
		if len(keys) == 0 {
			return
		}
		sort.Slice(keys, func(i, j int) bool { return c.entries[keys[i]].used < c.entries[keys[j]].used })
		delete(c.entries, keys[0])
	}
}

// errNotImage is an INPUT that is neither a file nor a reference.
var errNotImage = errors.New("no such file, and not an image reference")
