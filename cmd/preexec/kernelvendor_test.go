package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// TestKernelFlag: an explicitly empty --kernel is refused, and a
// distribution kernel older than 5.8 by its number (RHEL's 4.18.0-…el8,
// which may have faccessat2 backported) makes an answer that hangs on
// faccessat2 uncertain, saying why.
func TestKernelFlag(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	ea := eaccessBundle(t, false)
	var out, errb bytes.Buffer
	if code := run([]string{"check", "--kernel", "", ea}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--kernel: given but empty") || out.Len() != 0 {
		t.Errorf("--kernel \"\": exit %d, stderr %q", code, errb.String())
	}
	if code := run([]string{"check", "--from", "runc@1.1.4", "--to", "runc@1.1.4", "--from-kernel", "", "--to-kernel", "5.4", ea}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--from-kernel: given but empty") {
		t.Errorf("--from-kernel \"\": exit %d, stderr %q", code, errb.String())
	}
	for _, r := range []struct {
		kernel string
		want   string
	}{
		{"4.18.0-513.el8.x86_64", "kernel 4.18.0-513.el8.x86_64 is a distribution kernel (el8) judged by its upstream number 4.18, without faccessat2 (5.8); its vendor may have backported faccessat2, which the model cannot tell, and with faccessat2 it starts"},
		{"4.18.0-150-generic", ""},
	} {
		out.Reset()
		errb.Reset()
		run([]string{"check", "--json", "--runtime", "runc@1.1.4+go1.19", "--kernel", r.kernel, ea}, &out, &errb)
		if r.want == "" {
			if strings.Contains(out.String(), "distribution kernel") {
				t.Errorf("%s: %s", r.kernel, out.String())
			}
			continue
		}
		if !strings.Contains(out.String(), r.want) {
			t.Errorf("%s: stdout lacks %q:\n%s\n%s", r.kernel, r.want, out.String(), errb.String())
		}
	}
}
