// Command preexec tells whether container runtimes get past their pre-exec
// checks — chdir to process.cwd and exec of process.args[0] — for an OCI
// bundle, a container image run by an engine, or an mtree manifest, and if
// not, why, in each runtime's (and engine's) own words.
//
// Usage:
//
//	preexec check [--runtime NAME]... [--kernel X.Y] [-q | --all | -o wide|json | --json] [INPUT FLAGS] INPUT [-- CMD...]
//	preexec explain [--runtime NAME] [--kernel X.Y] [--json] [INPUT FLAGS] INPUT [-- CMD...]
//	preexec scan [FLAGS] INPUT...
//	preexec merge [--json | --format table|json|sarif] FILE...
//
// scan answers check's question for every container of many inputs at
// once — images, registry references, Kubernetes workloads — in parallel,
// as a table, JSON Lines or SARIF, for one runtime selection or an upgrade
// (--from/--to), sharded with --shard I/N; merge joins the shards.
//
// INPUT is an OCI bundle directory, an image (an OCI layout directory, an
// OCI archive or a docker-archive tar) or an mtree(5) manifest; for an
// image or a manifest, --engine NAME (default docker@20.10.24), the engine
// flags (--user, --cap-add, …), --pod FILE and --scc restricted-v2 say how
// the engine makes the container (see the usage text).
//
// check predicts every selected runtime and prints a verdict line, then one
// block per distinct outcome, then the runtimes that start (-q the verdict
// alone, --all or -o wide a row per runtime, --json or -o json one
// document); explain tells one runtime's
// steps as a story: which step, which inode, which credential, why, and
// the smallest fix.
//
// NAME is a runtime as the profiles spell it (runc@1.1.4+go1.19,
// runc@1.0.0-rc93, crun@1.8.1) or all, the default. Exit status: 0 when
// every selected runtime starts the container, 1 when one does not, 2 when
// no prediction could be made (usage, unreadable bundle, invalid
// config.json, or a root filesystem preexec could not read enough of to
// decide any runtime), with the reason on stderr and nothing on stdout, 3
// when none is known to fail but for one the model cannot tell: its check
// needs what the input does not hold (a manifest has no file contents) or
// what preexec could not read (a directory of the rootfs its own uid may
// not search), and its result reads "unknown: …", naming the path and the
// reason.
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
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: preexec check [--runtime NAME]... [--kernel X.Y] [-q | --all | -o wide|json | --json] [INPUT FLAGS] INPUT [-- CMD...]
       preexec explain [--runtime NAME] [--kernel X.Y] [--json] [INPUT FLAGS] INPUT [-- CMD...]
       preexec scan [FLAGS] INPUT...   (preexec scan --help)
       preexec merge [--json | --format table|json|sarif] FILE...

Predicts, for INPUT, whether each runtime gets past chdir(process.cwd) and
the exec of process.args[0], and prints the error it would print (inside
the engine's own words, for an image or with --engine): a verdict line,
then a block per distinct outcome (its runtimes; when it fails: at create,
or after the start as the container's own output; the text; why; the fixes
that were applied to the model and then let it start), then the runtimes
that start.

  --runtime NAME  a runtime: runc@VERSION[+goX.Y], crun@1.8.1, or all
                  (the default); repeat for several
  --kernel X.Y    the kernel version (faccessat2 needs 5.8); default: newest
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
image or an mtree manifest instead).
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
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var names runtimeList
	fs.Var(&names, "runtime", "")
	kernel := fs.String("kernel", "", "")
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
		fmt.Fprintf(stderr, "preexec: %v\n%s", err, usage)
		return 2
	}
	if *quiet && (*outFmt != "" || *all || *asJSON) {
		fmt.Fprintf(stderr, "preexec: -q prints the verdict alone: it takes no --all, -o or --json\n")
		return 2
	}
	switch *outFmt {
	case "":
	case "wide":
		*all = true
	case "json":
		*asJSON = true
	default:
		fmt.Fprintf(stderr, "preexec: -o: want wide or json, got %q\n", *outFmt)
		return 2
	}
	path, cmd, ok := inputArgs(fs.Args(), stderr, usage)
	if !ok {
		return 2
	}
	host, err := parseHost(*kernel)
	if err != nil {
		fmt.Fprintf(stderr, "preexec: %v\n", err)
		return 2
	}
	rts, err := selectRuntimes(names)
	if err != nil {
		fmt.Fprintf(stderr, "preexec: %v\n", err)
		return 2
	}
	in, status := prepare(path, o, cmd, &host, *asJSON, stdout, stderr)
	if in == nil {
		return status
	}
	var out bytes.Buffer
	results := preexec.Compare(in.plan, in.fsys, rts, host).Results
	if status := exitStatus(results); status == 2 {
		writeUnread(stderr, results)
		return status
	}
	switch {
	case *asJSON:
		writeJSON(&out, in, results, host)
	case *quiet:
		fmt.Fprintln(&out, verdict(rts, results))
	case *all:
		writeText(&out, in, results, host)
	default:
		writeGlance(&out, in, rts, results, host)
	}
	stdout.Write(out.Bytes())
	return exitStatus(results)
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
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Schema  int          `json:"schema"`
			Engine  string       `json:"engine"`
			Refusal string       `json:"refusal"`
			Results []jsonResult `json:"results"`
		}{1, in.eng.Name, in.refusal, []jsonResult{}})
		return
	}
	fmt.Fprintf(w, "%s refuses the container before any runtime runs:\n%s\n", in.eng.Name, in.refusal)
}

// exitStatus is check's exit status for results: 1 if one fails, else 2
// if none could be told because preexec could not read the root
// filesystem (nothing was decided), else 3 if one cannot be told, else 0.
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
			fmt.Fprintf(w, "preexec: no prediction: %s\n", r.Unknown)
		}
	}
}

// parseHost returns the host a --kernel value describes ("" is the newest).
func parseHost(kernel string) (preexec.Host, error) {
	host := preexec.Host{}
	if kernel != "" {
		maj, min, ok := strings.Cut(kernel, ".")
		a, err1 := strconv.Atoi(maj)
		b, err2 := strconv.Atoi(min)
		if !ok || err1 != nil || err2 != nil || a < 0 || b < 0 || a > 255 || b > 255 {
			return host, fmt.Errorf("--kernel: want X.Y, got %q", kernel)
		}
		host.Kernel = access.KernelVersion(a, b)
	}
	return host, nil
}

// selectRuntimes returns the runtimes names asks for, each once, in the
// order first asked.
func selectRuntimes(names []string) ([]preexec.Runtime, error) {
	rts, err := lookupRuntimes(names)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := rts[:0]
	for _, rt := range rts {
		if !seen[rt.Name] {
			seen[rt.Name] = true
			out = append(out, rt)
		}
	}
	return out, nil
}

func lookupRuntimes(names []string) ([]preexec.Runtime, error) {
	if len(names) == 0 || (len(names) == 1 && names[0] == "all") {
		return preexec.Runtimes(), nil
	}
	var rts []preexec.Runtime
	for _, n := range names {
		if n == "all" {
			rts = append(rts, preexec.Runtimes()...)
			continue
		}
		rt, err := preexec.LookupRuntime(n)
		if err != nil {
			return nil, fmt.Errorf("--runtime: %v", err)
		}
		rts = append(rts, rt)
	}
	return rts, nil
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
func writeText(w io.Writer, in *input, results []preexec.Result, host preexec.Host) {
	eng := in.eng
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if eng != nil {
		fmt.Fprintf(tw, "RUNTIME\tRESULT\tPHASE\tSTEP\tEXIT\tWHAT %s PRINTS\n", eng.Name)
	} else {
		fmt.Fprintln(tw, "RUNTIME\tRESULT\tPHASE\tSTEP\tEXIT\tERROR")
	}
	for _, r := range results {
		res, text, exit := "starts", r.Error, ""
		switch {
		case r.Starts && r.Uncertain != "":
			text = "uncertain: " + r.Uncertain
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Runtime, res, r.Phase, step, exit, text)
	}
	tw.Flush()
	seen := map[string]bool{}
	for _, r := range results {
		if r.Starts || r.Unknown != "" {
			continue
		}
		e := explanation(r)
		if e == "" {
			continue
		}
		fixes := fixesOf(in, r, host)
		fix, hint := fixText(in, fixes), hintText(fixes)
		if !seen[e+"\x00"+fix+"\x00"+hint] {
			seen[e+"\x00"+fix+"\x00"+hint] = true
			fmt.Fprintf(w, "\nwhy (%s): %s\n", r.Step, e)
			if fix != "" {
				fmt.Fprintf(w, "fix: %s\n", fix)
			}
			if hint != "" {
				fmt.Fprintf(w, "hint (not verified): %s\n", hint)
			}
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
	Message string      `json:"message,omitempty"`
	Trace   []jsonTrace `json:"trace"`
}

func writeJSON(w io.Writer, in *input, results []preexec.Result, host preexec.Host) {
	doc := struct {
		Schema  int          `json:"schema"`
		Engine  string       `json:"engine,omitempty"`
		Results []jsonResult `json:"results"`
	}{Schema: 1, Results: jsonResults(in, results, host)}
	if in.eng != nil {
		doc.Engine = in.eng.Name
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

// jsonResults are results as check --json prints them.
func jsonResults(in *input, results []preexec.Result, host preexec.Host) []jsonResult {
	eng := in.eng
	var out []jsonResult
	for _, r := range results {
		jr := jsonResult{Runtime: r.Runtime, Starts: r.Starts, Step: string(r.Step), Error: r.Error,
			Errno: access.ErrnoName(r.Err), Explanation: explanation(r), Uncertain: r.Uncertain, Unknown: r.Unknown, Trace: []jsonTrace{}}
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
			if sh.Uncertain != "" {
				jr.Uncertain = strings.TrimPrefix(jr.Uncertain+"; "+sh.Uncertain, "; ")
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

// loadBundle reads BUNDLE/config.json and its root filesystem, with bind
// and tmpfs mounts laid over it.
func loadBundle(bundle string) (*spec.Plan, access.FS, error) {
	cfgPath := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	plan, err := spec.Parse(cfgPath, data)
	if err != nil {
		return nil, nil, err
	}
	fsys, err := rootFS(bundle, plan)
	if err != nil {
		return nil, nil, err
	}
	return plan, fsys, nil
}
