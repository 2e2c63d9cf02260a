package spec_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// rootless is the engine oracle's rootless user (.ci/install-rootless).
var rootless = spec.Rootless{UID: 4242, GID: 4242,
	SubUIDs: []spec.IDRange{{Start: 200000, Size: 65536}}, SubGIDs: []spec.IDRange{{Start: 200000, Size: 65536}}}

func rootlessPodman(t *testing.T) spec.Engine {
	t.Helper()
	eng, err := spec.LookupEngine("podman@4.3.1")
	if err != nil {
		t.Fatal(err)
	}
	r := rootless
	eng.Rootless = &r
	return eng
}

// TestPodmanUserns pins what each --userns makes of the spec, rootless:
// the mappings (in ids of podman's namespace), process.user and the
// capability rule.
func TestPodmanUserns(t *testing.T) {
	eng := rootlessPodman(t)
	for _, r := range []struct {
		name, userns, user string
		maps, proc         string
		rule               string
	}{
		{"default", "", "", "", "0:0 [10] caps 11",
			"no namespace of its own: the container is in podman's; root's image group wheel"},
		{"host", "host", "alice", "", "1000:1000 [1000 10 29] caps 0",
			"host is podman's namespace; alice's groups are below the 65537 gids it has (GetAvailableGids)"},
		{"keep_id", "keep-id", "", "[{0 1 4242} {4242 0 1} {4243 4243 61294}]", "4242:4242 [4242] caps 0",
			"GetKeepIDMapping: 0→1 for min(uid, 65536), uid→0, the rest after; the user's ids, no capability (keep-id without --user is not root)"},
		{"keep_id_user", "keep-id", "alice", "[{0 1 4242} {4242 0 1} {4243 4243 61294}]", "1000:1000 [4242 1000 10 29] caps 0",
			"SetupUserNS puts the keep-id gid first, generateSpec then alice's"},
		{"keep_id_opts", "keep-id:uid=1000,gid=1000", "", "[{0 1 1000} {1000 0 1} {1001 1001 64536}]", "1000:1000 [1000] caps 0",
			"GetKeepIDOptions: uid= and gid= in place of the user's"},
		{"nomap", "nomap", "", "[{0 1 65536}]", "0:0 [0 10] caps 11",
			"GetNoMapMapping: the subordinate ids from 0, the user's own unmapped; root keeps the capabilities"},
	} {
		t.Run(r.name, func(t *testing.T) {
			flags := []string{}
			if r.userns != "" {
				flags = append(flags, "--userns", r.userns)
			}
			if r.user != "" {
				flags = append(flags, "--user", r.user)
			}
			ov, err := spec.ParseOverrides(flags)
			if err != nil {
				t.Fatal(err)
			}
			s, err := spec.FromImage(spec.ImageConfig{Cmd: []string{"/app/run"}}, rootfs.MustParseFixture(etc).Mem(), eng, ov)
			if err != nil {
				t.Fatalf("%s: %v", r.rule, err)
			}
			maps := ""
			if s.Linux != nil && len(s.Linux.UIDMappings) > 0 {
				var m []string
				for _, e := range s.Linux.UIDMappings {
					m = append(m, fmt.Sprintf("{%d %d %d}", e.ContainerID, e.HostID, e.Size))
				}
				maps = fmt.Sprint(m)
			}
			u := s.Process.User
			proc := fmt.Sprintf("%d:%d %v caps %d", u.UID, u.GID, u.AdditionalGids, len(s.Process.Capabilities.Effective))
			if maps != r.maps || proc != r.proc {
				t.Errorf("%s\ngot  %s %s\nwant %s %s", r.rule, maps, proc, r.maps, r.proc)
			}
		})
	}
}

// TestPodmanUsernsRefusals pins podman's words for the modes it refuses
// and the modes the model cannot tell.
func TestPodmanUsernsRefusals(t *testing.T) {
	rootful, err := spec.LookupEngine("podman@4.3.1")
	if err != nil {
		t.Fatal(err)
	}
	rl := rootlessPodman(t)
	for _, r := range []struct {
		eng    spec.Engine
		userns string
		want   string
	}{
		{rootful, "keep-id", "refused: keep-id is only supported in rootless mode"},
		{rootful, "nomap", "refused: nomap is only supported in rootless mode"},
		{rootful, "private", "refused: must provide at least one UID or GID mapping to configure a user namespace"},
		{rl, "private", "refused: must provide at least one UID or GID mapping to configure a user namespace"},
		{rl, "bogus", "refused: unrecognized namespace mode bogus passed"},
		{rl, "auto", "unknown"},
		{rootful, "auto:size=10", "unknown"},
		{rl, "ns:/proc/1/ns/user", "unknown"},
		{rl, "container:x", "unknown"},
		{rl, "keep-id:size=3", "unknown"},
	} {
		ov, err := spec.ParseOverrides([]string{"--userns", r.userns})
		if err != nil {
			t.Fatal(err)
		}
		_, err = spec.FromImage(spec.ImageConfig{Cmd: []string{"/app/run"}}, rootfs.MustParseFixture(etc).Mem(), r.eng, ov)
		var ee *spec.EngineError
		var ue *spec.UnsupportedError
		got := fmt.Sprint(err)
		switch {
		case errors.As(err, &ee):
			got = "refused: " + ee.Msg
		case errors.As(err, &ue):
			got = "unknown"
		}
		if got != r.want {
			t.Errorf("%s --userns %s: got %s, want %s", r.eng.Name, r.userns, got, r.want)
		}
	}
}

// TestHostIDs: the rootless namespace composed with keep-id's, and the
// stored image's owners through it.
func TestHostIDs(t *testing.T) {
	eng := rootlessPodman(t)
	for _, r := range []struct {
		userns string
		// the host ids of the image's root, alice (1000) and uid 4242.
		root, alice, own uint32
		inherited        bool
	}{
		{"", 4242, 200999, 204241, true},
		{"keep-id", 200000, 201000, 4242, false},
		{"nomap", 200000, 201000, 204242, false},
	} {
		ov, _ := spec.ParseOverrides([]string{"--userns", r.userns})
		fx := rootfs.MustParseFixture(etc + "dir /own 0700 4242:4242\ndir /alice 0700 1000:1000\n").Mem()
		s, err := spec.FromImage(spec.ImageConfig{Cmd: []string{"/app/run"}}, fx, eng, ov)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := spec.FromSpec("config.json", s)
		if err != nil {
			t.Fatal(err)
		}
		fsys := eng.HostIDs(plan, fx)
		ids := func(p string) uint32 {
			ino, err := fsys.Lstat(p)
			if err != nil {
				t.Fatalf("--userns %q: %s: %v", r.userns, p, err)
			}
			return ino.UID
		}
		if got := [3]uint32{ids("/"), ids("/alice"), ids("/own")}; got != [3]uint32{r.root, r.alice, r.own} {
			t.Errorf("--userns %q: host ids of /, uid 1000, uid 4242: got %v, want %v", r.userns, got, [3]uint32{r.root, r.alice, r.own})
		}
		if plan.UserNSInherited != r.inherited {
			t.Errorf("--userns %q: UserNSInherited %v", r.userns, plan.UserNSInherited)
		}
		if k, _ := plan.UserNS.KUID(0); k != r.root {
			t.Errorf("--userns %q: uid 0 is host %d, want %d", r.userns, k, r.root)
		}
	}
	// An owner the namespace does not map: podman cannot store the image.
	big := rootfs.MustParseFixture("dir / 0755 0:0\ndir /big 0700 70000:0\n").Mem()
	plan := &spec.Plan{}
	if _, err := eng.HostIDs(plan, big).Lstat("/big"); !errors.Is(err, access.ErrNoContent) {
		t.Errorf("/big owned by 70000: got %v, want an UnstorableError", err)
	}
	// Even where no check looks: the whole image is stored or none of it.
	var unstorable *spec.UnstorableError
	if err := spec.Unstorable(eng.HostIDs(&spec.Plan{}, big), big); !errors.As(err, &unstorable) || unstorable.Path != "/big" || unstorable.UID != 70000 {
		t.Errorf("Unstorable: got %v, want /big owned by 70000", err)
	}
	ok := rootfs.MustParseFixture("dir / 0755 0:0\ndir /alice 0700 1000:1000\n").Mem()
	if err := spec.Unstorable(eng.HostIDs(&spec.Plan{}, ok), ok); err != nil {
		t.Errorf("Unstorable of an image every owner of which is mapped: %v", err)
	}
	// Rootful podman: unchanged.
	rootful, _ := spec.LookupEngine("podman@4.3.1")
	plan = &spec.Plan{}
	if ino, _ := rootful.HostIDs(plan, big).Lstat("/big"); ino.UID != 70000 || plan.UserNS != nil {
		t.Errorf("rootful: got uid %d, namespace %v", ino.UID, plan.UserNS)
	}
	if err := spec.Unstorable(rootful.HostIDs(&spec.Plan{}, big), big); err != nil {
		t.Errorf("rootful Unstorable: %v", err)
	}
}
