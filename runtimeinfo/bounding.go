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
// preexec.Host.Bounding. A capability the running kernel does not have
// (above /proc/sys/kernel/cap_last_cap: CAP_PERFMON and CAP_BPF before
// Linux 5.8) is not missing from it: runc leaves such a capability out
// (libcontainer/capabilities:New, "ignoring unknown or unavailable
// capabilities") and the kernel's capset ignores its bit, so the set
// holds it.
func ReadBounding() (caps.Set, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	last, _ := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	return boundingOf(b, last)
}

// boundingOf is the bounding set of a /proc/PID/status file on a kernel
// whose /proc/sys/kernel/cap_last_cap reads last (nil if unread): with
// every capability above the kernel's last.
func boundingOf(status, last []byte) (caps.Set, error) {
	set, err := ParseCapBnd(status)
	if err != nil {
		return 0, err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(string(last))); err == nil && n >= 0 && n < 63 {
		set |= caps.Above(caps.Cap(n))
	}
	return set, nil
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
