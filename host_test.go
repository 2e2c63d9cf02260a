package preexec_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
)

func TestHostFor(t *testing.T) {
	for _, r := range []struct {
		in     string
		kernel uint32
		distro string
	}{
		{"5.8", access.KernelVersion(5, 8), ""},
		{"5.4.0-150-generic", access.KernelVersion(5, 4), ""},
		{"4.18.0-553.el8_10.x86_64", access.KernelVersion(4, 18), "el8"},
		{"5.14.0-427.13.1.el9_4.x86_64", access.KernelVersion(5, 14), "el9"},
		{"6.18.44-fc-v1272", access.KernelVersion(6, 18), ""},
	} {
		h, err := preexec.HostFor(r.in)
		if err != nil || h != (preexec.Host{Kernel: r.kernel}) {
			t.Errorf("HostFor(%q) = %+v, %v; want Kernel %#x", r.in, h, err, r.kernel)
		}
		if got := preexec.DistroKernel(r.in); got != r.distro {
			t.Errorf("DistroKernel(%q) = %q; want %q", r.in, got, r.distro)
		}
	}
	for _, bad := range []string{"", "5", "five.4", "5.x", "5.4x", "300.1", "-1.2"} {
		if _, err := preexec.HostFor(bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("HostFor(%q): %v; want an error naming the release", bad, err)
		}
	}
}

// A Host for the kernel `uname -r` prints, with fs.protected_symlinks on
// as most distributions boot.
func ExampleHostFor() {
	host, err := preexec.HostFor("4.18.0-553.el8_10.x86_64")
	if err != nil {
		panic(err)
	}
	host.ProtectedSymlinks = true
	fmt.Println(host.Kernel == access.KernelVersion(4, 18), preexec.DistroKernel("4.18.0-553.el8_10.x86_64"))
	// Output: true el8
}
