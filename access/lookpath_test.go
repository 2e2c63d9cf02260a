package access_test

import (
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

func TestLookPath(t *testing.T) {
	m := rootfs.MustParseFixture(`
file /bin/app 0755 0:0 elf
file /bin/root-only 0744 0:0 elf
file /bin/noexec-bits 0644 0:0 elf
dir /bin/dir 0755 0:0
dir /work 0755 0:0
file /work/rails 0755 0:0 elf
dir /mnt 0755 0:0
file /mnt/app 0755 0:0 elf
mount /mnt bind noexec
`).Mem()
	type variant = func(*access.Proc, string, access.LookPathEnv) (string, error)
	variants := []struct {
		name string
		f    variant
	}{
		{"LookPathModeBits", access.LookPathModeBits},
		{"LookPathModeBitsErrDot", access.LookPathModeBitsErrDot},
		{"LookPathEaccessNoCaps", access.LookPathEaccessNoCaps},
		{"LookPathEaccess", access.LookPathEaccess},
		{"LookPathEaccessNoDots", access.LookPathEaccessNoDots},
	}
	U := user(1000, 1000)
	UDO := U.WithCaps(caps.CAP_DAC_OVERRIDE)
	path := access.LookPathEnv{PATH: "/usr/bin:/bin"}
	rows := []struct {
		name string
		cred *access.Cred
		cwd  string
		f2   error
		file string
		env  access.LookPathEnv
		want [5]string // "path" or the error text, per variant
		rule string
	}{
		{"bare_name_found", U, "/", nil, "app", path,
			[5]string{"/bin/app", "/bin/app", "/bin/app", "/bin/app", "/bin/app"},
			"lp_unix.go:LookPath: first PATH match, joined and cleaned"},
		{"no_path", U, "/", nil, "app", access.LookPathEnv{},
			[5]string{`exec: "app": executable file not found in $PATH`, `exec: "app": executable file not found in $PATH`, `exec: "app": executable file not found in $PATH`, `exec: "app": executable file not found in $PATH`, `exec: "app": executable file not found in $PATH`},
			"filepath.SplitList(\"\") is empty: no default PATH"},
		{"absolute_missing", U, "/", nil, "/nope", path,
			[5]string{`exec: "/nope": stat /nope: no such file or directory`, `exec: "/nope": stat /nope: no such file or directory`, `exec: "/nope": stat /nope: no such file or directory`, `exec: "/nope": stat /nope: no such file or directory`, `exec: "/nope": stat /nope: no such file or directory`},
			"lp_unix.go:findExecutable: os.Stat's PathError"},
		{"directory", U, "/", nil, "/bin/dir", path,
			[5]string{`exec: "/bin/dir": permission denied`, `exec: "/bin/dir": permission denied`, `exec: "/bin/dir": is a directory`, `exec: "/bin/dir": is a directory`, `exec: "/bin/dir": is a directory`},
			"Go ≤1.19: fs.ErrPermission; Go ≥1.20: EISDIR"},
		{"other_class_no_x", U, "/", nil, "/bin/root-only", path,
			[5]string{"/bin/root-only", "/bin/root-only", `exec: "/bin/root-only": permission denied`, `exec: "/bin/root-only": permission denied`, `exec: "/bin/root-only": permission denied`},
			"Go ≤1.19 tests any x bit; Go ≥1.20 asks faccessat2 for the caller"},
		{"dac_override_faccessat2", UDO, "/", nil, "/bin/root-only", path,
			[5]string{"/bin/root-only", "/bin/root-only", "/bin/root-only", "/bin/root-only", "/bin/root-only"},
			"faccessat2(AT_EACCESS) honours CAP_DAC_OVERRIDE with an x bit"},
		{"dac_override_enosys", UDO, "/", access.ENOSYS, "/bin/root-only", path,
			[5]string{"/bin/root-only", "/bin/root-only", `exec: "/bin/root-only": permission denied`, "/bin/root-only", "/bin/root-only"},
			"golang/go#58552: Go 1.20.0/1.20.1's emulation ignores CAP_DAC_OVERRIDE; fixed in 1.20.2 (CL 469956)"},
		{"no_x_bits", root(), "/", nil, "/bin/noexec-bits", path,
			[5]string{`exec: "/bin/noexec-bits": permission denied`, `exec: "/bin/noexec-bits": permission denied`, `exec: "/bin/noexec-bits": permission denied`, `exec: "/bin/noexec-bits": permission denied`, `exec: "/bin/noexec-bits": permission denied`},
			"no x bit at all: refused by every variant, root too"},
		{"noexec_mount", U, "/", nil, "/mnt/app", path,
			[5]string{"/mnt/app", "/mnt/app", `exec: "/mnt/app": permission denied`, `exec: "/mnt/app": permission denied`, `exec: "/mnt/app": permission denied`},
			"faccessat2 sees noexec (open.c:do_faccessat); the mode bits do not"},
		{"relative_path_entry", U, "/work", nil, "rails", access.LookPathEnv{PATH: ".:/bin"},
			[5]string{"rails", `exec: "rails": cannot run executable found relative to current directory`, `exec: "rails": cannot run executable found relative to current directory`, `exec: "rails": cannot run executable found relative to current directory`, `exec: "rails": cannot run executable found relative to current directory`},
			"lp_unix.go:LookPath from go1.19: a relative PATH hit is ErrDot (golang/go#43724; met by runc in awslabs/amazon-eks-ami#1410)"},
		{"relative_path_entry_execerrdot0", U, "/work", nil, "rails", access.LookPathEnv{PATH: ".:/bin", ExecErrDot0: true},
			[5]string{"rails", "rails", "rails", "rails", "rails"},
			"GODEBUG=execerrdot=0 turns ErrDot off (golang/go#53962)"},
		{"dot_name", U, "/", nil, ".", access.LookPathEnv{PATH: "/bin"},
			[5]string{`exec: ".": executable file not found in $PATH`, `exec: ".": executable file not found in $PATH`, `exec: ".": executable file not found in $PATH`, `exec: ".": executable file not found in $PATH`, `exec: ".": executable file not found in $PATH`},
			"\".\" joined with /bin is /bin, a directory; LookPathEaccessNoDots refuses it up front"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		for i, v := range variants {
			p := &access.Proc{Cred: r.cred, FS: m, Cwd: r.cwd, Kernel: access.Kernel{Faccessat2: r.f2}}
			got, err := v.f(p, r.file, r.env)
			if err != nil {
				got = err.Error()
			}
			if got != r.want[i] {
				t.Errorf("%s: %s(%q) = %s, want %s\nrule: %s", r.name, v.name, r.file, got, r.want[i], r.rule)
			}
		}
	}
}

func TestLookPathEnvFrom(t *testing.T) {
	e := access.LookPathEnvFrom([]string{"PATH=/a", "GODEBUG=execerrdot=0", "PATH=/b:/c"})
	if e.PATH != "/b:/c" || !e.ExecErrDot0 {
		t.Errorf("LookPathEnvFrom = %+v", e)
	}
	if e := access.LookPathEnvFrom([]string{"GODEBUG=x=1,execerrdot=1"}); e.ExecErrDot0 {
		t.Error("execerrdot=1 must keep ErrDot on")
	}
}
