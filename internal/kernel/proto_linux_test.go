//go:build linux

package kernel

import (
	"fmt"
	"sort"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// The wire format between the test (parent) and the re-executed test binary
// (child). A request is one fixture, one credential and a batch of queries;
// the child answers with one result per query.

// Environment variables that switch the test binary into its child roles.
const (
	// envChild makes TestMain run one request from stdin (childMain).
	envChild = "PREEXEC_KERNEL_ORACLE_CHILD"
	// envReport makes TestMain print its own credentials from
	// /proc/self/status and exit: the program of exec_caps queries.
	envReport = "PREEXEC_KERNEL_ORACLE_REPORT"
	// envGorace keeps a -race build of a child from sleeping a second at
	// exit (ThreadSanitizer's atexit_sleep_ms, 1000 by default).
	envGorace = "GORACE=atexit_sleep_ms=0"
)

// The operations a query can ask for. Each names the system call the child
// makes; the model function it is compared with is chosen by the test that
// built the query.
const (
	opAccess      = "access"       // fs/open.c:do_faccessat, flags 0: faccessat(2)
	opFaccessat2  = "faccessat2"   // fs/open.c:do_faccessat: raw faccessat2(2), syscall 439
	opGoFaccessat = "go_faccessat" // Go's syscall.Faccessat (faccessat2, then its emulation)
	opStat        = "stat"         // fs/stat.c:vfs_statx with LOOKUP_FOLLOW
	opLstat       = "lstat"        // fs/stat.c:vfs_statx without it
	opOpen        = "open"         // fs/namei.c:do_filp_open, O_NONBLOCK added
	opChdir       = "chdir"        // fs/open.c:SYSCALL_DEFINE1(chdir)
	opMkdir       = "mkdir"        // fs/namei.c:do_mkdirat (removed again as root)
	opChmod       = "chmod"        // fs/open.c:chmod_common → fs/attr.c:setattr_prepare
	opExecCheck   = "exec_check"   // fs/exec.c:do_execveat_common with AT_EXECVE_CHECK (6.14)
	opExecve      = "execve"       // fs/exec.c:do_execveat_common, in a forked child
	opExecCaps    = "exec_caps"    // execve of the test binary, which reports its creds
	opCapSeq      = "capseq"       // setresuid/capset/prctl sequence on a fresh thread
)

// seccomp modes for faccessat2.
const (
	seccompNone   = ""
	seccompENOSYS = "ENOSYS"
	seccompEPERM  = "EPERM"
)

// A credSpec is the credential a child sets on its query thread. Ids are
// kernel ids; fsuid and fsgid follow the effective ids.
type credSpec struct {
	UID, EUID, SUID uint32
	GID, EGID, SGID uint32
	Groups          []uint32
	E, P, I, B, A   caps.Set
	KeepCaps        bool `json:",omitempty"`
	NNP             bool `json:",omitempty"`
	// NS is the user namespace the task lives in, nil for the initial
	// one. It travels in request.UserNS.
	NS *access.UserNS `json:"-"`
}

// in returns c living in the user namespace ns.
func (c credSpec) in(ns *access.UserNS) credSpec { c.NS = ns; return c }

// user returns the credential of uid:gid with the given supplementary
// groups, no capabilities and the host's full bounding set.
func user(uid, gid uint32, groups ...uint32) credSpec {
	return credSpec{UID: uid, EUID: uid, SUID: uid, GID: gid, EGID: gid, SGID: gid,
		Groups: append([]uint32{}, groups...), B: hostCaps.full}
}

// root returns uid 0 with every capability the host grants.
func root() credSpec {
	c := user(0, 0)
	c.E, c.P = hostCaps.full, hostCaps.full
	return c
}

// with returns c with cs effective and permitted.
func (c credSpec) with(cs ...caps.Cap) credSpec {
	c.E, c.P = c.E.With(cs...), c.P.With(cs...)
	return c
}

// caps returns c with the effective and permitted sets e and p.
func (c credSpec) caps(e, p caps.Set) credSpec { c.E, c.P = e, p; return c }

// inh, bnd and amb return c with that set replaced.
func (c credSpec) inh(s caps.Set) credSpec { c.I = s; return c }
func (c credSpec) bnd(s caps.Set) credSpec { c.B = s; return c }
func (c credSpec) amb(s caps.Set) credSpec { c.A = s; return c }

// ids returns c with real, effective and saved uids and gids.
func (c credSpec) ids(r, e, s, rg, eg, sg uint32) credSpec {
	c.UID, c.EUID, c.SUID, c.GID, c.EGID, c.SGID = r, e, s, rg, eg, sg
	return c
}

// keep and nnp return c with SECBIT_KEEP_CAPS or no_new_privs set.
func (c credSpec) keep() credSpec { c.KeepCaps = true; return c }
func (c credSpec) nnp() credSpec  { c.NNP = true; return c }

// cred returns the model's credentials for c.
func (c credSpec) cred() *access.Cred {
	return &access.Cred{
		UID: c.UID, EUID: c.EUID, SUID: c.SUID, FSUID: c.EUID,
		GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.EGID,
		Groups:       append([]uint32(nil), c.Groups...),
		CapEffective: c.E, CapPermitted: c.P, CapInheritable: c.I,
		CapBounding: c.B, CapAmbient: c.A,
		KeepCaps: c.KeepCaps, NoNewPrivs: c.NNP,
		UserNS: c.NS,
	}
}

// inNS returns c with its ids as the user namespace ns sees them (kernel
// ids without a mapping become the overflow id 65534, which setresuid
// would refuse: credentials of a task in ns are always mapped).
func (c credSpec) inNS(ns *access.UserNS) credSpec {
	if ns == nil {
		return c
	}
	uid := func(k uint32) uint32 {
		if id, ok := ns.UID(k); ok {
			return id
		}
		return 65534
	}
	gid := func(k uint32) uint32 {
		if id, ok := ns.GID(k); ok {
			return id
		}
		return 65534
	}
	c.UID, c.EUID, c.SUID = uid(c.UID), uid(c.EUID), uid(c.SUID)
	c.GID, c.EGID, c.SGID = gid(c.GID), gid(c.EGID), gid(c.SGID)
	groups := make([]uint32, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = gid(g)
	}
	c.Groups = groups
	return c
}

// GoString prints c as the builder expression that makes it, for table rows.
func (c credSpec) GoString() string {
	var b strings.Builder
	base := user(c.UID, c.GID, c.Groups...)
	if c.UID == 0 && c.GID == 0 && len(c.Groups) == 0 && c.E == hostCaps.full && c.P == hostCaps.full {
		b.WriteString("root()")
		base = root()
	} else {
		fmt.Fprintf(&b, "user(%d, %d", c.UID, c.GID)
		for _, g := range c.Groups {
			fmt.Fprintf(&b, ", %d", g)
		}
		b.WriteString(")")
	}
	if c.EUID != c.UID || c.SUID != c.UID || c.EGID != c.GID || c.SGID != c.GID {
		fmt.Fprintf(&b, ".ids(%d, %d, %d, %d, %d, %d)", c.UID, c.EUID, c.SUID, c.GID, c.EGID, c.SGID)
	}
	if c.E != base.E || c.P != base.P {
		fmt.Fprintf(&b, ".caps(%s, %s)", setExpr(c.E), setExpr(c.P))
	}
	if c.I != 0 {
		fmt.Fprintf(&b, ".inh(%s)", setExpr(c.I))
	}
	if c.B != hostCaps.full {
		fmt.Fprintf(&b, ".bnd(%s)", setExpr(c.B))
	}
	if c.A != 0 {
		fmt.Fprintf(&b, ".amb(%s)", setExpr(c.A))
	}
	if c.KeepCaps {
		b.WriteString(".keep()")
	}
	if c.NNP {
		b.WriteString(".nnp()")
	}
	switch {
	case c.NS == nil:
	case c.NS == containerNS:
		b.WriteString(".in(containerNS)")
	case c.NS == userns100k:
		b.WriteString(".in(userns100k)")
	default:
		b.WriteString(".in(" + usernsExpr(c.NS) + ")")
	}
	return b.String()
}

// setExpr prints s as Go: caps.Of(caps.CAP_X, …), or relative to the host's
// full set when that is shorter.
func setExpr(s caps.Set) string {
	names := func(s caps.Set) string {
		var ns []string
		for _, c := range s.Caps() {
			ns = append(ns, "caps."+c.String())
		}
		return strings.Join(ns, ", ")
	}
	switch {
	case s == 0:
		return "0"
	case s == hostCaps.full:
		return "full"
	case s.SubsetOf(hostCaps.full) && len((hostCaps.full&^s).Caps()) < len(s.Caps()):
		return "full.Without(" + names(hostCaps.full&^s) + ")"
	}
	return "caps.Of(" + names(s) + ")"
}

// A capStep is one step of a capseq query.
type capStep struct {
	// Op is setresuid, setuid, setresgid, setgid, capset, ambient_raise,
	// bset_drop or keepcaps.
	Op      string
	R, E, S uint32   `json:",omitempty"` // setresuid, setresgid; R for setuid and setgid
	Eff     caps.Set `json:",omitempty"` // capset
	Perm    caps.Set `json:",omitempty"`
	Inh     caps.Set `json:",omitempty"`
	Cap     caps.Cap `json:",omitempty"` // ambient_raise, bset_drop
	On      bool     `json:",omitempty"` // keepcaps
}

func (s capStep) String() string {
	switch s.Op {
	case "setresuid", "setresgid":
		return fmt.Sprintf("%s(%d, %d, %d)", s.Op, int32(s.R), int32(s.E), int32(s.S))
	case "setuid", "setgid":
		return fmt.Sprintf("%s(%d)", s.Op, s.R)
	case "capset":
		return fmt.Sprintf("capset(E=%s, P=%s, I=%s)", setExpr(s.Eff), setExpr(s.Perm), setExpr(s.Inh))
	case "ambient_raise":
		return fmt.Sprintf("prctl(PR_CAP_AMBIENT_RAISE, %s)", s.Cap)
	case "bset_drop":
		return fmt.Sprintf("prctl(PR_CAPBSET_DROP, %s)", s.Cap)
	case "keepcaps":
		return fmt.Sprintf("prctl(PR_SET_KEEPCAPS, %v)", s.On)
	}
	return s.Op + "?"
}

// A query is one system call (or, for capseq, a sequence) to make under the
// request's credential.
type query struct {
	Op    string
	Path  string    `json:",omitempty"`
	Mode  uint32    `json:",omitempty"` // access mode, open flags or chmod mode
	Flags int       `json:",omitempty"` // faccessat2 / Go Faccessat flags
	Steps []capStep `json:",omitempty"`
}

func (q query) String() string {
	switch q.Op {
	case opAccess:
		return fmt.Sprintf("access(%q, %s)", q.Path, accessMode(q.Mode))
	case opFaccessat2, opGoFaccessat:
		return fmt.Sprintf("%s(%q, %s, %s)", q.Op, q.Path, accessMode(q.Mode), atFlags(q.Flags))
	case opOpen:
		return fmt.Sprintf("open(%q, %s)", q.Path, openFlags(int(q.Mode)))
	case opChmod:
		return fmt.Sprintf("chmod(%q)", q.Path)
	case opCapSeq:
		var ss []string
		for _, s := range q.Steps {
			ss = append(ss, s.String())
		}
		return "capseq: " + strings.Join(ss, "; ")
	}
	return fmt.Sprintf("%s(%q)", q.Op, q.Path)
}

func accessMode(m uint32) string {
	if m == 0 {
		return "F_OK"
	}
	var p []string
	for _, x := range []struct {
		b uint32
		n string
	}{{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}} {
		if m&x.b != 0 {
			p = append(p, x.n)
		}
	}
	if m&^7 != 0 {
		p = append(p, fmt.Sprintf("%#o", m&^7))
	}
	return strings.Join(p, "|")
}

func atFlags(f int) string {
	var p []string
	if f&access.AT_EACCESS != 0 {
		p = append(p, "AT_EACCESS")
	}
	if f&access.AT_SYMLINK_NOFOLLOW != 0 {
		p = append(p, "AT_SYMLINK_NOFOLLOW")
	}
	if rest := f &^ (access.AT_EACCESS | access.AT_SYMLINK_NOFOLLOW); rest != 0 {
		p = append(p, fmt.Sprintf("%#x", rest))
	}
	if len(p) == 0 {
		return "0"
	}
	return strings.Join(p, "|")
}

func openFlags(f int) string {
	s := [...]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[f&3]
	if f&access.O_NOFOLLOW != 0 {
		s += "|O_NOFOLLOW"
	}
	if f&access.O_DIRECTORY != 0 {
		s += "|O_DIRECTORY"
	}
	return s
}

// A request is what the parent sends a child.
type request struct {
	// Dir is an empty directory on the host, searchable by everyone; the
	// child mounts a tmpfs on it and materialises Fixture there.
	Dir     string
	Fixture string
	// Chroot makes the child chroot into Dir, so that absolute paths and
	// symlinks resolve inside the fixture. Without it, absolute query
	// paths are prefixed with Dir.
	Chroot bool
	// ReportBinary replaces the content of every "elf" file of the
	// fixture by the test binary itself, for exec_caps queries.
	ReportBinary bool `json:",omitempty"`
	Cred         credSpec
	Seccomp      string `json:",omitempty"`
	// UserNS, if set, runs the queries in a new user namespace with these
	// mappings; Cred still holds kernel ids.
	UserNS  *access.UserNS `json:",omitempty"`
	Queries []query
	// ELOOPPatience makes runStable repeat an ELOOP answer for longer,
	// with pauses (eloopPatientRetries): the oracle asks so again for a
	// kernel ELOOP the model does not give.
	ELOOPPatience bool `json:",omitempty"`
}

// credState is a task's credentials as /proc/<pid>/status shows them.
type credState struct {
	UID, EUID, SUID, FSUID uint32
	GID, EGID, SGID, FSGID uint32
	Groups                 []uint32
	E, P, I, B, A          caps.Set
	KeepCaps               bool `json:",omitempty"`
	NNP                    bool `json:",omitempty"`
}

func (s credState) String() string {
	g := append([]uint32(nil), s.Groups...)
	sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
	return fmt.Sprintf("uid=%d/%d/%d/%d gid=%d/%d/%d/%d groups=%v E=%s P=%s I=%s B=%s A=%s keep=%v nnp=%v",
		s.UID, s.EUID, s.SUID, s.FSUID, s.GID, s.EGID, s.SGID, s.FSGID, g,
		setExpr(s.E), setExpr(s.P), setExpr(s.I), setExpr(s.B), setExpr(s.A), s.KeepCaps, s.NNP)
}

// A result is the child's answer to one query.
type result struct {
	// Err is the errno name, "OK" on success.
	Err string
	// Mode, UID and GID are what stat/lstat/fstat returned on success.
	Mode     uint32 `json:",omitempty"`
	UID, GID uint32 `json:",omitempty"`
	// Exit is an execve's outcome once execve succeeded: "ran",
	// "ran/script:ERRNO" (the #! interpreter could not open its script),
	// "exit:N" or "signal:N".
	Exit string `json:",omitempty"`
	// Steps are a capseq's errno names and the state after each step.
	Steps []stepResult `json:",omitempty"`
	// State is what an exec_caps program reported.
	State *credState `json:",omitempty"`
	// Retried is how many repetitions a spurious ELOOP took (see
	// runStable); 0 when the first answer was kept.
	Retried int `json:",omitempty"`
}

// A stepResult is the outcome of one capseq step.
type stepResult struct {
	Err   string
	State credState
}

// A response is the child's answer to a request.
type response struct {
	// Setup is an error that prevented running the queries: a harness
	// failure, never a disagreement.
	Setup   string `json:",omitempty"`
	Results []result
}
