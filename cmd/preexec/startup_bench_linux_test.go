package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCLIStartup builds the preexec binary and a hello-world Go
// program once, each with go build into a temporary directory, and runs
// `preexec check --runtime runc@1.1.4 BUNDLE` (the incident bundle) and the
// hello-world program alternately, so that both see the same load. It
// reports each one's CPU time per run (user + system, from the child's
// rusage) and their ratio; it asserts nothing about time.
func BenchmarkCLIStartup(b *testing.B) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command:", err)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "preexec")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	hello := filepath.Join(dir, "hello")
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command(goTool, "build", "-o", hello, src).CombinedOutput(); err != nil {
		b.Fatalf("go build hello: %v\n%s", err, out)
	}
	bundle := bundle(b, incidentConfig())
	cpu := func(b *testing.B, name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		// check exits 1 when a runtime fails: the incident does.
		if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
			b.Fatal(err)
		}
		u := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		return time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	var tp, th time.Duration
	for b.Loop() {
		tp += cpu(b, bin, "check", "--runtime", "runc@1.1.4", bundle)
		th += cpu(b, hello)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tp.Microseconds())/n, "preexec-µs-cpu/run")
	b.ReportMetric(float64(th.Microseconds())/n, "hello-µs-cpu/run")
	b.ReportMetric(float64(tp)/float64(th), "preexec/hello")
}
