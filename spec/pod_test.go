package spec_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
)

// pod builds a pod manifest from its lines.
func pod(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

func ptr(p *int64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// kubeLine renders the fields ParsePod sets.
func kubeLine(k *spec.KubeContainer) string {
	nonRoot := "-"
	if k.RunAsNonRoot != nil {
		nonRoot = fmt.Sprint(*k.RunAsNonRoot)
	}
	return fmt.Sprintf("%s/%s/%s user=%s group=%s fs=%s groups=%v nonroot=%s add=%v drop=%v nnp=%v ro=%v wd=%q cmd=%q args=%q env=%q",
		k.Namespace, k.Pod, k.Name, ptr(k.RunAsUser), ptr(k.RunAsGroup), ptr(k.FSGroup), k.SupplementalGroups, nonRoot,
		k.CapAdd, k.CapDrop, k.NoNewPrivs(), k.ReadOnlyRootFilesystem, k.WorkingDir, k.Command, k.Args, k.Env)
}

var basePod = pod(
	"apiVersion: v1",
	"kind: Pod",
	"metadata:",
	"  name: web",
	"  namespace: shop",
	"spec:",
	"  securityContext:",
	"    runAsUser: 1000",
	"    runAsGroup: 3000",
	"    fsGroup: 2000",
	"    supplementalGroups: [4000, 5000]",
	"    runAsNonRoot: true",
	"  containers:",
	"  - name: app",
	"    image: x",
	"    command: [/app/run]",
	"    args: [a, b]",
	"    workingDir: /app",
	"    env:",
	"    - name: A",
	"      value: \"1\"",
	"    securityContext:",
	"      runAsUser: 1001",
	"      allowPrivilegeEscalation: false",
	"      readOnlyRootFilesystem: true",
	"      capabilities:",
	"        add: [NET_BIND_SERVICE]",
	"        drop: [ALL]",
	"  - name: sidecar",
	"    image: y",
)

// TestParsePod pins what ParsePod takes from a Pod and how the pod's and
// the container's securityContext merge.
func TestParsePod(t *testing.T) {
	rows := []struct {
		name, container string
		src             []byte
		want, rule      string
	}{
		{"container_wins", "app", basePod,
			`shop/web/app user=1001 group=3000 fs=2000 groups=[4000 5000] nonroot=true add=[NET_BIND_SERVICE] drop=[ALL] nnp=true ro=true wd="/app" cmd=["/app/run"] args=["a" "b"] env=["A=1"]`,
			"DetermineEffectiveSecurityContext: the container's runAsUser over the pod's; AddNoNewPrivileges on allowPrivilegeEscalation false"},
		{"pod_only", "sidecar", basePod,
			`shop/web/sidecar user=1000 group=3000 fs=2000 groups=[4000 5000] nonroot=true add=[] drop=[] nnp=false ro=false wd="" cmd=[] args=[] env=[]`,
			"a container without securityContext takes the pod's ids"},
		{"only_container", "", pod("kind: Pod", "metadata: {name: p}", "spec:", "  containers:", "  - name: c"),
			`default/p/c user=- group=- fs=- groups=[] nonroot=- add=[] drop=[] nnp=false ro=false wd="" cmd=[] args=[] env=[]`,
			"the only container needs no name; namespace defaults to default"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		o, err := spec.ParsePod("pod.yaml", r.src, r.container)
		if err != nil {
			t.Errorf("%s: %v", r.name, err)
			continue
		}
		if got := kubeLine(o.Kube); got != r.want {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.name, r.rule, got, r.want)
		}
	}
}

// TestParsePodErrors pins file, line and field of each error.
func TestParsePodErrors(t *testing.T) {
	rows := []struct {
		name, container string
		src             []byte
		want, rule      string
	}{
		{"yaml_syntax", "", pod("kind: Pod", "metadata:", "  name: p", "spec:", "\tcontainers: []"),
			"pod.yaml:5: found character that cannot start any token", "the YAML parser's line: a tab cannot indent (YAML 1.2, section 6.1)"},
		{"wrong_type", "", pod("kind: Pod", "spec:", "  containers:", "  - name: c", "    securityContext:", "      runAsUser: alice"),
			"pod.yaml:6: spec.containers.securityContext.runAsUser: want number, got string", "a type error names the field and the line of its key"},
		{"not_a_pod", "", pod("kind: Deployment", "spec: {}"),
			`pod.yaml:1: kind: want Pod, got "Deployment"`, "only kind Pod"},
		{"no_such_container", "db", basePod,
			`pod.yaml:13: spec.containers: no container named "db" (containers: app, sidecar)`, "--container must name one"},
		{"ambiguous", "", basePod,
			`pod.yaml:13: spec.containers: 2 containers; name one (containers: app, sidecar)`, "two containers need --container"},
		{"uid_range", "", pod("kind: Pod", "spec:", "  containers:", "  - name: c", "    securityContext:", "      runAsUser: -1"),
			"pod.yaml:6: spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive", "IsValidUserID"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		_, err := spec.ParsePod("pod.yaml", r.src, r.container)
		var pe *spec.PodError
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a *PodError", r.name, err)
			continue
		}
		if err.Error() != r.want {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.name, r.rule, err, r.want)
		}
	}
}

// TestPodOnCRI runs pods through the CRI engines: the kubelet's
// runAsNonRoot check, the image user it fills in, and OpenShift's
// restricted-v2 on the distroless-like image of
// GoogleContainerTools/distroless#718.
func TestPodOnCRI(t *testing.T) {
	distroless := "dir / 0755 0:0\ndir /home/nonroot 0700 65532:65532\nfile /etc/passwd 0644 0:0 text=\"root:x:0:0::/root:/sbin/nologin\\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\\n\"\nfile /etc/group 0644 0:0 text=\"root:x:0:\\nnonroot:x:65532:\\n\"\n"
	simple := pod("kind: Pod", "metadata: {name: p, uid: u1}", "spec:", "  containers:", "  - name: c")
	nonRoot := pod("kind: Pod", "metadata: {name: p, uid: u1}", "spec:", "  securityContext: {runAsNonRoot: true}", "  containers:", "  - name: c")
	rows := []struct {
		name, engine, user, workdir string
		src                         []byte
		scc                         bool
		want, rule                  string
	}{
		{"image_user_name", "containerd-cri@1.6.20", "nonroot", "/home/nonroot", simple, false, "65532:65532 [65532] cwd=/home/nonroot E=14",
			"kubelet sends the image's name as runAsUsername (getUserFromImage); WithUser(name)"},
		{"nonroot_name_refused", "containerd-cri@1.6.20", "nonroot", "", nonRoot, false,
			`error: container has runAsNonRoot and image has non-numeric user (nonroot), cannot verify user is non-root (pod: "p_default(u1)", container: c)`,
			"verifyRunAsNonRoot: a non-numeric image user (kubernetes-up-and-running/kuard#43)"},
		{"nonroot_empty_user_refused", "crio@1.34.0", "", "", nonRoot, false,
			`error: container has runAsNonRoot and image will run as root (pod: "p_default(u1)", container: c)`,
			"getImageUser: no user is uid 0"},
		{"restricted_v2_crio", "crio@1.34.0", "nonroot", "/home/nonroot", simple, true, "1000680000:0 [0 1000680000] cwd=/home/nonroot E=0",
			"restricted-v2: runAsUser from the range, fsGroup added, drop ALL; CRI-O resolves the absent uid to gid 0"},
		{"restricted_v2_containerd", "containerd-cri@1.6.20", "nonroot", "/home/nonroot", simple, true, "1000680000:0 [0 1000680000] cwd=/home/nonroot E=0",
			"restricted-v2 on containerd: WithUserID gives gid 0; fsGroup via WithSupplementalGroups"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			ov, err := spec.ParsePod("pod.yaml", r.src, "")
			if err != nil {
				t.Fatal(err)
			}
			if r.scc {
				k := spec.RestrictedV2.Admit(*ov.Kube)
				ov.Kube = &k
				if !k.NoNewPrivs() {
					t.Errorf("restricted-v2 sets allowPrivilegeEscalation false")
				}
			}
			eng, _ := spec.LookupEngine(r.engine)
			img := spec.ImageConfig{User: r.user, WorkingDir: r.workdir, Entrypoint: []string{"/app"}}
			s, err := spec.FromImage(img, fixtureFS(distroless), eng, ov)
			got := ""
			if err != nil {
				got = "error: " + err.Error()
			} else {
				u := s.Process.User
				got = fmt.Sprintf("%d:%d %v cwd=%s E=%d", u.UID, u.GID, u.AdditionalGids, s.Process.Cwd, len(s.Process.Capabilities.Effective))
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// FuzzParsePod: never a panic; an error is a *PodError naming the file,
// with a line inside the input; on success the container is set, its ids
// are in range and its name is the one asked for.
func FuzzParsePod(f *testing.F) {
	f.Add(basePod, "app")
	f.Add(basePod, "")
	f.Add(pod("kind: Pod", "spec:", "  containers:", "  - name: c", "    securityContext: {runAsUser: 5}"), "")
	f.Add([]byte("kind: Pod\nspec: [\n"), "")
	// Wide and amplifying: an anchor named many times, many documents.
	f.Add([]byte("kind: Pod\nmetadata: {annotations: {a: &a \""+strings.Repeat("x", 4096)+"\", b: ["+strings.Repeat("*a, ", 300)+"*a]}}\nspec: {containers: [{name: c, image: i}]}\n"), "c")
	f.Add([]byte(strings.Repeat("kind: Service\n---\n", 200)+"kind: Pod\nspec: {containers: [{name: c, image: i}]}\n"), "")
	f.Fuzz(func(t *testing.T, src []byte, container string) {
		o, err := spec.ParsePod("f.yaml", src, container)
		if err != nil {
			var pe *spec.PodError
			if !errors.As(err, &pe) || pe.File != "f.yaml" {
				t.Fatalf("error %v is not a *PodError for f.yaml", err)
			}
			// YAML breaks lines at "\n", "\r\n" and a lone "\r", and
			// go-yaml (YAML 1.1's b-char production) also at NEL U+0085,
			// LS U+2028 and PS U+2029; so counts the parser (CI fuzzing
			// found NEL: testdata/fuzz seed).
			one := strings.ReplaceAll(string(src), "\r\n", "\n")
			lines := 1
			for _, r := range one {
				switch r {
				case '\n', '\r', '\u0085', '\u2028', '\u2029':
					lines++
				}
			}
			if pe.Line < 0 || pe.Line > lines {
				t.Fatalf("line %d outside the %d-line input", pe.Line, lines)
			}
			return
		}
		k := o.Kube
		if k == nil {
			t.Fatal("success without a container")
		}
		if container != "" && k.Name != container {
			t.Fatalf("asked for %q, got %q", container, k.Name)
		}
		for _, p := range []*int64{k.RunAsUser, k.RunAsGroup} {
			if p != nil && (*p < 0 || *p > math.MaxInt32) {
				t.Fatalf("id %d out of range accepted", *p)
			}
		}
	})
}

// TestSCCRefuses pins restricted-v2's admission: a runAsUser outside the
// namespace's uid range (MustRunAsRange), a privileged container and a
// capability other than NET_BIND_SERVICE added are refused; one inside or none (the SCC assigns
// the first) is admitted.
func TestSCCRefuses(t *testing.T) {
	uid := func(n int64) *int64 { return &n }
	for _, r := range []struct {
		user   *int64
		add    []string
		refuse bool
	}{
		{nil, nil, false},
		{uid(1000680000), nil, false},
		{uid(1000689999), nil, false},
		{uid(1000690000), nil, true},
		{uid(65532), nil, true},
		{uid(0), nil, true},
		{nil, []string{"NET_BIND_SERVICE"}, false},
		{nil, []string{"DAC_OVERRIDE"}, true},
		{nil, []string{"CAP_NET_BIND_SERVICE", "CHOWN"}, true},
	} {
		got := spec.RestrictedV2.Refuses(spec.KubeContainer{RunAsUser: r.user, CapAdd: r.add})
		if (got != "") != r.refuse {
			t.Errorf("runAsUser %v, add %v: Refuses = %q, want refused %v", r.user, r.add, got, r.refuse)
		}
	} // allowPrivilegedContainer: false (restricted-v2) refuses a
	// privileged container, whatever else it asks.
	if got := spec.RestrictedV2.Refuses(spec.KubeContainer{Privileged: true}); !strings.Contains(got, "privileged") {
		t.Errorf("privileged: Refuses = %q, want the privileged refusal", got)
	}
}

// TestParsePodStream: a file of several documents is read for its Pod (a
// Service first no longer hides it), or for the Pod that has the named
// container; lines in errors are lines of the file.
// TestParsePodStreamLimit: the document a file of several is read for is
// held to the caller's yaml-expansion limit, raised or lowered, as a file
// of one document is, not to the default.
func TestParsePodStreamLimit(t *testing.T) {
	// Aliases that add 17 MiB: over the default 16 MiB.
	big := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: &a " + strings.Repeat("x", 1<<20) + "\n"
	for i := range 17 {
		big += fmt.Sprintf("    b%d: *a\n", i)
	}
	big += "spec:\n  containers:\n  - {name: c, image: i}\n"
	stream := "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n" + big
	for _, src := range []string{big, stream} {
		docs := strings.Count(src, "---") + 1
		if _, err := spec.ParsePod("pod.yaml", []byte(src), ""); err == nil || !strings.Contains(err.Error(), "(limit yaml-expansion)") {
			t.Errorf("%d documents, default limit: ParsePod = %v; want the limit's refusal", docs, err)
		}
		ov, err := spec.YAML{MaxExpansion: 32 << 20}.ParsePod("pod.yaml", []byte(src), "")
		if err != nil || ov.Kube == nil || ov.Kube.Pod != "p" {
			t.Errorf("%d documents, yaml-expansion=32MiB: ParsePod = %+v, %v; want pod p", docs, ov.Kube, err)
		}
	}
}

func TestParsePodStream(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
	pod := func(name, c string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  containers:\n  - {name: " + c + ", image: i}\n"
	}
	for _, c := range []struct {
		name, src, container string
		pod                  string // the Pod read, or "" for an error
		err                  string
	}{
		{"service_first", svc + "---\n" + pod("p", "app"), "", "p", ""},
		{"leading_separator", "---\n" + pod("p", "app"), "", "p", ""},
		{"two_pods_named", pod("a", "web") + "---\n" + pod("b", "db"), "db", "b", ""},
		{"two_pods_unnamed", pod("a", "web") + "---\n" + pod("b", "db"), "", "", `pod.yaml: kind: 2 Pods (a, b); keep one in the file, or name a container that only one has`},
		{"no_pod", svc + "---\n" + svc, "", "", `pod.yaml: kind: no Pod among its 2 documents (kinds: Service, Service)`},
		{"error_line_in_file", svc + "---\n" + strings.Replace(pod("p", "app"), "image: i}", "image: i}\n  securityContext:\n    runAsUser: x", 1), "", "", "pod.yaml:12: spec.securityContext.runAsUser"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ov, err := spec.ParsePod("pod.yaml", []byte(c.src), c.container)
			if c.pod != "" {
				if err != nil || ov.Kube == nil || ov.Kube.Pod != c.pod {
					t.Fatalf("ParsePod = %+v, %v; want pod %s", ov.Kube, err, c.pod)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Fatalf("ParsePod error %v; want %q", err, c.err)
			}
		})
	}
}
