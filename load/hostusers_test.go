package load_test

import (
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// A pod with hostUsers: false on CRI-O runs in a user namespace mapping
// the image's ids below spec.PodIDs: its root keeps CAP_DAC_OVERRIDE over
// a file the image gives a mapped owner, not over one owned by an id the
// namespace does not map (kernel/capability.c:capable_wrt_inode_uidgid);
// with the host's users it has both. On containerd 1.6 the answer is
// unknown.
func TestHostUsersEvaluated(t *testing.T) {
	fsys := rootfs.MustParseFixture("dir / 0755 0:0\nfile /mapped 0700 1000:1000 elf\nfile /unmapped 0700 70000:70000 elf\n").Mem()
	rt, err := preexec.LookupRuntime("runc@1.1.5+debian")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		engine, hostUsers, entrypoint string
		want                          string
	}{
		{"crio@1.34.0", "false", "/mapped", "starts"},
		{"crio@1.34.0", "false", "/unmapped", "permission denied"},
		{"crio@1.34.0", "true", "/unmapped", "starts"},
		{"containerd-cri@1.6.20", "false", "/mapped", "unknown: containerd-cri@1.6.20: hostUsers: false:"},
		{"containerd-cri@1.6.20", "true", "/unmapped", "starts"},
	} {
		src := "kind: Pod\nmetadata: {name: p}\nspec:\n  hostUsers: " + r.hostUsers + "\n  containers:\n  - name: c\n    command: [" + r.entrypoint + "]\n"
		ov, err := spec.ParsePod("pod.yaml", []byte(src), "")
		if err != nil {
			t.Fatal(err)
		}
		eng, _ := spec.LookupEngine(r.engine)
		c, err := load.FromImageConfig("img", spec.ImageConfig{}, fsys, eng, ov, "")
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		switch {
		case c.Unknown != "":
			got = "unknown: " + c.Unknown
		case c.Refusal != "":
			got = "refused: " + c.Refusal
		default:
			res := preexec.Evaluate(c.Plan, c.FS, rt, c.On(preexec.Host{}))
			got = "starts"
			if !res.Starts {
				got = res.Text
			}
		}
		if !strings.Contains(got, r.want) {
			t.Errorf("%s hostUsers: %s, %s as root: got %q, want %q", r.engine, r.hostUsers, r.entrypoint, got, r.want)
		}
	}
}
