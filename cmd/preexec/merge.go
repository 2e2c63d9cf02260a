package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// merge is `preexec merge FILE...`: the JSON Lines of scan --json shards
// joined into one report, in one scan's order, with one scan's exit
// status. A file that is not scan's JSON Lines is a usage error (2): the
// reason on stderr with its file and line, nothing on stdout.
func merge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	format := fs.String("format", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, scanUsage)
			return 0
		}
		printf(stderr, "preexec: %v\n", err)
		fmt.Fprint(stderr, scanUsage)
		return 2
	}
	f, err := scanFormat(*format, *asJSON)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, scanUsage)
		return 2
	}
	type line struct {
		row scanRow
		raw []byte
	}
	var lines []line
	type shard struct {
		t    scanTrailer
		file string
		i, n int
	}
	var shards []shard
	fail := func(format string, a ...any) int {
		printf(stderr, "preexec: merge: "+format+"\n", a...)
		return 2
	}
	for _, p := range fs.Args() {
		data, err := os.ReadFile(p)
		if err != nil {
			printf(stderr, "preexec: %v\n", err)
			return 2
		}
		// Lines are slices of data: the JSON Lines are written again as
		// read, not copied.
		n, pending := 0, 0
		for rest := data; len(rest) > 0; {
			l, tail, _ := bytes.Cut(rest, []byte("\n"))
			rest = tail
			n++
			raw := bytes.TrimSpace(l)
			if len(raw) == 0 {
				continue
			}
			if bytes.HasPrefix(raw, []byte(`{"shard":`)) {
				var t scanTrailer
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.DisallowUnknownFields()
				var i, m int
				if err := dec.Decode(&t); err != nil {
					return fail("%s:%d: not a shard line of scan --json: %v", p, n, err)
				}
				if _, err := fmt.Sscanf(t.Shard, "%d/%d", &i, &m); err != nil || m < 1 || i < 0 || i >= m || fmt.Sprintf("%d/%d", i, m) != t.Shard {
					return fail("%s:%d: shard %q: want I/N with 0 <= I < N", p, n, t.Shard)
				}
				if t.Containers != pending {
					return fail("%s:%d: shard %s counts %d containers, the file has %d before it", p, n, t.Shard, t.Containers, pending)
				}
				shards = append(shards, shard{t, p, i, m})
				pending = 0
				continue
			}
			var r scanRow
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				printf(stderr, "preexec: %s:%d: not a line of scan --json: %v\n", p, n, err)
				return 2
			}
			if r.Key == "" || r.Verdict == "" {
				printf(stderr, "preexec: %s:%d: not a line of scan --json: no key or verdict\n", p, n)
				return 2
			}
			if f != "sarif" {
				// Only SARIF reads the results again: the JSON Lines are
				// written as read, the table prints verdicts and texts.
				r.Results = nil
				for _, sd := range []*scanSide{r.From, r.To} {
					if sd != nil {
						sd.Results = nil
					}
				}
			}
			var keep []byte
			if f == "json" {
				keep = raw // a slice of the file's bytes, not a copy
			}
			lines = append(lines, line{r, keep})
			pending++
		}
		if pending > 0 || n == 0 {
			return fail("%s: cut short: scan --json ends with its shard line ({\"shard\":…})", p)
		}
	}
	// The shards must make one scan: one N, one selection, one set of
	// inputs, each shard of N once.
	if len(shards) == 0 {
		return fail("no shard line in the input")
	}
	first := shards[0]
	seen := map[int]string{}
	for _, sh := range shards {
		switch {
		case sh.n != first.n:
			return fail("%s is shard %s, %s shard %s: shards of different scans (--shard I/N with different N)", first.file, first.t.Shard, sh.file, sh.t.Shard)
		case sh.t.Selection != first.t.Selection:
			return fail("%s and %s answer for different selections (runtimes, kernels or engine flags): shards of different scans", first.file, sh.file)
		case sh.t.Inputs != first.t.Inputs:
			return fail("%s and %s scanned different containers (inputs, or a cluster listed at different times): shards of different scans", first.file, sh.file)
		}
		if prev, ok := seen[sh.i]; ok {
			return fail("shard %s twice: %s and %s", sh.t.Shard, prev, sh.file)
		}
		seen[sh.i] = sh.file
	}
	var missing []string
	for i := 0; i < first.n; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", i, first.n))
		}
	}
	if len(missing) > 0 {
		return fail("shards missing: %s", strings.Join(missing, ", "))
	}
	sort.SliceStable(lines, func(a, b int) bool { return rowLess(&lines[a].row, &lines[b].row) })
	rows := make([]scanRow, len(lines))
	out := bufio.NewWriterSize(stdout, 1<<16)
	defer out.Flush()
	for i, l := range lines {
		rows[i] = l.row
		if f == "json" {
			out.Write(l.raw)
			out.WriteByte('\n')
		}
	}
	lines = nil
	sum := first.t
	sum.Shard, sum.Containers, sum.Scanned, sum.Unsure = "0/1", len(rows), 0, 0
	for _, sh := range shards {
		sum.Scanned += sh.t.Scanned
		sum.Unsure += sh.t.Unsure
	}
	if f == "json" {
		json.NewEncoder(out).Encode(sum)
	} else {
		writeRows(out, rows, f, &sum)
	}
	return scanStatus(rowsStatus(rows), &sum)
}
