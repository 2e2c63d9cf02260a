package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/preexec/preexec"
)

// A scanRow is one container's answer: a line of scan --json (JSON
// Lines), which merge reads back.
type scanRow struct {
	// Kind, Namespace and Workload name the workload ("Deployment",
	// "shop", "web"); empty for an image input.
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Workload  string `json:"workload,omitempty"`
	// Container is the container's name; Init is true for an
	// initContainer.
	Container string `json:"container,omitempty"`
	Init      bool   `json:"init,omitempty"`
	// File and Line are where the container is written: the manifest and
	// the line of its entry (0: not known); for an image input, its file.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Image is the reference or path as written; Digest its manifest's
	// digest where there is one (a registry's, an OCI layout's).
	Image  string `json:"image,omitempty"`
	Digest string `json:"digest,omitempty"`
	// Engine made the container's spec.
	Engine string `json:"engine,omitempty"`
	// Verdict is check's verdict line, "refused by ENGINE: …", "error: …",
	// or for an upgrade "BEFORE → AFTER".
	Verdict string `json:"verdict"`
	// Status is the container's exit status as check's: 0 starts, 1
	// fails or refused, 2 could not be read, 3 cannot be told; for an
	// upgrade 1 when a runtime that started before fails after.
	Status int `json:"status"`
	// Refusal is the engine's words when it refuses the container.
	Refusal string `json:"refusal,omitempty"`
	// Error says why the input or image could not be read.
	Error string `json:"error,omitempty"`
	// Results are check --json's results (scan --json and sarif).
	Results []jsonResult `json:"results,omitempty"`
	// From and To are an upgrade's two sides, Changes what differs
	// between them (the rows' fields with their upstream commits, the
	// toolchain, the kernel), each marked when it alone makes the
	// difference, as check --from/--to --json gives them.
	From    *scanSide    `json:"from,omitempty"`
	To      *scanSide    `json:"to,omitempty"`
	Changes []jsonChange `json:"changes,omitempty"`
	// Key is the container's identity, which orders rows and picks
	// shards.
	Key string `json:"key"`

	// Changed: the upgrade changes the outcome (an upgrade prints only
	// those rows, and rows it could not read); as check --from/--to
	// --json's "changed".
	Changed bool `json:"changed,omitempty"`
	// unknown: a side of the upgrade cannot be told.
	unknown bool
}

// A scanSide is one side of an upgrade.
type scanSide struct {
	Name string `json:"name"`
	// Text is "starts", the failure as the engine's user reads it,
	// "unknown: …", or with several runtimes check's verdict.
	Text    string       `json:"text"`
	Step    string       `json:"step,omitempty"`
	Status  int          `json:"status"`
	Results []jsonResult `json:"results,omitempty"`
}

// rowLess orders rows by identity, then file and line.
func rowLess(a, b *scanRow) bool {
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Line < b.Line
}

// writeRows prints rows as format: table, json (JSON Lines) or sarif.
// sum is the scan's shard line: the last line of json, and what an
// upgrade's table says besides its blocks.
func writeRows(w io.Writer, rows []scanRow, format string, sum *scanTrailer) {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for i := range rows {
			enc.Encode(&rows[i])
		}
		enc.Encode(sum)
	case "sarif":
		writeSARIF(w, rows)
	default:
		if sum.From != "" || isDiff(rows) {
			writeDiffTable(w, rows, sum)
			return
		}
		writeTable(w, rows)
	}
}

func isDiff(rows []scanRow) bool {
	for _, r := range rows {
		if r.From != nil {
			return true
		}
	}
	return false
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// workloadName is kind/name as kubectl names a resource.
func (r *scanRow) workloadName() string {
	if r.Kind == "" {
		return ""
	}
	return strings.ToLower(r.Kind) + "/" + r.Workload
}

func (r *scanRow) containerName() string {
	if r.Init {
		return r.Container + " (init)"
	}
	return r.Container
}

func writeTable(w io.Writer, rows []scanRow) {
	tw := newTable(w)
	fmt.Fprintln(tw, "NAMESPACE\tWORKLOAD\tCONTAINER\tIMAGE\tVERDICT")
	for i := range rows {
		r := &rows[i]
		printf(tw, "%s\t%s\t%s\t%s\t%s\n", dash(r.Namespace), dash(r.workloadName()), dash(r.containerName()), dash(r.imageOrFile()), r.Verdict)
	}
	tw.Flush()
}

func (r *scanRow) imageOrFile() string {
	if r.Image != "" {
		return r.Image
	}
	return r.File
}

// writeDiffTable prints an upgrade: a block per container whose outcome
// changes, with both sides' texts and the upstream changes.
func writeDiffTable(w io.Writer, rows []scanRow, sum *scanTrailer) {
	defer func() {
		if sum.Unsure > 0 {
			printf(w, "%d unchanged %s cannot be told on a side (scan with --runtime to see why)\n", sum.Unsure, plural(sum.Unsure, "container"))
		}
		for _, x := range sum.Extrapolated {
			printf(w, "extrapolated: %s\n", x)
		}
	}()
	changed := 0
	for i := range rows {
		if rows[i].Changed || rows[i].From != nil {
			changed++
		}
	}
	if changed == 0 && sum.From != "" {
		printf(w, "no container changes outcome (%d %s, %s → %s)\n", sum.Scanned, plural(sum.Scanned, "container"), sum.From, sum.To)
		if len(rows) > 0 {
			printLine(w)
		}
	}
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			printLine(w)
		}
		what := r.imageOrFile()
		if r.Kind != "" {
			ns := ""
			if r.Namespace != "" {
				ns = r.Namespace + " "
			}
			what = fmt.Sprintf("%s%s, container %s (%s)", ns, r.workloadName(), r.containerName(), r.Image)
		}
		printf(w, "%s: %s\n", what, r.Verdict)
		if r.From == nil {
			continue
		}
		for _, sd := range []*scanSide{r.From, r.To} {
			printf(w, "  %s: %s\n", sd.Name, block{sd.Text, "    "})
		}
		// The changes that alone make the difference; all of them when
		// none does alone.
		var decide []jsonChange
		for _, c := range r.Changes {
			if c.Decides {
				decide = append(decide, c)
			}
		}
		label := "change"
		if len(decide) == 0 {
			decide, label = r.Changes, "changes (none alone)"
		}
		for _, c := range decide {
			printf(w, "  %s: %s %s → %s", label, c.Field, c.From, c.To)
			if c.Cite != "" {
				printf(w, "; upstream: %s", c.Cite)
			}
			printLine(w)
		}
	}
}

// SARIF 2.1.0 (OASIS), the parts GitHub code scanning reads.
type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties *sarifProps     `json:"properties,omitempty"`
}

// sarifProps are a result's runtimes and, for those whose answer is
// another release's or toolchain's, why.
type sarifProps struct {
	Runtimes     []string `json:"runtimes,omitempty"`
	Extrapolated []string `json:"extrapolated,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *struct {
		StartLine int `json:"startLine"`
	} `json:"region,omitempty"`
}

// sarifRules describe the rule ids by what fails, never by why (the
// result's message has the runtime's exact text): a failing step, a
// refusal, what cannot be told, an extrapolated answer, an input that
// could not be read.
var sarifRules = map[string]string{
	"refused":      "the engine refuses the container before any runtime runs",
	"unknown":      "whether the runtime's check passes cannot be told from the input",
	"extrapolated": "the answer for a runtime is another release's or toolchain's, extrapolated to it",
	"error":        "the input or its image could not be read",
	"config":       "the runtime refuses the container's config",
	"mkdir-cwd":    "creating a missing process.cwd fails",
	"user":         "switching to the container's user (setgroups, setgid, setuid) fails",
	"chdir":        "chdir to process.cwd fails",
	"caps":         "applying process.capabilities fails",
	"lookpath":     "the lookup of process.args[0] fails",
	"eaccess":      "the runtime's access check of the entrypoint fails",
	"execve":       "execve of the entrypoint fails",
	"interpreter":  "the entrypoint's #! interpreter fails",
	"started":      "the container's process fails after it starts",
}

// sarifURI is a file's artifact location as GitHub code scanning reads
// it: relative to the working directory (%SRCROOT%) when the file is
// under it, else an absolute file URI.
func sarifURI(file string) sarifArtifact {
	abs, err := filepath.Abs(file)
	if err == nil {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
				return sarifArtifact{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: "%SRCROOT%"}
			}
		}
		p := filepath.ToSlash(abs)
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x
		}
		return sarifArtifact{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	return sarifArtifact{URI: filepath.ToSlash(file)}
}

func writeSARIF(w io.Writer, rows []scanRow) {
	var results []sarifResult
	used := map[string]bool{}
	for i := range rows {
		r := &rows[i]
		who := r.imageOrFile()
		if r.Kind != "" {
			who = fmt.Sprintf("%s container %s (%s)", r.workloadName(), r.containerName(), r.Image)
			if r.Namespace != "" {
				who = r.Namespace + " " + who
			}
		}
		add := func(rule, level, text string, props *sarifProps) {
			used[rule] = true
			res := sarifResult{RuleID: rule, Level: level, Message: sarifMessage{Text: who + ": " + text}, Properties: props}
			if r.File != "" {
				var loc sarifLocation
				loc.PhysicalLocation.ArtifactLocation = sarifURI(r.File)
				if r.Line > 0 {
					loc.PhysicalLocation.Region = &struct {
						StartLine int `json:"startLine"`
					}{r.Line}
				}
				res.Locations = []sarifLocation{loc}
			}
			results = append(results, res)
		}
		results := r.Results
		if r.To != nil {
			results = r.To.Results
		}
		switch {
		case r.Error != "":
			add("error", "warning", r.Error, nil)
		case r.Refusal != "":
			add("refused", "error", r.Refusal, nil)
		case r.Status == 1 || r.Status == 3:
			// One result per failing step and exact text, with the
			// runtimes that print it (as check's blocks group them);
			// what cannot be told, and answers extrapolated from another
			// release that start, under rules of their own.
			type group struct {
				rule, text string
				names      []string
				extra      []string
			}
			var order []string
			by := map[string]*group{}
			for _, x := range results {
				rule, text := x.Step, x.Message
				if text == "" {
					text = x.Error
				}
				switch {
				case x.Unknown != "":
					rule, text = "unknown", "unknown at "+x.Step+": "+x.Unknown
				case x.Starts && x.Extrapolated != "":
					rule, text = "extrapolated", "starts"
				case x.Starts:
					continue
				}
				k := rule + "\x00" + text
				g := by[k]
				if g == nil {
					g = &group{rule: rule, text: text}
					by[k] = g
					order = append(order, k)
				}
				g.names = append(g.names, x.Runtime)
				if x.Extrapolated != "" {
					g.extra = append(g.extra, x.Runtime+": "+x.Extrapolated)
				}
			}
			if len(order) == 0 {
				// An upgrade row without results: its verdict.
				add("unknown", "note", r.Verdict, nil)
				break
			}
			for _, k := range order {
				g := by[k]
				level, what := "error", "fails at "+g.rule
				switch g.rule {
				case "unknown":
					level, what = "note", "cannot be told"
				case "extrapolated":
					level, what = "note", "extrapolated"
				}
				text := fmt.Sprintf("%s on %s: %s", what, runtimeRanges(g.names), g.text)
				if len(g.extra) > 0 {
					text += " (extrapolated: " + strings.Join(g.extra, "; ") + ")"
				}
				add(g.rule, level, text, &sarifProps{Runtimes: g.names, Extrapolated: g.extra})
			}
		}
	}
	var rules []sarifRule
	for id := range used {
		rules = append(rules, sarifRule{ID: id, Name: id, ShortDescription: sarifMessage{Text: sarifRules[id]}})
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	if results == nil {
		results = []sarifResult{}
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	log := sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json",
		Runs: []sarifRun{{Tool: sarifTool{Driver: sarifDriver{Name: "preexec", InformationURI: "https://github.com/preexec/preexec", Rules: rules}}, Results: results}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(log)
}

// runtimeRanges names runtimes as check's verdict does (version ranges),
// or lists them when they are not all known by name.
func runtimeRanges(names []string) string {
	rts, err := selectRuntimes(names)
	if err != nil || len(rts) != len(names) {
		return strings.Join(names, ", ")
	}
	return preexec.RuntimeRanges(rts, func(int) bool { return true })
}
