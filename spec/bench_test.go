package spec_test

import (
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
)

// BenchmarkParseErrorWide places a type error at the end of a config with
// 5,000 members before it (30 KB): the error's path and position come
// from reading the document up to the value.
func BenchmarkParseErrorWide(b *testing.B) {
	data := []byte("{" + strings.Repeat(`"k":1,`, 5000) + `"process":{"user":{"uid":"x"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.Parse("config.json", data); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkParseErrorModel places an error of the model (a relative cwd)
// in a config with 5,000 environment variables.
func BenchmarkParseErrorModel(b *testing.B) {
	env := strings.Repeat(`"A=1",`, 5000)
	data := []byte(`{"process":{"cwd":"rel","args":["sh"],"env":[` + env + `"B=2"]},"root":{"path":"r"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.Parse("config.json", data); err == nil {
			b.Fatal("no error")
		}
	}
}
