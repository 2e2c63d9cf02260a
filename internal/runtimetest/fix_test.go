package runtimetest

import (
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
)

// TestFixesReevaluated holds every fix Result.Fixes prints to its promise:
// on every curated and random case, for every runtime row, on the case's
// host and on a 5.4 kernel, each verified fix is applied with Fix.Apply
// (a runtime fix: each runtime it names is looked up) and evaluated again
// from scratch, and the runtime must then start the container. A fix that
// is not verified must be a hint. It needs no root: the cases are the
// goldens' plans and fixtures.
func TestFixesReevaluated(t *testing.T) {
	cases := recordedCases(t)
	if testing.Short() {
		cases = cases[:len(cases)/10]
	}
	rts := preexec.Runtimes()
	printed, reevaluated, started, hints, bad := 0, 0, 0, 0, 0
	kinds := map[preexec.FixKind]int{}
	for _, c := range cases {
		plan, fsys, err := modelInputs(c)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		for _, host := range []preexec.Host{hostOf(c, preexec.Host{}), hostOf(c, preexec.Host{Kernel: access.KernelVersion(5, 4)})} {
			// What each runtime does with the container as it is, for the
			// runtime fixes: evaluated here, apart from Fixes' Compare.
			as := map[string]bool{}
			startsAsIs := func(name string) bool {
				s, ok := as[name]
				if !ok {
					rt, err := preexec.LookupRuntime(name)
					if err != nil {
						t.Errorf("%s: a runtime fix names %q: %v", c.Name, name, err)
						return false
					}
					s = preexec.Evaluate(plan, fsys, rt, host).Starts
					as[name] = s
				}
				return s
			}
			// Compare's results are Evaluate's (TestCompareEqualsEvaluate),
			// and share the runtime fix's evaluations.
			cmp := preexec.Compare(plan, fsys, rts, host)
			for i, rt := range rts {
				res := cmp.Results[i]
				for _, f := range res.Fixes() {
					if !f.Verified {
						hints++
						if f.Kind != preexec.FixHint {
							bad++
							t.Errorf("%s on %s: an unverified %s fix: %q", c.Name, rt.Name, f.Kind, f.Text)
						}
						continue
					}
					printed++
					kinds[f.Kind]++
					ok := true
					if f.Kind == preexec.FixRuntime {
						for _, n := range f.Runtimes {
							ok = ok && startsAsIs(n)
						}
						reevaluated++
					} else {
						p, fs, rt2, h, err := f.Apply(plan, fsys, rt, host)
						if err != nil {
							t.Errorf("%s on %s: %s: %v", c.Name, rt.Name, f.Text, err)
							bad++
							continue
						}
						reevaluated++
						ok = preexec.Evaluate(p, fs, rt2, h).Starts
					}
					if ok {
						started++
						continue
					}
					bad++
					if bad <= 20 {
						t.Errorf("%s on %s, host %+v: %q printed, but the runtime does not start after it", c.Name, rt.Name, host, f.Text)
					}
				}
			}
		}
	}
	t.Logf("fix kinds printed: %v", kinds)
	t.Logf("fix-oracle: %d fixes printed, %d re-evaluated, %d start after the fix (%d hints, not verified)", printed, reevaluated, started, hints)
	if printed == 0 {
		t.Error("no fix printed: the oracle checked nothing")
	}
}
