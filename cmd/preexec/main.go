// Command preexec tells whether container runtimes get past their pre-exec
// checks — chdir to process.cwd and exec of process.args[0] — for an OCI
// bundle, a container image run by an engine, or an mtree manifest, and if
// not, why, in each runtime's (and engine's) own words.
//
// Usage:
//
//	preexec check [--runtime NAME|PATH|host]... [--runtime-version TEXT]... [--kernel K] [--protected-symlinks=BOOL] [--bounding-set SET] [-q | --all | -o wide|json | --json] [INPUT FLAGS] INPUT [-- CMD...]
//	preexec check --from A --to B [--from-kernel K --to-kernel K] [--json] [INPUT FLAGS] INPUT [-- CMD...]
//	preexec explain [--runtime NAME|PATH|host | --runtime-version TEXT] [--kernel K] [--protected-symlinks=BOOL] [--bounding-set SET] [--json] [INPUT FLAGS] INPUT [-- CMD...]
//	preexec scan [FLAGS] INPUT...
//	preexec merge [--json | --format table|json|sarif] FILE...
//	preexec runtimes [-o wide|json | --json]
//
// scan answers check's question for every container of many inputs at
// once — images, registry references, Kubernetes workloads — in parallel,
// as a table, JSON Lines or SARIF, for one runtime selection or an upgrade
// (--from/--to), sharded with --shard I/N; merge joins the shards.
// runtimes lists every runtime build the model knows, its release line,
// its Go, what the oracle holds of it and what its line changes.
//
// INPUT is an OCI bundle directory, an image (an OCI layout directory, an
// OCI archive or a docker-archive tar) or an mtree(5) manifest; for an
// image or a manifest, --engine NAME (default docker@20.10.24), the engine
// flags (--user, --cap-add, …), --pod FILE and --scc restricted-v2 say how
// the engine makes the container (see the usage text).
//
// With --exec PROCESS.json, check and explain predict the process that
// `runc exec --process PROCESS.json` (kubectl exec, docker exec) joins to
// the running container a bundle describes: runc's setns init, and runc
// exec's own errors and exit status (preexec.Host.Exec).
//
// check predicts every selected runtime and prints a verdict line, then one
// block per distinct outcome, then the runtimes that start (-q the verdict
// alone, --all or -o wide a row per runtime, --json or -o json one
// document); explain tells one runtime's
// steps as a story: which step, which inode, which credential, why, and
// the smallest fix.
//
// NAME is a runtime as the profiles spell it (runc@1.1.4+go1.19,
// runc@1.0.0-rc93, crun@1.8.1) or all, the default; PATH is a runc or crun
// binary, read without running it (package runtimeinfo); host is the runc
// and crun on PATH with the running kernel and fs.protected_symlinks;
// TEXT is what `runc --version` prints. A version or Go the rows do not
// name is answered as the newest older release (or the newest Go)
// modelled and marked extrapolated; a version X.Y (runc@1.7) is X.Y.0, and
// is refused for a minor the rows model releases of (runc@1.1). A Go
// named without its patch (a name without +go takes the official
// binaries' Go minor) is evaluated at each patch range of its minor that
// looks paths up differently; if they disagree the result is unknown. --kernel takes X.Y or `uname -r`;
// --protected-symlinks defaults to on, as most distributions boot.
//
// Exit status: 0 when every selected runtime starts the container, 1 when
// one does not (an extrapolated one too), 2 when no prediction could be
// made (usage, unreadable bundle, invalid config.json, no runtime could be
// resolved, or a root filesystem preexec could not read enough of to
// decide any runtime), with the reason on stderr and nothing on stdout, 3
// when none is known to fail but for one the model cannot tell (its check
// needs what the input does not hold, a manifest has no file contents, or
// what preexec could not read, a directory of the rootfs its own uid may
// not search: its result reads "unknown: …", naming the path and the
// reason), or one was extrapolated, or a --runtime was left out (named on
// stderr). check --from --to prints when the outcome changes, and, when
// it does not, a line naming a side that is unknown or extrapolated and
// why; it exits 1 when the container starts before and fails after, 3 when either
// side is unknown or extrapolated, 0 otherwise.
//
// What preexec could not read is never taken for the container's answer:
// run as a user, preexec meets the host's EACCES on a 0700 directory of
// another uid, which says nothing of the container's credentials. Reading
// as root, or checking the image or an mtree manifest of the tree, answers
// it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: preexec check [--runtime NAME|PATH|host]... [--runtime-version TEXT]... [--kernel K] [--protected-symlinks=BOOL] [--bounding-set SET] [-q | --all | -o wide|json | --json] [INPUT FLAGS] INPUT [-- CMD...]
       preexec check --from A --to B [--from-kernel K --to-kernel K] [--json] [INPUT FLAGS] INPUT [-- CMD...]
       preexec explain [--runtime NAME|PATH|host | --runtime-version TEXT] [--kernel K] [--protected-symlinks=BOOL] [--bounding-set SET] [--json] [INPUT FLAGS] INPUT [-- CMD...]
       preexec scan [FLAGS] INPUT...   (preexec scan --help)
       preexec merge [--json | --format table|json|sarif] FILE...
       preexec runtimes [-o wide|json | --json]   (preexec runtimes --help)

Predicts, for INPUT, whether each runtime gets past chdir(process.cwd) and
the exec of process.args[0], and prints the error it would print (inside
the engine's own words, for an image or with --engine): a verdict line,
then a block per distinct outcome (its runtimes; when it fails: at create,
or after the start as the container's own output; the text; why; the fixes
that were applied to the model and then let it start), then the runtimes
that start.

  --runtime NAME  a runtime: runc@VERSION[+goX.Y], runc@1.1.5+debian,
                  crun@VERSION, or all (the default); repeat for several
  --runtime PATH  a runc or crun binary, read without running it
  --runtime host  the runc and crun on PATH, and the running kernel's
                  release and fs.protected_symlinks
  --runtime-version TEXT
                  what runc --version (or crun --version) prints
                  A version the rows do not name is answered as the newest
                  older release modelled (a Go newer than the newest, as
                  the newest) and marked extrapolated; X.Y (runc@1.7) is
                  X.Y.0, refused for a minor the rows model (runc@1.1).
                  A Go without its patch (runc@1.3.0's official 1.23)
                  whose patches look up args[0] differently: unknown.
  --kernel K      the kernel: X.Y or uname -r (5.4.0-150-generic);
                  faccessat2 needs 5.8; default: newest (an empty K is
                  refused); a distribution kernel (…el8) before 5.8 by
                  its number may have faccessat2 backported: an answer
                  that hangs on it is marked uncertain
  --protected-symlinks=false
                  fs.protected_symlinks=0 (default 1, as most
                  distributions boot)
  --bounding-set SET
                  the runtime's (and engine's) capability bounding set:
                  all, a CapBnd mask (000001fffeffffff), -NAME,… what
                  it lacks, or NAME,… what it holds; default: this
                  machine's (/proc/self/status) where a runtime could
                  run from here, else all (in a container); a config
                  asking for a capability outside it fails capset
  --from A --to B an upgrade: each a NAME, a PATH or a --version TEXT;
                  prints, if the outcome changes, both outcomes and the
                  changes (upstream commits) that make the difference;
                  if not, a side that is unknown or extrapolated and why
                  (--json: always one document, with "changed")
  --from-kernel K, --to-kernel K
                  the kernel on either side (default --kernel)
  -q, --quiet     the verdict line only
  --all           a row per runtime (phase, step, exit status, text)
  -o FORMAT       wide (as --all) or json (as --json)
  --json          one JSON document on stdout

` + inputUsage + `
Exit status: 0 every runtime starts, 1 one does not (or the engine refuses
the container), 2 no prediction could be made (also when preexec could not
read enough of the rootfs to decide any runtime), 3 none fails but one
cannot be told (unknown: the input lacks what its check reads, such as
file contents, or preexec could not read it: run as root, or check the
image or an mtree manifest instead), or one was extrapolated, or a
--runtime was left out. With --from and --to: 1 it starts before and
fails after, 3 either side is unknown or extrapolated, else 0.
`

type runtimeList []string

func (r *runtimeList) String() string     { return strings.Join(*r, ",") }
func (r *runtimeList) Set(v string) error { *r = append(*r, v); return nil }

// run is the command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "explain" {
		return explain(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "scan" {
		return scan(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "merge" {
		return merge(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "runtimes" {
		return runtimesCmd(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, usage)
			return 0
		}
		if len(args) > 0 {
			// docker's and kubectl's words for a command they lack.
			printf(stderr, "preexec: unknown command %q; the commands are check, explain, scan, merge and runtimes\n", args[0])
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var names, versionTexts runtimeList
	fs.Var(&names, "runtime", "")
	fs.Var(&versionTexts, "runtime-version", "")
	var ho hostOptions
	ho.register(fs)
	var d diffOptions
	d.register(fs)
	asJSON := fs.Bool("json", false, "")
	all := fs.Bool("all", false, "")
	quiet := fs.Bool("q", false, "")
	fs.BoolVar(quiet, "quiet", false, "")
	outFmt := fs.String("o", "", "")
	fs.StringVar(outFmt, "output", "", "")
	var o inputOptions
	o.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		printf(stderr, "preexec: %v\n", err)
		fmt.Fprint(stderr, usage)
		return 2
	}
	if *quiet && (*outFmt != "" || *all || *asJSON) {
		printf(stderr, "preexec: -q prints the verdict alone: it takes no --all, -o or --json\n")
		return 2
	}
	switch *outFmt {
	case "":
	case "wide":
		*all = true
	case "json":
		*asJSON = true
	default:
		printf(stderr, "preexec: -o: want wide or json, got %q\n", *outFmt)
		return 2
	}
	path, cmd, ok := inputArgs(fs.Args(), stderr, usage)
	if !ok {
		return 2
	}
	ho.visit(fs)
	if d.given() {
		if len(names) > 0 || len(versionTexts) > 0 {
			printf(stderr, "preexec: --from and --to name the runtimes: they take no --runtime or --runtime-version\n")
			return 2
		}
		if *quiet || *all {
			printf(stderr, "preexec: --from and --to print the two outcomes and the changes: they take no -q, --all or -o wide\n")
			return 2
		}
		return checkDiff(d, ho, path, o, cmd, *asJSON, stdout, stderr)
	}
	sel := resolveRuntimes(names, versionTexts)
	if len(sel.rts) == 0 {
		printf(stderr, "preexec: %v\n", sel.skipped)
		return 2
	}
	facts, hostNotes, err := resolveHost(ho, sel.host)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	if sel.skipped != nil {
		printf(stderr, "preexec: left out: %v\n", sel.skipped)
	}
	rts, host := sel.rts, facts.host
	in, status := prepare(path, o, cmd, &host, *asJSON, stdout, stderr)
	if in == nil {
		return status
	}
	defer in.Close()
	facts.host = host
	notes := append(sel.notes, hostNotes...)
	var out bytes.Buffer
	results := preexec.Compare(in.Plan, in.FS, rts, host).Results
	markDistroKernel(in, rts, results, facts)
	if status := exitStatus(results); status == 2 {
		writeUnread(stderr, results)
		return status
	}
	switch {
	case *asJSON:
		writeJSON(&out, in, results, facts, notes)
	case *quiet:
		printLine(&out, verdict(rts, results))
	case *all:
		writeText(&out, in, rts, results, facts, notes)
	default:
		writeGlance(&out, in, rts, results, facts, notes)
	}
	stdout.Write(out.Bytes())
	status = exitStatus(results)
	if status == 0 && sel.skipped != nil {
		status = 3
	}
	return status
}

// inputArgs splits what follows the flags into INPUT and, after "--", the
// command; on a usage error it says why and reports false.
func inputArgs(args []string, stderr io.Writer, usage string) (string, []string, bool) {
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, usage)
		return "", nil, false
	case len(args) == 1:
		return args[0], nil, true
	case args[1] == "--":
		return args[0], args[2:], true
	case strings.HasPrefix(args[1], "-"):
		fmt.Fprintln(stderr, "preexec: flags must precede INPUT (a command follows INPUT --)")
		return "", nil, false
	}
	fmt.Fprint(stderr, usage)
	return "", nil, false
}

// isTerminal reports whether w is a terminal, for the progress bar.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeRefusal prints the engine refusing the container: no runtime runs.
func writeRefusal(w io.Writer, in *input, asJSON bool) {
	if asJSON {
		writeNoRuntime(w, in)
		return
	}
	printf(w, "%s refuses the container before any runtime runs:\n%s\n", in.Engine.Name, block{in.Refusal, ""})
}

// writeEngineUnknown says that what the engine makes of the image cannot
// be told (load.Container.Unknown): no runtime is evaluated.
func writeEngineUnknown(w io.Writer, in *input, asJSON bool) {
	if asJSON {
		writeNoRuntime(w, in)
		return
	}
	printf(w, "unknown: %s\n", in.Unknown)
}

// writeNoRuntime is the --json document of an input no runtime is
// evaluated for: the engine's refusal or why its spec is unknown, and no
// results.
func writeNoRuntime(w io.Writer, in *input) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		Schema  int          `json:"schema"`
		Engine  string       `json:"engine"`
		Refusal string       `json:"refusal,omitempty"`
		Unknown string       `json:"unknown,omitempty"`
		Results []jsonResult `json:"results"`
	}{1, in.Engine.Name, in.Refusal, in.Unknown, []jsonResult{}})
}

// exitStatus is check's exit status for results: 1 if one fails (an
// extrapolated failure too: the nearest older release fails, and the text
// says it is extrapolated), else 2 if none could be told because preexec
// could not read the root filesystem (nothing was decided), else 3 if one
// cannot be told or was extrapolated (answered as another release or
// toolchain than the one named), else 0.
func exitStatus(results []preexec.Result) int {
	status, unread := 0, 0
	for _, r := range results {
		switch {
		case r.Unknown != "":
			status = 3
			if errors.Is(r.Err, access.ErrUnreadable) {
				unread++
			}
		case !r.Starts:
			return 1
		case r.Extrapolated != "":
			status = 3
		}
	}
	if len(results) > 0 && unread == len(results) {
		return 2
	}
	return status
}

// writeUnread says, one line each, what preexec could not read for the
// results, when that left nothing decided (exit 2).
func writeUnread(w io.Writer, results []preexec.Result) {
	seen := map[string]bool{}
	for _, r := range results {
		if !seen[r.Unknown] {
			seen[r.Unknown] = true
			printf(w, "preexec: no prediction: %s\n", r.Unknown)
		}
	}
}

// explanation is the long form of a result's error, for people.
func explanation(r preexec.Result) string {
	if r.Unknown != "" {
		return "" // Unknown says it
	}
	var d *access.Denial
	if errors.As(r.Err, &d) {
		return d.Explain()
	}
	var xe *access.ExecError
	if errors.As(r.Err, &xe) {
		return execWhy(xe)
	}
	return ""
}

// execWhy says which file of an execve failed, and how, in words.
func execWhy(xe *access.ExecError) string {
	e := access.Strerror(xe.Err)
	switch xe.Stage {
	case access.StageFormat:
		return fmt.Sprintf("execve of %s: %s: the file is neither a #! script nor an ELF executable for this machine", xe.Path, e)
	case access.StageInterpreter:
		return fmt.Sprintf("execve: the #! interpreter %s: %s", xe.Path, e)
	case access.StageLoader:
		return fmt.Sprintf("execve: the ELF's dynamic loader %s: %s", xe.Path, e)
	case access.StageDepth:
		return fmt.Sprintf("execve of %s: %s: more than 5 levels of #! interpreters", xe.Path, e)
	case access.StageCreds:
		return fmt.Sprintf("execve of %s: %s: its file capabilities are not all in the bounding set", xe.Path, e)
	}
	return fmt.Sprintf("execve of %s: %s", xe.Path, e)
}

// writeText is the wide form (--all, -o wide): a row per runtime, then the
// why and fix of each distinct failure.
func writeText(w io.Writer, in *input, rts []preexec.Runtime, results []preexec.Result, facts hostFacts, notes []string) {
	host := facts.host
	eng := in.Engine
	tw := newTable(w)
	if eng != nil {
		printf(tw, "RUNTIME\tRESULT\tPHASE\tSTEP\tEXIT\tWHAT %s PRINTS\n", eng.Name)
	} else {
		fmt.Fprintln(tw, "RUNTIME\tRESULT\tPHASE\tSTEP\tEXIT\tERROR")
	}
	for _, r := range results {
		res, text, exit := "starts", r.Text, ""
		switch {
		case r.Starts && r.Caveat != "":
			text = "uncertain: " + r.Caveat
		case r.Unknown != "":
			res, text = "unknown", "unknown: "+r.Unknown
		case !r.Starts:
			res = "fails"
			sh := shownOf(eng, r)
			text = sh.Text
			if sh.Exit >= 0 {
				exit = strconv.Itoa(sh.Exit)
			}
		}
		step := string(r.Step)
		if r.Starts {
			step = ""
		}
		if r.Extrapolated != "" {
			res += " (extrapolated)"
		}
		printf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Runtime, res, r.Phase, step, exit, text)
	}
	tw.Flush()
	// One block per distinct reason and fix, labelled with every step
	// the runtimes it stands for fail at.
	type reason struct {
		e, p, fix, hint string
		steps           []string
	}
	var reasons []*reason
	byKey := map[string]*reason{}
	for _, r := range results {
		if r.Starts || r.Unknown != "" {
			continue
		}
		e, p := explanation(r), facts.hostNote(in, r)
		if e == "" && p == "" {
			continue
		}
		fixes := fixesOf(in, r, host)
		fix, hint := fixText(in, fixes), hintText(fixes)
		key := e + "\x00" + p + "\x00" + fix + "\x00" + hint
		rs := byKey[key]
		if rs == nil {
			rs = &reason{e: e, p: p, fix: fix, hint: hint}
			byKey[key] = rs
			reasons = append(reasons, rs)
		}
		if !slices.Contains(rs.steps, string(r.Step)) {
			rs.steps = append(rs.steps, string(r.Step))
		}
	}
	for _, rs := range reasons {
		printLine(w)
		steps := strings.Join(rs.steps, ", ")
		if rs.e != "" {
			printf(w, "why (%s): %s\n", steps, rs.e)
		}
		switch {
		case rs.p != "" && rs.e == "":
			printf(w, "why (%s): %s\n", steps, rs.p)
		case rs.p != "":
			printf(w, "%s\n", rs.p) // of every runtime the block stands for
		}
		if rs.fix != "" {
			printf(w, "fix: %s\n", rs.fix)
		}
		if rs.hint != "" {
			printf(w, "hint (not verified): %s\n", rs.hint)
		}
	}
	writeNotes(w, rts, results, notes)
}

// writeNotes ends the text output: why results were extrapolated, and
// what was read of the runtimes and the host.
func writeNotes(w io.Writer, rts []preexec.Runtime, results []preexec.Result, notes []string) {
	ex := extrapolatedLines(rts, results)
	if len(ex) > 0 {
		printLine(w)
		for _, l := range ex {
			printLine(w, l)
		}
	}
	if len(notes) > 0 {
		printLine(w)
		for _, n := range notes {
			printf(w, "read: %s\n", n)
		}
	}
}

type jsonTrace struct {
	Step  string `json:"step"`
	What  string `json:"what"`
	Errno string `json:"errno,omitempty"`
}

// jsonUnreadable is what preexec could not read, for an unknown result
// (access.ReadError).
type jsonUnreadable struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Root  string `json:"root,omitempty"`
	UID   int    `json:"uid"`
	Errno string `json:"errno,omitempty"`
}

type jsonResult struct {
	Runtime     string `json:"runtime"`
	Starts      bool   `json:"starts"`
	Step        string `json:"step"`
	Error       string `json:"error,omitempty"`
	Errno       string `json:"errno,omitempty"`
	Explanation string `json:"explanation,omitempty"`
	// Fix is the verified fixes' text, as the text output's fix: line.
	Fix string `json:"fix,omitempty"`
	// Fixes are every fix, verified or not, with where to make it.
	Fixes     []jsonFix `json:"fixes,omitempty"`
	Uncertain string    `json:"uncertain,omitempty"`
	Unknown   string    `json:"unknown,omitempty"`
	// Phase is when it fails: "create" (the runtime refuses the
	// container) or "after-start" (the container's process prints Error
	// and exits).
	Phase string `json:"phase,omitempty"`
	// ExitStatus is the status the user's command reports for the
	// failure (the engine's, or the container's after the start), when
	// there is one.
	ExitStatus *int `json:"exit_status,omitempty"`
	// Unreadable is what preexec could not read when that is why the
	// result is unknown.
	Unreadable *jsonUnreadable `json:"unreadable,omitempty"`
	// Message is Error as the engine's user reads it (--engine, or an
	// image or manifest input): the engine's error at create, the
	// container's own output after the start.
	Message string `json:"message,omitempty"`
	// Extrapolated says why the result is another release's or
	// toolchain's answer than the one named.
	Extrapolated string `json:"extrapolated,omitempty"`
	// ProtectedSymlinks says that fs.protected_symlinks=1 decided the
	// failure, and where the value came from.
	ProtectedSymlinks string `json:"protected_symlinks,omitempty"`
	// BoundingSet says that the runtime's capability bounding set decided
	// the failure, what it lacks and where it came from.
	BoundingSet string      `json:"bounding_set,omitempty"`
	Trace       []jsonTrace `json:"trace"`
}

// jsonHost is the host the results hold for, and where each value came
// from ("default", "flag", "host").
type jsonHost struct {
	Kernel                string `json:"kernel,omitempty"`
	KernelFrom            string `json:"kernel_from"`
	ProtectedSymlinks     bool   `json:"protected_symlinks"`
	ProtectedSymlinksFrom string `json:"protected_symlinks_from"`
	// BoundingSet is the runtime's capability bounding set as
	// /proc/PID/status prints CapBnd, and BoundingSetFrom where it came
	// from ("flag", "host"); both left out for every capability, the
	// default.
	BoundingSet     string `json:"bounding_set,omitempty"`
	BoundingSetFrom string `json:"bounding_set_from,omitempty"`
}

func writeJSON(w io.Writer, in *input, results []preexec.Result, facts hostFacts, notes []string) {
	host := facts.host
	doc := struct {
		Schema  int          `json:"schema"`
		Engine  string       `json:"engine,omitempty"`
		Host    jsonHost     `json:"host"`
		Read    []string     `json:"read,omitempty"`
		Results []jsonResult `json:"results"`
	}{Schema: 1, Read: notes, Host: jsonHost{Kernel: facts.release, KernelFrom: facts.kernelFrom, ProtectedSymlinks: host.ProtectedSymlinks, ProtectedSymlinksFrom: facts.protectedFrom},
		Results: jsonResults(in, results, facts)}
	if host.Bounding != 0 {
		doc.Host.BoundingSet, doc.Host.BoundingSetFrom = fmt.Sprintf("%016x", uint64(host.Bounding)), facts.boundingFrom
	}
	if in.Engine != nil {
		doc.Engine = in.Engine.Name
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

// jsonResults are results as check --json prints them.
func jsonResults(in *input, results []preexec.Result, facts hostFacts) []jsonResult {
	eng := in.Engine
	host := facts.host
	var out []jsonResult
	for _, r := range results {
		jr := jsonResult{Runtime: r.Runtime, Starts: r.Starts, Step: string(r.Step), Error: r.Text,
			Errno: access.ErrnoName(r.Err), Explanation: explanation(r), Uncertain: r.Caveat, Unknown: r.Unknown, Trace: []jsonTrace{},
			Extrapolated: r.Extrapolated, ProtectedSymlinks: facts.protectedNote(in, r), BoundingSet: facts.boundingNote(in, r)}
		if fixes := fixesOf(in, r, host); len(fixes) > 0 {
			jr.Fix, jr.Fixes = fixText(in, fixes), jsonFixes(fixes)
		}
		if !r.Starts && r.Unknown == "" {
			jr.Phase = string(r.Phase)
			sh := shownOf(eng, r)
			if sh.Exit >= 0 {
				jr.ExitStatus = &sh.Exit
			}
			if eng != nil {
				jr.Message = sh.Text
			}
			if sh.Caveat != "" {
				jr.Uncertain = strings.TrimPrefix(jr.Uncertain+"; "+sh.Caveat, "; ")
			}
		}
		var re *access.ReadError
		if r.Unknown != "" && errors.As(r.Err, &re) {
			jr.Unreadable = &jsonUnreadable{Op: re.Op, Path: re.Path, Root: re.Root, UID: re.UID, Errno: access.ErrnoName(re.Err)}
		}
		for _, t := range r.Trace() {
			jr.Trace = append(jr.Trace, jsonTrace{Step: string(t.Step), What: t.What, Errno: access.ErrnoName(t.Err)})
		}
		out = append(out, jr)
	}
	return out
}
