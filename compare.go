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
	Starts   bool
	Step     Step
	Error    string
	Runtimes []string
}

// Diverge reports whether the runtimes disagree.
func (c Comparison) Diverge() bool { return len(c.Groups) > 1 }

// Compare evaluates the container on each runtime and groups the outcomes,
// so that a caller sees at once where an upgrade changes the answer.
func Compare(plan *spec.Plan, fsys access.FS, runtimes []Runtime, host Host) Comparison {
	var c Comparison
	index := map[[3]string]int{}
	// Runtimes of one line whose toolchains share a LookPath variant take
	// every step alike: evaluate each such class once.
	type class struct {
		line *Line
		goc  int
	}
	done := map[class]Result{}
	for _, rt := range runtimes {
		var g goVersion
		if rt.Go != "" {
			g, _ = parseGo(rt.Go)
		}
		k := class{rt.Line, goClass(g)}
		r, ok := done[k]
		if !ok {
			r = Evaluate(plan, fsys, rt, host)
			done[k] = r
		}
		r.Runtime = rt.Name
		c.Results = append(c.Results, r)
		key := [3]string{boolKey(r.Starts), string(r.Step), r.Error}
		i, ok := index[key]
		if !ok {
			i = len(c.Groups)
			index[key] = i
			c.Groups = append(c.Groups, Group{Starts: r.Starts, Step: r.Step, Error: r.Error})
		}
		c.Groups[i].Runtimes = append(c.Groups[i].Runtimes, rt.Name)
	}
	return c
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
