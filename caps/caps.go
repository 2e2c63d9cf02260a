// Package caps models Linux capabilities: their numbers and names, sets of
// them, and the transitions the kernel applies to a task's capability sets
// when it changes user, calls capset(2) and prctl(2), and executes a file.
//
// Every transition mirrors a function of security/commoncap.c or
// kernel/capability.c (read at Linux v6.6 and compared with the releases
// named in each doc comment) and is held to the real kernel by the oracle in
// internal/kernel. Names are the kernel's, in a table of this package (a
// test holds it to github.com/syndtr/gocapability's), so that importing the
// package runs no capget(2) at init as gocapability's init does.
//
// The package is pure: it makes no system calls and builds for every GOOS.
package caps

import (
	"fmt"
)

// A Cap is a capability number, as in include/uapi/linux/capability.h.
type Cap uint8

// The capabilities, spelled and numbered as in include/uapi/linux/capability.h.
const (
	CAP_CHOWN              Cap = 0
	CAP_DAC_OVERRIDE       Cap = 1
	CAP_DAC_READ_SEARCH    Cap = 2
	CAP_FOWNER             Cap = 3
	CAP_FSETID             Cap = 4
	CAP_KILL               Cap = 5
	CAP_SETGID             Cap = 6
	CAP_SETUID             Cap = 7
	CAP_SETPCAP            Cap = 8
	CAP_LINUX_IMMUTABLE    Cap = 9
	CAP_NET_BIND_SERVICE   Cap = 10
	CAP_NET_BROADCAST      Cap = 11
	CAP_NET_ADMIN          Cap = 12
	CAP_NET_RAW            Cap = 13
	CAP_IPC_LOCK           Cap = 14
	CAP_IPC_OWNER          Cap = 15
	CAP_SYS_MODULE         Cap = 16
	CAP_SYS_RAWIO          Cap = 17
	CAP_SYS_CHROOT         Cap = 18
	CAP_SYS_PTRACE         Cap = 19
	CAP_SYS_PACCT          Cap = 20
	CAP_SYS_ADMIN          Cap = 21
	CAP_SYS_BOOT           Cap = 22
	CAP_SYS_NICE           Cap = 23
	CAP_SYS_RESOURCE       Cap = 24
	CAP_SYS_TIME           Cap = 25
	CAP_SYS_TTY_CONFIG     Cap = 26
	CAP_MKNOD              Cap = 27
	CAP_LEASE              Cap = 28
	CAP_AUDIT_WRITE        Cap = 29
	CAP_AUDIT_CONTROL      Cap = 30
	CAP_SETFCAP            Cap = 31
	CAP_MAC_OVERRIDE       Cap = 32
	CAP_MAC_ADMIN          Cap = 33
	CAP_SYSLOG             Cap = 34
	CAP_WAKE_ALARM         Cap = 35
	CAP_BLOCK_SUSPEND      Cap = 36
	CAP_AUDIT_READ         Cap = 37
	CAP_PERFMON            Cap = 38
	CAP_BPF                Cap = 39
	CAP_CHECKPOINT_RESTORE Cap = 40

	// CAP_LAST_CAP is the highest capability this package knows, as
	// include/uapi/linux/capability.h defines it since Linux 5.9.
	CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE
)

// names are the kernel's names of the capabilities, by number.
var names = [CAP_LAST_CAP + 1]string{
	CAP_CHOWN:              "CAP_CHOWN",
	CAP_DAC_OVERRIDE:       "CAP_DAC_OVERRIDE",
	CAP_DAC_READ_SEARCH:    "CAP_DAC_READ_SEARCH",
	CAP_FOWNER:             "CAP_FOWNER",
	CAP_FSETID:             "CAP_FSETID",
	CAP_KILL:               "CAP_KILL",
	CAP_SETGID:             "CAP_SETGID",
	CAP_SETUID:             "CAP_SETUID",
	CAP_SETPCAP:            "CAP_SETPCAP",
	CAP_LINUX_IMMUTABLE:    "CAP_LINUX_IMMUTABLE",
	CAP_NET_BIND_SERVICE:   "CAP_NET_BIND_SERVICE",
	CAP_NET_BROADCAST:      "CAP_NET_BROADCAST",
	CAP_NET_ADMIN:          "CAP_NET_ADMIN",
	CAP_NET_RAW:            "CAP_NET_RAW",
	CAP_IPC_LOCK:           "CAP_IPC_LOCK",
	CAP_IPC_OWNER:          "CAP_IPC_OWNER",
	CAP_SYS_MODULE:         "CAP_SYS_MODULE",
	CAP_SYS_RAWIO:          "CAP_SYS_RAWIO",
	CAP_SYS_CHROOT:         "CAP_SYS_CHROOT",
	CAP_SYS_PTRACE:         "CAP_SYS_PTRACE",
	CAP_SYS_PACCT:          "CAP_SYS_PACCT",
	CAP_SYS_ADMIN:          "CAP_SYS_ADMIN",
	CAP_SYS_BOOT:           "CAP_SYS_BOOT",
	CAP_SYS_NICE:           "CAP_SYS_NICE",
	CAP_SYS_RESOURCE:       "CAP_SYS_RESOURCE",
	CAP_SYS_TIME:           "CAP_SYS_TIME",
	CAP_SYS_TTY_CONFIG:     "CAP_SYS_TTY_CONFIG",
	CAP_MKNOD:              "CAP_MKNOD",
	CAP_LEASE:              "CAP_LEASE",
	CAP_AUDIT_WRITE:        "CAP_AUDIT_WRITE",
	CAP_AUDIT_CONTROL:      "CAP_AUDIT_CONTROL",
	CAP_SETFCAP:            "CAP_SETFCAP",
	CAP_MAC_OVERRIDE:       "CAP_MAC_OVERRIDE",
	CAP_MAC_ADMIN:          "CAP_MAC_ADMIN",
	CAP_SYSLOG:             "CAP_SYSLOG",
	CAP_WAKE_ALARM:         "CAP_WAKE_ALARM",
	CAP_BLOCK_SUSPEND:      "CAP_BLOCK_SUSPEND",
	CAP_AUDIT_READ:         "CAP_AUDIT_READ",
	CAP_PERFMON:            "CAP_PERFMON",
	CAP_BPF:                "CAP_BPF",
	CAP_CHECKPOINT_RESTORE: "CAP_CHECKPOINT_RESTORE",
}

// Valid reports whether c is a capability this package knows.
func (c Cap) Valid() bool { return c <= CAP_LAST_CAP }

// String returns the kernel name of c, "CAP_DAC_OVERRIDE", or "CAP_<n>" for
// a number this package does not know.
func (c Cap) String() string {
	if !c.Valid() {
		return fmt.Sprintf("CAP_%d", uint8(c))
	}
	return names[c]
}

// Parse returns the capability named s. It accepts the kernel spelling used
// by the OCI runtime spec ("CAP_CHOWN"); the "CAP_" prefix and case are
// required, as runc and crun require them.
func Parse(s string) (Cap, bool) {
	for c, n := range names {
		if n == s {
			return Cap(c), true
		}
	}
	return 0, false
}
