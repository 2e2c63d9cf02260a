package access

// A Proc is a process as path resolution sees it: its credentials, its root
// filesystem, its working directory and the kernel it runs on. Operations on
// it (Chdir, Stat, Open, Access, Faccessat2, OpenExec, Execve) walk paths the
// way fs/namei.c does and return *fs.PathError values whose Err is a *Denial
// or a bare errno, so that errors.Is(err, fs.ErrPermission) and
// errors.Is(err, syscall.EACCES) hold.
type Proc struct {
	Cred *Cred
	FS   FS
	// Cwd is the working directory: a clean absolute path inside the root,
	// with no symlinks in it (as a successful Chdir leaves it). "" is "/".
	Cwd    string
	Kernel Kernel
}

// Kernel holds what the kernel adds to a lookup or an exec that is not in
// the process's credentials or files. The zero value is a current x86_64
// kernel with fs.protected_symlinks off and faccessat2 available.
type Kernel struct {
	// Version is the kernel's version code, as KernelVersion makes it; 0
	// is the newest the model knows. It selects the semantics that moved:
	// the exec id-change test of Linux 6.17.
	Version uint32
	// ProtectedSymlinks is the fs.protected_symlinks sysctl (Linux 3.6):
	// 1 under systemd's defaults, 0 in the kernel's.
	ProtectedSymlinks bool
	// Machine is the ELF e_machine of the kernel (EM_X86_64 = 62 if 0).
	// An ELF for another machine is ENOEXEC (binfmt_misc not modelled).
	Machine uint16
	// Faccessat2 is what the faccessat2 system call returns before the
	// kernel looks at the path: nil where it is available (Linux ≥ 5.8, no
	// seccomp filter for it), ENOSYS on an older kernel or under a filter
	// answering ENOSYS, EPERM under a filter answering EPERM.
	Faccessat2 error
}

// KernelVersion returns the version code of Linux major.minor, as
// KERNEL_VERSION(major, minor, 0) (include/generated/uapi/linux/version.h).
func KernelVersion(major, minor int) uint32 { return uint32(major)<<16 | uint32(minor)<<8 }

// atLeast reports whether k is Linux major.minor or later.
func (k Kernel) atLeast(major, minor int) bool {
	return k.Version == 0 || k.Version >= KernelVersion(major, minor)
}

// Exec is the outcome of a successful execve (Proc.Execve).
type Exec struct {
	// Path is the file the kernel finally loaded: the ELF at the end of
	// the #! chain (not its PT_INTERP loader).
	Path string
	// Argv is the argument vector the new program receives after the #!
	// rewriting.
	Argv []string
	// Interp is the ELF PT_INTERP loader Path names, "" for a static
	// binary.
	Interp string
	// Cred is the credentials after the exec
	// (cap_bprm_creds_from_file, bprm_fill_uid).
	Cred *Cred
	// Script is the script an interpreter opens after the exec, "" when
	// the file was not a #! script; ScriptErr is nil if the interpreter
	// (running with Cred, in the same working directory) can open it for
	// reading, else the error its open(2) gets. A non-nil ScriptErr means
	// the exec succeeded but the script's own code never runs.
	Script    string
	ScriptErr error
}
