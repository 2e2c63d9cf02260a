package runtimetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/preexec/preexec/internal/golden"
)

// Goldens live in testdata/runtime/ at the repository root:
//
//	header.json          the kernel and the runtimes that produced them
//	curated/NAME.json    one Golden per curated case
//	random/NAME.json     one Golden per recorded random case
//
// They are written by cmd/record, never by hand, as indented JSON with
// sorted keys, no timestamps and no host paths.

// A Golden is one case and what each runtime did with it.
type Golden struct {
	Case Case `json:"case"`
	// Outcomes maps a runtime name to its outcome.
	Outcomes map[string]Outcome `json:"outcomes"`
}

// A Header says what produced the goldens.
type Header struct {
	// Kernel is `uname -r` of the recording machine.
	Kernel string `json:"kernel"`
	// Runtimes are the runtimes whose outcomes the goldens hold.
	Runtimes []Runtime `json:"runtimes"`
}

// Goldens is the whole golden set.
type Goldens struct {
	Header  Header
	Curated map[string]*Golden
	Random  map[string]*Golden
}

// FindGoldenDir returns testdata/runtime of the module containing the
// working directory, found by walking up to go.mod.
func FindGoldenDir() (string, error) { return golden.Dir("runtime") }

// LoadGoldens reads the golden set in dir; a missing dir is an empty set.
func LoadGoldens(dir string) (*Goldens, error) {
	g := &Goldens{}
	var err error
	g.Curated, g.Random, err = golden.Load(dir, &g.Header, func(gc *Golden) string { return gc.Case.Name }, func(gc *Golden) {
		if gc.Outcomes == nil {
			gc.Outcomes = map[string]Outcome{}
		}
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Marshal returns the canonical bytes of v: two-space indented JSON, keys
// of maps sorted (encoding/json does), HTML characters not escaped, a final
// newline. A *Golden is the exception: its outcomes are written one per
// line, so that a re-recording's diff shows one line per changed outcome.
func Marshal(v any) ([]byte, error) {
	if gc, ok := v.(*Golden); ok {
		return gc.marshal()
	}
	return golden.Marshal(v)
}

// marshal writes gc as {"case": <indented>, "outcomes": {<one per line>}}.
func (gc *Golden) marshal() ([]byte, error) {
	c, err := golden.Marshal(gc.Case)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString("{\n  \"case\": ")
	buf.Write(bytes.ReplaceAll(bytes.TrimRight(c, "\n"), []byte("\n"), []byte("\n  ")))
	buf.WriteString(",\n  \"outcomes\": {")
	names := make([]string, 0, len(gc.Outcomes))
	for n := range gc.Outcomes {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		k, err := marshalCompact(n)
		if err != nil {
			return nil, err
		}
		o, err := marshalCompact(gc.Outcomes[n])
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		buf.Write(k)
		buf.WriteString(": ")
		buf.Write(o)
	}
	if len(names) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("}\n}\n")
	return buf.Bytes(), nil
}

func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Write writes the golden set into dir, removing golden files of cases no
// longer in it.
func (g *Goldens) Write(dir string) error {
	sort.Slice(g.Header.Runtimes, func(i, j int) bool { return g.Header.Runtimes[i].Name < g.Header.Runtimes[j].Name })
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := Marshal(g.Header)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "header.json"), b, 0o644); err != nil {
		return err
	}
	for sub, m := range map[string]map[string]*Golden{"curated": g.Curated, "random": g.Random} {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		old, _ := filepath.Glob(filepath.Join(d, "*.json"))
		for _, f := range old {
			if _, ok := m[strings.TrimSuffix(filepath.Base(f), ".json")]; !ok {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
		}
		for name, gc := range m {
			b, err := Marshal(gc)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(d, name+".json"), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Same reports whether two outcomes are the same result: class, message
// and exit status (Output is kept only for harness errors).
func Same(a, b Outcome) bool {
	return a.Class == b.Class && a.Started == b.Started && a.Message == b.Message && a.ExitStatus == b.ExitStatus
}

// A RecordReport says what Apply changed in a golden set. Changed lines
// need -update to be written; additions do not.
type RecordReport struct {
	// Changed lists every changed outcome, case definition, removed case,
	// runtime identity and kernel, one human-readable entry each.
	Changed []string
	// Added counts outcomes recorded where the goldens had none.
	Added int
}

// Apply merges a recording into g: the kernel, the runtimes run (their
// header entries replaced, others kept), and for each case its definition
// and the outcomes of the runtimes run (outcomes of runtimes not run are
// kept, unless the case's definition changed, which voids them; a changed
// rule alone keeps them). curated
// says which cases are curated (the others are random). If prune is set,
// goldens of cases not in cases are removed.
func (g *Goldens) Apply(kernel string, runtimes []Runtime, cases []Case, curated map[string]bool, outcomes map[string]map[string]Outcome, prune bool) RecordReport {
	var r RecordReport
	changed := func(format string, args ...any) { r.Changed = append(r.Changed, fmt.Sprintf(format, args...)) }
	if g.Header.Kernel != "" && g.Header.Kernel != kernel {
		changed("kernel: %s -> %s", g.Header.Kernel, kernel)
	}
	g.Header.Kernel = kernel
	for _, rt := range runtimes {
		rt.Path = "" // never in goldens
		found := false
		for i, old := range g.Header.Runtimes {
			if old.Name != rt.Name {
				continue
			}
			found = true
			if old != rt {
				changed("runtime %s: %+v -> %+v", rt.Name, old, rt)
			}
			g.Header.Runtimes[i] = rt
		}
		if !found {
			g.Header.Runtimes = append(g.Header.Runtimes, rt)
		}
	}
	sort.Slice(g.Header.Runtimes, func(i, j int) bool { return g.Header.Runtimes[i].Name < g.Header.Runtimes[j].Name })
	keep := map[string]bool{}
	for i := range cases {
		c := cases[i]
		keep[c.Name] = true
		m := g.Random
		if curated[c.Name] {
			m = g.Curated
		}
		gc := m[c.Name]
		if gc == nil {
			gc = &Golden{Case: c, Outcomes: map[string]Outcome{}}
			m[c.Name] = gc
		} else if a, b := mustJSON(gc.Case), mustJSON(c); a != b {
			if sameExceptRule(gc.Case, c) {
				changed("case %s: rule changed, outcomes kept:\n%s", c.Name, lineDiff(a, b))
				gc.Case = c
			} else {
				changed("case %s: definition changed, its %d recorded outcomes are void:\n%s", c.Name, len(gc.Outcomes), lineDiff(a, b))
				gc.Case, gc.Outcomes = c, map[string]Outcome{}
			}
		}
		names := make([]string, 0, len(outcomes[c.Name]))
		for n := range outcomes[c.Name] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, rt := range names {
			o := outcomes[c.Name][rt]
			o.Output = ""
			old, ok := gc.Outcomes[rt]
			switch {
			case !ok:
				r.Added++
			case !Same(old, o):
				changed("case %s, %s:\n  - %s\n  + %s", c.Name, rt, old, o)
			}
			gc.Outcomes[rt] = o
		}
	}
	if prune {
		for _, m := range []map[string]*Golden{g.Curated, g.Random} {
			for name := range m {
				if !keep[name] {
					changed("case %s: no longer generated, golden removed", name)
					delete(m, name)
				}
			}
		}
	}
	sort.Strings(r.Changed)
	return r
}

// sameExceptRule reports whether a and b differ at most in their rule,
// which does not change what a runtime does.
func sameExceptRule(a, b Case) bool {
	a.Rule, b.Rule = "", ""
	return mustJSON(a) == mustJSON(b)
}

func mustJSON(v any) string {
	b, err := Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// lineDiff is a minimal line diff of a and b: the lines only in a (-) and
// only in b (+), each in its order.
func lineDiff(a, b string) string {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	inA, inB := map[string]int{}, map[string]int{}
	for _, l := range as {
		inA[l]++
	}
	for _, l := range bs {
		inB[l]++
	}
	var out []string
	for _, l := range as {
		if inB[l] == 0 {
			out = append(out, "  - "+strings.TrimSpace(l))
		}
	}
	for _, l := range bs {
		if inA[l] == 0 {
			out = append(out, "  + "+strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}
