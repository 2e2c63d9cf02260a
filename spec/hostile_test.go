package spec_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseDeepNesting: a config nested far deeper than any real one is
// refused with a located error, and placing that error costs memory in
// proportion to the input, not its square (a 40 KB config of 20,000 '['
// once took 1.2 GB and 54 s to place). No timing is asserted; the bytes
// allocated are.
func TestParseDeepNesting(t *testing.T) {
	for _, c := range []struct {
		name string
		data string
		want string
	}{
		{"arrays", `{"process":` + strings.Repeat("[", 100_000), "config.json:1:10011: process[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]…[0]"},
		{"objects", `{"process":` + strings.Repeat(`{"a":`, 40_000), "config.json:1:"},
		{"type_error_deep", `{"process":{"args":` + strings.Repeat("[", 5_000) + strings.Repeat("]", 5_000) + `}}`, "config.json:1:21: process.args[0]: want string, got array"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = spec.Parse("config.json", []byte(c.data)) })
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("Parse: %.300v; want an error starting %q", err, c.want)
			}
			if limit := uint64(400 * len(c.data)); n > limit {
				t.Errorf("placing the error allocated %d bytes for %d bytes of input, want ≤ %d", n, len(c.data), limit)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("the error is %d bytes long; a path keeps its ends", len(err.Error()))
			}
		})
	}
}
