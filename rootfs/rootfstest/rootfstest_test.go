package rootfstest_test

import (
	"io"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
)

const tree = `
dir /home/u 0700 1000:1000 acl=u::rwx,u:5:r-x,g::---,m::r-x,o::---
file /bin/ping 4755 0:0 elf caps=CAP_NET_RAW+ep
file /etc/motd 0644 0:0 text="hello, world\n"
file /etc/empty 0644 0:0
symlink /bin/sh ping
fifo /run/p 0600 0:0
mount /mnt tmpfs 0755 0:0 ro
mount /mnt/b bind noexec
`

func TestMemPasses(t *testing.T) {
	f := rootfs.MustParseFixture(tree)
	if err := rootfstest.Check(f.Mem(), f); err != nil {
		t.Fatal(err)
	}
	rootfstest.TestFS(t, f.Mem(), f)
}

// broken wraps an FS and breaks one behaviour for one name.
type broken struct {
	access.FS
	name   string
	lstat  func(access.Inode) access.Inode
	read   func(p []byte, off int64, n int, err error) (int, error)
	link   func(string, error) (string, error)
	exists bool // report the name as present even if it is missing
}

func (b broken) Lstat(name string) (access.Inode, error) {
	if name == b.name && b.exists {
		return access.Inode{Mode: access.S_IFREG}, nil
	}
	ino, err := b.FS.Lstat(name)
	if name == b.name && b.lstat != nil {
		ino = b.lstat(ino)
	}
	return ino, err
}

func (b broken) Readlink(name string) (string, error) {
	s, err := b.FS.Readlink(name)
	if name == b.name && b.link != nil {
		return b.link(s, err)
	}
	return s, err
}

func (b broken) ReadAt(name string, p []byte, off int64) (int, error) {
	n, err := b.FS.ReadAt(name, p, off)
	if name == b.name && b.read != nil {
		return b.read(p, off, n, err)
	}
	return n, err
}

func TestCheckFindsMismatches(t *testing.T) {
	f := rootfs.MustParseFixture(tree)
	rows := []struct {
		name string
		fs   access.FS
		want []string // substrings of the report, one per expected mismatch
		rule string
	}{
		{"wrong_mode", broken{FS: f.Mem(), name: "/bin/ping", lstat: func(i access.Inode) access.Inode { i.Mode &^= access.S_ISUID; return i }},
			[]string{"/bin/ping: Lstat: mode 0100755, want 0104755"}, "Lstat returns the setuid bit"},
		{"wrong_owner", broken{FS: f.Mem(), name: "/home/u", lstat: func(i access.Inode) access.Inode { i.UID = 0; return i }},
			[]string{"/home/u: Lstat: owner 0:1000, want 1000:1000"}, "Lstat returns the owner"},
		{"wrong_type", broken{FS: f.Mem(), name: "/run/p", lstat: func(i access.Inode) access.Inode { i.Mode = access.S_IFREG | 0o600; return i }},
			[]string{"/run/p: Lstat: type 0100000, want 010000"}, "Lstat returns the type"},
		{"acl_lost", broken{FS: f.Mem(), name: "/home/u", lstat: func(i access.Inode) access.Inode { i.ACL = nil; return i }},
			[]string{"/home/u: Lstat: ACL [], want"}, "Lstat returns the access ACL"},
		{"caps_lost", broken{FS: f.Mem(), name: "/bin/ping", lstat: func(i access.Inode) access.Inode { i.Caps = nil; return i }},
			[]string{"/bin/ping: Lstat: caps none, want P=CAP_NET_RAW"}, "Lstat returns the file capabilities"},
		{"caps_rev2_equals_rev0", broken{FS: f.Mem(), name: "/bin/ping", lstat: func(i access.Inode) access.Inode {
			c := *i.Caps
			c.Revision = 2
			i.Caps = &c
			return i
		}}, nil, "revision 0 is written as 2: a disk backend reads back 2"},
		{"caps_wrong_rev", broken{FS: f.Mem(), name: "/bin/ping", lstat: func(i access.Inode) access.Inode {
			i.Caps = &caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true, Revision: 3}
			return i
		}},
			[]string{"/bin/ping: Lstat: caps"}, "the revision matters"},
		{"bind_lost_sb_rdonly", broken{FS: f.Mem(), name: "/mnt/b", lstat: func(i access.Inode) access.Inode { i.Mount = access.MNT_NOEXEC; return i }},
			[]string{"/mnt/b: Lstat: mount flags 0x4, want 0x24"}, "a bind mount keeps its superblock's SB_RDONLY"},
		{"wrong_size", broken{FS: f.Mem(), name: "/etc/motd", lstat: func(i access.Inode) access.Inode { i.Size = 0; return i }},
			[]string{"/etc/motd: Lstat: size 0, want 13"}, "Lstat returns the size of a regular file"},
		{"readlink_body", broken{FS: f.Mem(), name: "/bin/sh", link: func(string, error) (string, error) { return "pong", nil }},
			[]string{`/bin/sh: Readlink = "pong", <nil>, want "ping", nil`}, "Readlink returns the body"},
		{"readlink_not_einval", broken{FS: f.Mem(), name: "/etc/motd", link: func(string, error) (string, error) { return "", nil }},
			[]string{`/etc/motd: Readlink = "", <nil>, want EINVAL`}, "Readlink of a non-symlink is EINVAL"},
		{"short_read_without_eof", broken{FS: f.Mem(), name: "/etc/motd", read: func(p []byte, off int64, n int, err error) (int, error) {
			if err == io.EOF && n > 0 {
				return n, nil
			}
			return n, err
		}}, []string{"/etc/motd: ReadAt(18 bytes, 0) = 13, <nil>"}, "io.ReaderAt: a short read returns an error"},
		{"wrong_bytes", broken{FS: f.Mem(), name: "/etc/motd", read: func(p []byte, off int64, n int, err error) (int, error) {
			if n > 0 {
				p[0] ^= 0x20
			}
			return n, err
		}}, []string{"/etc/motd: ReadAt(13 bytes, 0)", "/etc/motd: ReadAt in pieces of 7", "/etc/motd: ReadAt in pieces of 1"}, "ReadAt returns the content"},
		{"read_past_end", broken{FS: f.Mem(), name: "/etc/empty", read: func(p []byte, off int64, n int, err error) (int, error) { return 0, nil }},
			[]string{"/etc/empty: ReadAt(4 bytes, 0) at or past the end = 0, <nil>"}, "ReadAt at the end is io.EOF"},
		{"missing_present", broken{FS: f.Mem(), name: "/etc/" + rootfstest.Missing, exists: true},
			[]string{"/etc/.rootfstest-missing: Lstat of a missing name"}, "Lstat of a missing name is ENOENT"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			err := rootfstest.Check(r.fs, f)
			if len(r.want) == 0 {
				if err != nil {
					t.Errorf("Check: %v\nrule: %s", err, r.rule)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check found nothing, want %q\nrule: %s", r.want, r.rule)
			}
			for _, w := range r.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check report lacks %q:\n%v\nrule: %s", w, err, r.rule)
				}
			}
		})
	}
}

func TestCheckReportsAllAtOnce(t *testing.T) {
	f := rootfs.MustParseFixture(tree)
	// An FS with nothing in it but the root.
	err := rootfstest.Check(rootfs.NewMem(), f)
	if err == nil {
		t.Fatal("Check of an empty Mem passed")
	}
	for _, name := range []string{"/home/u", "/bin/ping", "/etc/motd", "/bin/sh", "/run/p", "/mnt/b"} {
		if !strings.Contains(err.Error(), name+": Lstat: no such file or directory") {
			t.Errorf("report lacks %s:\n%v", name, err)
		}
	}
}
