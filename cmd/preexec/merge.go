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
		fmt.Fprintf(stderr, "preexec: %v\n%s", err, scanUsage)
		return 2
	}
	f, err := scanFormat(*format, *asJSON)
	if err != nil {
		fmt.Fprintf(stderr, "preexec: %v\n", err)
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
	for _, p := range fs.Args() {
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(stderr, "preexec: %v\n", err)
			return 2
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
		n := 0
		for sc.Scan() {
			n++
			raw := bytes.TrimSpace(sc.Bytes())
			if len(raw) == 0 {
				continue
			}
			var r scanRow
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				fmt.Fprintf(stderr, "preexec: %s:%d: not a line of scan --json: %v\n", p, n, err)
				return 2
			}
			if r.Key == "" || r.Verdict == "" {
				fmt.Fprintf(stderr, "preexec: %s:%d: not a line of scan --json: no key or verdict\n", p, n)
				return 2
			}
			lines = append(lines, line{r, append(append([]byte(nil), raw...), '\n')})
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(stderr, "preexec: %s: %v\n", p, err)
			return 2
		}
	}
	sort.SliceStable(lines, func(a, b int) bool { return rowLess(&lines[a].row, &lines[b].row) })
	rows := make([]scanRow, len(lines))
	var out bytes.Buffer
	for i, l := range lines {
		rows[i] = l.row
		if f == "json" {
			out.Write(l.raw)
		}
	}
	if f != "json" {
		writeRows(&out, rows, f)
	}
	stdout.Write(out.Bytes())
	return rowsStatus(rows)
}
