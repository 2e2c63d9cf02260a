package preexec

import (
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

// A Comparison is what several runtimes do with one container.
type Comparison struct {
	// Results are in the order of the runtimes given.
	Results []Result
	// Groups gathers the runtimes by outcome: runtimes that start, or fail
	// at the same step with the same text, share a group. Groups are in
	// the order their first runtime was given.
	Groups []Group
}

// A Group is runtimes with the same outcome.
type Group struct {
	// Starts, Step and Error are the results' (Result.Starts, .Step,
	// .Error).
	Starts bool
	Step   Step
	Error  string
	// Unknown is the results' Unknown: runtimes that cannot be told for
	// the same reason at the same step share a group.
	Unknown string
	// Runtimes are the names of the group's runtimes, in the order given.
	Runtimes []string
}

// Diverge reports whether the runtimes disagree.
func (c Comparison) Diverge() bool { return len(c.Groups) > 1 }

// Compare evaluates the container on each runtime and groups the outcomes,
// so that a caller sees at once where an upgrade changes the answer. Its
// results are Evaluate's; the runtimes share the operations they have in
// common (a memo), so comparing every profile costs little more than a few
// evaluations.
func Compare(plan *spec.Plan, fsys access.FS, runtimes []Runtime, host Host) Comparison {
	c := Comparison{Results: make([]Result, len(runtimes))}
	in := &input{plan: plan, fsys: fsys, host: host}
	m := newMemo()
	// Runtimes of one line whose toolchains share a LookPath variant take
	// every step alike: evaluate each such class once.
	type class struct {
		line *Line
		goc  int
	}
	done := make(map[class]int, len(lines)*2)
	// One eval serves every class in turn: what outlives an evaluation
	// (its Result, the memo's entries) never points into it.
	e := new(eval)
	// Toolchains repeat (two per line): parse each once.
	type parsed struct {
		s string
		g goVersion
	}
	var seen [8]parsed
	nseen := 0
	for i, rt := range runtimes {
		var g goVersion
		j := 0
		for j < nseen && seen[j].s != rt.Go {
			j++
		}
		if j < nseen {
			g = seen[j].g
		} else {
			g = rt.goVersion()
			if nseen < len(seen) {
				seen[nseen] = parsed{rt.Go, g}
				nseen++
			}
		}
		k := class{rt.Line, goClass(g)}
		if j, ok := done[k]; ok {
			c.Results[i] = c.Results[j]
		} else {
			e.reset(in, rt, g, m)
			e.run()
			c.Results[i] = e.res
			done[k] = i
		}
		r := &c.Results[i]
		r.Runtime, r.goV, r.Extrapolated = rt.Name, g, rt.Extrapolated
	}
	in.refineAll(runtimes, c.Results, m)
	// Groups, in the order of their first runtime; each group's runtimes
	// in one allocation, sized by a first pass.
	of := make([]int, len(runtimes))
	var sizes []int
	for i := range c.Results {
		r := &c.Results[i]
		g := 0
		for g < len(c.Groups) && !sameOutcome(&c.Groups[g], r) {
			g++
		}
		if g == len(c.Groups) {
			c.Groups = append(c.Groups, Group{Starts: r.Starts, Step: r.Step, Error: r.Error, Unknown: r.Unknown})
			sizes = append(sizes, 0)
		}
		of[i] = g
		sizes[g]++
	}
	names := make([]string, len(runtimes))
	off := 0
	for g := range c.Groups {
		c.Groups[g].Runtimes = names[off : off : off+sizes[g]]
		off += sizes[g]
	}
	for i, rt := range runtimes {
		g := &c.Groups[of[i]]
		g.Runtimes = append(g.Runtimes, rt.Name)
	}
	return c
}

func sameOutcome(g *Group, r *Result) bool {
	return g.Starts == r.Starts && g.Step == r.Step && g.Error == r.Error && g.Unknown == r.Unknown
}
