//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/preexec/preexec/internal/golden"
	"github.com/preexec/preexec/internal/runtimetest"
)

// recordJoin records the first n join cases of the seed on the runtimes of
// rts that runtimetest.JoinRuntimes names, as record does the others:
// changes are printed and written only with -update, harness errors write
// nothing.
func recordJoin(rf golden.RecordFlags, n int, rts []runtimetest.Runtime, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "record: "+format+"\n", a...)
		return 2
	}
	rts = slices.DeleteFunc(slices.Clone(rts), func(rt runtimetest.Runtime) bool {
		return !slices.Contains(runtimetest.JoinRuntimes, rt.Name)
	})
	if len(rts) == 0 {
		return fail("none of runtimetest.JoinRuntimes is installed and selected")
	}
	var cases []runtimetest.JoinCase
	for i := 0; i < n; i++ {
		jc := runtimetest.RandomJoin(rf.Seed, i)
		if err := jc.Validate(); err != nil {
			return fail("%v", err)
		}
		if rf.Cases.MatchString(jc.Name) {
			cases = append(cases, jc)
		}
	}
	h, err := runtimetest.NewHarness()
	if err != nil {
		return fail("%v", err)
	}
	defer func() {
		if err := h.Close(); err != nil {
			fmt.Fprintf(stderr, "record: %v\n", err)
		}
	}()
	var jobs []runtimetest.JoinJob
	for i := range cases {
		for _, rt := range rts {
			jobs = append(jobs, runtimetest.JoinJob{Case: &cases[i], Runtime: rt})
		}
	}
	fmt.Fprintf(stderr, "record: %d join cases (%d execs each) x %d runtimes = %d containers, %d in flight\n", len(cases), runtimetest.JoinExecs, len(rts), len(jobs), rf.Jobs)
	start := time.Now()
	results := h.RunJoins(context.Background(), jobs, rf.Jobs, progress(stderr, start, len(jobs), "containers"))
	fmt.Fprintf(stderr, "record: %d containers in %s\n", len(results), time.Since(start).Round(time.Second))
	outcomes := map[string]map[string]map[string]runtimetest.Outcome{}
	var harness []string
	for _, r := range results {
		for e, o := range r.Outcomes {
			if o.Class == runtimetest.HarnessError {
				harness = append(harness, fmt.Sprintf("%s %s on %s: %s\n%s", r.Case.Name, e, r.Runtime.Name, o.Message, o.Output))
				continue
			}
			if outcomes[r.Case.Name] == nil {
				outcomes[r.Case.Name] = map[string]map[string]runtimetest.Outcome{}
			}
			if outcomes[r.Case.Name][e] == nil {
				outcomes[r.Case.Name][e] = map[string]runtimetest.Outcome{}
			}
			outcomes[r.Case.Name][e][r.Runtime.Name] = o
		}
	}
	if len(harness) > 0 {
		sort.Strings(harness)
		for _, h := range harness {
			fmt.Fprintln(stderr, "harness error:", h)
		}
		return fail("%d harness errors; nothing written", len(harness))
	}
	old, err := runtimetest.LoadJoinGoldens(rf.Dir)
	if err != nil {
		return fail("%v", err)
	}
	var changed []string
	var goldens []*runtimetest.JoinGolden
	hist := map[runtimetest.Class]int{}
	for _, jc := range cases {
		g, ch := runtimetest.ApplyJoin(old[jc.Name], jc, outcomes[jc.Name])
		changed = append(changed, ch...)
		goldens = append(goldens, g)
		for _, m := range outcomes[jc.Name] {
			for _, o := range m {
				hist[o.Class]++
			}
		}
	}
	for _, c := range changed {
		fmt.Fprintln(stdout, c)
	}
	fmt.Fprintf(stdout, "record: join: %d changes; outcomes: %v\n", len(changed), hist)
	if len(changed) > 0 && !rf.Update {
		return fail("goldens differ (above); nothing written; rerun with -update to overwrite")
	}
	if rf.DryRun {
		return 0
	}
	for _, g := range goldens {
		if err := runtimetest.WriteJoinGolden(rf.Dir, g); err != nil {
			return fail("%v", err)
		}
	}
	fmt.Fprintf(stdout, "record: wrote %d join goldens in %s/%s\n", len(goldens), rf.Dir, runtimetest.JoinDir)
	return 0
}
