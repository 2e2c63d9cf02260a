package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun holds the example to the incidents: from both image formats,
// restricted-v2 on containerd's CRI fails on rc93 alone, and ctr's default
// capabilities on Linux 5.4 fail on 1.1.4 and 1.1.5 alone, in the engines'
// words.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if code := run(&out, t.TempDir()); code != 0 {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	for _, want := range []string{
		"    88 runtimes start it (runc@1.0.0-rc92 … crun@1.8.1)\n    3 runtimes fail: Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: container_linux.go:367: starting container process caused: chdir to cwd (\"/home/nonroot\") set in config.json failed: permission denied: unknown (runc@1.0.0-rc93)\n",
		"    86 runtimes start it (runc@1.0.0-rc92 … crun@1.8.1)\n    5 runtimes fail: ctr: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec /entrypoint.sh: permission denied: unknown (runc@1.1.4, runc@1.1.5)\n",
	} {
		if n := strings.Count(out.String(), want); n != 2 {
			t.Errorf("output has %d times (want 2: docker-archive and OCI layout):\n%s\noutput:\n%s", n, want, out.String())
		}
	}
	if !strings.Contains(out.String(), "try: go run ./cmd/preexec check --scc restricted-v2 ") {
		t.Errorf("no command to try:\n%s", out.String())
	}
}
