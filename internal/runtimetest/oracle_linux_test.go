//go:build linux

package runtimetest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/preexec/preexec/internal/golden"
)

// The runtime oracle in CI. Environment:
//
//	PREEXEC_ORACLE=required       fail instead of skipping (not root, no runtimes)
//	PREEXEC_RUNTIME_SEED=N        replay the time-seeded random cases of seed N
//	PREEXEC_RUNTIME_FULL=1        the full cross product (same as -full)
//	PREEXEC_RUNTIME_JOBS=N        runs in flight (default CPUs+1)
//	PREEXEC_RUNTIME_FILTER=RE     only the runtimes whose name matches RE
//	PREEXEC_RUNTIMES=DIR          where the runtime binaries are
//
// Run it with
//
//	sudo go test ./internal/runtimetest -run RuntimeOracle -v
//	sudo go test ./internal/runtimetest -run RuntimeOracle -v -timeout 0 -args -full
var full = flag.Bool("full", false, "runtime oracle: run every curated and recorded random case, and 300 time-seeded ones, on every runtime")

// The plan of a CI run: every curated case on every runtime, plus per
// runtime perRuntimeFixed of the recorded random cases (seed GoldenSeed)
// and perRuntimeTimed of timedCases cases of a seed from the clock, so
// that each runtime sees at least 100 cases; which ones rotates with the
// clock seed, so that over many runs every recorded pair is checked.
const (
	perRuntimeFixed = 40
	timedCases      = 60
	perRuntimeTimed = 20
	fullTimedCases  = 300
	// GoldenSeed is the seed of the recorded random cases.
	GoldenSeed = 1
)

// needRoot skips the test unless it runs as root; with
// PREEXEC_ORACLE=required it fails instead.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	skipOrFail(t, "the runtime oracle needs root (bundles with real owners, runtimes run as root)")
}

func skipOrFail(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}

func oracleSeed(t *testing.T) uint64 {
	n, err := golden.Seed("PREEXEC_RUNTIME_SEED", GoldenSeed)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func jobsFromEnv(t *testing.T) int {
	n, err := golden.Jobs("PREEXEC_RUNTIME_JOBS", DefaultWorkers())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// filterFromEnv is rts less the runtimes whose names do not match
// $PREEXEC_RUNTIME_FILTER, when it is set.
func filterFromEnv(t *testing.T, rts []Runtime) []Runtime {
	f := os.Getenv("PREEXEC_RUNTIME_FILTER")
	if f == "" {
		return rts
	}
	re, err := regexp.Compile(f)
	if err != nil {
		t.Fatalf("PREEXEC_RUNTIME_FILTER: %v", err)
	}
	return slices.DeleteFunc(rts, func(rt Runtime) bool { return !re.MatchString(rt.Name) })
}

// testHarness is a Harness closed when t ends.
func testHarness(t *testing.T) *Harness {
	t.Helper()
	h, err := NewHarness()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("harness: %v", err)
		}
	})
	return h
}

// TestRuntimeOracle runs curated and random cases on every installed
// runtime and holds each outcome to its golden. A changed outcome (a
// runtime that behaves differently from its recording), a curated case
// whose definition no longer matches its golden, and a harness error are
// disagreements and fail the test; pairs without a golden (a newly
// installed runtime, the time-seeded cases) are logged. Every run is also
// held to the model (preexec.Evaluate): a disagreement on a curated or
// recorded case fails the test; on a case from the clock seed it is logged
// as a FINDING with the seed to replay it (PREEXEC_RUNTIME_STRICT=1 fails
// on those too), so that new ground the generator reaches is reported
// without turning CI red on a case nobody has seen.
func TestRuntimeOracle(t *testing.T) {
	needRoot(t)
	rts, err := Installed()
	if err != nil {
		t.Fatal(err)
	}
	rts = filterFromEnv(t, rts)
	if len(rts) == 0 {
		skipOrFail(t, fmt.Sprintf("no runtimes installed (none in %s, no /usr/sbin/runc or /usr/bin/crun; .ci/install-runtimes installs them)", RuntimesDir()))
	}
	g := goldensOf(t)
	for _, rt := range rts {
		for _, rec := range g.Header.Runtimes {
			if rec.Name == rt.Name && (rec.Version != rt.Version || rec.Go != rt.Go) {
				t.Logf("runtime-oracle: %s is not the binary recorded: %q %s, recorded %q %s", rt.Name, rt.Version, rt.Go, rec.Version, rec.Go)
			}
		}
	}
	seed := oracleSeed(t)
	isFull := *full || os.Getenv("PREEXEC_RUNTIME_FULL") == "1"
	t.Logf("runtime-oracle: time seed %d (replay with PREEXEC_RUNTIME_SEED=%d), %d runtimes, full=%v, race=%v", seed, seed, len(rts), isFull, raceEnabled)

	p := newPlan(g, rts, seed, isFull)
	h := testHarness(t)
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-30*time.Second))
		defer cancel()
	}
	start := time.Now()
	results := h.RunAll(ctx, p.jobs, jobsFromEnv(t), nil)
	elapsed := time.Since(start)

	var disagreements, compared, unrecorded, modelCompared, modelBad, findings int
	// The rootless cases with subordinate ids (Case.Subordinate): their
	// runs and disagreements, for a summary line of their own.
	var subidRuns, subidBad int
	subidCases := map[string]bool{}
	perRuntime := map[string]int{}
	// Per kind of runtime (runc, crun, runsc): runs, disagreements, runs
	// the model held, runs it said it could not tell.
	type kindTally struct{ runs, bad, model, unknown int }
	kinds := map[string]*kindTally{}
	kindOf := func(r Result) *kindTally {
		k := kinds[r.Runtime.Kind]
		if k == nil {
			k = &kindTally{}
			kinds[r.Runtime.Kind] = k
		}
		return k
	}
	timedHist := map[Class]int{}
	unrecordedBy := map[string]int{}
	// settle adds the disagreements of the last result, if it was a
	// subordinate-id case, to subidBad: the loop's body counts them in
	// disagreements and may continue at any point.
	lastSubid, mark := false, 0
	settle := func() {
		if lastSubid {
			subidBad += disagreements - mark
		}
	}
	for _, r := range results {
		settle()
		lastSubid, mark = r.Case.Subordinate(), disagreements
		if lastSubid {
			subidRuns++
			subidCases[r.Case.Name] = true
		}
		perRuntime[r.Runtime.Name]++
		kt := kindOf(r)
		kt.runs++
		o := r.Outcome
		if o.Class == HarnessError {
			disagreements++
			kt.bad++
			t.Errorf("harness error: %s on %s: %s\n%s", r.Case.Name, r.Runtime.Name, o.Message, o.Output)
			continue
		}
		// The model (preexec.Evaluate) is held to every real run,
		// recorded or not: the time-seeded cases are new to it.
		if _, flaky := nondeterministic[r.Case.Name]; !flaky {
			n, bad := modelCheck(r.Case, r.Runtime.Name, o)
			if !n && modelUnknown(r.Case, r.Runtime.Name) {
				kt.unknown++
			}
			if n {
				modelCompared++
				kt.model++
				switch {
				case bad == "":
				case p.timed[r.Case.Name] && os.Getenv("PREEXEC_RUNTIME_STRICT") != "1":
					// A case new to the model, from the clock seed: a
					// finding to fix (replay it with PREEXEC_RUNTIME_SEED),
					// not a regression; PREEXEC_RUNTIME_STRICT=1 fails on it.
					findings++
					t.Logf("FINDING: model disagrees with %s on time-seeded case %s:\n  runtime: %s\n  model:   %s", r.Runtime.Name, r.Case.Name, o, bad)
				default:
					modelBad++
					disagreements++
					kt.bad++
					t.Errorf("model disagrees with %s on case %s:\n  runtime: %s\n  model:   %s\nrule: %s", r.Runtime.Name, r.Case.Name, o, bad, r.Case.Rule)
				}
			}
		}
		gc := g.golden(r.Case.Name)
		if p.timed[r.Case.Name] {
			timedHist[o.Class]++
		}
		want, ok := Outcome{}, false
		if gc != nil {
			want, ok = gc.Outcomes[r.Runtime.Name]
		}
		if !ok {
			unrecorded++
			if !p.timed[r.Case.Name] {
				// A recorded case without this runtime: a runtime
				// installed after the recording.
				unrecordedBy[r.Runtime.Name]++
			}
			continue
		}
		compared++
		if !Same(want, o) {
			disagreements++
			kt.bad++
			t.Errorf("runtime %s changed on case %s (-golden +now):\n  - %s\n  + %s\nrule: %s", r.Runtime.Name, r.Case.Name, want, o, r.Case.Rule)
		}
	}
	settle()
	for _, name := range p.stale {
		disagreements++
		t.Errorf("curated case %s differs from its golden (testdata/runtime/curated/%s.json): re-record with `sudo go run ./internal/runtimetest/cmd/record -update`", name, name)
	}
	minCases := len(results)
	for _, rt := range rts {
		if perRuntime[rt.Name] < minCases {
			minCases = perRuntime[rt.Name]
		}
	}
	if len(results) > 0 {
		t.Logf("runtime-oracle: %d runs in %s (%.3f s of wall time per run), %d compared with goldens, %d without a golden, each runtime saw ≥ %d cases",
			len(results), elapsed.Round(time.Millisecond), elapsed.Seconds()/float64(len(results)), compared, unrecorded, minCases)
	}
	if len(unrecordedBy) > 0 {
		var parts []string
		for name, n := range unrecordedBy {
			parts = append(parts, fmt.Sprintf("%s %d", name, n))
		}
		sort.Strings(parts)
		t.Logf("runtime-oracle: recorded cases without this runtime's outcome (record them with `sudo go run ./internal/runtimetest/cmd/record -runtimes RE`): %s", strings.Join(parts, ", "))
	}
	t.Logf("runtime-oracle: time-seeded cases (seed %d): %s", seed, histogram(timedHist))
	t.Logf("runtime-oracle: model (preexec.Evaluate) held to %d real runs, %d disagreements, %d findings on time-seeded cases (seed %d)", modelCompared, modelBad, findings, seed)
	if ctx.Err() != nil {
		t.Errorf("runtime-oracle: stopped at the test deadline; raise -timeout or lower the plan")
	}
	kindNames := make([]string, 0, len(kinds))
	for k := range kinds {
		kindNames = append(kindNames, k)
	}
	sort.Strings(kindNames)
	for _, k := range kindNames {
		kt := kinds[k]
		n := 0
		for _, rt := range rts {
			if rt.Kind == k {
				n++
			}
		}
		t.Logf("runtime-oracle: %s: %d runs on %d runtimes, %d disagreements; model held to %d, unknown on %d", k, kt.runs, n, kt.bad, kt.model, kt.unknown)
	}
	subidRTs := map[string]bool{}
	for _, j := range p.jobs {
		if j.Case.Subordinate() {
			subidRTs[j.Runtime.Name] = true
		}
	}
	t.Logf("runtime-oracle rootless: %d cases (subordinate ids) x %d runtimes (%d runs), %d disagreements", len(subidCases), len(subidRTs), subidRuns, subidBad)
	t.Logf("runtime-oracle: %d cases x %d runtimes, %d disagreements", len(p.cases), len(rts), disagreements)
}

func histogram(h map[Class]int) string {
	var parts []string
	for _, c := range []Class{Started, CreateError, ExecError, PostExecError, HarnessError} {
		parts = append(parts, fmt.Sprintf("%s %d", c, h[c]))
	}
	return strings.Join(parts, ", ")
}

func (g *Goldens) golden(name string) *Golden {
	if gc := g.Curated[name]; gc != nil {
		return gc
	}
	return g.Random[name]
}

// A plan is the jobs of one oracle run.
type plan struct {
	jobs  []Job
	cases map[string]bool
	timed map[string]bool
	stale []string // curated cases whose golden holds another definition
}

// newPlan lays out a run. Full: every curated case, every recorded random
// case and fullTimedCases time-seeded ones (plus a third as many of each
// other family), each on every runtime. CI: every
// curated case on every runtime, and per runtime a rotating sample of the
// recorded and the time-seeded random cases. Under the race detector (a
// second pass of the same suite in CI, which gains nothing from rerunning
// external binaries) each runtime gets a small rotating sample only.
func newPlan(g *Goldens, rts []Runtime, seed uint64, isFull bool) *plan {
	p := &plan{cases: map[string]bool{}, timed: map[string]bool{}}
	var curated []*Case
	for _, c := range Curated() {
		c := c
		if gc := g.Curated[c.Name]; gc != nil && mustJSON(gc.Case) != mustJSON(c) {
			p.stale = append(p.stale, c.Name)
			continue
		}
		curated = append(curated, &c)
	}
	var recorded []*Case
	names := make([]string, 0, len(g.Random))
	for n := range g.Random {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := g.Random[n].Case
		recorded = append(recorded, &c)
	}
	nTimed := timedCases
	if isFull {
		nTimed = fullTimedCases
	}
	var timed []*Case
	for i := 0; i < nTimed; i++ {
		c := Random(seed, i)
		p.timed[c.Name] = true
		timed = append(timed, &c)
	}
	// A third as many of the mounts, exec, seccomp and rootless families,
	// from the same seed.
	for i := 0; i < nTimed/3; i++ {
		for _, gen := range []func(uint64, int) Case{RandomMounts, RandomExec, RandomSeccomp, RandomRootless} {
			c := gen(seed, i)
			p.timed[c.Name] = true
			timed = append(timed, &c)
		}
	}
	add := func(c *Case, rt Runtime) {
		p.cases[c.Name] = true
		p.jobs = append(p.jobs, Job{Case: c, Runtime: rt})
	}
	for ri, rt := range rts {
		r := rand.New(rand.NewPCG(seed, uint64(ri)))
		switch {
		case isFull:
			for _, set := range [][]*Case{curated, recorded, timed} {
				for _, c := range set {
					add(c, rt)
				}
			}
		case raceEnabled:
			for _, c := range sample(r, curated, 8) {
				add(c, rt)
			}
			for _, c := range sample(r, recorded, 4) {
				add(c, rt)
			}
		default:
			for _, c := range curated {
				add(c, rt)
			}
			for _, c := range sample(r, recorded, perRuntimeFixed) {
				add(c, rt)
			}
			for _, c := range sample(r, timed, perRuntimeTimed) {
				add(c, rt)
			}
		}
	}
	return p
}

// sample returns n elements of cs chosen by r, in cs's order.
func sample(r *rand.Rand, cs []*Case, n int) []*Case {
	if n >= len(cs) {
		return cs
	}
	idx := r.Perm(len(cs))[:n]
	sort.Ints(idx)
	out := make([]*Case, n)
	for i, j := range idx {
		out[i] = cs[j]
	}
	return out
}
