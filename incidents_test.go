package preexec_test

import (
	"encoding/json"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// config builds a config.json for the tests: user, cwd, args, env, the
// capability names (every set), noNewPrivileges and an optional seccomp
// errno for faccessat2.
func config(t *testing.T, uid, gid uint32, cwd string, args, env, capNames []string, f2errno int) *spec.Plan {
	t.Helper()
	capsObj := map[string][]string{"bounding": capNames, "effective": capNames, "inheritable": capNames, "permitted": capNames, "ambient": capNames}
	cfg := map[string]any{
		"ociVersion": "1.0.2",
		"root":       map[string]any{"path": "rootfs"},
		"process": map[string]any{
			"user": map[string]any{"uid": uid, "gid": gid}, "cwd": cwd, "args": args, "env": env,
			"capabilities": capsObj,
		},
	}
	if f2errno != 0 {
		cfg["linux"] = map[string]any{"seccomp": map[string]any{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls":      []any{map[string]any{"names": []string{"faccessat2"}, "action": "SCMP_ACT_ERRNO", "errnoRet": f2errno}},
		}}
	}
	b, _ := json.Marshal(cfg)
	p, err := spec.Parse("config.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIncidents(t *testing.T) {
	distroless := rootfs.MustParseFixture(`
dir /home/nonroot 0700 65532:65532
file /bin/app 0755 0:0 busybox
`).Mem()
	plan := config(t, 1000680000, 0, "/home/nonroot", []string{"/bin/app"}, []string{"PATH=/bin"}, nil, 0)
	for _, r := range []struct{ runtime, want string }{
		{"runc@1.0.0-rc92+go1.19", ""},
		{"runc@1.0.0-rc93+go1.19", `container_linux.go:367: starting container process caused: chdir to cwd ("/home/nonroot") set in config.json failed: permission denied`},
		{"runc@1.0.0-rc94+go1.19", ""},
		{"runc@1.2.0+go1.26", ""},
	} {
		rt, err := preexec.LookupRuntime(r.runtime)
		if err != nil {
			t.Fatal(err)
		}
		res := preexec.Evaluate(plan, distroless, rt, preexec.Host{})
		if res.Text != r.want {
			t.Errorf("%s: %q, want %q", r.runtime, res.Text, r.want)
		}
	}

	entry := rootfs.MustParseFixture(`
file /bin/sh 0755 0:0 busybox
file /entrypoint.sh 0744 0:0 script=/bin/sh
`).Mem()
	plan = config(t, 1000, 1000, "/", []string{"/entrypoint.sh"}, []string{"PATH=/bin"}, []string{"CAP_DAC_OVERRIDE"}, 38)
	for _, r := range []struct{ runtime, want string }{
		{"runc@1.1.3+go1.19", ""},
		{"runc@1.1.4+go1.19", "runc run failed: unable to start container process: exec /entrypoint.sh: permission denied"},
		{"runc@1.1.5+debian", "runc run failed: unable to start container process: exec /entrypoint.sh: permission denied"},
		{"runc@1.1.6+go1.19", ""},
		{"runc@1.1.6+go1.26", ""},
	} {
		rt, err := preexec.LookupRuntime(r.runtime)
		if err != nil {
			t.Fatal(err)
		}
		res := preexec.Evaluate(plan, entry, rt, preexec.Host{})
		if res.Text != r.want {
			t.Errorf("%s: %q, want %q\n%+v", r.runtime, res.Text, r.want, res.Trace())
		}
	}
}

func TestFix(t *testing.T) {
	distroless := rootfs.MustParseFixture(`
dir /home/nonroot 0700 65532:65532
file /bin/app 0755 0:0 busybox
file /bin/sh 0755 0:0 busybox
file /crlf.sh 0755 0:0 text="#!/bin/sh\r\n"
file /noexec 0644 0:0 busybox
`).Mem()
	for _, r := range []struct {
		name, runtime, cwd, args0, want, rule string
	}{
		{"rc93_chdir", "runc@1.0.0-rc93", "/home/nonroot", "/bin/app", "chmod o+x /home/nonroot true\nchown 1000680000 /home/nonroot true\nrun as uid 65532, the owner of /home/nonroot true\nuse runc 1.0.0-rc92, 1.0.0-rc94 … 1.6.0-rc.1 or crun 1.8.1 true\n",
			"the rc93 incident's ways out, each re-evaluated: the other bit, the owner, the owner's uid, every runtime but rc93 (it chdirs without capabilities)"},
		{"crlf", "runc@1.1.3+go1.19", "/", "/crlf.sh", "the #! line ends in a carriage return: convert the script to LF line endings false\n", "binfmt_script.c: \\r stays in the interpreter name"},
		{"no_x_bit", "runc@1.1.3+go1.19", "/", "/noexec", "chmod +x /noexec true\n", "lp_unix.go:findExecutable ≤ go1.19: the mode bits"},
	} {
		plan := config(t, 1000680000, 0, r.cwd, []string{r.args0}, []string{"PATH=/bin"}, nil, 0)
		rt, err := preexec.LookupRuntime(r.runtime)
		if err != nil {
			t.Fatal(err)
		}
		if got := resulttest.FixesText(preexec.Evaluate(plan, distroless, rt, preexec.Host{})); got != r.want {
			t.Errorf("%s: Fix = %q, want %q (%s)", r.name, got, r.want, r.rule)
		}
	}
}
