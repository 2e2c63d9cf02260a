package spec_test

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/spec"
)

// TestKeepOriginalGroups pins how the annotation podman's --group-add
// keep-groups writes is read: crun keeps the caller's groups for any value
// but "0" (containers/crun linux.c:libcrun_container_setgroups@1.8.1).
func TestKeepOriginalGroups(t *testing.T) {
	for _, r := range []struct {
		annotations map[string]string
		want        bool
	}{
		{nil, false},
		{map[string]string{spec.KeepOriginalGroupsAnnotation: "1"}, true},
		{map[string]string{spec.KeepOriginalGroupsAnnotation: "true"}, true},
		{map[string]string{spec.KeepOriginalGroupsAnnotation: "0"}, false},
	} {
		s := &specs.Spec{Version: specs.Version, Root: &specs.Root{Path: "rootfs"}, Annotations: r.annotations,
			Process: &specs.Process{Cwd: "/", Args: []string{"/x"}}}
		p, err := spec.FromSpec("config.json", s)
		if err != nil {
			t.Fatal(err)
		}
		if p.KeepOriginalGroups != r.want {
			t.Errorf("annotations %v: KeepOriginalGroups = %v, want %v", r.annotations, p.KeepOriginalGroups, r.want)
		}
	}
}
