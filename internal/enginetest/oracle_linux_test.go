//go:build linux

package enginetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/internal/runtimes"

	"github.com/preexec/preexec/internal/golden"
)

// The engine oracle in CI. Environment:
//
//	PREEXEC_ORACLE=required   fail instead of skipping (not root, no engines)
//	PREEXEC_ENGINE_JOBS=N     creates in flight (default 4)
//	PREEXEC_ENGINES=DIR       where engines.json is
//	PREEXEC_ENGINE_SEED=N     replay the time-seeded cases of seed N
//	PREEXEC_ENGINE_STRICT=1   fail on a FINDING (the model differs from a
//	                          live engine on a time-seeded case)
//
// Run it with
//
//	sudo go test ./internal/enginetest -run EngineOracle -v

func skipOrFail(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}

// timedCases is the number of time-seeded random cases a run adds.
const timedCases = 20

// timeSeed is the seed of a run's time-seeded cases: PREEXEC_ENGINE_SEED,
// or the clock.
func timeSeed(t *testing.T) uint64 {
	n, err := golden.Seed("PREEXEC_ENGINE_SEED", GoldenSeed)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func jobs(t *testing.T) int {
	n, err := golden.Jobs("PREEXEC_ENGINE_JOBS", 4)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// startHarness starts the engines for a test, or skips (fails when
// required) when they cannot run; they are stopped when the test ends.
func startHarness(t *testing.T, rts []runtimes.Runtime) *Harness {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "the engine oracle needs root (dockerd, containerd and podman run as root)")
	}
	in, err := LoadInstalled()
	if err != nil {
		skipOrFail(t, err.Error())
	}
	if _, err := exec.LookPath("go"); err != nil {
		skipOrFail(t, "the engine oracle builds its capture runtime with the go command: "+err.Error())
	}
	if err := os.MkdirAll(HostSource, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A short directory: unix socket paths below it must stay < 108 bytes.
	dir, err := os.MkdirTemp("", "pe-eng-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	capture, err := BuildCapture(ctx, filepath.Join(dir, "rt"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := Start(ctx, filepath.Join(dir, "e"), in, capture, rts)
	if err != nil {
		skipOrFail(t, "the engines did not start: "+err.Error())
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("stopping the engines: %v", err)
		}
	})
	return h
}

// TestEngineOracle creates every curated case and every recorded random
// case in the live engines and compares what each engine handed the
// runtime (or its error, or the skip) with the golden.
func TestEngineOracle(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGoldens(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, nil)
	ctx := context.Background()
	var cases []Case
	want := map[string]*Golden{}
	for i, gc := range g.All() {
		// Under -race (CI's second pass) every eighth case: the harness's
		// concurrency is what the race detector is for.
		if raceEnabled && i%8 != 0 {
			continue
		}
		cases = append(cases, gc.Case)
		want[gc.Case.Name] = gc
	}
	// And cases of a seed from the clock, which no golden holds: the live
	// engines judge the model on them alone.
	seed := timeSeed(t)
	timed := Random(seed, timedCases)
	if raceEnabled {
		timed = timed[:timedCases/8]
	}
	t.Logf("engine-oracle: time seed %d (replay with PREEXEC_ENGINE_SEED=%d), %d cases", seed, seed, len(timed))
	cases = append(cases, timed...)
	for _, c := range Curated {
		if g.Curated[c.Name] == nil {
			t.Errorf("curated case %s has no golden (sudo go run ./internal/enginetest/cmd/record -cases '^%s$')", c.Name, c.Name)
		}
	}
	start := time.Now()
	archive := filepath.Join(h.Dir, "images.tar")
	if err := Archive(cases, archive); err != nil {
		t.Fatal(err)
	}
	if err := h.Load(ctx, archive); err != nil {
		t.Fatalf("loading the images: %v", err)
	}
	loaded := time.Since(start)
	got, fails := h.RunCases(ctx, cases, EngineNames, jobs(t))
	for _, f := range fails {
		t.Errorf("harness error: %s on %s: %v", f.Case, f.Engine, f.Err)
	}
	disagree, modelDisagree, modelCompared, findings := 0, 0, 0, 0
	skips := map[string]map[string]int{}
	for _, c := range cases {
		for _, e := range EngineNames {
			o, ok := got[c.Name][e]
			if !ok {
				continue // a harness error, reported above
			}
			if o.Skip != "" {
				if skips[e] == nil {
					skips[e] = map[string]int{}
				}
				skips[e][o.Skip]++
			}
			if want[c.Name] == nil {
				// A time-seeded case: the model alone is held to it.
				if o.Skip == "" {
					modelCompared++
					if diff := modelDiff(&c, e, o); diff != "" {
						findings++
						report := t.Logf
						if os.Getenv("PREEXEC_ENGINE_STRICT") == "1" {
							report = t.Errorf
						}
						report("FINDING: engine-oracle seed %d: %s on %s: spec.FromImage differs from the live engine (replay: PREEXEC_ENGINE_SEED=%d):\n%s", seed, c.Name, e, seed, diff)
					}
				}
				continue
			}
			if diff := cmp.Diff(Canonical(&c, e, want[c.Name].Outcomes[e]), Canonical(&c, e, o)); diff != "" {
				disagree++
				t.Errorf("%s on %s: the live engine differs from the golden (-golden +live):\n%s", c.Name, e, diff)
			}
			// The model (spec.FromImage, compared as model_test.go
			// compares it with the goldens) against the live engine.
			if o.Skip == "" {
				modelCompared++
				if diff := modelDiff(&c, e, o); diff != "" {
					modelDisagree++
					t.Errorf("%s on %s: spec.FromImage differs from the live engine:\n%s", c.Name, e, diff)
				}
			}
		}
	}
	for _, e := range EngineNames {
		var reasons []string
		n := 0
		for r, k := range skips[e] {
			reasons = append(reasons, fmt.Sprintf("%d × %s", k, r))
			n += k
		}
		sort.Strings(reasons)
		if n > 0 {
			t.Logf("%s: %d of %d cases skipped:\n\t%s", e, n, len(cases), strings.Join(reasons, "\n\t"))
		}
	}
	t.Logf("images built and loaded in %s, %d creates in %s", loaded.Round(time.Millisecond), len(cases)*len(EngineNames), time.Since(start).Round(time.Millisecond))
	t.Logf("engine-oracle: live vs spec.FromImage: %d outcomes compared, %d disagreements on recorded cases, %d findings on time-seeded ones", modelCompared, modelDisagree, findings)
	t.Logf("engine-oracle: %d cases x %d engines, %d disagreements (live vs goldens %d, harness errors %d, live vs spec.FromImage %d)",
		len(cases), len(EngineNames), disagree+len(fails)+modelDisagree, disagree, len(fails), modelDisagree)
}
