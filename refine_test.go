package preexec_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestGoPatchUnknown: a Go named without its patch level whose minor spans
// two LookPath variants (1.23.0–1.23.11 and 1.23.12 on) is evaluated at
// both ends; where they differ the result is unknown, saying so, not the
// newest patch's confident answer.
func TestGoPatchUnknown(t *testing.T) {
	plan, err := spec.Parse("config.json", []byte(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
		"process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["."], "env": ["PATH=/bin/busybox"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	fsys := rootfs.MustParseFixture("file /bin/busybox 0755 0:0 busybox\n").Mem()
	eval := func(name string) preexec.Result {
		rt, err := preexec.LookupRuntime(name)
		if err != nil {
			t.Fatal(err)
		}
		return preexec.Evaluate(plan, fsys, rt, preexec.Host{})
	}
	old, new := eval("runc@1.3.0+go1.23.8"), eval("runc@1.3.0+go1.23.12")
	if old.Starts == new.Starts {
		t.Fatalf("the case must tell Go 1.23.8 from 1.23.12: %v / %v", old.Starts, new.Starts)
	}
	for _, name := range []string{"runc@1.3.0", "runc@1.3.0+go1.23"} {
		r := eval(name)
		want := `Go 1.23.0–1.23.11 and ≥ 1.23.12 look up "." differently (starts / fails: ` + new.Text + `); name the build's Go patch, e.g. runc@1.3.0+go1.23.0`
		if r.Starts || r.Text != "" || !strings.HasPrefix(r.Unknown, want) || !errors.Is(r.Err, preexec.ErrGoPatch) {
			t.Errorf("%s: starts %v, error %q, unknown %q; want unknown %q", name, r.Starts, r.Text, r.Unknown, want)
		}
		c := preexec.Compare(plan, fsys, []preexec.Runtime{mustRuntime(t, "runc@1.3.0+go1.26"), mustRuntime(t, name), mustRuntime(t, "runc@1.3.0+go1.23.8")}, preexec.Host{})
		if c.Results[0].Unknown != "" || c.Results[0].Starts || c.Results[1].Unknown != r.Unknown || !c.Results[2].Starts {
			t.Errorf("Compare with %s: %+v", name, c.Results)
		}
	}
	// 1.4.0's official Go is 1.24 (its Dockerfile), which spans 1.24.0–1.24.5
	// and 1.24.6 on; 1.4.4's is 1.26, one class: a confident answer.
	if r := eval("runc@1.4.0"); !strings.Contains(r.Unknown, "Go 1.24.0–1.24.5 and ≥ 1.24.6") {
		t.Errorf("runc@1.4.0: %q", r.Unknown)
	}
	if r := eval("runc@1.4.4"); r.Unknown != "" || r.Starts != new.Starts {
		t.Errorf("runc@1.4.4 (Go 1.26): unknown %q, starts %v", r.Unknown, r.Starts)
	}
	// Where the patches agree, nothing changes.
	plan2, _ := spec.Parse("config.json", []byte(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
		"process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["/bin/busybox"]}}`))
	rt := mustRuntime(t, "runc@1.3.0")
	if r := preexec.Evaluate(plan2, fsys, rt, preexec.Host{}); !r.Starts || r.Unknown != "" {
		t.Errorf("runc@1.3.0 on a plain case: %+v", r)
	}
}

// TestOfficialGo: a name without +go takes its version's official Go, as
// the row's citation records it, and a Go older than the LookPath table's
// is extrapolated.
func TestOfficialGo(t *testing.T) {
	for name, want := range map[string]string{
		"runc@1.3.0": "1.23", "runc@1.3.7": "1.26", "runc@1.4.0": "1.24", "runc@1.4.1": "1.25",
		"runc@1.5.2": "1.26", "runc@1.6.0-rc.1": "1.26", "runc@1.2.9": "1.24", "runc@1.2.5": "1.22",
	} {
		if rt := mustRuntime(t, name); rt.Go != want || rt.Extrapolated != "" {
			t.Errorf("%s: Go %s (extrapolated %q), want %s", name, rt.Go, rt.Extrapolated, want)
		}
	}
	rt := mustRuntime(t, "runc@1.0.0-rc92")
	if !strings.Contains(rt.Extrapolated, "Go 1.14 is older than every toolchain") {
		t.Errorf("rc92's official Go 1.14: extrapolated %q", rt.Extrapolated)
	}
	if rt := mustRuntime(t, "runc@1.0.0-rc92+go1.19"); rt.Extrapolated != "" {
		t.Errorf("rc92+go1.19: %q", rt.Extrapolated)
	}
}

func mustRuntime(t *testing.T, name string) preexec.Runtime {
	t.Helper()
	rt, err := preexec.LookupRuntime(name)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// TestMountDataUnknown: a tmpfs option the runtime passes to the kernel as
// data and the model does not know the kernel to take (`defaults` for
// every runc but 1.5.3, opencontainers/runc#5500) makes the result unknown;
// a runtime that consumes it, or options the kernel's tmpfs takes, change
// nothing.
func TestMountDataUnknown(t *testing.T) {
	cfg := func(opts string) *spec.Plan {
		p, err := spec.Parse("config.json", []byte(`{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
		"process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["/bin/busybox"]},
		"mounts": [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": [`+opts+`]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	fsys := rootfs.MustParseFixture("file /bin/busybox 0755 0:0 busybox\ndir /x 0755 0:0\n").Mem()
	names := []string{"runc@1.1.4+go1.19", "runc@1.5.2+go1.26", "runc@1.5.3+go1.26", "runc@1.6.0-rc.1+go1.26", "crun@1.8.1", "runc@1.0.0-rc92+go1.19"}
	var rts []preexec.Runtime
	for _, n := range names {
		rts = append(rts, mustRuntime(t, n))
	}
	// Every runc but 1.5.3 fails at create (real runs); crun 1.8.1 mounts it.
	unknown := map[string]bool{"runc@1.1.4+go1.19": true, "runc@1.5.2+go1.26": true, "runc@1.6.0-rc.1+go1.26": true, "runc@1.0.0-rc92+go1.19": true}
	plan := cfg(`"nosuid", "defaults"`)
	c := preexec.Compare(plan, fsys, rts, preexec.Host{})
	for i, r := range c.Results {
		e := preexec.Evaluate(plan, fsys, rts[i], preexec.Host{})
		if e.Unknown != r.Unknown || e.Starts != r.Starts {
			t.Errorf("%s: Evaluate %q, Compare %q", names[i], e.Unknown, r.Unknown)
		}
		if unknown[names[i]] {
			want := `mount option "defaults" of the tmpfs at /x is passed to the kernel as data by ` + names[i]
			if r.Starts || !strings.HasPrefix(r.Unknown, want) || !strings.HasSuffix(r.Unknown, "the model does not check the mount itself") || !errors.Is(r.Err, preexec.ErrMountData) {
				t.Errorf("%s: starts %v, unknown %q; want %q…", names[i], r.Starts, r.Unknown, want)
			}
		} else if !r.Starts || r.Unknown != "" {
			t.Errorf("%s: starts %v, unknown %q; want it to start", names[i], r.Starts, r.Unknown)
		}
	}
	// Reversed order: a shared class must not carry one runtime's answer to another.
	rev := []preexec.Runtime{rts[3], rts[2]}
	if c := preexec.Compare(plan, fsys, rev, preexec.Host{}); c.Results[0].Unknown == "" || c.Results[1].Unknown != "" {
		t.Errorf("1.6.0-rc.1 then 1.5.3: %q / %q", c.Results[0].Unknown, c.Results[1].Unknown)
	}
	// An option no tmpfs takes: unknown everywhere, crun included.
	for _, r := range preexec.Compare(cfg(`"bogus"`), fsys, rts, preexec.Host{}).Results {
		if !strings.Contains(r.Unknown, `mount option "bogus"`) {
			t.Errorf("%s with bogus: %q", r.Runtime, r.Unknown)
		}
	}
	// The kernel's own options and runc's flag words: nothing changes.
	for _, r := range preexec.Compare(cfg(`"nosuid", "strictatime", "mode=755", "size=65536k", "nr_inodes=100", "inode64", "rw"`), fsys, rts, preexec.Host{}).Results {
		if !r.Starts || r.Unknown != "" {
			t.Errorf("%s with tmpfs options: %q", r.Runtime, r.Unknown)
		}
	}
}

// TestRuntimeError: LookupRuntimes' error tells which names were refused.
func TestRuntimeError(t *testing.T) {
	_, err := preexec.LookupRuntimes([]string{"runc@1.1.4", "runc@1.1", "crun@x"})
	var re *preexec.RuntimeError
	if !errors.As(err, &re) || re.Name != "runc@1.1" || !strings.Contains(re.Reason, "name one") {
		t.Fatalf("errors.As: %v, %+v", err, re)
	}
	all := err.(interface{ Unwrap() []error }).Unwrap()
	if len(all) != 2 || !errors.As(all[1], &re) || re.Name != "crun@x" || re.Reason != "the version must be X.Y.Z or X.Y (1.8.1, 1.9)" {
		t.Errorf("second: %v", all)
	}
	d := preexec.DistroBuilds()
	d[0].Go = "changed"
	if preexec.DistroBuilds()[0].Go == "changed" {
		t.Error("DistroBuilds returns the package's own slice")
	}
}

// TestDevelGo: a development toolchain in --version is read as the release
// it leads to, marked extrapolated, not refused.
func TestDevelGo(t *testing.T) {
	b, err := preexec.ParseVersionOutput("runc version 1.3.0\ncommit: v1.3.0-0-g4ca628d1\nspec: 1.2.1\ngo: devel go1.23-abc1234 Tue Jan 2 2024\n")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := preexec.RuntimeFor(b)
	if err != nil || rt.Go != "1.23.0" || rt.Name != "runc@1.3.0+go1.23.0" || !strings.Contains(rt.Extrapolated, "development toolchain before Go 1.23.0") {
		t.Errorf("devel go1.23: %+v, %v", rt, err)
	}
}

// TestChangesBareGo: a Go named without its patch is described by every
// LookPath variant its patches take, not as its newest patch's.
func TestChangesBareGo(t *testing.T) {
	ch := preexec.Changes(mustRuntime(t, "runc@1.3.0"), mustRuntime(t, "runc@1.3.0+go1.23.8"))
	if len(ch) != 1 || ch[0].Field != "Go" || ch[0].From != "Go 1.23 (os/exec.LookPath by its patch release: 1.23.0–1.23.11: of Go 1.20.2–1.23.11, 1.24.0–1.24.5; ≥ 1.23.12: of Go ≥ 1.23.12, ≥ 1.24.6)" {
		t.Errorf("%+v", ch)
	}
	if ch := preexec.Changes(mustRuntime(t, "runc@1.3.0"), mustRuntime(t, "runc@1.3.0+go1.23")); len(ch) != 0 {
		t.Errorf("the same bare Go: %+v", ch)
	}
}
