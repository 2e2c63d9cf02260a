package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/preexec/preexec"
)

const runtimesUsage = `usage: preexec runtimes [-o wide|json | --json]

Lists every runtime build the model knows, one row per build: its name,
the release line (row of the runtime profiles) it belongs to and that
line's versions, the Go toolchain that built it, whether the runtime
oracle holds it (verified: its real binary ran on the recorded cases and
the goldens hold its outcomes; unverified: the prediction rests on the
rows alone), and what its line changes from the line before, with the
upstream commit or PR each change cites.

  -o wide         also the full citation of each change
  -o json, --json one JSON document on stdout

Exit status: 0, or 2 on a usage error.
`

// runtimeInfo is one build in the output of `preexec runtimes`.
type runtimeInfo struct {
	// Name is the build's name ("runc@1.1.4+go1.19").
	Name string `json:"name"`
	// Runtime is "runc" or "crun"; Version its release.
	Runtime string `json:"runtime"`
	Version string `json:"version"`
	// Go is the toolchain that built it ("1.19"); "" for crun.
	Go string `json:"go,omitempty"`
	// Line is the 1-based index of the build's release line in the
	// table (docs/runtimes.md); Versions are that line's releases.
	Line     int      `json:"line"`
	Versions []string `json:"versions"`
	// Changes are, per field, the citation of what the line changes from
	// the line before; Notes are the line's other citations.
	Changes map[string]string `json:"changes,omitempty"`
	Notes   []string          `json:"notes,omitempty"`
	// Oracle is "verified" or "unverified" (preexec.OracleVerified).
	Oracle string `json:"oracle"`
}

// runtimesDoc is the JSON document of `preexec runtimes --json`.
type runtimesDoc struct {
	// NewestGo is the newest Go toolchain the model records
	// (preexec.NewestGo).
	NewestGo string        `json:"newestGo"`
	Runtimes []runtimeInfo `json:"runtimes"`
}

// runtimesCmd is `preexec runtimes`; it returns the exit status.
func runtimesCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runtimes", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	outFmt := fs.String("o", "", "")
	fs.StringVar(outFmt, "output", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, runtimesUsage)
			return 0
		}
		printf(stderr, "preexec: %v\n", err)
		fmt.Fprint(stderr, runtimesUsage)
		return 2
	}
	if fs.NArg() > 0 {
		printf(stderr, "preexec: runtimes takes no arguments, got %q\n", fs.Args())
		fmt.Fprint(stderr, runtimesUsage)
		return 2
	}
	wide := false
	switch *outFmt {
	case "":
	case "wide":
		wide = true
	case "json":
		*asJSON = true
	default:
		printf(stderr, "preexec: -o: want wide or json, got %q\n", *outFmt)
		return 2
	}
	infos := runtimeInfos()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(runtimesDoc{NewestGo: preexec.NewestGo(), Runtimes: infos}); err != nil {
			printf(stderr, "preexec: %v\n", err)
			return 2
		}
		return 0
	}
	tw := newTable(stdout)
	fmt.Fprintln(tw, "NAME\tLINE\tVERSIONS\tGO\tORACLE\tCHANGES FROM THE LINE BEFORE")
	for _, in := range infos {
		goV := in.Go
		if goV == "" {
			goV = "-"
		}
		printf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", in.Name, in.Line, versionRange(in.Versions), goV, in.Oracle, changesCell(in.Changes, wide))
	}
	tw.Flush()
	return 0
}

// runtimeInfos lists preexec.Runtimes, then the distributions' builds
// (preexec.DistroBuilds: runc@1.1.5+debian) and any other build the
// runtime oracle holds, each with its line.
func runtimeInfos() []runtimeInfo {
	index := map[*preexec.Release]int{}
	lines := preexec.Releases()
	for i, l := range lines {
		index[l] = i
	}
	var out []runtimeInfo
	seen := map[string]bool{}
	add := func(rt preexec.Runtime) {
		seen[rt.Name] = true
		row := rt.Release
		if a := row.Amends(); a != nil {
			row = a // a distribution build's own row: its Cite says what it amends
		}
		i := index[row]
		in := runtimeInfo{
			Name: rt.Name, Runtime: rt.Release.Runtime, Version: rt.Version, Go: rt.Go,
			Line: i + 1, Versions: rt.Release.Versions, Oracle: "unverified",
		}
		if preexec.OracleVerified(rt.Name) {
			in.Oracle = "verified"
		}
		for k, v := range rt.Release.Cite {
			// The first line of a runtime changes nothing: its citations
			// are notes on where its behaviour comes from.
			if k == "note" || i == 0 || lines[i-1].Runtime != rt.Release.Runtime {
				in.Notes = append(in.Notes, k+": "+v)
				continue
			}
			if in.Changes == nil {
				in.Changes = map[string]string{}
			}
			in.Changes[k] = v
		}
		sort.Strings(in.Notes)
		out = append(out, in)
	}
	for _, rt := range preexec.Runtimes() {
		add(rt)
	}
	var others []string
	for _, d := range preexec.DistroBuilds() {
		others = append(others, "runc@"+d.Version+"+"+d.Build)
	}
	for _, name := range append(others, preexec.OracleRuntimes()...) {
		if seen[name] {
			continue
		}
		if rt, err := preexec.LookupRuntime(name); err == nil {
			add(rt)
		}
	}
	return out
}

// versionRange is "1.1.4 … 1.1.5", or the one version.
func versionRange(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs[0] + " … " + vs[len(vs)-1]
}

// changesCell is the CHANGES column: each changed field with the commit or
// PR of its citation (the text before its first ": "), or the whole
// citation when wide; "-" for none.
func changesCell(changes map[string]string, wide bool) string {
	if len(changes) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		c := changes[k]
		if !wide {
			c = citeRef(c)
		}
		parts[i] = k + " " + c
	}
	return strings.Join(parts, "; ")
}

// citeRef is the reference a citation starts with: "d83a861d9 (#3541,
// backport of #3522)" of "d83a861d9 (#3541, backport of #3522): system.Eaccess
// after LookPath"; a citation with no ": " is kept whole.
func citeRef(c string) string {
	if ref, _, ok := strings.Cut(c, ": "); ok {
		return ref
	}
	return c
}
