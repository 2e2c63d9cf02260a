package access_test

import (
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

func TestMkdir(t *testing.T) {
	m := rootfs.MustParseFixture(`
dir /d 0755 0:0
file /f 0644 0:0
symlink /dangling /nowhere
symlink /loop /loop
dir /noperm 0555 0:0
dir /ro 0755 0:0
mount /ro bind ro
`).Mem()
	for _, r := range []struct {
		name, path string
		cred       *access.Cred
		want       string
		rule       string
	}{
		{"creates", "/d/new", root(), "OK", "namei.c:do_mkdirat"},
		{"trailing_slash", "/d/new/", root(), "OK", "namei.c:filename_create allows trailing slashes"},
		{"exists_dir", "/d", root(), "EEXIST", "namei.c:filename_create: a positive dentry is EEXIST"},
		{"exists_file", "/f", root(), "EEXIST", "namei.c:filename_create"},
		{"dangling_symlink", "/dangling", root(), "EEXIST", "namei.c:filename_create: the last component is not followed"},
		{"loop", "/loop", root(), "EEXIST", "namei.c:filename_create: the last component is not followed"},
		{"parent_file", "/f/x", root(), "ENOTDIR", "namei.c: the parent walk"},
		{"parent_missing", "/nope/x", root(), "ENOENT", "namei.c: the parent walk"},
		{"no_write", "/noperm/x", user(1000, 1000), "EACCES", "namei.c:may_create: MAY_WRITE|MAY_EXEC on the parent"},
		{"root_overrides", "/noperm/x", root(), "OK", "namei.c:generic_permission: CAP_DAC_OVERRIDE on a directory"},
		{"ro_mount", "/ro/x", root(), "EROFS", "namei.c:filename_create: mnt_want_write"},
		{"ro_mount_exists_first", "/ro", root(), "EEXIST", "namei.c:filename_create: EEXIST before EROFS"},
	} {
		p := &access.Proc{Cred: r.cred, FS: m}
		_, err := p.Mkdir(r.path)
		if got := errName(err); got != r.want {
			t.Errorf("%s: Mkdir(%q) = %v, want %s (%s)", r.name, r.path, err, r.want, r.rule)
		}
	}
}

// TestMkdirProtectedLinkMidPath pins mkdir through a link in a sticky
// world-writable directory with fs.protected_symlinks=1: the parent walk
// follows the link as a middle component (link_path_walk → walk_component
// with WALK_MORE), where pick_link does not call may_follow_link, and a
// last component "." or ".." is EEXIST (filename_create: type !=
// LAST_NORM). fs/namei.c@v6.18; seen on Linux 6.18.44, where the model
// answered EACCES.
func TestMkdirProtectedLinkMidPath(t *testing.T) {
	m := rootfs.MustParseFixture(`
dir /a 0777 0:0
dir /t 1777 0:0
symlink /t/l /a 1000:1000
dir /e 1777 65534:1000
symlink /e/dotdot .. 0:0
`).Mem()
	for _, r := range []struct {
		path, want, rule string
	}{
		{"/t/l/.", "EEXIST", "LAST_DOT after a mid-path protected link"},
		{"/t/l/..", "EEXIST", "LAST_DOTDOT after a mid-path protected link"},
		{"/t/l/x", "OK", "the mid-path link is followed"},
		{"/t/l/", "EEXIST", "the last component is looked up, not followed"},
		{"e/dotdot/.", "EEXIST", "a relative path through a '..' link"},
	} {
		p := &access.Proc{Cred: user(65534, 65534), FS: m, Kernel: access.Kernel{ProtectedSymlinks: true}}
		_, err := p.Mkdir(r.path)
		if got := errName(err); got != r.want {
			t.Errorf("Mkdir(%q) = %v, want %s (%s)", r.path, err, r.want, r.rule)
		}
	}
	// The same link as the trailing component of a lookup is refused.
	p := &access.Proc{Cred: user(65534, 65534), FS: m, Kernel: access.Kernel{ProtectedSymlinks: true}}
	if _, err := p.Stat("/t/l"); errName(err) != "EACCES" {
		t.Errorf("Stat(/t/l) = %v, want EACCES (may_follow_link on the trailing link)", err)
	}
}
