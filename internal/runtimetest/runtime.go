package runtimetest

import "github.com/preexec/preexec/internal/runtimes"

// A Runtime is one runtime binary the oracle runs.
type Runtime struct {
	// Name is the runtime's name as profiles spell it:
	// "runc@1.1.4+go1.19", "crun@1.8.1".
	Name string `json:"name"`
	// Kind is "runc", "crun" or "runsc": how to invoke it and read its
	// errors.
	Kind string `json:"kind"`
	// Path is the binary on this host (never written to goldens).
	Path string `json:"-"`
	// Release is the upstream version it was built from ("1.1.4",
	// "1.0.0-rc93"), as .ci/install-runtimes recorded it.
	Release string `json:"release,omitempty"`
	// Go is the exact Go toolchain that built it ("go1.19.8"), empty for
	// crun.
	Go string `json:"go,omitempty"`
	// Version is the first line of its --version output ("runc version
	// unknown" for a go-installed build of an old release, which has no
	// version of its own).
	Version string `json:"version"`
}

// RuntimesDir is where .ci/install-runtimes puts runtime binaries and
// their manifest.json: $PREEXEC_RUNTIMES, else /var/cache/preexec/runtimes
// (internal/runtimes.Dir).
func RuntimesDir() string { return runtimes.Dir() }
