package preexec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestFixesIssue11 pins the two wrong fixes issue 11 reported: each fix
// is printed only if the runtime starts after it, and a runtime fix names
// the rows that start, never a hard-coded "≥ X".
func TestFixesIssue11(t *testing.T) {
	entry := rootfs.MustParseFixture(`
file /bin/sh        0755 0:0 busybox
file /entrypoint.sh 0744 0:0 script=/bin/sh
`).Mem()
	const (
		f2EPERM = `,"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}}`
		dac     = `"capabilities":{"bounding":["CAP_DAC_OVERRIDE"],"effective":["CAP_DAC_OVERRIDE"],"permitted":["CAP_DAC_OVERRIDE"]},`
		none    = `"capabilities":{},`
		runtime = "use runc 1.0.0-rc92 … 1.1.3, 1.1.6 … 1.6.0-rc.1 or crun 1.8.1 true\n"
		chmod   = "chmod o+x /entrypoint.sh true\nchown 1000 /entrypoint.sh true\n"
	)
	rows := []struct {
		name, caps, linux string
		nnp               bool
		kernel            uint32
		want, rule        string
	}{
		{"kernel_5_4_nnp_set", dac, "", true, access.KernelVersion(5, 4),
			chmod + "run on Linux 5.8 or later, which has faccessat2 true\n" + runtime,
			"issue 11: noNewPrivileges already set is not suggested; faccessat2 is ENOSYS before 5.8 whatever seccomp does, so the kernel is the cause"},
		{"kernel_5_4_seccomp", dac, f2EPERM, false, access.KernelVersion(5, 4),
			chmod + runtime,
			"on 5.4 noNewPrivileges alone leaves faccessat2 ENOSYS, and 5.8 alone meets the filter's EPERM: neither starts it"},
		{"seccomp_eperm", dac, f2EPERM, false, 0,
			chmod + "set noNewPrivileges: runc then installs the seccomp filter after its checks true\nlet faccessat2 through the seccomp profile true\n" + runtime,
			"the 1.1.4 incident: the filter is the cause; 1.1.4 and 1.1.5 are not named"},
		{"no_caps_seccomp", none, f2EPERM, false, 0,
			chmod,
			"issue 11: no effective capabilities: every runtime fails, so no runtime (1.1.6 above all) is named, and CAP_DAC_OVERRIDE is not offered: access(2) ignores it"},
		{"no_caps", none, "", false, 0,
			chmod + "add CAP_DAC_OVERRIDE to the effective, permitted and bounding capabilities true\n",
			"faccessat2(AT_EACCESS) honours CAP_DAC_OVERRIDE: the capability is a fix, no runtime is"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	rt, err := preexec.LookupRuntime("runc@1.1.4")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			cfg := fmt.Sprintf(`{"root":{"path":"rootfs"},"process":{"user":{"uid":1000,"gid":1000},"cwd":"/","args":["/entrypoint.sh"],"env":["PATH=/bin"],%s"noNewPrivileges":%v}%s}`, r.caps, r.nnp, r.linux)
			plan, err := spec.Parse("config.json", []byte(cfg))
			if err != nil {
				t.Fatal(err)
			}
			host := preexec.Host{Kernel: r.kernel}
			res := preexec.Evaluate(plan, entry, rt, host)
			if res.Step != preexec.StepEaccess {
				t.Fatalf("fails at %s (%s), want eaccess", res.Step, res.Text)
			}
			if got := resulttest.FixesText(res); got != r.want {
				t.Errorf("fixes:\n%s\nwant:\n%s\nrule: %s", got, r.want, r.rule)
			}
			for _, f := range res.Fixes() {
				if f.Kind == preexec.FixNoNewPrivileges && plan.NoNewPrivileges {
					t.Errorf("noNewPrivileges is already set, yet suggested")
				}
				if f.Kind == preexec.FixRuntime {
					for _, n := range f.Runtimes {
						if strings.HasPrefix(n, "runc@1.1.4+") || strings.HasPrefix(n, "runc@1.1.5+") {
							t.Errorf("runtime fix names %s, which fails", n)
						}
					}
				}
			}
		})
	}
}

// TestFixApply pins what Apply makes of each kind.
func TestFixApply(t *testing.T) {
	fsys := rootfs.MustParseFixture(`
file /bin/suid 04755 0:0 busybox
dir  /home     0700 0:0
`).Mem()
	plan := config(t, 1000, 1000, "/", []string{"/bin/suid"}, nil, nil, 0)
	rt, _ := preexec.LookupRuntime("runc@1.1.4")

	chown := preexec.Fix{Kind: preexec.FixChown, Path: "/bin/suid", UID: 1000}
	_, got, _, _, err := chown.Apply(plan, fsys, rt, preexec.Host{})
	if err != nil {
		t.Fatal(err)
	}
	if ino, _ := got.Lstat("/bin/suid"); ino.UID != 1000 || ino.Mode&0o7777 != 0o755 {
		t.Errorf("chown: %s %d, want -rwxr-xr-x 1000 (fs/attr.c: chown clears S_ISUID)", access.FormatMode(ino.Mode), ino.UID)
	}
	if ino, _ := fsys.Lstat("/bin/suid"); ino.UID != 0 {
		t.Errorf("chown changed the root filesystem it was laid over")
	}
	chmod := preexec.Fix{Kind: preexec.FixChmod, Path: "/home", Mode: 0o701}
	if _, got, _, _, _ = chmod.Apply(plan, fsys, rt, preexec.Host{}); got != nil {
		if ino, _ := got.Lstat("/home"); ino.Mode != access.S_IFDIR|0o701 {
			t.Errorf("chmod: %s, want drwx-----x", access.FormatMode(ino.Mode))
		}
	}
	grp := preexec.Fix{Kind: preexec.FixGroup, GID: 42}
	np, _, _, _, err := grp.Apply(plan, fsys, rt, preexec.Host{})
	if err != nil || fmt.Sprint(np.User.AdditionalGids) != "[42]" || len(plan.User.AdditionalGids) != 0 {
		t.Errorf("group: %v %v (the plan given: %v)", np, err, plan.User.AdditionalGids)
	}
	run := preexec.Fix{Kind: preexec.FixRuntime, Runtimes: []string{"crun@1.8.1"}}
	if _, _, nrt, _, err := run.Apply(plan, fsys, rt, preexec.Host{}); err != nil || nrt.Name != "crun@1.8.1" {
		t.Errorf("runtime: %s %v", nrt.Name, err)
	}
	h := preexec.Fix{Kind: preexec.FixHint, Text: "install it"}
	if _, _, _, _, err := h.Apply(plan, fsys, rt, preexec.Host{}); !errors.Is(err, preexec.ErrNotApplicable) {
		t.Errorf("hint: %v, want ErrNotApplicable", err)
	}
}

// The rc93 incident's fixes: each was applied to the model and rc93 then
// starts the container; the runtime fix names every row that starts it.
func ExampleResult_Fixes() {
	plan, err := spec.Parse("config.json", []byte(distrolessConfig))
	if err != nil {
		panic(err)
	}
	fsys := rootfs.MustParseFixture(`
dir  /home/nonroot 0700 65532:65532
file /app          0755 0:0 busybox
`).Mem()
	rt, _ := preexec.LookupRuntime("runc@1.0.0-rc93")
	for _, f := range preexec.Evaluate(plan, fsys, rt, preexec.Host{}).Fixes() {
		fmt.Printf("%s: %s (%s)\n", f.Kind, f.Text, f.Where[0].Text)
	}
	// Output:
	// chmod: chmod o+x /home/nonroot (chmod o+x rootfs/home/nonroot)
	// chown: chown 1000680000 /home/nonroot (chown 1000680000 rootfs/home/nonroot)
	// user: run as uid 65532, the owner of /home/nonroot (set process.user.uid to 65532)
	// runtime: use runc 1.0.0-rc92, 1.0.0-rc94 … 1.6.0-rc.1 or crun 1.8.1 (use runc 1.0.0-rc92, 1.0.0-rc94 … 1.6.0-rc.1 or crun 1.8.1)
}
