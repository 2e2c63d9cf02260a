package spec

import "bytes"

// SplitYAML splits a YAML stream at its "---" lines; starts are the number
// of lines before each document, to add to a line within it.
func SplitYAML(src []byte) (docs [][]byte, starts []int) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	begin, line := 0, 0
	pos := 0
	for i, l := range lines {
		if docSep(bytes.TrimRight(l, "\r\n")) {
			docs = append(docs, src[begin:pos])
			starts = append(starts, line)
			begin, line = pos+len(l), i+1
		}
		pos += len(l)
	}
	docs = append(docs, src[begin:])
	starts = append(starts, line)
	return docs, starts
}

// docSep reports whether line (its line end trimmed) is a YAML document
// separator: "---" alone or followed by white space (RE2's \s: tab, newline,
// form feed, carriage return, space).
func docSep(line []byte) bool {
	if len(line) < 3 || line[0] != '-' || line[1] != '-' || line[2] != '-' {
		return false
	}
	if len(line) == 3 {
		return true
	}
	switch line[3] {
	case '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}
