package preexec_test

import (
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// BenchmarkCompareAll evaluates every profile (preexec.Runtimes) on the
// distroless incident. Budget (issue 5): < 50 µs and < 100 allocs/op.
func BenchmarkCompareAll(b *testing.B) {
	plan, err := spec.Parse("config.json", []byte(distrolessConfig))
	if err != nil {
		b.Fatal(err)
	}
	fsys := rootfs.MustParseFixture(`
dir  /home/nonroot 0700 65532:65532
file /app          0755 0:0 busybox
`).Mem()
	rts := preexec.Runtimes()
	b.ReportAllocs()
	for b.Loop() {
		preexec.Compare(plan, fsys, rts, preexec.Host{})
	}
	b.ReportMetric(float64(len(rts)), "runtimes")
}
