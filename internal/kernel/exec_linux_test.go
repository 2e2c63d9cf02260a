//go:build linux

package kernel

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Random execve cases: ELF probes with and without a PT_INTERP loader, #!
// scripts (CRLF, blanks, arguments, missing or unusable interpreters,
// nesting), files no binary format takes, wrong-arch ELF, directories,
// FIFOs, noexec and nosuid mounts, setuid bits and file capabilities, under
// random credentials. Each target is executed for real (fork + execve of
// the probe, which reports whether it ran and whether it could open its
// script) and checked with execveat(AT_EXECVE_CHECK).

// execBase is the fixed part of every exec fixture: interpreters and
// loaders in every state execve distinguishes.
var execBase = `file /bin/probe 0755 0:0 elf
file /bin/ld 0755 0:0 elf
mount /nx tmpfs 0755 0:0 noexec
file /nx/probe 0755 0:0 elf
file /nx/script 0755 0:0 script=/bin/probe
mount /ns tmpfs 0755 0:0 nosuid
file /ns/suid 4755 0:0 elf
file /ns/capped 0755 0:0 elf caps=CAP_DAC_OVERRIDE+ep
file /x/ld0644 0644 0:0 elf
dir /x/dir 0755 0:0
file /x/short 0755 0:0 text="abc"
file /x/nonelf 0755 0:0 text="` + strings.Repeat("not an elf file ", 5) + `"
file /x/aarch 0755 0:0 elf=aarch64
file /x/p0700 0700 1000:1000 elf
file /x/psuid 4755 0:0 elf
file /x/crlf 0755 0:0 text="#!/bin/probe\r\n"
fifo /x/fifo 0777 0:0
symlink /x/link /bin/probe
` + scriptChain(7)

// scriptChain returns n scripts /x/s1 … /x/sn, each interpreted by the
// next, the last by /bin/probe: executing /x/sk nests n-k+1 scripts.
func scriptChain(n int) string {
	var b strings.Builder
	for k := 1; k <= n; k++ {
		next := "/x/s" + strconv.Itoa(k+1)
		if k == n {
			next = "/bin/probe"
		}
		fmt.Fprintf(&b, "file /x/s%d 0755 0:0 script=%s\n", k, next)
	}
	return b.String()
}

// execContents are the contents a random exec target can have.
var execContents = []string{
	"elf", "elf", "elf", "elf=aarch64",
	"interp=/bin/ld", "interp=/bin/ld", "interp=/missing", "interp=/x/ld0644", "interp=/x/dir",
	"interp=/nx/probe", "interp=/x/short", "interp=/x/nonelf", "interp=/x/aarch", "interp=bin/ld",
	"interp=/bin/probe/", "interp=/x/p0700", "interp=/x/fifo",
	"script=/bin/probe", "script=/bin/probe", "script=/missing", "script=/x/ld0644", "script=/bin",
	"script=/nx/probe", "script=bin/probe", "script=/x/s3", "script=/x/s2", "script=/x/p0700",
	"script=/x/psuid", "script=/x/crlf", "script=/bin/ld", "script=/x/link", "script=/x/aarch",
	`text="#!/bin/probe\r\n"`, `text="#!"`, `text="#!  \t"`, `text="#!/bin/probe  -a  b c \t\n"`,
	`text="#! \t/bin/probe\n"`, `text="#!/x/s7 arg\n"`, `text="` + "#!/" + strings.Repeat("y", 272) + `"`,
	`text="#!/bin/probe ` + strings.Repeat("z", 300) + `"`, `text=""`, `text="hello\n"`,
	`text="\x7fELF` + strings.Repeat(`\x00`, 60) + `"`, `text="\x7fELF\x02\x01\x01\x00\x00\x00"`,
}

// execModes are the modes of random exec targets.
var execModes = []uint32{0o755, 0o755, 0o711, 0o700, 0o744, 0o644, 0o111, 0o100, 0o010, 0o001, 0o000,
	0o4755, 0o2755, 0o6711, 0o4711, 0o750, 0o705, 0o2705}

// execBatch builds one random exec batch.
func execBatch(r *rand.Rand, seed uint64) *batch {
	var b strings.Builder
	b.WriteString(execBase)
	targets := []string{"/x/s1", "/x/s2", "/x/s3", "/x/dir", "/x/fifo", "/nx/probe", "/nx/script",
		"/ns/suid", "/ns/capped", "/x/short", "/x/aarch", "/x/crlf", "/x/link", "/x/psuid"}
	for i := range 24 {
		dir := pick(r, []string{"/t", "/t", "/t", "/nx", "/ns"})
		p := fmt.Sprintf("%s/t%d", dir, i)
		line := fmt.Sprintf("file %s %04o %s %s", p, pick(r, execModes), genOwner(r), pick(r, execContents))
		if chance(r, 0.1) {
			line += " " + genFileCaps(r)
		}
		b.WriteString(line + "\n")
		targets = append(targets, p)
	}
	cred := genCred(r)
	if chance(r, 0.15) {
		cred.NNP = true
	}
	if chance(r, 0.25) {
		cred = inContainer(r, cred)
	}
	bt := newBatch(b.String(), cred)
	bt.seed, bt.minimal = seed, true
	for _, p := range targets {
		bt.add("execve", query{Op: opExecve, Path: p})
		bt.add("exec_check", query{Op: opExecCheck, Path: p})
	}
	// Relative names resolve against the working directory, the root.
	bt.add("execve", query{Op: opExecve, Path: "x/s3"})
	bt.add("execve", query{Op: opExecve, Path: "bin/probe/"})
	bt.add("exec_check", query{Op: opExecCheck, Path: "bin/probe/"})
	bt.add("execve", query{Op: opExecve, Path: ""})
	return bt
}

// TestOracleExecve holds access.(*Proc).Execve and OpenExec to the kernel's
// fs/exec.c (do_open_execat, search_binary_handler's depth limit),
// fs/binfmt_script.c:load_script, fs/binfmt_elf.c:load_elf_binary (PT_INTERP
// loader), bprm_fill_uid and cap_bprm_creds_from_file (EPERM for
// capability-dumb binaries), and to the interpreter's open of its script
// with the new credentials.
func TestOracleExecve(t *testing.T) {
	newOracle(t).runSeeded(t, 40, execBatch)
}
