package main

import (
	"bytes"
	"io"
	"text/tabwriter"
)

// newTable returns the writer of a table as docker and kubectl print one:
// tab-separated cells in columns two spaces apart, flushed by the caller,
// and no trailing spaces where a row's last cells are empty.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(&lineTrimmer{w: w}, 0, 4, 2, ' ', 0)
}

// lineTrimmer writes each line to w without its trailing spaces; a line
// is written when its newline is.
type lineTrimmer struct {
	w    io.Writer
	line []byte
}

func (t *lineTrimmer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.line = append(t.line, p...)
			break
		}
		t.line = append(bytes.TrimRight(append(t.line, p[:i]...), " "), '\n')
		if _, err := t.w.Write(t.line); err != nil {
			return 0, err
		}
		t.line = t.line[:0]
		p = p[i+1:]
	}
	return n, nil
}
