//go:build linux

package kernel

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

// The entry point of the test binary in its three roles: tests, oracle
// child (child_linux_test.go), and credential reporter for exec_caps.

// TestMain dispatches on the child roles of the test binary: envChild runs
// one oracle request (childMain), envReport prints the process's own
// credentials (reportMain, the program exec_caps queries execute). Anything
// else runs the tests.
func TestMain(m *testing.M) {
	if os.Getenv(envReport) != "" {
		// syscall.Exit, not os.Exit: a -race build would run racefini,
		// which sleeps a second when it cannot read GORACE — and a
		// secure-exec (set-id) program cannot read its own
		// /proc/self/environ.
		syscall.Exit(reportMain())
	}
	if err := initHostCaps(); err != nil {
		fmt.Fprintln(os.Stderr, "kernel oracle: reading host capabilities:", err)
		os.Exit(2)
	}
	if os.Getenv(envChild) != "" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}
