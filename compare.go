package preexec

import (
	"hash/maphash"
	"reflect"
	"sync"
	"unsafe"

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
	// The memo, the evaluation and the bookkeeping are scratch, reused by
	// the next Compare: what outlives an evaluation (its Result, the
	// memo's values) never points into them.
	s := getScratch(len(runtimes))
	defer putScratch(s)
	m, e := &s.m, &s.e
	// Toolchains repeat (two per line): parse each once.
	var tc toolchains
	for i, rt := range runtimes {
		g, goc := tc.of(rt)
		// Runtimes of lines that behave alike (sameBehaviour), seeing
		// the same view, whose toolchains share a LookPath variant take
		// every step alike: evaluate each such class once.
		if j, ok := s.evaluated(rt.Release, viewClassOf(fsys, rt.Release), goc, i); ok {
			c.Results[i] = c.Results[j]
		} else {
			e.reset(in, rt, g, m)
			e.run()
			c.Results[i] = e.res
		}
		r := &c.Results[i]
		r.ran(rt, g)
	}
	in.refineAll(runtimes, c.Results, m)
	// Groups, in the order of their first runtime; each group's runtimes
	// in one allocation, sized by a first pass.
	of, sizes := s.of[:len(runtimes)], s.sizes[:0]
	ngroups := 0
	for i := range c.Results {
		r := &c.Results[i]
		g := 0
		for g < ngroups && !sameResult(&c.Results[s.first[g]], r) {
			g++
		}
		if g == ngroups {
			s.first = append(s.first[:g], i)
			sizes = append(sizes, 0)
			ngroups++
		}
		of[i] = g
		sizes[g]++
	}
	s.sizes = sizes
	c.Groups = make([]Group, ngroups)
	names := make([]string, len(runtimes))
	off := 0
	for g := range c.Groups {
		r := &c.Results[s.first[g]]
		c.Groups[g] = Group{Starts: r.Starts, Step: r.Step, Error: r.Text, Unknown: r.Unknown, Runtimes: names[off : off : off+sizes[g]]}
		off += sizes[g]
	}
	for i, rt := range runtimes {
		g := &c.Groups[of[i]]
		g.Runtimes = append(g.Runtimes, rt.Name)
	}
	return c
}

// toolchains remembers the Go versions a Compare parsed, by their text.
type toolchains struct {
	seen [8]struct {
		s   string
		g   goVersion
		goc int
	}
	n int
}

// of is rt.goVersion() and its goClass. The runtimes of Runtimes share a
// few string constants: their bytes are found by address first.
func (t *toolchains) of(rt Runtime) (goVersion, int) {
	for j := range t.n {
		if e := &t.seen[j]; len(e.s) == len(rt.Go) && unsafe.StringData(e.s) == unsafe.StringData(rt.Go) {
			return e.g, e.goc
		}
	}
	for j := range t.n {
		if e := &t.seen[j]; e.s == rt.Go {
			return e.g, e.goc
		}
	}
	g := rt.goVersion()
	goc := goClass(g)
	if t.n < len(t.seen) {
		e := &t.seen[t.n]
		e.s, e.g, e.goc = rt.Go, g, goc
		t.n++
	}
	return g, goc
}

// compareScratch is what one Compare uses and no result keeps.
type compareScratch struct {
	m memo
	e eval
	// done[behaviour][view class][goClass] is 1 + the index of the
	// runtime that class was evaluated for, or 0.
	done [][2 * nTmpfs][nGoClasses]int32
	// lastLine's behaviour (lineBehaviours), or -1 if it is not among
	// lines: runtimes come a line at a time.
	lastLine      *Release
	lastBehaviour int
	of            []int
	sizes         []int
	first         []int
}

var scratches = sync.Pool{New: func() any {
	s := &compareScratch{m: memo{slots: make([]int32, 64), entries: make([]memoEntry, 0, 24), seed: maphash.MakeSeed()}}
	return s
}}

func getScratch(n int) *compareScratch {
	s := scratches.Get().(*compareScratch)
	if cap(s.of) < n {
		s.of = make([]int, n)
	}
	s.of = s.of[:n]
	if len(s.done) < len(lines) {
		s.done = make([][2 * nTmpfs][nGoClasses]int32, len(lines))
	}
	return s
}

func putScratch(s *compareScratch) {
	s.m.reset()
	s.e = eval{}
	clear(s.done)
	s.lastLine = nil
	scratches.Put(s)
}

// evaluated returns the runtime the class (l's behaviour, view class vc,
// goc) was evaluated for, or records that runtime i is the one.
func (s *compareScratch) evaluated(l *Release, vc, goc, i int) (int, bool) {
	if l != s.lastLine {
		s.lastLine, s.lastBehaviour = l, -1
		if li := rowIndex(l); li >= 0 {
			s.lastBehaviour = lineBehaviours()[li]
		}
	}
	if s.lastBehaviour < 0 {
		// A line not among lines (a test's own): evaluate it apart.
		return 0, false
	}
	d := &s.done[s.lastBehaviour][vc][goc]
	if *d != 0 {
		return int(*d) - 1, true
	}
	*d = int32(i) + 1
	return 0, false
}

// viewClassOf is the class of the view a runtime of line l sees in fsys
// (View.of), 0 if fsys is not a View.
func viewClassOf(fsys access.FS, l *Release) int {
	if v, ok := fsys.(*View); ok {
		return v.line(l).class
	}
	return 0
}

// lineBehaviours maps the index of each line in lines to the index of the
// first line that behaves alike (sameBehaviour).
var lineBehaviours = sync.OnceValue(func() []int {
	out := make([]int, len(lines))
	for i := range lines {
		j := 0
		for !sameBehaviour(lines[j], lines[i]) {
			j++
		}
		out[i] = j
	}
	return out
})

// sameBehaviour reports whether an evaluation reads the same in lines a
// and b: every field alike but those it does not read — the versions and
// their Go, DropsDefaults (refine's, per runtime), Cite — and Tmpfs and
// UserNSBind, which it reads through the View, whose class Compare keys
// apart. A field added to Release is compared unless listed here.
func sameBehaviour(a, b *Release) bool {
	strip := func(l *Release) Release {
		p := *l
		p.Versions, p.OfficialGo, p.OfficialGoOf, p.DropsDefaults, p.Cite = nil, "", nil, nil, nil
		p.Tmpfs, p.UserNSBind = 0, 0
		return p
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

func sameResult(a, r *Result) bool {
	return a.Starts == r.Starts && a.Step == r.Step && a.Text == r.Text && a.Unknown == r.Unknown
}
