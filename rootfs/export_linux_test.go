//go:build linux

package rootfs

// NewDirWith is newDir for the external tests: a Dir that takes the
// fallbacks opts names whatever the kernel has.
var NewDirWith = newDir

// DirOptions are dirOptions for the external tests.
type DirOptions = dirOptions

// The fallbacks a test can force.
const (
	DirWalk   = dirWalk
	DirNoProc = dirNoProc
)

// HasOpenat2 reports whether NewDir resolves with openat2 here.
func HasOpenat2() bool { return hasOpenat2() }
