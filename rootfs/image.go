package rootfs

import (
	"archive/tar"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"path"
	"runtime"
	"strings"
	"unsafe"

	"github.com/preexec/preexec/internal/limit"

	"github.com/klauspost/compress/gzip"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Image is the root filesystem of a container image: its layers applied in
// order into one read-only index, as containerd's overlay snapshotter
// unpacks them (diff/apply/apply_linux.go:apply@v1.6.20: each layer is
// extracted by archive/tar.go:applyNaive into its own upper directory with
// OverlayConvertWhiteout, and overlayfs merges the upper directories).
// NewImage builds one from layer streams; load.OpenImage from an
// OCI layout, an OCI archive or a docker-archive.
//
// Each layer is read once, as a stream, and applied entry by entry:
//
//  1. A name is cleaned and taken from the root: "../x", "/x" and "x" are
//     all /x, since applyNaive cleans the name and resolves its directory
//     with continuity's fs.RootPath (v0.3.0), which keeps ".." at the
//     root. A name that is the root ("./", "/", "..") is skipped ("file
//     ignored: resolved to root"): the root is 0755 0:0 whatever a layer
//     says.
//  2. Missing parent directories are created as mkparent does: a
//     directory of a lower layer stays as it is (mkparent copies its
//     mode, owner and xattrs up); where there is none, or a lower layer has
//     a non-directory there, it is 0755 0:0. A parent that this layer made
//     a non-directory is ENOTDIR, an error.
//  3. ".wh.NAME" removes NAME and everything below it from the lower
//     layers; ".wh..wh..opq" removes everything the lower layers have
//     below its directory (image-spec layer.md "Whiteouts", v1.1.0). A
//     whiteout cannot hide what its own layer made: for a name this layer
//     already has, OverlayConvertWhiteout's mknod fails (EEXIST), an
//     error; a directory that replaces the whiteout later in the layer is
//     not opaque, so the lower directory shows through it again. The
//     first layer has no parent: the snapshotter mounts it with a bind
//     mount (snapshots/overlay/overlay.go:mounts), so applyNaive's own
//     whiteout handling applies there: ".wh.NAME" removes NAME whichever
//     entry made it, and an opaque marker removes what no entry of the
//     layer unpacked (mkparent's directories included). ".wh.", ".wh.."
//     and ".wh..." are invalid whiteout names, an error
//     (validateWhiteout). A whiteout of a name no layer has only creates
//     its parents. A character device 0:0 is overlayfs's own whiteout
//     (fs/overlayfs/overlayfs.h:ovl_is_whiteout) and hides the same way
//     (in the first layer too, which is a lower layer of the container's
//     overlay).
//  4. An entry replaces what a lower layer or an earlier entry has at its
//     name, and everything below it, except that a directory over a
//     directory merges: the entry's mode and owner win, the contents
//     stay.
//  5. A hardlink names a file this layer already has (hardlinkRootPath: the
//     link is made in the layer's own upper directory, where lower layers'
//     files are not): the new name shares its inode, and the link entry's
//     owner, xattrs and mode are then applied to that inode, as
//     createTarFile does after os.Link. A link to a missing name, to a
//     lower layer's file or to a directory is an error.
//  6. Owner, then the xattrs of PAX SCHILY.xattr.* records, then the mode
//     (07777 bits) are applied in createTarFile's order, so a
//     system.posix_acl_access ACL ends with its owner, mask (or group)
//     and other entries set from the mode (fs/posix_acl.c:posix_acl_chmod),
//     and an ACL that says no more than a mode is not kept
//     (posix_acl_update_mode). security.capability counts on regular
//     files. xattrs on symlinks, devices and FIFOs are ignored.
//  7. Types are directory, regular file, symlink, hardlink, FIFO and
//     character and block devices; a PAX global header is skipped (after
//     removing what is at its name, as applyNaive does); any other type
//     (a GNU sparse 'S' entry among them) is an error ("unhandled tar
//     header type"). A PAX sparse file is a regular file of its logical
//     size.
//
// A layer may be gzip-compressed or a plain tar. After the tar's end the
// rest of the stream is read, as containerd reads a layer to its end to
// check its digest, so a truncated or corrupt gzip stream is an error.
// Every error names the layer and the entry, and NewImage returns no
// partial result. TestImageContainerd holds every rule above to the real
// containerd's unpacking.
//
// Image does not keep file contents. For each regular file with an
// execute bit it keeps what access.Proc.Execve reads: the first
// access.BINPRM_BUF_SIZE bytes and, for an ELF, its program header table
// and PT_INTERP string when they lie within the first MaxImageHeld bytes.
// It keeps the whole of the files ImageOptions.Whole names (by default
// /etc/passwd and /etc/group, which the user resolution of runc and the
// engines reads) up to MaxImageHeld bytes. ReadAt of anything else returns
// an error that Is access.ErrNoContent.
//
// Not modelled: a parent directory that is a symlink made by the same
// layer (containerd follows it inside the upper directory; NewImage
// refuses the entry); mkparent copying the attributes of a lower
// directory that an opaque directory or a whiteout between them hides, or
// failing with ENOTDIR where a lower layer has a file above it (Image
// makes such a parent 0755 0:0); a same-layer directory replaced by a
// non-directory and then by a directory again (the lower contents stay
// hidden); a view of the first layer alone (`ctr images mount` of a
// one-layer image), which shows its character devices 0:0; the kernel's conversion of a security.capability value on
// write (cap_convert_nscap); containerd running in a user namespace.
//
// Once built an Image is read-only and safe for concurrent readers. Mount
// flags are all clear.
type Image struct {
	names byteArena // every entry's base name
	ents  chunked[imageEnt]
	inos  chunked[imageIno]
	slots []uint32 // open-addressing hash table of entry index+1
	seed  maphash.Seed
	data  byteArena // symlink targets and held file bytes
	exts  []imageExt
	acls  []access.ACL
	caps  []caps.FileCaps
}

// An ImageLayer is one layer of an image, bottom first: a gzip-compressed
// or plain tar stream.
type ImageLayer struct {
	// Name says which layer it is in errors: its digest, or its path in
	// an archive.
	Name string
	// Size is the size of the stream Open returns, for progress; 0 if
	// unknown.
	Size int64
	// Open opens the stream. Its Close is called when the layer has been
	// read, and its error fails the layer (a digest that does not match).
	Open func() (io.ReadCloser, error)
}

// ImageOptions are the options of NewImage and OpenImage. The zero value
// is the default.
type ImageOptions struct {
	// Platform is the platform to take from an index of several images,
	// "os/arch" or "os/arch/variant" ("linux/arm64/v8"). "" is linux on the
	// host's architecture (OpenImage).
	Platform string
	// Ref picks an image by its org.opencontainers.image.ref.name
	// annotation (OCI layout or archive) or its tag (docker-archive) where
	// the file holds several.
	Ref string
	// Progress, if not nil, receives a progress bar while layers are read,
	// when ProgressTerminal says it is a terminal; nothing is written to a
	// Progress that is not.
	Progress         io.Writer
	ProgressTerminal bool
	// Whole reports the names whose whole contents the Image keeps (up to
	// MaxImageHeld bytes); nil is DefaultImageWhole.
	Whole func(name string) bool
	// MaxLayers bounds the layers of an image (0 is DefaultMaxLayers);
	// more is an error naming the limit (limit layers).
	MaxLayers int
	// MaxBytes bounds the bytes the layers' tars hold together, after
	// decompression (0 is DefaultMaxBytes): a small gzip layer can inflate
	// to gigabytes, and a manifest can name it many times. More is an
	// error naming the limit (limit inflated-size).
	MaxBytes int64
	// MaxIndexDescriptors bounds the descriptors OpenImage reads in an
	// image's index and the indexes it nests (0 is 10,000,
	// load.MaxIndexDescriptors; limit index-descriptors).
	MaxIndexDescriptors int
	// MaxBlobBytes bounds a manifest or config blob OpenImage reads whole
	// (0 is 64 MiB, load.MaxFileBytes; limit file-size).
	MaxBlobBytes int64
}

// The defaults of ImageOptions.MaxLayers and MaxBytes: more layers than
// images are built with (each is an overlayfs lower directory, and an
// engine's storage driver stacks a bounded number of them), and 32 GiB of
// tars, past the largest images of machine-learning stacks.
const (
	DefaultMaxLayers = 128
	DefaultMaxBytes  = 32 << 30
)

// MaxImageHeld is how far into a file Image keeps bytes: an ELF program
// header table or PT_INTERP string beyond it, or the part of a Whole file
// beyond it, is access.ErrNoContent.
const MaxImageHeld = 1 << 20

// MaxImageEntries bounds the names an Image indexes, whiteouts and
// replaced names included: a layer with more is an error rather than an
// unbounded allocation.
const MaxImageEntries = 1 << 24

// DefaultImageWhole reports the files whose contents the model reads whole:
// /etc/passwd and /etc/group.
func DefaultImageWhole(name string) bool { return name == "/etc/passwd" || name == "/etc/group" }

var _ access.FS = (*Image)(nil)

// imageEnt is a name: its parent directory's entry and its last
// component (the root is entry 0, whose parent is 0 and base ""). A name
// is thus kept in the bytes of its base, however deep it is.
type imageEnt struct {
	parent  uint32 // the parent's entry index+1; 0 for the root
	name    uint32 // the base's offset in names
	ino     uint32 // index in inos; deadIno if removed
	nameLen uint8  // the base's length (at most NAME_MAX)
}

// entMeta is what the builder knows of an entry beyond the index.
type entMeta struct {
	child, next uint32 // first child and next sibling, entry index+1
	layer       uint16 // the layer whose upper directory has the name; 0 for the root
	explicit    bool   // an entry of the layer made it (applyNaive's unpackedPaths)
}

// imageIno is an inode. ref and n are the body of a symlink (offset and
// length in data) or the held extents of a regular file (exts[ref:ref+n]).
type imageIno struct {
	mode, uid, gid uint32
	acl, caps      uint32 // index+1 in acls, caps; 0 if none
	size           int64
	ref, n         uint32
}

// imageExt is bytes [off, off+n) of a file, held at data[at:at+n].
type imageExt struct {
	off   int64
	at, n uint32
}

const (
	deadIno     = ^uint32(0)
	whiteoutIno = 0 // the shared inode of every whiteout
	tombstone   = ^uint32(0)
)

// errImageNoContent is access.ErrNoContent as an Image returns it.
type errImageNoContent struct{}

func (errImageNoContent) Error() string        { return "the image index does not hold these bytes" }
func (errImageNoContent) Is(target error) bool { return target == access.ErrNoContent }

// baseOf returns the base of entry e, a view of names.
func (m *Image) baseOf(e *imageEnt) string { return m.names.get(e.name, uint32(e.nameLen)) }

// nameOf returns the absolute name of entry i.
func (m *Image) nameOf(i uint32) string {
	var parts []string
	for v := i + 1; v > 1; v = m.ents.at(v - 1).parent {
		parts = append(parts, m.baseOf(m.ents.at(v-1)))
	}
	var sb strings.Builder
	for k := len(parts) - 1; k >= 0; k-- {
		sb.WriteByte('/')
		sb.WriteString(parts[k])
	}
	if sb.Len() == 0 {
		return "/"
	}
	return sb.String()
}

// A slot of the hash table holds an entry's index+1 in its low 25 bits
// and 7 bits of its name's hash above them (a tag: most names that are not
// the one looked up are told apart without reading them); 0 is an empty
// slot, tombstone a removed one.
const (
	slotIdx      = 1<<25 - 1
	slotTagShift = 25
)

// MaxImageNameBytes bounds the bytes of the base names an Image keeps (each
// name is kept as its parent's entry and its last component): a layer with
// more is an error rather than an unbounded allocation.
const MaxImageNameBytes = 1 << 30

// imageNameCap is MaxImageNameBytes, lowered by tests.
var imageNameCap = MaxImageNameBytes

// MaxImageEntries must fit a slot's index bits.
const _ = uint(slotIdx - MaxImageEntries - 1)

func slotTag(hv uint64) uint32 { return uint32(hv>>57) << slotTagShift }

// childHash is the hash of the name whose parent is entry parent
// (index+1) and whose base is base. The parent is multiplied by an odd
// constant, which is one-to-one on the low bits that pick a slot.
func childHash(seed maphash.Seed, parent uint32, base string) uint64 {
	return maphash.String(seed, base) ^ uint64(parent)*0x9e3779b97f4a7c15
}

// child returns the entry (index+1) of base in the directory entry parent,
// or 0.
func (m *Image) child(parent uint32, base string) uint32 {
	_, v, _ := m.findChild(parent, base)
	return v
}

// findChild returns the slot of the name base below the entry parent, the
// entry there (index+1, 0 if absent; then slot is where to insert it) and
// the slot's tag.
func (m *Image) findChild(parent uint32, base string) (slot int, ent, tag uint32) {
	mask := len(m.slots) - 1
	hv := childHash(m.seed, parent, base)
	h := int(hv) & mask
	tag = slotTag(hv)
	free := -1
	for {
		v := m.slots[h]
		switch {
		case v == 0:
			if free >= 0 {
				return free, 0, tag
			}
			return h, 0, tag
		case v == tombstone:
			if free < 0 {
				free = h
			}
		case v&^slotIdx == tag:
			i := v & slotIdx
			e := m.ents.at(i - 1)
			if e.parent == parent && int(e.nameLen) == len(base) && m.baseOf(e) == base {
				return h, i, tag
			}
		}
		h = (h + 1) & mask
	}
}

// find returns the entry (index+1) of the clean absolute name, or 0,
// looking its components up from the root.
func (m *Image) find(name string) uint32 {
	if name == "" || name[0] != '/' {
		return 0
	}
	v := uint32(1)
	for rest := name[1:]; rest != ""; {
		c := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			c, rest = rest[:i], rest[i+1:]
			if rest == "" {
				return 0 // a trailing slash: not a clean name
			}
		} else {
			rest = ""
		}
		if v = m.child(v, c); v == 0 {
			return 0
		}
	}
	return v
}

// lookup returns the inode of name, or nil (whiteouts are absent).
func (m *Image) lookup(name string) *imageIno {
	v := m.find(name)
	if v == 0 {
		return nil
	}
	i := m.ents.at(v - 1).ino
	if i == whiteoutIno || i == deadIno {
		return nil
	}
	return m.inos.at(i)
}

// FindOwner returns the name and owner of the first file of m, in the
// order the layers made them, whose owner ok refuses; found is false when
// ok takes every owner. Removed names are not files of m.
func (m *Image) FindOwner(ok func(uid, gid uint32) bool) (name string, uid, gid uint32, found bool) {
	for i := 0; i < m.ents.len(); i++ {
		n := m.ents.at(uint32(i)).ino
		if n == whiteoutIno || n == deadIno {
			continue
		}
		if ino := m.inos.at(n); !ok(ino.uid, ino.gid) {
			return m.nameOf(uint32(i)), ino.uid, ino.gid, true
		}
	}
	return "", 0, 0, false
}

// Lstat implements access.FS.
func (m *Image) Lstat(name string) (access.Inode, error) {
	n := m.lookup(name)
	if n == nil {
		return access.Inode{}, access.ENOENT
	}
	ino := access.Inode{Mode: n.mode, UID: n.uid, GID: n.gid, Size: n.size}
	if n.acl != 0 {
		ino.ACL = m.acls[n.acl-1]
	}
	if n.caps != 0 {
		ino.Caps = &m.caps[n.caps-1]
	}
	return ino, nil
}

// Readlink implements access.FS.
func (m *Image) Readlink(name string) (string, error) {
	n := m.lookup(name)
	if n == nil {
		return "", access.ENOENT
	}
	if n.mode&access.S_IFMT != access.S_IFLNK {
		return "", access.EINVAL
	}
	return strings.Clone(m.data.get(n.ref, n.n)), nil
}

// ReadAt implements access.FS. It returns the bytes Image holds (see
// Image); a read that reaches into bytes it does not hold returns 0 and an
// error that Is access.ErrNoContent. Like rootfs.Dir, it refuses a
// directory with EISDIR, a symlink with ELOOP and any other non-regular
// file with EINVAL.
func (m *Image) ReadAt(name string, p []byte, off int64) (int, error) {
	n := m.lookup(name)
	if n == nil {
		return 0, access.ENOENT
	}
	switch n.mode & access.S_IFMT {
	case access.S_IFREG:
	case access.S_IFDIR:
		return 0, access.EISDIR
	case access.S_IFLNK:
		return 0, access.ELOOP
	default:
		return 0, access.EINVAL
	}
	if off < 0 {
		return 0, access.EINVAL
	}
	if off >= n.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), n.size-off)
	for _, x := range m.exts[n.ref : n.ref+n.n] {
		if off >= x.off && off+want <= x.off+int64(x.n) {
			at := int64(x.at) + off - x.off
			k := copy(p, m.data.get(uint32(at), uint32(want)))
			if k < len(p) {
				return k, io.EOF
			}
			return k, nil
		}
	}
	return 0, errImageNoContent{}
}

// size returns the bytes the index keeps, counting the capacity of every
// array.
func (m *Image) size() int {
	s := m.names.cap() + m.ents.cap()*int(unsafe.Sizeof(imageEnt{})) + m.inos.cap()*40 + cap(m.slots)*4 + m.data.cap() + cap(m.exts)*16
	for _, a := range m.acls {
		s += 24 + cap(a)*8
	}
	return s + cap(m.caps)*32
}

// NewImage applies layers, bottom first, into an Image (see Image for the
// rules). opts may be nil.
func NewImage(layers []ImageLayer, opts *ImageOptions) (*Image, error) {
	if opts == nil {
		opts = &ImageOptions{}
	}
	b := newImageBuilder(opts)
	var total int64
	for _, l := range layers {
		total += l.Size
	}
	if opts.Progress != nil && opts.ProgressTerminal {
		b.bar = &progressBar{w: opts.Progress, total: total, layers: len(layers)}
	}
	maxLayers := opts.MaxLayers
	if maxLayers <= 0 {
		maxLayers = DefaultMaxLayers
	}
	if len(layers) > maxLayers || len(layers) >= 1<<16 {
		return nil, fmt.Errorf("rootfs: image: %d layers, more than the %d read (limit layers)", len(layers), maxLayers)
	}
	b.budget = opts.MaxBytes
	if b.budget <= 0 {
		b.budget = DefaultMaxBytes
	}
	b.maxBytes = b.budget
	for i, l := range layers {
		if err := b.layer(uint16(i+1), l); err != nil {
			b.bar.end()
			return nil, fmt.Errorf("rootfs: image: layer %d (%s): %w", i+1, l.Name, err)
		}
	}
	b.bar.end()
	return b.finish(), nil
}

type imageBuilder struct {
	img Image
	// budget is what is left of ImageOptions.MaxBytes (maxBytes) for the
	// layers' tars.
	budget, maxBytes int64
	whole            func(string) bool
	meta             chunked[entMeta]
	live             int // live entries
	tombs            int // tombstones in the hash table
	// naive is set while the first layer is applied: it has no parent, so
	// the overlay snapshotter mounts it as a bind mount
	// (snapshots/overlay/overlay.go:mounts@v1.6.20) and apply falls back to
	// archive.Apply's own whiteout handling, which removes what a
	// whiteout names (applyNaive's convertWhiteout).
	naive bool
	// wh are the whiteouts the current (overlay) layer made.
	wh  []uint32
	buf []byte
	bar *progressBar
	// lastDir is the last parent directory mkparent found present in the
	// layer lastLayer; any removal clears it.
	lastDir   string
	lastLayer uint16
	lastDirV  uint32 // lastDir's entry
	// removed is set once anything was removed: finish must compact.
	removed bool
	// collect is set when rehash left a large table behind.
	collect bool
	// last is the name of the last entry read, for errors; clean holds
	// the entry's name being cleaned.
	last, clean, lastBuf []byte
	// userWhole is set when whole is the caller's, which gets names it may keep.
	userWhole bool
}

func newImageBuilder(opts *ImageOptions) *imageBuilder {
	b := &imageBuilder{whole: opts.Whole, userWhole: opts.Whole != nil}
	if b.whole == nil {
		b.whole = DefaultImageWhole
	}
	m := &b.img
	m.seed = maphash.MakeSeed()
	m.names, m.data = newByteArena(nameChunkBits), newByteArena(dataChunkBits)
	m.slots = make([]uint32, 1024)
	// inode 0 is the whiteout, inode 1 the root.
	m.inos.add(imageIno{mode: access.S_IFCHR})
	m.inos.add(imageIno{mode: access.S_IFDIR | 0o755})
	b.insert(0, "", 0, 1)
	return b
}

// insert adds base below the directory entry parent (index+1; 0 for the
// root itself) with inode ino in layer, and returns its entry (index+1).
func (b *imageBuilder) insert(parent uint32, base string, layer uint16, ino uint32) uint32 {
	return b.insertAt(parent, base, layer, ino, -1, 0)
}

// insertAt is insert with the free slot findChild returned for the name,
// if the table has not changed since (-1 if not known), and its tag.
func (b *imageBuilder) insertAt(parent uint32, base string, layer uint16, ino uint32, slot int, tag uint32) uint32 {
	m := &b.img
	if (b.live+b.tombs+1)*2 > len(m.slots) {
		b.rehash()
		slot = -1
	}
	if slot < 0 {
		var v uint32
		slot, v, tag = m.findChild(parent, base)
		if v != 0 {
			panic("rootfs: image: insert of a present name " + base)
		}
	}
	if m.slots[slot] == tombstone {
		b.tombs--
	}
	m.ents.add(imageEnt{parent: parent, name: m.names.add(base), nameLen: uint8(len(base)), ino: ino})
	b.meta.add(entMeta{layer: layer})
	idx := uint32(m.ents.len())
	m.slots[slot] = idx | tag
	b.live++
	if parent != 0 {
		p := b.meta.at(parent - 1)
		b.meta.at(idx - 1).next = p.child
		p.child = idx
	}
	if b.collect {
		b.collect = false
		collectGarbage()
	}
	return idx
}

func (b *imageBuilder) rehash() {
	m := &b.img
	n := len(m.slots)
	// Twice the size at a load of one half: a quarter to a third after.
	for (b.live+1)*3 > n {
		n *= 2
	}
	b.collect = len(m.slots) >= bigFlat/4
	m.slots = make([]uint32, n)
	b.tombs = 0
	m.fillSlots()
}

// fillSlots puts every live entry into the empty table m.slots.
func (m *Image) fillSlots() {
	mask := len(m.slots) - 1
	for i := range uint32(m.ents.len()) {
		e := m.ents.at(i)
		if e.ino == deadIno {
			continue
		}
		hv := childHash(m.seed, e.parent, m.baseOf(e))
		h := int(hv) & mask
		for m.slots[h] != 0 {
			h = (h + 1) & mask
		}
		m.slots[h] = (i + 1) | slotTag(hv)
	}
}

// remove removes the entry v (index+1) and everything below it.
func (b *imageBuilder) remove(v uint32) {
	m := &b.img
	b.lastDir, b.lastDirV, b.removed = "", 0, true
	e := m.ents.at(v - 1)
	if e.ino == deadIno {
		return
	}
	b.removeChildren(v)
	slot, got, _ := m.findChild(e.parent, m.baseOf(e))
	if got == v {
		m.slots[slot] = tombstone
		b.tombs++
	}
	e.ino = deadIno
	b.live--
}

// removeChildren removes everything below v.
func (b *imageBuilder) removeChildren(v uint32) {
	for c := b.meta.at(v - 1).child; c != 0; c = b.meta.at(c - 1).next {
		b.remove(c)
	}
	b.meta.at(v - 1).child = 0
}

// removeLower removes everything below the directory v that no layer
// from layer up has: what an opaque directory of that layer hides.
func (b *imageBuilder) removeLower(v uint32, layer uint16) {
	m := &b.img
	for c := b.meta.at(v - 1).child; c != 0; c = b.meta.at(c - 1).next {
		switch {
		case m.ents.at(c-1).ino == deadIno:
		case b.meta.at(c-1).layer < layer:
			b.remove(c)
		case b.typeOf(c) == access.S_IFDIR:
			b.removeLower(c, layer)
		}
	}
}

// removeUnpacked removes everything below the directory v that no entry
// of the layer made, as applyNaive's convertWhiteout does for an opaque
// marker: filepath.Walk removes each path not in unpackedPaths, with all
// below it, and walks on into the paths it keeps.
func (b *imageBuilder) removeUnpacked(v uint32) {
	m := &b.img
	for c := b.meta.at(v - 1).child; c != 0; c = b.meta.at(c - 1).next {
		switch {
		case m.ents.at(c-1).ino == deadIno:
		case !b.meta.at(c - 1).explicit:
			b.remove(c)
		case b.typeOf(c) == access.S_IFDIR:
			b.removeUnpacked(c)
		}
	}
}

// get returns the live entry at the clean absolute name (index+1) or 0.
func (b *imageBuilder) get(name string) uint32 { return b.img.find(name) }

func (b *imageBuilder) typeOf(v uint32) uint32 {
	i := b.img.ents.at(v - 1).ino
	if i == whiteoutIno {
		return 0
	}
	return b.img.inos.at(i).mode & access.S_IFMT
}

// errNotModelled marks an entry whose unpacking Image does not model.
var errNotModelled = errors.New("not modelled")

// mkparent makes dir present in layer as a directory, as
// archive/tar.go:mkparent@v1.6.20 does in the layer's upper directory, and
// returns its entry (index+1). mkparent walks up from dir to the nearest
// directory present in the layer, then makes each one below it: a lower
// directory is copied up, anything else is replaced by a new directory.
// Since what a layer has, it has with all its parents, this walks down
// from the root instead, past the directories the layer has, a component
// at a time.
func (b *imageBuilder) mkparent(dir string, layer uint16) (uint32, error) {
	if dir == "/" {
		return 1, nil
	}
	if dir == b.lastDir && layer == b.lastLayer && b.lastDirV != 0 {
		return b.lastDirV, nil
	}
	m := &b.img
	v := uint32(1)
	for i := 1; i < len(dir); {
		end := len(dir)
		if j := strings.IndexByte(dir[i:], '/'); j >= 0 {
			end = i + j
		}
		prefix, base := dir[:end], dir[i:end]
		i = end + 1
		w := m.child(v, base)
		if w != 0 && b.meta.at(w-1).layer == layer {
			switch b.typeOf(w) {
			case access.S_IFDIR:
				v = w
				continue
			case access.S_IFLNK:
				return 0, fmt.Errorf("parent %s is a symlink of the same layer, which containerd follows (continuity fs.RootPath): %w", prefix, errNotModelled)
			}
			return 0, fmt.Errorf("mkparent %s: %w", prefix, access.ENOTDIR)
		}
		switch {
		case w != 0 && b.typeOf(w) == access.S_IFDIR:
			b.meta.at(w - 1).layer = layer // copied up: the lower directory's attributes
		default:
			if w != 0 {
				b.remove(w)
			}
			if err := b.checkLen(prefix, base); err != nil {
				return 0, err
			}
			w = b.insert(v, base, layer, m.inos.add(imageIno{mode: access.S_IFDIR | 0o755}))
		}
		v = w
	}
	b.setLastDir(dir, layer, v)
	return v, nil
}

// setLastDir sets lastDir to a copy of dir (a view of the entry's name),
// whose entry is v.
func (b *imageBuilder) setLastDir(dir string, layer uint16, v uint32) {
	b.lastBuf = append(b.lastBuf[:0], dir...)
	b.lastDir, b.lastLayer, b.lastDirV = bytesString(b.lastBuf), layer, v
}

// checkLen checks that the name whose last component is base may be
// added to the index.
func (b *imageBuilder) checkLen(name, base string) error {
	if len(name) >= access.PATH_MAX {
		return fmt.Errorf("%s: %w", name[:64]+"…", access.ENAMETOOLONG)
	}
	if len(base) > access.NAME_MAX {
		return fmt.Errorf("%s: %w", name, access.ENAMETOOLONG)
	}
	if b.img.ents.len() >= MaxImageEntries {
		return fmt.Errorf("more than %d entries (rootfs.MaxImageEntries)", MaxImageEntries)
	}
	if b.img.names.len()+len(base) > imageNameCap {
		return fmt.Errorf("more than %d bytes of names (the base names of %d entries; rootfs.MaxImageNameBytes)", imageNameCap, b.img.ents.len())
	}
	if b.img.data.full() {
		return fmt.Errorf("index larger than 4 GiB")
	}
	return nil
}

const (
	whiteoutPrefix    = ".wh."
	whiteoutOpaqueDir = ".wh..wh..opq"
)

// budgetReader reads r, charging what it reads to b's budget; past it, an
// error naming the limit.
type budgetReader struct {
	r io.Reader
	b *imageBuilder
}

func (r *budgetReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if r.b.budget -= int64(n); r.b.budget < 0 {
		return n, fmt.Errorf("the layers' tars hold more than %s (limit inflated-size)", limit.Size(r.b.maxBytes))
	}
	return n, err
}

// layer applies one layer. The stream's Close error is the layer's when
// all else went well: a reader that checks a digest at Close (package
// load's) fails the layer there.
func (b *imageBuilder) layer(layer uint16, l ImageLayer) (err error) {
	b.naive, b.wh = layer == 1, b.wh[:0]
	rc, err := l.Open()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rc.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	var r io.Reader = rc
	if b.bar != nil {
		b.bar.layer++
		r = &countingReader{r: rc, bar: b.bar}
	}
	// The tar's bytes are charged to the budget as they are read: the
	// inflated stream of a gzip layer, the raw stream of a plain one.
	raw := bufio.NewReaderSize(r, 64<<10)
	head, _ := raw.Peek(4)
	var bsrc *bufio.Reader
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		// Decompress on another goroutine, so that on two cores the tar
		// is read while the next bytes are inflated. It has ended when
		// layer returns.
		bp := newBlockPipe(gz)
		defer bp.close()
		bsrc = bufio.NewReaderSize(&budgetReader{r: bp, b: b}, 64<<10)
	case string(head) == "\x28\xb5\x2f\xfd":
		return errors.New("a zstd layer: NewImage reads gzip and plain tars (OpenImage decompresses zstd)")
	default:
		bsrc = bufio.NewReaderSize(&budgetReader{r: raw, b: b}, 64<<10)
	}
	tr := newTarReader(bsrc)
	b.last = append(b.last[:0], "(the first entry)"...)
	for {
		hdr, err := tr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("after entry %q: %w", b.last, err)
		}
		b.last = append(b.last[:0], hdr.Name...)
		if err := b.entry(layer, hdr, tr); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
	}
	// Read to the end: gzip checks its trailer there, and containerd reads
	// a layer whole to check its digest (diff/apply/apply.go).
	if _, err := io.Copy(io.Discard, bsrc); err != nil {
		return fmt.Errorf("after the end of the tar (last entry %q): %w", b.last, err)
	}
	// What this layer's whiteouts hide is gone: they need not stay.
	for _, v := range b.wh {
		if b.img.ents.at(v-1).ino == whiteoutIno {
			b.remove(v)
		}
	}
	b.lastDir = ""
	return nil
}

// entry applies one tar entry of layer.
func (b *imageBuilder) entry(layer uint16, hdr *tarEntry, r io.Reader) error {
	m := &b.img
	// name is a view of b.clean, valid for this entry only.
	b.clean = append(append(b.clean[:0], '/'), hdr.Name...)
	name := cleanTarName(bytesString(b.clean))
	if name == "/" {
		return nil // applyNaive: "file %q ignored: resolved to root"
	}
	dir, base := splitName(name)
	if err := b.checkLen(name, base); err != nil {
		return err
	}
	pv, err := b.mkparent(dir, layer)
	if err != nil {
		return err
	}
	if base == whiteoutOpaqueDir {
		if b.naive {
			b.removeUnpacked(pv)
		} else {
			b.removeLower(pv, layer)
		}
		return nil
	}
	if strings.HasPrefix(base, whiteoutPrefix) {
		orig := base[len(whiteoutPrefix):]
		if orig == "" || orig == "." || orig == ".." {
			return fmt.Errorf("invalid whiteout name: %v: invalid archive", base)
		}
		if err := b.whiteout(pv, orig, layer, true); err != nil {
			// archive/tar.go:applyNaive's wrapping
			return fmt.Errorf("failed to convert whiteout file %q: %w", path.Clean(hdr.Name), err)
		}
		return nil
	}
	if hdr.Typeflag == tar.TypeChar && hdr.Devmajor == 0 && hdr.Devminor == 0 {
		return b.whiteout(pv, base, layer, false)
	}
	if hdr.Uid < 0 || hdr.Uid > 1<<32-2 || hdr.Gid < 0 || hdr.Gid > 1<<32-2 {
		return fmt.Errorf("owner %d:%d: %w", hdr.Uid, hdr.Gid, access.EINVAL)
	}
	perm := uint32(hdr.Mode & 0o7777)
	var mode uint32
	switch hdr.Typeflag {
	case tar.TypeDir:
		mode = access.S_IFDIR
	case tar.TypeReg:
		mode = access.S_IFREG
	case tar.TypeSymlink:
		mode = access.S_IFLNK
	case tar.TypeFifo:
		mode = access.S_IFIFO
	case tar.TypeChar:
		mode = access.S_IFCHR
	case tar.TypeBlock:
		mode = access.S_IFBLK
	case tar.TypeLink:
		return b.hardlink(pv, base, name, layer, hdr)
	case tar.TypeXGlobalHeader:
		if v := m.child(pv, base); v != 0 {
			b.remove(v)
		}
		return nil
	default:
		return fmt.Errorf("unhandled tar header type %d", hdr.Typeflag)
	}
	acl, fc, err := imageXattrs(hdr)
	if err != nil {
		return err
	}
	slot, v, tag := m.findChild(pv, base)
	if v != 0 && mode == access.S_IFDIR && b.typeOf(v) == access.S_IFDIR {
		// A directory over a directory: createTarFile applies the owner,
		// xattrs and mode to it; the contents stay. An upper directory
		// made earlier in this layer (or copied up by mkparent) keeps the
		// xattrs the entry does not set; a lower one's are not seen.
		mt := b.meta.at(v - 1)
		n := m.inos.at(m.ents.at(v - 1).ino)
		if mt.layer != layer {
			n.acl, n.caps = 0, 0
		}
		mt.layer, mt.explicit = layer, true
		b.setAttrs(n, uint32(hdr.Uid), uint32(hdr.Gid), acl, fc, perm, true)
		return nil
	}
	keep := false
	if v != 0 && mode == access.S_IFDIR && m.ents.at(v-1).ino == whiteoutIno && b.meta.at(v-1).layer == layer {
		// A directory replacing this layer's whiteout: the upper directory
		// is not opaque, so overlayfs merges the lower one under it again.
		keep = true
	} else if v != 0 {
		b.remove(v)
	}
	ino := imageIno{mode: mode}
	switch mode {
	case access.S_IFREG:
		ino.size = hdr.Size
		if ino.ref, ino.n, err = b.content(name, r, hdr.Size, perm); err != nil {
			return err
		}
	case access.S_IFLNK:
		ino.size = int64(len(hdr.Linkname))
		ino.ref, ino.n = m.data.add(hdr.Linkname), uint32(len(hdr.Linkname))
		perm = 0o777
	}
	b.setAttrs(&ino, uint32(hdr.Uid), uint32(hdr.Gid), acl, fc, perm, mode == access.S_IFREG || mode == access.S_IFDIR)
	ni := m.inos.add(ino)
	if keep {
		m.ents.at(v - 1).ino = ni
		b.meta.at(v - 1).explicit = true
		return nil
	}
	if v != 0 {
		slot = -1 // removed, or a whiteout kept: the table has changed
	}
	b.meta.at(b.insertAt(pv, base, layer, ni, slot, tag) - 1).explicit = true
	return nil
}

// cleanTarName is path.Clean of the absolute name, without its pass over a
// name that needs no more than a trailing slash removed (a name with no
// "//" and no "/."), as most names of a tar are.
func cleanTarName(name string) string {
	if strings.Contains(name, "//") || strings.Contains(name, "/.") {
		return path.Clean(name)
	}
	if len(name) > 1 && name[len(name)-1] == '/' {
		return name[:len(name)-1]
	}
	return name
}

// splitName returns the directory and base of the clean absolute name
// other than "/": path.Dir and path.Base, without cleaning the directory
// again.
func splitName(name string) (dir, base string) {
	i := strings.LastIndexByte(name, '/')
	if i == 0 {
		return "/", name[1:]
	}
	return name[:i], name[i+1:]
}

// whiteout hides the name base in the directory entry parent, and what is
// below it, in the lower layers. In the
// first layer (naive) a .wh. entry removes the name. Above it
// OverlayConvertWhiteout makes a character device 0:0 with mknod, which
// fails where this layer has the name; a character device 0:0 entry
// replaces what the layer has like any entry. What the whiteout hides
// stays below it until the end of the layer, since a directory that
// replaces it in the same layer shows it again.
func (b *imageBuilder) whiteout(parent uint32, base string, layer uint16, mknod bool) error {
	m := &b.img
	v := m.child(parent, base)
	if b.naive && mknod {
		if v != 0 {
			b.remove(v)
		}
		return nil
	}
	if v != 0 && b.meta.at(v-1).layer == layer {
		if mknod {
			return access.EEXIST // mknod of a name the layer has
		}
		b.remove(v)
		v = 0
	}
	if v != 0 {
		m.ents.at(v - 1).ino = whiteoutIno
		b.meta.at(v - 1).layer = layer
		b.lastDir = ""
	} else {
		v = b.insert(parent, base, layer, whiteoutIno)
	}
	b.meta.at(v - 1).explicit = true
	b.wh = append(b.wh, v)
	return nil
}

// hardlink links name (base in the directory entry parent) to the inode of
// the file hdr.Linkname of the same layer (createTarFile's os.Link, then Lchown, setxattr and lchmod).
func (b *imageBuilder) hardlink(parent uint32, base, name string, layer uint16, hdr *tarEntry) error {
	m := &b.img
	acl, fc, err := imageXattrs(hdr)
	if err != nil {
		return err
	}
	// applyNaive removes what is at the name before createTarFile links.
	if v := m.child(parent, base); v != 0 {
		b.remove(v)
	}
	target := path.Clean("/" + hdr.Linkname)
	t := b.get(target)
	if t == 0 || b.meta.at(t-1).layer != layer || m.ents.at(t-1).ino == whiteoutIno {
		why := "no name in the layer"
		if t != 0 && m.ents.at(t-1).ino != whiteoutIno {
			why = "a file of a lower layer, not in this layer's upper directory"
		}
		return fmt.Errorf("link %s %s: %w (%s)", target, name, access.ENOENT, why)
	}
	if target == "/" || b.typeOf(t) == access.S_IFDIR {
		return fmt.Errorf("link %s %s: %w", target, name, access.EPERM)
	}
	ino := m.ents.at(t - 1).ino
	n := m.inos.at(ino)
	isLnk := n.mode&access.S_IFMT == access.S_IFLNK
	perm := uint32(hdr.Mode & 0o7777)
	if isLnk {
		perm = n.mode & 0o7777
	}
	b.setAttrs(n, uint32(hdr.Uid), uint32(hdr.Gid), acl, fc, perm, n.mode&access.S_IFMT == access.S_IFREG)
	b.meta.at(b.insert(parent, base, layer, ino) - 1).explicit = true
	return nil
}

// setAttrs applies an owner, xattrs (if xattrs) and a mode to n in
// createTarFile's order: setting an ACL sets the mode's permission bits
// from it and the chmod after sets the ACL's owner, mask (or group) and
// other entries from the mode.
func (b *imageBuilder) setAttrs(n *imageIno, uid, gid uint32, acl access.ACL, fc *caps.FileCaps, perm uint32, xattrs bool) {
	m := &b.img
	n.uid, n.gid = uid, gid
	if xattrs {
		if acl != nil {
			if aclIsMode(acl) {
				n.acl = 0 // posix_acl_update_mode: equivalent to a mode, not kept
			} else {
				m.acls = append(m.acls, acl)
				n.acl = uint32(len(m.acls))
			}
		}
		if fc != nil && n.mode&access.S_IFMT == access.S_IFREG {
			m.caps = append(m.caps, *fc)
			n.caps = uint32(len(m.caps))
		}
	}
	n.mode = n.mode&access.S_IFMT | perm
	if n.acl != 0 {
		m.acls[n.acl-1] = aclChmod(m.acls[n.acl-1], perm)
	}
}

// aclChmod returns acl with its owner, mask (or group, without a mask) and
// other entries set from perm, as fs/posix_acl.c:__posix_acl_chmod does.
func aclChmod(acl access.ACL, perm uint32) access.ACL {
	out := append(access.ACL(nil), acl...)
	hasMask := false
	for _, e := range out {
		if e.Tag == access.ACL_MASK {
			hasMask = true
		}
	}
	for i := range out {
		switch e := &out[i]; {
		case e.Tag == access.ACL_USER_OBJ:
			e.Perm = access.Mask(perm >> 6 & 7)
		case e.Tag == access.ACL_MASK, e.Tag == access.ACL_GROUP_OBJ && !hasMask:
			e.Perm = access.Mask(perm >> 3 & 7)
		case e.Tag == access.ACL_OTHER:
			e.Perm = access.Mask(perm & 7)
		}
	}
	return out
}

// The PAX records of the xattrs Image reads (archive/tar.go's
// paxSchilyXattr prefix).
const (
	paxACL  = "SCHILY.xattr.system.posix_acl_access"
	paxCaps = "SCHILY.xattr.security.capability"
)

// imageXattrs decodes the access ACL and file capabilities of hdr's PAX
// records; a value the kernel would refuse (setxattr: EINVAL) is an error.
func imageXattrs(hdr *tarEntry) (access.ACL, *caps.FileCaps, error) {
	var acl access.ACL
	var fc *caps.FileCaps
	if v, ok := hdr.ACL, hdr.HasACL; ok {
		a, err := parseACLXattr([]byte(v))
		if err == nil && !aclValid(a) {
			err = access.EINVAL
		}
		if err != nil {
			return nil, nil, fmt.Errorf("failed to setxattr system.posix_acl_access: %w", err)
		}
		sortACL(a)
		acl = a
	}
	if v, ok := hdr.Caps, hdr.HasCaps; ok && hdr.Typeflag != tar.TypeSymlink {
		c, err := caps.ParseFileCaps([]byte(v))
		if err != nil {
			return nil, nil, fmt.Errorf("failed to setxattr security.capability: %w", err)
		}
		fc = &c
	}
	return acl, fc, nil
}

// aclValid reports whether the kernel takes acl, as
// fs/posix_acl.c:posix_acl_valid checks it: one owner, group and other
// entry, at most one mask, a mask where there are named entries, and no
// name twice.
func aclValid(acl access.ACL) bool {
	var count [0x21]int
	seen := map[[2]uint32]bool{}
	for _, e := range acl {
		switch e.Tag {
		case access.ACL_USER_OBJ, access.ACL_GROUP_OBJ, access.ACL_MASK, access.ACL_OTHER:
			count[e.Tag]++
		case access.ACL_USER, access.ACL_GROUP:
			k := [2]uint32{uint32(e.Tag), e.ID}
			if seen[k] {
				return false
			}
			seen[k] = true
			count[e.Tag]++
		default:
			return false
		}
	}
	named := count[access.ACL_USER]+count[access.ACL_GROUP] > 0
	return count[access.ACL_USER_OBJ] == 1 && count[access.ACL_GROUP_OBJ] == 1 && count[access.ACL_OTHER] == 1 &&
		count[access.ACL_MASK] <= 1 && (!named || count[access.ACL_MASK] == 1)
}

// content reads from r what Image keeps of the regular file name of size
// bytes and permission perm, and returns its extents.
func (b *imageBuilder) content(name string, r io.Reader, size int64, perm uint32) (ref, n uint32, err error) {
	var want int64
	if b.userWhole {
		name = strings.Clone(name)
	}
	whole := b.whole(name)
	switch {
	case whole:
		want = min(size, MaxImageHeld)
	case perm&0o111 != 0:
		want = min(size, access.BINPRM_BUF_SIZE)
	}
	if want == 0 {
		return 0, 0, nil
	}
	b.buf = b.buf[:0]
	if err := b.read(r, want); err != nil {
		return 0, 0, err
	}
	type span struct{ off, end int64 }
	spans := []span{{0, want}}
	if !whole {
		// access/exec.go:checkELF and checkLoader read the program
		// headers and the PT_INTERP strings.
		for _, s := range elfSpans(b.buf, size) {
			if s[1] > MaxImageHeld {
				continue
			}
			if err := b.read(r, s[1]); err != nil {
				return 0, 0, err
			}
			spans = append(spans, span{s[0], s[1]})
			for _, t := range interpSpans(b.buf[s[0]:s[1]], size) {
				if t[1] > MaxImageHeld {
					continue
				}
				if err := b.read(r, t[1]); err != nil {
					return 0, 0, err
				}
				spans = append(spans, span{t[0], t[1]})
			}
		}
	}
	// Merge spans less than a header apart, in order of offset.
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].off < spans[j-1].off; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	m := &b.img
	ref = uint32(len(m.exts))
	cur := spans[0]
	flush := func(s span) {
		m.exts = append(m.exts, imageExt{off: s.off, at: m.data.add(bytesString(b.buf[s.off:s.end])), n: uint32(s.end - s.off)})
	}
	for _, s := range spans[1:] {
		if s.off <= cur.end+elfHeaderLen {
			cur.end = max(cur.end, s.end)
			continue
		}
		flush(cur)
		cur = s
	}
	flush(cur)
	return ref, uint32(len(m.exts)) - ref, nil
}

const elfHeaderLen = 64

// read reads r on into b.buf until it holds the first end bytes of the
// file.
func (b *imageBuilder) read(r io.Reader, end int64) error {
	have := int64(len(b.buf))
	if end <= have {
		return nil
	}
	if int64(cap(b.buf)) < end {
		nb := make([]byte, have, max(end, 2*int64(cap(b.buf))))
		copy(nb, b.buf)
		b.buf = nb
	}
	b.buf = b.buf[:end]
	if _, err := io.ReadFull(r, b.buf[have:end]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// elfSpans returns the program header table of the ELF64 little-endian
// file whose first bytes are head, as [off, end) (one span or none),
// following access/exec.go:checkELF's bounds: a header table of 56-byte
// entries, at most 4096 bytes, inside the file.
func elfSpans(head []byte, size int64) [][2]int64 {
	if len(head) < elfHeaderLen || string(head[:4]) != "\x7fELF" || head[4] != 2 || head[5] != 1 {
		return nil
	}
	le := binary.LittleEndian
	phoff := le.Uint64(head[32:])
	n := int64(le.Uint16(head[56:])) * 56
	if le.Uint16(head[54:]) != 56 || n == 0 || n > 4096 || phoff > uint64(size) || int64(phoff)+n > size {
		return nil
	}
	return [][2]int64{{int64(phoff), int64(phoff) + n}}
}

// interpSpans returns the PT_INTERP strings the program headers ph name,
// as checkELF bounds them (2 to PATH_MAX bytes, inside the file).
func interpSpans(ph []byte, size int64) [][2]int64 {
	le := binary.LittleEndian
	var out [][2]int64
	for i := 0; i+56 <= len(ph); i += 56 {
		e := ph[i:]
		if le.Uint32(e) != 3 {
			continue
		}
		off, n := le.Uint64(e[8:]), le.Uint64(e[32:])
		if n < 2 || n > access.PATH_MAX || off > uint64(size) || int64(off)+int64(n) > size {
			continue
		}
		out = append(out, [2]int64{int64(off), int64(off) + int64(n)})
	}
	return out
}

// finish compacts the index: only live names, the inodes, bytes and
// xattrs they use.
func (b *imageBuilder) finish() *Image {
	old := &b.img
	if !b.removed {
		// Nothing was removed: every inode and byte is in use, and the
		// table has no tombstones. What is left is whiteouts of names no
		// layer has, which the end of their layer removes, so there are
		// none; the index is used as it is, without a copy.
		m := &Image{names: old.names, ents: old.ents, inos: old.inos, slots: old.slots, seed: old.seed,
			data: old.data, exts: old.exts, acls: old.acls, caps: old.caps}
		if size := tableSize(m.ents.len()); len(m.slots) > size {
			// A small image in the builder's first table: a table of its own.
			m.slots = make([]uint32, size)
			m.fillSlots()
		}
		return m
	}
	m := &Image{seed: old.seed, names: newByteArena(nameChunkBits), data: newByteArena(dataChunkBits)}
	remap := make([]uint32, old.inos.len())
	m.inos.add(*old.inos.at(0))
	live := 0
	for i := range uint32(old.ents.len()) {
		if e := old.ents.at(i); e.ino != deadIno && e.ino != whiteoutIno {
			live++
		}
	}
	m.slots = make([]uint32, tableSize(live))
	for i := range uint32(old.ents.len()) {
		e := *old.ents.at(i)
		if e.ino == deadIno || e.ino == whiteoutIno {
			continue
		}
		if remap[e.ino] == 0 {
			remap[e.ino] = m.inos.add(b.copyIno(m, *old.inos.at(e.ino)))
		}
		// A live entry's parent is live, and before it: its new entry
		// is in the parent's meta.child, which the builder no longer
		// needs.
		parent := uint32(0)
		if e.parent != 0 {
			parent = b.meta.at(e.parent - 1).child
		}
		base := old.baseOf(&e)
		idx := m.ents.add(imageEnt{parent: parent, name: m.names.add(base), nameLen: e.nameLen, ino: remap[e.ino]}) + 1
		b.meta.at(i).child = idx
		slot, _, tag := m.findChild(parent, base)
		m.slots[slot] = idx | tag
	}
	m.exts = m.exts[:len(m.exts):len(m.exts)]
	return m
}

// copyIno copies into m the bytes and xattrs of the builder's inode n and
// returns it as m refers to them.
func (b *imageBuilder) copyIno(m *Image, n imageIno) imageIno {
	old := &b.img
	switch n.mode & access.S_IFMT {
	case access.S_IFLNK:
		n.ref = m.data.add(old.data.get(n.ref, n.n))
	case access.S_IFREG:
		at := uint32(len(m.exts))
		for _, x := range old.exts[n.ref : n.ref+n.n] {
			m.exts = append(m.exts, imageExt{off: x.off, at: m.data.add(old.data.get(x.at, x.n)), n: x.n})
		}
		n.ref = at
	}
	if n.acl != 0 {
		m.acls = append(m.acls, old.acls[n.acl-1])
		n.acl = uint32(len(m.acls))
	}
	if n.caps != 0 {
		m.caps = append(m.caps, old.caps[n.caps-1])
		n.caps = uint32(len(m.caps))
	}
	return n
}

// bigFlat is the size in bytes from which replacing the builder's hash
// table collects the old one at once.
const bigFlat = 4 << 20

// collectGarbage runs the collector after the builder dropped a large
// hash table. Every other array of the index grows by chunks that never
// move (chunked, nameArena), so the old tables are the builder's only
// large garbage; left to the pacer, the last one would add to the peak.
// The index's arrays hold no pointers, so a cycle is short.
func collectGarbage() { runtime.GC() }

// chunked is an array that grows by chunks of 4096 elements and never
// moves one: growing it copies nothing and leaves no garbage, so a large
// index's peak memory is close to what it keeps. The first chunk grows as
// a slice does, so that a small one stays small.
type chunked[T any] struct {
	c [][]T
	n int
}

const chunkBits = 12

// at returns element i.
func (a *chunked[T]) at(i uint32) *T { return &a.c[i>>chunkBits][i&(1<<chunkBits-1)] }

// add appends x and returns its index.
func (a *chunked[T]) add(x T) uint32 {
	i := a.n
	k := i >> chunkBits
	if k == len(a.c) {
		n := 1 << chunkBits
		if k == 0 {
			n = 8
		}
		a.c = append(a.c, make([]T, 0, n))
	}
	a.c[k] = append(a.c[k], x)
	a.n++
	return uint32(i)
}

func (a *chunked[T]) len() int { return a.n }

// cap is the number of elements the chunks hold.
func (a *chunked[T]) cap() int {
	n := 0
	for _, c := range a.c {
		n += cap(c)
	}
	return n
}

// byteArena keeps strings back to back in chunks of 1<<bits bytes that
// never move (growing it copies nothing and leaves no garbage); a string
// does not straddle two chunks. A string's offset is its chunk's index
// (the high bits) and its offset in the chunk. The first chunk grows as a
// slice does, so that a small arena stays small.
type byteArena struct {
	c    [][]byte
	n    int   // bytes added
	bits uint8 // log2 of a chunk's size
}

// Chunk sizes of the names (a name is at most NAME_MAX bytes) and of the
// data (a string is at most MaxImageHeld bytes).
const (
	nameChunkBits = 16
	dataChunkBits = 20
)

// The largest string of data fits a chunk.
const _ = uint(1<<dataChunkBits - MaxImageHeld)

func newByteArena(bits uint8) byteArena { return byteArena{bits: bits} }

// add appends s (at most 1<<bits bytes) and returns its offset.
func (a *byteArena) add(s string) uint32 {
	k := len(a.c) - 1
	if k < 0 || len(a.c[k])+len(s) > 1<<a.bits {
		n := 1 << a.bits
		if k < 0 {
			n = 64
		}
		a.c = append(a.c, make([]byte, 0, n))
		k++
	}
	off := uint32(k)<<a.bits | uint32(len(a.c[k]))
	a.c[k] = append(a.c[k], s...)
	a.n += len(s)
	return off
}

// get returns the n bytes at off, a view of the arena.
func (a *byteArena) get(off, n uint32) string {
	c := a.c[off>>a.bits]
	o := off & (1<<a.bits - 1)
	return bytesString(c[o : o+n])
}

// len returns the bytes added.
func (a *byteArena) len() int { return a.n }

// full reports whether the offsets may not have room for two more chunks
// (what an entry adds at most).
func (a *byteArena) full() bool { return len(a.c)+2 >= 1<<(32-a.bits) }

// cap returns the bytes the chunks hold.
func (a *byteArena) cap() int {
	n := 0
	for _, c := range a.c {
		n += cap(c)
	}
	return n
}

// tableSize is the size of the hash table of an index of n names: a power
// of two at least 2n.
func tableSize(n int) int {
	size := 2
	for size < 2*n {
		size *= 2
	}
	return size
}

// A progressBar draws "layer 2/5 [=====     ] 12.3/48.0 MiB" on a
// terminal, redrawing in place.
type progressBar struct {
	w            io.Writer
	total, done  int64
	layer        int
	layers       int
	drawn, ended bool
	lastDraw     int64
}

func (p *progressBar) add(n int) {
	p.done += int64(n)
	if p.done-p.lastDraw < 1<<20 && p.drawn {
		return
	}
	p.lastDraw = p.done
	p.draw()
}

func (p *progressBar) draw() {
	const width = 30
	fill := width
	if p.total > 0 {
		fill = int(min(p.done, p.total) * width / p.total)
	}
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	fmt.Fprintf(p.w, "\rlayer %d/%d [%s] %.1f/%.1f MiB", p.layer, p.layers, bar, float64(p.done)/(1<<20), float64(p.total)/(1<<20))
	p.drawn = true
}

// end draws the bar a last time and ends its line.
func (p *progressBar) end() {
	if p == nil || p.ended {
		return
	}
	p.ended = true
	p.draw()
	fmt.Fprint(p.w, "\n")
}

type countingReader struct {
	r   io.Reader
	bar *progressBar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.bar.add(n)
	return n, err
}
