//go:build linux

package enginetest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestCRIPrivileged holds the model of securityContext.privileged on
// containerd-cri@1.6.20 to the live CRI plugin: a privileged container
// (in a privileged sandbox, as the kubelet makes it) that drops ALL, as
// root and as uid 1000, gets containerd's own capabilities in B, E and P
// and no ambient ones (containerd pkg/cri/server/container_create_linux.go
// :containerSpec@v1.6.20, oci.WithPrivileged after WithCapabilities); the
// same without privileged gets none. The model reads the pod manifest
// (spec.ParsePod) with the host's bounding set as containerd's. The
// curated flag_privileged_* cases hold --privileged, mapped to the same
// field, on every engine; this test holds the pod manifest's own form.
func TestCRIPrivileged(t *testing.T) {
	c := Case{Name: "privileged", Rule: "securityContext.privileged with capabilities drop [ALL]",
		Rootfs: "dir / 0755 0:0\nfile /app 0755 0:0 elf\n", Image: ImageConfig{Entrypoint: []string{"/app"}}}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	eng, err := spec.LookupEngine(ContainerdCRI)
	if err != nil {
		t.Fatal(err)
	}
	eng.HostBounding = hostBounding(t)
	rows := []struct {
		name       string
		privileged bool
		uid        *int64
	}{
		{"root", true, nil},
		{"uid_1000", true, ptr(int64(1000))},
		{"unprivileged", false, nil},
	}
	h := startHarness(t, nil)
	if h.criOff != nil {
		skipOrFail(t, "the CRI plugin is off: "+h.criOff.Error())
	}
	ctx := context.Background()
	archive := filepath.Join(h.Dir, "privileged.tar")
	if err := Archive([]Case{c}, archive); err != nil {
		t.Fatal(err)
	}
	if err := h.Load(ctx, archive); err != nil {
		t.Fatalf("loading the image: %v", err)
	}
	agree := 0
	for _, r := range rows {
		sc := "{privileged: " + strconv.FormatBool(r.privileged) + ", capabilities: {drop: [ALL]}"
		if r.uid != nil {
			sc += ", runAsUser: " + strconv.FormatInt(*r.uid, 10)
		}
		manifest := "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    securityContext: " + sc + "}\n"
		ov, err := spec.ParsePod("pod.yaml", []byte(manifest), "")
		if err != nil {
			t.Fatal(err)
		}
		model, err := spec.FromImage(c.Image, rootfs.MustParseFixture(c.Rootfs).Mem(), eng, ov)
		if err != nil {
			t.Fatalf("%s: the model: %v", r.name, err)
		}
		cfg := CRIConfig{Privileged: r.privileged, DropCapabilities: []string{"ALL"}, RunAsUser: r.uid}
		got, refusal, err := h.CRISpec(ctx, &c, cfg, ContainerName(&c)+"-"+strings.ReplaceAll(r.name, "_", "-"))
		if err != nil {
			t.Fatal(err)
		}
		if refusal != "" {
			t.Errorf("%s: %s refused: %s; the model gives a spec", r.name, ContainerdCRI, refusal)
			continue
		}
		want := Project(got).Process.Capabilities
		if d := cmp.Diff(want, model.Process.Capabilities, cmp.Comparer(func(a, b []string) bool {
			return strings.Join(a, ",") == strings.Join(b, ",")
		})); d != "" {
			t.Errorf("%s: capabilities (-%s +model):\n%s", r.name, ContainerdCRI, d)
			continue
		}
		agree++
		t.Logf("%s: B=%d E=%d P=%d A=%d, as the model", r.name, len(want.Bounding), len(want.Effective), len(want.Permitted), len(want.Ambient))
	}
	t.Logf("engine-oracle privileged: %s, %d cases (privileged as root and uid 1000, unprivileged; drop ALL), %d agree with the model", ContainerdCRI, len(rows), agree)
}

func ptr[T any](v T) *T { return &v }

// hostBounding is this process's capability bounding set (CapBnd): the
// harness's containerd runs as root with the same.
func hostBounding(t *testing.T) caps.Set {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapBnd:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return caps.Set(n)
		}
	}
	t.Fatal("no CapBnd in /proc/self/status")
	return 0
}
