package spec

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/preexec/preexec/internal/limit"

	yaml "go.yaml.in/yaml/v3"
)

// ErrYAMLExpansion is what a *PodError Is when a manifest's YAML aliases
// would expand it past what is read (YAML.MaxExpansion).
var ErrYAMLExpansion = errors.New("YAML aliases expand the document too far")

// MaxYAMLExpansion is the default bound of the bytes a document may grow
// by through its aliases (limit yaml-expansion, YAML.MaxExpansion): sigs.k8s.io/yaml expands every alias into a copy of its anchor
// before it converts to JSON, so a 1 MB anchor named 1,000 times is a
// gigabyte (go-yaml's own guard counts aliases, not bytes).
const MaxYAMLExpansion = 16 << 20

// checkYAMLAliases refuses src if its aliases expand it by more than max
// bytes. The expansion is measured on go.yaml.in/yaml/v3's
// node tree, where an alias stays a pointer to its anchor, so the check
// itself costs what the input does. A document that parser cannot read is
// left to the converter, whose error names the line.
func checkYAMLAliases(name string, src []byte, max int64) error {
	if !bytes.Contains(src, []byte{'*'}) {
		return nil // no alias
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var total int64
	sizes := map[*yaml.Node]int64{}
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil // io.EOF, or the converter's error to name
		}
		total += expandedSize(&doc, sizes)
		if total > int64(len(src))+max {
			return &PodError{File: name, Line: doc.Line, Msg: fmt.Sprintf("YAML aliases expand %d bytes by more than %s; refused (limit yaml-expansion)", len(src), limit.Size(max)), Err: ErrYAMLExpansion}
		}
	}
}

// expandedSize is the size of n with every alias replaced by its anchor:
// the bytes of its scalars and a few per node. sizes holds the nodes
// measured (an anchor is measured once); a node in progress counts 0, so
// that a recursive alias, which the parser refuses anyway, ends.
func expandedSize(n *yaml.Node, sizes map[*yaml.Node]int64) int64 {
	if s, ok := sizes[n]; ok {
		return s
	}
	sizes[n] = 0
	var s int64
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			s = expandedSize(n.Alias, sizes)
		}
	case yaml.ScalarNode:
		s = int64(len(n.Value)) + 2
	default:
		s = 2
		for _, c := range n.Content {
			s += expandedSize(c, sizes)
			if s > 1<<50 {
				break // far past any limit; no overflow
			}
		}
	}
	sizes[n] = s
	return s
}
