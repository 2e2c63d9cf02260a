package runtimetest

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestGoldens checks the recorded goldens without running anything, so
// that it runs unprivileged and off Linux: every curated case has a golden
// holding its current definition (a changed row needs re-recording), every
// random golden is what Random regenerates for its seed and index, every
// file is in canonical form (what cmd/record writes), no outcome is a
// harness error, every runtime named in an outcome is in header.json, and
// every case has an outcome for every runtime of the header.
func TestGoldens(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGoldens(dir)
	if err != nil {
		t.Fatal(err)
	}
	const record = "sudo go run ./internal/runtimetest/cmd/record"
	if len(g.Curated) == 0 {
		t.Fatalf("no goldens in %s; record them with `%s`", dir, record)
	}
	if g.Header.Kernel == "" || len(g.Header.Runtimes) == 0 {
		t.Errorf("header.json: kernel %q, %d runtimes", g.Header.Kernel, len(g.Header.Runtimes))
	}
	inHeader := map[string]bool{}
	for _, rt := range g.Header.Runtimes {
		if rt.Name == "" || rt.Kind == "" || rt.Version == "" || rt.Path != "" {
			t.Errorf("header.json: runtime %+v", rt)
		}
		inHeader[rt.Name] = true
	}
	for _, c := range Curated() {
		gc := g.Curated[c.Name]
		if gc == nil {
			t.Errorf("curated case %s has no golden; record it with `%s -cases '^%s$'`", c.Name, record, c.Name)
			continue
		}
		if a, b := mustJSON(gc.Case), mustJSON(c); a != b {
			t.Errorf("curated case %s differs from its golden (re-record with `%s -update`):\n%s", c.Name, record, lineDiff(a, b))
		}
	}
	curated := map[string]bool{}
	for _, c := range Curated() {
		curated[c.Name] = true
	}
	for name := range g.Curated {
		if !curated[name] {
			t.Errorf("golden curated/%s.json has no curated case; re-record with `%s -update` to remove it", name, record)
		}
	}
	seeds := map[uint64]int{}
	for name, gc := range g.Random {
		want, ok := RandomByName(name)
		if !ok {
			t.Errorf("random/%s.json: not a random case name", name)
			continue
		}
		if seed, _, ok := parseRandomName(name); ok {
			seeds[seed]++
		}
		if a, b := mustJSON(gc.Case), mustJSON(want); a != b {
			t.Errorf("random/%s.json: its generator now makes another case (the generator changed; re-record with `%s -update`):\n%s", name, record, lineDiff(a, b))
		}
	}
	all := map[string]*Golden{}
	for n, gc := range g.Curated {
		all["curated/"+n] = gc
	}
	for n, gc := range g.Random {
		all["random/"+n] = gc
	}
	missing := map[string]int{}
	for file, gc := range all {
		b, err := os.ReadFile(filepath.Join(dir, file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != mustJSON(gc) {
			t.Errorf("%s.json is not in canonical form (edited by hand?)", file)
		}
		if err := gc.Case.Validate(); err != nil {
			t.Errorf("%s.json: %v", file, err)
		}
		for rt, o := range gc.Outcomes {
			if !inHeader[rt] {
				t.Errorf("%s.json: runtime %s is not in header.json", file, rt)
			}
			if o.Class == HarnessError || o.Output != "" {
				t.Errorf("%s.json: %s: a harness error was recorded: %s", file, rt, o)
			}
			if o.Started != (o.Class == Started) {
				t.Errorf("%s.json: %s: started %v with class %s", file, rt, o.Started, o.Class)
			}
		}
		for name := range inHeader {
			if _, ok := gc.Outcomes[name]; !ok {
				missing[name]++
			}
		}
	}
	for name, n := range missing {
		t.Errorf("runtime %s has no outcome for %d cases; record them with `%s -runtimes '^%s$'`", name, n, record, regexpQuote(name))
	}
	hdr, err := os.ReadFile(filepath.Join(dir, "header.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(hdr) != mustJSON(g.Header) {
		t.Error("header.json is not in canonical form")
	}
	var parts []string
	for s, n := range seeds {
		parts = append(parts, "seed "+strconv.FormatUint(s, 10)+": "+strconv.Itoa(n))
	}
	sort.Strings(parts)
	t.Logf("goldens: %d curated, %d random (%s), %d runtimes, kernel %s",
		len(g.Curated), len(g.Random), strings.Join(parts, ", "), len(g.Header.Runtimes), g.Header.Kernel)
}

// parseRandomName parses RandomName's form, random_s<seed>_<i>.
func parseRandomName(name string) (seed uint64, i int, ok bool) {
	rest, found := strings.CutPrefix(name, "random_s")
	if !found {
		return 0, 0, false
	}
	s, idx, found := strings.Cut(rest, "_")
	if !found {
		return 0, 0, false
	}
	seed, err1 := strconv.ParseUint(s, 10, 64)
	n, err2 := strconv.Atoi(idx)
	if err1 != nil || err2 != nil || RandomName(seed, n) != name {
		return 0, 0, false
	}
	return seed, n, true
}

func regexpQuote(s string) string {
	r := strings.NewReplacer(".", `\.`, "+", `\+`)
	return r.Replace(s)
}

// goldensOf is the runtime oracle's recorded goldens, or t fails.
func goldensOf(t *testing.T) *Goldens {
	t.Helper()
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGoldens(dir)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// joinGoldensOf is the runc exec oracle's recorded goldens by case name,
// or t fails.
func joinGoldensOf(t *testing.T) map[string]*JoinGolden {
	t.Helper()
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	gs, err := LoadJoinGoldens(dir)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}
