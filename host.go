package preexec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/preexec/preexec/access"
)

// HostFor returns the Host of a kernel given as `uname -r` prints its
// release ("5.4.0-150-generic", "6.18.44", "4.18.0-553.el8_10.x86_64") or
// as X.Y ("5.8"): Kernel is its upstream version X.Y and every other field
// is the zero Host's — in particular ProtectedSymlinks is false, where most
// distributions boot with fs.protected_symlinks=1 (systemd's
// 50-default.conf); set it on the result. An engine's `runc create`
// (Create) is the input's to say: package load's Container.On adds it.
//
// A release that does not start with X.Y (X and Y at most 255) is an
// error naming it. A distribution's kernel is judged by its upstream
// number, which may not say what its vendor backported: DistroKernel tells
// such a release.
func HostFor(release string) (Host, error) {
	bad := fmt.Errorf("preexec: kernel release %q: want X.Y or a `uname -r` release (5.4.0-150-generic)", release)
	maj, rest, ok := strings.Cut(release, ".")
	if !ok {
		return Host{}, bad
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end < len(rest) && !strings.ContainsRune(".-+_~", rune(rest[end])) {
		return Host{}, bad
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(rest[:end])
	if err1 != nil || err2 != nil || a < 0 || b < 0 || a > 255 || b > 255 {
		return Host{}, bad
	}
	return Host{Kernel: access.KernelVersion(a, b)}, nil
}

// DistroKernel returns the distribution tag of a kernel release whose
// vendor backports features of newer upstream kernels ("el8" of
// "4.18.0-513.el8.x86_64"), "" for any other release. The model judges a
// kernel by its upstream number (HostFor); for such a kernel that number
// may not say whether a syscall exists (RHEL backports; whether RHEL 8's
// 4.18 has faccessat2 is not something the model has verified), so a
// result on it that a kernel with faccessat2 (5.8) answers otherwise is
// uncertain.
func DistroKernel(release string) string {
	for _, part := range strings.FieldsFunc(release, func(r rune) bool { return r == '.' || r == '-' || r == '_' || r == '+' }) {
		if len(part) > 2 && strings.HasPrefix(part, "el") && digitsOnly(part[2:]) {
			return part
		}
	}
	return ""
}

// digitsOnly: s is one or more decimal digits.
func digitsOnly(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
