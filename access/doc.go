// Package access models the Linux kernel's decisions on the way from a
// process to a file: whether a process with given credentials may walk a
// path, open a file, change into a directory or execute a program, and if
// not, which errno it gets and why.
//
// A Proc is a process as the kernel sees it for these questions: its
// credentials (Cred: the real, effective, saved and filesystem ids, the
// supplementary groups, the capability sets and the user namespace), its
// root filesystem (FS, answered by package rootfs's backends or by a
// caller's own), its working directory and the kernel it runs on (Kernel:
// the version, fs.protected_symlinks). Its methods are system calls:
// Chdir, Stat, Lstat, Open, Access, Faccessat2, Mkdir, OpenExec and Execve
// resolve paths as torvalds/linux fs/namei.c:path_lookupat and
// link_path_walk do (symlinks, "..", the 40-link limit, may_follow_link)
// and decide each permission as fs/namei.c:inode_permission and
// generic_permission do (owner, group and other classes, POSIX ACLs,
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, read-only and nosuid mounts).
// Execve goes on as fs/exec.c and fs/binfmt_*.c do: the #! line, the ELF
// header and its interpreter, file capabilities and set-id bits.
//
// Errors are what the kernel returns: a *fs.PathError whose Err is a bare
// errno or a *Denial that says which inode, class and capability decided,
// so that errors.Is(err, fs.ErrPermission) and errors.Is(err,
// syscall.EACCES) hold. Two errors are not the kernel's: ErrNoContent (the
// FS knows an inode but not its bytes) and ErrUnreadable (the reader could
// not read the root filesystem); an operation returns them rather than
// decide.
//
// The functions of the Go standard library and golang.org/x/sys/unix that
// runtimes call before exec (os/exec.LookPath, syscall.Faccessat, unix.Eaccess
// and the Faccessat of x/sys) are modelled per Go release over a Proc, each
// doc naming the release it was read at.
//
// The package makes no system calls and builds for every GOOS; it is held
// to the real kernel by the project's kernel oracle (internal/kernel), which
// runs the same operations in forked children under the same credentials.
package access
