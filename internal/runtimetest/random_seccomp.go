package runtimetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// RandomSeccompName is the name of RandomSeccomp(seed, i).
func RandomSeccompName(seed uint64, i int) string {
	return fmt.Sprintf("random_c%d_%04d", seed, i)
}

// seccompFamily separates RandomSeccomp's PCG streams from the other
// families'.
const seccompFamily = 0x736563636f6d7000 // "seccomp"

// The grammar of the generated filters (GenSeccomp): a default action, a
// rule on one call the pre-exec path makes or could make, its action, and
// an argument condition that holds, fails, or is absent.
var (
	genDefaults = []string{"allow", "errno", "errno-enosys"}
	genCalls    = []string{"faccessat2", "execve", "execveat", "chdir"}
	genActions  = []string{"errno-eacces", "errno", "errno-enosys", "allow", "log", "trace", "notify", "bogus"}
	genConds    = []string{"", "holds", "fails"}
)

// GenSeccomp names a generated filter: "gen/DEFAULT/CALL/ACTION[/COND]",
// each part from the grammar above:
//
//   - DEFAULT: allow (SCMP_ACT_ALLOW), errno (SCMP_ACT_ERRNO, no
//     defaultErrnoRet: EPERM), errno-enosys (defaultErrnoRet 38). A
//     refusing default comes with an SCMP_ACT_ALLOW rule naming every
//     x86_64 syscall but CALL, so that the runtime's init and busybox run
//     and only CALL meets the default.
//   - CALL: faccessat2, execve, execveat, chdir.
//   - ACTION, of CALL's rule: errno-eacces (SCMP_ACT_ERRNO, errnoRet 13),
//     errno (no errnoRet: EPERM), errno-enosys (38), allow, log, trace
//     (SCMP_ACT_TRACE, no tracer), notify (SCMP_ACT_NOTIFY, no
//     listenerPath), bogus (SCMP_ACT_BOGUS, an action nobody knows).
//     Lethal actions (KILL, KILL_PROCESS, TRAP) are left out: runc init
//     hangs or dies without words the harness can classify; the model's
//     unit tests pin them.
//   - COND: holds or fails, an argument condition the call's arguments
//     meet or not (faccessat2's mode == X_OK or == R_OK; the path pointer
//     != 0 or == 0).
func GenSeccomp(def, call, action, cond string) Seccomp {
	s := "gen/" + def + "/" + call + "/" + action
	if cond != "" {
		s += "/" + cond
	}
	return Seccomp(s)
}

// genProfile builds the filter a "gen/…" name describes; false if the name
// is not of the grammar.
func genProfile(name Seccomp) (*specs.LinuxSeccomp, bool) {
	parts := strings.Split(string(name), "/")
	if len(parts) < 4 || len(parts) > 5 || parts[0] != "gen" {
		return nil, false
	}
	def, call, act := parts[1], parts[2], parts[3]
	cond := ""
	if len(parts) == 5 {
		cond = parts[4]
		if cond == "" {
			return nil, false
		}
	}
	if !slices.Contains(genDefaults, def) || !slices.Contains(genCalls, call) ||
		!slices.Contains(genActions, act) || !slices.Contains(genConds, cond) {
		return nil, false
	}
	s := &specs.LinuxSeccomp{Architectures: []specs.Arch{specs.ArchX86_64}}
	switch def {
	case "allow":
		s.DefaultAction = specs.ActAllow
	case "errno":
		s.DefaultAction = specs.ActErrno
	case "errno-enosys":
		s.DefaultAction, s.DefaultErrnoRet = specs.ActErrno, ptr(38)
	}
	if def != "allow" {
		var names []string
		for _, n := range slices.Concat(syscallsBeforeFaccessat2, []string{"faccessat2"}, syscallsAfterFaccessat2) {
			if n != call {
				names = append(names, n)
			}
		}
		s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: names, Action: specs.ActAllow})
	}
	r := specs.LinuxSyscall{Names: []string{call}}
	switch act {
	case "errno-eacces":
		r.Action, r.ErrnoRet = specs.ActErrno, ptr(13)
	case "errno":
		r.Action = specs.ActErrno
	case "errno-enosys":
		r.Action, r.ErrnoRet = specs.ActErrno, ptr(38)
	case "allow":
		r.Action = specs.ActAllow
	case "log":
		r.Action = specs.ActLog
	case "trace":
		r.Action = specs.ActTrace
	case "notify":
		r.Action = specs.ActNotify
	case "bogus":
		r.Action = "SCMP_ACT_BOGUS"
	}
	switch {
	case cond == "":
	case call == "faccessat2":
		// faccessat2(AT_FDCWD, path, X_OK, AT_EACCESS): mode is argument 2.
		mode := uint64(1)
		if cond == "fails" {
			mode = 4
		}
		r.Args = []specs.LinuxSeccompArg{{Index: 2, Value: mode, Op: specs.OpEqualTo}}
	default:
		op := specs.OpNotEqual
		if cond == "fails" {
			op = specs.OpEqualTo
		}
		r.Args = []specs.LinuxSeccompArg{{Index: 0, Value: 0, Op: op}}
	}
	s.Syscalls = append(s.Syscalls, r)
	return s, true
}

// RandomSeccomp returns the i-th case of seed of the seccomp family: a
// generated filter (GenSeccomp, every part drawn uniformly), noNewPrivileges
// on or off, a root or non-root user (with or without CAP_DAC_OVERRIDE),
// and an entrypoint /usr/bin/echo (busybox) that is 0755, or 0744 (the 1.1.4 incident's
// mode, where faccessat2's answer decides runc 1.1.4's access(2) fallback),
// run by absolute path or through PATH, in "/" or in /home, a directory
// only root may search. Like the other families it depends only on
// (seed, i).
func RandomSeccomp(seed uint64, i int) Case {
	g := &gen{r: rand.New(rand.NewPCG(seed^seccompFamily, uint64(i)))}
	c := Case{
		Name:    RandomSeccompName(seed, i),
		Rule:    fmt.Sprintf("random case %d of seed %d of the seccomp family (random_seccomp.go)", i, seed),
		Seccomp: GenSeccomp(pick(g, genDefaults), pick(g, genCalls), pick(g, genActions), pick(g, genConds)),
	}
	p := Process{UID: pick(g, []uint32{0, 1000}), GID: pick(g, []uint32{0, 1000}), Env: []string{DefaultPATH}, Cwd: "/"}
	p.NoNewPrivileges = g.chance(0.5)
	if g.chance(0.5) {
		p.Capabilities = everySet("CAP_DAC_OVERRIDE")
	}
	mode := pick(g, []string{"0755", "0744"})
	if g.chance(0.25) {
		p.Cwd = "/home"
	}
	p.Args = []string{pick(g, []string{"/usr/bin/echo", "echo"}), Marker}
	c.Process = p
	c.Rootfs = rootfsOf(Base, "dir /usr 0755 0:0", "dir /usr/bin 0755 0:0", "file /usr/bin/echo "+mode+" 0:0 busybox", "dir /home 0700 0:0")
	return c
}
