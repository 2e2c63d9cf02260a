// Package limit formats the bounds preexec puts on what it reads, for the
// errors that reach them.
package limit

import "fmt"

// Size is n bytes as a limit's error gives it: in the largest of GiB, MiB
// or KiB that divides it, else in bytes ("64 MiB", "1 byte").
func Size(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n > 0 && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
