package spec_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/spec"
)

// FuzzParse feeds Parse arbitrary bytes. The invariants: no panic; an
// error comes with a nil plan, is a *spec.Error whose position is inside
// the input (Line and Col ≥ 1, Offset ≤ len, Line:Col the position of
// Offset) and whose text starts with the file name; a plan has non-empty
// Args and an absolute Cwd, a non-empty root path, mounts in config order,
// and a seccomp verdict for every architecture without a panic; the same
// input gives the same answer. And on a valid document of up to 8 KiB, the
// fast reader that places type and model errors lists what json.Decoder
// lists, whole and cut in half.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		config("", "", ""), "", "{", "[1]", "null", `{"process":null}`,
		`{"process":{"cwd":"rel","args":["sh"]},"root":{"path":"r"}}`,
		config(`"user":{"uid":-1}`, "", ""),
		config("", "", `"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1,"size":0}]`),
		config("", `"mounts":[{"destination":"/t","type":"tmpfs","options":["mode=9","ro","rbind"]}]`, ""),
		seccompConfig(oldDockerLike), seccompConfig(newDockerLike),
		"{\n\t\"Process\": {\"CWD\": \"/\", \"ARGS\": [\"a\"]},\n\t\"ROOT\": {\"PATH\": \"x\"}\n}",
		// Deep and wide: nesting past encoding/json's limit, an error
		// under deep nesting, many members.
		`{"process":` + strings.Repeat("[", 12000),
		`{"process":{"args":` + strings.Repeat("[", 3000) + strings.Repeat("]", 3000) + `}}`,
		`{"a":` + strings.Repeat(`{"":`, 2000) + "1" + strings.Repeat("}", 1999),
		"{" + strings.Repeat(`"k":1,`, 5000) + `"process":{"user":{"uid":"x"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) <= 8<<10 && json.Valid(data) {
			for _, stop := range []int{len(data), len(data) / 2} {
				if d := spec.ScanAgrees(data, stop); d != "" {
					t.Fatalf("cut at %d:\n%s", stop, d)
				}
			}
		}
		p, err := spec.Parse("f.json", data)
		p2, err2 := spec.Parse("f.json", data)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			if p != nil {
				t.Fatalf("a plan with the error %v", err)
			}
			var se *spec.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *spec.Error", err, err)
			}
			if se.Line < 1 || se.Col < 1 || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("position %d:%d (offset %d) outside the %d-byte input", se.Line, se.Col, se.Offset, len(data))
			}
			before := data[:se.Offset]
			line := 1 + strings.Count(string(before), "\n")
			col := se.Offset - strings.LastIndexByte(string(before), '\n')
			if line != se.Line || col != se.Col {
				t.Fatalf("Line:Col %d:%d, but offset %d is %d:%d", se.Line, se.Col, se.Offset, line, col)
			}
			if !strings.HasPrefix(err.Error(), "f.json:") || se.Msg == "" {
				t.Fatalf("error text %q", err)
			}
			return
		}
		if len(p.Args) == 0 || !strings.HasPrefix(p.Cwd, "/") || p.Root.Path == "" {
			t.Fatalf("plan with args %q, cwd %q, root %q", p.Args, p.Cwd, p.Root.Path)
		}
		if len(p.Mounts) != len(p.Spec.Mounts) {
			t.Fatalf("%d mounts of %d", len(p.Mounts), len(p.Spec.Mounts))
		}
		for i, m := range p.Mounts {
			if m.Destination != p.Spec.Mounts[i].Destination {
				t.Fatalf("mount %d is %q, config has %q", i, m.Destination, p.Spec.Mounts[i].Destination)
			}
		}
		for _, arch := range []specs.Arch{specs.ArchX86_64, specs.ArchAARCH64, specs.ArchPPC64LE} {
			v := p.Seccomp.Faccessat2For(arch)
			if v.Uncertain != (v.Reason != "") && v.Effect != spec.Rejected {
				t.Fatalf("verdict %+v: Uncertain without a reason or a reason without Uncertain", v)
			}
			if v.Effect != spec.Returns && v.Err != nil {
				t.Fatalf("verdict %+v: an errno without Returns", v)
			}
		}
		if diff := cmp.Diff(summary(p), summary(p2)); diff != "" {
			t.Fatalf("not deterministic (-first +second):\n%s", diff)
		}
	})
}
