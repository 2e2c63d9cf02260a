package spec_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

// Seccomp profiles of the shapes engines ship. Rules list only a few names;
// what matters is whether faccessat2 is among them and the largest name.
const (
	// oldDockerLike: Docker before 20.10 — no faccessat2, default EPERM,
	// newest name clone3 (435).
	oldDockerLike = `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
		"syscalls":[{"names":["access","clone3","execve","faccessat","openat"],"action":"SCMP_ACT_ALLOW"}]}`
	// newDockerLike: faccessat2 allowed, default EPERM given explicitly.
	newDockerLike = `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],
		"syscalls":[{"names":["access","execve","faccessat","faccessat2","openat","epoll_pwait2"],"action":"SCMP_ACT_ALLOW"}]}`
)

// TestFaccessat2 pins what a filter makes faccessat2 do.
func TestFaccessat2(t *testing.T) {
	const x86, arm = specs.ArchX86_64, specs.ArchAARCH64
	rows := []struct {
		name string
		sec  string // linux.seccomp; "" for none
		arch specs.Arch
		want spec.Verdict
		rule string
	}{
		{"no_filter", "", x86,
			spec.Verdict{Effect: spec.Runs, Rule: -1},
			"no linux.seccomp: the kernel runs faccessat2"},
		{"default_allow", `{"defaultAction":"SCMP_ACT_ALLOW"}`, x86,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1},
			"SCMP_ACT_ALLOW: the call runs"},
		{"default_log", `{"defaultAction":"SCMP_ACT_LOG","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_LOG", Rule: -1},
			"SCMP_ACT_LOG: logged, then run; a permissive default gets no -ENOSYS stub"},
		{"default_errno_without_ret_eperm", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","listns"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"runc getAction: SCMP_ACT_ERRNO without errnoRet is EPERM"},
		{"default_errno_ret_enosys", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.ENOSYS, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"defaultErrnoRet 38 is ENOSYS; runc adds no stub for it (generatePatch)"},
		{"default_errno_ret_other", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":95,"syscalls":[{"names":["mseal"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: spec.LinuxErrno(95), Action: "SCMP_ACT_ERRNO", Rule: -1},
			"an errno access has no name for is a LinuxErrno"},
		{"default_errno_ret_zero", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":0}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: nil, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"SECCOMP_RET_ERRNO with data 0: faccessat2 returns 0 without looking at the path"},
		{"errno_ret_capped", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: spec.LinuxErrno(4095), Action: "SCMP_ACT_ERRNO", Rule: -1},
			"kernel/seccomp.c: SECCOMP_RET_ERRNO data is capped at MAX_ERRNO"},
		{"errno_ret_truncated_16_bits", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":65549}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"runc SetReturnCode(int16(errnoRet)) and SCMP_ACT_ERRNO(x) keep 16 bits: 65549 is 13, EACCES"},
		{"old_docker_enosys_stub", oldDockerLike, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1, ENOSYSStub: true},
			"faccessat2 (439) is newer than clone3 (435), the newest name: runc ≥rc93's stub answers ENOSYS (alpinelinux/docker-alpine#182)"},
		{"old_docker_enosys_stub_arm64", oldDockerLike, arm,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1, ENOSYSStub: true},
			"the native architecture is filtered whether or not the list names it (seccomp_init adds it)"},
		{"newer_name_no_stub", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","epoll_pwait2"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"epoll_pwait2 (441) is newer than faccessat2: the stub's bound is above 439, the filter's EPERM stands"},
		{"no_names_no_stub", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"findLastSyscalls: an architecture with no known syscall gets no stub"},
		{"new_docker_allows", newDockerLike, x86,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: 0},
			"a rule naming faccessat2 decides with its action"},
		{"rule_errno_without_ret", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"a rule's SCMP_ACT_ERRNO without errnoRet is EPERM"},
		{"rule_errno_enosys", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["openat","faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.ENOSYS, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"a rule's errnoRet is what faccessat2 returns"},
		{"redundant_rule_skipped", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":1},{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"runc matchCall skips a rule whose action equals the default; it still names faccessat2, so no stub"},
		{"first_unconditional_rule", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38},{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.ENOSYS, Action: "SCMP_ACT_ERRNO", Rule: 1},
			"rules with the same action agree; the first is reported"},
		{"conflicting_rules_uncertain", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ALLOW"},{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`, x86,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: 0, Uncertain: true, Reason: "rules 0 and 1 give faccessat2 different actions"},
			"libseccomp's merging of conflicting unconditional rules is not modelled"},
		{"conditional_rule_uncertain", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ALLOW","args":[{"index":3,"value":512,"op":"SCMP_CMP_EQ"}]}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.ENOSYS, Action: "SCMP_ACT_ERRNO", Rule: -1, Uncertain: true,
				Reason: "rule 0 (SCMP_ACT_ALLOW) applies only when its argument conditions hold"},
			"a rule with args applies only when they match; the verdict gives the outcome when they do not"},
		{"conditional_same_as_decided", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ALLOW"},{"names":["faccessat2"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":1,"op":"SCMP_CMP_EQ"}]}]}`, x86,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: 0},
			"a conditional rule with the deciding action changes nothing"},
		{"kill_dies", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_KILL"}]}`, x86,
			spec.Verdict{Effect: spec.Dies, Action: "SCMP_ACT_KILL", Rule: 0},
			"SCMP_ACT_KILL (KILL_THREAD in runc): the process dies of SIGSYS"},
		{"kill_process_default_with_stub", `{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Dies, Action: "SCMP_ACT_KILL_PROCESS", Rule: -1, ENOSYSStub: true},
			"a kill default is not permissive: runc's stub answers ENOSYS before it"},
		{"trap_dies", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_TRAP"}]}`, x86,
			spec.Verdict{Effect: spec.Dies, Action: "SCMP_ACT_TRAP", Rule: 0},
			"SCMP_ACT_TRAP: SIGSYS, fatal to Go's runtime in runc's init"},
		{"trace_enosys_uncertain", `{"defaultAction":"SCMP_ACT_TRACE","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Returns, Err: access.ENOSYS, Action: "SCMP_ACT_TRACE", Rule: -1, Uncertain: true,
				Reason: "SCMP_ACT_TRACE: ENOSYS unless a tracer is attached (seccomp(2))"},
			"seccomp(2): with no tracer the call fails with ENOSYS; TRACE counts as permissive for the stub"},
		{"notify_uncertain", `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_NOTIFY"}]}`, x86,
			spec.Verdict{Effect: spec.Notifies, Action: "SCMP_ACT_NOTIFY", Rule: 0, Uncertain: true, Reason: "SCMP_ACT_NOTIFY: the seccomp agent answers"},
			"SCMP_ACT_NOTIFY: the agent decides"},
		{"unknown_arch_uncertain", newDockerLike, specs.ArchS390X,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: 0, Uncertain: true, Reason: `architecture "SCMP_ARCH_S390X" is not modelled`},
			"only x86_64 and aarch64 syscall tables are modelled"},
		{"rejected_unknown_action", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_FOO"}]}`, x86,
			spec.Verdict{Effect: spec.Rejected, Rule: -1, Reason: `rule 0: action "SCMP_ACT_FOO" is not a seccomp action`},
			"runc ConvertStringToAction: string SCMP_ACT_FOO is not a valid action for seccomp"},
		{"rejected_missing_default", `{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Rejected, Rule: -1, Reason: `defaultAction "" is not a seccomp action`},
			"rules without a defaultAction: runc cannot convert the empty action"},
		{"rejected_empty_name", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",""],"action":"SCMP_ACT_ALLOW"}]}`, x86,
			spec.Verdict{Effect: spec.Rejected, Rule: -1, Reason: "rule 0: an empty syscall name"},
			"runc matchCall: empty string is not a valid syscall"},
		{"rejected_notify_default", `{"defaultAction":"SCMP_ACT_NOTIFY"}`, x86,
			spec.Verdict{Effect: spec.Rejected, Rule: -1, Reason: "SCMP_ACT_NOTIFY cannot be the default action"},
			"runc InitSeccomp: SCMP_ACT_NOTIFY cannot be used as default action"},
		{"rejected_unknown_arch", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PDP11"]}`, x86,
			spec.Verdict{Effect: spec.Rejected, Rule: -1, Reason: `architecture "SCMP_ARCH_PDP11" is not a seccomp architecture`},
			"runc ConvertStringToArch rejects an unknown architecture"},
		{"rejected_unknown_operator", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}`, x86,
			spec.Verdict{Effect: spec.Rejected, Rule: -1, Reason: `rule 0: operator "SCMP_CMP_XX" is not a seccomp operator`},
			"runc ConvertStringToOperator rejects an unknown operator"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c := config("", "", "")
			if r.sec != "" {
				c = seccompConfig(r.sec)
			}
			p, err := spec.Parse("config.json", []byte(c))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := p.Seccomp.Faccessat2For(r.arch)
			if diff := cmp.Diff(r.want, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestInstalledBeforeChecks pins where runc installs the filter.
func TestInstalledBeforeChecks(t *testing.T) {
	rows := []struct {
		name   string
		config string
		want   bool
		rule   string
	}{
		{"nnp_false", seccompConfig(newDockerLike), true,
			"runc standard_init_linux.go:Init: without noNewPrivileges the filter is installed before finalizeNamespace"},
		{"nnp_true", config(`"noNewPrivileges":true`, "", `"seccomp":`+newDockerLike), false,
			"with noNewPrivileges the filter is installed after the checks: only execve is filtered"},
		{"no_filter", config("", "", ""), false,
			"no filter is never in force"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		p, err := spec.Parse("config.json", []byte(r.config))
		if err != nil {
			t.Fatalf("%s: Parse: %v", r.name, err)
		}
		if got := p.Seccomp.InstalledBeforeChecks(); got != r.want {
			t.Errorf("%s: InstalledBeforeChecks() = %v, want %v", r.name, got, r.want)
		}
	}
}

func TestEffectString(t *testing.T) {
	for e, want := range map[spec.Effect]string{spec.Runs: "runs", spec.Returns: "returns", spec.Dies: "dies",
		spec.Notifies: "notifies", spec.Rejected: "rejected", 9: "Effect(9)"} {
		if got := e.String(); got != want {
			t.Errorf("Effect(%d).String() = %q, want %q", e, got, want)
		}
	}
	if got := spec.LinuxErrno(95).Error(); got != "errno 95" {
		t.Errorf("LinuxErrno(95).Error() = %q", got)
	}
}

// TestRedundantRule pins which rule libseccomp refuses as equal to the
// default action (runc before v1.0.2 fails on it).
func TestRedundantRule(t *testing.T) {
	rows := []struct {
		name, sec string
		ignoreRet bool
		want      string
		wantOK    bool
		rule      string
	}{
		{"allowlist_only", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}`, false, "", false,
			"ALLOW rules under an ERRNO default differ from it"},
		{"errno_rule_equals_default", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO"}]}`, false, "faccessat2", true,
			"SCMP_ACT_ERRNO without errnoRet is EPERM, as the default without defaultErrnoRet (seccomp_rule_add_array -EACCES)"},
		{"errno_rule_other_errno", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`, false, "", false,
			"errnoRet 38 against the default's EPERM: a different action"},
		{"default_errno_ret_honoured", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO"}]}`, false, "", false,
			"rc95 on: the default is ERRNO(38), the rule ERRNO(1)"},
		{"default_errno_ret_ignored", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO"}]}`, true, "faccessat2", true,
			"before rc95 defaultErrnoRet is ignored, so the default is ERRNO(1) like the rule"},
		{"allow_rule_under_allow", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["","getpid"],"action":"SCMP_ACT_ALLOW"}]}`, false, "getpid", true,
			"an ALLOW rule under an ALLOW default is redundant too; the first non-empty name is reported"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := spec.Parse("config.json", []byte(seccompConfig(r.sec)))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Seccomp.RedundantRule(r.ignoreRet)
			if got != r.want || ok != r.wantOK {
				t.Errorf("RedundantRule(%v) = %q, %v; want %q, %v (%s)", r.ignoreRet, got, ok, r.want, r.wantOK, r.rule)
			}
		})
	}
	var none *spec.Seccomp
	if n, ok := none.RedundantRule(false); ok || n != "" {
		t.Errorf("nil filter: RedundantRule = %q, %v", n, ok)
	}
}

// TestSyscall pins what a filter does with one call and its arguments, as
// runc's matchCall and crun's libcrun_generate_seccomp add rules and
// libseccomp compares arguments.
func TestSyscall(t *testing.T) {
	const x86, arm = specs.ArchX86_64, specs.ArchAARCH64
	execveEACCES := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_ERRNO","errnoRet":13%s}]}`
	faccessat2Rule := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[%s]}]}`
	rows := []struct {
		name, sec, call string
		arch            specs.Arch
		args            *spec.Args
		want            spec.Verdict
		rule            string
	}{
		{"execve_rule", fmt.Sprintf(execveEACCES, ""), "execve", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"a rule naming execve decides for it (real runs: every runc and crun print execve's EACCES)"},
		{"execveat_not_named", fmt.Sprintf(execveEACCES, ""), "execveat", x86, nil,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1},
			"execveat is a call of its own: a rule naming execve does not cover it"},
		{"pointer_ne_zero_holds", fmt.Sprintf(execveEACCES, `,"args":[{"index":0,"value":0,"op":"SCMP_CMP_NE"}]`), "execve", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"a path is a pointer that is not NULL: NE 0 holds (real runs: execve refused on every runtime)"},
		{"pointer_eq_zero_fails", fmt.Sprintf(execveEACCES, `,"args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]`), "execve", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1},
			"a path is never NULL: EQ 0 does not hold, the default decides"},
		{"pointer_value_unknown", fmt.Sprintf(execveEACCES, `,"args":[{"index":0,"value":4096,"op":"SCMP_CMP_GT"}]`), "execve", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1, Uncertain: true, Reason: "rule 0 (SCMP_ACT_ERRNO) applies only when its argument conditions hold"},
			"a pointer's value is not known: the rule may apply"},
		{"faccessat2_mode_eq_x_ok", fmt.Sprintf(faccessat2Rule, `{"index":2,"value":1,"op":"SCMP_CMP_EQ"}`), "faccessat2", x86, spec.Faccessat2Args,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"faccessat2(AT_FDCWD, path, X_OK, AT_EACCESS): mode is 1"},
		{"faccessat2_mode_eq_r_ok", fmt.Sprintf(faccessat2Rule, `{"index":2,"value":4,"op":"SCMP_CMP_EQ"}`), "faccessat2", x86, spec.Faccessat2Args,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1},
			"a mode other than X_OK does not match the check's call"},
		{"faccessat2_flags_masked", fmt.Sprintf(faccessat2Rule, `{"index":3,"value":512,"valueTwo":512,"op":"SCMP_CMP_MASKED_EQ"}`), "faccessat2", x86, spec.Faccessat2Args,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"SCMP_CMP_MASKED_EQ: arg & value == valueTwo; AT_EACCESS is 0x200"},
		{"faccessat2_dirfd_sign_extended", fmt.Sprintf(faccessat2Rule, `{"index":0,"value":18446744073709551516,"op":"SCMP_CMP_EQ"}`), "faccessat2", x86, spec.Faccessat2Args,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"AT_FDCWD (-100) is compared as 64 bits, sign-extended by Go and glibc"},
		{"and_of_conditions", fmt.Sprintf(faccessat2Rule, `{"index":2,"value":1,"op":"SCMP_CMP_EQ"},{"index":3,"value":0,"op":"SCMP_CMP_EQ"}`), "faccessat2", x86, spec.Faccessat2Args,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1},
			"conditions on different arguments must all hold (one rule)"},
		{"or_of_same_argument", fmt.Sprintf(faccessat2Rule, `{"index":2,"value":4,"op":"SCMP_CMP_EQ"},{"index":2,"value":1,"op":"SCMP_CMP_EQ"}`), "faccessat2", x86, spec.Faccessat2Args,
			spec.Verdict{Effect: spec.Returns, Err: access.EACCES, Action: "SCMP_ACT_ERRNO", Rule: 0},
			"two conditions on one argument are added as a rule each: either holds (runc matchCall, crun)"},
		{"unknown_args", fmt.Sprintf(faccessat2Rule, `{"index":2,"value":1,"op":"SCMP_CMP_EQ"}`), "faccessat2", x86, nil,
			spec.Verdict{Effect: spec.Runs, Action: "SCMP_ACT_ALLOW", Rule: -1, Uncertain: true, Reason: "rule 0 (SCMP_ACT_ERRNO) applies only when its argument conditions hold"},
			"arguments not known: the conditional rule may apply"},
		{"stub_covers_execve", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}`, "execve", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1, ENOSYSStub: true},
			"execve (59) is newer than write (1), the last named: runc's stub answers ENOSYS"},
		{"stub_not_below_last", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","openat"],"action":"SCMP_ACT_ALLOW"}]}`, "chdir", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1},
			"chdir (80) is older than openat (257): the filter's EPERM stands"},
		{"stub_other_arch_uncertain", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, "execve", arm, spec.PathArgs,
			spec.Verdict{Effect: spec.Returns, Err: access.EPERM, Action: "SCMP_ACT_ERRNO", Rule: -1, Uncertain: true, Reason: `runc's -ENOSYS stub for execve on "SCMP_ARCH_AARCH64" is not modelled`},
			"aarch64's numbers are not modelled for calls other than faccessat2"},
		{"kill_process", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_KILL_PROCESS"}]}`, "execve", x86, spec.PathArgs,
			spec.Verdict{Effect: spec.Dies, Action: "SCMP_ACT_KILL_PROCESS", Rule: 0},
			"SCMP_ACT_KILL_PROCESS: the process dies of SIGSYS"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := spec.Parse("config.json", []byte(seccompConfig(r.sec)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := p.Seccomp.Syscall(r.call, r.arch, r.args)
			if diff := cmp.Diff(r.want, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
