//go:build !linux

package kernel

import (
	"os"
	"runtime"
	"testing"
)

// TestOracle explains why the kernel oracle does not run off Linux, and fails
// when PREEXEC_ORACLE=required asks for it.
func TestOracle(t *testing.T) {
	reason := "the kernel oracle needs Linux, this is " + runtime.GOOS
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}
