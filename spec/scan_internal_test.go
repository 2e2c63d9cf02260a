package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scanAgrees reports how scan and index differ on a valid document data
// cut at stop, "" when they list the same nodes.
func scanAgrees(data []byte, stop int) string {
	want, _ := index(data, stop)
	got := scan(data, stop)
	if slices.Equal(got, want) {
		return ""
	}
	return "scan: " + strings.Join(nodeStrings(got), " ") + "\nindex: " + strings.Join(nodeStrings(want), " ")
}

func nodeStrings(nodes []node) []string {
	var s []string
	for i, n := range nodes {
		b, _ := json.Marshal([]any{nodePath(nodes, i), n.start, n.end})
		s = append(s, string(b))
	}
	return s
}

// TestScanIsIndex pins scan, the fast reader of a valid document, to
// index, which reads it with json.Decoder: the same values, paths, keys
// and extents, cut at every offset.
func TestScanIsIndex(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `1`, `"s"`, ` null `, `true`, "\n\t{ \"a\" : [ 1 , -2.5e3 , \"x\" , { } , [ ] ] }\r\n",
		`{"process":{"args":["sh","-c"],"cwd":"/","user":{"uid":0,"gid":0}}}`,
		`{"a\"b":1,"c\\":{"\u00e9":[true,false,null]},"\ud83d\ude00":"\\\"","é":2}`,
		"{\"\xff\xfe\":1,\"a\xc3\":[\"\xff\"]}",
		`{"a":1,"A":2,"a":3}`, `[[[[[]]]],[[{"":{"":[]}}]]]`,
		`{"k":"a,b:c]}{[","n":1e-7,"m":-0}`,
		`{"a":` + strings.Repeat(`{"":`, 200) + "1" + strings.Repeat("}", 201),
		"{" + strings.Repeat(`"k":1,`, 100) + `"process":{"user":{"uid":"x"}}}`,
	}
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	for _, doc := range docs {
		data := []byte(doc)
		if !json.Valid(data) {
			t.Fatalf("not valid JSON: %q", doc)
		}
		for stop := 0; stop <= len(data); stop++ {
			if d := scanAgrees(data, stop); d != "" {
				t.Fatalf("%q cut at %d:\n%s", doc, stop, d)
			}
		}
	}
}
