package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type testGolden struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	name := func(g *testGolden) string { return g.Name }
	fill := func(g *testGolden) { g.N++ }
	var h struct{ Kernel string }
	c, r, err := Load(filepath.Join(dir, "missing"), &h, name, fill)
	if err != nil || len(c) != 0 || len(r) != 0 {
		t.Fatalf("a missing dir: %v %v %v, want an empty set", c, r, err)
	}
	write("header.json", `{"Kernel":"6.18"}`)
	write("curated/a.json", `{"name":"a","n":1}`)
	write("random/b.json", `{"name":"b"}`)
	c, r, err = Load(dir, &h, name, fill)
	if err != nil || h.Kernel != "6.18" || c["a"].N != 2 || r["b"].N != 1 || len(c) != 1 || len(r) != 1 {
		t.Fatalf("got %+v %+v %+v %v", h, c, r, err)
	}
	for _, bad := range []struct{ file, body, want string }{
		{"curated/c.json", `{"name":"d"}`, `curated/c.json: holds case "d", want file d.json`},
		{"random/e.json", `{"name":"e","x":1}`, `random/e.json: json: unknown field "x"`},
	} {
		write(bad.file, bad.body)
		if _, _, err := Load(dir, &h, name, fill); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.file, err, bad.want)
		}
		os.Remove(filepath.Join(dir, bad.file))
	}
}

// TestMarshal pins the golden files' form: sorted keys, two-space indent,
// HTML characters as they are, a final newline.
func TestMarshal(t *testing.T) {
	b, err := Marshal(map[string]any{"b": "<x> & y", "a": []int{1}})
	if want := "{\n  \"a\": [\n    1\n  ],\n  \"b\": \"<x> & y\"\n}\n"; err != nil || string(b) != want {
		t.Errorf("Marshal = %q, %v; want %q", b, err, want)
	}
}
