package main

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// printf is fmt.Fprintf for what a person reads: every string, error and
// Stringer argument is shown with its control characters escaped
// (display), so that an args[0], a user name or a file name from an image
// cannot move the cursor, recolour the terminal, or start a line or a
// table cell of its own. The format is ours and is printed as written.
// --json and SARIF output escape by their own rules and do not use it.
func printf(w io.Writer, format string, args ...any) {
	for i, a := range args {
		args[i] = displayArg(a)
	}
	fmt.Fprintf(w, format, args...)
}

// printLine is fmt.Fprintln with printf's escaping.
func printLine(w io.Writer, args ...any) {
	for i, a := range args {
		args[i] = displayArg(a)
	}
	fmt.Fprintln(w, args...)
}

// A block is text of several lines whose line breaks are meant (an
// engine's message and its "See 'docker run --help'." line): printf
// escapes each line, keeps the breaks and indents each line after the
// first by indent.
type block struct{ text, indent string }

func displayArg(a any) any {
	switch v := a.(type) {
	case nil:
		return a
	case block:
		lines := strings.Split(v.text, "\n")
		for i, l := range lines {
			lines[i] = display(l)
		}
		return strings.Join(lines, "\n"+v.indent)
	case error:
		return display(v.Error())
	case fmt.Stringer:
		return display(v.String())
	}
	if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
		return display(rv.String())
	}
	return a
}

// display returns s with every control character — C0 (newline and tab
// included), DEL and C1 — written as a Go escape (\n, \t, \x1b, \u009b),
// and invalid UTF-8 as \ufffd. Other text is unchanged.
func display(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			// Invalid UTF-8 (or a literal U+FFFD, shown the same way).
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			if r < 0x10 {
				b.WriteByte('0')
			}
			b.WriteString(strconv.FormatInt(int64(r), 16))
		case r >= 0x80 && r < 0xa0:
			b.WriteString(`\u00`)
			b.WriteString(strconv.FormatInt(int64(r), 16))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
