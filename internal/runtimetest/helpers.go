package runtimetest

import "strings"

// Building blocks for cases, shared by the curated table and the random
// generator.

// DefaultPATH is the PATH `runc spec` and Docker put in process.env.
const DefaultPATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// StartScript is the content, in fixture syntax, of a script entrypoint:
// busybox sh prints Marker.
const StartScript = `text="#!/bin/sh\necho ` + Marker + `\n"`

// Base is the part of every rootfs: the root directory, a static busybox,
// and /bin/sh and /bin/echo as its applets.
const Base = `dir / 0755 0:0
file /bin/busybox 0755 0:0 busybox
symlink /bin/sh busybox
symlink /bin/echo busybox
`

// BaseUserNS is Base for a user namespace mapping container 0 to host
// 100000: the root directory and busybox belong to the mapped root, so that
// the runtime can create its mount points.
const BaseUserNS = `dir / 0755 100000:100000
file /bin/busybox 0755 100000:100000 busybox
symlink /bin/sh busybox 100000:100000
symlink /bin/echo busybox 100000:100000
`

// BaseRootless is Base for a Rootless case: the root directory and busybox
// belong to RootlessUID, the container's root.
const BaseRootless = `dir / 0755 4242:4242
file /bin/busybox 0755 4242:4242 busybox
symlink /bin/sh busybox 4242:4242
symlink /bin/echo busybox 4242:4242
`

// usernsRootless maps container id 0 to RootlessUID, as `runc spec
// --rootless` does for the user running it.
func usernsRootless() *UserNS {
	m := []IDMap{{ContainerID: 0, HostID: RootlessUID, Size: 1}}
	return &UserNS{UIDMappings: m, GIDMappings: m}
}

// usernsSubid maps container id 0 to RootlessUID and, when uids (gids) is
// not 0, container ids 1 … uids (gids) to the subordinate range from
// SubordinateID, as rootless podman maps a user's /etc/subuid and
// /etc/subgid: container id N > 0 is host SubordinateID+N-1.
func usernsSubid(uids, gids uint32) *UserNS {
	maps := func(n uint32) []IDMap {
		m := []IDMap{{ContainerID: 0, HostID: RootlessUID, Size: 1}}
		if n > 0 {
			m = append(m, IDMap{ContainerID: 1, HostID: SubordinateID, Size: n})
		}
		return m
	}
	return &UserNS{UIDMappings: maps(uids), GIDMappings: maps(gids)}
}

// rootfsOf joins base and lines into fixture text.
func rootfsOf(base string, lines ...string) Fixture {
	return Fixture(base + strings.Join(lines, "\n") + "\n")
}

// echoArgs runs /bin/echo (busybox) printing Marker.
var echoArgs = []string{"/bin/echo", Marker}

// proc returns a process running args as uid:gid in cwd with DefaultPATH
// and no capabilities (process.capabilities present, every set empty).
func proc(uid, gid uint32, cwd string, args ...string) Process {
	return Process{UID: uid, GID: gid, Cwd: cwd, Args: args, Env: []string{DefaultPATH}, Capabilities: &Capabilities{}}
}

// everySet lists names in all five capability sets.
func everySet(names ...string) *Capabilities {
	return &Capabilities{Bounding: names, Effective: names, Inheritable: names, Permitted: names, Ambient: names}
}

// bep lists names in the bounding, effective and permitted sets, as
// Docker's and `runc spec`'s defaults do.
func bep(names ...string) *Capabilities {
	return &Capabilities{Bounding: names, Effective: names, Permitted: names}
}

// AllCaps are the capabilities every runtime the oracle runs knows,
// CAP_CHOWN (0) … CAP_AUDIT_READ (37) — runc ≤ rc93 refuses names its
// gocapability does not know (5fb831a0f, #2854), so the curated
// "all capabilities" rows stop there — except CAP_SYS_RESOURCE, which the
// project's CI machines lack in their own bounding set (their CapBnd is
// 0x1fffeffffff): a container asking for it fails every runtime's capset
// with EPERM ("unable to apply caps: operation not permitted"), a fact of
// the host, not of the runtime.
var AllCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
}

// DockerCaps is Docker's default capability list (moby
// oci/caps/defaults.go), which engines put in bounding, effective and
// permitted.
var DockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}
