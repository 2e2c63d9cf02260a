//go:build linux

package enginetest

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRootlessOracle runs every rootless case (RootlessCases) in the real
// rootless podman (and the --userns ones in podman as root) with the
// installed RootlessRuntimes, compares each run with its golden
// (testdata/engine/rootless) and with the model, and ends with
//
//	engine-oracle rootless-podman: <cases> cases x <runtimes> runtimes, <M> disagreements (…)
//
// It needs root (it runs podman as RootlessUser with setpriv) and
// .ci/install-rootless. PREEXEC_ROOTLESS_CASES=RE narrows the cases.
func TestRootlessOracle(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "the rootless engine oracle needs root (it runs podman as "+RootlessUser+" with setpriv, and podman as root)")
	}
	in, err := LoadInstalled()
	if err != nil {
		skipOrFail(t, err.Error())
	}
	if _, err := LookupRootless(); err != nil {
		skipOrFail(t, err.Error())
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		skipOrFail(t, err.Error())
	}
	rts, missing, err := RootlessRuntimesInstalled()
	if err != nil {
		skipOrFail(t, err.Error())
	}
	if len(missing) > 0 {
		skipOrFail(t, "runtimes not installed (.ci/install-runtimes): "+missing[0])
	}
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadRootless(dir)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(os.Getenv("PREEXEC_ROOTLESS_CASES"))
	var cases []Case
	for i, c := range RootlessCases() {
		if raceEnabled && i%8 != 0 {
			continue
		}
		if re.MatchString(c.Name) {
			cases = append(cases, c)
		}
	}
	// Every fourth curated case, created only (the goldens hold all of
	// them, and TestRootlessModel the model to them): the live run stays
	// near two minutes on an idle machine.
	var specOnly []Case
	for i, c := range RootlessSpecCases() {
		if i%4 != 0 || (raceEnabled && i%32 != 0) {
			continue
		}
		if re.MatchString(c.Name) {
			specOnly = append(specOnly, c)
		}
	}
	start := time.Now()
	// At most two runs at a time: rootless podman commands wait on one
	// another's storage locks, and more only queue (a run the harness's
	// timeout killed under a loaded machine is made again).
	got, err := RunRootless(context.Background(), in, cases, specOnly, rts, min(jobs(t), 2))
	if err != nil {
		t.Fatal(err)
	}
	live, unrecorded := 0, 0
	for _, c := range slices.Concat(cases, specOnly) {
		w := want[c.Name]
		if w == nil {
			unrecorded++
			t.Errorf("rootless case %s has no golden (sudo go run ./internal/enginetest/cmd/record -rootless -cases '^%s$')", c.Name, c.Name)
			continue
		}
		if diff := cmp.Diff(w.Specs, got[c.Name].Specs); diff != "" {
			live++
			t.Errorf("%s: the live specs differ from the golden (-golden +live):\n%s", c.Name, diff)
		}
		if diff := cmp.Diff(w.Runs, got[c.Name].Runs); diff != "" {
			live++
			t.Errorf("%s: the live runs differ from the golden (-golden +live):\n%s", c.Name, diff)
		}
	}
	runs, model, unknown, phases := rootlessCompare(got, t.Errorf)
	// The runtimes that ran (crun is a skip on hybrid cgroups).
	ran, skipped := map[string]bool{}, map[string]string{}
	for _, g := range got {
		for _, byRT := range g.Runs {
			for rn, r := range byRT {
				if r.Skip == "" {
					ran[rn] = true
				} else {
					skipped[rn] = r.Skip
				}
			}
		}
	}
	for rn, why := range skipped {
		if !ran[rn] {
			t.Logf("%s skipped: %s", rn, why)
		}
	}
	t.Logf("rootless runs made in %s", time.Since(start).Round(time.Second))
	t.Logf("engine-oracle rootless-podman: %d cases x %d runtimes, %d disagreements (%d specs, %d of them of curated cases created only; %d runs; live vs goldens %d, unrecorded %d, live vs model %d; model unknown %d; phases: started %d, engine refusal %d, create %d, after-start %d)",
		len(cases), len(ran), live+unrecorded+model, phases["spec"], len(specOnly), runs, live, unrecorded, model, unknown,
		phases["started"], phases["refusal"], phases["create"], phases["after-start"])
}
