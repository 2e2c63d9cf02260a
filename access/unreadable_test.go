package access_test

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
)

// TestUnreadable pins that what the reader could not read is never decided:
// every operation returns an error that Is access.ErrUnreadable and the
// reader's errno, and never fs.ErrPermission or a *Denial (the container's
// answers), while what the model decides from inode metadata alone still
// stands.
func TestUnreadable(t *testing.T) {
	m := rootfs.MustParseFixture(`
dir /bin 0755 0:0
file /bin/app 0755 0:0 elf
dir /sealed 0755 1000:1000
file /sealed/app 0755 0:0 elf
dir /sealed/sub 0755 0:0
dir /shut 0700 0:0
file /shut/app 0755 0:0 elf
dir /home 0755 0:0
dir /home/nonroot 0700 65532:65532
file /script 0755 0:0 script=/sealed/sh
file /elf 0755 0:0 elf
file /dyn 0755 0:0 interp=/sealed/ld.so
symlink /link /sealed/app
`).Mem()
	fsys := rootfstest.Unreadable{FS: m, Sealed: []string{"/sealed", "/shut", "/home/nonroot"}, EIO: []string{"/elf"}, EIOAt: 1}
	U := user(1001, 1001)
	type row struct {
		name string
		op   string // stat, chdir, open, access, faccessat2, mkdir, execve, lookpath*, goaccess
		cred *access.Cred
		arg  string
		path string // PATH for lookpath
		want string // "unknown", or the errno name the model decides
		rule string
	}
	rows := []row{
		{name: "stat_in_sealed", op: "stat", arg: "/sealed/app", want: "unknown", rule: "the host's EACCES on a directory the reader may not search says nothing of the container"},
		{name: "stat_missing_in_sealed", op: "stat", arg: "/sealed/nothing", want: "unknown", rule: "whether the name exists was not read: not ENOENT"},
		{name: "stat_below_sealed", op: "stat", arg: "/sealed/sub/x", want: "unknown", rule: "link_path_walk stops at the first lookup the reader could not make"},
		{name: "stat_through_link", op: "stat", arg: "/link", want: "unknown", rule: "a symlink into the sealed directory: its target is not read"},
		{name: "lstat_link_itself", op: "lstat", arg: "/link", want: "OK", rule: "the link itself was read: lstat needs nothing of its target"},
		{name: "stat_sealed_dir_itself", op: "stat", arg: "/sealed", want: "OK", rule: "the directory's own inode is read from its parent"},
		{name: "chdir_into_sealed", op: "chdir", arg: "/sealed/sub", want: "unknown", rule: "open.c:chdir walks into it"},
		{name: "chdir_to_sealed_dir", op: "chdir", cred: U, arg: "/sealed", want: "OK", rule: "chdir decides on the directory's inode, 0755: read"},
		{name: "model_denial_precedes_read", op: "stat", cred: U, arg: "/shut/app", want: "EACCES", rule: "namei.c:may_lookup decides on /shut's inode (0700 0:0) before any lookup in it: the container's denial, from metadata"},
		{name: "model_denial_cwd", op: "chdir", cred: user(1000680000, 0), arg: "/home/nonroot", want: "EACCES", rule: "rc93's incident: chdir's permission check is on /home/nonroot's inode, which was read"},
		{name: "root_through_sealed", op: "stat", arg: "/shut/app", want: "unknown", rule: "root may search /shut (CAP_DAC_READ_SEARCH), so the lookup in it is needed and was not read"},
		{name: "open_in_sealed", op: "open", arg: "/sealed/app", want: "unknown", rule: "open walks into it"},
		{name: "access_in_sealed", op: "access", cred: U, arg: "/sealed/app", want: "unknown", rule: "access(2) walks into it"},
		{name: "faccessat2_in_sealed", op: "faccessat2", cred: U, arg: "/sealed/app", want: "unknown", rule: "faccessat2 walks into it"},
		{name: "goemu_in_sealed", op: "goaccess", cred: U, arg: "/sealed/app", want: "unknown", rule: "Go's Faccessat emulation stats it"},
		{name: "mkdir_in_sealed", op: "mkdir", arg: "/sealed/new", want: "unknown", rule: "namei.c:filename_create looks the name up: not read, so neither EEXIST nor created"},
		{name: "execve_in_sealed", op: "execve", arg: "/sealed/app", want: "unknown", rule: "execve opens it"},
		{name: "execve_interpreter_sealed", op: "execve", arg: "/script", want: "unknown", rule: "binfmt_script opens the #! interpreter /sealed/sh: not read, not ENOENT"},
		{name: "execve_loader_sealed", op: "execve", arg: "/dyn", want: "unknown", rule: "binfmt_elf opens PT_INTERP /sealed/ld.so: not read, not ENOENT"},
		{name: "execve_phdrs_eio", op: "execve", arg: "/elf", want: "unknown", rule: "binfmt_elf:load_elf_phdrs reads the program headers after the head: the reader's EIO there is not the kernel's ENOEXEC"},
		{name: "lookpath_sealed_first", op: "lookpath", arg: "app", path: "/sealed:/bin", want: "unknown", rule: "lp_unix.go:LookPath takes the first candidate that passes: /sealed/app might be it"},
		{name: "lookpath_sealed_later", op: "lookpath", arg: "app", path: "/bin:/sealed", want: "OK", rule: "lp_unix.go:LookPath stops at /bin/app: the sealed candidate is never asked"},
		{name: "lookpath119_sealed_first", op: "lookpath119", arg: "app", path: "/sealed:/bin", want: "unknown", rule: "Go 1.19's LookPath walks PATH the same way"},
		{name: "lookpath120_sealed_first", op: "lookpath1202", arg: "app", path: "/sealed:/bin", want: "unknown", rule: "Go 1.20's findExecutable (stat, then Eaccess) walks PATH the same way"},
		{name: "lookpath_slash", op: "lookpath1202", arg: "/sealed/app", want: "unknown", rule: "lp_unix.go: a name with a slash is checked as is"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c := r.cred
			if c == nil {
				c = root()
			}
			p := &access.Proc{Cred: c, FS: fsys}
			var err error
			env := access.LookPathEnv{PATH: r.path}
			switch r.op {
			case "stat":
				_, err = p.Stat(r.arg)
			case "lstat":
				_, err = p.Lstat(r.arg)
			case "chdir":
				err = p.Chdir(r.arg)
			case "open":
				_, err = p.Open(r.arg, access.O_RDONLY)
			case "access":
				err = p.Access(r.arg, access.X_OK)
			case "faccessat2":
				err = p.Faccessat2(r.arg, access.X_OK, access.AT_EACCESS)
			case "goaccess":
				err = access.Faccessat2ElseEmulated(p, r.arg, access.X_OK, access.AT_EACCESS)
			case "mkdir":
				_, err = p.Mkdir(r.arg)
			case "execve":
				_, err = p.Execve(r.arg, []string{r.arg})
			case "lookpath":
				_, err = access.LookPathModeBits(p, r.arg, env)
			case "lookpath119":
				_, err = access.LookPathModeBitsErrDot(p, r.arg, env)
			case "lookpath1202":
				_, err = access.LookPathEaccess(p, r.arg, env)
			default:
				t.Fatalf("unknown op %q", r.op)
			}
			got := errName(err)
			if errors.Is(err, access.ErrUnreadable) {
				got = "unknown"
			}
			if got != r.want {
				t.Fatalf("%s %q = %s (%v), want %s\nrule: %s", r.op, r.arg, got, err, r.want, r.rule)
			}
			if got != "unknown" {
				return
			}
			var d *access.Denial
			if errors.Is(err, fs.ErrPermission) || errors.As(err, &d) {
				t.Errorf("%s %q = %v: the reader's error reads as the container's denial\nrule: %s", r.op, r.arg, err, r.rule)
			}
			var re *access.ReadError
			if !errors.As(err, &re) || !errors.Is(err, re.Err) {
				t.Errorf("%s %q = %v: want the *ReadError and its errno inside\nrule: %s", r.op, r.arg, err, r.rule)
			}
		})
	}
}

// TestReadErrorIs pins what a *ReadError matches: ErrUnreadable and its own
// errno, through any wrapping, but not the fs.Err* an errno stands for: a
// caller that asks errors.Is(err, fs.ErrPermission) is asking whether the
// container was denied, and the reader's EACCES does not say.
func TestReadErrorIs(t *testing.T) {
	re := &access.ReadError{Op: "lstat", Path: "/home/nonroot/app", Root: "/b/rootfs", UID: 65534, Err: syscall.EACCES}
	wrapped := &fs.PathError{Op: "chdir", Path: "/home/nonroot/app", Err: fmt.Errorf("walk: %w", re)}
	rows := []struct {
		name   string
		target error
		want   bool
		rule   string
	}{
		{"unreadable", access.ErrUnreadable, true, "the reader's failure: the answer is not known"},
		{"errno", syscall.EACCES, true, "errors.Is with the syscall.Errno still works"},
		{"other_errno", syscall.EPERM, false, "only its own errno"},
		{"enoent", syscall.ENOENT, false, "only its own errno"},
		{"permission", fs.ErrPermission, false, "not the container's denial (EACCES.Is(fs.ErrPermission) is not consulted: no Unwrap)"},
		{"not_exist", fs.ErrNotExist, false, "not the container's ENOENT"},
		{"no_content", access.ErrNoContent, false, "a reader's failure is not a manifest without contents"},
	}
	var names, rules []string
	for _, r := range rows {
		names, rules = append(names, r.name), append(rules, r.rule)
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		for _, err := range []error{re, wrapped} {
			if got := errors.Is(err, r.target); got != r.want {
				t.Errorf("%s: errors.Is(%v, %v) = %v, want %v\nrule: %s", r.name, err, r.target, got, r.want, r.rule)
			}
		}
	}
	const want = "lstat /home/nonroot/app in /b/rootfs (as uid 65534): permission denied"
	if got := re.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !re.Denied() || (&access.ReadError{Err: syscall.EIO}).Denied() {
		t.Errorf("Denied: EACCES is the host refusing the reader, EIO is not")
	}
}
