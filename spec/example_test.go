package spec_test

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// summary renders the parts of a plan the pre-exec checks use, one per
// line, deterministically.
func summary(p *spec.Plan) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	ro := ""
	if p.Root.Readonly {
		ro = " (readonly)"
	}
	line("root: %s%s", p.Root.Path, ro)
	u := p.User
	umask := "none"
	if u.Umask != nil {
		umask = fmt.Sprintf("%04o", *u.Umask)
	}
	line("user: uid=%d gid=%d additionalGids=%v umask=%s", u.UID, u.GID, u.AdditionalGids, umask)
	line("cwd: %s", p.Cwd)
	line("args: %q", p.Args)
	if path, ok := p.Path(); ok {
		line("PATH: %s", path)
	} else {
		line("PATH: unset")
	}
	if p.CapsAbsent {
		line("caps: absent")
	} else {
		line("caps.effective: %s", capSet(p.Caps.Effective))
		line("caps.permitted: %s", capSet(p.Caps.Permitted))
		line("caps.bounding: %s", capSet(p.Caps.Bounding))
		line("caps.ambient: %s", capSet(p.Caps.Ambient))
	}
	if p.UnknownCaps != nil {
		line("caps.unknown: %v", p.UnknownCaps)
	}
	line("noNewPrivileges: %v", p.NoNewPrivileges)
	if p.UserNS == nil {
		line("userns: none")
	} else {
		line("userns: uid %s; gid %s", idMaps(p.UserNS.UIDMap), idMaps(p.UserNS.GIDMap))
	}
	if p.Seccomp == nil {
		line("seccomp: none")
	} else {
		line("seccomp: installed before checks: %v", p.Seccomp.InstalledBeforeChecks())
		for _, arch := range []specs.Arch{specs.ArchX86_64, specs.ArchAARCH64} {
			line("seccomp: faccessat2 on %s: %s", arch, verdict(p.Seccomp.Faccessat2For(arch)))
		}
	}
	for _, m := range p.Mounts {
		s := fmt.Sprintf("mount: %s %s", m.Destination, m.Type)
		if m.Bind {
			s += " bind"
		}
		if f := flags(m.Flags); f != "" {
			s += " " + f
		}
		if m.TmpfsMode != nil {
			s += fmt.Sprintf(" mode=%04o", *m.TmpfsMode)
		}
		line("%s", s)
	}
	return b.String()
}

func capSet(s caps.Set) string {
	if s == 0 {
		return "none"
	}
	return s.String()
}

func idMaps(ms []access.IDMap) string {
	var s []string
	for _, m := range ms {
		s = append(s, fmt.Sprintf("%d:%d:%d", m.ContainerID, m.HostID, m.Size))
	}
	return strings.Join(s, ",")
}

func verdict(v spec.Verdict) string {
	s := v.Effect.String()
	if v.Effect == spec.Returns {
		if name := access.ErrnoName(v.Err); name != "" {
			s += " " + name
		} else {
			s += fmt.Sprintf(" %v", v.Err)
		}
	}
	if v.Rule < 0 {
		s += fmt.Sprintf(" (default %s)", v.Action)
	} else {
		s += fmt.Sprintf(" (rule %d %s)", v.Rule, v.Action)
	}
	if v.ENOSYSStub {
		s += ", runc -ENOSYS stub"
	}
	if v.Uncertain {
		s += ", uncertain: " + v.Reason
	}
	return s
}

func flags(f access.MountFlags) string {
	var s []string
	for _, x := range []struct {
		f    access.MountFlags
		name string
	}{
		{access.MNT_READONLY, "ro"}, {access.SB_RDONLY, "sb-ro"}, {access.MNT_NOEXEC, "noexec"},
		{access.MNT_NOSUID, "nosuid"}, {access.MNT_NODEV, "nodev"}, {access.MNT_NOSYMFOLLOW, "nosymfollow"},
	} {
		if f&x.f != 0 {
			s = append(s, x.name)
		}
	}
	return strings.Join(s, ",")
}

func ExampleParse() {
	bad := `{
	"process": {
		"user": {"uid": "65532"},
		"cwd": "/home/nonroot",
		"args": ["/nonroot"]
	}
}`
	_, err := spec.Parse("config.json", []byte(bad))
	fmt.Println(err)

	good := `{
	"process": {
		"user": {"uid": 1000680000, "gid": 0, "additionalGids": [0]},
		"cwd": "/home/nonroot",
		"args": ["/nonroot"],
		"env": ["PATH=/usr/bin:/bin"],
		"capabilities": {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]}
	},
	"root": {"path": "rootfs"},
	"linux": {
		"seccomp": {
			"defaultAction": "SCMP_ACT_ERRNO",
			"syscalls": [{"names": ["execve", "faccessat2"], "action": "SCMP_ACT_ALLOW"}]
		}
	}
}`
	p, err := spec.Parse("config.json", []byte(good))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(summary(p))
	// Output:
	// config.json:3:19: process.user.uid: want number, got string
	// root: rootfs
	// user: uid=1000680000 gid=0 additionalGids=[0] umask=none
	// cwd: /home/nonroot
	// args: ["/nonroot"]
	// PATH: /usr/bin:/bin
	// caps.effective: CAP_CHOWN
	// caps.permitted: CAP_CHOWN
	// caps.bounding: CAP_CHOWN
	// caps.ambient: none
	// noNewPrivileges: false
	// userns: none
	// seccomp: installed before checks: true
	// seccomp: faccessat2 on SCMP_ARCH_X86_64: runs (rule 0 SCMP_ACT_ALLOW)
	// seccomp: faccessat2 on SCMP_ARCH_AARCH64: runs (rule 0 SCMP_ACT_ALLOW)
}

// Example_seccompEPERM shows the 1.1.4 incident's seccomp side: an old
// profile that does not name faccessat2 answers EPERM, which sends runc
// 1.1.4's eaccess to access(2), and is in force during the check because
// noNewPrivileges is false.
func Example_seccompEPERM() {
	cfg := `{
	"process": {"cwd": "/", "args": ["/entrypoint.sh"], "noNewPrivileges": false},
	"root": {"path": "rootfs"},
	"linux": {"seccomp": {
		"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [{"names": ["execve", "faccessat", "openat", "epoll_pwait2"], "action": "SCMP_ACT_ALLOW"}]
	}}
}`
	p, err := spec.Parse("config.json", []byte(cfg))
	if err != nil {
		fmt.Println(err)
		return
	}
	v := p.Seccomp.Faccessat2For(specs.ArchX86_64)
	fmt.Println(v.Effect, access.ErrnoName(v.Err), v.ENOSYSStub, p.Seccomp.InstalledBeforeChecks())
	// Output:
	// returns EPERM false true
}
