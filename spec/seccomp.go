package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
)

// Seccomp is a config's seccomp filter (linux.seccomp) and where the
// runtime installs it.
type Seccomp struct {
	// Config is linux.seccomp as decoded.
	Config specs.LinuxSeccomp
	// NoNewPrivileges is process.noNewPrivileges, which decides where runc
	// installs the filter: see InstalledBeforeChecks.
	NoNewPrivileges bool
}

// InstalledBeforeChecks reports whether the filter is in force during the
// pre-exec checks: chdir, setgroups/setuid, LookPath and runc 1.1.4's
// eaccess. runc installs it before finalizeNamespace unless
// noNewPrivileges is set, and then only after those checks, so that only
// execve is filtered (runc standard_init_linux.go:Init, every line from
// rc92). A nil s has no filter: false.
func (s *Seccomp) InstalledBeforeChecks() bool { return s != nil && !s.NoNewPrivileges }

// An Effect is what a seccomp filter does with a system call.
type Effect uint8

// The effects of the seccomp actions (seccomp(2), "Filter return values").
const (
	// Runs: the kernel executes the call (no filter, SCMP_ACT_ALLOW,
	// SCMP_ACT_LOG).
	Runs Effect = iota
	// Returns: the call is not executed and returns Verdict.Err
	// (SCMP_ACT_ERRNO; SCMP_ACT_TRACE with no tracer attached, ENOSYS).
	Returns
	// Dies: the calling thread does not survive the call.
	// SCMP_ACT_KILL_PROCESS kills the process with SIGSYS;
	// SCMP_ACT_KILL (runc and crun make it KILL_THREAD) and
	// SCMP_ACT_KILL_THREAD kill only the thread — a single-threaded
	// process (crun) dies, while runc init's other Go threads live on and
	// `runc run` never returns (real runs); SCMP_ACT_TRAP sends SIGSYS,
	// which Go's runtime, as in runc's init, turns into a fatal "SIGSYS:
	// bad system call" and exit status 2, and which kills crun. Verdict.Action
	// says which.
	Dies
	// Notifies: a supervisor process listening on the filter's
	// notification fd answers (SCMP_ACT_NOTIFY); the config cannot say
	// what.
	Notifies
	// Rejected: the runtime refuses the filter before it starts the
	// container (an action, architecture or operator it does not know, an
	// empty syscall name, SCMP_ACT_NOTIFY as the default action);
	// Verdict.Reason says which.
	Rejected
)

var effectNames = [...]string{"runs", "returns", "dies", "notifies", "rejected"}

// String returns the effect's name in lower case ("returns").
func (e Effect) String() string {
	if int(e) < len(effectNames) {
		return effectNames[e]
	}
	return "Effect(" + strconv.Itoa(int(e)) + ")"
}

// A Verdict is what a seccomp filter does with the faccessat2 call that runc
// 1.1.4's eaccess, Go's LookPath (1.20 and later) and x/sys's Faccessat make:
// faccessat2(AT_FDCWD, path, X_OK, AT_EACCESS).
type Verdict struct {
	// Effect is what happens to the call.
	Effect Effect
	// Err is what faccessat2 returns when Effect is Returns: access.EPERM,
	// access.ENOSYS, another errno of access, or a LinuxErrno. It is nil
	// for an errno of 0, which makes faccessat2 return 0 without looking
	// at the path.
	Err error
	// Action is the deciding action as the config spells it
	// ("SCMP_ACT_ERRNO"), "" without a filter.
	Action specs.LinuxSeccompAction
	// Rule is the index in linux.seccomp.syscalls of the deciding rule,
	// -1 when the default action decides (runc before rc95 ignores
	// defaultErrnoRet and answers EPERM: c61f60625, #2954).
	Rule int
	// ENOSYSStub reports that runc's -ENOSYS stub answers faccessat2 before
	// the filter does (runc v1.0.0-rc93 and later, patchbpf, 7a8d7162f,
	// #2750): the default action is neither SCMP_ACT_ALLOW, SCMP_ACT_LOG
	// nor SCMP_ACT_TRACE, defaultErrnoRet is not ENOSYS, and faccessat2 is
	// newer than every syscall the rules name for the architecture. Such a
	// runc makes faccessat2 return ENOSYS whatever Effect says.
	ENOSYSStub bool
	// Uncertain reports that the config alone does not decide the outcome;
	// Reason says why, and the other fields give the outcome when no
	// conditional rule matches.
	Uncertain bool
	// Reason explains Uncertain and Rejected; "" otherwise.
	Reason string
}

// A LinuxErrno is a Linux errno number access has no name for, as a seccomp
// errnoRet gives it.
type LinuxErrno uint16

// Error returns "errno N": Linux's text for it is not known here.
func (e LinuxErrno) Error() string { return "errno " + strconv.Itoa(int(e)) }

// linuxErrnos are the Linux numbers (include/uapi/asm-generic/errno-base.h,
// errno.h) of the errnos access names.
var linuxErrnos = map[uint16]error{
	1: access.EPERM, 2: access.ENOENT, 5: access.EIO, 7: access.E2BIG,
	8: access.ENOEXEC, 13: access.EACCES, 17: access.EEXIST, 20: access.ENOTDIR,
	21: access.EISDIR, 22: access.EINVAL, 26: access.ETXTBSY, 30: access.EROFS,
	36: access.ENAMETOOLONG, 38: access.ENOSYS, 40: access.ELOOP, 80: access.ELIBBAD,
}

const (
	linuxEPERM  = 1
	linuxENOSYS = 38
	// maxErrno is MAX_ERRNO (include/linux/err.h): kernel/seccomp.c caps
	// SECCOMP_RET_ERRNO data at it.
	maxErrno = 4095
)

// errnoOf is the errno a SECCOMP_RET_ERRNO with data n returns.
func errnoOf(n uint16) error {
	n = min(n, maxErrno)
	if n == 0 {
		return nil
	}
	if e, ok := linuxErrnos[n]; ok {
		return e
	}
	return LinuxErrno(n)
}

// seccompActions are the actions runc knows (libcontainer/seccomp/config.go)
// since v1.1.3; SCMP_ACT_NOTIFY came in v1.1.0 and SCMP_ACT_KILL_PROCESS and
// SCMP_ACT_KILL_THREAD in v1.1.3, so older lines reject more, which their
// rows say.
var seccompActions = []specs.LinuxSeccompAction{
	specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
	specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify,
}

// seccompArchs are the architectures runc knows (libcontainer/seccomp/config.go).
var seccompArchs = []specs.Arch{
	specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
	specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
	specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
	specs.ArchPPC64LE, specs.ArchRISCV64, specs.ArchS390, specs.ArchS390X, specs.ArchLOONGARCH64,
}

// seccompOps are the argument comparison operators runc knows.
var seccompOps = []specs.LinuxSeccompOperator{
	specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
	specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
}

// action is a rule's action as libseccomp compares them: runc's matchCall
// skips a rule whose action equals the default one.
type action struct {
	act specs.LinuxSeccompAction
	ret uint16 // SECCOMP_RET_DATA of ERRNO and TRACE
}

// resolve mirrors runc's getAction (libcontainer/seccomp/seccomp_linux.go):
// SCMP_ACT_KILL is KILL_THREAD; ERRNO and TRACE carry errnoRet, EPERM when
// it is absent, truncated to 16 bits as SetReturnCode(int16(…)) and
// libseccomp's SCMP_ACT_ERRNO(x) truncate it.
func resolve(act specs.LinuxSeccompAction, errnoRet *uint) action {
	switch act {
	case specs.ActKill:
		return action{act: specs.ActKillThread}
	case specs.ActErrno, specs.ActTrace:
		ret := uint16(linuxEPERM)
		if errnoRet != nil {
			ret = uint16(*errnoRet)
		}
		return action{act: act, ret: ret}
	}
	return action{act: act}
}

// verdict is what a resolves to for the call; spelled is the action as the
// config gives it.
func (a action) verdict(spelled specs.LinuxSeccompAction, rule int) Verdict {
	v := Verdict{Action: spelled, Rule: rule}
	switch a.act {
	case specs.ActAllow, specs.ActLog:
		v.Effect = Runs
	case specs.ActErrno:
		v.Effect, v.Err = Returns, errnoOf(a.ret)
	case specs.ActTrace:
		v.Effect, v.Err = Returns, access.ENOSYS
		v.Uncertain, v.Reason = true, "SCMP_ACT_TRACE: ENOSYS unless a tracer is attached (seccomp(2))"
	case specs.ActKillThread, specs.ActKillProcess, specs.ActTrap:
		v.Effect = Dies
	case specs.ActNotify:
		v.Effect = Notifies
		v.Uncertain, v.Reason = true, "SCMP_ACT_NOTIFY: the seccomp agent answers"
	}
	return v
}

// permissive are the default actions for which runc adds no -ENOSYS stub
// (patchbpf.isAllowAction).
func permissive(a specs.LinuxSeccompAction) bool {
	return a == specs.ActAllow || a == specs.ActLog || a == specs.ActTrace
}

const faccessat2 = "faccessat2"

// Faccessat2For returns what the filter does with faccessat2 for a process
// of architecture arch: Syscall("faccessat2", arch, nil), its arguments
// unknown, so that a rule with argument conditions makes the verdict
// Uncertain. The root package asks Syscall with the arguments runc and crun
// pass (Faccessat2Args).
func (s *Seccomp) Faccessat2For(arch specs.Arch) Verdict {
	return s.Syscall(faccessat2, arch, nil)
}

// An ArgKind says what is known of one argument of a system call.
type ArgKind uint8

// What the model knows of an argument.
const (
	// ArgUnknown: nothing (a register the call does not read, a value
	// the model does not follow).
	ArgUnknown ArgKind = iota
	// ArgValue: Arg.Value exactly.
	ArgValue
	// ArgPointer: a user-space address that is not NULL: its value is not
	// known, but it is not 0 (execve's filename, chdir's path).
	ArgPointer
)

// An Arg is one argument of a system call as seccomp sees it: the 64-bit
// register (libseccomp compares all 64 bits on a 64-bit architecture).
type Arg struct {
	Kind  ArgKind
	Value uint64
}

// Args are a system call's six arguments.
type Args [6]Arg

// atFdcwd is AT_FDCWD (-100) as a 64-bit register: Go's uintptr(int) and
// glibc's (long) cast both sign-extend it.
const atFdcwd = 0xffffffffffffff9c

// Faccessat2Args are the arguments of faccessat2(AT_FDCWD, path, X_OK,
// AT_EACCESS), the call of Go's exec.LookPath (1.20 on), x/sys's
// Faccessat, runc 1.1.4's system.Eaccess and glibc's eaccess (crun's
// check_access).
var Faccessat2Args = &Args{{ArgValue, atFdcwd}, {Kind: ArgPointer}, {ArgValue, 1}, {ArgValue, 0x200}}

// PathArgs are the arguments of a call whose first argument is a path and
// whose others the model does not follow: chdir(path), execve(path, argv,
// envp) (argv and envp are pointers too).
var PathArgs = &Args{{Kind: ArgPointer}, {Kind: ArgPointer}, {Kind: ArgPointer}}

// Syscall returns what the filter does with the system call name made by a
// process of architecture arch (SCMP_ARCH_X86_64 or SCMP_ARCH_AARCH64; the
// filter applies to the native architecture whether or not the list names
// it, since libseccomp's seccomp_init always adds it) with the arguments
// args (nil: none known).
//
// The rules, in libseccomp's and runc's order (runc
// libcontainer/seccomp/seccomp_linux.go:InitSeccomp, matchCall, getAction,
// getCondition; crun src/libcrun/seccomp.c:libcrun_generate_seccomp@1.8.1
// does the same):
//  1. A rule whose action is not known or that names the empty string, a
//     default action not known or SCMP_ACT_NOTIFY, an unknown
//     architecture or operator: Rejected (which actions a runtime knows
//     varies; the root package asks it per release).
//  2. Rules naming the call whose action (with its errnoRet) equals the
//     default action are skipped as redundant.
//  3. A rule's argument conditions all hold for the call (AND), unless two
//     of them compare the same argument, when runc and crun add each as a
//     rule of its own (OR). A condition compares the 64-bit argument with
//     value (SCMP_CMP_MASKED_EQ: arg & value == valueTwo); on an argument
//     the model does not know, or a pointer compared with anything but 0,
//     it cannot be told, and the verdict is Uncertain.
//  4. The first remaining rule without conditions decides, with its
//     action; SCMP_ACT_ERRNO returns errnoRet, EPERM when absent. Another
//     rule that applies with a different action makes the verdict
//     Uncertain (libseccomp's merging of conflicting rules is not
//     modelled). Without one, a conditional rule that holds decides.
//  5. Without either, the default action decides, with defaultErrnoRet
//     (EPERM when absent).
//
// ENOSYSStub is computed from the syscall numbers of Linux 6.19
// (arch/x86/entry/syscalls/syscall_64.tbl; for faccessat2 also
// include/uapi/asm-generic/unistd.h, where it is 439 too and only later
// syscalls have larger numbers): the call is not named, the default action
// is neither SCMP_ACT_ALLOW, SCMP_ACT_LOG nor SCMP_ACT_TRACE,
// defaultErrnoRet is not ENOSYS, and the call is newer than every syscall
// the rules name. For a call other than faccessat2 on another architecture
// than x86_64 a possible stub makes the verdict Uncertain. Not modelled: a
// libseccomp too old to know a name ignores its rule (libseccomp before
// 2.4.4 does not know faccessat2). A nil s is no filter: Runs.
func (s *Seccomp) Syscall(name string, arch specs.Arch, args *Args) Verdict {
	if s == nil {
		return Verdict{Rule: -1}
	}
	c := &s.Config
	if reason := rejected(c); reason != "" {
		return Verdict{Effect: Rejected, Rule: -1, Reason: reason}
	}
	def := resolve(c.DefaultAction, c.DefaultErrnoRet)
	v := def.verdict(c.DefaultAction, -1)
	var doubts []string
	if v.Uncertain {
		doubts = append(doubts, v.Reason)
	}
	decided, named := -1, false
	var dec action
	var holds, unsure []int
	for i, r := range c.Syscalls {
		if !slices.Contains(r.Names, name) {
			continue
		}
		named = true
		a := resolve(r.Action, r.ErrnoRet)
		switch {
		case a == def:
		case len(r.Args) > 0:
			switch argsHold(r.Args, args) {
			case yes:
				holds = append(holds, i)
			case unknown:
				unsure = append(unsure, i)
			}
		case decided < 0:
			decided, dec = i, a
			v = a.verdict(r.Action, i)
			doubts = nil
			if v.Uncertain {
				doubts = append(doubts, v.Reason)
			}
		case a != dec:
			doubts = append(doubts, fmt.Sprintf("rules %d and %d give %s different actions", decided, i, name))
		}
	}
	for _, i := range holds {
		a := resolve(c.Syscalls[i].Action, c.Syscalls[i].ErrnoRet)
		switch {
		case decided < 0:
			decided, dec = i, a
			v = a.verdict(c.Syscalls[i].Action, i)
			doubts = nil
			if v.Uncertain {
				doubts = append(doubts, v.Reason)
			}
		case a != dec:
			doubts = append(doubts, fmt.Sprintf("rules %d and %d give %s different actions", decided, i, name))
		}
	}
	for _, i := range unsure {
		if a := resolve(c.Syscalls[i].Action, c.Syscalls[i].ErrnoRet); decided >= 0 && a == dec {
			continue
		}
		doubts = append(doubts, fmt.Sprintf("rule %d (%s) applies only when its argument conditions hold", i, c.Syscalls[i].Action))
	}
	switch {
	case named:
	case name == faccessat2 && (arch == specs.ArchX86_64 || arch == specs.ArchAARCH64):
		v.ENOSYSStub = stub(c)
	case arch == specs.ArchX86_64:
		v.ENOSYSStub = stubCovers(c, name)
	case stubPossible(c):
		doubts = append(doubts, fmt.Sprintf("runc's -ENOSYS stub for %s on %q is not modelled", name, arch))
	}
	if arch != specs.ArchX86_64 && arch != specs.ArchAARCH64 {
		doubts = append(doubts, fmt.Sprintf("architecture %q is not modelled", arch))
	}
	if len(doubts) > 0 {
		v.Uncertain, v.Reason = true, strings.Join(doubts, "; ")
	} else {
		v.Uncertain, v.Reason = false, ""
	}
	return v
}

// truth is a three-valued answer.
type truth uint8

const (
	no truth = iota
	yes
	unknown
)

// argsHold says whether a rule's conditions hold for args, as runc's
// matchCall and crun add them: one rule with every condition (AND), or,
// when two compare the same argument, one rule per condition (OR).
func argsHold(conds []specs.LinuxSeccompArg, args *Args) truth {
	var count [6]int
	or := false
	for _, a := range conds {
		if a.Index < 6 {
			count[a.Index]++
			or = or || count[a.Index] > 1
		}
	}
	res := yes
	if or {
		res = no
	}
	for _, a := range conds {
		t := condHolds(a, args)
		switch {
		case or && t == yes:
			return yes
		case or && t == unknown:
			res = unknown
		case !or && t == no:
			return no
		case !or && t == unknown:
			res = unknown
		}
	}
	return res
}

// condHolds compares one argument as libseccomp's BPF does (64 bits).
func condHolds(c specs.LinuxSeccompArg, args *Args) truth {
	if args == nil || c.Index >= 6 {
		return unknown
	}
	a := args[c.Index]
	switch a.Kind {
	case ArgValue:
		return boolTruth(compare(c.Op, a.Value, c.Value, c.ValueTwo))
	case ArgPointer:
		// Not NULL: only comparisons with 0 can be told.
		switch {
		case c.Op == specs.OpMaskedEqual && c.Value == 0:
			return boolTruth(c.ValueTwo == 0)
		case c.Value != 0:
			return unknown
		case c.Op == specs.OpNotEqual, c.Op == specs.OpGreaterThan, c.Op == specs.OpGreaterEqual:
			return yes
		case c.Op == specs.OpEqualTo, c.Op == specs.OpLessThan, c.Op == specs.OpLessEqual:
			return no
		}
	}
	return unknown
}

func boolTruth(b bool) truth {
	if b {
		return yes
	}
	return no
}

// compare is SCMP_CMP_* (libseccomp's scmp_compare) on 64-bit values.
func compare(op specs.LinuxSeccompOperator, arg, value, valueTwo uint64) bool {
	switch op {
	case specs.OpNotEqual:
		return arg != value
	case specs.OpLessThan:
		return arg < value
	case specs.OpLessEqual:
		return arg <= value
	case specs.OpEqualTo:
		return arg == value
	case specs.OpGreaterEqual:
		return arg >= value
	case specs.OpGreaterThan:
		return arg > value
	case specs.OpMaskedEqual:
		return arg&value == valueTwo
	}
	return false
}

// stubPossible reports whether runc's -ENOSYS stub could cover a call the
// rules do not name: the default action is not permissive,
// defaultErrnoRet is not ENOSYS, and the rules name something.
func stubPossible(c *specs.LinuxSeccomp) bool {
	if permissive(c.DefaultAction) || c.DefaultErrnoRet != nil && *c.DefaultErrnoRet == linuxENOSYS {
		return false
	}
	for _, r := range c.Syscalls {
		if len(r.Names) > 0 {
			return true
		}
	}
	return false
}

// stubCovers reports whether runc's -ENOSYS stub answers the x86_64 call
// name (patchbpf.generatePatch, findLastSyscalls): a stub is possible and
// name is newer than every x86_64 syscall the rules name. Names that are
// no x86_64 syscall are skipped, as libseccomp does not resolve them.
func stubCovers(c *specs.LinuxSeccomp, name string) bool {
	nr, ok := x86_64Syscalls[name]
	if !ok || !stubPossible(c) {
		return false
	}
	last, some := uint16(0), false
	for _, r := range c.Syscalls {
		for _, n := range r.Names {
			if m, ok := x86_64Syscalls[n]; ok {
				last, some = max(last, m), true
			}
		}
	}
	return some && nr > last
}

// rejected says why runc refuses c, or "".
func rejected(c *specs.LinuxSeccomp) string {
	if !slices.Contains(seccompActions, c.DefaultAction) {
		return fmt.Sprintf("defaultAction %q is not a seccomp action", c.DefaultAction)
	}
	if c.DefaultAction == specs.ActNotify {
		return "SCMP_ACT_NOTIFY cannot be the default action"
	}
	for _, a := range c.Architectures {
		if !slices.Contains(seccompArchs, a) {
			return fmt.Sprintf("architecture %q is not a seccomp architecture", a)
		}
	}
	for i, r := range c.Syscalls {
		if !slices.Contains(seccompActions, r.Action) {
			return fmt.Sprintf("rule %d: action %q is not a seccomp action", i, r.Action)
		}
		if slices.Contains(r.Names, "") {
			return fmt.Sprintf("rule %d: an empty syscall name", i)
		}
		for _, a := range r.Args {
			if !slices.Contains(seccompOps, a.Op) {
				return fmt.Sprintf("rule %d: operator %q is not a seccomp operator", i, a.Op)
			}
		}
	}
	return ""
}

// stub reports whether runc's -ENOSYS stub covers faccessat2 for a config
// whose rules do not name it (patchbpf.generatePatch, findLastSyscalls): the
// default action is not permissive, defaultErrnoRet is not ENOSYS, and the
// rules name at least one syscall, none newer than faccessat2.
func stub(c *specs.LinuxSeccomp) bool {
	if permissive(c.DefaultAction) || c.DefaultErrnoRet != nil && *c.DefaultErrnoRet == linuxENOSYS {
		return false
	}
	some := false
	for _, r := range c.Syscalls {
		for _, n := range r.Names {
			if newerThanFaccessat2[n] {
				return false
			}
			some = true
		}
	}
	return some
}

// newerThanFaccessat2 are the syscalls numbered above faccessat2 (439) on
// x86_64 and in the generic table aarch64 uses, as of Linux 6.19.
var newerThanFaccessat2 = map[string]bool{
	"process_madvise": true, "epoll_pwait2": true, "mount_setattr": true, "quotactl_fd": true,
	"landlock_create_ruleset": true, "landlock_add_rule": true, "landlock_restrict_self": true,
	"memfd_secret": true, "process_mrelease": true, "futex_waitv": true,
	"set_mempolicy_home_node": true, "cachestat": true, "fchmodat2": true,
	"map_shadow_stack": true, "futex_wake": true, "futex_wait": true, "futex_requeue": true,
	"statmount": true, "listmount": true, "lsm_get_self_attr": true, "lsm_set_self_attr": true,
	"lsm_list_modules": true, "mseal": true, "setxattrat": true, "getxattrat": true,
	"listxattrat": true, "removexattrat": true, "open_tree_attr": true,
	"file_getattr": true, "file_setattr": true, "listns": true,
}

// RedundantRule returns the first syscall name, in config order, of a rule
// whose action (with its errnoRet) equals the default action, and whether
// there is one. libseccomp refuses such a rule (seccomp_rule_add_array:
// -EACCES, "requested action matches default action of filter"), which
// runc before v1.0.2 passes on as a fatal error (libcontainer/seccomp/
// seccomp_linux.go:matchCall, `error adding seccomp filter rule for syscall
// NAME: permission denied`); v1.0.2 on skips it (960182fdf). With
// ignoreDefaultErrnoRet the default action's errno is EPERM whatever
// defaultErrnoRet says (runc before rc95). Names libseccomp does not know,
// which runc skips before this check, are not modelled: every name counts.
// A nil s has no rules: "", false.
func (s *Seccomp) RedundantRule(ignoreDefaultErrnoRet bool) (string, bool) {
	r, ok := s.Redundant(ignoreDefaultErrnoRet)
	return r.Name, ok
}

// A Redundant is the first rule whose action equals the default action.
type Redundant struct {
	// Name is its first syscall name, in config order.
	Name string
	// Conditional: the rule has argument conditions, which runc adds with
	// AddRuleConditional and reports as `error adding seccomp rule for
	// syscall NAME` (an unconditional one: `error adding seccomp filter
	// rule …`; libcontainer/seccomp/seccomp_linux.go:matchCall@v1.0.0-rc92,
	// v1.0.1; real runs of rc92).
	Conditional bool
}

// Redundant is RedundantRule with whether the rule is conditional.
func (s *Seccomp) Redundant(ignoreDefaultErrnoRet bool) (Redundant, bool) {
	if s == nil {
		return Redundant{}, false
	}
	c := &s.Config
	ret := c.DefaultErrnoRet
	if ignoreDefaultErrnoRet {
		ret = nil
	}
	def := resolve(c.DefaultAction, ret)
	for _, r := range c.Syscalls {
		if resolve(r.Action, r.ErrnoRet) != def {
			continue
		}
		for _, n := range r.Names {
			if n != "" {
				return Redundant{Name: n, Conditional: len(r.Args) > 0}, true
			}
		}
	}
	return Redundant{}, false
}

// IgnoringDefaultErrnoRet returns s as a runtime that ignores
// defaultErrnoRet sees it (runc before rc95: the default action's errno is
// EPERM): s itself when it has none.
func (s *Seccomp) IgnoringDefaultErrnoRet() *Seccomp {
	if s == nil || s.Config.DefaultErrnoRet == nil {
		return s
	}
	c := *s
	c.Config.DefaultErrnoRet = nil
	return &c
}
