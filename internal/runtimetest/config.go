package runtimetest

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// OCIVersion is the ociVersion of the generated config.json: the version
// `runc spec` of runc 1.1 writes, which every runtime the oracle runs
// (runc 1.0.0-rc92 and later, crun 1.8.1) accepts.
const OCIVersion = "1.0.2"

// Spec returns the config.json for c. sources[i] is the host path of
// c.Mounts[i]'s bind source. The rest is what `runc spec` writes, trimmed
// to what every runtime accepts without cgroup or device setup of its own:
//
//   - namespaces pid, ipc, uts, mount and network (a new, empty network
//     namespace), plus user when c.UserNS is set;
//   - mounts /proc, /dev (tmpfs), /dev/pts, /dev/shm and /sys (ro, nosuid,
//     noexec, nodev), then c.Mounts in order;
//   - terminal false, hostname "preexec", no maskedPaths or readonlyPaths,
//     no cgroupsPath, the runtime's default umask.
func Spec(c *Case, sources []string) *specs.Spec {
	p := c.Process
	s := &specs.Spec{
		Version: OCIVersion,
		Process: &specs.Process{
			Terminal: false,
			User: specs.User{
				UID:            p.UID,
				GID:            p.GID,
				AdditionalGids: p.AdditionalGids,
			},
			Args:            p.Args,
			Env:             p.Env,
			Cwd:             p.Cwd,
			NoNewPrivileges: p.NoNewPrivileges,
			Rlimits:         p.Rlimits,
		},
		Root:     &specs.Root{Path: "rootfs", Readonly: c.ReadonlyRoot},
		Hostname: "preexec",
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace},
				{Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace},
				{Type: specs.MountNamespace},
				{Type: specs.NetworkNamespace},
			},
		},
	}
	if lc := p.Capabilities; lc != nil {
		s.Process.Capabilities = &specs.LinuxCapabilities{
			Bounding:    lc.Bounding,
			Effective:   lc.Effective,
			Inheritable: lc.Inheritable,
			Permitted:   lc.Permitted,
			Ambient:     lc.Ambient,
		}
	}
	ptsOpts := []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}
	if c.UserNS != nil {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		for _, m := range c.UserNS.UIDMappings {
			s.Linux.UIDMappings = append(s.Linux.UIDMappings, specs.LinuxIDMapping{ContainerID: m.ContainerID, HostID: m.HostID, Size: m.Size})
		}
		for _, m := range c.UserNS.GIDMappings {
			s.Linux.GIDMappings = append(s.Linux.GIDMappings, specs.LinuxIDMapping{ContainerID: m.ContainerID, HostID: m.HostID, Size: m.Size})
		}
		if !mapsID(c.UserNS.GIDMappings, 5) {
			// devpts refuses a gid= that is not mapped in the namespace.
			ptsOpts = ptsOpts[:len(ptsOpts)-1]
		}
	}
	s.Mounts = []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: ptsOpts},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
	}
	for i, m := range c.Mounts {
		switch m.Type {
		case "bind":
			opts := m.Options
			if !hasOpt(opts, "bind") && !hasOpt(opts, "rbind") {
				opts = append([]string{"bind"}, opts...)
			}
			s.Mounts = append(s.Mounts, specs.Mount{Destination: m.Destination, Type: "bind", Source: sources[i], Options: opts})
		case "tmpfs":
			s.Mounts = append(s.Mounts, specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: m.Options})
		}
	}
	if sc := seccompProfiles[c.Seccomp]; sc != nil {
		s.Linux.Seccomp = sc()
	} else if sc, ok := genProfile(c.Seccomp); ok {
		s.Linux.Seccomp = sc
	}
	return s
}

func hasOpt(opts []string, o string) bool {
	for _, x := range opts {
		if x == o {
			return true
		}
	}
	return false
}

func mapsID(ms []IDMap, id uint32) bool {
	for _, m := range ms {
		if id >= m.ContainerID && id-m.ContainerID < m.Size {
			return true
		}
	}
	return false
}

// seccompProfiles builds linux.seccomp for each filter a Case names (see
// Seccomp); SeccompNone has none.
var seccompProfiles = map[Seccomp]func() *specs.LinuxSeccomp{
	SeccompFaccessat2ENOSYS: func() *specs.LinuxSeccomp { return allowWith(errnoRule("faccessat2", ptr(38))) },
	SeccompFaccessat2EPERM:  func() *specs.LinuxSeccomp { return allowWith(errnoRule("faccessat2", ptr(1))) },

	SeccompErrnoAllowOld:       func() *specs.LinuxSeccomp { return allowlist(nil, false) },
	SeccompErrnoENOSYSAllowOld: func() *specs.LinuxSeccomp { return allowlist(ptr(38), false) },
	SeccompErrnoENOSYSAllowAll: func() *specs.LinuxSeccomp { return allowlist(ptr(38), true) },
	SeccompErrnoEPERMAllowAll:  func() *specs.LinuxSeccomp { return allowlist(ptr(1), true) },
	SeccompErrnoEACCESAllowAll: func() *specs.LinuxSeccomp { return allowlist(ptr(13), true) },
	SeccompErrnoAllowOldFaccessat2EACCES: func() *specs.LinuxSeccomp {
		s := allowlist(nil, false)
		s.Syscalls = append(s.Syscalls, errnoRule("faccessat2", ptr(13)))
		return s
	},
	SeccompErrnoAllowOldFaccessat2Errno: func() *specs.LinuxSeccomp {
		s := allowlist(nil, false)
		s.Syscalls = append(s.Syscalls, errnoRule("faccessat2", nil))
		return s
	},
}

// allowWith is a filter allowing everything but what rules say.
func allowWith(rules ...specs.LinuxSyscall) *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86_64}, Syscalls: rules}
}

// allowlist is a filter refusing, with SCMP_ACT_ERRNO and defaultErrnoRet
// ret, every syscall it does not allow: those before faccessat2, and with
// all those after it too.
func allowlist(ret *uint, all bool) *specs.LinuxSeccomp {
	names := append([]string(nil), syscallsBeforeFaccessat2...)
	if all {
		names = append(names, syscallsAfterFaccessat2...)
	}
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno, DefaultErrnoRet: ret,
		Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls:      []specs.LinuxSyscall{{Names: names, Action: specs.ActAllow}},
	}
}

func errnoRule(name string, ret *uint) specs.LinuxSyscall {
	return specs.LinuxSyscall{Names: []string{name}, Action: specs.ActErrno, ErrnoRet: ret}
}

func ptr(n uint) *uint { return &n }
