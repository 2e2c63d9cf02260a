// go-mtree builds where it has lchtimes (lchtimes_unix.go and
// lchtimes_unsupported.go@v0.7.0): not for js or wasip1, and it imports os
// and x/sys/unix. So ParseMTree is a host file; MTree itself (mtree.go) is
// pure.

//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package rootfs

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/preexec/preexec/internal/limit"

	mtree "github.com/vbatts/go-mtree"
)

// MaxMTree is the largest manifest ParseMTree reads, in bytes: some
// 2 million entries of `mtree -c -K type,mode,uid,gid,link,size`.
const MaxMTree = 256 << 20

// MaxMTreeLines is the most lines ParseMTree reads: each line can be an
// entry, and an entry costs some 570 bytes while it is parsed (go-mtree's
// Entry, then the index), so a 20 MB manifest of one-letter names would
// otherwise take gigabytes. A root filesystem of a million inodes is far
// larger than any image's.
const MaxMTreeLines = 1 << 20

// MTreeOptions bound what ParseMTreeWith reads. The zero value is the
// default.
type MTreeOptions struct {
	// MaxBytes is the largest manifest read (0 is MaxMTree; limit
	// mtree-size).
	MaxBytes int64
	// MaxLines is the most lines read (0 is MaxMTreeLines; limit
	// mtree-lines).
	MaxLines int
}

// ParseMTree is ParseMTreeWith of the default MTreeOptions.
func ParseMTree(name string, r io.Reader) (*MTree, error) {
	return ParseMTreeWith(name, r, MTreeOptions{})
}

// ParseMTreeWith reads the mtree(5) manifest r with go-mtree's ParseSpec
// and returns the MTree it describes (see MTree for the rules); name is
// the manifest's name in errors, which give the line and the entry. A
// manifest past opts' limits is an error naming the limit.
func ParseMTreeWith(name string, r io.Reader, opts MTreeOptions) (*MTree, error) {
	maxBytes, maxLines := opts.MaxBytes, opts.MaxLines
	if maxBytes <= 0 {
		maxBytes = MaxMTree
	}
	if maxLines <= 0 {
		maxLines = MaxMTreeLines
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%s: larger than %s (limit mtree-size)", name, limit.Size(maxBytes))
	}
	if n := bytes.Count(data, []byte{'\n'}); n > maxLines {
		return nil, fmt.Errorf("%s: %d lines, more than the %d preexec reads (limit mtree-lines)", name, n, maxLines)
	}
	heads, err := mtreeHeads(data)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	dh, err := mtree.ParseSpec(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(heads) != len(dh.Entries) {
		return nil, fmt.Errorf("%s: %d lines read where go-mtree read %d", name, len(heads), len(dh.Entries))
	}
	paths := make([]string, len(dh.Entries))
	lines := make([]mtreeLine, 0, len(dh.Entries))
	for i := range dh.Entries {
		e := &dh.Entries[i]
		h := heads[i]
		kw := make([]string, len(e.Keywords))
		for j, kv := range e.Keywords {
			kw[j] = string(kv)
		}
		switch e.Type {
		case mtree.SpecialType:
			l := mtreeLine{line: h.line, name: e.Name, kw: kw}
			switch e.Name {
			case "/set":
				l.kind = mtreeSet
			case "/unset":
				l.kind = mtreeUnset
			default:
				return nil, fmt.Errorf("%s:%d: %q: not a special command of mtree(5) (/set, /unset)", name, h.line, e.Name)
			}
			lines = append(lines, l)
		case mtree.RelativeType, mtree.FullType:
			n, err := mtreeUnvis(h.name)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %q: %v", name, h.line, h.name, err)
			}
			p := path.Clean("/" + n)
			if e.Type == mtree.RelativeType && e.Parent != nil {
				if strings.Contains(n, "/") {
					return nil, fmt.Errorf("%s:%d: %q: a relative name with a / in it", name, h.line, h.name)
				}
				p = path.Clean(paths[e.Parent.Pos] + "/" + n)
			}
			paths[i] = p
			lines = append(lines, mtreeLine{kind: mtreeEntry, line: h.line, name: h.name, path: p, relative: e.Type == mtree.RelativeType, kw: kw})
		}
	}
	return buildMTree(name, lines)
}

// An mtreeHead is where an entry of go-mtree's ParseSpec starts and the
// name it has as written.
type mtreeHead struct {
	line int
	name string
}

// mtreeHeads splits data into entries as parse.go:ParseSpec@go-mtree v0.7.0
// does (it keeps no line numbers): a bufio.Scanner's lines; a comment or
// an empty line is an entry, a line of blanks is skipped, and a special or
// path line ending in a backslash goes on on the next line. A line that
// ends up with no name (a lone backslash before an empty line), on which
// ParseSpec would index past its fields, is an error.
func mtreeHeads(data []byte) ([]mtreeHead, error) {
	s := bufio.NewScanner(bytes.NewReader(data))
	var out []mtreeHead
	line := 0
	join := func(str string) string {
		for strings.HasSuffix(str, `\`) {
			str = str[:len(str)-1]
			if s.Scan() {
				line++
			}
			str += s.Text()
		}
		return str
	}
	for s.Scan() {
		line++
		start, str := line, s.Text()
		trimmed := strings.TrimLeft(str, " \t")
		switch f := strings.Fields(str); {
		case strings.HasPrefix(trimmed, "#") || str == "":
			out = append(out, mtreeHead{line: start})
		case strings.HasPrefix(str, "/"):
			out = append(out, mtreeHead{line: start, name: strings.Fields(join(str))[0]})
		case len(f) > 0 && f[0] == "..":
			out = append(out, mtreeHead{line: start, name: ".."})
		case len(f) > 0:
			g := strings.Fields(join(str))
			if len(g) == 0 {
				return nil, fmt.Errorf("%d: a continued line with no name", start)
			}
			out = append(out, mtreeHead{line: start, name: g[0]})
		}
	}
	return out, nil
}
