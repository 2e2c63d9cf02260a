package preexec

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/preexec/preexec/caps"
)

// RuntimeSetupCaps are the capabilities a rootful runc's or crun's own
// setup of a container may use before the steps the model takes. Run
// under a bounding set without one (setpriv --bounding-set), runc 1.1.5
// and crun 1.8.1 failed in their setup for a plain config as root:
// without CAP_SYS_ADMIN (runc's nsexec "failed to unshare remaining
// namespaces", crun's clone), CAP_NET_ADMIN (the loopback of the network
// namespace), CAP_SETGID (setgroups), and for crun CAP_MKNOD (its mknod
// of /dev/null) and CAP_SETPCAP ("prctl drop bounding"). The others are
// here because a setup step may use them for another config: setuid to a
// non-root user (CAP_SETUID), the chown of the console and stdio
// (CAP_CHOWN, CAP_FOWNER, CAP_FSETID), its reads and writes of /proc,
// cgroups and the bundle (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
// CAP_SYS_PTRACE), chroot (CAP_SYS_CHROOT), file capabilities
// (CAP_SETFCAP); and CAP_SYS_RESOURCE for a config whose rlimits or
// oomScoreAdj may need it (mayRaiseLimits). Without any of them the model
// answers unknown. Every other capability is used by neither runtime's
// setup (the runtime oracle's bounding_runtime_lacks_every_unused starts a
// container on every runtime without all of them at once), and its
// absence decides only the capset of the config's own sets
// (Host.Bounding).
var RuntimeSetupCaps = caps.Of(
	caps.CAP_CHOWN, caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH, caps.CAP_FOWNER,
	caps.CAP_FSETID, caps.CAP_SETGID, caps.CAP_SETUID, caps.CAP_SETPCAP,
	caps.CAP_NET_ADMIN, caps.CAP_SYS_ADMIN, caps.CAP_SYS_CHROOT, caps.CAP_MKNOD,
	caps.CAP_SETFCAP, caps.CAP_SYS_PTRACE,
)

// setupUnknown says why the model cannot tell what the runtime does on a
// host whose bounding set lacks a capability its own setup may use; "" if
// it can.
func (e *eval) setupUnknown() string {
	b := e.host.Bounding
	if b == 0 || e.host.Rootless {
		return ""
	}
	need := RuntimeSetupCaps
	if p := e.plan.Spec; p != nil && p.Process != nil && mayRaiseLimits(p.Process) {
		need = need.With(caps.CAP_SYS_RESOURCE)
	}
	missing := need &^ b
	if missing == 0 {
		return ""
	}
	names := make([]string, 0, 4)
	for _, c := range missing.Caps() {
		names = append(names, c.String())
	}
	return fmt.Sprintf("the runtime's capability bounding set lacks %s, which its own setup of the container may use (namespaces, mounts, devices, users, rlimits): not modelled", strings.Join(names, ", "))
}

// maxDefaultNofile is the kernel's default hard RLIMIT_NOFILE
// (include/linux/fs.h:INR_OPEN_MAX), which systemd and container daemons
// only raise.
const maxDefaultNofile = 4096

// mayRaiseLimits reports whether the runtime's setup of p may need
// CAP_SYS_RESOURCE (kernel/sys.c:do_prlimit to raise a hard limit,
// fs/proc/base.c:__set_oom_adj to lower oom_score_adj below 0): an rlimit
// other than an RLIMIT_NOFILE within the kernel's default hard limit,
// whose effect depends on the runtime's own limits, or a negative
// oomScoreAdj.
func mayRaiseLimits(p *specs.Process) bool {
	for _, r := range p.Rlimits {
		if r.Type != "RLIMIT_NOFILE" || r.Hard > maxDefaultNofile || r.Soft > r.Hard {
			return true
		}
	}
	return p.OOMScoreAdj != nil && *p.OOMScoreAdj < 0
}
