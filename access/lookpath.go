package access

import (
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Go's os/exec.LookPath, as runc's init calls it for process.args[0], per
// Go version. Each function is one variant, named after the version that
// began it (read in golang/go src/os/exec/lp_unix.go at go1.15.6 …
// go1.27.3: findExecutable and LookPath, which go1.26.8 has as lookPath
// behind os/exec/lookpath.go:LookPath). They walk the model's filesystem
// through p, with p's credentials and working directory.

// ErrNotFound and ErrDot are os/exec's sentinel errors, with the same text.
var (
	ErrNotFound = errors.New("executable file not found in $PATH")
	ErrDot      = errors.New("cannot run executable found relative to current directory")
)

// A LookPathError is os/exec.Error: the name looked up and why it failed.
// Its text is Go's, `exec: "name": reason`.
type LookPathError struct {
	Name string
	Err  error
}

func (e *LookPathError) Error() string {
	return "exec: " + strconv.Quote(e.Name) + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *LookPathError) Unwrap() error { return e.Err }

// LookPathEnv is what LookPath reads from the process environment: PATH
// (unset and empty are the same: no candidates) and whether GODEBUG holds
// execerrdot=0, which turns ErrDot off (Go ≥ 1.19).
type LookPathEnv struct {
	PATH        string
	ExecErrDot0 bool
}

// LookPathEnvFrom returns the LookPathEnv of an environment list
// (KEY=value), the last PATH and GODEBUG entries winning as os.Setenv
// leaves them; execerrdot=0 counts when it is GODEBUG's last execerrdot
// setting (Go 1.20+ parse; 1.19 took the first, which agrees unless the key
// repeats).
func LookPathEnvFrom(env []string) LookPathEnv {
	var e LookPathEnv
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch k {
		case "PATH":
			e.PATH = v
		case "GODEBUG":
			e.ExecErrDot0 = false
			for _, s := range strings.Split(v, ",") {
				if name, val, ok := strings.Cut(s, "="); ok && name == "execerrdot" {
					e.ExecErrDot0 = val == "0"
				}
			}
		}
	}
	return e
}

// findExecutable is one variant of os/exec's findExecutable.
type findExecutable func(p *Proc, file string) error

// statErr is os.Stat's error: a *fs.PathError with op "stat".
func statErr(file string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: "stat", Path: file, Err: err}
}

// findModeBits is findExecutable up to Go 1.19: os.Stat, then not a
// directory and at least one x bit (ModeBits), else fs.ErrPermission.
func findModeBits(p *Proc, file string) error {
	ino, err := p.Stat(file)
	if err != nil {
		return statErr(file, err)
	}
	if ModeBits(&ino) != nil {
		return fs.ErrPermission
	}
	return nil
}

// findEaccess is findExecutable from Go 1.20: os.Stat; a directory is
// EISDIR; then unix.Eaccess(file, X_OK) — syscall.Faccessat with
// AT_EACCESS, i.e. faccessat2 or faccessat's emulation (faccessat) — whose
// error stands unless it is ENOSYS or EPERM, in which case the mode bits
// decide as before.
func findEaccess(faccessat func(*Proc, string, uint32, int) error) findExecutable {
	return func(p *Proc, file string) error {
		ino, err := p.Stat(file)
		if err != nil {
			return statErr(file, err)
		}
		if ino.IsDir() {
			return EISDIR
		}
		err = faccessat(p, file, X_OK, AT_EACCESS)
		var errno error = err
		if pe, ok := asError[*fs.PathError](err); ok {
			errno = pe.Err
		}
		if err == nil || (errno != ENOSYS && errno != EPERM) {
			return errno
		}
		if ino.Mode&0o111 != 0 {
			return nil
		}
		return fs.ErrPermission
	}
}

// lookPath is the walk shared by every variant: a name with a slash is
// checked as is; otherwise each PATH element (empty means ".") is joined
// and cleaned, and the first candidate that passes wins; candidate errors
// are discarded, but for one the FS cannot answer (ErrNoContent,
// ErrUnreadable), which is returned.
func lookPath(p *Proc, file string, env LookPathEnv, find findExecutable, errDot, nameGuard bool) (string, error) {
	if nameGuard && (file == "" || file == "." || file == "..") {
		return "", &LookPathError{file, ErrNotFound}
	}
	if strings.Contains(file, "/") {
		if err := find(p, file); err != nil {
			return "", &LookPathError{file, err}
		}
		return file, nil
	}
	if env.PATH == "" {
		return "", &LookPathError{file, ErrNotFound}
	}
	for _, dir := range strings.Split(env.PATH, ":") {
		if dir == "" {
			dir = "."
		}
		cand := path.Join(dir, file)
		err := find(p, cand)
		if err != nil && unknowable(err) {
			// A candidate the FS cannot answer for might be the one
			// found: what LookPath returns is not known.
			return "", &LookPathError{file, err}
		}
		if err == nil {
			if errDot && !path.IsAbs(cand) && !env.ExecErrDot0 {
				return cand, &LookPathError{file, ErrDot}
			}
			return cand, nil
		}
	}
	return "", &LookPathError{file, ErrNotFound}
}

// LookPathModeBits is os/exec.LookPath of Go 1.15 … 1.18: the
// mode-bit test (ModeBits after following symlinks), no ErrDot. A file some class may
// execute passes whoever the caller is; execve then decides.
func LookPathModeBits(p *Proc, file string, env LookPathEnv) (string, error) {
	return lookPath(p, file, env, findModeBits, false, false)
}

// LookPathModeBitsErrDot is LookPath of Go 1.19: as
// LookPathModeBits, but a match found through a relative PATH element is
// returned with ErrDot unless execerrdot=0.
func LookPathModeBitsErrDot(p *Proc, file string, env LookPathEnv) (string, error) {
	return lookPath(p, file, env, findModeBits, true, false)
}

// LookPathEaccessNoCaps is LookPath of Go 1.20.0 and 1.20.1: a directory
// is EISDIR; eaccess through Faccessat2ElseEmulatedNoCaps, whose emulation
// ignores CAP_DAC_OVERRIDE (golang/go#58552).
func LookPathEaccessNoCaps(p *Proc, file string, env LookPathEnv) (string, error) {
	return lookPath(p, file, env, findEaccess(Faccessat2ElseEmulatedNoCaps), true, false)
}

// LookPathEaccess is LookPath of Go 1.20.2 … 1.23.11 and 1.24.0 … 1.24.5:
// as LookPathEaccessNoCaps, with the Faccessat emulation that treats a
// non-root euid with CAP_DAC_OVERRIDE as root (Faccessat2ElseEmulated,
// golang/go CL 469956).
func LookPathEaccess(p *Proc, file string, env LookPathEnv) (string, error) {
	return lookPath(p, file, env, findEaccess(Faccessat2ElseEmulated), true, false)
}

// LookPathEaccessNoDots is LookPath of Go 1.23.12+, 1.24.6+ and 1.25 on:
// LookPathEaccess after validateLookPath refuses "", "." and ".." with
// ErrNotFound (GO-2025-3956, CVE-2025-47906).
func LookPathEaccessNoDots(p *Proc, file string, env LookPathEnv) (string, error) {
	return lookPath(p, file, env, findEaccess(Faccessat2ElseEmulated), true, true)
}
