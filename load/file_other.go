//go:build !unix

package load

import (
	"errors"
	"io/fs"
	"os"
)

var errLink = errors.New("symbolic link")

// openNonblock opens name read-only; nofollow refuses a final symbolic
// link, checked with Lstat first (these systems have no O_NOFOLLOW here).
func openNonblock(name string, nofollow bool) (*os.File, error) {
	if nofollow {
		if st, err := os.Lstat(name); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: errLink}
		}
	}
	return os.Open(name)
}

func isLoop(err error) bool { return err == errLink }
