//go:build linux

// Command record creates every curated case and the random cases of a seed
// in Docker, podman and containerd (started on private sockets, see
// internal/enginetest) and records what each engine handed the runtime as
// goldens in testdata/engine/. It needs root and .ci/install-engines.
//
//	sudo go run ./internal/enginetest/cmd/record [flags]
//
// Re-recording over existing goldens prints every changed outcome, one
// line before (-) and after (+), and writes nothing unless -update is
// given; cases the goldens do not have yet are added without it. A harness
// error is printed and nothing is written.
//
// Flags:
//
//	-update       overwrite changed goldens
//	-seed N       seed of the random cases (default 1)
//	-random N     number of random cases (default 200)
//	-random-ctr N number of random cases ctr can express too (default 80)
//	-random-cri N number of random cases Kubernetes can express (default 80)
//	-cases RE     only cases whose name matches RE
//	-jobs N       creates in flight (default 4)
//	-dir DIR      golden directory (default testdata/engine of the module)
//	-n            dry run: report, write nothing
//	-e2e          record the end-to-end runs instead (testdata/engine/e2e:
//	              docker run, podman run, ctr run and the CRI of
//	              enginetest.E2ECases: E2E with every installed runtime,
//	              E2ERandom with E2ERandomRuntimes)
//	-engines LIST with -e2e: only these engines (comma-separated, such as
//	              containerd@1.6.20) and, with -cases, only those cases; the
//	              other runs of an existing golden are kept as recorded
//	-rootless     record the rootless podman runs instead
//	              (testdata/engine/rootless: enginetest.RootlessCases with
//	              RootlessRuntimes, in podman run as preexec-rootless and,
//	              with --userns, as root)
//	-e2e -seed N  with a seed other than the goldens': -random N random
//	              images of that seed instead (enginetest.E2ERandom), run
//	              with E2ERandomRuntimes — images the goldens have never
//	              seen, for a -dir of their own and
//	              PREEXEC_ENGINE_GOLDENS=DIR go test -run TestEngineE2EModel
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/preexec/preexec/internal/enginetest"
	"github.com/preexec/preexec/internal/golden"
	"github.com/preexec/preexec/internal/runtimes"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rf golden.RecordFlags
	rf.Register(fs, enginetest.GoldenSeed, 4)
	nrandom := fs.Int("random", 200, "number of random cases")
	nctr := fs.Int("random-ctr", 80, "number of random cases ctr can express too")
	ncri := fs.Int("random-cri", 80, "number of random cases Kubernetes can express")
	e2e := fs.Bool("e2e", false, "record the end-to-end runs instead")
	rootless := fs.Bool("rootless", false, "record the rootless podman runs instead (testdata/engine/rootless)")
	engines := fs.String("engines", "", "with -e2e: only these engines (comma-separated); other runs are kept")
	rtRE := fs.String("runtimes", "", "with -e2e: only runtimes matching this regexp; other runs are kept")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "record: "+format+"\n", a...)
		return 2
	}
	if err := rf.Finish("engine", "engines run as root"); err != nil {
		return fail("%v", err)
	}
	in, err := enginetest.LoadInstalled()
	if err != nil {
		return fail("%v", err)
	}
	if *rootless {
		return recordRootless(rf.Dir, in, rf.Jobs, rf.Update, rf.DryRun, rf.Cases, stdout, stderr)
	}
	if *e2e {
		return recordE2E(rf.Dir, in, rf.Jobs, rf.Update, rf.DryRun, *engines, rf.CasesRE, *rtRE, rf.Seed, *nrandom, stdout, stderr)
	}
	old, err := enginetest.LoadGoldens(rf.Dir)
	if err != nil {
		return fail("%v", err)
	}
	type sel struct {
		sub string
		c   enginetest.Case
	}
	var cases []enginetest.Case
	subOf := map[string]string{}
	for _, s := range []struct {
		sub string
		cs  []enginetest.Case
	}{{"curated", enginetest.Curated}, {"random", slices.Concat(enginetest.Random(rf.Seed, *nrandom), enginetest.RandomCtr(rf.Seed, *nctr), enginetest.RandomCRI(rf.Seed, *ncri))}} {
		for _, c := range s.cs {
			if !rf.Cases.MatchString(c.Name) {
				continue
			}
			if err := c.Check(); err != nil {
				return fail("%v", err)
			}
			cases = append(cases, c)
			subOf[c.Name] = s.sub
		}
	}
	ctx := context.Background()
	start := time.Now()
	work, err := os.MkdirTemp("", "pe-rec-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(work)
	if err := os.MkdirAll(enginetest.HostSource, 0o755); err != nil {
		return fail("%v", err)
	}
	h, err := startEngines(ctx, work, in, nil, cases)
	if err != nil {
		return fail("%v", err)
	}
	defer h.Close()
	got, fails := h.RunCases(ctx, cases, enginetest.EngineNames, rf.Jobs)
	if len(fails) > 0 {
		for _, f := range fails {
			fmt.Fprintf(stderr, "harness error: %s on %s: %v\n", f.Case, f.Engine, f.Err)
		}
		return fail("%d harness errors; nothing written", len(fails))
	}
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	header := enginetest.Header{Kernel: unix.ByteSliceToString(uts.Release[:]), Engines: in.Info}
	changed, added := 0, 0
	var writes []func() error
	for _, c := range cases {
		sub := subOf[c.Name]
		oldG := old.Curated[c.Name]
		if sub == "random" {
			oldG = old.Random[c.Name]
		}
		g := &enginetest.Golden{Case: c, Outcomes: got[c.Name]}
		if oldG == nil {
			added++
		} else {
			diffs := diff(&c, oldG, g)
			if len(diffs) == 0 {
				continue
			}
			changed++
			fmt.Fprintf(stdout, "%s/%s:\n%s", sub, c.Name, strings.Join(diffs, ""))
			if !rf.Update {
				continue
			}
		}
		p := filepath.Join(rf.Dir, sub, c.Name+".json")
		writes = append(writes, func() error { return write(p, g) })
	}
	writes = append(writes, func() error { return write(filepath.Join(rf.Dir, "header.json"), header) })
	fmt.Fprintf(stdout, "record: %d cases x %d engines in %s: %d new, %d changed%s\n",
		len(cases), len(enginetest.EngineNames), time.Since(start).Round(time.Second), added, changed,
		map[bool]string{true: " (written)", false: " (not written; -update writes them)"}[rf.Update || changed == 0])
	if rf.DryRun {
		return 0
	}
	if err := flush(writes); err != nil {
		return fail("%v", err)
	}
	return 0
}

// diff returns one -/+ line pair per changed outcome or case definition.
func diff(c *enginetest.Case, a, b *enginetest.Golden) []string {
	var out []string
	line := func(v any) string {
		j, _ := json.Marshal(v)
		return string(j)
	}
	if ca, cb := line(a.Case), line(b.Case); ca != cb {
		out = append(out, "  - case "+ca+"\n  + case "+cb+"\n")
	}
	names := map[string]bool{}
	for n := range a.Outcomes {
		names[n] = true
	}
	for n := range b.Outcomes {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		oa, ok1 := a.Outcomes[n]
		ob, ok2 := b.Outcomes[n]
		if ok1 && ok2 && line(enginetest.Canonical(c, n, oa)) == line(enginetest.Canonical(c, n, ob)) {
			continue
		}
		out = append(out, fmt.Sprintf("  - %s %s\n  + %s %s\n", n, line(oa), n, line(ob)))
	}
	return out
}

func write(p string, v any) error {
	b, err := enginetest.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// recordE2E records the end-to-end runs of every installed runtime.
// engineList, when not empty, and caseRE, when not empty, limit the runs
// made; what an existing golden holds of the others is kept.
func recordE2E(dir string, in *enginetest.Installed, jobs int, update, dry bool, engineList, caseRE, rtRE string, seed uint64, nrandom int, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "record: "+format+"\n", a...)
		return 2
	}
	engines := enginetest.E2EEngines
	if engineList != "" {
		engines = strings.Split(engineList, ",")
		for _, e := range engines {
			if !slices.Contains(enginetest.E2EEngines, e) {
				return fail("-engines: %q is not one of %v", e, enginetest.E2EEngines)
			}
		}
	}
	cases := enginetest.E2ECases()
	if seed != enginetest.GoldenSeed {
		// Images the goldens have never seen: random ones of another seed,
		// for a golden directory of their own (-dir).
		cases = enginetest.E2ERandom(seed, nrandom)
	}
	if caseRE != "" {
		re, err := regexp.Compile(caseRE)
		if err != nil {
			return fail("-cases: %v", err)
		}
		cases = nil
		for _, c := range enginetest.E2ECases() {
			if re.MatchString(c.Name) {
				cases = append(cases, c)
			}
		}
	}
	rts, err := runtimes.Installed()
	if err != nil {
		return fail("%v", err)
	}
	rts = enginetest.E2ERuntimes(rts)
	if rtRE != "" {
		re, err := regexp.Compile(rtRE)
		if err != nil {
			return fail("-runtimes: %v", err)
		}
		rts = slices.DeleteFunc(rts, func(rt runtimes.Runtime) bool { return !re.MatchString(rt.Name) })
	}
	old, err := enginetest.LoadE2E(dir)
	if err != nil {
		return fail("%v", err)
	}
	ctx := context.Background()
	start := time.Now()
	work, err := os.MkdirTemp("", "pe-rec-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(work)
	h, err := startEngines(ctx, work, in, rts, cases)
	if err != nil {
		return fail("%v", err)
	}
	defer h.Close()
	got := h.RunE2EAll(ctx, cases, rts, engines, jobs)
	changed := 0
	var writes []func() error
	for _, c := range cases {
		g := &enginetest.E2EGolden{Case: c, Runs: got[c.Name]}
		if o := old[c.Name]; o != nil && reflect.DeepEqual(o.Case, c) {
			for _, e := range enginetest.E2EEngines {
				if !slices.Contains(engines, e) && o.Runs[e] != nil {
					g.Runs[e] = o.Runs[e]
					continue
				}
				// Runs of runtimes this recording did not make (-runtimes)
				// are kept.
				for rt, r := range o.Runs[e] {
					if _, ok := g.Runs[e][rt]; !ok && !slices.ContainsFunc(rts, func(x runtimes.Runtime) bool { return x.Name == rt }) {
						if g.Runs == nil {
							g.Runs = map[string]map[string]enginetest.E2ERun{}
						}
						if g.Runs[e] == nil {
							g.Runs[e] = map[string]enginetest.E2ERun{}
						}
						g.Runs[e][rt] = r
					}
				}
			}
		}
		if o := old[c.Name]; o != nil {
			n := 0
			for _, e := range enginetest.E2EEngines {
				for _, rt := range enginetest.SortedRuntimes(g.Runs[e]) {
					a, _ := json.Marshal(o.Runs[e][rt])
					b, _ := json.Marshal(g.Runs[e][rt])
					if string(a) != string(b) {
						n++
						fmt.Fprintf(stdout, "e2e/%s %s %s:\n  - %s\n  + %s\n", c.Name, e, rt, a, b)
					}
				}
			}
			if n == 0 {
				continue
			}
			changed++
			if !update {
				continue
			}
		}
		p := filepath.Join(dir, "e2e", c.Name+".json")
		writes = append(writes, func() error { return write(p, g) })
	}
	fmt.Fprintf(stdout, "record: %d end-to-end images x %d runtimes x %d engines in %s: %d changed\n",
		len(cases), len(rts), len(engines), time.Since(start).Round(time.Second), changed)
	if dry {
		return 0
	}
	if err := flush(writes); err != nil {
		return fail("%v", err)
	}
	return 0
}

// startEngines builds the capture runtime in work, starts the engines below
// it (rts registered with dockerd and as CRI runtime handlers) and loads
// the images of cases: how both recordings begin.
func startEngines(ctx context.Context, work string, in *enginetest.Installed, rts []runtimes.Runtime, cases []enginetest.Case) (*enginetest.Harness, error) {
	capture, err := enginetest.BuildCapture(ctx, filepath.Join(work, "rt"))
	if err != nil {
		return nil, err
	}
	archive := filepath.Join(work, "images.tar")
	if err := enginetest.Archive(cases, archive); err != nil {
		return nil, err
	}
	h, err := enginetest.Start(ctx, filepath.Join(work, "e"), in, capture, rts)
	if err != nil {
		return nil, err
	}
	if err := h.Load(ctx, archive); err != nil {
		h.Close()
		return nil, fmt.Errorf("load: %w", err)
	}
	return h, nil
}

// recordRootless records the rootless runs of the cases matching re.
func recordRootless(dir string, in *enginetest.Installed, jobs int, update, dry bool, re *regexp.Regexp, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "record: "+format+"\n", a...)
		return 2
	}
	rts, missing, err := enginetest.RootlessRuntimesInstalled()
	if err != nil {
		return fail("%v", err)
	}
	if len(missing) > 0 {
		return fail("runtimes not installed: %s", strings.Join(missing, ", "))
	}
	old, err := enginetest.LoadRootless(dir)
	if err != nil {
		return fail("%v", err)
	}
	var cases, specOnly []enginetest.Case
	for _, set := range []struct {
		cs []enginetest.Case
		to *[]enginetest.Case
	}{{enginetest.RootlessCases(), &cases}, {enginetest.RootlessSpecCases(), &specOnly}} {
		for _, c := range set.cs {
			if !re.MatchString(c.Name) {
				continue
			}
			if err := c.Check(); err != nil {
				return fail("%v", err)
			}
			*set.to = append(*set.to, c)
		}
	}
	start := time.Now()
	got, err := enginetest.RunRootless(context.Background(), in, cases, specOnly, rts, jobs)
	if err != nil {
		return fail("%v", err)
	}
	changed, added := 0, 0
	var writes []func() error
	for _, c := range slices.Concat(cases, specOnly) {
		g := got[c.Name]
		if o := old[c.Name]; o == nil {
			added++
		} else {
			a, _ := json.Marshal(o)
			b, _ := json.Marshal(g)
			if string(a) == string(b) {
				continue
			}
			changed++
			fmt.Fprintf(stdout, "rootless/%s:\n  - %s\n  + %s\n", c.Name, a, b)
			if !update {
				continue
			}
		}
		p := filepath.Join(dir, "rootless", c.Name+".json")
		writes = append(writes, func() error { return write(p, g) })
	}
	fmt.Fprintf(stdout, "record: %d rootless cases x %d runtimes in %s: %d new, %d changed%s\n",
		len(cases), len(rts), time.Since(start).Round(time.Second), added, changed,
		map[bool]string{true: " (written)", false: " (not written; -update writes them)"}[update || changed == 0])
	if dry {
		return 0
	}
	if err := flush(writes); err != nil {
		return fail("%v", err)
	}
	return 0
}

// flush runs the golden writes a recording queued, in order, and stops at
// the first that fails: nothing is written before every run has been
// compared.
func flush(writes []func() error) error {
	for _, w := range writes {
		if err := w(); err != nil {
			return err
		}
	}
	return nil
}
