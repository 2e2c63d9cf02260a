package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/preexec/preexec"
)

// diffOptions are check's upgrade flags: --from and --to (a runtime
// name, a path to a binary, or a --version text each), and the kernel on
// either side.
type diffOptions struct {
	from, to             string
	fromKernel, toKernel string
}

func (d *diffOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&d.from, "from", "", "")
	fs.StringVar(&d.to, "to", "", "")
	fs.StringVar(&d.fromKernel, "from-kernel", "", "")
	fs.StringVar(&d.toKernel, "to-kernel", "", "")
}

// given reports whether an upgrade was asked for.
func (d diffOptions) given() bool {
	return d.from != "" || d.to != "" || d.fromKernel != "" || d.toKernel != ""
}

// diffRuntime resolves one side of an upgrade: a --version text (it has
// a line break, or starts "runc version"/"crun version"), else a name or a
// path as --runtime takes them.
func diffRuntime(flagName, v string) (preexec.Runtime, []string, bool, error) {
	var s selection
	if strings.Contains(v, "\n") || strings.HasPrefix(v, "runc version") || strings.HasPrefix(v, "crun version") {
		s = resolveRuntimes(nil, []string{v})
	} else {
		s = resolveRuntimes([]string{v}, nil)
	}
	switch {
	case s.skipped != nil:
		return preexec.Runtime{}, nil, false, fmt.Errorf("--%s: %v", flagName, s.skipped)
	case len(s.rts) != 1:
		return preexec.Runtime{}, nil, false, fmt.Errorf("--%s: want one runtime, %q is %d", flagName, v, len(s.rts))
	}
	return s.rts[0], s.notes, s.host, nil
}

// checkDiff is `check --from A --to B`: it predicts both, and prints only
// when the outcome changes: both texts, and the changes between the two
// rows that make the difference. Exit status: 1 when it starts before and
// fails after; else 3 when either side cannot be told or is extrapolated;
// else 0 (nothing changes, or it no longer fails). With --json it always
// prints one document, whose "changed" says whether the outcome changes.
func checkDiff(d diffOptions, ho hostOptions, path string, o inputOptions, cmd []string, asJSON bool, stdout, stderr io.Writer) int {
	if d.from == "" || d.to == "" {
		printf(stderr, "preexec: an upgrade needs both --from and --to\n")
		return 2
	}
	for _, k := range []struct{ flag, v string }{{"from-kernel", d.fromKernel}, {"to-kernel", d.toKernel}} {
		if ho.set[k.flag] && strings.TrimSpace(k.v) == "" {
			printf(stderr, "preexec: --%s: given but empty; want X.Y or a `uname -r` release, or leave the flag out for --kernel's\n", k.flag)
			return 2
		}
	}
	from, fromNotes, fromHostRead, err := diffRuntime("from", d.from)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	to, toNotes, toHostRead, err := diffRuntime("to", d.to)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	// A side given as host is on the running kernel and its
	// fs.protected_symlinks, as --runtime host is, unless flags say.
	fromFacts, fromHostNotes, err := resolveHost(withKernel(ho, d.fromKernel), fromHostRead)
	if err != nil {
		printf(stderr, "preexec: --from-kernel: %v\n", err)
		return 2
	}
	toFacts, toHostNotes, err := resolveHost(withKernel(ho, d.toKernel), toHostRead)
	if err != nil {
		printf(stderr, "preexec: --to-kernel: %v\n", err)
		return 2
	}
	fromNotes, toNotes = append(fromNotes, fromHostNotes...), append(toNotes, toHostNotes...)
	fromHost := fromFacts.host
	var refusal bytes.Buffer // prepare's words when the engine refuses
	in, status := prepare(path, o, cmd, &fromHost, asJSON, &refusal, stderr)
	if in == nil {
		if status == 1 {
			// The engine refuses the container: no runtime runs on either
			// side, so the upgrade changes nothing (as scan --from/--to);
			// --json is still the upgrade's document, both sides the
			// refusal.
			if asJSON {
				writeDiffDoc(stdout, false, refusal.Bytes(), refusal.Bytes(), []jsonChange{}, nil)
			} else {
				stdout.Write(refusal.Bytes())
			}
			return 0
		}
		stdout.Write(refusal.Bytes())
		return status
	}
	defer in.Close()
	toHost := toFacts.host
	toHost.Create, toHost.Exec = fromHost.Create, fromHost.Exec
	fromFacts.host, toFacts.host = fromHost, toHost
	before := preexec.Evaluate(in.Plan, in.FS, from, fromHost)
	after := preexec.Evaluate(in.Plan, in.FS, to, toHost)
	before, after = markDistroKernelOne(in, from, before, fromFacts), markDistroKernelOne(in, to, after, toFacts)
	if st := exitStatus([]preexec.Result{before, after}); st == 2 {
		writeUnread(stderr, []preexec.Result{before, after})
		return 2
	}
	status = 0
	switch {
	case before.Starts && !after.Starts && after.Unknown == "":
		status = 1
	case before.Unknown != "" || after.Unknown != "" || before.Extrapolated != "" || after.Extrapolated != "":
		status = 3
	}
	if sameResult(before, after) {
		if asJSON {
			writeDiffJSON(stdout, in, before, after, nil, fromNotes, toNotes, fromFacts, toFacts)
		} else if status == 3 {
			// Nothing changes as far as the model tells, but it cannot
			// tell exactly: say which side and why.
			writeDiffUnsure(stdout, before, after, fromFacts, toFacts)
		}
		return status
	}
	causes := causesOf(in, from, to, fromFacts, toFacts, before, after)
	var out bytes.Buffer
	if asJSON {
		writeDiffJSON(&out, in, before, after, causes, fromNotes, toNotes, fromFacts, toFacts)
	} else {
		writeDiffText(&out, in, before, after, causes, fromFacts, toFacts, append(fromNotes, toNotes...))
	}
	stdout.Write(out.Bytes())
	return status
}

// withKernel is ho with --kernel set to k, when k is given.
func withKernel(ho hostOptions, k string) hostOptions {
	if k != "" {
		ho.kernel = k
		// Given: the running kernel does not replace it.
		ho.set = maps.Clone(ho.set)
		if ho.set == nil {
			ho.set = map[string]bool{}
		}
		ho.set["kernel"] = true
	}
	return ho
}

// sameResult reports whether two results are the same outcome as a user
// meets it.
func sameResult(a, b preexec.Result) bool {
	return a.Starts == b.Starts && a.Step == b.Step && a.Text == b.Text && a.Unknown == b.Unknown && a.Phase == b.Phase && a.ExitStatus == b.ExitStatus
}

// A cause is one change between the two sides, and whether the model
// says it alone makes the difference.
type cause struct {
	preexec.Change
	// decides: from's runtime with this one change gives to's outcome
	// (starts or not, the failing step and phase, unknown or not); exact:
	// its very result, text and exit status too.
	decides, exact bool
}

// causesOf lists the changes between from and to (the rows' behaviours,
// the toolchain, the kernel), marking those that alone turn before into
// after: each is applied to from's row and evaluated again.
func causesOf(in *input, from, to preexec.Runtime, fromFacts, toFacts hostFacts, before, after preexec.Result) []cause {
	fromHost, toHost := fromFacts.host, toFacts.host
	var out []cause
	for _, c := range preexec.Changes(from, to) {
		if c.Field == "Join" && !fromHost.Exec {
			continue // what runc exec does: not this container's start
		}
		rt := from
		if c.Field == "Go" {
			rt.Go = to.Go
		} else {
			l := *from.Release
			reflect.ValueOf(&l).Elem().FieldByName(c.Field).Set(reflect.ValueOf(to.Release).Elem().FieldByName(c.Field))
			rt.Release = &l
		}
		r := preexec.Evaluate(in.Plan, in.FS, rt, fromHost)
		out = append(out, cause{Change: c, decides: decides(before, after, r), exact: sameResult(r, after)})
	}
	if fromHost.Kernel != toHost.Kernel {
		h := fromHost
		h.Kernel = toHost.Kernel
		r := preexec.Evaluate(in.Plan, in.FS, from, h)
		out = append(out, cause{Change: preexec.Change{Field: "Kernel", From: kernelLabel(fromFacts), To: kernelLabel(toFacts)}, decides: decides(before, after, r), exact: sameResult(r, after)})
	}
	return out
}

// decides reports whether the one-change result r makes the difference
// between before and after: where they differ in outcome (starts, the
// failing step, its phase, unknown), r has after's; where only the text
// or exit status differ, r's differ from before's.
func decides(before, after, r preexec.Result) bool {
	type coarse struct {
		starts  bool
		step    preexec.Step
		phase   preexec.Phase
		unknown bool
	}
	c := func(r preexec.Result) coarse { return coarse{r.Starts, r.Step, r.Phase, r.Unknown != ""} }
	if c(before) != c(after) {
		return c(r) == c(after)
	}
	return !sameResult(r, before)
}

// kernelLabel is a side's kernel in a change: its number, or a vendor's
// release as given (4.18.0-513.el8.x86_64), whose number alone does not
// say what it has.
func kernelLabel(f hostFacts) string {
	if preexec.DistroKernel(f.release) != "" {
		return f.release
	}
	return kernelText(f.host.Kernel)
}

func kernelText(v uint32) string {
	if v == 0 {
		return "the newest modelled"
	}
	return fmt.Sprintf("%d.%d", v>>16, (v>>8)&0xff)
}

// outcomeText is one side's outcome: the verdict and the text as the user
// reads it.
func outcomeText(in *input, r preexec.Result) []string {
	switch {
	case r.Unknown != "":
		return []string{"unknown at " + string(r.Step) + ": " + r.Unknown}
	case r.Starts:
		return []string{"starts"}
	}
	sh := shownOf(in.Engine, r)
	lines := []string{phaseLine(in.Engine, r, sh)}
	for _, l := range strings.Split(sh.Text, "\n") {
		lines = append(lines, "    "+l)
	}
	return lines
}

func writeDiffText(w io.Writer, in *input, before, after preexec.Result, causes []cause, fromFacts, toFacts hostFacts, notes []string) {
	verb := "changes"
	switch {
	case before.Starts && !after.Starts && after.Unknown == "":
		verb = "breaks"
	case !before.Starts && before.Unknown == "" && after.Starts:
		verb = "fixes"
	}
	if before.Caveat != "" || after.Caveat != "" {
		// A side is uncertain, said below.
		verb = map[string]string{"breaks": "may break", "fixes": "may fix", "changes": "changes"}[verb]
	}
	printf(w, "%s %s it\n", diffHeading(before, after, fromFacts, toFacts), verb)
	for _, side := range []struct {
		label string
		r     preexec.Result
		facts hostFacts
	}{{"before", before, fromFacts}, {"after", after, toFacts}} {
		lines := outcomeText(in, side.r)
		name := side.r.Runtime
		if fromFacts.host.Kernel != toFacts.host.Kernel {
			name += " on " + kernelName(side.facts)
		}
		printf(w, "\n%s, %s: %s\n", side.label, name, lines[0])
		for _, l := range lines[1:] {
			printLine(w, l)
		}
		if e := explanation(side.r); e != "" {
			printf(w, "  why: %s\n", e)
		}
		if p := side.facts.hostNote(in, side.r); p != "" {
			printf(w, "  %s\n", p)
		}
		if side.r.Extrapolated != "" {
			printf(w, "  extrapolated: %s\n", side.r.Extrapolated)
		}
		if side.r.Caveat != "" {
			printf(w, "  uncertain: %s\n", side.r.Caveat)
		}
	}
	// The changes that alone give after's very result; else those that
	// alone give its outcome, the text needing the others too.
	var decide, other []cause
	exact := slices.ContainsFunc(causes, func(c cause) bool { return c.exact })
	for _, c := range causes {
		if c.exact || (!exact && c.decides) {
			decide = append(decide, c)
		} else {
			other = append(other, c)
		}
	}
	switch {
	case len(causes) == 0:
		printf(w, "\nno behaviour the model has differs between them\n")
	case len(decide) > 0:
		if exact {
			printf(w, "\nthe change that makes the difference (alone, it turns before into after):\n")
		} else {
			printf(w, "\nthe change that decides the outcome (alone, it %s; the text after it needs the others too):\n", outcomeVerb(after))
		}
		writeCauses(w, decide)
		if len(other) > 0 {
			printf(w, "other changes between them:\n")
			writeCauses(w, other)
		}
	default:
		printf(w, "\nno one change makes the difference alone; the changes between them:\n")
		writeCauses(w, causes)
	}
	if len(notes) > 0 {
		printLine(w)
		for _, n := range notes {
			printf(w, "read: %s\n", n)
		}
	}
}

// outcomeVerb is r's outcome as what a change does: "lets it start",
// "makes it fail at eaccess", "makes it unknown".
func outcomeVerb(r preexec.Result) string {
	switch {
	case r.Unknown != "":
		return "makes it unknown"
	case r.Starts:
		return "lets it start"
	}
	return "makes it fail at " + string(r.Step)
}

func writeCauses(w io.Writer, cs []cause) {
	for _, c := range cs {
		printf(w, "  %s: %s → %s\n", c.Field, c.From, c.To)
		if c.Cite != "" {
			printf(w, "    upstream: %s\n", c.Cite)
		}
	}
}

// A jsonChange is one change between an upgrade's sides: decides, alone
// it gives after's outcome (starts or not, the failing step and phase);
// exact, its very result, the text too.
type jsonChange struct {
	Field   string `json:"field"`
	From    string `json:"from"`
	To      string `json:"to"`
	Cite    string `json:"cite,omitempty"`
	Decides bool   `json:"decides"`
	Exact   bool   `json:"exact,omitempty"`
}

func writeDiffJSON(w io.Writer, in *input, before, after preexec.Result, causes []cause, fromNotes, toNotes []string, fromFacts, toFacts hostFacts) {
	var b, a bytes.Buffer
	writeJSON(&b, in, []preexec.Result{before}, fromFacts, fromNotes)
	writeJSON(&a, in, []preexec.Result{after}, toFacts, toNotes)
	changes := []jsonChange{}
	for _, c := range causes {
		changes = append(changes, jsonChange{c.Field, c.From, c.To, c.Cite, c.decides, c.exact})
	}
	writeDiffDoc(w, causes != nil || !sameResult(before, after), b.Bytes(), a.Bytes(), changes, extrapolatedSides(before, after))
}

// writeDiffDoc writes check --from/--to's --json document: each side is
// check --json's document for it.
func writeDiffDoc(w io.Writer, changed bool, before, after []byte, changes []jsonChange, extrapolated []string) {
	doc := struct {
		Schema  int             `json:"schema"`
		Changed bool            `json:"changed"`
		Before  json.RawMessage `json:"before"`
		After   json.RawMessage `json:"after"`
		Changes []jsonChange    `json:"changes"`
		// Extrapolated names each side the model answered for with
		// another release's or toolchain's behaviour, and why.
		Extrapolated []string `json:"extrapolated,omitempty"`
	}{Schema: 1, Changed: changed, Before: before, After: after, Changes: changes, Extrapolated: extrapolated}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

// kernelName names a --from-kernel or --to-kernel value.
func kernelName(f hostFacts) string {
	if f.host.Kernel == 0 {
		return "the newest modelled kernel"
	}
	return "kernel " + kernelLabel(f)
}

// diffHeading names the two sides of an upgrade: their runtimes, or,
// when only the kernel differs, the kernels.
func diffHeading(before, after preexec.Result, from, to hostFacts) string {
	switch {
	case from.host.Kernel == to.host.Kernel:
		return before.Runtime + " → " + after.Runtime
	case before.Runtime == after.Runtime:
		return before.Runtime + ": " + kernelName(from) + " → " + kernelName(to)
	}
	return before.Runtime + " on " + kernelName(from) + " → " + after.Runtime + " on " + kernelName(to)
}

// extrapolatedSides is "name: why" for each extrapolated side.
func extrapolatedSides(before, after preexec.Result) []string {
	var out []string
	for _, r := range []preexec.Result{before, after} {
		if r.Extrapolated != "" && (len(out) == 0 || r.Runtime != before.Runtime) {
			out = append(out, r.Runtime+": "+r.Extrapolated)
		}
	}
	return out
}

// writeDiffUnsure is an upgrade whose outcome does not change as far as the
// model tells, with a side it cannot tell exactly: the outcome, and each
// side that is unknown or extrapolated, with why.
func writeDiffUnsure(w io.Writer, before, after preexec.Result, fromFacts, toFacts hostFacts) {
	outcome := "starts"
	switch {
	case before.Unknown != "":
		outcome = "unknown"
	case !before.Starts:
		outcome = "fails at " + string(before.Step)
	}
	printf(w, "%s: the same outcome as far as the model tells (%s), but not exactly:\n", diffHeading(before, after, fromFacts, toFacts), outcome)
	for _, side := range []struct {
		label string
		r     preexec.Result
	}{{"before", before}, {"after", after}} {
		if side.r.Unknown != "" {
			printf(w, "  %s, %s: unknown at %s: %s\n", side.label, side.r.Runtime, side.r.Step, side.r.Unknown)
		}
		if side.r.Extrapolated != "" {
			printf(w, "  %s, %s: extrapolated: %s\n", side.label, side.r.Runtime, side.r.Extrapolated)
		}
	}
}
