package preexec

// newestGo is the newest Go toolchain whose os/exec.LookPath, syscall and
// internal/syscall/unix sources the toolchain table (goClass) was read
// against, and whose runc builds the runtime oracle holds: go1.27.3's
// src/os/exec/lp_unix.go, src/syscall/syscall_linux.go (Faccessat) and
// src/internal/syscall/unix/eaccess.go are identical to go1.26.8's, and its
// GODEBUG table keeps execerrdot unchanged.
const newestGo = "1.27"

// NewestGo is the newest Go toolchain the model knows, as major.minor
// ("1.27"): a runc built with a newer one is answered with this
// toolchain's behaviour (goClass puts every Go from 1.25 on in one class,
// which no source reading or runtime oracle has confirmed for it) and
// marked extrapolated (Runtime.Extrapolated).
func NewestGo() string { return newestGo }
