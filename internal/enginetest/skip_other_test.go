//go:build !linux

package enginetest

import (
	"os"
	"testing"
)

// TestEngineOracle needs Linux and real engines: it skips elsewhere, and
// fails when PREEXEC_ORACLE=required asks for it.
func TestEngineOracle(t *testing.T) {
	const reason = "the engine oracle runs on Linux only"
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}
