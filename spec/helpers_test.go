package spec_test

import (
	"testing"

	"github.com/preexec/preexec/internal/rowtest"
)

// checkRows fails the test before any row runs if the table is malformed
// (internal/rowtest).
func checkRows(t testing.TB, names, rules []string) {
	t.Helper()
	rowtest.Check(t, names, rules)
}

// config returns a minimal valid config.json with the members of process,
// the top level and linux given as JSON fragments ("" for none) spliced in.
func config(process, top, linux string) string {
	p := `"cwd":"/","args":["sh"]`
	if process != "" {
		p += "," + process
	}
	s := `{"process":{` + p + `},"root":{"path":"rootfs"}`
	if top != "" {
		s += "," + top
	}
	if linux != "" {
		s += `,"linux":{` + linux + `}`
	}
	return s + "}"
}

// seccompConfig returns a config whose linux.seccomp is sec.
func seccompConfig(sec string) string { return config("", "", `"seccomp":`+sec) }
