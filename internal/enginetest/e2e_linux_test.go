//go:build linux

package enginetest

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/internal/runtimes"
)

// TestEngineE2E runs the end-to-end images with docker run, podman run,
// ctr run and containerd's CRI on every installed runc and holds the exit
// status and what the engine printed to the goldens in testdata/engine/e2e.
func TestEngineE2E(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadE2E(dir)
	if err != nil {
		t.Fatal(err)
	}
	rts, err := runtimes.Installed()
	if err != nil || len(rts) == 0 {
		skipOrFail(t, "no runtimes installed (.ci/install-runtimes)")
	}
	rts = E2ERuntimes(rts)
	if raceEnabled {
		// CI's second pass: a few runtimes are enough for the race detector.
		var some []runtimes.Runtime
		for i, rt := range rts {
			if i%16 == 0 {
				some = append(some, rt)
			}
		}
		rts = some
	}
	h := startHarness(t, rts)
	ctx := context.Background()
	start := time.Now()
	archive := filepath.Join(h.Dir, "e2e.tar")
	cases := E2ECases()
	if err := Archive(cases, archive); err != nil {
		t.Fatal(err)
	}
	if err := h.Load(ctx, archive); err != nil {
		t.Fatalf("loading the images: %v", err)
	}
	got := h.RunE2EAll(ctx, cases, rts, nil, jobs(t))
	again := rerunDiffering(ctx, t, h, cases, rts, want, got)
	runs, disagree, missing := 0, 0, 0
	starts := map[string]map[string][]string{} // case → engine → runtimes that started
	for _, c := range cases {
		g := want[c.Name]
		if g == nil {
			t.Errorf("end-to-end case %s has no golden (sudo go run ./internal/enginetest/cmd/record -e2e)", c.Name)
		}
		for _, e := range E2EEngines {
			for _, rt := range rts {
				if !E2ERunsWith(&c, rt.Name) {
					continue
				}
				r, ok := got[c.Name][e][rt.Name]
				if !ok || r.Skip != "" {
					continue
				}
				runs++
				if r.Exit == 0 && strings.Contains(r.Stdout, Marker) {
					if starts[c.Name] == nil {
						starts[c.Name] = map[string][]string{}
					}
					starts[c.Name][e] = append(starts[c.Name][e], rt.Name)
				}
				if g == nil {
					continue
				}
				w, ok := g.Runs[e][rt.Name]
				if !ok {
					missing++
					t.Errorf("%s on %s with %s: no golden run (record with -e2e)", c.Name, e, rt.Name)
					continue
				}
				if diff := cmp.Diff(w, r); diff != "" {
					disagree++
					t.Errorf("%s on %s with %s: the live run differs from the golden (-golden +live):\n%s", c.Name, e, rt.Name, diff)
				}
			}
		}
	}
	for _, c := range E2E {
		for _, e := range E2EEngines {
			s := starts[c.Name][e]
			sort.Strings(s)
			t.Logf("%s on %s: %d of %d runtimes start", c.Name, e, len(s), len(rts))
		}
	}
	t.Logf("engine-e2e: %d runs (%d images x %d runtimes and %d random images x %d runtimes, x %d engines, less skips) in %s, %d disagreements, %d unrecorded, %d agreed only when made again alone",
		runs, len(E2E), len(rts), len(cases)-len(E2E), len(E2ERandomRuntimes), len(E2EEngines), time.Since(start).Round(time.Second), disagree, missing, again)
}

// rerunDiffering makes each run in got that differs from its golden once
// more, alone, after the engine's leftovers of it are removed, and puts
// the second run in got; it returns how many runs agreed only then. Under
// a loaded machine ctr and containerd's CRI now and then lose a
// container's output (containerd/containerd#770), or the shim's
// connection ("ttrpc: closed"), which a pool of parallel runs reads as a
// disagreement. RunE2E's own retry covers only a ctr run that exits 0
// having printed nothing, since it has no golden to hold a run to; seen
// here: a CRI run that lost "preexec-started", a ctr run that lost the
// runtime's "exec …: operation not permitted". Every run made again
// is logged with its first difference, so a nondeterminism of the engine
// itself stays in sight; a run that differs twice is a disagreement.
func rerunDiffering(ctx context.Context, t *testing.T, h *Harness, cases []Case, rts []runtimes.Runtime, want map[string]*E2EGolden, got map[string]map[string]map[string]E2ERun) int {
	t.Helper()
	agreed := 0
	for i := range cases {
		c := &cases[i]
		g := want[c.Name]
		if g == nil {
			continue
		}
		for _, e := range E2EEngines {
			for _, rt := range rts {
				r, ok := got[c.Name][e][rt.Name]
				w, recorded := g.Runs[e][rt.Name]
				if !ok || r.Skip != "" || !recorded || cmp.Equal(w, r) {
					continue
				}
				first := cmp.Diff(w, r)
				h.RemoveE2E(ctx, e, rt, c)
				r = h.RunE2E(ctx, e, rt, c)
				got[c.Name][e][rt.Name] = r
				if cmp.Equal(w, r) {
					agreed++
					t.Logf("%s on %s with %s: differed from the golden, agreed when made again alone; the first run (-golden +live):\n%s", c.Name, e, rt.Name, first)
				} else {
					t.Logf("%s on %s with %s: differed from the golden twice; the first run (-golden +live):\n%s", c.Name, e, rt.Name, first)
				}
			}
		}
	}
	return agreed
}

// TestDropWaitRace pins the normalisation of the docker CLI's line about a
// cancelled wait: dropped with its line break wherever it comes (one live
// run had it before the error, which left a leading newline).
func TestDropWaitRace(t *testing.T) {
	const race = `time="2026-12-06T00:40:00Z" level=error msg="error waiting for container: context canceled"`
	const msg = "docker: Error response from daemon: x."
	for _, in := range []string{msg, race + "\n" + msg, msg + "\n" + race, race + "\n" + msg + "\n" + race} {
		if got := dropWaitRace(in); got != msg {
			t.Errorf("dropWaitRace(%q) = %q, want %q", in, got, msg)
		}
	}
}
