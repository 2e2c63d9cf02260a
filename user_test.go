package preexec

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// noContentFS is a filesystem that knows every inode but no file's bytes,
// as a manifest does.
type noContentFS struct{ access.FS }

func (noContentFS) ReadAt(string, []byte, int64) (int, error) { return 0, access.ErrNoContent }

// TestResolveUserPasswd holds runc ≤ 1.2's lookup (moby/sys/user over the
// model's files) and the adapters around it: the gids in the order the
// additional gids add them, and which files without contents can still be
// told.
func TestResolveUserPasswd(t *testing.T) {
	const alice = "file /etc/passwd 0644 0:0 text=\"alice:x:1000:1000::/home/alice:/bin/sh\\n\"\n"
	tests := []struct {
		name       string
		tree       string
		noContent  bool
		uid, gid   uint32
		additional []uint32
		want       []uint32
		err        string
		unknown    bool
	}{
		{name: "no files", uid: 1000, gid: 1000},
		{name: "no files, additional gids in order", uid: 1000, gid: 1000, additional: []uint32{30, 20, 30, 10}, want: []uint32{30, 20, 10}},
		{name: "uid out of range", uid: 1 << 31, gid: 1000, err: "uids and gids must be in range 0-2147483647"},
		{name: "uid out of range in passwd", tree: "file /etc/passwd 0644 0:0 text=\"big:x:2147483648:0::/:\\n\"\n", uid: 1 << 31, gid: 1000},
		{name: "gid out of range", uid: 1000, gid: 1 << 31, err: "uids and gids must be in range 0-2147483647"},
		{name: "gid out of range in group", tree: "file /etc/group 0644 0:0 text=\"big:x:2147483648:\\n\"\n", uid: 1000, gid: 1 << 31},
		{name: "additional gid out of range", uid: 1000, gid: 1000, additional: []uint32{1 << 31}, err: "uids and gids must be in range 0-2147483647"},
		{name: "passwd a directory", tree: "dir /etc/passwd 0755 0:0\n", uid: 1000, gid: 1000, err: "unable to find user 1000: read /etc/passwd: is a directory"},
		{name: "group a directory, named by passwd", tree: alice + "dir /etc/group 0755 0:0\n", uid: 1000, gid: 1000, err: "unable to find groups for spec alice: read /etc/group: is a directory"},
		{name: "group a directory, unnamed", tree: "dir /etc/group 0755 0:0\n", uid: 1000, gid: 1000, err: "unable to find groups for spec : read /etc/group: is a directory"},
		{name: "group names map additional gids", tree: "file /etc/group 0644 0:0 text=\"2000:x:5:\\n#7:x:9:\\n3000\\nreal:x:2000:\\n\"\n",
			uid: 1000, gid: 1000, additional: []uint32{7, 2000, 3000}, want: []uint32{7, 5, 0}},
		// Without contents: told where they cannot matter.
		{name: "no content, in range", tree: alice + "file /etc/group 0644 0:0\n", noContent: true, uid: 1000, gid: 1000},
		{name: "no content, uid out of range", tree: alice, noContent: true, uid: 1 << 31, gid: 1000, unknown: true},
		{name: "no content, gid out of range", tree: "file /etc/group 0644 0:0\n", noContent: true, uid: 1000, gid: 1 << 31, unknown: true},
		{name: "no content, additional gids", tree: "file /etc/group 0644 0:0\n", noContent: true, uid: 1000, gid: 1000, additional: []uint32{5}, unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fsys access.FS = rootfs.MustParseFixture("dir / 0755 0:0\ndir /etc 0755 0:0\n" + tt.tree).Mem()
			if tt.noContent {
				fsys = noContentFS{fsys}
			}
			got, err := resolveUserPasswd(&access.Proc{Cred: access.Root(), FS: fsys}, tt.uid, tt.gid, tt.additional)
			switch {
			case tt.unknown:
				if !errors.Is(err, access.ErrNoContent) {
					t.Fatalf("got %v %v, want an error of no contents", got, err)
				}
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err %v, want %s", err, tt.err)
				}
			case err != nil || !slices.Equal(got, tt.want):
				t.Fatalf("got %v %v, want %v", got, err, tt.want)
			}
		})
	}
}

// TestResolveUserPasswdPlain: where resolveUserPasswd answers without
// moby/sys/user (ids in range, no additional gids, files that read and
// have no long line), the lookup answers the same, over files of every
// shape: absent, empty, matching or not, malformed, '#' lines, long lines,
// directories, without contents.
func TestResolveUserPasswdPlain(t *testing.T) {
	long := strings.Repeat("x", 5000)
	huge := strings.Repeat("y", 70000)
	files := []string{
		"",
		`file %s 0644 0:0`,
		`file %s 0644 0:0 text="alice:x:1000:1000::/home/alice:/bin/sh\n"`,
		`file %s 0644 0:0 text="1000\n::::\n#x:y:z\n:x:1000:\nbob:x:notanumber:1\n"`,
		`file %s 0644 0:0 text="a:x:1:1::/:` + long + `\n"`,
		`file %s 0644 0:0 text="a:x:1:1::/:` + huge + `\n"`,
		`dir %s 0755 0:0`,
		`symlink %s /nowhere`,
	}
	for _, pw := range files {
		for _, gr := range files {
			for _, noContent := range []bool{false, true} {
				tree := "dir / 0755 0:0\ndir /etc 0755 0:0\n"
				if pw != "" {
					tree += fmt.Sprintf(pw, "/etc/passwd") + "\n"
				}
				if gr != "" {
					tree += fmt.Sprintf(gr, "/etc/group") + "\n"
				}
				var fsys access.FS = rootfs.MustParseFixture(tree).Mem()
				if noContent {
					fsys = noContentFS{fsys}
				}
				p := &access.Proc{Cred: access.Root(), FS: fsys}
				for _, ids := range [][2]uint32{{0, 0}, {1000, 1000}, {1, 2}, {maxID, maxID}} {
					got, err := resolveUserPasswd(p, ids[0], ids[1], nil)
					files := func(name string, uid, gid uint32) configFile {
						return configFile{p: p, name: name, noContent: true}
					}
					want, werr := lookupUserPasswd(files("/etc/passwd", ids[0], ids[1]), files("/etc/group", ids[0], ids[1]), ids[0], ids[1], nil)
					if fmt.Sprint(got, err) != fmt.Sprint(want, werr) {
						t.Errorf("passwd %.40q, group %.40q, no content %v, ids %v: %v %v; the lookup says %v %v", pw, gr, noContent, ids, got, err, want, werr)
					}
				}
			}
		}
	}
}
