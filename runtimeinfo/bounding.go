package runtimeinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/preexec/preexec/caps"
)

// ReadBounding returns the capability bounding set of the calling process,
// as the CapBnd line of /proc/self/status gives it: what a runtime started
// from here (and a daemon whose unit does not restrict it) has, for
// preexec.Host.Bounding.
func ReadBounding() (caps.Set, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	return ParseCapBnd(b)
}

// ParseCapBnd reads the CapBnd line of a /proc/PID/status file
// (fs/proc/array.c:task_cap: "CapBnd:\t" and 16 hex digits).
func ParseCapBnd(status []byte) (caps.Set, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CapBnd:")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return 0, fmt.Errorf("CapBnd: want hexadecimal digits, got %q", strings.TrimSpace(v))
		}
		return caps.Set(n), nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no CapBnd line")
}
