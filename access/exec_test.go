package access_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
)

// Rules name the torvalds/linux function that decides the row (fs/exec.c,
// fs/binfmt_script.c, fs/binfmt_elf.c, fs/namei.c, security/commoncap.c;
// read in mainline 6.1x).

func TestParseShebang(t *testing.T) {
	pad := func(s string) []byte {
		b := make([]byte, access.BINPRM_BUF_SIZE)
		copy(b, s)
		return b
	}
	for _, r := range []struct {
		in          string
		interp, arg string
		hasArg      bool
		err         string
		rule        string
	}{
		{"#!/bin/sh\n", "/bin/sh", "", false, "", "binfmt_script.c:load_script: interpreter up to the line end"},
		{"#!/bin/sh\r\n", "/bin/sh\r", "", false, "", "binfmt_script.c:load_script: \\r is an ordinary byte"},
		{"#!  /bin/sh  \t\n", "/bin/sh", "", false, "", "binfmt_script.c:load_script: leading blanks skipped, trailing trimmed"},
		{"#!/x  -a  b c \t\n", "/x", "-a  b c", true, "", "binfmt_script.c:load_script: one argument, inner blanks kept"},
		{"#!/usr/bin/env python3\n", "/usr/bin/env", "python3", true, "", "binfmt_script.c:load_script"},
		{"#!\n", "", "", false, "ENOEXEC", "binfmt_script.c:load_script: no interpreter name"},
		{"#!  \t\n", "", "", false, "ENOEXEC", "binfmt_script.c:load_script: only blanks"},
		{"echo hi\n", "", "", false, "ENOEXEC", "binfmt_script.c:load_script: not #!"},
		{"#!/bin/sh", "/bin/sh", "", false, "", "binfmt_script.c:load_script: no newline, but a NUL follows in the padded buffer"},
		{"#!/" + strings.Repeat("a", 300), "", "", false, "ENOEXEC", "binfmt_script.c:load_script: no newline and no terminator: the path may be cut"},
		{"#!/bin/sh\x00junk -x\n", "/bin/sh", "", false, "", "binfmt_script.c:load_script: a NUL ends the interpreter and there is no argument"},
	} {
		interp, arg, hasArg, err := access.ParseShebang(pad(r.in))
		if got := errName(err); (r.err == "" && err != nil) || (r.err != "" && got != r.err) {
			t.Errorf("ParseShebang(%q) error = %v, want %s (%s)", r.in, err, r.err, r.rule)
			continue
		}
		if interp != r.interp || arg != r.arg || hasArg != r.hasArg {
			t.Errorf("ParseShebang(%q) = %q, %q, %v; want %q, %q, %v (%s)", r.in, interp, arg, hasArg, r.interp, r.arg, r.hasArg, r.rule)
		}
	}
}

const execTree = `
file /bin/probe 0755 0:0 elf
file /bin/sh 0755 0:0 elf
file /lib/ld.so 0755 0:0 elf
file /lib/short 0755 0:0 text="\x7fEL"
file /lib/text 0755 0:0 text="this is not an ELF file, it is long enough to be read as a header ......"
file /lib/noexec 0644 0:0 elf
file /dyn 0755 0:0 interp=/lib/ld.so
file /dyn-missing 0755 0:0 interp=/lib/ld-missing.so
file /dyn-short 0755 0:0 interp=/lib/short
file /dyn-text 0755 0:0 interp=/lib/text
file /dyn-noexec 0755 0:0 interp=/lib/noexec
file /dyn-dir 0755 0:0 interp=/lib
file /arm 0755 0:0 elf=aarch64
file /script 0755 0:0 script=/bin/sh
file /script-0711 0711 0:0 script=/bin/sh
file /crlf 0755 0:0 text="#!/bin/sh\r\necho\r\n"
file /nointerp 0755 0:0 script=/bin/nope
file /relinterp 0755 0:0 script=bin/probe
file /text 0755 0:0 text="echo hi\n"
file /bang 0755 0:0 text="#!"
file /bang-nl 0755 0:0 text="#!\n"
file /empty 0755 0:0
file /noxbit 0644 0:0 elf
file /0744 0744 0:0 elf
file /s1 0755 0:0 script=/s2
file /s2 0755 0:0 script=/s3
file /s3 0755 0:0 script=/s4
file /s4 0755 0:0 script=/s5
file /s5 0755 0:0 script=/bin/probe
file /t0 0755 0:0 script=/s1
fifo /fifo 0777 0:0
dir /dir 0755 0:0
dir /mnt 0755 0:0
file /mnt/probe 0755 0:0 elf
file /mnt/script 0755 0:0 script=/bin/sh
mount /mnt bind noexec
file /fcap 0755 0:0 elf caps=CAP_NET_RAW+ep
file /fcap-p 0755 0:0 elf caps=CAP_NET_RAW+p
file /suid 4755 0:0 elf
`

func TestExecve(t *testing.T) {
	m := rootfs.MustParseFixture(execTree).Mem()
	U := user(1000, 1000)
	noRaw := *U
	noRaw.CapBounding = caps.All.Without(caps.CAP_NET_RAW)
	rows := []struct {
		name  string
		cred  *access.Cred
		cwd   string
		path  string
		want  string // errno name or OK
		stage access.ExecStage
		rule  string
	}{
		{"static_elf", U, "", "/bin/probe", "OK", 0, "binfmt_elf.c:load_elf_binary"},
		{"dynamic_elf_with_loader", U, "", "/dyn", "OK", 0, "binfmt_elf.c:load_elf_binary: PT_INTERP opened with open_exec"},
		{"dynamic_elf_without_loader", U, "", "/dyn-missing", "ENOENT", access.StageLoader, "binfmt_elf.c:load_elf_binary: open_exec of a missing PT_INTERP loader is ENOENT"},
		{"loader_short", U, "", "/dyn-short", "EIO", access.StageLoader, "binfmt_elf.c:elf_read: short loader header"},
		{"loader_not_elf", U, "", "/dyn-text", "ELIBBAD", access.StageLoader, "binfmt_elf.c:load_elf_binary: a loader that is not ELF is ELIBBAD"},
		{"loader_no_x", U, "", "/dyn-noexec", "EACCES", access.StageLoader, "binfmt_elf.c:load_elf_binary: open_exec of the loader needs MAY_EXEC"},
		{"loader_a_dir", U, "", "/dyn-dir", "EACCES", access.StageLoader, "namei.c:may_open: a directory is EACCES for exec"},
		{"wrong_arch", U, "", "/arm", "ENOEXEC", access.StageFormat, "binfmt_elf.c:elf_check_arch"},
		{"script", U, "", "/script", "OK", 0, "binfmt_script.c:load_script"},
		{"crlf_script", U, "", "/crlf", "ENOENT", access.StageInterpreter, "binfmt_script.c:load_script: open_exec(\"/bin/sh\\r\"), which does not exist"},
		{"missing_interpreter", U, "", "/nointerp", "ENOENT", access.StageInterpreter, "binfmt_script.c:load_script: open_exec(i_name)"},
		{"relative_interpreter_from_cwd", U, "/", "/relinterp", "OK", 0, "binfmt_script.c:load_script: open_exec resolves a relative interpreter against the cwd"},
		{"relative_interpreter_elsewhere", U, "/dir", "/relinterp", "ENOENT", access.StageInterpreter, "binfmt_script.c:load_script: open_exec resolves a relative interpreter against the cwd"},
		{"bare_bang_opens_cwd", U, "", "/bang", "EACCES", access.StageInterpreter, "binfmt_script.c: \"#!\" without a newline names \"\", and open_exec(\"\") opens the cwd, a directory (kernel oracle)"},
		{"bare_bang_newline", U, "", "/bang-nl", "ENOEXEC", access.StageFormat, "binfmt_script.c:load_script: no interpreter name before the newline"},
		{"no_format", U, "", "/text", "ENOEXEC", access.StageFormat, "exec.c:search_binary_handler: no handler"},
		{"empty_file", U, "", "/empty", "ENOEXEC", access.StageFormat, "exec.c:search_binary_handler: no handler"},
		{"no_x_bit_root", root(), "", "/noxbit", "EACCES", access.StageOpen, "namei.c:generic_permission: no capability execs a file without x"},
		{"0744_user", U, "", "/0744", "EACCES", access.StageOpen, "namei.c:acl_permission_check: other r-- "},
		{"0744_user_dac_override", U.WithCaps(caps.CAP_DAC_OVERRIDE), "", "/0744", "OK", 0, "namei.c:generic_permission: DAC_OVERRIDE with some x bit"},
		{"five_nested_scripts", U, "", "/s1", "OK", 0, "exec.c:exec_binprm: depth ≤ 5"},
		{"six_nested_scripts", U, "", "/t0", "ELOOP", access.StageDepth, "exec.c:exec_binprm: depth > 5 is ELOOP"},
		{"fifo", root(), "", "/fifo", "EACCES", access.StageOpen, "namei.c:may_open: FIFO with MAY_EXEC"},
		{"directory", root(), "", "/dir", "EACCES", access.StageOpen, "namei.c:may_open: directory with MAY_EXEC"},
		{"noexec_mount", root(), "", "/mnt/probe", "EACCES", access.StageOpen, "namei.c:may_open: path_noexec"},
		{"noexec_script", root(), "", "/mnt/script", "EACCES", access.StageOpen, "namei.c:may_open: path_noexec on the script itself, wherever its interpreter is"},
		{"file_caps_with_bounding", U, "", "/fcap", "OK", 0, "commoncap.c:cap_bprm_creds_from_file"},
		{"file_caps_not_in_bounding_ep", &noRaw, "", "/fcap", "EPERM", access.StageCreds, "commoncap.c:bprm_caps_from_vfs_caps: fE with fP not granted"},
		{"file_caps_not_in_bounding_p", &noRaw, "", "/fcap-p", "OK", 0, "commoncap.c:bprm_caps_from_vfs_caps: without fE the shortfall is silent"},
		{"trailing_slash", U, "", "/bin/probe/", "ENOTDIR", access.StageOpen, "namei.c:do_open: LOOKUP_DIRECTORY"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p := &access.Proc{Cred: r.cred, FS: m, Cwd: r.cwd}
			_, err := p.Execve(r.path, nil)
			if got := errName(err); got != r.want {
				t.Fatalf("execve %q = %s (%v), want %s\nrule: %s", r.path, got, err, r.want, r.rule)
			}
			var xe *access.ExecError
			if err != nil && (!errors.As(err, &xe) || xe.Stage != r.stage) {
				t.Errorf("execve %q stage = %v, want %v", r.path, xe, r.stage)
			}
		})
	}
}

func TestExecveResult(t *testing.T) {
	m := rootfs.MustParseFixture(execTree).Mem()
	U := user(1000, 1000)
	t.Run("script_argv", func(t *testing.T) {
		x, err := (&access.Proc{Cred: U, FS: m}).Execve("/script", []string{"/script", "a"})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(x.Argv, " "); got != "/bin/sh /script a" || x.Path != "/bin/sh" || x.Script != "/script" || x.ScriptErr != nil {
			t.Errorf("argv %q path %q script %q err %v", got, x.Path, x.Script, x.ScriptErr)
		}
	})
	t.Run("exec_only_script_unreadable", func(t *testing.T) {
		// binfmt_script.c: execve succeeds; the interpreter then cannot
		// open the script with the post-exec credentials.
		x, err := (&access.Proc{Cred: U, FS: m}).Execve("/script-0711", nil)
		if err != nil {
			t.Fatal(err)
		}
		if errName(x.ScriptErr) != "EACCES" {
			t.Errorf("ScriptErr = %v, want EACCES", x.ScriptErr)
		}
	})
	t.Run("file_caps_effective", func(t *testing.T) {
		x, err := (&access.Proc{Cred: U, FS: m}).Execve("/fcap", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := caps.Of(caps.CAP_NET_RAW); x.Cred.CapEffective != want || x.Cred.CapPermitted != want {
			t.Errorf("E=%v P=%v, want both %v (commoncap.c:cap_bprm_creds_from_file: fE → E' = P')", x.Cred.CapEffective, x.Cred.CapPermitted, want)
		}
	})
	t.Run("setuid_root", func(t *testing.T) {
		x, err := (&access.Proc{Cred: U, FS: m}).Execve("/suid", nil)
		if err != nil {
			t.Fatal(err)
		}
		if x.Cred.EUID != 0 || x.Cred.UID != 1000 || x.Cred.CapEffective != caps.All {
			t.Errorf("euid %d uid %d E=%v; want 0, 1000, all (commoncap.c:handle_privileged_root)", x.Cred.EUID, x.Cred.UID, x.Cred.CapEffective)
		}
	})
	t.Run("setuid_root_nnp", func(t *testing.T) {
		c := *U
		c.NoNewPrivs = true
		x, err := (&access.Proc{Cred: &c, FS: m}).Execve("/suid", nil)
		if err != nil {
			t.Fatal(err)
		}
		if x.Cred.EUID != 1000 || x.Cred.CapEffective != 0 {
			t.Errorf("euid %d E=%v; want 1000 and none: no_new_privs ignores the setuid bit", x.Cred.EUID, x.Cred.CapEffective)
		}
	})
	t.Run("loader_recorded", func(t *testing.T) {
		x, err := (&access.Proc{Cred: U, FS: m}).Execve("/dyn", nil)
		if err != nil || x.Interp != "/lib/ld.so" {
			t.Errorf("Interp = %q, %v", x.Interp, err)
		}
	})
}

// headOnly is an FS that holds the first n bytes of the files in known and
// no contents at all of the others: ReadAt past what it holds is
// ErrNoContent, as rootfs.MTree (n = 0) and an image index keeping file
// heads answer.
type headOnly struct {
	access.FS
	known map[string]int64
}

func (h headOnly) ReadAt(name string, p []byte, off int64) (int, error) {
	n, ok := h.known[name]
	if !ok || off+int64(len(p)) > n {
		if ino, err := h.FS.Lstat(name); err != nil || !ino.IsRegular() {
			return h.FS.ReadAt(name, p, off)
		}
		return 0, access.ErrNoContent
	}
	return h.FS.ReadAt(name, p, off)
}

// TestExecveNoContent checks that Execve says it cannot tell, with the
// stage that needed the bytes, when the FS has no contents for a file it
// must read, and decides as before what it can decide without them.
func TestExecveNoContent(t *testing.T) {
	m := rootfs.MustParseFixture(execTree).Mem()
	// /farphdrs: the probe ELF with its program headers moved past the
	// head prepare_binprm reads.
	far := rootfs.ProbeELF(rootfs.EM_X86_64, "")
	phoff := binary.LittleEndian.Uint64(far[32:])
	phdrs := append([]byte(nil), far[phoff:phoff+56*uint64(binary.LittleEndian.Uint16(far[56:]))]...)
	far = append(append(far, make([]byte, 1024-len(far))...), phdrs...)
	binary.LittleEndian.PutUint64(far[32:], 1024)
	m.File("/farphdrs", 0o755, 0, 0, far)
	U := user(1000, 1000)
	head := int64(access.BINPRM_BUF_SIZE)
	rows := []struct {
		name  string
		known map[string]int64
		path  string
		want  string // errno name, NOCONTENT or OK
		stage access.ExecStage
		rule  string
	}{
		{"no_head", nil, "/script", "NOCONTENT", access.StageFormat, "exec.c:prepare_binprm reads BINPRM_BUF_SIZE bytes to choose a format"},
		{"script_interpreter_no_head", map[string]int64{"/script": head}, "/script", "NOCONTENT", access.StageFormat, "binfmt_script.c: the interpreter's own head is read next (the rewrite loop)"},
		{"program_headers_unknown", map[string]int64{"/dyn": 64}, "/dyn", "NOCONTENT", access.StageFormat, "binfmt_elf.c:load_elf_phdrs reads e_phoff…, past the 64-byte header"},
		{"program_headers_past_the_head", map[string]int64{"/farphdrs": head}, "/farphdrs", "NOCONTENT", access.StageFormat, "binfmt_elf.c:load_elf_phdrs reads e_phoff, here past the head an image index keeps: cannot tell, not ENOEXEC"},
		{"loader_unknown", map[string]int64{"/dyn": head}, "/dyn", "NOCONTENT", access.StageLoader, "binfmt_elf.c:load_elf_binary reads the PT_INTERP loader's header"},
		{"loader_phdrs_unknown", map[string]int64{"/dyn": head, "/lib/ld.so": 64}, "/dyn", "NOCONTENT", access.StageLoader, "binfmt_elf.c:load_elf_binary loads the loader's program headers"},
		{"known_heads_start", map[string]int64{"/dyn": head, "/lib/ld.so": head}, "/dyn", "OK", 0, "the heads are all execve reads: the rest of the file is never needed"},
		{"denied_before_reading", nil, "/0744", "EACCES", access.StageOpen, "namei.c:may_open decides from the inode, before any byte is read"},
		{"missing_before_reading", nil, "/nope", "ENOENT", access.StageOpen, "namei.c: a missing name fails the lookup, before any byte is read"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p := &access.Proc{Cred: U, FS: headOnly{m, r.known}}
			_, err := p.Execve(r.path, nil)
			got := errName(err)
			if errors.Is(err, access.ErrNoContent) {
				got = "NOCONTENT"
			}
			if got != r.want {
				t.Fatalf("execve %q = %s (%v), want %s\nrule: %s", r.path, got, err, r.want, r.rule)
			}
			var xe *access.ExecError
			if err != nil && (!errors.As(err, &xe) || xe.Stage != r.stage) {
				t.Errorf("execve %q stage = %v, want %v\nrule: %s", r.path, xe, r.stage, r.rule)
			}
		})
	}
}
