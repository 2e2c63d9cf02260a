package preexec

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestSentryCitations: every behaviour of a gVisor row's Sentry is cited,
// by its own name, from google/gvisor at a release tag, and Cite names
// nothing that is not a field.
func TestSentryCitations(t *testing.T) {
	typ := reflect.TypeOf(Sentry{})
	for _, l := range lines {
		if l.Sentry == nil {
			continue
		}
		fields := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i).Name
			if f == "Cite" {
				continue
			}
			fields[f] = true
			v := reflect.ValueOf(l.Sentry).Elem().Field(i)
			if v.IsZero() {
				continue
			}
			c := l.Sentry.Cite[f]
			if !strings.Contains(c, "google/gvisor ") || !strings.Contains(c, "@release-") {
				t.Errorf("%s %s: Sentry.%s is cited %q, want google/gvisor path:Function@release-…", l.Runtime, l.Versions[0], f, c)
			}
		}
		for k := range l.Sentry.Cite {
			if !fields[k] {
				t.Errorf("%s %s: Sentry.Cite names %q, not a field", l.Runtime, l.Versions[0], k)
			}
		}
		shown := map[string]bool{}
		for _, f := range sentryFields {
			shown[f.name] = true
		}
		for f := range fields {
			if !shown[f] {
				t.Errorf("Sentry.%s is not in sentryFields (the docs)", f)
			}
		}
	}
}

// TestGvisorPermission holds gvisorPermission to
// vfs.GenericCheckPermissions@release-20221219.0, where it differs from
// Linux's generic_permission: read and execute asked at once.
func TestGvisorPermission(t *testing.T) {
	reg := func(mode, uid, gid uint32) *access.Inode {
		return &access.Inode{Mode: access.S_IFREG | mode, UID: uid, GID: gid}
	}
	dir := func(mode, uid, gid uint32) *access.Inode {
		return &access.Inode{Mode: access.S_IFDIR | mode, UID: uid, GID: gid}
	}
	user := func(eff ...caps.Cap) *access.Cred {
		c := access.User(1000, 1000, 5)
		c.CapEffective = caps.Of(eff...)
		return c
	}
	const rx = access.MAY_READ | access.MAY_EXEC
	for _, r := range []struct {
		name string
		c    *access.Cred
		ino  *access.Inode
		mask access.Mask
		ok   bool
	}{
		{"owner r-x", user(), reg(0o500, 1000, 0), rx, true},
		{"owner --x: no read", user(), reg(0o100, 1000, 0), rx, false},
		{"owner class decides, not other", user(), reg(0o007, 1000, 0), rx, false},
		{"supplementary group", user(), reg(0o050, 0, 5), rx, true},
		{"other r-x", user(), reg(0o005, 0, 0), rx, true},
		{"0711 script: DAC_READ_SEARCH does not read it when exec is asked too", user(caps.CAP_DAC_READ_SEARCH), reg(0o711, 0, 0), rx, false},
		{"0711 script: DAC_OVERRIDE (an x bit is set)", user(caps.CAP_DAC_OVERRIDE), reg(0o711, 0, 0), rx, true},
		{"0644: DAC_OVERRIDE cannot exec without an x bit", user(caps.CAP_DAC_OVERRIDE), reg(0o644, 0, 0), rx, false},
		{"read alone: DAC_READ_SEARCH", user(caps.CAP_DAC_READ_SEARCH), reg(0o600, 0, 0), access.MAY_READ, true},
		{"directory search: DAC_READ_SEARCH", user(caps.CAP_DAC_READ_SEARCH), dir(0o700, 0, 0), access.MAY_EXEC, true},
		{"directory write: not DAC_READ_SEARCH", user(caps.CAP_DAC_READ_SEARCH), dir(0o500, 0, 0), access.MAY_WRITE, false},
		{"uid 0 without capabilities is other", &access.Cred{}, reg(0o700, 5, 5), rx, false},
	} {
		err := gvisorPermission(r.c, r.ino, r.mask)
		if (err == nil) != r.ok {
			t.Errorf("%s: %v, want ok=%v", r.name, err, r.ok)
		}
	}
}

func TestLookupRunsc(t *testing.T) {
	for _, n := range []string{"runsc@20221219.0", "runsc@20221219.0+debian"} {
		rt, err := LookupRuntime(n)
		if err != nil || rt.Release != runsc20221219 || rt.Extrapolated != "" {
			t.Errorf("%s: %+v, %v", n, rt, err)
		}
	}
	rt, err := LookupRuntime("runsc@20230605.0")
	if err != nil || rt.Release != runsc20221219 || rt.Extrapolated == "" {
		t.Errorf("runsc@20230605.0: %+v, %v; want extrapolated from 20221219.0", rt, err)
	}
	for _, n := range []string{"runsc@20221219", "runsc@1.0.0", "runsc@20221219.0+go1.19", "runsc@20220101.0"} {
		if _, err := LookupRuntime(n); err == nil {
			t.Errorf("%s: accepted", n)
		}
	}
}

func TestGoferResolve(t *testing.T) {
	fsys := rootfs.MustParseFixture(`
dir /a 0755 0:0
symlink /a/up ../b
symlink /dangling /missing/dir
symlink /loop1 /loop2
symlink /loop2 /loop1
`).Mem()
	p := &access.Proc{Cred: access.Root(), FS: fsys}
	for _, r := range []struct{ in, want string }{
		{"/x/../w", "/w"},
		{"/a/up/c", "/b/c"},
		{"/dangling", "/missing/dir"},
		{"/a/./b/", "/a/b"},
	} {
		got, err := goferResolve(p, r.in)
		if err != nil || got != r.want {
			t.Errorf("goferResolve(%q) = %q, %v; want %q", r.in, got, err, r.want)
		}
	}
	if _, err := goferResolve(p, "/loop1/x"); !errors.Is(err, access.ELOOP) {
		t.Errorf("a symlink loop: %v, want ELOOP", err)
	}
}

// TestRunscDiffersFromRunc: the cases of the issue where gVisor is not
// Linux, each against the real runsc's text (testdata/runtime has them).
func TestRunscDiffersFromRunc(t *testing.T) {
	rs, _ := LookupRuntime("runsc@20221219.0+debian")
	rc, _ := LookupRuntime("runc@1.1.5+debian")
	pre := "running container: starting container: starting root container: starting sandbox: "
	for _, r := range []struct {
		name, fixture string
		uid           uint32
		cwd           string
		args          []string
		capNames      []string
		runc, runsc   string
		runcName      string // runc@1.1.5+debian if empty
	}{
		{"a 0711 script: Linux executes it (the interpreter then cannot read it), gVisor's loader needs read",
			"file /bin/busybox 0755 0:0 busybox\nsymlink /bin/sh busybox\nfile /s.sh 0711 0:0 text=\"#!/bin/sh\\necho preexec-started\\n\"",
			1000, "/", []string{"/s.sh"}, nil,
			"/bin/sh: can't open '/s.sh': Permission denied", pre + "creating process: failed to load /s.sh: permission denied", ""},
		{"an ACL granting the user is not consulted",
			"file /app 0700 0:0 busybox acl=user::rwx,user:1000:r-x,group::---,mask::r-x,other::---",
			1000, "/", []string{"/app"}, nil,
			"", pre + "creating process: failed to load /app: permission denied", ""},
		{"a cwd the user cannot search: runc rc93 chdirs as the user, gVisor does not search it",
			"dir /w 0700 0:0\nfile /app 0755 0:0 busybox",
			1000, "/w", []string{"/app"}, nil,
			`container_linux.go:367: starting container process caused: chdir to cwd ("/w") set in config.json failed: permission denied`, "", "runc@1.0.0-rc93+go1.19"},
		{"a bare name is looked up by the sentry",
			"file /bin/app 0755 0:0 busybox",
			1000, "/", []string{"nothere"}, nil,
			`runc run failed: unable to start container process: exec: "nothere": executable file not found in $PATH`, pre + `error finding executable "nothere" in PATH [/bin]: no such file or directory`, ""},
	} {
		plan := testPlan(t, r.uid, r.cwd, r.args, r.capNames)
		fsys := rootfs.MustParseFixture(r.fixture).Mem()
		rc := rc
		if r.runcName != "" {
			rc, _ = LookupRuntime(r.runcName)
		}
		if got := Evaluate(plan, fsys, rc, Host{}); got.Text != r.runc {
			t.Errorf("%s: runc %q, want %q", r.name, got.Text, r.runc)
		}
		got := Evaluate(plan, fsys, rs, Host{})
		if got.Text != r.runsc || got.Unknown != "" || got.Starts != (r.runsc == "") {
			t.Errorf("%s: runsc starts=%v %q (unknown %q), want %q", r.name, got.Starts, got.Text, got.Unknown, r.runsc)
		}
	}
}

// testPlan is a config.json with the user uid (gid uid), cwd, args,
// PATH=/bin and the capability names in every set but ambient.
func testPlan(t *testing.T, uid uint32, cwd string, args, capNames []string) *spec.Plan {
	t.Helper()
	cfg := map[string]any{
		"ociVersion": "1.0.2",
		"root":       map[string]any{"path": "rootfs"},
		"process": map[string]any{
			"user": map[string]any{"uid": uid, "gid": uid}, "cwd": cwd, "args": args, "env": []string{"PATH=/bin"},
			"capabilities": map[string][]string{"bounding": capNames, "effective": capNames, "inheritable": capNames, "permitted": capNames},
		},
	}
	b, _ := json.Marshal(cfg)
	p, err := spec.Parse("config.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestChangesToRunsc: between runc and gVisor, Changes lists the Sentry
// and the fields gVisor's row reads, not runc's init steps it does not
// take.
func TestChangesToRunsc(t *testing.T) {
	rc, _ := LookupRuntime("runc@1.1.5+debian")
	rs, _ := LookupRuntime("runsc@20221219.0")
	fields := map[string]bool{}
	for _, c := range Changes(rc, rs) {
		fields[c.Field] = true
	}
	if !fields["Sentry"] || fields["Chdir"] || fields["ExecCheck"] || fields["Errors"] {
		t.Errorf("Changes(runc, runsc) = %v; want Sentry, without Chdir, ExecCheck, Errors", fields)
	}
}

// unreadableAt is an FS whose reader is refused name (EACCES from the
// host) and has no contents for any file.
type unreadableAt struct {
	access.FS
	name string
}

func (u unreadableAt) Lstat(name string) (access.Inode, error) {
	if name == u.name {
		return access.Inode{}, &access.ReadError{Op: "lstat", Path: name, UID: 1000, Err: access.EACCES}
	}
	return u.FS.Lstat(name)
}

func (u unreadableAt) ReadAt(name string, p []byte, off int64) (int, error) {
	return 0, fmt.Errorf("no contents: %w", access.ErrNoContent)
}

// TestRunscUnknownWhereUnread: what the reader could not read, or a
// file's contents it does not have, make runsc's answer unknown, never the
// sentry's EACCES.
func TestRunscUnknownWhereUnread(t *testing.T) {
	rs, _ := LookupRuntime("runsc@20221219.0")
	base := rootfs.MustParseFixture("dir /bin 0755 0:0\nfile /bin/app 0755 0:0 busybox\ndir /w 0755 0:0").Mem()
	for _, r := range []struct {
		name, unread, cwd string
		args              []string
	}{
		{"a PATH directory unread", "/bin", "/", []string{"app"}},
		{"the cwd unread", "/w", "/w", []string{"/bin/app"}},
		{"the program's contents absent", "", "/", []string{"/bin/app"}},
	} {
		plan := testPlan(t, 1000, r.cwd, r.args, nil)
		res := Evaluate(plan, unreadableAt{base, r.unread}, rs, Host{})
		if res.Unknown == "" || res.Text != "" || res.Starts {
			t.Errorf("%s: starts=%v %q, unknown %q; want unknown", r.name, res.Starts, res.Text, res.Unknown)
		}
	}
}
