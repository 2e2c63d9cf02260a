package rootfs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
)

// FuzzImageIndex applies raw bytes as a one-layer image and checks the
// invariants of every index NewImage returns: it never panics; an error
// names the layer and comes with no Image; every name is clean, absolute
// and free of "..", its parent is present and a directory, its type is one
// a layer can make, a symlink's size is its body's, ReadAt gives bytes or
// ErrNoContent and io.EOF at the end; and the index is bounded by its
// input: no more names than the headers and their parents, no more than
// 100 bytes a name beyond the names and held bytes themselves.
func FuzzImageIndex(f *testing.F) {
	for _, seed := range imageFuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, layer []byte) {
		img, err := NewImage(memLayers(layer), nil)
		if err != nil {
			if img != nil || !strings.HasPrefix(err.Error(), "rootfs: image: layer 1 (mem1): ") {
				t.Fatalf("NewImage = %v, %v: want no image and an error naming the layer", img, err)
			}
			return
		}
		headers, depth, nameBytes := tarShape(layer)
		if img.ents.len() > 1+headers*depth {
			t.Fatalf("%d names from %d headers of depth ≤ %d", img.ents.len(), headers, depth)
		}
		held := img.data.len() + img.names.len()
		for _, a := range img.acls {
			held += 24 + 8*len(a)
		}
		if s := img.size(); s > 4<<10+100*img.ents.len()+held || img.names.len() > nameBytes*depth+1 {
			t.Fatalf("index of %d bytes for %d names (%d bytes held)", s, img.ents.len(), held)
		}
		for i := range img.ents.len() {
			checkImageName(t, img, img.nameOf(uint32(i)))
		}
	})
}

func checkImageName(t *testing.T, img *Image, n string) {
	if !path.IsAbs(n) || path.Clean(n) != n || strings.Contains(n, "/../") || strings.HasSuffix(n, "/..") {
		t.Fatalf("name %q: not clean and absolute", n)
	}
	ino, err := img.Lstat(n)
	if err != nil {
		t.Fatalf("Lstat %q: %v", n, err)
	}
	if n != "/" {
		p, err := img.Lstat(path.Dir(n))
		if err != nil || !p.IsDir() {
			t.Fatalf("%q: parent %#o, %v", n, p.Mode, err)
		}
	}
	switch ino.Type() {
	case access.S_IFDIR, access.S_IFREG, access.S_IFIFO, access.S_IFCHR, access.S_IFBLK:
	case access.S_IFLNK:
		l, err := img.Readlink(n)
		if err != nil || int64(len(l)) != ino.Size {
			t.Fatalf("Readlink %q = %q, %v (size %d)", n, l, err, ino.Size)
		}
	default:
		t.Fatalf("%q: type %#o", n, ino.Type())
	}
	if ino.IsRegular() {
		if k, err := img.ReadAt(n, make([]byte, 8), 0); err != nil && err != io.EOF && !errors.Is(err, access.ErrNoContent) {
			t.Fatalf("ReadAt %q = %d, %v", n, k, err)
		}
		if k, err := img.ReadAt(n, make([]byte, 8), ino.Size); k != 0 || err != io.EOF {
			t.Fatalf("ReadAt %q at its size = %d, %v", n, k, err)
		}
	}
}

// tarShape reads layer as a (gzip or plain) tar on its own and returns its
// headers, their deepest name (in elements, at least 1) and the sum of their
// names' lengths.
func tarShape(layer []byte) (headers, depth, nameBytes int) {
	var r io.Reader = bytes.NewReader(layer)
	if zr, err := gzip.NewReader(bytes.NewReader(layer)); err == nil {
		r = zr
	}
	depth = 1
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		headers++
		n := path.Clean("/" + h.Name)
		depth = max(depth, strings.Count(n, "/")+1)
		nameBytes += len(n) + len(h.Linkname)
	}
	return headers, depth, nameBytes
}

// imageFuzzSeeds are layers of each rule of Image: whiteouts, opaque
// directories, hardlinks, xattrs, scripts and ELFs, "..", gzip and plain.
func imageFuzzSeeds(t testing.TB) [][]byte {
	acl := aclXattr(access.ACL{{Tag: access.ACL_USER_OBJ, Perm: 7}, {Tag: access.ACL_USER, Perm: 5, ID: 5}, {Tag: access.ACL_GROUP_OBJ, Perm: 5}, {Tag: access.ACL_MASK, Perm: 7}, {Tag: access.ACL_OTHER}})
	return [][]byte{
		layerTar(t, false, tdir("a/", 0o755, 0, 0), tfile("a/.wh.b", 0, 0, 0, ""), tfile("a/.wh..wh..opq", 0, 0, 0, ""), tfile("a/c", 0o755, 0, 0, "#!/bin/sh\n")),
		layerTar(t, true, tfile("bin/x", 0o755, 0, 0, string(ProbeELF(EM_X86_64, "/lib/ld.so"))), thard("bin/y", "bin/x", 0o750, 1, 1), tlink("lib", "../../usr/lib")),
		layerTar(t, false, txattr(tdir("s/", 0o750, 0, 0), "system.posix_acl_access", acl), tfile("../../etc/passwd", 0o644, 0, 0, "root:x:0:0::/:/bin/sh\n")),
		layerTar(t, true, tfile("p", 0o600, 0, 0, ""), tfile("p/q", 0o644, 0, 0, ""), tfile(".wh..", 0, 0, 0, "")),
	}
}
