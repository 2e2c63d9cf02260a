package enginetest

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestGoldens checks the recorded goldens unprivileged: every curated case
// is recorded as it is defined now, every random case is the generator's,
// and every golden has one outcome per engine with exactly one of spec,
// error and skip.
func TestGoldens(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGoldens(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Curated) == 0 || len(g.Random) == 0 {
		t.Fatalf("goldens in %s: %d curated, %d random; record them with cmd/record", dir, len(g.Curated), len(g.Random))
	}
	for _, c := range Curated {
		gc, ok := g.Curated[c.Name]
		if !ok {
			t.Errorf("curated case %s has no golden (sudo go run ./internal/enginetest/cmd/record -cases '^%s$')", c.Name, c.Name)
			continue
		}
		if !reflect.DeepEqual(gc.Case, c) {
			t.Errorf("curated case %s changed since it was recorded (re-record it)", c.Name)
		}
	}
	random := map[string]Case{}
	nr, nc, ncri := 0, 0, 0
	for name := range g.Random {
		switch {
		case strings.HasPrefix(name, "ctr_"):
			nc++
		case strings.HasPrefix(name, "cri_"):
			ncri++
		default:
			nr++
		}
	}
	for _, c := range slices.Concat(Random(GoldenSeed, nr), RandomCtr(GoldenSeed, nc), RandomCRI(GoldenSeed, ncri)) {
		random[c.Name] = c
	}
	for name, gc := range g.Random {
		if c, ok := random[name]; !ok || !reflect.DeepEqual(gc.Case, c) {
			t.Errorf("random case %s is not Random(%d)'s, RandomCtr(%d)'s or RandomCRI(%d)'s", name, GoldenSeed, GoldenSeed, GoldenSeed)
		}
	}
	n := 0
	for _, gc := range g.All() {
		if err := gc.Case.Check(); err != nil {
			t.Error(err)
		}
		for _, e := range EngineNames {
			o, ok := gc.Outcomes[e]
			if !ok {
				t.Errorf("%s: no outcome for %s", gc.Case.Name, e)
				continue
			}
			set := 0
			for _, b := range []bool{o.Spec != nil, o.Error != "", o.Skip != ""} {
				if b {
					set++
				}
			}
			if set != 1 {
				t.Errorf("%s on %s: %d of spec, error, skip set, want 1", gc.Case.Name, e, set)
			}
			if o.Spec != nil {
				n++
			}
		}
	}
	if len(g.Header.Engines) != enginePackages || g.Header.Kernel == "" {
		t.Errorf("header: %+v", g.Header)
	}
	t.Logf("%d goldens, %d specs", len(g.All()), n)
}

// TestEngineArgs pins the flag mapping on a few cases.
func TestEngineArgs(t *testing.T) {
	for _, tc := range []struct {
		engine string
		c      Case
		want   []string
		skip   string
	}{
		{Docker, Case{Name: "a", Flags: []string{"--user", "1000:0", "--read-only", "--", "/bin/echo", "x"}},
			[]string{"--user", "1000:0", "--read-only", "preexec.test/case/a:latest", "/bin/echo", "x"}, ""},
		{Containerd, Case{Name: "b", Flags: []string{"--workdir", "/w", "--cap-add", "net_raw", "--tmpfs", "/t:rw,noexec", "-v", "/s:/d:ro", "-e", "A=b"}},
			[]string{"--cwd", "/w", "--cap-add", "CAP_NET_RAW", "--mount", "type=tmpfs,src=tmpfs,dst=/t,options=rw:noexec",
				"--mount", "type=bind,src=/s,dst=/d,options=rbind:ro", "--env", "A=b", "preexec.test/case/b:latest", "preexec-b"}, ""},
		{Podman, Case{Name: "p", Flags: []string{"--privileged", "--user", "1000"}},
			[]string{"--privileged", "--user", "1000", "preexec.test/case/p:latest"}, ""},
		{Containerd, Case{Name: "p", Flags: []string{"--privileged", "--cap-drop", "chown"}},
			[]string{"--privileged", "--cap-drop", "CAP_CHOWN", "preexec.test/case/p:latest", "preexec-p"}, ""},
		{Containerd, Case{Name: "c", Flags: []string{"--user", "0"}}, nil, "ctr 1.6.20 has no option for --user"},
		{Containerd, Case{Name: "d", Image: ImageConfig{Entrypoint: []string{"/e"}}, Flags: []string{"--", "x"}}, nil,
			"ctr 1.6.20's command replaces the image's entrypoint too; Docker's command after an entrypoint has no ctr form"},
	} {
		got, skip, err := EngineArgs(tc.engine, &tc.c)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) || skip != tc.skip {
			t.Errorf("EngineArgs(%s, %v) = %q, skip %q; want %q, skip %q", tc.engine, tc.c.Flags, got, skip, tc.want, tc.skip)
		}
	}
}

func TestCuratedNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range append(append(Curated, Random(GoldenSeed, 200)...), RandomCtr(GoldenSeed, 80)...) {
		if seen[c.Name] {
			t.Errorf("case %s twice", c.Name)
		}
		seen[c.Name] = true
		if err := c.Check(); err != nil {
			t.Error(err)
		}
	}
}

// TestE2EGoldens checks the end-to-end goldens unprivileged: one per E2E
// case, recorded as it is defined now, with every engine, and a run that
// is skipped says only why.
func TestE2EGoldens(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadE2E(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range E2ECases() {
		gc, ok := g[c.Name]
		if !ok {
			t.Errorf("end-to-end case %s has no golden (sudo go run ./internal/enginetest/cmd/record -e2e)", c.Name)
			continue
		}
		if !reflect.DeepEqual(gc.Case, c) {
			t.Errorf("end-to-end case %s changed since it was recorded (re-record it)", c.Name)
		}
		for _, e := range E2EEngines {
			runs := gc.Runs[e]
			if len(runs) == 0 {
				t.Errorf("%s: no runs on %s", c.Name, e)
			}
			for _, rt := range SortedRuntimes(runs) {
				r := runs[rt]
				if r.Skip != "" && (r.Exit != 0 || r.Stdout != "" || r.Stderr != "" || r.Flags != nil) {
					t.Errorf("%s on %s with %s: a skipped run with an outcome", c.Name, e, rt)
				}
				// E2E's processes print the marker; a random case's command
				// may print something else.
				if r.Skip == "" && r.Exit == 0 && r.Stdout != Marker && !strings.HasPrefix(c.Name, "e2e_rand_") {
					t.Errorf("%s on %s with %s: exit 0 without the marker on stdout (%q)", c.Name, e, rt, r.Stdout)
				}
			}
		}
	}
}

// TestCRIArgs pins the flag mapping to the Kubernetes container the CRI
// oracle sends.
func TestCRIArgs(t *testing.T) {
	i64 := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		name  string
		flags []string
		want  CRIConfig
		skip  string
	}{
		{"user and group", []string{"--user", "1000:0", "--group-add", "29", "--read-only", "--", "/bin/echo", "x"},
			CRIConfig{RunAsUser: i64(1000), RunAsGroup: i64(0), SupplementalGroups: []int64{29}, ReadonlyRootfs: true, Args: []string{"/bin/echo", "x"}}, ""},
		{"the last --user wins, group and all", []string{"--user", "1000:0", "--user", "1000"},
			CRIConfig{RunAsUser: i64(1000)}, ""},
		{"command, caps, nnp, env", []string{"--entrypoint", "/bin/sh", "--cap-add", "NET_RAW", "--cap-drop", "ALL",
			"--security-opt", "no-new-privileges", "-e", "A=b", "--workdir", "/w"},
			CRIConfig{Command: []string{"/bin/sh"}, AddCapabilities: []string{"NET_RAW"}, DropCapabilities: []string{"ALL"},
				NoNewPrivs: true, Envs: []string{"A=b"}, WorkingDir: "/w"}, ""},
		{"a user name", []string{"--user", "alice"}, CRIConfig{}, `a Kubernetes container names its user (runAsUser) by number, not "alice"`},
		{"a group name", []string{"--group-add", "staff"}, CRIConfig{}, `a Kubernetes container names its supplementalGroups by number, not "staff"`},
		{"a volume", []string{"-v", "/s:/d"}, CRIConfig{}, "a Kubernetes container has no form for -v (mounts are the pod's volumes, user namespaces the pod's)"},
		{"privileged", []string{"--privileged", "--user", "1000"}, CRIConfig{Privileged: true, RunAsUser: i64(1000)}, ""},
		{"privileged and no-new-privileges", []string{"--privileged", "--security-opt", "no-new-privileges"}, CRIConfig{},
			"Kubernetes refuses privileged with allowPrivilegeEscalation false (the API server's validation; the CRI alone takes both)"},
		{"an env without value", []string{"-e", "HOME"}, CRIConfig{}, "a Kubernetes env entry has a value; -e HOME takes the client's"},
	} {
		got, skip, err := CRIArgs(&Case{Name: "c", Flags: tc.flags})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) || skip != tc.skip {
			t.Errorf("%s: CRIArgs(%q) = %+v, skip %q; want %+v, skip %q", tc.name, tc.flags, got, skip, tc.want, tc.skip)
		}
	}
}
