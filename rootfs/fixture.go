package rootfs

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// A Fixture is a root filesystem written as text, one inode per line, so
// that the same table builds a Mem for the model and a real directory tree
// for the kernel and runtime oracles. Blank lines and lines starting with #
// are ignored. The forms are:
//
//	dir     PATH MODE UID:GID [acl=ACL]
//	file    PATH MODE UID:GID [CONTENT] [acl=ACL] [caps=CAPS [caprev=1|2|3] [caproot=UID]]
//	symlink PATH TARGET [UID:GID]
//	fifo    PATH MODE UID:GID
//	mount   PATH tmpfs MODE UID:GID [OPTIONS]
//	mount   PATH bind [OPTIONS]
//
// MODE is octal and may carry the setuid, setgid and sticky bits. Ids are
// kernel ids (as stored on disk). Missing parents are 0755 0:0. CONTENT is
// one of: elf (the probe ELF, see ProbeELF), elf=aarch64 (the probe for
// another machine), interp=PATH (the probe ELF with PT_INTERP PATH, a
// dynamically linked binary), busybox (a static x86_64 busybox, whose
// applets — sh, echo — let a runtime oracle's entrypoint print that it
// started), script=INTERP (the text "#!INTERP\n"), or text=QUOTED (a Go
// string literal); without it the file is empty. In a Mem a busybox file
// holds the probe ELF's bytes: for the model both are static x86_64
// executables without PT_INTERP, and only their format counts; on disk
// (internal/fixture) it is a copy of the host's static /bin/busybox
// (Debian's busybox-static). ACL is
// getfacl's short form, u::rwx,u:1000:r-x,g::r--,g:5:rw-,m::r-x,o::---; it
// sets the mode's permission bits as setfacl does. CAPS is
// CAP_NAME[,CAP_NAME…]+FLAGS with FLAGS from e, p and i, as setcap(8).
//
// A tmpfs mount makes PATH the root of a new tmpfs with that mode and owner;
// the lines below it create its contents. A bind mount binds PATH (already
// created) onto itself. OPTIONS is a comma list of noexec, nosuid, nodev,
// nosymfollow and ro; they take effect once every line has been applied,
// as a remount would. ro on a tmpfs makes its superblock read-only
// (SB_RDONLY), on a bind mount only the mount (MNT_READONLY).
type Fixture struct {
	Entries []Entry
}

// EntryKind is the kind of a fixture line.
type EntryKind string

// The kinds of fixture lines.
const (
	KindDir     EntryKind = "dir"
	KindFile    EntryKind = "file"
	KindSymlink EntryKind = "symlink"
	KindFIFO    EntryKind = "fifo"
	KindTmpfs   EntryKind = "tmpfs"
	KindBind    EntryKind = "bind"
)

// An Entry is one line of a Fixture.
type Entry struct {
	Line     int
	Kind     EntryKind
	Path     string
	Mode     uint32 // permission and setuid/setgid/sticky bits
	UID, GID uint32
	Content  []byte
	// ContentSpec is the CONTENT token as written ("elf", "script=/bin/sh"),
	// kept so that String can print the line back.
	ContentSpec string
	Target      string // symlink body
	ACL         access.ACL
	Caps        *caps.FileCaps
	Mount       access.MountFlags // mount lines: the flags to apply
	// MountOpts are the OPTIONS of a mount line as written.
	MountOpts string
}

// ParseFixture parses the fixture text; name (a file name) prefixes errors,
// which give the line: "name:3: mode: want octal, got 07x9".
func ParseFixture(name, text string) (*Fixture, error) {
	f := &Fixture{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseEntry(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		e.Line = i + 1
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

// MustParseFixture is ParseFixture for fixtures written in code; it panics
// on error.
func MustParseFixture(text string) *Fixture {
	f, err := ParseFixture("fixture", text)
	if err != nil {
		panic(err)
	}
	return f
}

func parseEntry(line string) (Entry, error) {
	fields, err := splitFields(line)
	if err != nil {
		return Entry{}, err
	}
	var e Entry
	need := func(n int, form string) error {
		if len(fields) < n {
			return fmt.Errorf("want %s", form)
		}
		return nil
	}
	if err := need(2, "KIND PATH …"); err != nil {
		return e, err
	}
	e.Path = fields[1]
	if !path.IsAbs(e.Path) || path.Clean(e.Path) != e.Path {
		return e, fmt.Errorf("path: want a clean absolute path, got %q", e.Path)
	}
	rest := fields[2:]
	switch kind := fields[0]; kind {
	case "dir", "file", "fifo":
		e.Kind = EntryKind(kind)
		if err := need(4, kind+" PATH MODE UID:GID"); err != nil {
			return e, err
		}
		if e.Mode, err = parseMode(fields[2]); err != nil {
			return e, err
		}
		if e.UID, e.GID, err = parseOwner(fields[3]); err != nil {
			return e, err
		}
		rest = fields[4:]
	case "symlink":
		e.Kind = KindSymlink
		if err := need(3, "symlink PATH TARGET [UID:GID]"); err != nil {
			return e, err
		}
		e.Target = fields[2]
		rest = fields[3:]
		if len(rest) > 0 {
			if e.UID, e.GID, err = parseOwner(rest[0]); err != nil {
				return e, err
			}
			rest = rest[1:]
		}
	case "mount":
		if err := need(3, "mount PATH tmpfs|bind …"); err != nil {
			return e, err
		}
		switch fields[2] {
		case "tmpfs":
			e.Kind = KindTmpfs
			if err := need(5, "mount PATH tmpfs MODE UID:GID [OPTIONS]"); err != nil {
				return e, err
			}
			if e.Mode, err = parseMode(fields[3]); err != nil {
				return e, err
			}
			if e.UID, e.GID, err = parseOwner(fields[4]); err != nil {
				return e, err
			}
			rest = fields[5:]
		case "bind":
			e.Kind = KindBind
			rest = fields[3:]
		default:
			return e, fmt.Errorf("mount: want tmpfs or bind, got %q", fields[2])
		}
		if len(rest) > 0 {
			if e.Mount, err = parseMountOpts(rest[0], e.Kind); err != nil {
				return e, err
			}
			e.MountOpts = rest[0]
			rest = rest[1:]
		}
	default:
		return e, fmt.Errorf("kind: want dir, file, symlink, fifo or mount, got %q", kind)
	}
	var capRev, capRoot string
	for _, tok := range rest {
		key, val, hasVal := strings.Cut(tok, "=")
		switch {
		case e.Kind == KindFile && (key == "elf" || key == "interp" || key == "busybox" || key == "script" || key == "text"):
			if e.ContentSpec != "" {
				return e, fmt.Errorf("content: given twice (%s, %s)", e.ContentSpec, tok)
			}
			if e.Content, err = parseContent(key, val, hasVal); err != nil {
				return e, err
			}
			e.ContentSpec = tok
		case key == "acl" && (e.Kind == KindFile || e.Kind == KindDir):
			if e.ACL, err = ParseACL(val); err != nil {
				return e, err
			}
			e.Mode = e.Mode&^0o777 | ACLMode(e.ACL)
			if aclIsMode(e.ACL) {
				e.ACL = nil // the kernel stores no ACL equivalent to the mode
			}
		case key == "caps" && e.Kind == KindFile:
			fc, err := parseFileCaps(val)
			if err != nil {
				return e, err
			}
			e.Caps = &fc
		case key == "caprev" && e.Kind == KindFile:
			capRev = val
		case key == "caproot" && e.Kind == KindFile:
			capRoot = val
		default:
			return e, fmt.Errorf("%s: unknown attribute %q", e.Kind, tok)
		}
	}
	if (capRev != "" || capRoot != "") && e.Caps == nil {
		return e, fmt.Errorf("caprev, caproot: need caps=")
	}
	if capRev != "" {
		r, err := strconv.Atoi(capRev)
		if err != nil || r < 1 || r > 3 {
			return e, fmt.Errorf("caprev: want 1, 2 or 3, got %q", capRev)
		}
		e.Caps.Revision = r
	}
	if capRoot != "" {
		r, err := strconv.ParseUint(capRoot, 10, 32)
		if err != nil {
			return e, fmt.Errorf("caproot: want a uid, got %q", capRoot)
		}
		if e.Caps.Revision != 0 && e.Caps.Revision != 3 {
			// Only vfs_ns_cap_data (revision 3) stores a rootid.
			return e, fmt.Errorf("caproot: only revision 3 has a rootid, got caprev=%d", e.Caps.Revision)
		}
		e.Caps.RootID = uint32(r)
		e.Caps.Revision = 3
	}
	return e, nil
}

// splitFields splits on blanks, keeping a text="…" Go literal whole.
func splitFields(line string) ([]string, error) {
	var out []string
	for {
		line = strings.TrimLeft(line, " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			return out, nil
		}
		if strings.HasPrefix(line, `text="`) {
			q, err := strconv.QuotedPrefix(line[len("text="):])
			if err != nil {
				return nil, fmt.Errorf("text: want a Go string literal: %v", err)
			}
			out = append(out, "text="+q)
			line = line[len("text=")+len(q):]
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
}

func parseMode(s string) (uint32, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o7777 {
		return 0, fmt.Errorf("mode: want octal ≤ 7777, got %q", s)
	}
	return uint32(m), nil
}

func parseOwner(s string) (uid, gid uint32, err error) {
	u, g, ok := strings.Cut(s, ":")
	uu, err1 := strconv.ParseUint(u, 10, 32)
	gg, err2 := strconv.ParseUint(g, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("owner: want UID:GID, got %q", s)
	}
	return uint32(uu), uint32(gg), nil
}

func parseMountOpts(s string, kind EntryKind) (access.MountFlags, error) {
	var f access.MountFlags
	for _, o := range strings.Split(s, ",") {
		switch o {
		case "noexec":
			f |= access.MNT_NOEXEC
		case "nosuid":
			f |= access.MNT_NOSUID
		case "nodev":
			f |= access.MNT_NODEV
		case "nosymfollow":
			f |= access.MNT_NOSYMFOLLOW
		case "ro":
			if kind == KindTmpfs {
				f |= access.SB_RDONLY
			} else {
				f |= access.MNT_READONLY
			}
		default:
			return 0, fmt.Errorf("mount options: unknown %q", o)
		}
	}
	return f, nil
}

func parseContent(key, val string, hasVal bool) ([]byte, error) {
	switch key {
	case "elf":
		if !hasVal {
			return ProbeELF(EM_X86_64, ""), nil
		}
		if val == "aarch64" {
			return ProbeELF(EM_AARCH64, ""), nil
		}
		return nil, fmt.Errorf("elf: want elf or elf=aarch64, got elf=%s", val)
	case "busybox":
		if hasVal {
			return nil, fmt.Errorf("busybox: takes no value, got busybox=%s", val)
		}
		return ProbeELF(EM_X86_64, ""), nil
	case "interp":
		if !path.IsAbs(val) && val == "" {
			return nil, fmt.Errorf("interp: want a path")
		}
		return ProbeELF(EM_X86_64, val), nil
	case "script":
		if val == "" {
			return nil, fmt.Errorf("script: want an interpreter")
		}
		return []byte("#!" + val + "\n"), nil
	case "text":
		s, err := strconv.Unquote(val)
		if err != nil {
			return nil, fmt.Errorf("text: want a Go string literal, got %s", val)
		}
		return []byte(s), nil
	}
	panic("unreachable")
}

// ParseACL parses getfacl's short text form of an access ACL
// ("u::rwx,u:1000:r-x,g::r--,m::r-x,o::---") and sorts it as the kernel
// keeps it. The three base entries are required, and a mask when there are
// named entries, as setfacl(1) computes it.
func ParseACL(s string) (access.ACL, error) {
	var acl access.ACL
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(part, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("acl: want TAG:ID:PERM, got %q", part)
		}
		var e access.ACLEntry
		switch f[0] {
		case "u", "user":
			e.Tag = access.ACL_USER_OBJ
			if f[1] != "" {
				e.Tag = access.ACL_USER
			}
		case "g", "group":
			e.Tag = access.ACL_GROUP_OBJ
			if f[1] != "" {
				e.Tag = access.ACL_GROUP
			}
		case "m", "mask":
			e.Tag = access.ACL_MASK
		case "o", "other":
			e.Tag = access.ACL_OTHER
		default:
			return nil, fmt.Errorf("acl: unknown tag %q", f[0])
		}
		if e.Tag == access.ACL_USER || e.Tag == access.ACL_GROUP {
			id, err := strconv.ParseUint(f[1], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("acl: want a numeric id, got %q", f[1])
			}
			e.ID = uint32(id)
		} else if f[1] != "" {
			return nil, fmt.Errorf("acl: %s takes no id", f[0])
		}
		p, ok := parsePerm(f[2])
		if !ok {
			return nil, fmt.Errorf("acl: want PERM as rwx, got %q", f[2])
		}
		e.Perm = p
		acl = append(acl, e)
	}
	sortACL(acl)
	var have [0x40]int
	named := false
	for i, e := range acl {
		have[e.Tag]++
		if e.Tag == access.ACL_USER || e.Tag == access.ACL_GROUP {
			named = true
			if i > 0 && acl[i-1].Tag == e.Tag && acl[i-1].ID == e.ID {
				return nil, fmt.Errorf("acl: duplicate entry for id %d", e.ID)
			}
		}
	}
	for _, t := range []access.ACLTag{access.ACL_USER_OBJ, access.ACL_GROUP_OBJ, access.ACL_OTHER, access.ACL_MASK} {
		if have[t] > 1 {
			return nil, fmt.Errorf("acl: more than one %s entry", tagName(t))
		}
		if have[t] == 0 && (t != access.ACL_MASK || named) {
			return nil, fmt.Errorf("acl: missing %s entry", tagName(t))
		}
	}
	return acl, nil
}

func tagName(t access.ACLTag) string {
	switch t {
	case access.ACL_USER_OBJ:
		return "u::"
	case access.ACL_GROUP_OBJ:
		return "g::"
	case access.ACL_MASK:
		return "m::"
	}
	return "o::"
}

func parsePerm(s string) (access.Mask, bool) {
	if len(s) != 3 {
		return 0, false
	}
	var m access.Mask
	for i, want := range []byte("rwx") {
		switch s[i] {
		case want:
			m |= access.Mask(4 >> i)
		case '-':
		default:
			return 0, false
		}
	}
	return m, true
}

func sortACL(acl access.ACL) {
	// insertion sort: ACLs are short
	for i := 1; i < len(acl); i++ {
		for j := i; j > 0 && aclLess(acl[j], acl[j-1]); j-- {
			acl[j], acl[j-1] = acl[j-1], acl[j]
		}
	}
}

func aclLess(a, b access.ACLEntry) bool {
	if a.Tag != b.Tag {
		return a.Tag < b.Tag
	}
	return a.ID < b.ID
}

// aclIsMode reports whether acl has only the three base entries, which the
// kernel folds into the mode (posix_acl_equiv_mode returns 0).
func aclIsMode(acl access.ACL) bool {
	for _, e := range acl {
		if e.Tag != access.ACL_USER_OBJ && e.Tag != access.ACL_GROUP_OBJ && e.Tag != access.ACL_OTHER {
			return false
		}
	}
	return true
}

// FormatACL returns acl in the short text form ParseACL reads.
func FormatACL(acl access.ACL) string {
	var b strings.Builder
	for i, e := range acl {
		if i > 0 {
			b.WriteByte(',')
		}
		switch e.Tag {
		case access.ACL_USER_OBJ:
			b.WriteString("u::")
		case access.ACL_USER:
			fmt.Fprintf(&b, "u:%d:", e.ID)
		case access.ACL_GROUP_OBJ:
			b.WriteString("g::")
		case access.ACL_GROUP:
			fmt.Fprintf(&b, "g:%d:", e.ID)
		case access.ACL_MASK:
			b.WriteString("m::")
		case access.ACL_OTHER:
			b.WriteString("o::")
		}
		b.WriteString(e.Perm.String())
	}
	return b.String()
}

func parseFileCaps(s string) (caps.FileCaps, error) {
	names, flags, ok := strings.Cut(s, "+")
	if !ok || flags == "" {
		return caps.FileCaps{}, fmt.Errorf("caps: want CAP_NAME[,…]+FLAGS, got %q", s)
	}
	var set caps.Set
	// An empty list is an attribute with empty sets, as setcap cap_chown+e
	// writes it (getcap prints "="): it still counts as file capabilities.
	for _, n := range strings.Split(names, ",") {
		if names == "" {
			break
		}
		c, ok := caps.Parse(n)
		if !ok {
			return caps.FileCaps{}, fmt.Errorf("caps: unknown capability %q", n)
		}
		set |= caps.Of(c)
	}
	var fc caps.FileCaps
	for _, f := range flags {
		switch f {
		case 'e':
			fc.Effective = true
		case 'p':
			fc.Permitted = set
		case 'i':
			fc.Inheritable = set
		default:
			return caps.FileCaps{}, fmt.Errorf("caps: want flags from e, i, p, got %q", flags)
		}
	}
	return fc, nil
}

// formatFileCaps returns fc as the caps= attribute ParseFixture reads
// ("+e" for empty sets). It is exact when the permitted and inheritable sets
// are equal or one is empty, as ParseFixture makes them; otherwise it
// prints their union for both.
func formatFileCaps(fc *caps.FileCaps) string {
	set := fc.Permitted | fc.Inheritable
	flags := ""
	if fc.Effective {
		flags += "e"
	}
	if fc.Inheritable != 0 {
		flags += "i"
	}
	if fc.Permitted != 0 || flags == "" {
		// Empty sets without fE still need a flag to parse: "+p" reads
		// back as the same empty attribute.
		flags += "p"
	}
	return set.String() + "+" + flags
}

// Mem builds the in-memory filesystem f describes.
func (f *Fixture) Mem() *Mem {
	m := NewMem()
	for _, e := range f.Entries {
		switch e.Kind {
		case KindDir:
			if n, ok := m.nodes[e.Path]; ok && n.ino.IsDir() {
				n.ino.Mode, n.ino.UID, n.ino.GID = access.S_IFDIR|e.Mode, e.UID, e.GID
			} else {
				m.Dir(e.Path, e.Mode, e.UID, e.GID)
			}
			m.nodes[e.Path].ino.ACL = e.ACL
		case KindFile:
			m.File(e.Path, e.Mode, e.UID, e.GID, e.Content)
			m.nodes[e.Path].ino.ACL = e.ACL
			m.nodes[e.Path].ino.Caps = e.Caps
		case KindSymlink:
			m.Symlink(e.Path, e.Target, e.UID, e.GID)
		case KindFIFO:
			m.Node(e.Path, access.Inode{Mode: access.S_IFIFO | e.Mode, UID: e.UID, GID: e.GID})
		case KindTmpfs:
			m.Dir(e.Path, e.Mode, e.UID, e.GID)
		case KindBind:
			if _, ok := m.nodes[e.Path]; !ok {
				m.Dir(e.Path, 0o755, 0, 0)
			}
		}
	}
	for _, e := range f.Entries {
		switch e.Kind {
		case KindTmpfs:
			m.Mount(e.Path, e.Mount)
		case KindBind:
			// A bind mount is a new mount of the same superblock: a
			// read-only superblock stays read-only through it.
			m.Mount(e.Path, e.Mount|m.nodes[e.Path].ino.Mount&access.SB_RDONLY)
		}
	}
	return m
}

// String returns f in the text form ParseFixture reads.
func (f *Fixture) String() string {
	var b strings.Builder
	for _, e := range f.Entries {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// String returns e as a fixture line.
func (e Entry) String() string {
	var parts []string
	switch e.Kind {
	case KindDir, KindFile, KindFIFO:
		parts = []string{string(e.Kind), e.Path, fmt.Sprintf("%04o", e.Mode), fmt.Sprintf("%d:%d", e.UID, e.GID)}
		if e.ContentSpec != "" {
			parts = append(parts, e.ContentSpec)
		}
		if e.ACL != nil {
			parts = append(parts, "acl="+FormatACL(e.ACL))
		}
		if e.Caps != nil {
			parts = append(parts, "caps="+formatFileCaps(e.Caps))
			if e.Caps.Revision != 0 {
				parts = append(parts, fmt.Sprintf("caprev=%d", e.Caps.Revision))
			}
			if e.Caps.Revision == 3 {
				parts = append(parts, fmt.Sprintf("caproot=%d", e.Caps.RootID))
			}
		}
	case KindSymlink:
		parts = []string{"symlink", e.Path, e.Target, fmt.Sprintf("%d:%d", e.UID, e.GID)}
	case KindTmpfs:
		parts = []string{"mount", e.Path, "tmpfs", fmt.Sprintf("%04o", e.Mode), fmt.Sprintf("%d:%d", e.UID, e.GID)}
	case KindBind:
		parts = []string{"mount", e.Path, "bind"}
	}
	if (e.Kind == KindTmpfs || e.Kind == KindBind) && e.MountOpts != "" {
		parts = append(parts, e.MountOpts)
	}
	return strings.Join(parts, " ")
}
