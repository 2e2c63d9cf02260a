package access

import (
	"io/fs"
)

// Flags of open(2) the model understands, with their x86_64/arm64 values
// (include/uapi/asm-generic/fcntl.h).
const (
	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_ACCMODE   = 0x3
	O_DIRECTORY = 0o200000
	O_NOFOLLOW  = 0o400000
)

// fail wraps a walk's or a check's errno in the *fs.PathError an operation
// returns, with a *Denial when a permission check refused.
func (w *walker) fail(op, name string, err error) error {
	if w.denied {
		err = newDenial(w.deniedPath, w.deniedWhy, w.deniedIno, w.deniedMask, w.c, err)
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// Stat returns the inode name resolves to, following symlinks, as stat(2)
// (and so os.Stat in the process) sees it: every directory walked needs
// search permission, symlinks resolve inside the root. Nothing is required
// of the object itself.
func (p *Proc) Stat(name string) (Inode, error) {
	return p.stat("stat", name, lookupFollow)
}

// Lstat is Stat without following a final symlink (lstat(2)); a trailing
// slash still follows it.
func (p *Proc) Lstat(name string) (Inode, error) {
	return p.stat("lstat", name, 0)
}

func (p *Proc) stat(op, name string, flags lookupFlags) (ino Inode, err error) {
	w := getWalker(p, p.Cred)
	if err = w.walk(name, flags); err != nil {
		err = w.fail(op, name, err)
	} else {
		ino = *w.resultPtr()
	}
	putWalker(w)
	return ino, err
}

// Chdir changes the working directory as fs/open.c:SYSCALL_DEFINE1(chdir)
// (v6.6) does, and on success sets p.Cwd to the resolved directory:
//
//  1. The walk follows symlinks and requires a directory (LOOKUP_FOLLOW |
//     LOOKUP_DIRECTORY): ENOTDIR otherwise, ENOENT, ELOOP, EACCES for a
//     directory on the way that cannot be searched.
//  2. The directory itself needs search permission (MAY_EXEC|MAY_CHDIR):
//     EACCES. CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE suffice; CAP_FOWNER
//     does not. noexec and read-only mounts do not matter.
func (p *Proc) Chdir(name string) error {
	w := getWalker(p, p.Cred)
	defer putWalker(w)
	if err := w.walk(name, lookupFollow|lookupDirectory); err != nil {
		return w.fail("chdir", name, err)
	}
	ino := w.result()
	if !ino.IsDir() {
		return w.fail("chdir", name, ENOTDIR)
	}
	if err := Permission(p.Cred, &ino, MAY_EXEC); err != nil {
		w.deny(ino, len(w.buf), MAY_EXEC, ReasonPermission)
		return w.fail("chdir", name, err)
	}
	if string(w.buf) == name {
		// Already the resolved path: keep the caller's string, no copy.
		p.Cwd = name
	} else {
		p.Cwd = w.path()
	}
	return nil
}

// Open decides open(2) of name with flags (O_RDONLY, O_WRONLY or O_RDWR,
// optionally O_NOFOLLOW, O_DIRECTORY; no O_CREAT) as fs/namei.c:do_open()
// and may_open() (v6.6) do, and returns the inode opened:
//
//  1. The walk follows a final symlink unless O_NOFOLLOW; O_DIRECTORY or a
//     trailing slash require a directory (ENOTDIR).
//  2. may_open: a symlink (O_NOFOLLOW) is ELOOP; a directory opened for
//     writing is EISDIR; a device on a nodev mount is EACCES.
//  3. Permission for the access mode: EROFS on a read-only superblock,
//     else EACCES.
//  4. Writing a regular file or directory on a read-only mount: EROFS.
//
// FIFOs are decided as if opened O_NONBLOCK for reading (no ENXIO).
func (p *Proc) Open(name string, flags int) (Inode, error) {
	w := getWalker(p, p.Cred)
	defer putWalker(w)
	lf := lookupFollow
	if flags&O_NOFOLLOW != 0 {
		lf = 0
	}
	if flags&O_DIRECTORY != 0 {
		lf |= lookupDirectory
	}
	if err := w.walk(name, lf); err != nil {
		return Inode{}, w.fail("open", name, err)
	}
	ino := w.result()
	var mask Mask
	switch flags & O_ACCMODE {
	case O_RDONLY:
		mask = MAY_READ
	case O_WRONLY:
		mask = MAY_WRITE
	default:
		mask = MAY_READ | MAY_WRITE
	}
	switch ino.Mode & S_IFMT {
	case S_IFLNK:
		return Inode{}, w.fail("open", name, ELOOP)
	case S_IFDIR:
		if mask&MAY_WRITE != 0 {
			return Inode{}, w.fail("open", name, EISDIR)
		}
	case S_IFCHR, S_IFBLK:
		if ino.Mount&MNT_NODEV != 0 {
			return Inode{}, w.fail("open", name, EACCES)
		}
	}
	if err := Permission(p.Cred, &ino, mask); err != nil {
		why := ReasonPermission
		if err == EROFS {
			why = ReasonReadOnly
		}
		w.deny(ino, len(w.buf), mask, why)
		return Inode{}, w.fail("open", name, err)
	}
	if mask&MAY_WRITE != 0 && !isSpecial(&ino) && ino.Mount&(MNT_READONLY|SB_RDONLY) != 0 {
		w.deny(ino, len(w.buf), mask, ReasonReadOnly)
		return Inode{}, w.fail("open", name, EROFS)
	}
	return ino, nil
}

// Access decides access(2) of name with mode (F_OK or R_OK|W_OK|X_OK), as
// fs/open.c:do_faccessat() (v6.6) does without AT_EACCESS: the walk and the
// check both run with AccessOverrideCreds(p.Cred) (real ids; effective
// capabilities cleared for a non-root real uid, = permitted for root), then
// Eaccess's rules apply. A mode outside 0..7 is EINVAL.
func (p *Proc) Access(name string, mode uint32) error {
	return p.faccessat("access", name, mode, 0)
}

// Faccessat2 decides the faccessat2(2) system call (Linux 5.8, c8ffd8bcdd28)
// of name with mode and flags (AT_EACCESS, AT_SYMLINK_NOFOLLOW,
// AT_EMPTY_PATH) relative to the working directory. If p.Kernel.Faccessat2
// is set, the call fails with it before the kernel looks at anything (an old
// kernel, a seccomp filter). Unknown flags or a mode outside 0..7 are
// EINVAL. Without AT_EACCESS it is Access; with it, the walk and the check
// use the effective credentials (Eaccess).
func (p *Proc) Faccessat2(name string, mode uint32, flags int) error {
	if p.Kernel.Faccessat2 != nil {
		return &fs.PathError{Op: "faccessat2", Path: name, Err: p.Kernel.Faccessat2}
	}
	return p.faccessat("faccessat2", name, mode, flags)
}

func (p *Proc) faccessat(op, name string, mode uint32, flags int) error {
	if mode&^7 != 0 || flags&^(AT_EACCESS|AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return &fs.PathError{Op: op, Path: name, Err: EINVAL}
	}
	c := p.Cred
	if flags&AT_EACCESS == 0 {
		o := AccessOverrideCreds(c)
		c = &o
	}
	w := getWalker(p, c)
	defer putWalker(w)
	lf := lookupFollow
	if flags&AT_SYMLINK_NOFOLLOW != 0 {
		lf = 0
	}
	var err error
	if name == "" && flags&AT_EMPTY_PATH != 0 {
		err = w.startAt(false)
	} else {
		err = w.walk(name, lf)
	}
	if err != nil {
		return w.fail(op, name, err)
	}
	ino := w.result()
	if err := Eaccess(c, &ino, mode); err != nil {
		why := ReasonPermission
		switch {
		case err == EROFS:
			why = ReasonReadOnly
		case mode&X_OK != 0 && ino.IsRegular() && ino.Mount&MNT_NOEXEC != 0:
			why = ReasonNoexec
		}
		w.deny(ino, len(w.buf), Mask(mode&7), why)
		return w.fail(op, name, err)
	}
	return nil
}

// OpenExec opens name for execution as fs/exec.c:do_open_execat() (v6.6)
// does for execve(2), an interpreter or an ELF loader, and returns the inode
// and its resolved path:
//
//  1. The walk follows symlinks; a trailing slash on a non-directory is
//     ENOTDIR.
//  2. may_open with MAY_EXEC: a directory, device, FIFO or socket is
//     EACCES; a regular file on a noexec mount is EACCES.
//  3. Permission(MAY_EXEC): EACCES; no x bit at all is EACCES even for root.
//
// Read permission is not needed. Not modelled: ETXTBSY (a writer holds the
// file open), LSM exec hooks.
func (p *Proc) OpenExec(name string) (Inode, string, error) {
	w := getWalker(p, p.Cred)
	ino, err := w.openExec(name)
	if err != nil {
		err = w.fail("execve", name, err)
		putWalker(w)
		return Inode{}, "", err
	}
	path := w.path()
	putWalker(w)
	return ino, path, nil
}

func (w *walker) openExec(name string) (Inode, error) {
	if err := w.walk(name, lookupFollow); err != nil {
		return Inode{}, err
	}
	return w.mayOpenExec()
}

// openExecKernel is open_exec() of a name the kernel itself read from a
// file: a #! interpreter or an ELF PT_INTERP. getname_kernel() accepts an
// empty name, which then opens the working directory itself (path_init
// starts there and link_path_walk has no component to look up, so no
// search permission is needed); may_open refuses the directory with
// EACCES.
func (w *walker) openExecKernel(name string) (Inode, error) {
	if name != "" {
		return w.openExec(name)
	}
	if err := w.startAt(false); err != nil {
		return Inode{}, err
	}
	w.hasFinal = false
	return w.mayOpenExec()
}

// mayOpenExec is may_open with MAY_EXEC and do_open_execat's checks on the
// object a walk reached.
func (w *walker) mayOpenExec() (Inode, error) {
	ino := w.result()
	if !ino.IsRegular() {
		w.deny(ino, len(w.buf), MAY_EXEC, ReasonNotRegular)
		return Inode{}, EACCES
	}
	if ino.Mount&MNT_NOEXEC != 0 {
		w.deny(ino, len(w.buf), MAY_EXEC, ReasonNoexec)
		return Inode{}, EACCES
	}
	if err := Permission(w.c, &ino, MAY_EXEC); err != nil {
		w.deny(ino, len(w.buf), MAY_EXEC, ReasonPermission)
		return Inode{}, err
	}
	return ino, nil
}

// Resolve resolves name following symlinks, as stat(2) does, and returns
// the inode and its resolved path inside the root (no symlinks in it):
// the path an FS answers for.
func (p *Proc) Resolve(name string) (Inode, string, error) {
	w := getWalker(p, p.Cred)
	defer putWalker(w)
	if err := w.walk(name, lookupFollow); err != nil {
		return Inode{}, "", w.fail("stat", name, err)
	}
	return w.result(), w.path(), nil
}
