package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/preexec/preexec/internal/limit"
	"github.com/preexec/preexec/spec"
)

// MaxFileBytes is the default bound of a file load reads whole (limit
// file-size, Limits.FileSize): a config.json, a pod manifest, an OCI
// layout's index.json. A larger one is an error naming the limit, not an
// allocation as large as the file.
const MaxFileBytes = 64 << 20

// ReadFile reads the file name as preexec reads every file a user names: it
// must be a regular file (a named pipe is refused, never waited on; a
// device such as /dev/zero too) of at most MaxFileBytes (Limits.ReadFile
// takes another limit). Symbolic links are followed; see readInputFile
// for a file that must be inside an input.
func ReadFile(name string) ([]byte, error) { return readInputFile(name, false, MaxFileBytes) }

// readInputFile is ReadFile, and, when inside is set, refuses a symbolic
// link in name's last component: a bundle's config.json must be a file of
// the bundle, not a way to read /etc/shadow. A file over max bytes is an
// error naming the limit.
func readInputFile(name string, inside bool, max int64) ([]byte, error) {
	f, err := openRegular(name, inside, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, tooLarge(name, max)
	}
	return data, nil
}

// openRegular opens name for reading without blocking (O_NONBLOCK where
// the system has it) and returns it if it is a regular file of at most max
// bytes (no limit if max is 0); with inside, a symbolic link as its last
// component is refused (O_NOFOLLOW).
func openRegular(name string, inside bool, max int64) (*os.File, error) {
	f, err := openNonblock(name, inside)
	if err != nil {
		var pe *fs.PathError
		if inside && errors.As(err, &pe) && isLoop(pe.Err) {
			return nil, fmt.Errorf("%s: a symbolic link; it must be a file of the input itself", name)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %s, not a regular file", name, kindOf(st.Mode()))
	}
	if max > 0 && st.Size() > max {
		f.Close()
		return nil, tooLarge(name, max)
	}
	return f, nil
}

func tooLarge(name string, max int64) error {
	return fmt.Errorf("%s: larger than the %s preexec reads of a file (limit file-size)", name, limit.Size(max))
}

// kindOf names a file type as ls -l's reader would.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a plain file"
}

// readSeccompProfile reads the profile of --security-opt seccomp=FILE as
// ReadFile does, with l's file-size limit, for an engine that reads it with
// os.ReadFile: what it cannot open (missing, not readable) or a directory
// is the engine's to report, as that engine's os.ReadFile would ("open
// FILE: no such file or directory", "read FILE: is a directory"), in the
// returned SeccompFile; a file preexec refuses to read (over the limit, a
// named pipe or device) is an error.
func (l Limits) readSeccompProfile(name string) (*spec.SeccompFile, error) {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return &spec.SeccompFile{Err: &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}}, nil
	}
	data, err := l.ReadFile(name)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "open" {
		return &spec.SeccompFile{Err: pe}, nil
	}
	if err != nil {
		return nil, err
	}
	return &spec.SeccompFile{Data: data}, nil
}
