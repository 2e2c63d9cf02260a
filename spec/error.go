package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
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
		_, pending := index(data, off)
		return newError(file, data, off, pending, syn.Error(), err)
	case errors.As(err, &typ):
		// Unmarshal checks the syntax of the whole input before it decodes,
		// so a type error comes from a well-formed document. Its Offset is
		// the end of a scalar or just past the opening delimiter of an
		// object or array: the innermost value holding it is the culprit.
		nodes := scan(data, int(typ.Offset))
		innermost := -1
		for i, n := range nodes {
			if n.start < int(typ.Offset) && (n.end < 0 || int(typ.Offset) <= n.end) {
				innermost = i
			}
		}
		off, field := 0, ""
		if innermost >= 0 {
			off, field = nodes[innermost].start, nodePath(nodes, innermost)
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

// A node is one JSON value of a document: where it sits and its byte
// extent. Its path is not stored: a document nested n deep would hold
// O(n²) bytes of paths (pathOf builds one when it is needed).
type node struct {
	parent     int    // the enclosing value's node, -1 for the document
	key        string // the member name of a value in an object
	elem       int    // the index of a value in an array, -1 in an object
	start, end int    // end is -1 for an object or array left open
}

// maxPathElems is how many keys and indices a reported path keeps: a
// longer one keeps its first and last maxPathElems/2, around "…".
const maxPathElems = 32

// pathOf returns the JSON path of the value whose parent is nodes[parent]
// and which is key (elem < 0) or element elem of it: "linux.uidMappings[1]".
func pathOf(nodes []node, parent int, key string, elem int) string {
	var segs []string
	seg := func(key string, elem int) string {
		if elem >= 0 {
			return "[" + strconv.Itoa(elem) + "]"
		}
		return key
	}
	if parent >= 0 {
		segs = append(segs, seg(key, elem))
	}
	for i := parent; i >= 0 && nodes[i].parent >= 0; i = nodes[i].parent {
		segs = append(segs, seg(nodes[i].key, nodes[i].elem))
	}
	slices.Reverse(segs)
	if len(segs) > maxPathElems {
		segs = slices.Concat(segs[:maxPathElems/2], []string{"…"}, segs[len(segs)-maxPathElems/2:])
	}
	var b strings.Builder
	for i, s := range segs {
		// A key follows what precedes it after a dot, as encoding/json
		// paths read ("a.b", "a[0].b"; "" keys too); an index directly.
		key := s == "" || (s[0] != '[' && s != "…")
		if b.Len() > 0 && key && segs[i-1] != "…" {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// nodePath returns the JSON path of nodes[i].
func nodePath(nodes []node, i int) string {
	return pathOf(nodes, nodes[i].parent, nodes[i].key, nodes[i].elem)
}

// maxDepth is encoding/json's limit on nesting (scanner.go:maxNestingDepth,
// Go 1.26): json.Unmarshal refuses a document nested deeper.
const maxDepth = 10000

// index lists the values of data in document order (a parent before its
// children), with json.Decoder's tokens and InputOffset, up to byte stop
// (len(data) for the whole document). It stops at the first syntax error,
// or past encoding/json's nesting limit, and then also returns the path of
// the value it was reading, which is where that error lies. Its work is
// linear in the size of data, whatever the nesting.
func index(data []byte, stop int) (nodes []node, pending string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // never fails on a number, however large
	return walk(data, stop, decoderTokens{dec})
}

// scan is index for a document json.Unmarshal has accepted, where a type
// error and every error of the model come from: with its syntax known to be
// good it reads the tokens itself, an order of magnitude faster than
// json.Decoder.Token, which decodes each scalar with a fresh scanner (a
// 30 KB config with 5,000 members took 10 ms to place an error). On a
// document that is not valid JSON it stops early and never panics, but its
// nodes mean nothing.
func scan(data []byte, stop int) []node {
	nodes, _ := walk(data, stop, rawTokens(data))
	return nodes
}

// A tokenizer reads the token of data that starts at byte start: delim is
// its delimiter ('{', '[', '}' or ']') or 0 for a scalar, end the offset
// just past it, and name, for a member name (key), the name decoded as
// encoding/json decodes it. err is a syntax error or the end of input.
type tokenizer interface {
	next(start int, key bool) (delim byte, name string, end int, err error)
}

// walk lists the values of data as the tokens of next give them: index
// and scan.
func walk(data []byte, stop int, next tokenizer) (nodes []node, pending string) {
	type frame struct {
		node    int
		object  bool
		key     string
		haveKey bool
		n       int
	}
	var stack []frame
	off := 0
	for {
		if len(stack) == 0 && len(nodes) > 0 {
			return nodes, ""
		}
		start := skipSeparators(data, off)
		parent, key, elem, isKey := -1, "", -1, false
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			parent = f.node
			switch {
			case !f.object:
				elem = f.n
			case f.haveKey:
				key = f.key
			default:
				isKey = true
			}
		}
		var delim byte
		var name string
		var err error
		if start <= stop && len(stack) <= maxDepth {
			delim, name, off, err = next.next(start, isKey)
		}
		if err != nil || start > stop || len(stack) > maxDepth {
			if isKey {
				return nodes, nodePath(nodes, parent)
			}
			return nodes, pathOf(nodes, parent, key, elem)
		}
		if delim == '}' || delim == ']' {
			if len(stack) == 0 {
				return nodes, ""
			}
			nodes[stack[len(stack)-1].node].end = off
			stack = stack[:len(stack)-1]
			continue
		}
		if isKey {
			f := &stack[len(stack)-1]
			f.key, f.haveKey = name, true
			continue
		}
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			f.haveKey = false
			f.n++
		}
		if delim != 0 {
			nodes = append(nodes, node{parent, key, elem, start, -1})
			stack = append(stack, frame{node: len(nodes) - 1, object: delim == '{'})
			continue
		}
		nodes = append(nodes, node{parent, key, elem, start, off})
	}
}

// decoderTokens reads tokens with json.Decoder, which checks their syntax.
type decoderTokens struct{ dec *json.Decoder }

func (d decoderTokens) next(_ int, key bool) (delim byte, name string, end int, err error) {
	tok, err := d.dec.Token()
	if err != nil {
		return 0, "", 0, err
	}
	if t, ok := tok.(json.Delim); ok {
		delim = byte(t)
	}
	if key {
		name, _ = tok.(string)
	}
	return delim, name, int(d.dec.InputOffset()), nil
}

// rawTokens reads the tokens of a valid document by their first byte.
type rawTokens []byte

func (data rawTokens) next(start int, key bool) (delim byte, name string, end int, err error) {
	if start >= len(data) {
		return 0, "", 0, io.ErrUnexpectedEOF
	}
	switch c := data[start]; c {
	case '{', '[', '}', ']':
		return c, "", start + 1, nil
	case '"':
		end = len(data)
		for i := start + 1; i < len(data); i++ {
			if data[i] == '\\' {
				i++
			} else if data[i] == '"' {
				end = i + 1
				break
			}
		}
		if key {
			name = jsonKey(data[start:end])
		}
		return 0, name, end, nil
	}
	for end = start; end < len(data); end++ {
		switch data[end] {
		case ' ', '\t', '\r', '\n', ',', ':', ']', '}':
			return 0, "", end, nil
		}
	}
	return 0, "", end, nil
}

// jsonKey decodes a member name as encoding/json does: a plain one is its
// bytes; escapes and invalid UTF-8 (each bad byte U+FFFD) go through
// json.Unmarshal itself.
func jsonKey(raw []byte) string {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
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

// locate returns the offset of the value at the path field in data, or, if
// there is none, of its nearest ancestor that exists. Keys match as encoding/json
// matches them to struct fields: case-insensitively, the last duplicate
// winning. field is a path the model wrote: keys without '.' or '['.
func locate(data []byte, field string) int {
	want := splitPath(field)
	nodes := scan(data, len(data))
	// depth[i] is how many elements of want nodes[i] matches from the
	// document down, -1 if it strays from want; best[d] is the last node
	// matching d elements.
	depth := make([]int, len(nodes))
	best := make([]int, len(want)+1)
	for i := range best {
		best[i] = -1
	}
	for i, n := range nodes {
		d := 0
		if n.parent >= 0 {
			d = depth[n.parent]
			if d >= 0 && d < len(want) && segMatches(n, want[d]) {
				d++
			} else {
				d = -1
			}
		}
		depth[i] = d
		if d >= 0 {
			best[d] = i
		}
	}
	for d := len(want); d >= 0; d-- {
		if best[d] >= 0 {
			return nodes[best[d]].start
		}
	}
	return 0
}

// splitPath splits a path into its keys and "[N]" indices.
func splitPath(field string) []string {
	var segs []string
	for field != "" {
		switch i := strings.IndexAny(field[1:], ".["); {
		case field[0] == '.':
			field = field[1:]
		case i < 0:
			segs, field = append(segs, field), ""
		default:
			segs, field = append(segs, field[:i+1]), field[i+1:]
		}
	}
	return segs
}

// segMatches reports whether n is the element seg of its parent: "[N]" of
// an array, a key (folded as encoding/json folds it) of an object.
func segMatches(n node, seg string) bool {
	if n.elem >= 0 {
		return seg == "["+strconv.Itoa(n.elem)+"]"
	}
	return fold(n.key) == fold(seg)
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
