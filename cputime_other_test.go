//go:build !unix

package preexec_test

import "time"

// processCPU is -1: the host does not say.
func processCPU() time.Duration { return -1 }
