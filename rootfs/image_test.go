package rootfs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// A tf is one layer entry: a header and its body.
type tf struct {
	h    tar.Header
	body []byte
}

func tdir(name string, mode int64, uid, gid int) tf {
	return tf{h: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, Uid: uid, Gid: gid}}
}

func tfile(name string, mode int64, uid, gid int, body string) tf {
	return tf{h: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Uid: uid, Gid: gid, Size: int64(len(body))}, body: []byte(body)}
}

func tlink(name, target string) tf {
	return tf{h: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}}
}

func thard(name, target string, mode int64, uid, gid int) tf {
	return tf{h: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: mode, Uid: uid, Gid: gid}}
}

func txattr(e tf, key, val string) tf {
	if e.h.PAXRecords == nil {
		e.h.PAXRecords = map[string]string{}
	}
	e.h.PAXRecords["SCHILY.xattr."+key] = val
	e.h.Format = tar.FormatPAX
	return e
}

// layerTar writes entries as a tar, gzip-compressed if gz.
func layerTar(t testing.TB, gz bool, entries ...tf) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := e.h
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func memLayers(layers ...[]byte) []ImageLayer {
	out := make([]ImageLayer, len(layers))
	for i, l := range layers {
		out[i] = ImageLayer{Name: fmt.Sprintf("mem%d", i+1), Size: int64(len(l)), Open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(l)), nil
		}}
	}
	return out
}

func wholeAll(string) bool { return true }

// aclXattr encodes acl as a system.posix_acl_access value
// (include/uapi/linux/posix_acl_xattr.h), the inverse of parseACLXattr.
func aclXattr(acl access.ACL) string {
	b := make([]byte, 4+8*len(acl))
	binary.LittleEndian.PutUint32(b, 2)
	for i, e := range acl {
		p := b[4+8*i:]
		binary.LittleEndian.PutUint16(p, uint16(e.Tag))
		binary.LittleEndian.PutUint16(p[2:], uint16(e.Perm))
		id := ^uint32(0)
		if e.Tag == access.ACL_USER || e.Tag == access.ACL_GROUP {
			id = e.ID
		}
		binary.LittleEndian.PutUint32(p[4:], id)
	}
	return string(b)
}

// fixtureEntries returns the layer entries of f, parents first, as an
// engine's image builder writes them (names relative, directories with a
// trailing slash, xattrs as PAX SCHILY.xattr records).
func fixtureEntries(t testing.TB, f *Fixture) []tf {
	t.Helper()
	var out []tf
	seen := map[string]bool{}
	var parents func(p string)
	parents = func(p string) {
		d := filepath.Dir(p)
		if d == "/" || seen[d] {
			return
		}
		parents(d)
		seen[d] = true
		out = append(out, tdir(d[1:]+"/", 0o755, 0, 0))
	}
	for _, e := range f.Entries {
		parents(e.Path)
		seen[e.Path] = true
		n := e.Path[1:]
		var x tf
		switch e.Kind {
		case KindDir:
			x = tdir(n+"/", int64(e.Mode), int(e.UID), int(e.GID))
		case KindFile:
			x = tfile(n, int64(e.Mode), int(e.UID), int(e.GID), string(e.Content))
		case KindSymlink:
			x = tlink(n, e.Target)
			x.h.Uid, x.h.Gid = int(e.UID), int(e.GID)
		case KindFIFO:
			x = tf{h: tar.Header{Typeflag: tar.TypeFifo, Name: n, Mode: int64(e.Mode), Uid: int(e.UID), Gid: int(e.GID)}}
		default:
			t.Fatalf("line %d: a %s has no image form", e.Line, e.Kind)
		}
		if e.ACL != nil {
			x = txattr(x, "system.posix_acl_access", aclXattr(e.ACL))
		}
		if e.Caps != nil {
			x = txattr(x, "security.capability", string(e.Caps.Marshal()))
		}
		out = append(out, x)
	}
	return out
}

// conformance is a fixture of every inode form an image layer can carry.
const conformance = `
dir /home/nonroot 0700 65532:65532
dir /home/acl 0750 1000:1000 acl=u::rwx,u:5:r-x,g::r-x,m::r-x,o::---
dir /tmp 1777 0:0
file /app 0755 0:0 busybox
file /bin/ping 4755 0:0 elf caps=CAP_NET_RAW+ep
file /bin/dyn 0755 0:0 interp=/lib/ld-linux-x86-64.so.2
file /lib/ld-linux-x86-64.so.2 0755 0:0 elf
file /entrypoint.sh 0744 0:0 script=/bin/sh
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
file /etc/group 0644 0:0 text="root:x:0:\n"
file /etc/shadow 0640 0:42 text="root:*:1::::::\n"
file /etc/motd 0644 0:0 text="hello\n"
file /etc/empty 0644 0:0
file /srv/acl 0640 0:0 text="x" acl=u::rw-,g::r--,g:7:rw-,m::rw-,o::---
file /usr/bin/newuidmap 0755 0:0 elf caps=CAP_SETUID+ep caprev=3
symlink /bin/sh /app
symlink /usr/lib64 lib 0:0
symlink /loop1 loop2
symlink /loop2 loop1
fifo /run/fifo 0600 1:1
`

func imageOf(t testing.TB, opts *ImageOptions, layers ...[]byte) *Image {
	t.Helper()
	img, err := NewImage(memLayers(layers...), opts)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// FixtureLayer is the layer tar of f for the external tests
// (image_ext_test.go, which runs rootfstest).
func FixtureLayer(t testing.TB, f *Fixture, gz bool) []byte {
	return layerTar(t, gz, fixtureEntries(t, f)...)
}

// GGCRImage is ggcrImage for the external tests.
func GGCRImage(t testing.TB, c spec.ImageConfig, layers ...[]byte) v1.Image {
	return ggcrImage(t, c, hostPl(), layers...)
}

// TarDir is tarDir for the external tests.
func TarDir(t testing.TB, dir, p string) { tarDir(t, dir, p) }

// WholeAll keeps every file's contents.
func WholeAll(name string) bool { return true }

// TestImageExecveDefault holds the default Image, which keeps only what
// access.Proc.Execve reads, to the Mem of the same fixture: every exec of
// every name as root and as a user gives the same answer.
func TestImageExecveDefault(t *testing.T) {
	f := MustParseFixture(conformance + `
file /bin/far 0755 0:0 text="#!/bin/sh -e\n"
file /noexec 0644 0:0 elf
`)
	entries := fixtureEntries(t, f)
	// An ELF whose PT_INTERP lies beyond the first 256 bytes, and one whose
	// program headers do (both held: they are inside MaxImageHeld).
	far := farInterpELF(4096, 8192, "/lib/ld-linux-x86-64.so.2")
	entries = append(entries, tfile("bin/farinterp", 0o755, 0, 0, string(far)))
	img := imageOf(t, nil, layerTar(t, true, entries...))
	mem := f.Mem().File("/bin/farinterp", 0o755, 0, 0, far)
	creds := []*access.Cred{access.Root(), access.User(1000, 1000), access.User(65532, 65532)}
	n := 0
	for _, name := range mem.Names() {
		for _, c := range creds {
			want, werr := (&access.Proc{Cred: c, FS: mem, Cwd: "/"}).Execve(name, []string{name})
			got, gerr := (&access.Proc{Cred: c, FS: img, Cwd: "/"}).Execve(name, []string{name})
			if fmt.Sprint(werr) != fmt.Sprint(gerr) || (want == nil) != (got == nil) {
				t.Errorf("execve %s as %d: mem %v, image %v", name, c.UID, werr, gerr)
				continue
			}
			if want != nil && (want.Path != got.Path || want.Interp != got.Interp || fmt.Sprint(want.Argv) != fmt.Sprint(got.Argv)) {
				t.Errorf("execve %s as %d: mem %+v, image %+v", name, c.UID, want, got)
			}
			n++
		}
	}
	if n < 3*20 {
		t.Fatalf("only %d execs compared", n)
	}
	// A file with no execute bit is never read, so its bytes are not held.
	if _, err := img.ReadAt("/etc/motd", make([]byte, 4), 0); !errors.Is(err, access.ErrNoContent) {
		t.Errorf("ReadAt /etc/motd = %v, want ErrNoContent", err)
	}
	// /etc/passwd is held whole by default.
	p := make([]byte, 64)
	if k, err := img.ReadAt("/etc/passwd", p, 0); err != nil || string(p[:k]) != "root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"[:64] {
		t.Errorf("ReadAt /etc/passwd = %q, %v", p[:k], err)
	}
}

// farInterpELF is ProbeELF with its program headers at phoff and its
// PT_INTERP string at interpOff.
func farInterpELF(phoff, interpOff int, interp string) []byte {
	b := ProbeELF(EM_X86_64, interp)
	const ehsize, phsize = 64, 56
	out := make([]byte, interpOff+len(interp)+1+64)
	copy(out, b[:ehsize])
	le := binary.LittleEndian
	le.PutUint64(out[32:], uint64(phoff))
	ph := b[ehsize : ehsize+2*phsize]
	copy(out[phoff:], ph)
	le.PutUint64(out[phoff+8:], uint64(interpOff))
	copy(out[interpOff:], interp)
	return out
}

// A ruleRow is layers and the tree they make, with the rule it pins.
type ruleRow struct {
	name, rule string
	layers     [][]tf
	want       string   // fixture text of names that must be there
	gone       []string // names that must not
	err        string   // substring of the error, if it fails
}

// imageRuleRows are the rules of Image, each with its source: TestImageRules
// checks the model on them, TestImageContainerd (linux, root) containerd.
func imageRuleRows() []ruleRow {
	acl := access.ACL{{Tag: access.ACL_USER_OBJ, Perm: 7}, {Tag: access.ACL_USER, Perm: 5, ID: 5}, {Tag: access.ACL_GROUP_OBJ, Perm: 5}, {Tag: access.ACL_MASK, Perm: 7}, {Tag: access.ACL_OTHER}}
	return []ruleRow{
		{name: "whiteout", rule: "layer.md Whiteouts: .wh.NAME removes NAME of a lower layer and what is below it",
			layers: [][]tf{{tdir("a/", 0o755, 0, 0), tfile("a/f", 0o644, 0, 0, ""), tdir("a/d/", 0o700, 1, 1), tfile("a/d/g", 0o644, 0, 0, "")}, {tfile("a/.wh.d", 0, 0, 0, "")}},
			want:   "dir /a 0755 0:0\nfile /a/f 0644 0:0", gone: []string{"/a/d", "/a/d/g", "/a/.wh.d"}},
		{name: "opaque", rule: "layer.md Opaque Whiteout: .wh..wh..opq hides every lower child, keeps its own layer's",
			layers: [][]tf{{tdir("a/", 0o755, 0, 0), tfile("a/old", 0o644, 0, 0, ""), tdir("a/sub/", 0o755, 0, 0), tfile("a/sub/x", 0o644, 0, 0, "")},
				{tdir("a/", 0o750, 2, 2), tfile("a/new", 0o600, 3, 3, ""), tfile("a/.wh..wh..opq", 0, 0, 0, ""), tfile("a/sub/y", 0o644, 0, 0, "")}},
			want: "dir /a 0750 2:2\nfile /a/new 0600 3:3\ndir /a/sub 0755 0:0\nfile /a/sub/y 0644 0:0", gone: []string{"/a/old", "/a/sub/x", "/a/.wh..wh..opq"}},
		{name: "whiteout_then_recreate", rule: "applyNaive replaces the whiteout's device by the directory, which is not opaque: overlayfs merges the lower one again",
			layers: [][]tf{{tdir("d/", 0o755, 0, 0), tfile("d/x", 0o644, 0, 0, "")}, {tfile(".wh.d", 0, 0, 0, ""), tdir("d/", 0o711, 4, 4)}},
			want:   "dir /d 0711 4:4\nfile /d/x 0644 0:0"},
		{name: "whiteout_then_file", rule: "a non-directory replacing the whiteout hides the lower directory",
			layers: [][]tf{{tdir("d/", 0o755, 0, 0), tfile("d/x", 0o644, 0, 0, "")}, {tfile(".wh.d", 0, 0, 0, ""), tfile("d", 0o600, 4, 4, "")}},
			want:   "file /d 0600 4:4", gone: []string{"/d/x"}},
		{name: "whiteout_first_layer", rule: "overlay.go:mounts: the first layer is a bind mount, so applyNaive's own convertWhiteout removes the name",
			layers: [][]tf{{tdir("d/", 0o755, 0, 0), tfile("d/x", 0o644, 0, 0, ""), tfile("f", 0o644, 0, 0, ""), tfile(".wh.d", 0, 0, 0, ""), tfile(".wh.f", 0, 0, 0, ""), tfile("d/y", 0o600, 0, 0, "")}},
			want:   "dir /d 0755 0:0\nfile /d/y 0600 0:0", gone: []string{"/d/x", "/f"}},
		{name: "opaque_first_layer", rule: "applyNaive's convertWhiteout: an opaque marker removes what no entry unpacked (mkparent's directories too)",
			layers: [][]tf{{tfile("a/b/c", 0o644, 0, 0, ""), tdir("a/k/", 0o700, 0, 0), tfile("a/k/z", 0o644, 0, 0, ""), tfile("a/.wh..wh..opq", 0, 0, 0, "")}},
			want:   "dir /a 0755 0:0\ndir /a/k 0700 0:0\nfile /a/k/z 0644 0:0", gone: []string{"/a/b", "/a/b/c"}},
		{name: "whiteout_missing", rule: "OverlayConvertWhiteout: a whiteout of a missing name hides nothing; mkparent makes its parents 0755 0:0",
			layers: [][]tf{{tfile("x/y/.wh.nothing", 0, 0, 0, "")}},
			want:   "dir /x 0755 0:0\ndir /x/y 0755 0:0", gone: []string{"/x/y/nothing"}},
		{name: "whiteout_same_layer", rule: "OverlayConvertWhiteout: mknod of a name the layer has fails with EEXIST",
			layers: [][]tf{{tfile("base", 0o644, 0, 0, "")}, {tfile("f", 0o644, 0, 0, ""), tfile(".wh.f", 0, 0, 0, "")}}, err: `entry ".wh.f": failed to convert whiteout file ".wh.f": file exists`},
		{name: "whiteout_invalid", rule: "validateWhiteout: .wh.. names the directory itself",
			layers: [][]tf{{tfile("a/.wh..", 0, 0, 0, "")}}, err: "invalid whiteout name"},
		{name: "char00_whiteout", rule: "ovl_is_whiteout: a character device 0:0 is a whiteout",
			layers: [][]tf{{tfile("f", 0o644, 0, 0, "")}, {{h: tar.Header{Typeflag: tar.TypeChar, Name: "f"}}}}, gone: []string{"/f"}},
		{name: "dir_over_dir", rule: "applyNaive: a directory over a directory merges, the entry's mode and owner win",
			layers: [][]tf{{tdir("d/", 0o755, 0, 0), tfile("d/x", 0o644, 0, 0, "")}, {tdir("d/", 0o700, 9, 9)}},
			want:   "dir /d 0700 9:9\nfile /d/x 0644 0:0"},
		{name: "file_over_dir", rule: "applyNaive: a non-directory replaces a directory and all below it",
			layers: [][]tf{{tdir("d/", 0o755, 0, 0), tfile("d/x", 0o644, 0, 0, "")}, {tfile("d", 0o600, 0, 0, "")}},
			want:   "file /d 0600 0:0", gone: []string{"/d/x"}},
		{name: "implied_parent_keeps_lower", rule: "mkparent: a missing parent copies the lower layer's directory",
			layers: [][]tf{{tdir("home/u/", 0o700, 7, 7)}, {tfile("home/u/f", 0o644, 7, 7, "")}},
			want:   "dir /home 0755 0:0\ndir /home/u 0700 7:7\nfile /home/u/f 0644 7:7"},
		{name: "implied_parent_over_file", rule: "mkparent: a lower non-directory is replaced by a 0755 0:0 directory",
			layers: [][]tf{{tfile("p", 0o600, 5, 5, "")}, {tfile("p/f", 0o644, 0, 0, "")}},
			want:   "dir /p 0755 0:0\nfile /p/f 0644 0:0"},
		{name: "implied_parent_same_layer_file", rule: "mkparent: a parent the same layer made a file is ENOTDIR",
			layers: [][]tf{{tfile("p", 0o600, 5, 5, ""), tfile("p/f", 0o644, 0, 0, "")}}, err: "mkparent /p: not a directory"},
		{name: "dotdot_and_absolute", rule: "applyNaive: names are cleaned and taken from the root (fs.RootPath keeps .. at the root)",
			layers: [][]tf{{tfile("../../etc/x", 0o644, 0, 0, ""), tfile("/abs", 0o600, 0, 0, ""), tfile("./a/../b", 0o640, 0, 0, "")}},
			want:   "file /etc/x 0644 0:0\nfile /abs 0600 0:0\nfile /b 0640 0:0"},
		{name: "root_ignored", rule: `applyNaive: "file ignored: resolved to root"`,
			layers: [][]tf{{tdir("./", 0o700, 5, 5), tdir("..", 0o700, 5, 5)}}, want: "dir / 0755 0:0"},
		{name: "hardlink_shares_inode", rule: "createTarFile: os.Link, then the link's owner and mode apply to the shared inode",
			layers: [][]tf{{tfile("bin/a", 0o755, 0, 0, "#!/bin/sh\n"), thard("bin/b", "bin/a", 0o750, 3, 3)}},
			want:   "file /bin/a 0750 3:3 text=\"#!/bin/sh\\n\"\nfile /bin/b 0750 3:3 text=\"#!/bin/sh\\n\""},
		{name: "hardlink_survives_replace", rule: "applyNaive: RemoveAll of one name leaves the other link's inode",
			layers: [][]tf{{tfile("a", 0o755, 0, 0, "old"), thard("b", "a", 0o755, 0, 0), tfile("a", 0o700, 1, 1, "new")}},
			want:   "file /a 0700 1:1 text=\"new\"\nfile /b 0755 0:0 text=\"old\""},
		{name: "hardlink_missing", rule: "createTarFile: os.Link to a missing name is ENOENT",
			layers: [][]tf{{thard("b", "nothere", 0o644, 0, 0)}}, err: `entry "b": link /nothere /b: no such file or directory`},
		{name: "hardlink_lower_layer", rule: "hardlinkRootPath: the link is made in the layer's own upper directory",
			layers: [][]tf{{tfile("a", 0o644, 0, 0, "")}, {thard("b", "a", 0o644, 0, 0)}}, err: "a file of a lower layer"},
		{name: "hardlink_dir", rule: "link(2): a hard link to a directory is EPERM",
			layers: [][]tf{{tdir("d/", 0o755, 0, 0), thard("e", "d", 0o755, 0, 0)}}, err: "operation not permitted"},
		{name: "acl_chmod", rule: "createTarFile: setxattr, then lchmod: posix_acl_chmod sets the mask from the mode",
			layers: [][]tf{{txattr(tdir("s/", 0o750, 0, 0), "system.posix_acl_access", aclXattr(acl))}},
			want:   "dir /s 0750 0:0 acl=u::rwx,u:5:r-x,g::r-x,m::r-x,o::---"},
		{name: "acl_is_mode", rule: "posix_acl_update_mode: an ACL of the three base entries is not kept",
			layers: [][]tf{{txattr(tfile("f", 0o640, 0, 0, ""), "system.posix_acl_access", aclXattr(access.ACL{{Tag: access.ACL_USER_OBJ, Perm: 7}, {Tag: access.ACL_GROUP_OBJ, Perm: 7}, {Tag: access.ACL_OTHER, Perm: 7}}))}},
			want:   "file /f 0640 0:0"},
		{name: "acl_invalid", rule: "posix_acl_valid: named entries need a mask (setxattr EINVAL)",
			layers: [][]tf{{txattr(tfile("f", 0o640, 0, 0, ""), "system.posix_acl_access", aclXattr(access.ACL{{Tag: access.ACL_USER_OBJ, Perm: 7}, {Tag: access.ACL_USER, Perm: 7, ID: 1}, {Tag: access.ACL_GROUP_OBJ, Perm: 7}, {Tag: access.ACL_OTHER, Perm: 7}}))}},
			err:    "failed to setxattr system.posix_acl_access: invalid argument"},
		{name: "file_caps", rule: "createTarFile: SCHILY.xattr.security.capability becomes the file's capabilities",
			layers: [][]tf{{txattr(tfile("ping", 0o755, 0, 0, ""), "security.capability", string(caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true, Revision: 2}.Marshal()))}},
			want:   "file /ping 0755 0:0 caps=CAP_NET_RAW+ep"},
		{name: "gnu_sparse_old", rule: `createTarFile: "unhandled tar header type" (a GNU 'S' entry)`,
			layers: [][]tf{{{h: tar.Header{Typeflag: tar.TypeCont, Name: "c", Size: 0}}}}, err: "unhandled tar header type 55"},
		{name: "symlink_cycle", rule: "symlinks are kept as written; a cycle is the model's ELOOP at lookup",
			layers: [][]tf{{tlink("l1", "l2"), tlink("l2", "/l1")}}, want: "symlink /l1 l2\nsymlink /l2 /l1"},
		{name: "parent_symlink_same_layer", rule: "fs.RootPath follows a symlink of the same layer: not modelled, refused",
			layers: [][]tf{{tlink("lib", "usr/lib"), tfile("lib/x", 0o644, 0, 0, "")}}, err: "not modelled"},
		{name: "parent_symlink_lower_layer", rule: "mkparent works in the upper directory: a lower layer's symlink is replaced by a directory",
			layers: [][]tf{{tdir("usr/lib/", 0o755, 0, 0), tlink("lib", "usr/lib")}, {tfile("lib/x", 0o644, 0, 0, "")}},
			want:   "dir /lib 0755 0:0\nfile /lib/x 0644 0:0\ndir /usr/lib 0755 0:0", gone: []string{"/usr/lib/x"}},
	}
}

func TestImageRules(t *testing.T) {
	rows := imageRuleRows()
	seen := map[string]bool{}
	for _, r := range rows {
		if r.rule == "" || seen[r.name] {
			t.Fatalf("row %q: no rule, or a duplicate name", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, func(t *testing.T) {
			var layers [][]byte
			for i, l := range r.layers {
				layers = append(layers, layerTar(t, i%2 == 0, l...))
			}
			img, err := NewImage(memLayers(layers...), &ImageOptions{Whole: wholeAll})
			if r.err != "" {
				if err == nil || !strings.Contains(err.Error(), r.err) || !strings.Contains(err.Error(), "layer ") {
					t.Fatalf("err = %v, want one naming the layer and containing %q (%s)", err, r.err, r.rule)
				}
				if img != nil {
					t.Fatalf("a partial result with the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("%v (%s)", err, r.rule)
			}
			want := MustParseFixture(r.want)
			for _, e := range want.Entries {
				checkEntry(t, img, e)
			}
			for _, g := range r.gone {
				if ino, err := img.Lstat(g); !errors.Is(err, access.ENOENT) {
					t.Errorf("%s: Lstat = %#o, %v, want ENOENT (%s)", g, ino.Mode, err, r.rule)
				}
			}
		})
	}
}

// checkEntry checks that img has the fixture entry e.
func checkEntry(t *testing.T, img *Image, e Entry) {
	t.Helper()
	got, err := img.Lstat(e.Path)
	if err != nil {
		t.Errorf("%s: %v", e.Path, err)
		return
	}
	want := access.Inode{Mode: e.Mode, UID: e.UID, GID: e.GID, ACL: e.ACL, Caps: e.Caps}
	if want.Caps != nil && want.Caps.Revision == 0 {
		c := *want.Caps
		c.Revision = 2 // as Marshal writes it and the kernel reads it back
		want.Caps = &c
	}
	switch e.Kind {
	case KindDir:
		want.Mode |= access.S_IFDIR
	case KindFile:
		want.Mode |= access.S_IFREG
		want.Size = int64(len(e.Content))
	case KindSymlink:
		want.Mode = access.S_IFLNK | 0o777
		want.Size = int64(len(e.Target))
		if l, err := img.Readlink(e.Path); err != nil || l != e.Target {
			t.Errorf("%s: Readlink = %q, %v, want %q", e.Path, l, err, e.Target)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: Lstat (-want +got):\n%s", e.Path, diff)
	}
	if e.Kind == KindFile && len(e.Content) > 0 {
		p := make([]byte, len(e.Content))
		if n, err := img.ReadAt(e.Path, p, 0); n != len(p) || (err != nil && err != io.EOF) || !bytes.Equal(p, e.Content) {
			t.Errorf("%s: ReadAt = %q, %v, want %q", e.Path, p[:n], err, e.Content)
		}
	}
}

func TestImageSymlinkCycleIsELOOP(t *testing.T) {
	img := imageOf(t, nil, layerTar(t, true, tlink("l1", "l2"), tlink("l2", "/l1"), tfile("ok", 0o755, 0, 0, "#!/ok\n")))
	p := &access.Proc{Cred: access.Root(), FS: img, Cwd: "/"}
	_, _, err := p.Resolve("/l1")
	if !errors.Is(err, access.ELOOP) {
		t.Fatalf("Resolve /l1 = %v, want ELOOP", err)
	}
	if _, _, err := p.Resolve("/ok"); err != nil {
		t.Fatalf("Resolve /ok = %v", err)
	}
}

func TestImageBadInput(t *testing.T) {
	good := layerTar(t, true, tdir("a/", 0o755, 0, 0), tfile("a/f", 0o755, 0, 0, strings.Repeat("x", 100000)), tfile("a/g", 0o644, 0, 0, "g"))
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)/2] ^= 0xff
	rows := []struct {
		name, rule string
		layer      []byte
		err        string
	}{
		{"truncated_gzip", "gzip: a stream cut short is io.ErrUnexpectedEOF", good[:len(good)/2], "unexpected EOF"},
		{"truncated_trailer", "containerd reads a layer to its end (digest): a cut gzip trailer is an error", good[:len(good)-4], "unexpected EOF"},
		{"corrupt_gzip", "flate: a flipped byte is a corrupt stream or a checksum error", corrupt, "layer 2 (mem2)"},
		{"not_tar", "archive/tar: a header that is not one", bytes.Repeat([]byte("nope"), 200), "layer 2 (mem2): after entry"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			img, err := NewImage(memLayers(good, r.layer), nil)
			if err == nil || !strings.Contains(err.Error(), r.err) || img != nil {
				t.Fatalf("NewImage = %v, %v; want no image and an error containing %q (%s)", img, err, r.err, r.rule)
			}
		})
	}
}

// sparseLayer returns a layer holding a PAX (GNU 1.0) sparse file of size
// logical bytes whose only data is head at offset 0: archive/tar reads it
// as a regular file of its logical size.
func sparseLayer(t testing.TB, size int64, head []byte) []byte {
	t.Helper()
	smap := fmt.Sprintf("1\n0\n%d\n", len(head))
	phys := (len(smap)+511)/512*512 + len(head)
	var data bytes.Buffer
	data.WriteString(smap)
	data.Write(make([]byte, (len(smap)+511)/512*512-len(smap)))
	data.Write(head)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	// archive/tar's Writer refuses GNU.sparse records; write the PAX header
	// as a file of its own, then the entry's ustar header by hand.
	pax := paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
		paxRecord("GNU.sparse.name", "big") + paxRecord("GNU.sparse.realsize", fmt.Sprint(size))
	blocks := [][]byte{ustar("PaxHeaders/big", 'x', int64(len(pax)))}
	blocks = append(blocks, pad([]byte(pax)))
	blocks = append(blocks, ustar("GNUSparseFile.0/big", '0', int64(phys)), pad(data.Bytes()))
	for _, b := range blocks {
		zw.Write(b)
	}
	_ = tw
	zw.Write(make([]byte, 1024))
	zw.Close()
	return buf.Bytes()
}

func paxRecord(k, v string) string {
	n := len(k) + len(v) + 3
	for {
		s := fmt.Sprintf("%d %s=%s\n", n, k, v)
		if len(s) == n {
			return s
		}
		n = len(s)
	}
}

func pad(b []byte) []byte { return append(b, make([]byte, (512-len(b)%512)%512)...) }

// ustar is a ustar header block for name of type typ and size bytes, mode
// 0755 0:0.
func ustar(name string, typ byte, size int64) []byte {
	b := make([]byte, 512)
	copy(b, name)
	copy(b[100:], "0000755\x00")
	copy(b[108:], "0000000\x00")
	copy(b[116:], "0000000\x00")
	copy(b[124:], fmt.Sprintf("%011o\x00", size))
	copy(b[136:], "00000000000\x00")
	b[156] = typ
	copy(b[257:], "ustar\x0000")
	copy(b[148:], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

func TestImageSparse10GiB(t *testing.T) {
	head := []byte("#!/bin/sh\n")
	layer := sparseLayer(t, 10<<30, head)
	img := imageOf(t, nil, layer)
	ino, err := img.Lstat("/big")
	if err != nil || ino.Size != 10<<30 || ino.Mode != access.S_IFREG|0o755 {
		t.Fatalf("Lstat /big = %+v, %v, want a 10 GiB 0755 regular file", ino, err)
	}
	p := make([]byte, len(head))
	if n, err := img.ReadAt("/big", p, 0); n != len(p) || err != nil || !bytes.Equal(p, head) {
		t.Fatalf("ReadAt /big = %q, %v", p[:n], err)
	}
	if _, err := img.ReadAt("/big", p, 1<<30); !errors.Is(err, access.ErrNoContent) {
		t.Fatalf("ReadAt /big at 1 GiB = %v, want ErrNoContent", err)
	}
	if s := img.size(); s > 64<<10 {
		t.Fatalf("index of one sparse file holds %d bytes", s)
	}
}

// manyLayer streams a layer of n entries: directories of 100 entries,
// one executable script in ten, a symlink in fifty, the rest files of
// sizeOf(i) bytes of text-like bytes (gzip shrinks them about 3:1, as it
// does a distribution's binaries and text).
func manyLayer(n int, gz bool, sizeOf func(i int) int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		var w io.Writer = pw
		var zw *gzip.Writer
		if gz {
			zw = gzip.NewWriter(pw)
			w = zw
		}
		tw := tar.NewWriter(w)
		script := []byte("#!/bin/sh\nexec /usr/bin/env \"$@\"\n")
		text := textLike(1 << 20)
		for i := 0; i < n; i++ {
			var h tar.Header
			body := script
			switch {
			case i%100 == 0:
				h = tar.Header{Typeflag: tar.TypeDir, Name: fmt.Sprintf("usr/share/pkg%05d/", i/100), Mode: 0o755}
			case i%50 == 1:
				h = tar.Header{Typeflag: tar.TypeSymlink, Name: fmt.Sprintf("usr/share/pkg%05d/link%d", i/100, i), Linkname: "../pkg00000/file1", Mode: 0o777}
			case i%10 == 2:
				h = tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("usr/share/pkg%05d/run%d.sh", i/100, i), Mode: 0o755, Size: int64(len(body))}
			default:
				size := sizeOf(i)
				off := (i * 7919) % (len(text) - size)
				body = text[off : off+size]
				h = tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("usr/share/pkg%05d/file%d.txt", i/100, i), Mode: 0o644, Size: int64(size)}
			}
			if err := tw.WriteHeader(&h); err != nil {
				pw.CloseWithError(err)
				return
			}
			if h.Typeflag == tar.TypeReg {
				tw.Write(body)
			}
		}
		tw.Close()
		if zw != nil {
			zw.Close()
		}
		pw.Close()
	}()
	return pr
}

// textLike returns n bytes of words drawn from a small vocabulary by a
// fixed-seed generator, with some raw bytes: about 3:1 under gzip.
func textLike(n int) []byte {
	words := strings.Fields("the of and to in is that for it as with was on be by this are or from at an which have not but all were when we there can been has more if will one would their what so out up into about than them some could other then these two may first any like time only new very")
	out := make([]byte, 0, n)
	x := uint64(0x9e3779b97f4a7c15)
	for len(out) < n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if x%5 == 0 {
			out = append(out, byte(x>>8), byte(x>>16), byte(x>>24))
			continue
		}
		out = append(out, words[x%uint64(len(words))]...)
		out = append(out, ' ')
	}
	return out[:n]
}

// smallFiles is 320 bytes a file: the 1M-entry test's size.
func smallFiles(int) int { return 320 }

func TestImageMillionEntries(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a 1M-entry layer: not with -short or -race (CI's first, plain pass runs it)")
	}
	const n = 1 << 20
	img, err := NewImage([]ImageLayer{{Name: "big", Open: func() (io.ReadCloser, error) { return manyLayer(n, false, smallFiles), nil }}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.ents.len(); got != n+3 { // the entries, /, /usr, /usr/share
		t.Fatalf("%d names, want %d", got, n+3)
	}
	if per := img.size() / img.ents.len(); per > 200 {
		t.Fatalf("%d B per entry, want ≤ 200", per)
	}
	if _, err := img.Lstat(fmt.Sprintf("/usr/share/pkg%05d/file%d.txt", (n-1)/100, n-1)); err != nil {
		t.Fatal(err)
	}
}

// TestImageDeepNames feeds 100 files 2,042 levels deep, each below its
// own top directory (a few KB of gzip): the index keeps each name as its
// parent and its last component, so its bytes grow with the entries, not
// with the entries times their depth (which was 2 GB).
func TestImageDeepNames(t *testing.T) {
	const files, depth = 100, 2042
	var es []tf
	for i := range files {
		es = append(es, tfile(fmt.Sprintf("%02d/", i)+strings.Repeat("a/", depth-2)+"f", 0o644, 0, 0, ""))
	}
	img := imageOf(t, nil, layerTar(t, true, es...))
	n := img.ents.len()
	if n != 1+files*depth {
		t.Fatalf("%d names, want %d", n, 1+files*depth)
	}
	if img.names.len() > 2*n {
		t.Errorf("%d bytes of names for %d entries of 1 or 2 bytes", img.names.len(), n)
	}
	if per := img.size() / n; per > 120 {
		t.Errorf("%d B per entry, want ≤ 120", per)
	}
	t.Logf("%d entries: %d bytes of names, %d B per entry held", n, img.names.len(), img.size()/n)
	deep := "/99/" + strings.Repeat("a/", depth-2) + "f"
	if ino, err := img.Lstat(deep); err != nil || ino.Mode != access.S_IFREG|0o644 {
		t.Errorf("Lstat(deep) = %+v, %v", ino, err)
	}
	for _, bad := range []string{deep + "/", deep[:len(deep)-2] + "//f", deep[:len(deep)-1] + "./f", "99/a"} {
		if _, err := img.Lstat(bad); err != access.ENOENT {
			t.Errorf("Lstat(%.20q…) = %v, want ENOENT (not a clean absolute name)", bad, err)
		}
	}
}

// TestImageNameCap lowers the cap on the bytes of names: a layer past it
// is an error that says so.
func TestImageNameCap(t *testing.T) {
	defer func(c int) { imageNameCap = c }(imageNameCap)
	imageNameCap = 64
	var es []tf
	for i := range 20 {
		es = append(es, tfile(fmt.Sprintf("file%02d", i), 0o644, 0, 0, ""))
	}
	_, err := NewImage(memLayers(layerTar(t, true, es...)), nil)
	if err == nil || !strings.Contains(err.Error(), "more than 64 bytes of names") {
		t.Fatalf("NewImage = %v, want the cap on names", err)
	}
}

func TestImageProgress(t *testing.T) {
	layer := layerTar(t, true, tfile("a", 0o644, 0, 0, "x"))
	var tty, pipe bytes.Buffer
	imageOf(t, &ImageOptions{Progress: &tty, ProgressTerminal: true}, layer, layer)
	imageOf(t, &ImageOptions{Progress: &pipe}, layer)
	if !strings.Contains(tty.String(), "\rlayer 2/2 [") || !strings.HasSuffix(tty.String(), "\n") {
		t.Errorf("terminal progress = %q", tty.String())
	}
	if pipe.Len() != 0 {
		t.Errorf("progress to a non-terminal = %q, want nothing", pipe.String())
	}
}

// ggcrImage is a go-containerregistry image of the layers (gzip or plain,
// as they are) with config c for platform pl.
func ggcrImage(t testing.TB, c spec.ImageConfig, pl v1.Platform, layers ...[]byte) v1.Image {
	t.Helper()
	img := empty.Image
	for _, l := range layers {
		// static keeps an uncompressed layer's bytes as they are (its
		// diff id is its digest); tarball computes a gzip layer's diff id
		// from its contents.
		layer := static.NewLayer(l, types.OCIUncompressedLayer)
		if len(l) > 2 && l[0] == 0x1f && l[1] == 0x8b {
			var err error
			if layer, err = tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(l)), nil }, tarball.WithMediaType(types.OCILayer)); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = pl.OS, pl.Architecture, pl.Variant
	cf.Config = v1.Config{User: c.User, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint, Cmd: c.Cmd, Env: c.Env}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// tarDir writes the directory dir as a tar file at p (an OCI archive of a
// layout).
func tarDir(t testing.TB, dir, p string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(name string, fi os.FileInfo, err error) error {
		if err != nil || name == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, name)
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func hostPl() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

// TestOpenImageFormats writes one two-layer image (a gzip layer, then a
// plain one with a whiteout) as an OCI layout, an OCI archive and a
// docker-archive with go-containerregistry, and opens each.
func TestOpenImageFormats(t *testing.T) {
	cfg := spec.ImageConfig{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}, Cmd: []string{"-v"}, Env: []string{"PATH=/bin"}}
	l1 := layerTar(t, true, tdir("home/nonroot/", 0o700, 65532, 65532), tfile("app", 0o755, 0, 0, "#!/bin/sh\n"), tfile("gone", 0o644, 0, 0, ""))
	l2 := layerTar(t, false, tfile(".wh.gone", 0, 0, 0, ""), tfile("etc/passwd", 0o644, 0, 0, "root:x:0:0::/:/bin/sh\n"))
	img := ggcrImage(t, cfg, hostPl(), l1, l2)
	dir := t.TempDir()

	lay := filepath.Join(dir, "layout")
	if _, err := layout.Write(lay, empty.Index); err != nil {
		t.Fatal(err)
	}
	lp, _ := layout.FromPath(lay)
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{refAnnotation: "nonroot"})); err != nil {
		t.Fatal(err)
	}
	ociArchive := filepath.Join(dir, "oci.tar")
	tarDir(t, lay, ociArchive)
	docker := filepath.Join(dir, "docker.tar")
	tag, _ := name.NewTag("preexec.test/nonroot:1")
	if err := tarball.WriteToFile(docker, tag, img); err != nil {
		t.Fatal(err)
	}
	want := cfg
	for _, p := range []string{lay, ociArchive, docker} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			got, gotCfg, err := openImage(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, gotCfg); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			for _, e := range MustParseFixture("dir /home/nonroot 0700 65532:65532\nfile /app 0755 0:0 script=/bin/sh\nfile /etc/passwd 0644 0:0 text=\"root:x:0:0::/:/bin/sh\\n\"").Entries {
				checkEntry(t, got, e)
			}
			if _, err := got.Lstat("/gone"); !errors.Is(err, access.ENOENT) {
				t.Errorf("/gone: %v, want ENOENT", err)
			}
		})
	}
}

// TestOpenImagePlatform: an index of two platforms gives the one asked for,
// and no match is an error listing what there is.
func TestOpenImagePlatform(t *testing.T) {
	amd := ggcrImage(t, spec.ImageConfig{User: "amd"}, v1.Platform{OS: "linux", Architecture: "amd64"}, layerTar(t, true, tfile("amd", 0o644, 0, 0, "")))
	arm := ggcrImage(t, spec.ImageConfig{User: "arm"}, v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, layerTar(t, true, tfile("arm", 0o644, 0, 0, "")))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	dir := t.TempDir()
	lay := filepath.Join(dir, "layout")
	if _, err := layout.Write(lay, empty.Index); err != nil {
		t.Fatal(err)
	}
	lp, _ := layout.FromPath(lay)
	if err := lp.AppendIndex(idx); err != nil {
		t.Fatal(err)
	}
	arch := filepath.Join(dir, "oci.tar")
	tarDir(t, lay, arch)
	for _, p := range []string{lay, arch} {
		for _, r := range []struct{ platform, user, file string }{{"linux/amd64", "amd", "/amd"}, {"linux/arm64", "arm", "/arm"}, {"linux/arm64/v8", "arm", "/arm"}} {
			got, cfg, err := openImage(p, &ImageOptions{Platform: r.platform})
			if err != nil {
				t.Fatalf("%s %s: %v", p, r.platform, err)
			}
			if cfg.User != r.user {
				t.Errorf("%s %s: user %q, want %q", p, r.platform, cfg.User, r.user)
			}
			if _, err := got.Lstat(r.file); err != nil {
				t.Errorf("%s %s: %s: %v", p, r.platform, r.file, err)
			}
		}
		_, _, err := openImage(p, &ImageOptions{Platform: "linux/s390x"})
		if err == nil || !strings.Contains(err.Error(), "no image for platform linux/s390x") || !strings.Contains(err.Error(), "linux/amd64") || !strings.Contains(err.Error(), "linux/arm64/v8") {
			t.Errorf("%s: s390x: %v, want an error listing linux/amd64 and linux/arm64/v8", p, err)
		}
	}
}

// TestOpenImageZstd: a zstd layer of an OCI layout (containerd 1.6 unpacks
// them) is decompressed by OpenImage; NewImage alone says it reads gzip
// and plain tars.
func TestOpenImageZstd(t *testing.T) {
	var zb bytes.Buffer
	zw, err := zstd.NewWriter(&zb)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(layerTar(t, false, tfile("bin/z", 0o755, 0, 0, "#!/bin/sh\n")))
	zw.Close()
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(zb.Bytes(), types.OCILayerZStd))
	if err != nil {
		t.Fatal(err)
	}
	lay := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(lay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	got, _, err := openImage(lay, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkEntry(t, got, MustParseFixture("file /bin/z 0755 0:0 script=/bin/sh").Entries[0])
	if _, err := NewImage(memLayers(zb.Bytes()), nil); err == nil || !strings.Contains(err.Error(), "zstd") {
		t.Errorf("NewImage of a zstd layer = %v, want an error saying zstd", err)
	}
}

func TestCleanTarName(t *testing.T) {
	for _, n := range []string{"/", "//", "/a", "/a/", "/a//b", "/a/./b", "/a/../b", "/./a", "/../a", "/a/.", "/a/..", "/.a/b.", "/a/.b/", "/a/b/", "/a/b//", "/...", "/a./b"} {
		if got, want := cleanTarName(n), path.Clean(n); got != want {
			t.Errorf("cleanTarName(%q) = %q, want %q", n, got, want)
		}
		if c := path.Clean(n); c != "/" {
			d, b := splitName(c)
			if d != path.Dir(c) || b != path.Base(c) {
				t.Errorf("splitName(%q) = %q, %q", c, d, b)
			}
		}
	}
}

// TestImageBudgets: a small gzip layer that inflates past ImageOptions.MaxBytes
// (one of 10 MB inflating to 10 GiB, named five times, took 30 s) and an
// image of more layers than MaxLayers are refused, each error naming its
// option.
func TestImageBudgets(t *testing.T) {
	big := layerTar(t, true, tfile("big", 0o644, 0, 0, strings.Repeat("\x00", 8<<20)))
	_, err := NewImage(memLayers(big, big), &ImageOptions{MaxBytes: 12 << 20})
	if err == nil || !strings.Contains(err.Error(), "hold more than 12 MiB (limit inflated-size)") {
		t.Errorf("layers past MaxBytes: %v", err)
	}
	if _, err := NewImage(memLayers(big), &ImageOptions{MaxBytes: 12 << 20}); err != nil {
		t.Errorf("one layer within MaxBytes: %v", err)
	}
	small := layerTar(t, true, tfile("a", 0o644, 0, 0, ""))
	many := make([][]byte, 3)
	for i := range many {
		many[i] = small
	}
	_, err = NewImage(memLayers(many...), &ImageOptions{MaxLayers: 2})
	if err == nil || !strings.Contains(err.Error(), "3 layers, more than the 2 read (limit layers)") {
		t.Errorf("layers past MaxLayers: %v", err)
	}
}

// FindOwner names the first file, in the layers' order, whose owner the
// test refuses; a file a later layer removed is not one.
func TestImageFindOwner(t *testing.T) {
	img := imageOf(t, nil,
		layerTar(t, false, tdir("a/", 0o755, 0, 0), tfile("a/gone", 0o644, 70000, 0, "")),
		layerTar(t, false, tfile("a/.wh.gone", 0, 0, 0, ""), tfile("a/big", 0o644, 0, 80000, ""), tfile("b", 0o644, 90000, 0, "")))
	below := func(uid, gid uint32) bool { return uid < 65536 && gid < 65536 }
	name, uid, gid, found := img.FindOwner(below)
	if !found || name != "/a/big" || uid != 0 || gid != 80000 {
		t.Errorf("FindOwner = %q %d:%d %v, want /a/big 0:80000", name, uid, gid, found)
	}
	if _, _, _, found := img.FindOwner(func(uint32, uint32) bool { return true }); found {
		t.Errorf("FindOwner found an owner a test taking all refused")
	}
}
