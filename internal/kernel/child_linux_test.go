//go:build linux

package kernel

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/internal/fixture"
	"github.com/preexec/preexec/rootfs"
)

// The child side of the oracle: one request, read from stdin, answered on
// stdout. It runs in the private mount namespace its parent gave it
// (SysProcAttr.Unshareflags CLONE_NEWNS, which also makes / rprivate).

// atExecveCheck is AT_EXECVE_CHECK (include/uapi/linux/fcntl.h, Linux 6.14,
// a5874fde3c08): execveat checks that the file may be executed and returns
// without executing it. Older kernels refuse the flag with EINVAL.
const atExecveCheck = 0x10000

// atFdcwd is AT_FDCWD (-100) as a system call argument.
var atFdcwd = func() uintptr { fd := unix.AT_FDCWD; return uintptr(fd) }()

// childMain runs one request and returns the process's exit code.
func childMain() int {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "child: decode request:", err)
		return 2
	}
	resp := runRequest(&req)
	if err := json.NewEncoder(os.Stdout).Encode(resp); err != nil {
		fmt.Fprintln(os.Stderr, "child: encode response:", err)
		return 2
	}
	return 0
}

// childEnv is what a request's queries share.
type childEnv struct {
	req  *request
	null int // /dev/null, opened before the chroot
}

// hostPath returns the path to hand the kernel for the fixture path p.
func (env *childEnv) hostPath(p string) string {
	if env.req.Chroot || !strings.HasPrefix(p, "/") {
		return p
	}
	return env.req.Dir + p
}

func runRequest(req *request) (resp response) {
	env := &childEnv{req: req}
	fail := func(format string, args ...any) response {
		return response{Setup: fmt.Sprintf(format, args...)}
	}
	stage2 := os.Getenv(envChild) == "userns"
	if !stage2 {
		f, err := rootfs.ParseFixture("request", req.Fixture)
		if err != nil {
			return fail("fixture: %v", err)
		}
		if req.ReportBinary {
			exe, err := os.ReadFile("/proc/self/exe")
			if err != nil {
				return fail("read own executable: %v", err)
			}
			for i := range f.Entries {
				if f.Entries[i].ContentSpec == "elf" {
					f.Entries[i].Content = exe
				}
			}
		}
		if err := unix.Mount("tmpfs", req.Dir, "tmpfs", 0, "mode=0755,uid=0,gid=0"); err != nil {
			return fail("mount tmpfs on %s: %v", req.Dir, err)
		}
		if err := fixture.Materialize(f, req.Dir); err != nil {
			return fail("materialize: %v", err)
		}
		if req.UserNS != nil {
			return runInUserNS(req)
		}
	}
	var err error
	env.null, err = unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail("open /dev/null: %v", err)
	}
	if req.Chroot {
		if err := unix.Chroot(req.Dir); err != nil {
			return fail("chroot: %v", err)
		}
		if err := unix.Chdir("/"); err != nil {
			return fail("chdir /: %v", err)
		}
	} else if err := unix.Chdir(req.Dir); err != nil {
		return fail("chdir %s: %v", req.Dir, err)
	}

	// Every query runs on one locked thread that carries the credential:
	// capset, prctl and seccomp act on the calling thread only, and raw
	// setres[ug]id/setgroups do too (Go's syscall.Setresuid would
	// broadcast to every thread).
	done := make(chan response)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread, whose credentials no longer match
		// the process's, is destroyed when this goroutine returns.
		done <- env.queryThread()
	}()
	return <-done
}

// queryThread sets the request's credential on the calling (locked) thread
// and answers every query on it.
func (env *childEnv) queryThread() response {
	req := env.req
	needCred := false
	for _, q := range req.Queries {
		if q.Op != opCapSeq {
			needCred = true
		}
	}
	if needCred {
		if req.Seccomp != seccompNone {
			if err := installFaccessat2Filter(req.Seccomp); err != nil {
				return response{Setup: "seccomp: " + err.Error()}
			}
		}
		if err := setCred(req.Cred.inNS(req.UserNS)); err != nil {
			return response{Setup: "set credentials: " + err.Error()}
		}
	}
	resp := response{Results: make([]result, len(req.Queries))}
	for i, q := range req.Queries {
		resp.Results[i] = env.runStable(q)
	}
	return resp
}

// eloopRetries is how often runStable repeats a query that failed with
// ELOOP.
const eloopRetries = 8

// runStable runs q, and again while it fails with ELOOP, up to
// eloopRetries times, keeping the first other answer.
//
// A lookup counts followed symlinks in nameidata.total_link_count, which
// fs/namei.c sets only in __set_nameidata, once per system call. When the
// lockless RCU walk cannot finish (try_to_unlazy or complete_walk fails
// because mount_lock's seqcount moved — any mount or umount anywhere, such
// as another oracle child's — or the dentry changed) filename_lookup and
// path_openat restart in ref-walk mode without resetting it, so every
// symlink of the first attempt is counted twice and a chain of more than
// 20 links can fail with a spurious ELOOP. A restart can only raise the
// count, so the only answer it can change is into ELOOP: an answer other
// than ELOOP is the deterministic one.
//
// With the request's ELOOPPatience it goes on for eloopPatientRetries
// more, pausing a little longer each time, so that a burst of mounts
// elsewhere can pass; a deterministic ELOOP stays ELOOP however often it
// is asked.
func (env *childEnv) runStable(q query) result {
	r := env.run(q)
	n := eloopRetries
	if env.req.ELOOPPatience {
		n += eloopPatientRetries
	}
	for i := 0; i < n && r.Err == "ELOOP"; i++ {
		if i >= eloopRetries {
			time.Sleep(time.Duration(i-eloopRetries+1) * 100 * time.Microsecond)
		}
		r = env.run(q)
		if r.Err != "ELOOP" {
			r.Retried = i + 1
		}
	}
	return r
}

// eloopPatientRetries is how many more times runStable repeats an ELOOP
// answer with ELOOPPatience (pauses of 0.1 ms growing to 6.4 ms, about
// 0.2 s in all).
const eloopPatientRetries = 64

// errName returns the errno name of err, "OK" for nil.
func errName(err error) string {
	if err == nil {
		return "OK"
	}
	if n := access.ErrnoName(err); n != "" {
		return n
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if n := unix.ErrnoName(errno); n != "" {
			return n
		}
		return fmt.Sprintf("errno%d", int(errno))
	}
	return "error: " + err.Error()
}

func errnoOf(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// run answers one query on the query thread.
func (env *childEnv) run(q query) result {
	p := env.hostPath(q.Path)
	switch q.Op {
	case opAccess:
		return result{Err: errName(rawFaccessat(p, q.Mode))}
	case opFaccessat2:
		return result{Err: errName(rawFaccessat2(p, q.Mode, q.Flags))}
	case opGoFaccessat:
		return result{Err: errName(syscall.Faccessat(unix.AT_FDCWD, p, q.Mode, q.Flags))}
	case opStat, opLstat:
		var st unix.Stat_t
		var err error
		if q.Op == opStat {
			err = unix.Stat(p, &st)
		} else {
			err = unix.Lstat(p, &st)
		}
		if err != nil {
			return result{Err: errName(err)}
		}
		return result{Err: "OK", Mode: st.Mode, UID: st.Uid, GID: st.Gid}
	case opOpen:
		fd, err := unix.Open(p, int(q.Mode)|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != nil {
			return result{Err: errName(err)}
		}
		var st unix.Stat_t
		err = unix.Fstat(fd, &st)
		unix.Close(fd)
		if err != nil {
			return result{Err: "fstat: " + errName(err)}
		}
		return result{Err: "OK", Mode: st.Mode, UID: st.Uid, GID: st.Gid}
	case opMkdir:
		err := unix.Mkdir(p, 0o755)
		if err == nil {
			// Remove it as root, so that the tree stays as the fixture
			// says for the next queries.
			var back error
			asRoot(func() error { back = unix.Rmdir(p); return back })
			if back != nil {
				return result{Err: "rmdir: " + errName(back)}
			}
		}
		return result{Err: errName(err)}
	case opChdir:
		err := unix.Chdir(p)
		if err == nil {
			// Back to the root as root: the credential may not be
			// allowed to search it. fs_struct is shared by the threads.
			var back error
			asRoot(func() error {
				if env.req.Chroot {
					back = unix.Chdir("/")
				} else {
					back = unix.Chdir(env.req.Dir)
				}
				return back
			})
			if back != nil {
				return result{Err: "chdir back: " + back.Error()}
			}
		}
		return result{Err: errName(err)}
	case opChmod:
		// chmod to the file's own mode, then restore it as root: a
		// chmod by a non-member drops S_ISGID.
		var st unix.Stat_t
		if err := asRoot(func() error { return unix.Stat(p, &st) }); err != nil {
			return result{Err: "stat as root: " + errName(err)}
		}
		err := unix.Chmod(p, st.Mode&0o7777)
		if err == nil {
			if rerr := asRoot(func() error { return unix.Chmod(p, st.Mode&0o7777) }); rerr != nil {
				return result{Err: "restore mode: " + rerr.Error()}
			}
		}
		return result{Err: errName(err)}
	case opExecCheck:
		return result{Err: errName(execveat(p, atExecveCheck))}
	case opExecve:
		return env.execve(p)
	case opExecCaps:
		return env.execCaps(p)
	case opCapSeq:
		return env.capSeq(q)
	}
	return result{Err: "unknown op " + q.Op}
}

// runInUserNS runs the request in a second stage: the test binary again,
// cloned into a new user namespace with the request's mappings
// (SysProcAttr.Cloneflags CLONE_NEWUSER, uid_map/gid_map written by the
// parent, setgroups allowed) but in this stage's mount namespace, so that it
// sees the fixture this stage materialised as the initial namespace's
// root — with ids the new namespace may not map. The second stage has
// every capability in its namespace; it chroots (CAP_SYS_CHROOT in its own
// user namespace suffices) and sets the credential with namespace ids.
func runInUserNS(req *request) response {
	in, err := json.Marshal(req)
	if err != nil {
		return response{Setup: err.Error()}
	}
	// The test binary's own directory may not be searchable by the
	// namespace's root (a kernel uid like any other): run a copy from a
	// tmpfs beside the fixture, which this stage's mount namespace drops.
	exe, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		return response{Setup: err.Error()}
	}
	dir := req.Dir + ".stage2"
	if err := os.Mkdir(dir, 0o755); err != nil {
		return response{Setup: err.Error()}
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "mode=0755,uid=0,gid=0"); err != nil {
		return response{Setup: fmt.Sprintf("mount tmpfs on %s: %v", dir, err)}
	}
	bin := dir + "/kernel.test"
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		return response{Setup: err.Error()}
	}
	idmaps := func(m []access.IDMap) []syscall.SysProcIDMap {
		var out []syscall.SysProcIDMap
		for _, e := range m {
			out = append(out, syscall.SysProcIDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)})
		}
		return out
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{envChild + "=userns", envGorace}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER,
		UidMappings:                idmaps(req.UserNS.UIDMap),
		GidMappings:                idmaps(req.UserNS.GIDMap),
		GidMappingsEnableSetgroups: true,
		// Become the namespace's root before the exec, so that
		// cap_bprm_creds_from_file gives the new program every
		// capability of the namespace (an unmapped euid would get none).
		Credential: &syscall.Credential{Uid: 0, Gid: 0},
	}
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return response{Setup: fmt.Sprintf("user namespace stage: %v: %s", err, errb.String())}
	}
	var resp response
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		return response{Setup: fmt.Sprintf("user namespace stage: %v", err)}
	}
	return resp
}

// asRoot runs f on another thread, one that still has the child's original
// root credentials, and returns its error. The calling thread is locked, so
// the new goroutine cannot run on it; every other thread of the child was
// created by Go (from its template thread) with root's credentials.
func asRoot(f func() error) error {
	ch := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var r, e, s uint32
		unix.RawSyscall(unix.SYS_GETRESUID, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s)))
		if e != 0 {
			ch <- fmt.Errorf("helper thread has euid %d", e)
			return
		}
		ch <- f()
	}()
	return <-ch
}

func rawFaccessat(p string, mode uint32) error {
	b, err := unix.BytePtrFromString(p)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall(unix.SYS_FACCESSAT, atFdcwd, uintptr(unsafe.Pointer(b)), uintptr(mode))
	return errnoOf(e)
}

func rawFaccessat2(p string, mode uint32, flags int) error {
	b, err := unix.BytePtrFromString(p)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall6(unix.SYS_FACCESSAT2, atFdcwd, uintptr(unsafe.Pointer(b)), uintptr(mode), uintptr(flags), 0, 0)
	return errnoOf(e)
}

// execveat calls execveat(AT_FDCWD, p, [p], [], flags). Only ever called
// with AT_EXECVE_CHECK, which never replaces the process; a kernel without
// it fails with EINVAL.
func execveat(p string, flags int) error {
	if flags&atExecveCheck == 0 {
		panic("execveat without AT_EXECVE_CHECK")
	}
	b, err := unix.BytePtrFromString(p)
	if err != nil {
		return err
	}
	argv := []*byte{b, nil}
	envv := []*byte{nil}
	_, _, e := unix.Syscall6(unix.SYS_EXECVEAT, atFdcwd, uintptr(unsafe.Pointer(b)),
		uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])), uintptr(flags), 0)
	runtime.KeepAlive(argv)
	return errnoOf(e)
}

// execve forks from the query thread and executes p with argv [p]: the
// child of syscall.ForkExec is cloned from the calling thread (CLONE_VFORK
// without CLONE_THREAD), so it has this thread's credentials and seccomp
// filter. It reports execve's errno, or how the program ended: the probe
// ELF exits 100 when it ran, 100+errno when as a #! interpreter it could not
// open its script.
func (env *childEnv) execve(p string) result {
	pid, err := syscall.ForkExec(p, []string{p}, &syscall.ProcAttr{
		Env:   []string{},
		Files: []uintptr{uintptr(env.null), uintptr(env.null), uintptr(env.null)},
	})
	if err != nil {
		return result{Err: errName(err)}
	}
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return result{Err: "wait4: " + err.Error()}
	}
	return result{Err: "OK", Exit: exitOutcome(ws)}
}

// exitOutcome names how a probe ended.
func exitOutcome(ws syscall.WaitStatus) string {
	switch {
	case ws.Signaled():
		return fmt.Sprintf("signal:%d", ws.Signal())
	case ws.Exited() && ws.ExitStatus() == rootfs.ProbeExitRan:
		return "ran"
	case ws.Exited() && ws.ExitStatus() > rootfs.ProbeExitRan:
		return "ran/script:" + errName(syscall.Errno(ws.ExitStatus()-rootfs.ProbeExitRan))
	}
	return fmt.Sprintf("exit:%d", ws.ExitStatus())
}

// execCaps executes p (a copy of the test binary) from the query thread
// with envReport set and parses the credentials it prints.
func (env *childEnv) execCaps(p string) result {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return result{Err: "pipe: " + err.Error()}
	}
	pid, err := syscall.ForkExec(p, []string{p}, &syscall.ProcAttr{
		Env:   []string{envReport + "=1", envGorace},
		Files: []uintptr{uintptr(env.null), uintptr(fds[1]), uintptr(env.null)},
	})
	unix.Close(fds[1])
	if err != nil {
		unix.Close(fds[0])
		return result{Err: errName(err)}
	}
	r := os.NewFile(uintptr(fds[0]), "report")
	out, rerr := readAll(r)
	r.Close()
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || rerr != nil {
		return result{Err: fmt.Sprintf("wait4/read: %v %v", err, rerr)}
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return result{Err: "OK", Exit: fmt.Sprintf("exit:%d signal:%d", ws.ExitStatus(), ws.Signal())}
	}
	st, err := parseStatus(out)
	if err != nil {
		return result{Err: "report: " + err.Error()}
	}
	return result{Err: "OK", State: &st}
}

func readAll(f *os.File) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(f)
	return b.Bytes(), err
}

// reportMain is the program of exec_caps queries: it prints the lines of
// /proc/self/status that hold its credentials.
func reportMain() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	os.Stdout.Write(b)
	return 0
}

// parseStatus reads the credential lines of a /proc/<pid>/status
// (fs/proc/array.c:task_state, task_cap, task_seccomp).
func parseStatus(b []byte) (credState, error) {
	var s credState
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		ids := func(dst ...*uint32) error {
			if len(f) != len(dst) {
				return fmt.Errorf("%s: %q", k, v)
			}
			for i, d := range dst {
				n, err := strconv.ParseUint(f[i], 10, 32)
				if err != nil {
					return err
				}
				*d = uint32(n)
			}
			return nil
		}
		set := func(dst *caps.Set) error {
			if len(f) != 1 {
				return fmt.Errorf("%s: %q", k, v)
			}
			n, err := strconv.ParseUint(f[0], 16, 64)
			*dst = caps.Set(n)
			return err
		}
		var err error
		switch k {
		case "Uid":
			err = ids(&s.UID, &s.EUID, &s.SUID, &s.FSUID)
		case "Gid":
			err = ids(&s.GID, &s.EGID, &s.SGID, &s.FSGID)
		case "Groups":
			s.Groups = []uint32{}
			for _, g := range f {
				n, err := strconv.ParseUint(g, 10, 32)
				if err != nil {
					return s, err
				}
				s.Groups = append(s.Groups, uint32(n))
			}
		case "CapInh":
			err = set(&s.I)
		case "CapPrm":
			err = set(&s.P)
		case "CapEff":
			err = set(&s.E)
		case "CapBnd":
			err = set(&s.B)
		case "CapAmb":
			err = set(&s.A)
		case "NoNewPrivs":
			s.NNP = len(f) == 1 && f[0] == "1"
		default:
			continue
		}
		if err != nil {
			return s, err
		}
		seen++
	}
	if seen < 9 {
		return s, fmt.Errorf("status: only %d credential lines", seen)
	}
	return s, nil
}

// readThreadStatus returns the calling thread's credentials from
// /proc/thread-self/status, with KEEP_CAPS from prctl(PR_GET_KEEPCAPS).
func readThreadStatus() (credState, error) {
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		return credState{}, err
	}
	st, err := parseStatus(b)
	if err != nil {
		return st, err
	}
	k, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_GET_KEEPCAPS, 0, 0)
	if e != 0 {
		return st, e
	}
	st.KeepCaps = k == 1
	return st, nil
}

// capSeq runs a capseq query on a fresh locked thread: it sets the
// request's credential, then each step, reading the thread's state back
// after each.
func (env *childEnv) capSeq(q query) result {
	ch := make(chan result)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread dies with the goroutine.
		if err := setCred(env.req.Cred.inNS(env.req.UserNS)); err != nil {
			ch <- result{Err: "set credentials: " + err.Error()}
			return
		}
		var res result
		for _, s := range q.Steps {
			err := capStepSyscall(s)
			st, serr := readThreadStatus()
			if serr != nil {
				res.Err = "status: " + serr.Error()
				ch <- res
				return
			}
			res.Steps = append(res.Steps, stepResult{Err: errName(err), State: st})
		}
		res.Err = "OK"
		ch <- res
	}()
	return <-ch
}

// capStepSyscall makes the system call of one capseq step on the calling
// thread.
func capStepSyscall(s capStep) error {
	switch s.Op {
	case "setresuid":
		_, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(s.R), uintptr(s.E), uintptr(s.S))
		return errnoOf(e)
	case "setresgid":
		_, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(s.R), uintptr(s.E), uintptr(s.S))
		return errnoOf(e)
	case "setuid":
		_, _, e := unix.RawSyscall(unix.SYS_SETUID, uintptr(s.R), 0, 0)
		return errnoOf(e)
	case "setgid":
		_, _, e := unix.RawSyscall(unix.SYS_SETGID, uintptr(s.R), 0, 0)
		return errnoOf(e)
	case "capset":
		return capset(s.Eff, s.Perm, s.Inh)
	case "ambient_raise":
		_, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(s.Cap), 0, 0, 0)
		return errnoOf(e)
	case "bset_drop":
		_, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(s.Cap), 0)
		return errnoOf(e)
	case "keepcaps":
		on := uintptr(0)
		if s.On {
			on = 1
		}
		_, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, on, 0)
		return errnoOf(e)
	}
	return fmt.Errorf("unknown step %q", s.Op)
}

// capUserHeader and capUserData are struct __user_cap_header_struct and
// __user_cap_data_struct (include/uapi/linux/capability.h), version 3.
type capUserHeader struct {
	version uint32
	pid     int32
}

type capUserData struct {
	effective, permitted, inheritable uint32
}

const linuxCapabilityVersion3 = 0x20080522

// capset sets the calling thread's E, P and I
// (kernel/capability.c:SYSCALL_DEFINE2(capset), pid 0 = this thread).
func capset(e, p, i caps.Set) error {
	hdr := capUserHeader{version: linuxCapabilityVersion3}
	data := [2]capUserData{
		{uint32(e), uint32(p), uint32(i)},
		{uint32(e >> 32), uint32(p >> 32), uint32(i >> 32)},
	}
	_, _, errno := unix.RawSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	return errnoOf(errno)
}

// capget returns the calling thread's E, P and I.
func capget() (e, p, i caps.Set, err error) {
	hdr := capUserHeader{version: linuxCapabilityVersion3}
	var data [2]capUserData
	_, _, errno := unix.RawSyscall(unix.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	if errno != 0 {
		return 0, 0, 0, errno
	}
	join := func(lo, hi uint32) caps.Set { return caps.Set(lo) | caps.Set(hi)<<32 }
	return join(data[0].effective, data[1].effective), join(data[0].permitted, data[1].permitted),
		join(data[0].inheritable, data[1].inheritable), nil
}

// setCred gives the calling thread the credential c, starting from root
// with every capability, with raw per-thread system calls in this order
// (the constraints are security/commoncap.c's and kernel/sys.c's):
//
//  1. capset(E, P, I=c.I) while still root: I must be within the old P and
//     the bounding set (cap_capset), so it is set before the bounding set
//     shrinks.
//  2. PR_CAPBSET_DROP for every capability not in c.B (needs CAP_SETPCAP).
//  3. PR_SET_KEEPCAPS(1), so that P survives leaving uid 0.
//  4. setgroups — always, even to an empty list, else root's groups leak
//     into in_group_p.
//  5. setresgid, then setresuid (which clears E and A when leaving 0).
//  6. capset(c.E, c.P, c.I): drops privilege from P and I too.
//  7. PR_CAP_AMBIENT_RAISE for each capability of c.A.
//  8. PR_SET_KEEPCAPS(c.KeepCaps); PR_SET_NO_NEW_PRIVS if c.NNP.
//
// It then reads everything back and fails on any difference.
func setCred(c credSpec) error {
	e0, p0, _, err := capget()
	if err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	if err := capset(e0, p0, c.I); err != nil {
		return fmt.Errorf("capset(I=%s): %w", c.I, err)
	}
	for cp := caps.Cap(0); cp <= lastCap(); cp++ {
		if c.B.Has(cp) {
			continue
		}
		if _, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(cp), 0); e != 0 {
			return fmt.Errorf("PR_CAPBSET_DROP %s: %w", cp, e)
		}
	}
	if _, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0); e != 0 {
		return fmt.Errorf("PR_SET_KEEPCAPS: %w", e)
	}
	groups := append([]uint32{}, c.Groups...)
	var gp uintptr
	if len(groups) > 0 {
		gp = uintptr(unsafe.Pointer(&groups[0]))
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(groups)), gp, 0); e != 0 {
		return fmt.Errorf("setgroups: %w", e)
	}
	runtime.KeepAlive(groups)
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(c.GID), uintptr(c.EGID), uintptr(c.SGID)); e != 0 {
		return fmt.Errorf("setresgid: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(c.UID), uintptr(c.EUID), uintptr(c.SUID)); e != 0 {
		return fmt.Errorf("setresuid: %w", e)
	}
	if err := capset(c.E, c.P, c.I); err != nil {
		return fmt.Errorf("capset(E=%s P=%s I=%s): %w", c.E, c.P, c.I, err)
	}
	for _, cp := range c.A.Caps() {
		if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(cp), 0, 0, 0); e != 0 {
			return fmt.Errorf("PR_CAP_AMBIENT_RAISE %s: %w", cp, e)
		}
	}
	keep := uintptr(0)
	if c.KeepCaps {
		keep = 1
	}
	if _, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, keep, 0); e != 0 {
		return fmt.Errorf("PR_SET_KEEPCAPS: %w", e)
	}
	if c.NNP {
		if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); e != 0 {
			return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", e)
		}
	}
	return verifyCred(c)
}

// verifyCred reads the calling thread's credentials back with system calls
// (the chroot hides /proc) and compares them with c.
func verifyCred(c credSpec) error {
	var got credState
	unix.RawSyscall(unix.SYS_GETRESUID, uintptr(unsafe.Pointer(&got.UID)), uintptr(unsafe.Pointer(&got.EUID)), uintptr(unsafe.Pointer(&got.SUID)))
	unix.RawSyscall(unix.SYS_GETRESGID, uintptr(unsafe.Pointer(&got.GID)), uintptr(unsafe.Pointer(&got.EGID)), uintptr(unsafe.Pointer(&got.SGID)))
	fsuid, _, _ := unix.RawSyscall(unix.SYS_SETFSUID, ^uintptr(0), 0, 0) // -1: query only
	fsgid, _, _ := unix.RawSyscall(unix.SYS_SETFSGID, ^uintptr(0), 0, 0)
	got.FSUID, got.FSGID = uint32(fsuid), uint32(fsgid)
	groups := make([]uint32, 256)
	n, _, e := unix.RawSyscall(unix.SYS_GETGROUPS, uintptr(len(groups)), uintptr(unsafe.Pointer(&groups[0])), 0)
	if e != 0 {
		return fmt.Errorf("getgroups: %w", e)
	}
	got.Groups = groups[:n]
	var err error
	if got.E, got.P, got.I, err = capget(); err != nil {
		return err
	}
	for cp := caps.Cap(0); cp <= lastCap(); cp++ {
		r, _, _ := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_READ, uintptr(cp), 0)
		if r == 1 {
			got.B |= caps.Of(cp)
		}
		r, _, _ = unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_IS_SET, uintptr(cp), 0, 0, 0)
		if r == 1 {
			got.A |= caps.Of(cp)
		}
	}
	k, _, _ := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_GET_KEEPCAPS, 0, 0)
	got.KeepCaps = k == 1
	nnp, _, _ := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, 0)
	got.NNP = nnp == 1
	want := credState{
		UID: c.UID, EUID: c.EUID, SUID: c.SUID, FSUID: c.EUID,
		GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.EGID,
		Groups: c.Groups, E: c.E, P: c.P, I: c.I, B: c.B, A: c.A, KeepCaps: c.KeepCaps, NNP: c.NNP,
	}
	if got.String() != want.String() {
		return fmt.Errorf("thread has %s, want %s", got, want)
	}
	return nil
}

// lastCap is /proc/sys/kernel/cap_last_cap, read at start-up.
func lastCap() caps.Cap { return hostCaps.last }

// hostCaps describes the capabilities of the host the oracle runs on.
var hostCaps struct {
	// full is the permitted set of the test process (root): everything a
	// child can keep. Bounding sets of containers and VMs may lack some.
	full caps.Set
	last caps.Cap
}

// initHostCaps reads the test process's own permitted set and
// cap_last_cap. It must run before any thread changes credentials.
func initHostCaps() error {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	st, err := parseStatus(b)
	if err != nil {
		return err
	}
	hostCaps.full = st.P & st.B
	lb, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(lb)))
	if err != nil {
		return err
	}
	hostCaps.last = caps.Cap(n)
	return nil
}
