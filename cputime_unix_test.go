//go:build unix

package preexec_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used, user and system, or -1
// where the host does not say.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
