// Package kernel is the kernel oracle: its tests hold the access and caps
// models to the real Linux kernel.
//
// The test binary re-executes itself as a child in a private mount namespace
// (SysProcAttr.Unshareflags CLONE_NEWNS). The child reads a JSON request —
// a rootfs.Fixture, a credential, an optional seccomp filter for faccessat2
// and a batch of queries — materialises the fixture on a tmpfs
// (internal/fixture), chroots into it, sets the credential on one locked OS
// thread with raw per-thread system calls (PR_CAPBSET_DROP, PR_SET_KEEPCAPS,
// setgroups, setresgid, setresuid, capset, PR_CAP_AMBIENT_RAISE) and answers
// every query with the real system call: access(2), faccessat2(2),
// Go's syscall.Faccessat, stat(2), lstat(2), open(2), chdir(2), chmod(2),
// execveat(2) with AT_EXECVE_CHECK, execve(2) of a probe ELF in a forked
// child, capability transitions read back from /proc/thread-self/status, and
// execve(2) of a copy of the test binary that reports its own credentials.
// The parent computes the same answers with the model (access.Proc on the
// fixture's Mem, the inode-level checkers, caps.State) and reports every
// disagreement as a table row ready to paste.
//
// The tests need Linux and root; they skip otherwise, unless the
// environment has PREEXEC_ORACLE=required, when they fail. The package has
// no non-test code. Run them with
//
//	sudo go test ./internal/kernel -run Oracle -v
//
// Each checker logs one line, "kernel-oracle CHECKER: N cases, M
// disagreements"; a disagreement fails the test and is printed as a row of
// the curated table (table_linux_test.go) with the kernel's answer as want.
// The environment tunes a run:
//
//	PREEXEC_ORACLE=required     fail instead of skipping without root
//	PREEXEC_ORACLE_SEED=N       replay one seed (default: 1 and the clock)
//	PREEXEC_ORACLE_SCALE=F      multiply the number of random batches
//	PREEXEC_ORACLE_DEBUG=1      log a histogram of the kernel's answers
//
// TestOracleProtectedSymlinks, TestKernelProtectedSymlinkAfterLongChain
// and TestOracleTable set fs.protected_symlinks to 1 while they run when
// the host has it off, and restore it.
package kernel
