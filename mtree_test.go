//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package preexec_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// distrolessMTree is a distroless-like image as a manifest: the 0700 home
// of the rc93 incident, a 0744 entrypoint, an empty file, and /etc/passwd
// and /etc/group whose contents the manifest does not hold.
const distrolessMTree = `#mtree v2.0
/set type=file uid=0 gid=0 mode=0755
. type=dir
./bin type=dir
./bin/app size=812345
./bin/empty size=0
./entrypoint.sh mode=0744 size=40
./etc type=dir
./etc/passwd mode=0644 size=120
./etc/group mode=0644 size=80
./home type=dir
./home/nonroot type=dir mode=0700 uid=65532 gid=65532
`

// distrolessMem is the tree of distrolessMTree with contents.
const distrolessMem = `
dir /bin 0755 0:0
file /bin/app 0755 0:0 busybox
file /bin/empty 0755 0:0
file /entrypoint.sh 0744 0:0 script=/bin/app
dir /etc 0755 0:0
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\n"
file /etc/group 0644 0:0 text="root:x:0:\nstaff:x:10:\n"
dir /home/nonroot 0700 65532:65532
`

// TestEvaluateMTree pins what Evaluate says on a manifest: what it can tell
// without contents it tells as on the same tree with contents (a Mem, which
// the runtime oracle holds to the real runtimes); where a step needs a
// file's bytes, the result is unknown at that step, with why, and the tree
// with contents gets at least that far.
func TestEvaluateMTree(t *testing.T) {
	m, err := rootfs.ParseMTree("distroless.mtree", strings.NewReader(distrolessMTree))
	if err != nil {
		t.Fatal(err)
	}
	mem := rootfs.MustParseFixture(distrolessMem).Mem()
	noF2 := preexec.Host{Kernel: access.KernelVersion(5, 4)}
	rows := []struct {
		name    string
		runtime string
		uid     uint32
		cwd     string
		args    []string
		caps    []string
		groups  string // additionalGids, JSON
		host    preexec.Host
		step    preexec.Step
		unknown string // "" for an outcome the manifest tells
		rule    string
	}{
		{"exec_needs_head", "runc@1.2.0+go1.26", 1000, "/", []string{"/bin/app"}, nil, "", preexec.Host{}, preexec.StepExecve,
			"the manifest has no file contents: execve reads the head of /bin/app (its #! line, or its ELF header and program headers)",
			"fs/exec.c:bprm_execve reads BINPRM_BUF_SIZE bytes to choose a format: unknown without contents"},
		{"crun_exec_needs_head", "crun@1.8.1", 1000, "/", []string{"/bin/app"}, nil, "", preexec.Host{}, preexec.StepExecve,
			"the manifest has no file contents: execve reads the head of /bin/app (its #! line, or its ELF header and program headers)",
			"crun execv: the same kernel read"},
		{"rc93_chdir_known", "runc@1.0.0-rc93+go1.19", 1000680000, "/home/nonroot", []string{"/bin/app"}, nil, "", preexec.Host{}, preexec.StepChdir, "",
			"the rc93 incident needs modes and owners only: the manifest tells it"},
		{"rc94_retry_then_unknown", "runc@1.0.0-rc94+go1.19", 1000680000, "/home/nonroot", []string{"/bin/app"}, nil, "", preexec.Host{}, preexec.StepExecve,
			"the manifest has no file contents: execve reads the head of /bin/app (its #! line, or its ELF header and program headers)",
			"rc94 retries the chdir as root and gets to execve, which needs the head"},
		{"eaccess_1_1_4_known", "runc@1.1.4+go1.19", 1000, "/", []string{"/entrypoint.sh"}, []string{"CAP_DAC_OVERRIDE"}, "", noF2, preexec.StepEaccess, "",
			"the 1.1.4 incident: access(2) without faccessat2 decides from the mode, before any byte is read"},
		{"empty_file_known", "runc@1.2.0+go1.26", 0, "/", []string{"/bin/empty"}, nil, "", preexec.Host{}, preexec.StepExecve, "",
			"size=0: the file is known to be empty, and no binary format takes it (ENOEXEC)"},
		{"group_lookup_unknown", "runc@1.2.0+go1.26", 1000, "/", []string{"/bin/app"}, nil, `[10]`, preexec.Host{}, preexec.StepUser,
			"the manifest has no file contents: the user lookup reads /etc/group",
			"libcontainer/user.GetAdditionalGroupsPath reads /etc/group for additionalGids: unknown without its contents"},
		{"group_not_read_without_additional", "runc@1.2.0+go1.26", 1000, "/", []string{"/bin/app"}, nil, "", preexec.Host{}, preexec.StepExecve,
			"the manifest has no file contents: execve reads the head of /bin/app (its #! line, or its ELF header and program headers)",
			"without additionalGids the contents of /etc/passwd and /etc/group change nothing (user.go: uid in range)"},
		{"missing_known", "runc@1.2.0+go1.26", 1000, "/", []string{"/bin/nope"}, nil, "", preexec.Host{}, preexec.StepLookPath, "",
			"a name the manifest does not list does not exist: LookPath's stat fails"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			plan := configGroups(t, r.uid, 0, r.cwd, r.args, r.caps, r.groups)
			rt, err := preexec.LookupRuntime(r.runtime)
			if err != nil {
				t.Fatal(err)
			}
			res := preexec.Evaluate(plan, m, rt, r.host)
			full := preexec.Evaluate(plan, mem, rt, r.host)
			if res.Step != r.step || res.Unknown != r.unknown {
				t.Fatalf("%s: step %s unknown %q, want step %s unknown %q\nrule: %s", r.runtime, res.Step, res.Unknown, r.step, r.unknown, r.rule)
			}
			if r.unknown == "" {
				// A fix is verified on the manifest only if the runtime's
				// checks after it need no contents: a subset of the tree's.
				if res.Starts != full.Starts || res.Text != full.Text || !resulttest.FixesWithin(res, full) || full.Step != r.step {
					t.Errorf("%s on the manifest: %v %s %q\non the tree with contents: %v %s %q\nrule: %s", r.runtime, res.Starts, res.Step, res.Text, full.Starts, full.Step, full.Text, r.rule)
				}
				return
			}
			if res.Starts || res.Text != "" || res.Fixes() != nil || !errors.Is(res.Err, access.ErrNoContent) {
				t.Errorf("unknown result: starts %v error %q fixes %v err %v", res.Starts, res.Text, res.Fixes(), res.Err)
			}
			if steps := stepOrder(); steps[full.Step] < steps[r.step] {
				t.Errorf("with contents %s stops at %s, before the unknown step %s", r.runtime, full.Step, r.step)
			}
		})
	}
}

// stepOrder ranks the steps in the order runc takes them.
func stepOrder() map[preexec.Step]int {
	rank := map[preexec.Step]int{}
	for i, s := range []preexec.Step{preexec.StepConfig, preexec.StepMkdirCwd, preexec.StepUser, preexec.StepChdir, preexec.StepCaps,
		preexec.StepLookPath, preexec.StepEaccess, preexec.StepExecve, preexec.StepInterpreter, preexec.StepStarted} {
		rank[s] = i
	}
	return rank
}

// TestCompareEqualsEvaluateMTree holds the memoized Compare to Evaluate on
// a manifest, unknown results included, for every runtime and a few
// containers.
func TestCompareEqualsEvaluateMTree(t *testing.T) {
	m, err := rootfs.ParseMTree("distroless.mtree", strings.NewReader(distrolessMTree))
	if err != nil {
		t.Fatal(err)
	}
	rts := preexec.Runtimes()
	unknown := 0
	for _, c := range []struct {
		uid    uint32
		cwd    string
		args   []string
		groups string
	}{
		{1000680000, "/home/nonroot", []string{"/bin/app"}, ""},
		{1000, "/", []string{"/entrypoint.sh"}, ""},
		{1000, "/", []string{"app"}, "[10]"},
		{0, "/new/dir", []string{"/bin/empty"}, ""},
	} {
		plan := configGroups(t, c.uid, 0, c.cwd, c.args, nil, c.groups)
		for _, host := range []preexec.Host{{}, {Kernel: access.KernelVersion(5, 4)}} {
			cmp := preexec.Compare(plan, m, rts, host)
			for i, rt := range rts {
				want := preexec.Evaluate(plan, m, rt, host)
				got := cmp.Results[i]
				if got.Starts != want.Starts || got.Step != want.Step || got.Text != want.Text || got.Unknown != want.Unknown || resulttest.FixesText(got) != resulttest.FixesText(want) {
					t.Errorf("%s %v: Compare %v %s %q %q, Evaluate %v %s %q %q", rt.Name, c.args, got.Starts, got.Step, got.Text, got.Unknown, want.Starts, want.Step, want.Text, want.Unknown)
				}
				if want.Unknown != "" {
					unknown++
				}
			}
			for _, g := range cmp.Groups {
				for _, name := range g.Runtimes {
					rt, _ := preexec.LookupRuntime(name)
					if r := preexec.Evaluate(plan, m, rt, host); r.Unknown != g.Unknown || r.Text != g.Error {
						t.Errorf("group %q/%q holds %s, whose result is %q/%q", g.Error, g.Unknown, name, r.Text, r.Unknown)
					}
				}
			}
		}
	}
	if unknown == 0 {
		t.Error("no unknown result: the test does not test what it says")
	}
}

// configGroups is config with additionalGids (a JSON list, "" for none),
// PATH=/bin and no seccomp.
func configGroups(t *testing.T, uid, gid uint32, cwd string, args, capNames []string, groups string) *spec.Plan {
	t.Helper()
	p := config(t, uid, gid, cwd, args, []string{"PATH=/bin"}, capNames, 0)
	if groups == "" {
		return p
	}
	sp := *p.Spec
	proc := *sp.Process
	sp.Process = &proc
	if err := json.Unmarshal([]byte(groups), &proc.User.AdditionalGids); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&sp)
	if err != nil {
		t.Fatal(err)
	}
	q, err := spec.Parse("config.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
