package preexec

import (
	"encoding/json"
	"testing"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// rootlessPlan is a config.json for a rootless container: uid 0 and gid
// gid, additionalGids groups, args, a user namespace mapping container 0
// to host 4242 and, for uids and gids each when the size is not 0,
// container 1 … size to host 200000 on (a user's subordinate ids).
func rootlessPlan(t *testing.T, gid uint32, groups []uint32, uids, gids uint32, args ...string) *spec.Plan {
	t.Helper()
	maps := func(n uint32) []map[string]uint32 {
		m := []map[string]uint32{{"containerID": 0, "hostID": 4242, "size": 1}}
		if n > 0 {
			m = append(m, map[string]uint32{"containerID": 1, "hostID": 200000, "size": n})
		}
		return m
	}
	cfg := map[string]any{
		"ociVersion": "1.0.2",
		"root":       map[string]any{"path": "rootfs"},
		"process": map[string]any{
			"user": map[string]any{"uid": 0, "gid": gid, "additionalGids": groups}, "cwd": "/", "args": args, "env": []string{"PATH=/bin"},
			"capabilities": map[string][]string{},
		},
		"linux": map[string]any{
			"namespaces":  []map[string]string{{"type": "user"}, {"type": "mount"}},
			"uidMappings": maps(uids), "gidMappings": maps(gids),
		},
	}
	b, _ := json.Marshal(cfg)
	p, err := spec.Parse("config.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCrunRootlessSetgroups: a rootless crun sets additionalGids only where
// /proc/self/setgroups allows it, which the model reads off the gid
// mappings (setgroupsDenied): one id, denied and the list ignored; a
// subordinate range, allowed, so that a mapped group grants access and an
// unmapped one fails setgroups with EINVAL. A rootful crun and runc are
// unaffected.
func TestCrunRootlessSetgroups(t *testing.T) {
	crun, _ := LookupRuntime("crun@1.8.1")
	runc, _ := LookupRuntime("runc@1.1.5")
	fsys := rootfs.MustParseFixture("dir / 0755 4242:4242\nfile /bin/busybox 0755 4242:4242 busybox\nfile /app 0750 300000:201999 busybox").Mem()
	rootless := Host{Rootless: true}
	for _, r := range []struct {
		name       string
		gid        uint32
		groups     []uint32
		uids, gids uint32
		host       Host
		want       string // "" starts
		caveat     bool
		args       string
	}{
		{"one gid mapped: setgroups denied, an unmapped group ignored", 0, []uint32{70000}, 0, 0, rootless, "", true, "/bin/busybox"},
		{"one gid mapped: group 2000 is not set, other class ---", 0, []uint32{2000}, 65536, 0, rootless, "open executable: Permission denied", true, "/app"},
		{"subordinate gids: group 2000 (host 201999) set, r-x", 0, []uint32{2000}, 0, 65536, rootless, "", true, "/app"},
		{"subordinate gids: an unmapped group fails setgroups", 0, []uint32{70000}, 65536, 65536, rootless, "setgroups: Invalid argument", true, "/app"},
		{"subordinate gids, no additionalGids: nothing to tell", 0, nil, 65536, 65536, rootless, "open executable: Permission denied", false, "/app"},
		{"rootful, same mappings: setgroups as ever", 0, []uint32{2000}, 0, 65536, Host{}, "", false, "/app"},
	} {
		plan := rootlessPlan(t, r.gid, r.groups, r.uids, r.gids, r.args)
		res := Evaluate(plan, fsys, crun, r.host)
		if res.Unknown != "" || res.Text != r.want || res.Starts != (r.want == "") {
			t.Errorf("%s: crun starts=%v %q (unknown %q), want %q", r.name, res.Starts, res.Text, res.Unknown, r.want)
		}
		if (res.Caveat != "") != r.caveat {
			t.Errorf("%s: crun caveat %q, want one: %v", r.name, res.Caveat, r.caveat)
		}
		if r.host.Rootless && len(r.groups) > 0 {
			if res := Evaluate(plan, fsys, runc, r.host); res.Text != "runc run failed: unable to start container process: unable to setup user: cannot set any additional groups in a rootless container" {
				t.Errorf("%s: runc %q, want its rootless refusal", r.name, res.Text)
			}
		}
	}
}
