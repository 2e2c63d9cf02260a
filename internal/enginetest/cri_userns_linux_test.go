//go:build linux

package enginetest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestCRIHostUsers holds what preexec says of a pod with hostUsers: false
// on containerd-cri@1.6.20 (unknown: the kubelet decides) to the one part
// a live containerd can show: given the kubelet's user namespace options
// for the pod and the container, containerd 1.6.20 hands the runtime a
// spec with no user namespace, so a kubelet that sends them (before 1.30)
// has the pod run with the host's users.
func TestCRIHostUsers(t *testing.T) {
	c := Case{Name: "host_users_false", Rule: "a pod with hostUsers: false",
		Rootfs: "dir / 0755 0:0\nfile /app 0755 0:0 elf\n", Image: ImageConfig{Entrypoint: []string{"/app"}}}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	eng, err := spec.LookupEngine(ContainerdCRI)
	if err != nil {
		t.Fatal(err)
	}
	f := false
	_, err = spec.FromImage(c.Image, rootfs.MustParseFixture(c.Rootfs).Mem(), eng, spec.Overrides{Kube: &spec.KubeContainer{Name: "c", HostUsers: &f}})
	if !errors.Is(err, spec.ErrUndecided) || !strings.Contains(err.Error(), "an older one runs it in the host's user namespace") {
		t.Fatalf("the model: %v; want its undecided answer naming the host's user namespace", err)
	}
	h := startHarness(t, nil)
	if h.criOff != nil {
		skipOrFail(t, "the CRI plugin is off: "+h.criOff.Error())
	}
	ctx := context.Background()
	archive := filepath.Join(h.Dir, "userns.tar")
	if err := Archive([]Case{c}, archive); err != nil {
		t.Fatal(err)
	}
	if err := h.Load(ctx, archive); err != nil {
		t.Fatalf("loading the image: %v", err)
	}
	got, err := h.CRIHostUsersFalse(ctx, &c)
	if err != nil {
		t.Fatal(err)
	}
	if got != "host" {
		t.Errorf("%s given the kubelet's userns options: the runtime's spec has %s; preexec says it runs with the host's users", ContainerdCRI, got)
	}
	t.Logf("engine-oracle hostUsers: %s given the kubelet's user namespace options (mode POD, %d ids): no user namespace in the runtime's spec (%s users), as preexec says", ContainerdCRI, spec.PodIDs, got)
}
