package access

import (
	"encoding/binary"
	"io"
	"io/fs"
	"sync"

	"github.com/preexec/preexec/caps"
)

// BINPRM_BUF_SIZE is how much of a file execve reads to choose its format
// and parse a #! line: 256 bytes since Linux 5.1 (6eb3c3d0a52d), 128
// before (include/uapi/linux/binfmts.h).
const BINPRM_BUF_SIZE = 256

// EM_X86_64 is the ELF machine of x86_64 (include/uapi/linux/elf-em.h).
const EM_X86_64 = 62

// ExecStage says where in execve a failure happened.
type ExecStage uint8

// The stages of execve, in order.
const (
	StageOpen        ExecStage = iota // opening the file named by execve
	StageFormat                       // no binary format took the file (ENOEXEC)
	StageInterpreter                  // opening a #! interpreter
	StageLoader                       // opening or checking the ELF PT_INTERP loader
	StageDepth                        // more than 5 levels of #! rewriting (ELOOP)
	StageCreds                        // computing the new credentials (EPERM)
)

var stageNames = [...]string{"open", "format", "interpreter", "loader", "depth", "credentials"}

func (s ExecStage) String() string {
	if int(s) < len(stageNames) {
		return stageNames[s]
	}
	return "stage?"
}

// An ExecError says which file of an execve failed and at which stage. It
// unwraps to the errno (or to the *Denial that explains it); its Error is
// the errno's text, as execve's caller sees it.
type ExecError struct {
	Stage ExecStage
	// Path is the file the stage was about: the #! interpreter or loader
	// as written in the file that named it, or the name execve got.
	Path string
	Err  error
}

func (e *ExecError) Error() string {
	if d, ok := e.Err.(*Denial); ok {
		return d.Error()
	}
	return Strerror(e.Err)
}

// Unwrap returns the underlying error.
func (e *ExecError) Unwrap() error { return e.Err }

// Execve decides execve(2) of name with argv as fs/exec.c (v6.6) does, and on
// success returns what the new program starts with:
//
//  1. OpenExec(name).
//  2. Up to 5 rewrites (exec_binprm: depth > 5 is ELOOP), each time
//     reading the first BINPRM_BUF_SIZE bytes: an ELF is loaded (step 3); a
//     "#!" line (ParseShebang) names an interpreter, which is opened with
//     OpenExec using the same credentials and working directory, and argv
//     becomes [interpreter, (argument), script path as passed, argv[1:]…];
//     anything else is ENOEXEC.
//  3. fs/binfmt_elf.c:load_elf_binary: ENOEXEC unless the e_type is EXEC or
//     DYN, the machine is the kernel's and the program headers are sane; a
//     PT_INTERP loader is opened with OpenExec (its errors as they are), a
//     short loader is EIO, one that is not ELF of this machine ELIBBAD.
//  4. The new credentials, computed once on the ELF (bprm_fill_uid and
//     cap_bprm_creds_from_file): a set-user-ID or set-group-ID bit counts
//     unless the mount is nosuid, no_new_privs is set or the owner is not
//     mapped; file capabilities count unless the mount is nosuid or a
//     revision-3 attribute belongs to another namespace; caps.State.Exec
//     may fail with EPERM.
//  5. For a script, whether the interpreter, now running with the new
//     credentials, can open the script for reading (Exec.ScriptErr).
//
// Where the FS holds no contents for a file it must read (ErrNoContent),
// or could not read it (ErrUnreadable), Execve returns that error in an
// *ExecError of the stage that read it: the outcome cannot be told.
//
// Not modelled: binfmt_misc (qemu-user), 32-bit compat ELF, ETXTBSY, LSMs,
// failures after the point of no return (SIGSEGV), E2BIG.
func (p *Proc) Execve(name string, argv []string) (*Exec, error) {
	w := getWalker(p, p.Cred)
	defer putWalker(w)
	fail := func(stage ExecStage, path string, err error) (*Exec, error) {
		if w.denied {
			err = newDenial(w.deniedPath, w.deniedWhy, w.deniedIno, w.deniedMask, w.c, err)
		}
		return nil, &fs.PathError{Op: "execve", Path: name, Err: &ExecError{Stage: stage, Path: path, Err: err}}
	}
	ino, err := w.openExec(name)
	if err != nil {
		return fail(StageOpen, name, err)
	}
	file := w.path()
	bprmInterp := name // the name the next #! rewrite puts in argv
	args := append([]string(nil), argv...)
	if len(args) == 0 {
		args = []string{name}
	}
	var script, loader string
	buf := &w.head // the walker's, so that the FS's ReadAt does not make it escape
	machine := p.Kernel.Machine
	if machine == 0 {
		machine = EM_X86_64
	}
	for depth := 0; ; depth++ {
		if depth > 5 {
			return fail(StageDepth, file, ELOOP)
		}
		clear(buf[:])
		if _, err := p.FS.ReadAt(file, buf[:], 0); err != nil && err != io.EOF {
			return fail(StageFormat, file, err)
		}
		if string(buf[:4]) == "\x7fELF" {
			interp, err := checkELF(p.FS, file, buf[:], machine)
			if err != nil {
				return fail(StageFormat, file, err)
			}
			if interp != "" {
				w.denied = false
				if _, err := w.openExecKernel(interp); err != nil {
					return fail(StageLoader, interp, err)
				}
				if err := checkLoader(p.FS, w.path(), machine); err != nil {
					return fail(StageLoader, interp, err)
				}
				loader = interp
			}
			break
		}
		i, arg, hasArg, err := ParseShebang(buf[:])
		if err != nil {
			return fail(StageFormat, file, err)
		}
		rest := args[1:]
		args = append([]string{i}, func() []string {
			if hasArg {
				return []string{arg, bprmInterp}
			}
			return []string{bprmInterp}
		}()...)
		args = append(args, rest...)
		script = bprmInterp
		bprmInterp = i
		w.denied = false
		ino, err = w.openExecKernel(i)
		if err != nil {
			return fail(StageInterpreter, i, err)
		}
		file = w.path()
	}
	cred, err := execCreds(p.Cred, &ino, p.Kernel)
	if err != nil {
		return fail(StageCreds, file, err)
	}
	x := &Exec{Path: file, Argv: args, Interp: loader, Cred: cred, Script: script}
	if script != "" {
		after := &Proc{Cred: cred, FS: p.FS, Cwd: p.Cwd, Kernel: p.Kernel}
		_, x.ScriptErr = after.Open(script, O_RDONLY)
	}
	return x, nil
}

// ParseShebang parses the #! line at the start of buf, the first
// BINPRM_BUF_SIZE bytes of a file zero-padded, as
// fs/binfmt_script.c:load_script() (v5.1 and later) does:
//
//  1. buf must start with "#!", else ENOEXEC.
//  2. The line ends at the first '\n'. Without one, there must be a
//     non-blank after "#!" and, after it, a blank or NUL somewhere in buf,
//     else ENOEXEC (the interpreter path may have been cut).
//  3. Blanks are space and tab only: leading ones are skipped, trailing
//     ones trimmed; nothing left is ENOEXEC. '\r' is an ordinary byte, so
//     "#!/bin/sh\r\n" names "/bin/sh\r".
//  4. The interpreter runs to the first blank or NUL; after the following
//     blanks, the rest of the line (inner blanks kept, up to a NUL) is one
//     optional argument.
func ParseShebang(buf []byte) (interp, arg string, hasArg bool, err error) {
	if len(buf) < 2 || buf[0] != '#' || buf[1] != '!' {
		return "", "", false, ENOEXEC
	}
	spacetab := func(c byte) bool { return c == ' ' || c == '\t' }
	bufEnd := len(buf) - 1
	iEnd := -1
	for i, c := range buf {
		if c == '\n' {
			iEnd = i
			break
		}
	}
	nextNonSpacetab := func(first, last int) int {
		for ; first < last; first++ {
			if !spacetab(buf[first]) {
				return first
			}
		}
		return -1
	}
	nextTerminator := func(first, last int) int {
		for ; first < last; first++ {
			if spacetab(buf[first]) || buf[first] == 0 {
				return first
			}
		}
		return -1
	}
	if iEnd < 0 {
		iEnd = nextNonSpacetab(2, bufEnd)
		if iEnd < 0 {
			return "", "", false, ENOEXEC
		}
		if nextTerminator(iEnd, bufEnd) < 0 {
			return "", "", false, ENOEXEC
		}
		iEnd = bufEnd
	}
	for iEnd > 0 && spacetab(buf[iEnd-1]) {
		iEnd--
	}
	iName := nextNonSpacetab(2, iEnd)
	if iName < 0 || iName == iEnd {
		return "", "", false, ENOEXEC
	}
	cstr := func(from, to int) string {
		for i := from; i < to; i++ {
			if buf[i] == 0 {
				return string(buf[from:i])
			}
		}
		return string(buf[from:to])
	}
	iSep := nextTerminator(iName, iEnd)
	if iSep >= 0 && buf[iSep] != 0 {
		if a := nextNonSpacetab(iSep, iEnd); a >= 0 {
			return cstr(iName, iSep), cstr(a, iEnd), true, nil
		}
	}
	if iSep >= 0 {
		return cstr(iName, iSep), "", false, nil
	}
	return cstr(iName, iEnd), "", false, nil
}

// ELF constants (include/uapi/linux/elf.h).
const (
	elfHeaderSize = 64
	elfPhdrSize   = 56
	ptInterp      = 3
	etExec        = 2
	etDyn         = 3
	elfMinAlign   = 4096 // ELF_MIN_ALIGN on x86_64 and arm64 with 4K pages
)

// checkELF applies fs/binfmt_elf.c:load_elf_binary()'s checks (v6.6) before
// the point of no return to the ELF64 file name whose first bytes are head,
// phdrBufs are checkELF's buffers for program headers: the FS's ReadAt
// makes a buffer escape, so it is reused rather than made per call.
var phdrBufs = sync.Pool{New: func() any { return new([]byte) }}

// and returns its PT_INTERP path ("" if none).
func checkELF(fsys FS, name string, head []byte, machine uint16) (string, error) {
	le := binary.LittleEndian
	if head[4] != 2 || head[5] != 1 {
		// Only ELFCLASS64 little-endian is modelled; a 32-bit or big-endian
		// file fails elf_check_arch on x86_64 and arm64.
		return "", ENOEXEC
	}
	etype := le.Uint16(head[16:])
	if etype != etExec && etype != etDyn {
		return "", ENOEXEC
	}
	if le.Uint16(head[18:]) != machine {
		return "", ENOEXEC
	}
	phoff := int64(le.Uint64(head[32:]))
	phentsize := le.Uint16(head[54:])
	phnum := int(le.Uint16(head[56:]))
	// load_elf_phdrs
	size := elfPhdrSize * phnum
	if phentsize != elfPhdrSize || size == 0 || size > elfMinAlign {
		return "", ENOEXEC
	}
	php := phdrBufs.Get().(*[]byte)
	defer phdrBufs.Put(php)
	if cap(*php) < size {
		*php = make([]byte, size)
	}
	ph := (*php)[:size]
	if n, err := fsys.ReadAt(name, ph, phoff); n != size {
		if unknowable(err) {
			// The filesystem does not hold these bytes: the model
			// cannot tell what the kernel would read.
			return "", err
		}
		// load_elf_phdrs returns NULL on any read failure (a negative
		// e_phoff's EINVAL included) and load_elf_binary answers its
		// retval, still -ENOEXEC (held by the kernel oracle's
		// phdrs_negative_offset).
		return "", ENOEXEC
	}
	for i := 0; i < phnum; i++ {
		e := ph[i*elfPhdrSize:]
		if le.Uint32(e) != ptInterp {
			continue
		}
		off, filesz := int64(le.Uint64(e[8:])), le.Uint64(e[32:])
		if filesz > PATH_MAX || filesz < 2 {
			return "", ENOEXEC
		}
		s := make([]byte, filesz)
		if n, err := fsys.ReadAt(name, s, off); uint64(n) != filesz {
			if err != nil && err != io.EOF {
				return "", err
			}
			return "", EIO
		}
		if s[filesz-1] != 0 {
			return "", ENOEXEC
		}
		for j, c := range s {
			if c == 0 {
				return string(s[:j]), nil
			}
		}
	}
	return "", nil
}

// checkLoader applies load_elf_binary's checks to a PT_INTERP loader (v6.6):
// a header shorter than an ELF header is EIO (elf_read); a file that is not
// ELF, not of this machine or whose program headers cannot be loaded is
// ELIBBAD.
func checkLoader(fsys FS, name string, machine uint16) error {
	var h [elfHeaderSize]byte
	n, err := fsys.ReadAt(name, h[:], 0)
	if n != len(h) {
		if err != nil && err != io.EOF {
			return err
		}
		return EIO
	}
	if string(h[:4]) != "\x7fELF" || h[4] != 2 || h[5] != 1 {
		return ELIBBAD
	}
	le := binary.LittleEndian
	if le.Uint16(h[18:]) != machine {
		return ELIBBAD
	}
	size := elfPhdrSize * int(le.Uint16(h[56:]))
	if le.Uint16(h[54:]) != elfPhdrSize || size == 0 || size > elfMinAlign {
		return ELIBBAD
	}
	ph := make([]byte, size)
	if n, err := fsys.ReadAt(name, ph, int64(le.Uint64(h[32:]))); n != size {
		if unknowable(err) {
			return err
		}
		return ELIBBAD
	}
	return nil
}

// execCreds returns the credentials after executing the ELF ino with c, as
// fs/exec.c:bprm_fill_uid() and security/commoncap.c:cap_bprm_creds_from_file()
// compute them on kernel k (caps.State.Exec up to 6.16,
// caps.State.ExecLinux617 from 6.17).
func execCreds(c *Cred, ino *Inode, k Kernel) (*Cred, error) {
	ns := c.UserNS
	local := func(k uint32, m func(uint32) (uint32, bool)) uint32 {
		if id, ok := m(k); ok {
			return id
		}
		return overflowID
	}
	x := caps.Exec{
		UID: local(c.UID, ns.UID), EUID: local(c.EUID, ns.UID),
		GID: local(c.GID, ns.GID), EGID: local(c.EGID, ns.GID),
		NoNewPrivs: c.NoNewPrivs,
	}
	newEUID, newEGID := c.EUID, c.EGID
	// bprm_fill_uid: set-id bits count on a suid mount, without
	// no_new_privs, for an owner and group mapped in the namespace.
	if ino.Mount&MNT_NOSUID == 0 && !c.NoNewPrivs && ns.MapsUID(ino.UID) && ns.MapsGID(ino.GID) {
		if ino.Mode&S_ISUID != 0 {
			newEUID = ino.UID
		}
		if ino.Mode&(S_ISGID|0o010) == S_ISGID|0o010 {
			newEGID = ino.GID
		}
	}
	x.NewEUID, x.NewEGID = local(newEUID, ns.UID), local(newEGID, ns.GID)
	x.NewEGIDInGroups = c.inGroup(newEGID)
	// get_file_caps: ignored on a nosuid mount, and a revision-3 attribute
	// counts only if its root id is root of this namespace or an ancestor.
	if fc := ino.Caps; fc != nil && ino.Mount&MNT_NOSUID == 0 {
		if fc.Revision != 3 || fc.RootID == 0 || ns.isRoot(fc.RootID) {
			x.File = fc
		}
	}
	exec := c.Caps().Exec
	if k.atLeast(6, 17) {
		// 337490f0007f: the id-change test compares with the old euid and
		// the task's groups.
		exec = c.Caps().ExecLinux617
	}
	st, euid, egid, err := exec(x)
	if err != nil {
		return nil, err
	}
	n := *c
	n.SetCaps(st)
	if k, ok := ns.KUID(euid); ok {
		n.EUID, n.SUID, n.FSUID = k, k, k
	}
	if k, ok := ns.KGID(egid); ok {
		n.EGID, n.SGID, n.FSGID = k, k, k
	}
	return &n, nil
}

// overflowID is the id stat and getuid report for an id without a mapping
// in the caller's namespace (/proc/sys/kernel/overflowuid, default 65534).
const overflowID = 65534
