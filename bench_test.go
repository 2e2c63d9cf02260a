package preexec_test

import (
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// BenchmarkCompareAll evaluates every profile (preexec.Runtimes) on the
// distroless incident. Budget (issue 13): ≤ 32 µs and ≤ 40 allocs/op.
// cpu-ns/op is the process's CPU time per op (GC included), comparable
// on a loaded machine where ns/op waits.
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
	cpu := processCPU()
	for b.Loop() {
		preexec.Compare(plan, fsys, rts, preexec.Host{})
	}
	if cpu >= 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(len(rts)), "runtimes")
}
