package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
)

const explainUsage = `usage: preexec explain [--runtime NAME|PATH|host | --runtime-version TEXT] [--kernel K] [--protected-symlinks=BOOL] [--bounding-set SET] [--json] [INPUT FLAGS] INPUT [-- CMD...]

Tells, step by step, what one runtime does with the OCI bundle BUNDLE:
each step of its init sequence, the credentials it runs with, its
decision, and for the step that fails, which inode refused which
credential and why, and the smallest fix.

  --runtime NAME  the runtime (runc@VERSION[+goX.Y], crun@1.8.1), a PATH
                  to a runc or crun binary, or host (one of runc and crun
                  on PATH); default: the first runtime, in table order,
                  that does not start it (the newest runc if every runtime
                  starts it)
  --runtime-version TEXT
                  the runtime whose --version printed TEXT
  --kernel K      the kernel: X.Y or uname -r (faccessat2 needs 5.8);
                  default: newest
  --protected-symlinks=false
                  fs.protected_symlinks=0 (default 1)
  --bounding-set SET
                  the runtime's capability bounding set (as check)
  --json          the result and its trace as JSON (as check --json)

` + inputUsage + `
Exit status: 0 the runtime starts it, 1 it does not, 2 no prediction
(also when preexec could not read the rootfs where it must: the reason on
stderr), 3 it cannot be told (unknown), or it was extrapolated.
`

// explain is `preexec explain`; it returns the exit status.
func explain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("runtime", "", "")
	versionText := fs.String("runtime-version", "", "")
	var ho hostOptions
	ho.register(fs)
	asJSON := fs.Bool("json", false, "")
	var o inputOptions
	o.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, explainUsage)
			return 0
		}
		printf(stderr, "preexec: %v\n", err)
		fmt.Fprint(stderr, explainUsage)
		return 2
	}
	path, cmd, ok := inputArgs(fs.Args(), stderr, explainUsage)
	if !ok {
		return 2
	}
	ho.visit(fs)
	var rt preexec.Runtime
	var sel selection
	if *name != "" || *versionText != "" {
		var args, texts []string
		if *name != "" {
			args = []string{*name}
		}
		if *versionText != "" {
			texts = []string{*versionText}
		}
		sel = resolveRuntimes(args, texts)
		switch {
		case sel.skipped != nil:
			printf(stderr, "preexec: %v\n", sel.skipped)
			return 2
		case len(sel.rts) != 1:
			printf(stderr, "preexec: explain tells one runtime; --runtime %s is %d: use check\n", *name, len(sel.rts))
			return 2
		}
		rt = sel.rts[0]
	}
	facts, hostNotes, err := resolveHost(ho, sel.host)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	host := facts.host
	in, status := prepare(path, o, cmd, &host, *asJSON, stdout, stderr)
	if in == nil {
		return status
	}
	defer in.Close()
	facts.host = host
	notes := append(sel.notes, hostNotes...)
	var out bytes.Buffer
	var r preexec.Result
	if rt.Release != nil {
		r = preexec.Evaluate(in.Plan, in.FS, rt, host)
		r = markDistroKernelOne(in, rt, r, facts)
	} else {
		rts := preexec.Runtimes()
		results := preexec.Compare(in.Plan, in.FS, rts, host).Results
		markDistroKernel(in, rts, results, facts)
		r = pickFailing(results)
	}
	if status := exitStatus([]preexec.Result{r}); status == 2 {
		writeUnread(stderr, []preexec.Result{r})
		return status
	}
	if *asJSON {
		writeJSON(&out, in, []preexec.Result{r}, facts, notes)
	} else {
		writeStory(&out, path, in, r, facts, notes)
	}
	stdout.Write(out.Bytes())
	return exitStatus([]preexec.Result{r})
}

// pickFailing returns the first result that does not start, else the first
// that cannot be told, else the last runc's.
func pickFailing(results []preexec.Result) preexec.Result {
	last := results[0]
	unknown := -1
	for i, r := range results {
		if r.Unknown != "" {
			if unknown < 0 {
				unknown = i
			}
			continue
		}
		if !r.Starts {
			return r
		}
		// The newest release, not a release candidate (1.6.0-rc.1).
		if v := strings.TrimPrefix(r.Runtime, "runc@"); v != r.Runtime && !strings.Contains(strings.SplitN(v, "+", 2)[0], "-") {
			last = r
		}
	}
	if unknown >= 0 {
		return results[unknown]
	}
	return last
}

// writeStory prints r's trace as numbered steps, the failing one with its
// explanation, then what the runtime prints and the fix.
func writeStory(w io.Writer, bundle string, in *input, r preexec.Result, facts hostFacts, notes []string) {
	eng := in.Engine
	host := facts.host
	defer func() {
		if r.Extrapolated != "" {
			printf(w, "Extrapolated: %s\n", r.Extrapolated)
		}
		for _, n := range notes {
			printf(w, "Read: %s\n", n)
		}
	}()
	verdict := "starts it: the entrypoint's own code runs"
	switch {
	case r.Unknown != "":
		verdict = "may or may not start it: the model cannot tell at " + string(r.Step)
	case !r.Starts && r.Phase == preexec.PhaseAfterStart:
		verdict = fmt.Sprintf("starts it, but its process fails at %s and exits %d", r.Step, r.ExitStatus)
	case !r.Starts && r.Exec():
		name, _, _ := strings.Cut(r.Runtime, "@")
		verdict = fmt.Sprintf("does not start it: %s exec fails at %s and exits %d", name, r.Step, r.ExitStatus)
	case !r.Starts:
		verdict = "does not start it: its create fails at " + string(r.Step)
	}
	printf(w, "%s on %s %s.\n\n", r.Runtime, bundle, verdict)
	for i, t := range r.Trace() {
		mark := "ok"
		if t.Err != nil {
			mark = describeErr(t.Err)
		}
		printf(w, "%2d. %-11s %s: %s\n", i+1, t.Step, t.What, mark)
		if t.Err != nil {
			if d, ok := denialOf(t.Err); ok {
				printf(w, "    %s\n", d.Explain())
			}
		}
	}
	if r.Starts {
		if r.Caveat != "" {
			printf(w, "\nUncertain: %s\n", r.Caveat)
		}
		return
	}
	if r.Unknown != "" {
		printf(w, "\nUnknown: %s\n", r.Unknown)
		return
	}
	if r.Phase == preexec.PhaseAfterStart {
		printf(w, "\nThe container's process prints on its stderr, and exits %d:\n    %s\n", r.ExitStatus, r.Text)
		if eng != nil {
			printf(w, "%s shows it as the container's own output, with that exit status.\n", eng.Name)
		}
	} else {
		printf(w, "\nThe runtime prints:\n    %s\n", r.Text)
		if sh := shownOf(eng, r); eng != nil {
			exit := ""
			if sh.Exit >= 0 {
				exit = fmt.Sprintf(" (exit status %d)", sh.Exit)
			}
			printf(w, "%s prints%s:\n    %s\n", eng.Name, exit, block{sh.Text, "    "})
			if sh.Caveat != "" {
				printf(w, "Uncertain: %s\n", sh.Caveat)
			}
		}
	}
	if _, shown := denialOf(r.Err); !shown {
		if e := explanation(r); e != "" {
			printf(w, "Why: %s\n", e)
		}
	}
	if p := facts.hostNote(in, r); p != "" {
		printf(w, "%s%s\n", strings.ToUpper(p[:1]), p[1:])
	}
	fixes := fixesOf(in, r, host)
	if fix := fixText(in, fixes); fix != "" {
		printf(w, "Fix: %s\n", fix)
	}
	if hint := hintText(fixes); hint != "" {
		printf(w, "Hint (not verified): %s\n", hint)
	}
	if r.Caveat != "" {
		printf(w, "Uncertain: %s\n", r.Caveat)
	}
}

// describeErr names an error by its errno where it has one.
func describeErr(err error) string {
	if n := access.ErrnoName(err); n != "" {
		return n + " (" + access.Strerror(err) + ")"
	}
	return err.Error()
}

func denialOf(err error) (*access.Denial, bool) {
	var d *access.Denial
	ok := errors.As(err, &d)
	return d, ok
}
