//go:build linux

// Command record runs every curated case and the random cases of a seed
// against every installed runtime and records the outcomes as goldens in
// testdata/runtime/ (see internal/runtimetest). It needs root.
//
//	sudo go run ./internal/runtimetest/cmd/record [flags]
//
// Re-recording over existing goldens prints every changed outcome (and
// changed case definitions, runtime identities, kernel) and writes nothing
// unless -update is given; outcomes where the goldens had none are added
// without it. A harness error (timeout, output the classifier does not
// know) is printed and nothing is written.
//
// Flags:
//
//	-update          overwrite changed goldens
//	-seed N          seed of the random cases (default 1)
//	-random N        number of random cases (default 300)
//	-mounts N        number of random cases of the mounts family (default 100)
//	-exec N          number of random cases of the exec family (default 100)
//	-seccomp N       number of random cases of the seccomp family (default 100)
//	-rootless N      number of random cases of the rootless family, with
//	                 subordinate ids (default 100)
//	-join N          record the first N join cases (RandomJoin: processes
//	                 `runc exec` joins to a running container) instead, on
//	                 the runtimes of runtimetest.JoinRuntimes, into
//	                 testdata/runtime/exec
//	-runtimes RE     only runtimes whose name matches RE (outcomes of the
//	                 others are kept)
//	-cases RE        only cases whose name matches RE (no pruning)
//	-jobs N          runs in flight (default CPUs+1)
//	-dir DIR         golden directory (default testdata/runtime of the module)
//	-n               dry run: report, write nothing
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/internal/golden"
	"github.com/preexec/preexec/internal/runtimetest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rf golden.RecordFlags
	rf.Register(fs, 1, runtimetest.DefaultWorkers())
	nrandom := fs.Int("random", 300, "number of random cases")
	nmounts := fs.Int("mounts", 100, "number of random cases of the mounts family (RandomMounts)")
	nexec := fs.Int("exec", 100, "number of random cases of the exec family (RandomExec)")
	nseccomp := fs.Int("seccomp", 100, "number of random cases of the seccomp family (RandomSeccomp)")
	nrootless := fs.Int("rootless", 100, "number of random cases of the rootless family with subordinate ids (RandomRootless)")
	rtRE := fs.String("runtimes", "", "only runtimes matching this regexp")
	njoin := fs.Int("join", 0, "record the first N join cases (RandomJoin, `runc exec`) on runtimetest.JoinRuntimes instead, into the exec goldens")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "record: "+format+"\n", a...)
		return 2
	}
	if err := rf.Finish("runtime", "bundles have real owners; runtimes run as root"); err != nil {
		return fail("%v", err)
	}
	rtMatch, err := regexp.Compile(*rtRE)
	if err != nil {
		return fail("-runtimes: %v", err)
	}

	all, err := runtimetest.Installed()
	if err != nil {
		return fail("%v", err)
	}
	var rts []runtimetest.Runtime
	for _, rt := range all {
		if rtMatch.MatchString(rt.Name) {
			rts = append(rts, rt)
		}
	}
	if *njoin > 0 {
		return recordJoin(rf, *njoin, rts, stdout, stderr)
	}
	if len(rts) == 0 {
		return fail("no runtimes installed (in %s, /usr/sbin/runc, /usr/bin/crun) match %q", runtimetest.RuntimesDir(), *rtRE)
	}

	curated := map[string]bool{}
	var cases []runtimetest.Case
	for _, c := range runtimetest.Curated() {
		curated[c.Name] = true
		cases = append(cases, c)
	}
	for i := 0; i < *nrandom; i++ {
		cases = append(cases, runtimetest.Random(rf.Seed, i))
	}
	for i := 0; i < *nmounts; i++ {
		cases = append(cases, runtimetest.RandomMounts(rf.Seed, i))
	}
	for i := 0; i < *nexec; i++ {
		cases = append(cases, runtimetest.RandomExec(rf.Seed, i))
	}
	for i := 0; i < *nseccomp; i++ {
		cases = append(cases, runtimetest.RandomSeccomp(rf.Seed, i))
	}
	for i := 0; i < *nrootless; i++ {
		cases = append(cases, runtimetest.RandomRootless(rf.Seed, i))
	}
	var selected []runtimetest.Case
	for _, c := range cases {
		if err := c.Validate(); err != nil {
			return fail("%v", err)
		}
		if rf.Cases.MatchString(c.Name) {
			selected = append(selected, c)
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
	var jobsList []runtimetest.Job
	for i := range selected {
		for _, rt := range rts {
			jobsList = append(jobsList, runtimetest.Job{Case: &selected[i], Runtime: rt})
		}
	}
	fmt.Fprintf(stderr, "record: %d cases x %d runtimes = %d runs, %d in flight\n", len(selected), len(rts), len(jobsList), rf.Jobs)
	start := time.Now()
	results := h.RunAll(context.Background(), jobsList, rf.Jobs, progress(stderr, start, len(jobsList), "runs"))
	elapsed := time.Since(start)

	outcomes := map[string]map[string]runtimetest.Outcome{}
	var harness []string
	var total time.Duration
	for _, r := range results {
		total += r.Duration
		if r.Outcome.Class == runtimetest.HarnessError {
			harness = append(harness, fmt.Sprintf("%s on %s: %s\n%s", r.Case.Name, r.Runtime.Name, r.Outcome.Message, r.Outcome.Output))
			continue
		}
		if outcomes[r.Case.Name] == nil {
			outcomes[r.Case.Name] = map[string]runtimetest.Outcome{}
		}
		outcomes[r.Case.Name][r.Runtime.Name] = r.Outcome
	}
	if len(results) > 0 {
		fmt.Fprintf(stderr, "record: %d runs in %s (%.3f s per run, %.3f s of wall time per run with %d in flight)\n",
			len(results), elapsed.Round(time.Millisecond), total.Seconds()/float64(len(results)), elapsed.Seconds()/float64(len(results)), rf.Jobs)
	}
	if len(harness) > 0 {
		sort.Strings(harness)
		for _, h := range harness {
			fmt.Fprintln(stderr, "harness error:", h)
		}
		return fail("%d harness errors; nothing written", len(harness))
	}

	g, err := runtimetest.LoadGoldens(rf.Dir)
	if err != nil {
		return fail("%v", err)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return fail("uname: %v", err)
	}
	kernel := unix.ByteSliceToString(uts.Release[:])
	prune := rf.CasesRE == "" // a full case list: goldens of other cases are stale
	rep := g.Apply(kernel, rts, selected, curated, outcomes, prune)
	for _, c := range rep.Changed {
		fmt.Fprintln(stdout, c)
	}
	fmt.Fprintf(stdout, "record: %d outcomes added, %d changes\n", rep.Added, len(rep.Changed))
	printSummary(stdout, selected, rts, outcomes)
	if len(rep.Changed) > 0 && !rf.Update {
		return fail("goldens differ (above); nothing written; rerun with -update to overwrite")
	}
	if rf.DryRun {
		return 0
	}
	if err := g.Write(rf.Dir); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "record: wrote %s\n", rf.Dir)
	return 0
}

// printSummary prints, per runtime, how many cases ended in each class.
func printSummary(w io.Writer, cases []runtimetest.Case, rts []runtimetest.Runtime, outcomes map[string]map[string]runtimetest.Outcome) {
	for _, rt := range rts {
		hist := map[runtimetest.Class]int{}
		for _, c := range cases {
			if o, ok := outcomes[c.Name][rt.Name]; ok {
				hist[o.Class]++
			}
		}
		var parts []string
		for _, cl := range []runtimetest.Class{runtimetest.Started, runtimetest.CreateError, runtimetest.ExecError, runtimetest.PostExecError} {
			parts = append(parts, fmt.Sprintf("%s %d", cl, hist[cl]))
		}
		fmt.Fprintf(w, "  %-28s %s\n", rt.Name, strings.Join(parts, ", "))
	}
}

// progress is a harness's progress callback that prints, at most every
// ten seconds, how many of total what are done and the time since start.
func progress(stderr io.Writer, start time.Time, total int, what string) func(done int) {
	last := time.Now()
	return func(done int) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			fmt.Fprintf(stderr, "record: %d/%d %s, %s\n", done, total, what, time.Since(start).Round(time.Second))
		}
	}
}
