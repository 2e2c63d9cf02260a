package preexec

import "github.com/preexec/preexec/access"

// A goToolchain is a class of Go releases that build runc alike for every
// pre-exec step: one os/exec.LookPath (and the syscall.Faccessat under it)
// and one answer to the go1.20 build constraint. Two builds of a runc
// release whose Go is in the same class behave alike.
type goToolchain struct {
	// name is the releases of the class as text ("1.20.0–1.20.1").
	name string
	// spans are the releases of the class, each from (inclusive) up to
	// (exclusive; zero: no end) another.
	spans []goSpanOf
	// lookPath is os/exec.LookPath of the class (package access).
	lookPath func(*access.Proc, string, access.LookPathEnv) (string, error)
	// go120Tag: the //go:build go1.20 constraint holds, so runc 1.1.6 …
	// 1.1.15 compile their eaccess stub instead of the x/sys Faccessat
	// check (opencontainers/runc libcontainer/eaccess_go119.go@v1.1.6,
	// libcontainer/eaccess_stub.go@v1.1.6; ExecCheckXSysFaccessatBeforeGo120).
	go120Tag bool
	// cite is the upstream change that starts the class.
	cite string
}

// goSpanOf is the Go releases from up to (not including) to; a zero to has
// no end.
type goSpanOf struct{ from, to goVersion }

// goToolchains are the toolchain classes, oldest first; goClass is an
// index into it. The newest class holds up to NewestGo: go1.27.3's
// src/os/exec/lp_unix.go (LookPath, findExecutable's unix.Eaccess then
// mode-bit test, ErrDot and the execerrdot GODEBUG, the `executable file
// not found in $PATH` text), src/syscall/syscall_linux.go (Faccessat) and
// src/internal/syscall/unix/eaccess.go are identical to go1.26.8's, and
// runc@…+go1.27 builds agree with the runtime oracle.
var goToolchains = [...]goToolchain{
	{name: "≤ 1.18", spans: []goSpanOf{{to: goVersion{1, 19, 0}}}, lookPath: access.LookPathModeBits,
		cite: "golang/go src/os/exec/lp_unix.go:LookPath@go1.15 … go1.18: mode bits, no ErrDot"},
	{name: "1.19", spans: []goSpanOf{{goVersion{1, 19, 0}, goVersion{1, 20, 0}}}, lookPath: access.LookPathModeBitsErrDot,
		cite: "golang/go src/os/exec/lp_unix.go:LookPath@go1.19: ErrDot for a match through a relative PATH element"},
	{name: "1.20.0–1.20.1", spans: []goSpanOf{{goVersion{1, 20, 0}, goVersion{1, 20, 2}}}, lookPath: access.LookPathEaccessNoCaps, go120Tag: true,
		cite: "golang/go src/os/exec/lp_unix.go:findExecutable@go1.20: unix.Eaccess, whose syscall.Faccessat emulation ignores CAP_DAC_OVERRIDE (golang/go#58552)"},
	{name: "1.20.2–1.23.11, 1.24.0–1.24.5", spans: []goSpanOf{{goVersion{1, 20, 2}, goVersion{1, 23, 12}}, {goVersion{1, 24, 0}, goVersion{1, 24, 6}}}, lookPath: access.LookPathEaccess, go120Tag: true,
		cite: "golang/go CL 469956 (go1.20.2): syscall.Faccessat's emulation honours CAP_DAC_OVERRIDE"},
	{name: "≥ 1.23.12, ≥ 1.24.6", spans: []goSpanOf{{goVersion{1, 23, 12}, goVersion{1, 24, 0}}, {from: goVersion{1, 24, 6}}}, lookPath: access.LookPathEaccessNoDots, go120Tag: true,
		cite: "GO-2025-3956 (CVE-2025-47906, go1.23.12, go1.24.6): LookPath refuses \"\", \".\" and \"..\""},
}

// nGoClasses is the number of goClass values.
const nGoClasses = len(goToolchains)

// goClass is the index in goToolchains of the class of Go g.
func goClass(g goVersion) int {
	for i := range goToolchains {
		for _, s := range goToolchains[i].spans {
			if g.atLeast(s.from.major, s.from.minor, s.from.patch) && (s.to == goVersion{} || !g.atLeast(s.to.major, s.to.minor, s.to.patch)) {
				return i
			}
		}
	}
	return 0
}

// oldestGo is the oldest Go whose os/exec/lp_unix.go the toolchain table
// was read against (access/lookpath.go: go1.15.6 … go1.27.3): an older Go
// is answered as goToolchains[0] and marked extrapolated.
const oldestGo = "1.15"

// newestGo is the newest Go toolchain whose os/exec.LookPath, syscall and
// internal/syscall/unix sources the toolchain table (goToolchains) was read
// against, and whose runc builds the runtime oracle holds: go1.27.3's
// src/os/exec/lp_unix.go, src/syscall/syscall_linux.go (Faccessat) and
// src/internal/syscall/unix/eaccess.go are identical to go1.26.8's, and its
// GODEBUG table keeps execerrdot unchanged.
const newestGo = "1.27"

// NewestGo is the newest Go toolchain the model knows, as major.minor
// ("1.27"): a runc built with a newer one is answered with this
// toolchain's behaviour (goToolchains puts every Go from 1.25 on in one
// class, which no source reading or runtime oracle has confirmed for it)
// and marked extrapolated (Runtime.Extrapolated).
func NewestGo() string { return newestGo }
