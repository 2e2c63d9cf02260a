package runtimetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

// joinModelInputs turns a process joined to a join case's container into
// what preexec.Evaluate takes with Host.Exec: spec.ForExec of the
// container's config.json and the process.json the harness writes, and
// the container's root filesystem as modelInputs makes it.
func joinModelInputs(jc *JoinCase, e *JoinExec) (*spec.Plan, access.FS, error) {
	c := jc.Container
	c.Name, c.Rule = jc.Name, jc.Rule
	sources := bindSources(&c)
	pc := c
	pc.Process = e.Process
	plan, err := spec.ForExec(Spec(&c, sources), Spec(&pc, sources).Process)
	if err != nil {
		return nil, nil, err
	}
	fs, err := caseView(&c, plan, sources)
	return plan, fs, err
}

// agreeJoin is agree for a joined process, where a failure runc exec
// reports itself agrees also in runc exec's exit status.
func agreeJoin(want Outcome, res preexec.Result) bool {
	if !agree(want, res) {
		return false
	}
	return res.Starts || res.Phase != preexec.PhaseCreate || want.ExitStatus == res.ExitStatus
}

// joinModelCheck evaluates exec e of jc on runtime name with the model
// and compares it with the real outcome o, as modelCheck does.
func joinModelCheck(jc *JoinCase, e *JoinExec, name string, o Outcome) (bool, string) {
	rt, err := preexec.LookupRuntime(name)
	if err != nil {
		return false, ""
	}
	plan, fsys, err := joinModelInputs(jc, e)
	if err != nil {
		return true, "no prediction: " + err.Error()
	}
	res := preexec.Evaluate(plan, fsys, rt, hostOf(&jc.Container, preexec.Host{Exec: true}))
	if agreeJoin(o, res) {
		return true, ""
	}
	return true, fmt.Sprintf("started=%v step=%s phase=%q exit=%d %q unknown=%q", res.Starts, res.Step, res.Phase, res.ExitStatus, res.Text, res.Unknown)
}

// TestModelAgainstJoinGoldens holds preexec.Evaluate with Host.Exec to
// every outcome the `runc exec` oracle recorded (testdata/runtime/exec):
// started or not, the error text byte for byte, and who reported it with
// which exit status. It runs unprivileged, from testdata alone.
func TestModelAgainstJoinGoldens(t *testing.T) {
	gs := joinGoldensOf(t)
	if len(gs) == 0 {
		t.Skip("no join goldens")
	}
	names := make([]string, 0, len(gs))
	for n := range gs {
		names = append(names, n)
	}
	sort.Strings(names)
	total, bad, execs := 0, 0, 0
	rts := map[string]bool{}
	for _, n := range names {
		g := gs[n]
		if g.Case.Name != n {
			t.Errorf("%s: holds %s", n, g.Case.Name)
		}
		if regen, ok := RandomJoinByName(n); ok && mustJSON(regen) != mustJSON(g.Case) {
			t.Errorf("%s: the golden's case is not RandomJoin's any more; re-record it", n)
		}
		for i := range g.Case.Execs {
			e := &g.Case.Execs[i]
			execs++
			var rs []string
			for r := range g.Outcomes[e.Name] {
				rs = append(rs, r)
			}
			sort.Strings(rs)
			for _, r := range rs {
				want := g.Outcomes[e.Name][r]
				if want.Class == HarnessError {
					continue
				}
				compared, diff := joinModelCheck(&g.Case, e, r, want)
				if !compared {
					t.Errorf("%s %s: runtime %s unknown to the model", n, e.Name, r)
					continue
				}
				rts[r] = true
				total++
				if diff != "" {
					bad++
					if bad <= 60 {
						t.Errorf("%s %s on %s:\n  runtime: %s\n  model:   %s", n, e.Name, r, want, diff)
					}
				}
			}
		}
	}
	t.Logf("model-vs-runtimes exec: %d outcomes (%d processes joined to %d containers, %d runtimes), %d disagreements", total, execs, len(gs), len(rts), bad)
}

// TestCompareEqualsEvaluateJoin is TestCompareEqualsEvaluate for processes
// joined by runc exec (Host.Exec): on every recorded join case, each result
// of Compare over every runtime the model knows (and Debian's 1.1.5, whose
// runc exec has a row of its own) is Evaluate's, field for field.
func TestCompareEqualsEvaluateJoin(t *testing.T) {
	gs := joinGoldensOf(t)
	rts := preexec.Runtimes()
	for _, n := range []string{"runc@1.1.5+debian", "runc@1.1.12+go1.19", "runc@1.0.0-rc93"} {
		rt, err := preexec.LookupRuntime(n)
		if err != nil {
			t.Fatal(err)
		}
		rts = append(rts, rt)
	}
	var names []string
	for n := range gs {
		names = append(names, n)
	}
	sort.Strings(names)
	compared, diffs := 0, 0
	for _, n := range names {
		g := gs[n]
		for i := range g.Case.Execs {
			plan, fsys, err := joinModelInputs(&g.Case, &g.Case.Execs[i])
			if err != nil {
				t.Fatal(err)
			}
			host := preexec.Host{Exec: true}
			cmp := preexec.Compare(plan, fsys, rts, host)
			for k, rt := range rts {
				compared++
				if d := resultDiff(preexec.Evaluate(plan, fsys, rt, host), cmp.Results[k]); d != "" {
					diffs++
					if diffs <= 20 {
						t.Errorf("%s %s on %s: Compare differs from Evaluate: %s", n, g.Case.Execs[i].Name, rt.Name, d)
					}
				}
			}
		}
	}
	t.Logf("compare-vs-evaluate exec: %d results, %d differences", compared, diffs)
}

// TestTracesJoin is TestTraces for processes joined by runc exec and crun
// exec (Host.Exec): on every recorded join case and profile, no traced
// step's text is a complaint of fmt, and a failing runc's trace ends at
// its step.
func TestTracesJoin(t *testing.T) {
	gs := joinGoldensOf(t)
	rts := preexec.Runtimes()
	bad := 0
	for n, g := range gs {
		for i := range g.Case.Execs {
			e := &g.Case.Execs[i]
			plan, fsys, err := joinModelInputs(&g.Case, e)
			if err != nil {
				t.Fatal(err)
			}
			for _, rt := range rts {
				res := preexec.Evaluate(plan, fsys, rt, preexec.Host{Exec: true})
				tr := res.Trace()
				for _, s := range tr {
					if strings.Contains(s.What, "%!") {
						bad++
						if bad <= 10 {
							t.Errorf("%s %s on %s: step %s says %q", n, e.Name, rt.Name, s.Step, s.What)
						}
					}
				}
				if res.Starts || res.Unknown != "" || len(tr) == 0 || rt.Release.Runtime == "crun" {
					continue
				}
				if last := tr[len(tr)-1].Step; last != res.Step {
					bad++
					if bad <= 10 {
						t.Errorf("%s %s on %s: fails at %s, but its trace ends at %s", n, e.Name, rt.Name, res.Step, last)
					}
				}
			}
		}
	}
}
