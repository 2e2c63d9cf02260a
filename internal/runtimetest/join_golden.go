package runtimetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/preexec/preexec/internal/golden"
)

// JoinDir is the subdirectory of the runtime goldens (FindGoldenDir) that
// holds one JoinGolden per join case: testdata/runtime/exec/NAME.json.
const JoinDir = "exec"

// A JoinGolden is a join case and what each runtime did with each process
// joined to its container.
type JoinGolden struct {
	Case JoinCase `json:"case"`
	// Outcomes maps an exec's name, then a runtime's name, to its outcome.
	Outcomes map[string]map[string]Outcome `json:"outcomes"`
}

// JoinRuntimes are the runtimes the exec oracle records and runs in CI:
// crun 1.8.1, and per runc release line (preexec.Releases) one build per
// Go class its exec path tells apart — Go < 1.20 (mode-bit LookPath, the
// x/sys eaccess of 1.1.12 … 1.1.15) and Go ≥ 1.23.12 (LookPath by
// faccessat2) — plus the versions where setns_init_linux.go changed
// (1.1.12, 1.1.13, 1.2.0), each line's last, and Debian's 1.1.5. Measured
// on two cores: 40 join cases on these 31 record in about 4.5 minutes, a
// CI run (10 cases) takes about 1.5; -full on all 89 installed runc builds
// (50 cases, 26,700 runs) took 31 minutes beside other oracle runs.
var JoinRuntimes = []string{
	"runc@1.0.0-rc92+go1.19", "runc@1.0.0-rc92+go1.26",
	"runc@1.0.0-rc93+go1.19", "runc@1.0.0-rc93+go1.26",
	"runc@1.0.0-rc94+go1.19", "runc@1.0.0-rc94+go1.26",
	"runc@1.0.0-rc95+go1.26", "runc@1.0.0+go1.19", "runc@1.0.3+go1.26",
	"runc@1.1.0+go1.19", "runc@1.1.3+go1.26",
	"runc@1.1.4+go1.19", "runc@1.1.5+debian", "runc@1.1.5+go1.26",
	"runc@1.1.6+go1.19", "runc@1.1.8+go1.26", "runc@1.1.11+go1.19", "runc@1.1.11+go1.26",
	"runc@1.1.12+go1.19", "runc@1.1.12+go1.26", "runc@1.1.13+go1.19", "runc@1.1.15+go1.19", "runc@1.1.15+go1.26",
	"runc@1.2.0+go1.26", "runc@1.2.9+go1.27",
	"runc@1.3.0+go1.26", "runc@1.3.7+go1.27",
	"runc@1.4.0+go1.26", "runc@1.5.3+go1.26", "runc@1.6.0-rc.1+go1.27",
	"crun@1.8.1",
}

// LoadJoinGoldens reads every JoinGolden in dir/JoinDir, by case name; a
// missing directory is an empty set.
func LoadJoinGoldens(dir string) (map[string]*JoinGolden, error) {
	out := map[string]*JoinGolden{}
	files, err := filepath.Glob(filepath.Join(dir, JoinDir, "*.json"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var g JoinGolden
		if err := json.Unmarshal(b, &g); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if want := strings.TrimSuffix(filepath.Base(f), ".json"); g.Case.Name != want {
			return nil, fmt.Errorf("%s: holds case %q", f, g.Case.Name)
		}
		if g.Outcomes == nil {
			g.Outcomes = map[string]map[string]Outcome{}
		}
		out[g.Case.Name] = &g
	}
	return out, nil
}

// WriteJoinGolden writes g as dir/JoinDir/NAME.json.
func WriteJoinGolden(dir string, g *JoinGolden) error {
	if err := os.MkdirAll(filepath.Join(dir, JoinDir), 0o755); err != nil {
		return err
	}
	b, err := golden.Marshal(g)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, JoinDir, g.Case.Name+".json"), b, 0o644)
}

// ApplyJoin merges the outcomes of a recording of jc into old (nil: none
// recorded), returning the new golden and one line per changed outcome or
// case definition (a changed definition voids the old outcomes).
func ApplyJoin(old *JoinGolden, jc JoinCase, outcomes map[string]map[string]Outcome) (*JoinGolden, []string) {
	var changed []string
	g := &JoinGolden{Case: jc, Outcomes: map[string]map[string]Outcome{}}
	if old != nil {
		if a, b := mustJSON(old.Case), mustJSON(jc); a != b {
			changed = append(changed, fmt.Sprintf("case %s: definition changed, its recorded outcomes are void:\n%s", jc.Name, lineDiff(a, b)))
		} else {
			for e, m := range old.Outcomes {
				g.Outcomes[e] = map[string]Outcome{}
				for rt, o := range m {
					g.Outcomes[e][rt] = o
				}
			}
		}
	}
	var es []string
	for e := range outcomes {
		es = append(es, e)
	}
	sort.Strings(es)
	for _, e := range es {
		if g.Outcomes[e] == nil {
			g.Outcomes[e] = map[string]Outcome{}
		}
		var rts []string
		for rt := range outcomes[e] {
			rts = append(rts, rt)
		}
		sort.Strings(rts)
		for _, rt := range rts {
			o := outcomes[e][rt]
			o.Output = ""
			if was, ok := g.Outcomes[e][rt]; ok && !Same(was, o) {
				changed = append(changed, fmt.Sprintf("case %s, %s, %s:\n  - %s\n  + %s", jc.Name, e, rt, was, o))
			}
			g.Outcomes[e][rt] = o
		}
	}
	return g, changed
}
