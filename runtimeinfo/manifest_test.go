package runtimeinfo_test

import (
	"os"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/internal/runtimes"
	"github.com/preexec/preexec/runtimeinfo"
)

// TestManifest reads every installed runtime of the oracle's manifest
// without running it and checks that RuntimeFor names the manifest's row:
// runc@V+goX.Y for a go-installed runc (its module version and
// toolchain), runc@1.1.5+debian for Debian's (the -X main.version string
// in its data), crun@1.8.1 (the string next to its version format).
func TestManifest(t *testing.T) {
	installed, err := runtimes.Installed()
	if err != nil {
		if os.Getenv("PREEXEC_ORACLE") == "required" {
			t.Fatalf("PREEXEC_ORACLE=required: %v", err)
		}
		t.Skipf("no runtime manifest: %v", err)
	}
	n, unnamed := 0, 0
	for _, r := range installed {
		b, err := runtimeinfo.Read(r.Path)
		if r.Kind == runtimes.KindRunsc {
			// Read tells runc and crun apart, not gVisor's runsc: it says
			// what the binary is instead.
			if err == nil || !strings.Contains(err.Error(), `a Go program of "gvisor.dev/gvisor/runsc"`) {
				t.Errorf("%s: Read = %+v, %v; want it refused as gVisor's runsc", r.Name, b, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Read: %v", r.Name, err)
			continue
		}
		rt, err := preexec.RuntimeFor(b)
		if err != nil && b.Version == "" && strings.HasPrefix(r.VersionOutput, "runc version unknown") {
			// Built outside module mode without -X main.version (runc
			// 1.2.8 from a tree): the binary does not know its version.
			unnamed++
			continue
		}
		if err != nil {
			t.Errorf("%s: RuntimeFor(%+v): %v", r.Name, b, err)
			continue
		}
		if rt.Name != r.Name {
			t.Errorf("%s: named %s (%+v)", r.Name, rt.Name, b)
		}
		if b.Kind == "runc" && b.Go != r.Go {
			t.Errorf("%s: Go %s, the manifest says %s", r.Name, b.Go, r.Go)
		}
		n++
	}
	t.Logf("%d of %d binaries read and named; %d say no version, and Read says so", n, len(installed), unnamed)
}

func TestParseCapBnd(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want caps.Set
		err  bool
	}{
		{"Name:\tx\nCapEff:\t0000000000000000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n", caps.All.Without(caps.CAP_SYS_RESOURCE), false},
		{"CapBnd:\t00000000a80425fb\n", 0xa80425fb, false},
		{"CapBnd:\tzz\n", 0, true},
		{"CapEff:\t0\n", 0, true},
	} {
		got, err := runtimeinfo.ParseCapBnd([]byte(tt.in))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseCapBnd(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}
