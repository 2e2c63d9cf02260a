package runtimeinfo

import (
	"testing"

	"github.com/preexec/preexec/caps"
)

// TestBoundingOf: a capability above the kernel's last is not missing.
func TestBoundingOf(t *testing.T) {
	const noResource = "CapBnd:\t0000003ffeffffff\n" // Linux 5.4, without CAP_SYS_RESOURCE
	for _, tt := range []struct {
		status, last string
		want         caps.Set
	}{
		{noResource, "37\n", caps.All.Without(caps.CAP_SYS_RESOURCE)},
		{noResource, "", caps.All.Without(caps.CAP_SYS_RESOURCE, caps.CAP_PERFMON, caps.CAP_BPF, caps.CAP_CHECKPOINT_RESTORE)},
		{"CapBnd:\t000001ffffffffff\n", "40\n", caps.All},
		{"CapBnd:\t000000ffffffffff\n", "39\n", caps.All},
	} {
		got, err := boundingOf([]byte(tt.status), []byte(tt.last))
		if err != nil || got != tt.want {
			t.Errorf("boundingOf(%q, %q) = %v, %v; want %v", tt.status, tt.last, got, err, tt.want)
		}
	}
}
