//go:build !linux

package runtimetest

import (
	"os"
	"runtime"
	"testing"
)

// TestRuntimeOracle explains why the runtime oracle does not run off Linux,
// and fails when PREEXEC_ORACLE=required asks for it.
func TestRuntimeOracle(t *testing.T) {
	reason := "the runtime oracle runs real runtimes, which needs Linux; this is " + runtime.GOOS
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}
