package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/runtimes"
)

// TestParseKernel: --kernel takes X.Y or what `uname -r` prints; an error
// names the flag and the value.
func TestParseKernel(t *testing.T) {
	for _, r := range []struct {
		in   string
		want uint32
	}{
		{"5.8", access.KernelVersion(5, 8)},
		{"5.4.0-150-generic", access.KernelVersion(5, 4)},
		{"6.18.44", access.KernelVersion(6, 18)},
		{"4.18.0-553.el8_10.x86_64", access.KernelVersion(4, 18)},
		{"6.1.0-18-amd64", access.KernelVersion(6, 1)},
		{"6.18.44-fc-v1272", access.KernelVersion(6, 18)},
	} {
		if got, err := parseKernel(r.in); err != nil || got != r.want {
			t.Errorf("parseKernel(%q) = %#x, %v; want %#x", r.in, got, err, r.want)
		}
	}
	for _, bad := range []string{"", "5", "five.4", "5.x", "5.4x", "300.1", "-1.2"} {
		_, err := parseKernel(bad)
		if err == nil || !strings.Contains(err.Error(), "--kernel") || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("parseKernel(%q): %v, want an error naming --kernel and the value", bad, err)
		}
	}
}

// TestRuntimeHost: --runtime host reads PATH's runc and crun and the
// running kernel, and says what it read.
func TestRuntimeHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	_, errRunc := exec.LookPath("runc")
	_, errCrun := exec.LookPath("crun")
	if errRunc != nil && errCrun != nil {
		t.Skip("neither runc nor crun on PATH")
	}
	var out, errb bytes.Buffer
	code := run([]string{"check", "--runtime", "host", bundle(t, incidentConfig())}, &out, &errb)
	if code == 2 {
		t.Fatalf("exit 2: %s", errb.String())
	}
	for _, s := range []string{"read: kernel ", "(read from /proc/sys/kernel/osrelease)", "read: fs.protected_symlinks=", "(read from /proc/sys/fs/protected_symlinks)"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"check", "--runtime", "host", "--kernel", "5.4", "--protected-symlinks=false", bundle(t, incidentConfig())}, &out, &errb); code == 2 {
		t.Fatalf("exit 2: %s", errb.String())
	}
	if strings.Contains(out.String(), "read: kernel") || strings.Contains(out.String(), "read: fs.protected_symlinks") {
		t.Errorf("the flags say the kernel and fs.protected_symlinks, yet the host's were read:\n%s", out.String())
	}
}

// TestRuntimePathManifest runs check --runtime PATH for every installed
// runtime of the oracle's manifest: the result is named as the manifest
// names the binary (runc@V+goX.Y, runc@1.1.5+debian, crun@1.8.1).
func TestRuntimePathManifest(t *testing.T) {
	installed, err := runtimes.Installed()
	if err != nil {
		if os.Getenv("PREEXEC_ORACLE") == "required" {
			t.Fatalf("PREEXEC_ORACLE=required: %v", err)
		}
		t.Skipf("no runtime manifest: %v", err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	b := bundle(t, incidentConfig())
	named, unnamed, refused := 0, 0, 0
	for _, r := range installed {
		var out, errb bytes.Buffer
		code := run([]string{"check", "--json", "--runtime", r.Path, b}, &out, &errb)
		if code == 2 && strings.Contains(errb.String(), "does not say its version") && strings.HasPrefix(r.VersionOutput, "runc version unknown") {
			// Built outside module mode without -X main.version: the
			// binary does not know its version (its --version says
			// unknown), and preexec says so.
			unnamed++
			continue
		}
		if r.Kind == runtimes.KindRunsc {
			// preexec tells runc and crun binaries apart, not gVisor's: a
			// runsc binary is refused as what it is (name it with
			// --runtime runsc@VERSION instead).
			if code != 2 || !strings.Contains(errb.String(), `a Go program of "gvisor.dev/gvisor/runsc", not runc`) {
				t.Errorf("%s: exit %d: %s; want it refused as gVisor's runsc", r.Name, code, errb.String())
			}
			refused++
			continue
		}
		if code == 2 {
			t.Errorf("%s: exit 2: %s", r.Name, errb.String())
			continue
		}
		var doc struct {
			Results []struct{ Runtime, Extrapolated string }
			Read    []string
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Results) != 1 {
			t.Errorf("%s: %v\n%s", r.Name, err, out.String())
			continue
		}
		want, err := preexec.LookupRuntime(r.Name)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		if got := doc.Results[0]; got.Runtime != r.Name || (got.Extrapolated == "") != (want.Extrapolated == "") {
			t.Errorf("%s: --runtime %s answered as %s (extrapolated %q, want %q)", r.Name, r.Path, got.Runtime, got.Extrapolated, want.Extrapolated)
		}
		named++
		if len(doc.Read) != 1 || !strings.HasPrefix(doc.Read[0], r.Path+" is "+r.Name+" (") {
			t.Errorf("%s: read %q", r.Name, doc.Read)
		}
	}
	t.Logf("%d of %d binaries named as the manifest names them; %d say no version, and preexec says so; %d gVisor binaries refused as such", named, len(installed), unnamed, refused)
}

// TestSideKernelOverHost: an upgrade side on the host (--runtime host, or
// --from/--to host) takes the running kernel unless --from-kernel or
// --to-kernel names one: the flag wins, and the host still gives
// fs.protected_symlinks.
func TestSideKernelOverHost(t *testing.T) {
	if _, err := os.Stat("/proc/sys/kernel/osrelease"); err != nil {
		t.Skipf("no running Linux kernel to read: %v", err)
	}
	for _, side := range []string{"", "5.4.0-150-generic"} {
		f, _, err := resolveHost(withKernel(hostOptions{protected: true, set: map[string]bool{}}, side), true)
		if err != nil {
			t.Fatal(err)
		}
		wantFrom := "host"
		if side != "" {
			wantFrom = "flag"
			if f.release != side {
				t.Errorf("side kernel %q: release %q", side, f.release)
			}
		}
		if f.kernelFrom != wantFrom || f.protectedFrom != "host" {
			t.Errorf("side kernel %q: kernel from %s, protected_symlinks from %s; want %s and host", side, f.kernelFrom, f.protectedFrom, wantFrom)
		}
	}
}
