package enginetest

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// rootlessVerdict is how one rootless run compares with the model:
// "" agrees, else the difference; unknown is the model's reason when it
// cannot tell (not a disagreement: the brief of "unknown" is never to
// guess), and phase the prediction's phase.
type rootlessVerdict struct {
	diff, unknown, phase string
}

// rootlessDiff predicts one run of golden g's case in engine (RootlessPodman
// or RootfulPodman) with runtime rtName, as a user of preexec would ask:
// spec.FromImage with Engine.Rootless for the rootless podman,
// Engine.HostIDs, the -v source from RootlessHostFixture, Evaluate with
// Create, and Engine.Failure or Engine.Refusal for the words.
func rootlessDiff(g *RootlessGolden, engine, rtName string, run E2ERun) rootlessVerdict {
	c := &g.Case
	flags, runtimeArg := runFlags(c, rtName, run)
	eng, err := spec.LookupEngine(Podman)
	if err != nil {
		return rootlessVerdict{diff: err.Error()}
	}
	eng.HostBounding = recordingBounding
	if engine == RootlessPodman {
		rl := g.Rootless
		eng.Rootless = &rl
	}
	ov, err := spec.ParseOverrides(flags)
	if err != nil {
		return rootlessVerdict{diff: err.Error()}
	}
	fsys := rootfs.MustParseFixture(c.Rootfs).Mem()
	s, err := spec.FromImage(c.Image, fsys, eng, ov)
	if err != nil {
		if u := (*spec.UnsupportedError)(nil); asUnsupported(err, &u) {
			return rootlessVerdict{unknown: u.Error(), phase: "unknown"}
		}
		// podman names the rootfs it mounted; the recorder, its storage.
		got := eng.Refusal(err)
		want := storagePaths(engine, run.Stderr)
		if want != got {
			return rootlessVerdict{diff: fmt.Sprintf("refusal:\n-want %q\n+got  %q", want, got), phase: "refusal"}
		}
		return rootlessVerdict{phase: "refusal"}
	}
	plan, err := spec.FromSpec("config.json", s)
	if err != nil {
		return rootlessVerdict{diff: err.Error()}
	}
	base := eng.HostIDs(plan, spec.Prepared(c.Image, fsys, eng, ov))
	// As load does: an owner of the image the namespace lacks, looked at
	// or not, leaves the answer unknown.
	if err := spec.Unstorable(base, fsys); err != nil {
		return rootlessVerdict{unknown: err.Error(), phase: "unknown"}
	}
	sources := map[string]access.FS{RootlessHostSource: rootfs.MustParseFixture(RootlessHostFixture).Mem()}
	view := preexec.NewView(plan, base, sources)
	rt, err := preexec.LookupRuntime(rtName)
	if err != nil {
		return rootlessVerdict{diff: err.Error()}
	}
	r := preexec.Evaluate(plan, view, rt, preexec.Host{Create: true})
	switch {
	case r.Unknown != "":
		return rootlessVerdict{unknown: r.Unknown, phase: "unknown"}
	case r.Starts != (run.Exit == 0):
		return rootlessVerdict{diff: fmt.Sprintf("model starts=%v (%s %s), engine exit %d: %s", r.Starts, r.Step, r.Text, run.Exit, run.Stderr), phase: string(r.Phase)}
	case r.Starts:
		return rootlessVerdict{phase: "started"}
	}
	shown := eng.Failure(runtimeArg, r.Text, r.Phase == preexec.PhaseAfterStart, r.ExitStatus)
	if shown.Text != run.Stderr || shown.Exit != run.Exit {
		return rootlessVerdict{diff: fmt.Sprintf("%s (phase %s):\n-want exit %d %q\n+got  exit %d %q", r.Step, r.Phase, run.Exit, run.Stderr, shown.Exit, shown.Text), phase: string(r.Phase)}
	}
	return rootlessVerdict{phase: string(r.Phase)}
}

// storagePaths writes the harness's podman storage ($ENGINE/root, its
// --root) as the default storage of engine: /var/lib/containers/storage
// for root, the user's $HOME/.local/share/containers/storage rootless.
func storagePaths(engine, s string) string {
	to := "/var/lib/containers/storage/overlay/"
	if engine == RootlessPodman {
		to = "$HOME/.local/share/containers/storage/overlay/"
	}
	return strings.ReplaceAll(s, "$ENGINE/root/overlay/", to)
}

// asUnsupported is errors.As for *spec.UnsupportedError.
func asUnsupported(err error, u **spec.UnsupportedError) bool {
	for err != nil {
		if x, ok := err.(*spec.UnsupportedError); ok {
			*u = x
			return true
		}
		type unwrapper interface{ Unwrap() error }
		w, ok := err.(unwrapper)
		if !ok {
			return false
		}
		err = w.Unwrap()
	}
	return false
}

// rootlessCompare holds every run of the goldens to the model and returns
// the counts; report gets each disagreement.
func rootlessCompare(goldens map[string]*RootlessGolden, report func(format string, a ...any)) (runs, disagree, unknown int, phases map[string]int) {
	phases = map[string]int{}
	// The specs: spec.FromImage (with Rootless for the rootless podman)
	// against what each podman wrote, as TestEngineModel compares them.
	for _, n := range slices.Sorted(maps.Keys(goldens)) {
		g := goldens[n]
		for _, engine := range []string{RootlessPodman, RootfulPodman} {
			o, ok := g.Specs[engine]
			if !ok || o.Skip != "" {
				continue
			}
			eng, err := spec.LookupEngine(Podman)
			if err != nil {
				report("%v", err)
				continue
			}
			if engine == RootlessPodman {
				rl := g.Rootless
				eng.Rootless = &rl
			}
			phases["spec"]++
			o.Error = storagePaths(engine, o.Error)
			if d := modelDiffEngine(&g.Case, eng, o); d != "" {
				disagree++
				report("%s on %s: spec.FromImage differs from the spec podman wrote:\n%s", n, engine, d)
			}
		}
	}
	names := make([]string, 0, len(goldens))
	for n := range goldens {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g := goldens[n]
		for _, engine := range []string{RootlessPodman, RootfulPodman} {
			for _, rn := range SortedRuntimes(g.Runs[engine]) {
				run := g.Runs[engine][rn]
				if run.Skip != "" {
					continue
				}
				runs++
				v := rootlessDiff(g, engine, rn, run)
				phases[v.phase]++
				switch {
				case v.diff != "":
					disagree++
					report("%s, %s on %s: %s", n, engine, rn, v.diff)
				case v.unknown != "":
					unknown++
				}
			}
		}
	}
	return runs, disagree, unknown, phases
}

// TestRootlessModel (unprivileged) holds the model to the recorded
// rootless runs, testdata/engine/rootless.
func TestRootlessModel(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("PREEXEC_ENGINE_GOLDENS"); d != "" {
		dir = d
	}
	goldens, err := LoadRootless(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) == 0 {
		t.Skipf("no rootless goldens in %s/rootless yet", dir)
	}
	for _, c := range slices.Concat(RootlessCases(), RootlessSpecCases()) {
		if goldens[c.Name] == nil {
			t.Errorf("rootless case %s has no golden (sudo go run ./internal/enginetest/cmd/record -rootless -cases '^%s$')", c.Name, c.Name)
		}
	}
	runs, disagree, unknown, phases := rootlessCompare(goldens, t.Errorf)
	t.Logf("engine-rootless-model: %d specs and %d runs, %d disagreements, %d unknown (phases: started %d, engine refusal %d, create %d, after-start %d)",
		phases["spec"], runs, disagree, unknown, phases["started"], phases["refusal"], phases[string(preexec.PhaseCreate)], phases[string(preexec.PhaseAfterStart)])
}
