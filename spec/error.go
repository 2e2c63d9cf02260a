package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An Error is a config.json that cannot be turned into a plan: bad JSON, a
// value of the wrong type, or a value no runtime accepts. It names the file,
// the position of the offending value and its JSON path:
//
//	config.json:14:9: process.user.uid: want number, got string
type Error struct {
	// File is the name given to Parse.
	File string
	// Line and Col are the 1-based position of the offending value, or of
	// the object that lacks a required member. Col counts bytes, as
	// go/token does.
	Line, Col int
	// Offset is the 0-based byte offset of that position.
	Offset int
	// Field is the JSON path of the value, keys as spelled in the file and
	// array indices in brackets ("linux.uidMappings[1].size"); "" for the
	// document itself.
	Field string
	// Msg says what is wrong.
	Msg string
	// Err is the encoding/json error behind a syntax or type error
	// (*json.SyntaxError, *json.UnmarshalTypeError), nil otherwise.
	Err error
}

// Error formats e as FILE:LINE:COL: FIELD: MSG, leaving out the file and
// the field when they are empty.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(e.Col))
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the encoding/json error behind e, if any.
func (e *Error) Unwrap() error { return e.Err }

// newError places an error at byte offset off of data.
func newError(file string, data []byte, off int, field, msg string, err error) *Error {
	off = max(0, min(off, len(data)))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return &Error{File: file, Line: line, Col: col, Offset: off, Field: field, Msg: msg, Err: err}
}

// decodeError turns an error of json.Unmarshal into an *Error.
func decodeError(file string, data []byte, err error) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included; at the
		// end of the input there is none to point at.
		off := int(syn.Offset)
		if off > 0 && off <= len(data) && syn.Error() != "unexpected end of JSON input" {
			off--
		}
		_, pending := index(data)
		return newError(file, data, off, pending, syn.Error(), err)
	case errors.As(err, &typ):
		// Unmarshal checks the syntax of the whole input before it decodes,
		// so a type error comes from a well-formed document. Its Offset is
		// the end of a scalar or just past the opening delimiter of an
		// object or array: the innermost value holding it is the culprit.
		nodes, _ := index(data)
		off, field := 0, ""
		for _, n := range nodes {
			if n.start < int(typ.Offset) && (n.end < 0 || int(typ.Offset) <= n.end) {
				off, field = n.start, n.path
			}
		}
		return newError(file, data, off, field, typeMsg(typ), err)
	}
	return newError(file, data, 0, "", strings.TrimPrefix(err.Error(), "json: "), err)
}

// typeMsg says what a value should have been: "want number, got string",
// or for a number that does not fit, "want uint32, got number -1".
func typeMsg(e *json.UnmarshalTypeError) string {
	want := jsonKind(e.Type)
	got := e.Value
	if got == "bool" {
		got = "boolean"
	}
	if want == "number" && strings.HasPrefix(got, "number") {
		want = e.Type.Kind().String()
	}
	return "want " + want + ", got " + got
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return t.Kind().String()
}

// A node is one JSON value of a document: its path and byte extent.
type node struct {
	path       string
	start, end int // end is -1 for an object or array left open
}

// index lists the values of data in document order (a parent before its
// children), with json.Decoder's tokens and InputOffset. It stops at the
// first syntax error and then also returns the path of the value it was
// reading, which is where that error lies.
func index(data []byte) (nodes []node, pending string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // never fails on a number, however large
	type frame struct {
		node    int
		object  bool
		key     string
		haveKey bool
		n       int
	}
	var stack []frame
	for {
		if len(stack) == 0 && len(nodes) > 0 {
			return nodes, ""
		}
		start := skipSeparators(data, int(dec.InputOffset()))
		path, isKey := "", false
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			parent := nodes[f.node].path
			switch {
			case !f.object:
				path = parent + "[" + strconv.Itoa(f.n) + "]"
			case f.haveKey:
				path = join(parent, f.key)
			default:
				path, isKey = parent, true
			}
		}
		tok, err := dec.Token()
		if err != nil {
			return nodes, path
		}
		end := int(dec.InputOffset())
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			nodes[stack[len(stack)-1].node].end = end
			stack = stack[:len(stack)-1]
			continue
		}
		if isKey {
			f := &stack[len(stack)-1]
			f.key, f.haveKey = tok.(string), true
			continue
		}
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			f.haveKey = false
			f.n++
		}
		if d, ok := tok.(json.Delim); ok {
			nodes = append(nodes, node{path, start, -1})
			stack = append(stack, frame{node: len(nodes) - 1, object: d == '{'})
			continue
		}
		nodes = append(nodes, node{path, start, end})
	}
}

// skipSeparators returns the offset of the first byte at or after off that
// is neither JSON white space nor a ':' or ',' separator.
func skipSeparators(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// locate returns the offset of the value at path in data, or, if there is
// none, of its nearest ancestor that exists. Keys match as encoding/json
// matches them to struct fields: case-insensitively, the last duplicate
// winning.
func locate(data []byte, path string) int {
	nodes, _ := index(data)
	at := map[string]int{}
	for _, n := range nodes {
		at[fold(n.path)] = n.start
	}
	for {
		if off, ok := at[fold(path)]; ok {
			return off
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

// parentPath strips the last key or index of a path.
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// fold maps s so that fold(x) == fold(y) when encoding/json would match a
// key x to a field named y (encoding/json/fold.go: foldName, Go 1.26).
func fold(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(foldRune(r))
		i += n
	}
	return b.String()
}

// foldRune returns the smallest rune of r's case-folding orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
