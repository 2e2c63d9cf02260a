package spec_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/preexec/preexec/spec"
)

// A pod's hostUsers on each CRI engine: CRI-O makes the pod's user
// namespace and maps its root filesystem, so the spec maps container ids
// below spec.PodIDs onto themselves; containerd 1.6 makes none, and the
// kubelet decides what happens.
func TestHostUsers(t *testing.T) {
	hostUsers := func(v string) []byte {
		return pod("kind: Pod", "metadata: {name: p}", "spec:", "  hostUsers: "+v, "  containers:", "  - name: c")
	}
	noField := pod("kind: Pod", "metadata: {name: p}", "spec:", "  containers:", "  - name: c")
	rows := []struct {
		name, engine string
		src          []byte
		flags        []string
		want, rule   string
	}{
		{"crio_false", "crio@1.34.0", hostUsers("false"), nil, "userns uid 0+0/65536 gid 0+0/65536",
			"configureSandboxIDMappings: the pod's mappings for its namespace and its root filesystem, seen through the mapped root"},
		{"crio_true", "crio@1.34.0", hostUsers("true"), nil, "host users",
			"hostUsers: true is the default: the host's user namespace"},
		{"crio_absent", "crio@1.34.0", noField, nil, "host users",
			"no hostUsers: the host's user namespace"},
		{"containerd_false", "containerd-cri@1.6.20", hostUsers("false"), nil, "undecided",
			"pkg/cri@v1.6.20 never reads userns_options: the kubelet's version decides"},
		{"containerd_true", "containerd-cri@1.6.20", hostUsers("true"), nil, "host users",
			"hostUsers: true: nothing to decide"},
		{"flags_userns_host", "containerd-cri@1.6.20", nil, []string{"--userns", "host"}, "host users",
			"--userns host is a pod's default"},
		{"flags_userns_private", "crio@1.34.0", nil, []string{"--userns", "private"}, "unsupported",
			"a pod asks for its own user namespace with hostUsers, not a flag"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			var ov spec.Overrides
			var err error
			if r.src != nil {
				ov, err = spec.ParsePod("pod.yaml", r.src, "")
			} else {
				ov, err = spec.ParseOverrides(append(r.flags, "--", "/app"))
			}
			if err != nil {
				t.Fatal(err)
			}
			eng, _ := spec.LookupEngine(r.engine)
			img := spec.ImageConfig{Entrypoint: []string{"/app"}}
			s, err := spec.FromImage(img, fixtureFS("dir / 0755 0:0\n"), eng, ov)
			var unsupported *spec.UnsupportedError
			got := ""
			switch {
			case errors.Is(err, spec.ErrUndecided):
				got = "undecided"
			case errors.As(err, &unsupported):
				got = "unsupported"
			case err != nil:
				t.Fatal(err)
			case s.Linux == nil || len(s.Linux.UIDMappings) == 0:
				got = "host users"
			default:
				u, g := s.Linux.UIDMappings, s.Linux.GIDMappings
				got = fmt.Sprintf("userns uid %d+%d/%d gid %d+%d/%d", u[0].ContainerID, u[0].HostID, u[0].Size, g[0].ContainerID, g[0].HostID, g[0].Size)
				if len(u) != 1 || len(g) != 1 || len(s.Linux.Namespaces) != 1 || s.Linux.Namespaces[0].Type != "user" {
					t.Errorf("want one user namespace and one mapping each, got %+v", s.Linux)
				}
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// scan reads a workload's pod template: its hostUsers reaches every
// container, init containers too.
func TestHostUsersInPodTemplate(t *testing.T) {
	src := pod("kind: Deployment", "metadata: {name: d}", "spec:", "  template:", "    spec:", "      hostUsers: false",
		"      initContainers:", "      - name: i", "      containers:", "      - name: c")
	cs, err := spec.PodSpecContainers("d.yaml", src, []string{"spec", "template", "spec"}, spec.PodMeta{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("got %d containers, want 2", len(cs))
	}
	for _, c := range cs {
		if c.Kube.HostUsers == nil || *c.Kube.HostUsers {
			t.Errorf("%s: HostUsers = %v, want false", c.Field, c.Kube.HostUsers)
		}
	}
}
