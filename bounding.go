package preexec

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// RuntimeSetupCaps are the capabilities a rootful runc's or crun's own
// setup of a container may use before the steps the model takes. Run
// under a bounding set without one (setpriv --bounding-set), runc 1.1.5
// and crun 1.8.1 failed in their setup for a plain config as root:
// without CAP_SYS_ADMIN (runc's "failed to unshare remaining namespaces",
// libcontainer/nsenter/nsexec.c:try_unshare@v1.1.5; crun's clone),
// CAP_NET_ADMIN (the loopback of the network namespace), CAP_SETGID
// (setgroups), and for crun CAP_MKNOD ("mknod `/dev/null`",
// src/libcrun/linux.c:libcrun_create_dev@1.8.1) and CAP_SETPCAP ("prctl
// drop bounding", src/libcrun/linux.c:set_required_caps@1.8.1). The others are
// here because a setup step may use them for another config: setuid to a
// non-root user (CAP_SETUID), the chown of the console and stdio
// (CAP_CHOWN, CAP_FOWNER, CAP_FSETID), its reads and writes of /proc,
// cgroups and the bundle (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
// CAP_SYS_PTRACE), chroot (CAP_SYS_CHROOT), file capabilities
// (CAP_SETFCAP). A config may need more (setupCaps: limits, scheduling,
// the time namespace). Without any of them the model answers unknown.
// Without all the others at once, a plain config (no rlimits, scheduler,
// I/O priority or time offsets) starts on every runtime the oracle runs
// (its bounding_runtime_lacks_every_unused case); their absence decides
// the capset of the config's own sets (Host.Bounding).
var RuntimeSetupCaps = caps.Of(
	caps.CAP_CHOWN, caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH, caps.CAP_FOWNER,
	caps.CAP_FSETID, caps.CAP_SETGID, caps.CAP_SETUID, caps.CAP_SETPCAP,
	caps.CAP_NET_ADMIN, caps.CAP_SYS_ADMIN, caps.CAP_SYS_CHROOT, caps.CAP_MKNOD,
	caps.CAP_SETFCAP, caps.CAP_SYS_PTRACE,
)

// runtimeBounding is the bounding set a rootful runc-init or crun starts
// with on host h for plan p and line l, where h.Bounding limits it: no user
// namespace, not rootless, not runsc (Host.Bounding), the capabilities the
// kernel lacks counted as held (kernelLacks). 0 where it does not limit.
func runtimeBounding(h Host, p *spec.Plan, l *Release) caps.Set {
	if h.Bounding == 0 || h.Rootless || p.UserNS != nil || (l != nil && l.Sentry != nil) {
		return 0
	}
	return (h.Bounding | kernelLacks(h.Kernel)) & caps.All
}

// setupUnknown says why the model cannot tell what the runtime does on a
// host whose bounding set lacks a capability its own setup may use; "" if
// it can.
func (e *eval) setupUnknown() string {
	b := e.host.Bounding
	if b == 0 || e.host.Rootless {
		return ""
	}
	missing := setupCaps(e.plan.Spec) &^ b
	if missing == 0 {
		return ""
	}
	return fmt.Sprintf("the runtime's capability bounding set lacks %s, which its own setup of the container may use (namespaces, mounts, devices, users, limits, scheduling, clocks): not modelled", capNames(missing))
}

// setupCaps are the capabilities the runtime's setup of s may use:
// RuntimeSetupCaps, and those that what s asks for may need —
// CAP_SYS_RESOURCE for limits (mayRaiseLimits), CAP_SYS_NICE for
// process.scheduler (runc ≥ 1.2's setupScheduler: sched_setattr of a
// real-time policy) and process.ioPriority (ioprio_set), CAP_SYS_TIME for
// linux.timeOffsets (the time namespace's offsets, written by runc's
// nsexec and crun before the container runs).
func setupCaps(s *specs.Spec) caps.Set {
	need := RuntimeSetupCaps
	if s == nil {
		return need
	}
	if p := s.Process; p != nil {
		if mayRaiseLimits(p) {
			need = need.With(caps.CAP_SYS_RESOURCE)
		}
		if p.Scheduler != nil || p.IOPriority != nil {
			need = need.With(caps.CAP_SYS_NICE)
		}
	}
	if s.Linux != nil && len(s.Linux.TimeOffsets) > 0 {
		need = need.With(caps.CAP_SYS_TIME)
	}
	return need
}

// capNames lists the capabilities of s by name, comma-separated.
func capNames(s caps.Set) string {
	names := make([]string, 0, 4)
	for _, c := range s.Caps() {
		names = append(names, c.String())
	}
	return strings.Join(names, ", ")
}

// maxDefaultNofile is the kernel's default hard RLIMIT_NOFILE
// (include/linux/fs.h:INR_OPEN_MAX), which systemd and container daemons
// only raise.
const maxDefaultNofile = 4096

// mayRaiseLimits reports whether the runtime's setup of p may need
// CAP_SYS_RESOURCE (kernel/sys.c:do_prlimit to raise a hard limit,
// fs/proc/base.c:__set_oom_adj to go below the oom_score_adj_min a
// privileged writer left): an rlimit other than an RLIMIT_NOFILE within
// the kernel's default hard limit, or a negative oomScoreAdj. It assumes
// that the runtime's own hard RLIMIT_NOFILE is at least the kernel's
// default (nothing but `ulimit -Hn` lowers it) and that its
// oom_score_adj_min is not above 0 (a unit's OOMScoreAdjust= above 0
// would make it so).
func mayRaiseLimits(p *specs.Process) bool {
	for _, r := range p.Rlimits {
		if r.Type != "RLIMIT_NOFILE" || r.Hard > maxDefaultNofile || r.Soft > r.Hard {
			return true
		}
	}
	return p.OOMScoreAdj != nil && *p.OOMScoreAdj < 0
}

// kernelLacks are the capabilities kernel k (a Host.Kernel) does not have:
// CAP_PERFMON and CAP_BPF came with Linux 5.8, CAP_CHECKPOINT_RESTORE with
// 5.9. A bounding set lacks nothing of them there: the kernel's capset
// drops their bits (CAP_VALID_MASK), and runc leaves them out
// (libcontainer/capabilities:New@v1.1.5, "ignoring unknown or unavailable
// capabilities").
func kernelLacks(k uint32) caps.Set {
	switch {
	case k == 0 || k >= access.KernelVersion(5, 9):
		return 0
	case k >= access.KernelVersion(5, 8):
		return caps.Above(caps.CAP_BPF)
	}
	return caps.Above(caps.CAP_AUDIT_READ)
}
