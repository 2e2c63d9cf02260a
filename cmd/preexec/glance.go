package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/spec"
)

// verdict is the answer in one line: how many of rts fail, cannot be told
// or start with a prediction that may not hold, and which, as ranges of
// versions.
func verdict(rts []preexec.Runtime, results []preexec.Result) string {
	var fail, unknown, unsure int
	for _, r := range results {
		switch {
		case r.Unknown != "":
			unknown++
		case !r.Starts:
			fail++
		case r.Caveat != "":
			unsure++
		}
	}
	n := len(results)
	names := func(pick func(r preexec.Result) bool) string {
		return preexec.RuntimeRanges(rts, func(i int) bool { return pick(results[i]) })
	}
	isFail := func(r preexec.Result) bool { return !r.Starts && r.Unknown == "" }
	isUnknown := func(r preexec.Result) bool { return r.Unknown != "" }
	var v string
	switch {
	case fail == 0 && unknown == 0 && n == 1:
		v = "starts on " + names(func(preexec.Result) bool { return true })
	case fail == 0 && unknown == 0:
		v = fmt.Sprintf("starts on all %d runtimes", n)
	case fail == 0 && unknown == n:
		v = fmt.Sprintf("unknown on %d of %d %s: %s", unknown, n, plural(n, "runtime"), names(isUnknown))
	case fail == 0:
		v = fmt.Sprintf("unknown on %d of %d %s: %s; starts on the others", unknown, n, plural(n, "runtime"), names(isUnknown))
	default:
		v = fmt.Sprintf("fails on %d of %d %s: %s", fail, n, plural(n, "runtime"), names(isFail))
		if unknown > 0 {
			v += fmt.Sprintf("; unknown on %d: %s", unknown, names(isUnknown))
		}
	}
	if unsure > 0 {
		v += fmt.Sprintf(" (uncertain where it starts on %d: %s)", unsure, names(func(r preexec.Result) bool { return r.Starts && r.Caveat != "" }))
	}
	if ex := names(func(r preexec.Result) bool { return r.Extrapolated != "" }); ex != "" {
		v += fmt.Sprintf(" (extrapolated, not modelled exactly: %s)", ex)
	}
	return v
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// An outcome is what several runtimes share: the same failure, phase, text
// as the user reads it, why and fixes.
type outcome struct {
	first   preexec.Result
	members []bool // by index into rts
	why     string
	fix     string
}

// phaseLine says when r fails and who prints what follows, as the user of
// eng (nil: the runtime itself) meets it.
func phaseLine(eng *spec.Engine, r preexec.Result, sh spec.Shown) string {
	after := r.Phase == preexec.PhaseAfterStart
	if eng == nil {
		if r.Exec() {
			name, _, _ := strings.Cut(r.Runtime, "@")
			if after {
				return fmt.Sprintf("%s exec starts the process; it fails at %s, prints on its stderr and exits %d:", name, r.Step, r.ExitStatus)
			}
			return fmt.Sprintf("%s exec fails, in %s, and exits %d; it prints:", name, r.Step, r.ExitStatus)
		}
		if after {
			return fmt.Sprintf("starts the container; its process fails at %s, prints on its stderr and exits %d:", r.Step, r.ExitStatus)
		}
		return fmt.Sprintf("fails at create, in %s; the runtime prints:", r.Step)
	}
	switch eng.Family {
	case spec.ContainerdCRI, spec.CRIO:
		if after {
			return fmt.Sprintf("the container starts, then its process fails at %s: kubectl logs shows the line below, and the container terminates with exit code %d (%s):", r.Step, r.ExitStatus, eng.Name)
		}
		if sh.Exit >= 0 {
			return fmt.Sprintf("fails at create, in %s; the kubelet's event says (the container's exit code %d, %s):", r.Step, sh.Exit, eng.Name)
		}
		return fmt.Sprintf("fails at create, in %s; the kubelet's event says (%s):", r.Step, eng.Name)
	}
	cmd := map[spec.Family]string{spec.Docker: "docker run", spec.Podman: "podman run", spec.Ctr: "ctr run"}[eng.Family]
	if after {
		return fmt.Sprintf("%s starts the container; its process fails at %s and prints on its stderr (%s exits %d, the container's status):", cmd, r.Step, cmd, sh.Exit)
	}
	return fmt.Sprintf("fails at create, in %s; %s prints (exit status %d, %s):", r.Step, cmd, sh.Exit, eng.Name)
}

// writeGlance prints the verdict, then one block per distinct outcome (its
// runtimes as ranges, the exact text as the user's engine prints it, why,
// the verified fixes), then the runtimes that start.
func writeGlance(w io.Writer, in *input, rts []preexec.Runtime, results []preexec.Result, facts hostFacts, notes []string) {
	host := facts.host
	printLine(w, verdict(rts, results))
	// Failures first, then what cannot be told, then starts that may not
	// hold; each in the order first met.
	var fails, unknowns, unsure []*outcome
	byKey := map[string]*outcome{}
	starts := false
	for i, r := range results {
		var key, why, fix string
		list := &fails
		switch {
		case r.Starts && r.Caveat == "":
			starts = true
			continue
		case r.Starts:
			starts = true
			key, list = "uncertain\x00"+r.Caveat, &unsure
		case r.Unknown != "":
			key, list = "unknown\x00"+r.Unknown, &unknowns
		default:
			sh := shownOf(in.Engine, r)
			why = explanation(r)
			fix = fixText(in, fixesOf(in, r, host))
			key = strings.Join([]string{string(r.Phase), string(r.Step), sh.Text, fmt.Sprint(sh.Exit), why, fix, r.Caveat, sh.Caveat}, "\x00")
		}
		o := byKey[key]
		if o == nil {
			o = &outcome{first: r, members: make([]bool, len(rts)), why: why, fix: fix}
			byKey[key] = o
			*list = append(*list, o)
		}
		o.members[i] = true
	}
	outs := append(append(fails, unknowns...), unsure...)
	for _, o := range outs {
		r := o.first
		names := preexec.RuntimeRanges(rts, func(i int) bool { return o.members[i] })
		printLine(w)
		if r.Unknown != "" {
			printf(w, "%s: unknown at %s\n    %s\n", names, r.Step, r.Unknown)
			continue
		}
		if r.Starts {
			printf(w, "%s: starts, but the prediction may not hold\n  uncertain: %s\n", names, r.Caveat)
			continue
		}
		sh := shownOf(in.Engine, r)
		printf(w, "%s: %s\n", names, phaseLine(in.Engine, r, sh))
		for _, l := range strings.Split(sh.Text, "\n") {
			printf(w, "    %s\n", l)
		}
		if o.why != "" {
			printf(w, "  why: %s\n", o.why)
		}
		if p := facts.hostNote(in, r); p != "" {
			printf(w, "  %s\n", p)
		}
		if o.fix != "" {
			printf(w, "  fix: %s\n", o.fix)
		}
		for _, u := range []string{r.Caveat, sh.Caveat} {
			if u != "" {
				printf(w, "  uncertain: %s\n", u)
			}
		}
	}
	if starts && (len(fails) > 0 || len(unknowns) > 0 || len(unsure) > 0) {
		printf(w, "\nstarts on %s\n", preexec.RuntimeRanges(rts, func(i int) bool { return results[i].Starts }))
	}
	writeNotes(w, rts, results, notes)
}
