package limit

import "testing"

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{
		1: "1 byte", 40: "40 bytes", 1024: "1 KiB", 1536: "1536 bytes",
		64 << 20: "64 MiB", 32 << 30: "32 GiB", 3 << 29: "1536 MiB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
