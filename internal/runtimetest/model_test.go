package runtimetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// modelInputs turns a case into what preexec.Evaluate takes: the plan of
// the config.json the harness writes, and the root filesystem as the
// container sees it: preexec.NewView over the case's rootfs, with each
// bind mount's source fixture at the host path the config names.
func modelInputs(c *Case) (*spec.Plan, access.FS, error) {
	sources := bindSources(c)
	// FromSpec, as for an engine's spec: a case may hand the runtime an
	// empty process.args, which the CLI refuses in a config.json of its
	// own but an engine passes on.
	plan, err := spec.FromSpec("config.json", Spec(c, sources))
	if err != nil {
		return nil, nil, err
	}
	fs, err := caseView(c, plan, sources)
	return plan, fs, err
}

// bindSources are the host paths the harness's config.json names as the
// sources of c's mounts: /bundle/mounts/N, whatever their type.
func bindSources(c *Case) []string {
	sources := make([]string, len(c.Mounts))
	for i := range c.Mounts {
		sources[i] = fmt.Sprintf("/bundle/mounts/%d", i)
	}
	return sources
}

// caseView is c's root filesystem as plan's process sees it: the case's
// rootfs with each bind mount's source fixture at its host path in sources.
func caseView(c *Case, plan *spec.Plan, sources []string) (access.FS, error) {
	base, err := c.Rootfs.Parse("rootfs")
	if err != nil {
		return nil, err
	}
	binds := map[string]access.FS{}
	for i, m := range c.Mounts {
		if m.Type != "bind" {
			continue
		}
		f, err := m.Source.Parse(fmt.Sprintf("mounts[%d]", i))
		if err != nil {
			return nil, err
		}
		binds[sources[i]] = f.Mem()
	}
	return preexec.NewView(plan, base.Mem(), binds), nil
}

// hostOf is host as case c runs: rootless when c is, without the
// capabilities c drops from the runtime's bounding set.
func hostOf(c *Case, host preexec.Host) preexec.Host {
	host.Rootless = host.Rootless || c.Rootless
	if len(c.Bounding) > 0 {
		host.Bounding = caps.All
		for _, n := range c.Bounding {
			cp, _ := caps.Parse(n)
			host.Bounding = host.Bounding.Without(cp)
		}
	}
	return host
}

// TestModelAgainstGoldens holds preexec.Evaluate to every outcome the runtime
// oracle recorded from real runtimes: started or not, and the error text
// byte for byte. It runs unprivileged, from testdata alone.
func TestModelAgainstGoldens(t *testing.T) {
	g := goldensOf(t)
	all := map[string]*Golden{}
	for n, gc := range g.Curated {
		all[n] = gc
	}
	for n, gc := range g.Random {
		all[n] = gc
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	host := preexec.Host{}
	total, bad := 0, 0
	// The rootless cases with subordinate ids: cases, outcomes compared,
	// unknown, disagreements.
	var subCases, subTotal, subUnknown, subBad int
	perRuntime := map[string]int{}
	unknown := map[string]int{}
	for _, n := range names {
		gc := all[n]
		if why, ok := nondeterministic[n]; ok {
			t.Logf("%s: not compared: %s", n, why)
			continue
		}
		plan, fsys, err := modelInputs(&gc.Case)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		rts := make([]string, 0, len(gc.Outcomes))
		for r := range gc.Outcomes {
			rts = append(rts, r)
		}
		sort.Strings(rts)
		sub := gc.Case.Subordinate()
		if sub {
			subCases++
		}
		for _, r := range rts {
			want := gc.Outcomes[r]
			if want.Class == HarnessError {
				continue
			}
			rt, err := preexec.LookupRuntime(r)
			if err != nil {
				t.Errorf("%s: %v", n, err)
				continue
			}
			total++
			if sub {
				subTotal++
			}
			res := preexec.Evaluate(plan, fsys, rt, hostOf(&gc.Case, host))
			if res.Unknown != "" {
				// Not a wrong answer: counted, not compared.
				unknown[r]++
				if sub {
					subUnknown++
				}
				continue
			}
			if agree(want, res) {
				continue
			}
			bad++
			if sub {
				subBad++
			}
			perRuntime[r]++
			if bad <= 60 {
				t.Errorf("%s on %s:\n  runtime: %s, phase %q\n  model:   started=%v step=%s phase=%q exit=%d %q", n, r, want, want.Phase(), res.Starts, res.Step, res.Phase, res.ExitStatus, res.Text)
			}
		}
	}
	t.Logf("model-vs-runtimes: %d outcomes, %d disagreements", total, bad)
	t.Logf("model-vs-runtimes rootless (subordinate ids): %d cases, %d outcomes (%d unknown), %d disagreements", subCases, subTotal, subUnknown, subBad)
	if len(unknown) > 0 {
		t.Logf("unknown (the model says it cannot tell), per runtime: %v", unknown)
	}
	if bad > 0 {
		t.Logf("per runtime: %v", perRuntime)
	}
}

// nondeterministic are cases whose real outcome varies from run to run, so
// that no model can match every recording.
var nondeterministic = map[string]string{
	"exec_symlink_chain_40": "a walk through exactly 40 symlinks is counted twice when the kernel's RCU walk restarts, which concurrent mounts by parallel runs cause: a spurious ELOOP (seen by internal/kernel as well)",
}

// agree compares a recorded outcome with a prediction: the probe ELF's
// post-exec failure is compared by errno, since the model renders the
// interpreter's message as busybox sh prints it.
//
// A failure agrees also in its phase (create, or after the start) and,
// after the start, in the container's exit status — but for the probe's,
// whose status is the probe's own.
func agree(want Outcome, res preexec.Result) bool {
	if want.Started || res.Starts {
		return want.Started == res.Starts
	}
	if want.Phase() != res.Phase {
		return false
	}
	if strings.HasPrefix(want.Message, "probe: cannot open its script: errno ") {
		return res.Step == preexec.StepInterpreter
	}
	if res.Phase == preexec.PhaseAfterStart && want.ExitStatus != res.ExitStatus {
		return false
	}
	return want.Message == res.Text
}

// modelCheck evaluates case c on runtime name with the model and compares
// it with the real outcome o. It reports whether a comparison was made (the
// runtime is one the model knows) and, on disagreement, the model's
// prediction.
func modelCheck(c *Case, name string, o Outcome) (bool, string) {
	rt, err := preexec.LookupRuntime(name)
	if err != nil {
		return false, ""
	}
	plan, fsys, err := modelInputs(c)
	if err != nil {
		return true, "no prediction: " + err.Error()
	}
	res := preexec.Evaluate(plan, fsys, rt, hostOf(c, preexec.Host{}))
	if res.Unknown != "" {
		// The model says it cannot tell: not a wrong answer, and not a
		// comparison.
		return false, ""
	}
	if agree(o, res) {
		return true, ""
	}
	return true, fmt.Sprintf("started=%v step=%s phase=%q exit=%d %q", res.Starts, res.Step, res.Phase, res.ExitStatus, res.Text)
}

// modelUnknown reports whether the model says it cannot tell what runtime
// name does with case c.
func modelUnknown(c *Case, name string) bool {
	rt, err := preexec.LookupRuntime(name)
	if err != nil {
		return false
	}
	plan, fsys, err := modelInputs(c)
	if err != nil {
		return false
	}
	return preexec.Evaluate(plan, fsys, rt, hostOf(c, preexec.Host{})).Unknown != ""
}

// TestCompareEqualsEvaluate holds Compare, which shares operations between
// runtimes, to Evaluate, which shares nothing: on every recorded case, for
// every profile and toolchain variant, on several hosts, each result of
// Compare is Evaluate's, field for field.
func TestCompareEqualsEvaluate(t *testing.T) {
	cases := recordedCases(t)
	rts := preexec.Runtimes()
	for _, n := range []string{"runc@1.1.5+debian", "runc@1.1.4+go1.18", "runc@1.1.4+go1.20.1", "runc@1.1.4+go1.20.2", "runc@1.1.14+go1.23.12", "runc@1.0.0-rc93", "runsc@20221219.0+debian"} {
		rt, err := preexec.LookupRuntime(n)
		if err != nil {
			t.Fatal(err)
		}
		rts = append(rts, rt)
	}
	hosts := []preexec.Host{
		{},
		{Kernel: access.KernelVersion(5, 4), ProtectedSymlinks: true},
		{Rootless: true, Create: true},
		{Bounding: caps.All.Without(caps.CAP_NET_RAW, caps.CAP_SYS_RESOURCE)},
	}
	compared, diffs := 0, 0
	for _, c := range cases {
		plan, fsys, err := modelInputs(c)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		for _, host := range hosts {
			cmp := preexec.Compare(plan, fsys, rts, host)
			for i, rt := range rts {
				want := preexec.Evaluate(plan, fsys, rt, host)
				got := cmp.Results[i]
				compared++
				if d := resultDiff(want, got); d != "" {
					diffs++
					if diffs <= 20 {
						t.Errorf("%s on %s, host %+v: Compare differs from Evaluate: %s", c.Name, rt.Name, host, d)
					}
				}
			}
		}
	}
	t.Logf("compare-vs-evaluate: %d results, %d differences", compared, diffs)
}

func resultDiff(a, b preexec.Result) string {
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return fmt.Sprintf("%T %v", err, err)
	}
	switch {
	case a.Runtime != b.Runtime:
		return fmt.Sprintf("runtime %q vs %q", a.Runtime, b.Runtime)
	case a.Starts != b.Starts || a.Step != b.Step || a.Text != b.Text:
		return fmt.Sprintf("%v %s %q vs %v %s %q", a.Starts, a.Step, a.Text, b.Starts, b.Step, b.Text)
	case a.Phase != b.Phase || a.ExitStatus != b.ExitStatus:
		return fmt.Sprintf("phase %s exit %d vs %s exit %d", a.Phase, a.ExitStatus, b.Phase, b.ExitStatus)
	case errText(a.Err) != errText(b.Err):
		return fmt.Sprintf("err %s vs %s", errText(a.Err), errText(b.Err))
	case a.Unknown != b.Unknown:
		return fmt.Sprintf("unknown %q vs %q", a.Unknown, b.Unknown)
	case a.Caveat != b.Caveat:
		return fmt.Sprintf("uncertain %q vs %q", a.Caveat, b.Caveat)
	}
	return ""
}

// recordedCases returns the curated and then the random cases of the
// goldens, each set by name; t fails when there are none.
func recordedCases(t *testing.T) []*Case {
	t.Helper()
	g := goldensOf(t)
	var cases []*Case
	for _, set := range []map[string]*Golden{g.Curated, g.Random} {
		names := make([]string, 0, len(set))
		for n := range set {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			cases = append(cases, &set[n].Case)
		}
	}
	return cases
}

// TestTraces holds what the trace says of each step (the initStep values
// beside each runtime's sequence) to its format and to the result: on
// every recorded case, for every profile, no step's text is a complaint of
// fmt (a verb without its argument, an argument too many), and runc's
// result that fails, or cannot be told, at a step has a trace whose last
// step is that step. (crun's trace does not show setresgid, setresuid,
// capset, or a missing process.args: its last step may be an earlier
// one.)
func TestTraces(t *testing.T) {
	cases := recordedCases(t)
	rts := preexec.Runtimes()
	bad := 0
	for _, c := range cases {
		plan, fsys, err := modelInputs(c)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		for _, rt := range rts {
			res := preexec.Evaluate(plan, fsys, rt, hostOf(c, preexec.Host{}))
			tr := res.Trace()
			for _, s := range tr {
				if strings.Contains(s.What, "%!") {
					bad++
					if bad <= 10 {
						t.Errorf("%s on %s: step %s says %q", c.Name, rt.Name, s.Step, s.What)
					}
				}
			}
			if res.Starts || len(tr) == 0 || rt.Release.Runtime == "crun" {
				continue
			}
			last := tr[len(tr)-1].Step
			if last != res.Step {
				bad++
				if bad <= 10 {
					t.Errorf("%s on %s: fails at %s, but its trace ends at %s", c.Name, rt.Name, res.Step, last)
				}
			}
		}
	}
}
