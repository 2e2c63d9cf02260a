package preexec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestHostBounding pins what a runtime's own bounding set decides: a
// config asking for a capability outside it fails runc's and crun's capset
// (in each one's words) as root and as another user, in any of the
// effective, permitted and inheritable sets; nothing else does (a
// capability only in the config's bounding set, a user namespace,
// rootless, runsc); and a set without a capability the runtime's setup
// may use is unknown.
func TestHostBounding(t *testing.T) {
	fsys := rootfs.MustParseFixture("file /bin/app 0755 0:0 busybox\n").Mem()
	noNetRaw := caps.All.Without(caps.CAP_NET_RAW)
	plan := func(uid int, set map[string][]string, extra map[string]any) *spec.Plan {
		t.Helper()
		proc := map[string]any{"user": map[string]any{"uid": uid, "gid": uid}, "cwd": "/", "args": []string{"/bin/app"}, "capabilities": set}
		cfg := map[string]any{"ociVersion": "1.0.2", "root": map[string]any{"path": "rootfs"}, "process": proc}
		for k, v := range extra {
			if k == "kernel" {
				continue
			}
			switch k {
			case "rlimits", "oomScoreAdj", "scheduler":
				proc[k] = v
			default:
				cfg[k] = v
			}
		}
		b, _ := json.Marshal(cfg)
		p, err := spec.Parse("config.json", b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	bep := func(names ...string) map[string][]string {
		return map[string][]string{"bounding": names, "effective": names, "permitted": names}
	}
	userns := map[string]any{"linux": map[string]any{
		"namespaces":  []any{map[string]any{"type": "user"}, map[string]any{"type": "mount"}},
		"uidMappings": []any{map[string]any{"containerID": 0, "hostID": 100000, "size": 65536}},
		"gidMappings": []any{map[string]any{"containerID": 0, "hostID": 100000, "size": 65536}},
	}}
	const (
		runcText = "runc run failed: unable to start container process: unable to apply caps: operation not permitted"
		crunText = "capset: Operation not permitted"
	)
	for _, tt := range []struct {
		name     string
		plan     *spec.Plan
		bounding caps.Set
		runtime  string
		want     string // the runtime's text; "" starts; "unknown: …" unknown
	}{
		{"asked, not in the runtime's set", plan(0, bep("CAP_CHOWN", "CAP_NET_RAW"), nil), noNetRaw, "runc@1.1.5+debian", runcText},
		{"asked, crun", plan(0, bep("CAP_CHOWN", "CAP_NET_RAW"), nil), noNetRaw, "crun@1.8.1", crunText},
		{"asked by a non-root user", plan(1000, bep("CAP_NET_RAW"), nil), noNetRaw, "runc@1.1.5+debian", runcText},
		{"asked in inheritable (and the config's bounding set)", plan(0, map[string][]string{"bounding": {"CAP_NET_RAW"}, "inheritable": {"CAP_NET_RAW"}}, nil), noNetRaw, "runc@1.1.5+debian", runcText},
		{"asked in permitted only", plan(0, map[string][]string{"permitted": {"CAP_NET_RAW"}}, nil), noNetRaw, "crun@1.8.1", crunText},
		{"in the config's bounding set only", plan(0, map[string][]string{"bounding": {"CAP_NET_RAW"}}, nil), noNetRaw, "runc@1.1.5+debian", ""},
		{"not asked", plan(0, bep("CAP_CHOWN"), nil), noNetRaw, "runc@1.1.5+debian", ""},
		{"every capability", plan(0, bep("CAP_NET_RAW"), nil), 0, "runc@1.1.5+debian", ""},
		{"in a user namespace", plan(0, bep("CAP_NET_RAW"), userns), noNetRaw, "runc@1.1.5+debian", ""},
		{"rootless", plan(0, bep("CAP_NET_RAW"), userns), noNetRaw, "crun@1.8.1", ""},
		{"runsc", plan(0, bep("CAP_NET_RAW"), nil), noNetRaw, "runsc@20221219.0+debian", ""},
		{"CAP_SYS_ADMIN missing", plan(0, bep("CAP_CHOWN"), nil), caps.All.Without(caps.CAP_SYS_ADMIN), "runc@1.1.5+debian", "unknown: the runtime's capability bounding set lacks CAP_SYS_ADMIN"},
		{"CAP_SYS_RESOURCE missing, no rlimits", plan(0, bep("CAP_CHOWN"), nil), caps.All.Without(caps.CAP_SYS_RESOURCE), "crun@1.8.1", ""},
		{"CAP_SYS_RESOURCE missing, rlimits", plan(0, bep("CAP_CHOWN"), map[string]any{"rlimits": []any{map[string]any{"type": "RLIMIT_NOFILE", "hard": 1 << 20, "soft": 1 << 20}}}),
			caps.All.Without(caps.CAP_SYS_RESOURCE), "crun@1.8.1", "unknown: the runtime's capability bounding set lacks CAP_SYS_RESOURCE"},
		{"CAP_SYS_RESOURCE missing, RLIMIT_NOFILE lowered", plan(0, bep("CAP_SYS_RESOURCE"), map[string]any{"rlimits": []any{map[string]any{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}}}),
			caps.All.Without(caps.CAP_SYS_RESOURCE), "runc@1.1.5+debian", runcText},
		{"CAP_SYS_RESOURCE missing, oomScoreAdj 0", plan(0, bep("CAP_CHOWN"), map[string]any{"oomScoreAdj": 0}), caps.All.Without(caps.CAP_SYS_RESOURCE), "runc@1.1.5+debian", ""},
		{"CAP_SYS_RESOURCE missing, oomScoreAdj -500", plan(0, bep("CAP_CHOWN"), map[string]any{"oomScoreAdj": -500}),
			caps.All.Without(caps.CAP_SYS_RESOURCE), "runc@1.1.5+debian", "unknown: the runtime's capability bounding set lacks CAP_SYS_RESOURCE"},
		{"scheduler, CAP_SYS_NICE missing", plan(0, bep("CAP_CHOWN"), map[string]any{"scheduler": map[string]any{"policy": "SCHED_FIFO", "priority": 1}}),
			caps.All.Without(caps.CAP_SYS_NICE), "runc@1.4.0", "unknown: the runtime's capability bounding set lacks CAP_SYS_NICE"},
		{"time offsets, CAP_SYS_TIME missing", plan(0, bep("CAP_CHOWN"), map[string]any{"linux": map[string]any{"timeOffsets": map[string]any{"monotonic": map[string]any{"secs": 1}}}}),
			caps.All.Without(caps.CAP_SYS_TIME), "crun@1.8.1", "unknown: the runtime's capability bounding set lacks CAP_SYS_TIME"},
		{"CAP_BPF asked on a kernel without it", plan(0, bep("CAP_CHOWN", "CAP_BPF"), map[string]any{"kernel": 5.4}),
			caps.All.Without(caps.CAP_PERFMON, caps.CAP_BPF, caps.CAP_CHECKPOINT_RESTORE), "crun@1.8.1", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := preexec.LookupRuntime(tt.runtime)
			if err != nil {
				t.Fatal(err)
			}
			host := preexec.Host{Bounding: tt.bounding, Rootless: tt.name == "rootless"}
			if strings.Contains(tt.name, "kernel without") {
				host.Kernel = access.KernelVersion(5, 4)
			}
			res := preexec.Evaluate(tt.plan, fsys, rt, host)
			switch {
			case strings.HasPrefix(tt.want, "unknown: "):
				if !strings.HasPrefix(res.Unknown, strings.TrimPrefix(tt.want, "unknown: ")) || res.Starts {
					t.Errorf("Unknown %q, Starts %v, Text %q; want %q", res.Unknown, res.Starts, res.Text, tt.want)
				}
			case res.Unknown != "" || res.Text != tt.want || res.Starts != (tt.want == ""):
				t.Errorf("Text %q (Starts %v, Unknown %q, step %s); want %q", res.Text, res.Starts, res.Unknown, res.Step, tt.want)
			}
		})
	}
}
