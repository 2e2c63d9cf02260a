//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package rootfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
)

// TestParseMTreeTestdata reads the hand-written manifests of
// testdata/mtree, each in the text format of `mtree -c -K …` or of full
// paths, and holds the MTree to the fixture beside it (NAME.fixture): the
// rootfstest conformance suite without contents, and the same names.
func TestParseMTreeTestdata(t *testing.T) {
	manifests, err := filepath.Glob(filepath.Join("testdata", "mtree", "*.mtree"))
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no manifests in testdata/mtree: %v", err)
	}
	for _, mf := range manifests {
		t.Run(filepath.Base(mf), func(t *testing.T) {
			m := parseMTreeFile(t, mf)
			text, err := os.ReadFile(strings.TrimSuffix(mf, ".mtree") + ".fixture")
			if err != nil {
				t.Fatal(err)
			}
			f, err := rootfs.ParseFixture(mf, string(text))
			if err != nil {
				t.Fatal(err)
			}
			if err := rootfstest.CheckNoContent(m, f); err != nil {
				t.Error(err)
			}
			if got, want := strings.Join(m.Names(), "\n"), strings.Join(fixtureNames(f), "\n"); got != want {
				t.Errorf("names:\n%s\nwant (the fixture's and their parents):\n%s", got, want)
			}
		})
	}
}

func parseMTreeFile(t *testing.T, name string) *rootfs.MTree {
	t.Helper()
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m, err := rootfs.ParseMTree(name, fh)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fixtureNames is every name f creates, its parents included, sorted.
func fixtureNames(f *rootfs.Fixture) []string {
	set := map[string]bool{"/": true}
	for _, e := range f.Entries {
		for p := e.Path; p != "/"; p = path.Dir(p) {
			set[p] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestParseMTree pins the rules of rootfs.MTree one manifest at a time.
func TestParseMTree(t *testing.T) {
	const root = "/set type=file uid=0 gid=0 mode=0644\n. type=dir mode=0755\n"
	rows := []struct {
		name, manifest string
		path           string // the entry to look at
		want           string // its inode as "mode uid:gid size" or the error's text
		rule           string
	}{
		{"vis_name", root + "./with\\040space size=3\n", "/with space", "100644 0:0 3",
			"mtree(5): a backslash and three octal digits stand for a byte (go-mtree's govis.Unvis)"},
		{"vis_link", root + "./l type=link link=a\\040b\n", "/l", "120777 0:0 3",
			"mtree(5) link= is vis-encoded; a symlink's size is its body's length (lstat st_size)"},
		{"link_mode_ignored", root + "./l type=link mode=0700 link=x\n", "/l", "120777 0:0 1",
			"Linux symlinks are 0777 whatever the manifest's mode (fs/namei.c:vfs_symlink S_IALLUGO)"},
		{"set_accumulates", "/set type=file uid=7 gid=8\n/set mode=0600\n. type=dir mode=0755\n./f\n", "/f", "100600 7:8 0",
			"mtree(5) /set: definitions apply to all following files that do not give the keyword; a later /set adds to them"},
		{"line_beats_set", root + "./f uid=5 mode=0700\n", "/f", "100700 5:0 0",
			"mtree(5) /set: only files that do not specify a value take the default"},
		{"relative_in_dir", root + "a type=dir mode=0711\n  b type=dir mode=0700\n    f size=1\n  ..\n  g uid=3\n..\nh\n", "/a/g", "100644 3:0 0",
			"mtree(5): a relative type=dir entry changes the current directory, \"..\" goes back to its parent"},
		{"relative_after_dotdot", root + "a type=dir mode=0711\n..\nh\n", "/h", "100644 0:0 0",
			"mtree(5) dot-dot: back in the root"},
		{"full_cleaned_inside", root + "./../../x\n", "/x", "100644 0:0 0",
			"go-mtree CleanPath: \"..\" stops at the root"},
		{"extra_dotdot", root + "..\n..\nh\n", "/h", "100644 0:0 0",
			"go-mtree ParseSpec: a \"..\" above the root is ignored (Walk writes one)"},
		{"unset_all", root + "/unset all\n./f type=file mode=0600 uid=1 gid=2\n", "/f", "100600 1:2 0",
			"mtree(8) /unset all clears every default"},
		{"device_types", root + "./c type=char mode=0666\n./b type=block mode=0660\n./s type=socket mode=0777\n", "/b", "60660 0:0 0",
			"mtree(5) type: block, char, socket are inodes too"},

		{"no_type", "/set uid=0 gid=0 mode=0644\n. type=dir\n./f\n", "", `m:3: "./f": no type (not on the line nor in a /set)`,
			"the brief: a missing type names the file, line and entry"},
		{"no_mode", root + "/unset mode\n./f\n", "", `m:4: "./f": no mode (not on the line nor in a /set)`,
			"mtree(5) /unset removes the default: mode is then unknown"},
		{"no_uid", "/set type=file gid=0 mode=0644\n. type=dir uid=0\n./f uname=root\n", "", `m:3: "./f": no uid (not on the line nor in a /set)`,
			"uname is not looked up: the manifest's host passwd is not the container's"},
		{"no_gid", "/set type=file uid=0 mode=0644\n. type=dir gid=0\n./f\n", "", `m:3: "./f": no gid`,
			"gid required as uid"},
		{"symbolic_mode", root + "./f mode=u+rwx\n", "", `m:3: "./f": mode=u+rwx is not an octal mode`,
			"mtree(5) allows symbolic modes; they need a base mode the manifest does not give"},
		{"mode_too_big", root + "./f mode=017777\n", "", `mode=017777 is not an octal mode`,
			"st_mode's permission bits are 07777"},
		{"bad_type", root + "./f type=door\n", "", `m:3: "./f": type=door is not an mtree(5) type`,
			"mtree(5) type list"},
		{"link_without_target", root + "./l type=link\n", "", `m:3: "./l": type=link without link=`,
			"a symlink has a body"},
		{"link_too_long", root + "./l type=link link=" + strings.Repeat("a", 4096) + "\n", "", `is not a symlink body`,
			"symlink(2): ENAMETOOLONG at PATH_MAX"},
		{"name_too_long", root + "./" + strings.Repeat("n", 256) + "\n", "", `a name of 256 bytes (NAME_MAX is 255)`,
			"include/uapi/linux/limits.h NAME_MAX"},
		{"nul_name", root + "./a\\000b\n", "", `a name with a NUL byte`,
			"a kernel name has no NUL"},
		{"twice", root + "./f\n./f mode=0600\n", "", `m:4: "./f": /f is listed twice (line 3 too)`,
			"merging repeated full entries (mtree(5)) is not supported"},
		{"no_root", "/set type=file uid=0 gid=0 mode=0644\n./f\n", "", `m: no entry for the root directory "."`,
			"the root's mode and owner decide every lookup"},
		{"root_not_dir", root[:len(root)-len(". type=dir mode=0755\n")] + ". type=file\n", "", `the root "." is not type=dir`,
			"the root is a directory"},
		{"parent_missing", root + "./usr/bin/sh\n", "", `m:3: "./usr/bin/sh": parent /usr/bin not listed`,
			"a parent's mode and owner are not known unless listed"},
		{"parent_not_dir", root + "./f\n./f/g\n", "", `parent /f not a directory (line 3)`,
			"ENOTDIR: only a directory has names in it"},
		{"relative_dir_from_set", "/set type=dir uid=0 gid=0 mode=0755\n. type=dir\nd\n", "", `a relative directory entry must say type=dir on its line`,
			"go-mtree ParseSpec moves its current directory on the line's own type=dir only"},
		{"special_unknown", root + "/usr/bin type=dir\n", "", `m:3: "/usr/bin": not a special command of mtree(5) (/set, /unset)`,
			"mtree(5): a line starting with / is a special command; a path must not start with /"},
		{"ignore", root + "./d type=dir ignore\n", "", `keyword ignore: the manifest does not describe the file`,
			"mtree(5) ignore: what is below is not described"},
		{"optional", root + "./f optional\n", "", `keyword optional`,
			"mtree(5) optional: the file may not exist"},
		{"bad_acl", root + "./f xattr.system.posix_acl_access=AQAAAA==\n", "", `xattr.system.posix_acl_access: not a POSIX ACL`,
			"posix_acl_xattr.h: version 2"},
		{"bad_base64", root + "./f xattr.security.capability=***\n", "", `xattr.security.capability: illegal base64`,
			"go-mtree writes xattr values in base64"},
		{"bad_caps", root + "./f xattr.security.capability=AQAA\n", "", `xattr.security.capability: not file capabilities`,
			"commoncap.c:get_vfs_caps_from_disk: a short attribute"},
		{"continued_nothing", root + "\\\n\n", "", `m:3: a continued line with no name`,
			"go-mtree ParseSpec indexes the fields of a continued line: refuse what it cannot read"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			m, err := rootfs.ParseMTree("m", strings.NewReader(r.manifest))
			if r.path == "" {
				if err == nil || !strings.Contains(err.Error(), r.want) {
					t.Fatalf("ParseMTree = %v, want an error with %q\nrule: %s", err, r.want, r.rule)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMTree: %v\nrule: %s", err, r.rule)
			}
			ino, err := m.Lstat(r.path)
			if err != nil {
				t.Fatalf("Lstat(%s): %v\nrule: %s", r.path, err, r.rule)
			}
			if got := inodeString(ino); got != r.want {
				t.Errorf("Lstat(%s) = %s, want %s\nrule: %s", r.path, got, r.want, r.rule)
			}
		})
	}
}

func inodeString(ino access.Inode) string {
	return fmt.Sprintf("%o %d:%d %d", ino.Mode, ino.UID, ino.GID, ino.Size)
}

// TestMTreeReadAt pins what an MTree says of contents: it has none, but it
// knows where a file of a given size ends.
func TestMTreeReadAt(t *testing.T) {
	m, err := rootfs.ParseMTree("m", strings.NewReader("/set type=file uid=0 gid=0 mode=0755\n. type=dir\n./sized size=100\n./unsized\n./empty size=0\n./d type=dir\n./l type=link link=sized\n./p type=fifo\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		name, path string
		off        int64
		buf        int
		want       error
		rule       string
	}{
		{"head", "/sized", 0, 256, access.ErrNoContent, "a manifest has no contents: execve's head is unknown"},
		{"inside", "/sized", 99, 1, access.ErrNoContent, "no byte of the file is known"},
		{"at_end", "/sized", 100, 4, io.EOF, "size=100: a read at the end is the end (io.ReaderAt)"},
		{"unsized", "/unsized", 1 << 40, 4, access.ErrNoContent, "without size= not even the end is known"},
		{"unsized_empty_buffer", "/unsized", 0, 0, access.ErrNoContent, "without size= a 0-byte read cannot say the file is empty"},
		{"empty_file", "/empty", 0, 256, io.EOF, "size=0: the file is known to be empty (execve: ENOEXEC)"},
		{"negative", "/sized", -1, 4, access.EINVAL, "pread(2): a negative offset is EINVAL"},
		{"dir", "/d", 0, 4, access.EISDIR, "read(2) of a directory: EISDIR, as rootfs.Dir"},
		{"symlink", "/l", 0, 4, access.ELOOP, "rootfs.Dir opens with O_NOFOLLOW: ELOOP"},
		{"fifo", "/p", 0, 4, access.EINVAL, "rootfs.Dir reads only regular files: EINVAL"},
		{"missing", "/nope", 0, 4, access.ENOENT, "a name the manifest does not list does not exist"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		n, err := m.ReadAt(r.path, make([]byte, r.buf), r.off)
		if n != 0 || !errors.Is(err, r.want) {
			t.Errorf("%s: ReadAt(%s, %d bytes, %d) = %d, %v, want 0, %v\nrule: %s", r.name, r.path, r.buf, r.off, n, err, r.want, r.rule)
		}
	}
	if _, err := m.ReadAt("/sized", make([]byte, 4), 0); err.Error() != "the manifest has no file contents" {
		t.Errorf("ErrNoContent as MTree says it: %q", err)
	}
}

// FuzzMTree reads arbitrary manifest text. ParseMTree must not panic, and
// an MTree it returns must hold a tree the resolver can walk: every name
// clean, absolute and inside the root, with elements of at most NAME_MAX
// bytes; every parent listed as a directory; symlink bodies of 1 to
// PATH_MAX-1 bytes; no contents; and no more inodes than the manifest has
// lines.
func FuzzMTree(f *testing.F) {
	manifests, _ := filepath.Glob(filepath.Join("testdata", "mtree", "*.mtree"))
	for _, mf := range manifests {
		b, err := os.ReadFile(mf)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"/set type=file uid=0 gid=0 mode=0644\n. type=dir mode=0755\na type=dir\n  b\n  ..\n..\n..\nc type=link link=../../a\n",
		"/set type=dir uid=0 gid=0 mode=0755\n. type=dir\n./a/../../b\n./b/c type=link link=/\n",
		". type=dir uid=0 gid=0 mode=0755\n\\\n\n",
		"/set type=file uid=0 gid=0 mode=0644\n. type=dir mode=0755\n./x\\\n y\n",
		// Deep and wide: a long chain of directories, many entries.
		"/set type=dir uid=0 gid=0 mode=0755\n. type=dir\n" + strings.Repeat("d\n", 1000) + strings.Repeat("..\n", 1000),
		"/set type=file uid=0 gid=0 mode=0644\n. type=dir mode=0755\n" + strings.Repeat("f\n", 5000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := rootfs.ParseMTree("fuzz", strings.NewReader(text))
		if err != nil {
			return
		}
		names := m.Names()
		if lines := strings.Count(text, "\n") + 1; len(names) > lines {
			t.Fatalf("%d inodes from %d lines", len(names), lines)
		}
		for _, n := range names {
			if !path.IsAbs(n) || path.Clean(n) != n {
				t.Fatalf("name %q is not clean and absolute", n)
			}
			for _, e := range strings.Split(n[1:], "/") {
				if len(e) > 255 {
					t.Fatalf("name %q has an element over NAME_MAX", n)
				}
			}
			ino, err := m.Lstat(n)
			if err != nil {
				t.Fatalf("Lstat(%q) of a listed name: %v", n, err)
			}
			if n == "/" && !ino.IsDir() {
				t.Fatalf("the root is %#o", ino.Mode)
			}
			if n != "/" {
				if p, err := m.Lstat(path.Dir(n)); err != nil || !p.IsDir() {
					t.Fatalf("parent of %q: %#o, %v", n, p.Mode, err)
				}
			}
			switch {
			case ino.IsSymlink():
				body, err := m.Readlink(n)
				if err != nil || body == "" || len(body) >= 4096 || int64(len(body)) != ino.Size {
					t.Fatalf("Readlink(%q) = %q, %v (size %d)", n, body, err, ino.Size)
				}
			case ino.IsRegular():
				if k, err := m.ReadAt(n, make([]byte, 16), 0); k != 0 || !(errors.Is(err, access.ErrNoContent) || (err == io.EOF && ino.Size == 0)) {
					t.Fatalf("ReadAt(%q) = %d, %v from a manifest", n, k, err)
				}
			}
		}
	})
}

// TestParseMTreeTooManyLines: a small manifest of very many one-letter
// entries (5M in 20 MB once took 2.85 GB) is refused before it is parsed,
// naming the limit; one at the limit is read.
func TestParseMTreeTooManyLines(t *testing.T) {
	many := bytes.Repeat([]byte("a\n"), rootfs.MaxMTreeLines+1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := rootfs.ParseMTree("big.mtree", bytes.NewReader(many))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "big.mtree: 1048577 lines, more than the 1048576 preexec reads") {
		t.Fatalf("ParseMTree: %v; want the line limit", err)
	}
	// ReadAll's copy of the input, and nothing per entry.
	if n := after.TotalAlloc - before.TotalAlloc; n > 16*uint64(len(many)) {
		t.Errorf("refusing allocated %d bytes for %d bytes of input", n, len(many))
	}
	var small strings.Builder
	small.WriteString("/set type=file mode=0644 uid=0 gid=0\n. type=dir mode=0755\n")
	for i := range 1000 {
		fmt.Fprintf(&small, "f%d\n", i)
	}
	if _, err := rootfs.ParseMTree("small.mtree", strings.NewReader(small.String())); err != nil {
		t.Errorf("a manifest under the limit: %v", err)
	}
}

// TestParseMTreeWithLimits: MTreeOptions lower (or raise) the limits, and
// the error names the limit a user can change.
func TestParseMTreeWithLimits(t *testing.T) {
	src := "/set type=file mode=0644 uid=0 gid=0\n. type=dir mode=0755\na\nb\n"
	for _, c := range []struct {
		opts rootfs.MTreeOptions
		want string
	}{
		{rootfs.MTreeOptions{}, ""},
		{rootfs.MTreeOptions{MaxLines: 4}, ""},
		{rootfs.MTreeOptions{MaxLines: 3}, "m.mtree: 4 lines, more than the 3 preexec reads (limit mtree-lines)"},
		{rootfs.MTreeOptions{MaxBytes: int64(len(src))}, ""},
		{rootfs.MTreeOptions{MaxBytes: 40}, "m.mtree: larger than 40 bytes (limit mtree-size)"},
		{rootfs.MTreeOptions{MaxBytes: 1}, "m.mtree: larger than 1 byte (limit mtree-size)"},
	} {
		_, err := rootfs.ParseMTreeWith("m.mtree", strings.NewReader(src), c.opts)
		if got := fmt.Sprint(err); (c.want == "" && err != nil) || (c.want != "" && got != c.want) {
			t.Errorf("%+v: %v, want %q", c.opts, err, c.want)
		}
	}
}
