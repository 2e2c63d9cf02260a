//go:build unix

package load

import (
	"os"
	"syscall"
)

// openNonblock opens name read-only without waiting for a writer (a FIFO)
// or becoming a terminal's; nofollow refuses a final symbolic link (ELOOP).
func openNonblock(name string, nofollow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
	if nofollow {
		flags |= syscall.O_NOFOLLOW
	}
	return os.OpenFile(name, flags, 0)
}

func isLoop(err error) bool { return err == syscall.ELOOP }
