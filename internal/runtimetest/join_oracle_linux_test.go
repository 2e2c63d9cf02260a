//go:build linux

package runtimetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"testing"
	"time"
)

// The `runc exec` oracle's plan in CI: joinPerRun of the recorded join
// cases, which rotate with the clock seed, and joinTimed cases of the
// clock seed itself, on every installed runtime of JoinRuntimes; -full
// runs every recorded one and fullJoinTimed of the seed on every installed
// runc.
const (
	joinPerRun    = 8
	joinTimed     = 2
	fullJoinTimed = 10
)

// joinRuntimes are the installed runtimes of JoinRuntimes (with full,
// every installed runc: those without goldens are held to the model
// alone), as PREEXEC_RUNTIME_FILTER narrows them; the test skips (fails
// in CI) without any.
func joinRuntimes(t *testing.T, full bool) []Runtime {
	all, err := Installed()
	if err != nil {
		t.Fatal(err)
	}
	var rts []Runtime
	for _, rt := range all {
		if slices.Contains(JoinRuntimes, rt.Name) || (full && rt.Kind == "runc") {
			rts = append(rts, rt)
		}
	}
	rts = filterFromEnv(t, rts)
	if len(rts) == 0 {
		skipOrFail(t, fmt.Sprintf("none of the runtimes of JoinRuntimes is installed (in %s)", RuntimesDir()))
	}
	return rts
}

// TestRuntimeOracleJoin runs processes joined by `runc exec --process` to
// running containers (RandomJoin) on the installed runtimes of
// JoinRuntimes and holds each outcome to its golden
// (testdata/runtime/exec) and to the model (preexec.Evaluate with
// Host.Exec): a changed outcome, a model disagreement on a recorded case
// and a harness error fail it; on a case of the clock seed a model
// disagreement is a FINDING (PREEXEC_RUNTIME_STRICT=1 fails on those
// too). It ends with
//
//	runtime-oracle exec: <processes> cases (<containers> containers) x <runtimes> runtimes, <M> disagreements
//
// Every container is deleted (`runc delete -f`) whatever happened.
func TestRuntimeOracleJoin(t *testing.T) {
	needRoot(t)
	isFull := *full || os.Getenv("PREEXEC_RUNTIME_FULL") == "1"
	rts := joinRuntimes(t, isFull)
	gs := joinGoldensOf(t)
	seed := oracleSeed(t)

	var names []string
	for n := range gs {
		names = append(names, n)
	}
	sort.Strings(names)
	if !isFull && len(names) > joinPerRun {
		r := rand.New(rand.NewPCG(seed, joinFamily))
		r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		names = names[:joinPerRun]
		sort.Strings(names)
	}
	var cases []JoinCase
	for _, n := range names {
		cases = append(cases, gs[n].Case)
	}
	timed := map[string]bool{}
	nTimed := joinTimed
	if isFull {
		nTimed = fullJoinTimed
	}
	for i := 0; i < nTimed; i++ {
		jc := RandomJoin(seed, i)
		if gs[jc.Name] != nil {
			continue // the golden seed: already recorded
		}
		timed[jc.Name] = true
		cases = append(cases, jc)
	}
	t.Logf("runtime-oracle exec: time seed %d (replay with PREEXEC_RUNTIME_SEED=%d), %d recorded and %d time-seeded join cases, %d runtimes, full=%v", seed, seed, len(cases)-len(timed), len(timed), len(rts), isFull)

	h := testHarness(t)
	var jobs []JoinJob
	for i := range cases {
		for _, rt := range rts {
			jobs = append(jobs, JoinJob{Case: &cases[i], Runtime: rt})
		}
	}
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-30*time.Second))
		defer cancel()
	}
	start := time.Now()
	results := h.RunJoins(ctx, jobs, jobsFromEnv(t), nil)
	elapsed := time.Since(start)

	processes, disagreements, compared, modelCompared, modelBad, findings := 0, 0, 0, 0, 0, 0
	for _, jc := range cases {
		processes += len(jc.Execs)
	}
	strict := os.Getenv("PREEXEC_RUNTIME_STRICT") == "1"
	for _, r := range results {
		for i := range r.Case.Execs {
			e := &r.Case.Execs[i]
			o, ok := r.Outcomes[e.Name]
			if !ok || o.Class == HarnessError {
				disagreements++
				t.Errorf("harness error: %s %s on %s: %s\n%s", r.Case.Name, e.Name, r.Runtime.Name, o.Message, o.Output)
				continue
			}
			if n, bad := joinModelCheck(r.Case, e, r.Runtime.Name, o); n {
				modelCompared++
				switch {
				case bad == "":
				case timed[r.Case.Name] && !strict:
					findings++
					t.Logf("FINDING: model disagrees with %s on time-seeded join case %s %s:\n  runtime: %s\n  model:   %s", r.Runtime.Name, r.Case.Name, e.Name, o, bad)
				default:
					modelBad++
					disagreements++
					t.Errorf("model disagrees with %s on join case %s %s:\n  runtime: %s\n  model:   %s", r.Runtime.Name, r.Case.Name, e.Name, o, bad)
				}
			}
			g := gs[r.Case.Name]
			if g == nil {
				continue
			}
			want, ok := g.Outcomes[e.Name][r.Runtime.Name]
			if !ok {
				continue
			}
			compared++
			if !Same(want, o) {
				disagreements++
				t.Errorf("%s %s on %s changed:\n  golden:  %s\n  runtime: %s", r.Case.Name, e.Name, r.Runtime.Name, want, o)
			}
		}
	}
	t.Logf("runtime-oracle exec: %d containers in %s, %d outcomes compared with goldens", len(results), elapsed.Round(time.Millisecond), compared)
	t.Logf("runtime-oracle exec: model (preexec.Evaluate, Host.Exec) held to %d real runs, %d disagreements, %d findings on time-seeded cases (seed %d)", modelCompared, modelBad, findings, seed)
	if ctx.Err() != nil {
		t.Errorf("runtime-oracle exec: stopped at the test deadline; raise -timeout or lower the plan")
	}
	t.Logf("runtime-oracle exec: %d cases (%d containers) x %d runtimes, %d disagreements", processes, len(cases), len(rts), disagreements)
}

// TestRuntimeOracleJoinBounding holds the runtime's own bounding set
// (preexec.Host.Bounding) for `runc exec`: a container started by a
// runtime without CAP_SYS_TIME and CAP_SYS_RESOURCE (setpriv
// --bounding-set), then processes joined to it by the same runtime that
// ask for CAP_SYS_TIME (in bounding, effective and permitted; in
// bounding and inheritable; as uid 1000), Docker's defaults, or nothing (the
// container's own). Each outcome is held to the model; it ends with
//
//	runtime-oracle exec bounding: <processes> processes x <runtimes> runtimes, <M> disagreements
func TestRuntimeOracleJoinBounding(t *testing.T) {
	needRoot(t)
	rts := joinRuntimes(t, false)
	joined := func(c *Capabilities) Process {
		return Process{Cwd: "/", Args: echoArgs, Env: []string{DefaultPATH}, Capabilities: c}
	}
	withTime := append(slices.Clone(DockerCaps), "CAP_SYS_TIME")
	user := joined(bep("CAP_SYS_TIME"))
	user.UID, user.GID = 1000, 1000
	container := Case{
		Rootfs:   Fixture(string(rootfsOf(Base)) + SleeperLines("0:0")),
		Process:  Process{Cwd: "/", Args: []string{SleeperPath, "3600"}, Env: []string{DefaultPATH}, Capabilities: bep(DockerCaps...), NoNewPrivileges: true},
		Seccomp:  SeccompNone,
		Bounding: []string{"CAP_SYS_TIME", "CAP_SYS_RESOURCE"},
	}
	jc := JoinCase{
		Name:      "bounding_join",
		Rule:      "capabilities the runtime's bounding set lacks fail runc exec's capset as runc run's",
		Container: container,
		Execs: []JoinExec{
			{Name: "asks", Process: joined(bep(withTime...))},
			{Name: "inheritable", Process: joined(&Capabilities{Bounding: []string{"CAP_SYS_TIME"}, Inheritable: []string{"CAP_SYS_TIME"}})},
			{Name: "user", Process: user},
			{Name: "docker", Process: joined(bep(DockerCaps...))},
			{Name: "inherits", Process: joined(nil)},
		},
	}
	h := testHarness(t)
	var jobs []JoinJob
	for _, rt := range rts {
		jobs = append(jobs, JoinJob{Case: &jc, Runtime: rt})
	}
	results := h.RunJoins(context.Background(), jobs, jobsFromEnv(t), nil)
	runs, bad, started := 0, 0, 0
	for _, r := range results {
		for i := range r.Case.Execs {
			e := &r.Case.Execs[i]
			o, ok := r.Outcomes[e.Name]
			if !ok || o.Class == HarnessError {
				bad++
				t.Errorf("harness error: %s on %s: %s\n%s", e.Name, r.Runtime.Name, o.Message, o.Output)
				continue
			}
			runs++
			if o.Started {
				started++
			}
			if n, why := joinModelCheck(r.Case, e, r.Runtime.Name, o); n && why != "" {
				bad++
				t.Errorf("model disagrees with %s on %s:\n  runtime: %s\n  model:   %s", r.Runtime.Name, e.Name, o, why)
			}
		}
	}
	if started == 0 || started == runs {
		t.Errorf("%d of %d processes started: the cases should split", started, runs)
	}
	t.Logf("runtime-oracle exec bounding: %d processes x %d runtimes (%d started), %d disagreements", len(jc.Execs), len(rts), started, bad)
}
