package spec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/spec"
)

// podWith is a one-container Pod whose container has the given lines
// (indented under "- name: c"), and whose pod securityContext has the
// given lines.
func podWith(podSC []string, ctr ...string) []byte {
	ls := []string{"kind: Pod", "metadata: {name: p, uid: u1}", "spec:"}
	if len(podSC) > 0 {
		ls = append(ls, "  securityContext:")
		for _, l := range podSC {
			ls = append(ls, "    "+l)
		}
	}
	ls = append(ls, "  containers:", "  - name: c", "    image: i")
	for _, l := range ctr {
		ls = append(ls, "    "+l)
	}
	return pod(ls...)
}

// TestKubeExpansion pins the kubelet's $(VAR) expansion as ParsePod
// applies it: env in order, each value with the variables before it
// (pkg/kubelet/kubelet_pods.go:makeEnvironmentVariables), then command
// and args with the whole env (pkg/kubelet/container/helpers.go
// ExpandContainerCommandAndArgs); the syntax is
// third_party/forked/golang/expansion/expand.go's. The image's ENV is
// not the kubelet's: it does not expand. A value the model cannot know
// (valueFrom, and what envFrom or a Service's link variables may define)
// is marked, not guessed.
func TestKubeExpansion(t *testing.T) {
	rows := []struct {
		name  string
		lines []string
		want  string
		rule  string
	}{
		{"command_from_env", []string{"command: [\"$(BIN)/run\", \"$(A)\"]", "env: [{name: BIN, value: /app}, {name: A, value: x}]"},
			`cmd=["/app/run" "x"] args=[] env=["BIN=/app" "A=x"] unknown=[] cmd?=[] args?=[]`,
			"ExpandContainerCommandAndArgs: $(NAME) is the env's value"},
		{"escape", []string{"args: [\"$$(A)\", \"a$$b\", \"$$$$\"]", "env: [{name: A, value: x}]"},
			`cmd=[] args=["$(A)" "a$b" "$$"] env=["A=x"] unknown=[] cmd?=[] args?=[]`,
			"expand.go: $$ is a literal $, so $$(A) is not a reference"},
		{"undefined_stays", []string{"args: [\"$(NOPE)\", \"$(PATH)\"]"},
			`cmd=[] args=["$(NOPE)" "$(PATH)"] env=[] unknown=[] cmd?=[] args?=[]`,
			"MappingFuncFor: a name not in the env stays as written; the image's PATH is not the kubelet's"},
		{"not_references", []string{"args: [\"$(open\", \"$x\", \"end$\", \"$\"]"},
			`cmd=[] args=["$(open" "$x" "end$" "$"] env=[] unknown=[] cmd?=[] args?=[]`,
			"tryReadVariableName: an unclosed $(, a $ before another byte, a final $ are kept"},
		{"env_in_order", []string{"env: [{name: B, value: \"$(A)-b\"}, {name: A, value: a}, {name: C, value: \"$(A)-c\"}]"},
			`cmd=[] args=[] env=["B=$(A)-b" "A=a" "C=a-c"] unknown=[] cmd?=[] args?=[]`,
			"makeEnvironmentVariables: a value sees only the variables before it"},
		{"env_redefined", []string{"args: [\"$(A)\"]", "env: [{name: A, value: one}, {name: A, value: \"$(A)-two\"}]"},
			`cmd=[] args=["one-two"] env=["A=one-two"] unknown=[] cmd?=[] args?=[]`,
			"makeEnvironmentVariables: a name given twice keeps the last value, which may read the first"},
		{"value_from", []string{"command: [\"$(BIN)\"]", "args: [\"$(BIN)\", \"$(D)\"]", "env: [{name: BIN, valueFrom: {configMapKeyRef: {name: m, key: k}}}, {name: D, value: \"$(BIN)/x\"}]"},
			`cmd=[""] args=["" "/x"] env=["BIN=" "D=/x"] unknown=[BIN D] cmd?=[0] args?=[0 1]`,
			"valueFrom: a value from the API, not the manifest; what reads it is unknown too"},
		{"env_from", []string{"args: [\"$(X)\", \"$(YY)\"]", "envFrom: [{configMapRef: {name: m}}]", "env: [{name: YY, value: yy}]"},
			`cmd=[] args=["$(X)" "yy"] env=["YY=yy"] unknown=[] cmd?=[] args?=[0]`,
			"envFrom may define any name env does not"},
		{"service_link", []string{"args: [\"$(DB_SERVICE_HOST)\", \"$(DB_PORT_5432_TCP)\", \"$(NOT_A_LINK)\"]"},
			`cmd=[] args=["$(DB_SERVICE_HOST)" "$(DB_PORT_5432_TCP)" "$(NOT_A_LINK)"] env=[] unknown=[] cmd?=[] args?=[0 1]`,
			"pkg/kubelet/envvars/envvars.go:FromServices: a Service's link variables may be defined"},
		{"empty_command_is_none", []string{"command: []", "args: []"},
			`cmd=[] args=[] env=[] unknown=[] cmd?=[] args?=[] nil=true,true`,
			"the CRI request carries an empty list as none (protobuf repeated field)"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			ov, err := spec.ParsePod("pod.yaml", podWith(nil, r.lines...), "")
			if err != nil {
				t.Fatal(err)
			}
			k := ov.Kube
			q := func(l []string) string {
				var s []string
				for _, x := range l {
					s = append(s, fmt.Sprintf("%q", x))
				}
				return "[" + strings.Join(s, " ") + "]"
			}
			got := fmt.Sprintf("cmd=%s args=%s env=%s unknown=%v cmd?=%v args?=%v", q(k.Command), q(k.Args), q(k.Env), k.UnknownEnv, k.UnknownCommand, k.UnknownArgs)
			got = strings.ReplaceAll(got, "map[]", "[]")
			if r.name == "empty_command_is_none" {
				got += fmt.Sprintf(" nil=%v,%v", k.Command == nil, k.Args == nil)
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// TestPodOnCRIUnknown pins where a value the model cannot know decides
// the answer, and the answer is then unknown (spec.ErrUndecided, exit 3)
// on both CRI engines: args[0] read from such a value, or looked up (no
// '/') in a PATH that is such a value. Where it cannot change the checks,
// the answer stands.
func TestPodOnCRIUnknown(t *testing.T) {
	img := spec.ImageConfig{Entrypoint: []string{"/app/run"}}
	rows := []struct {
		name  string
		lines []string
		want  string
		rule  string
	}{
		{"path_value_from_bare_name", []string{"command: [run]", "env: [{name: PATH, valueFrom: {configMapKeyRef: {name: m, key: path}}}]"},
			"unknown", "runc looks a bare args[0] up in the container's PATH, here a ConfigMap's value"},
		{"path_value_from_absolute", []string{"command: [/app/run]", "env: [{name: PATH, valueFrom: {configMapKeyRef: {name: m, key: path}}}]"},
			"/app/run", "an args[0] with a '/' is not looked up in PATH"},
		{"env_from_bare_name", []string{"command: [run]", "envFrom: [{configMapRef: {name: m}}]"},
			"unknown", "envFrom may set PATH"},
		{"env_from_path_in_env", []string{"command: [run]", "envFrom: [{configMapRef: {name: m}}]", "env: [{name: PATH, value: /app}]"},
			"run", "env wins over envFrom: PATH is known"},
		{"command_from_value_from", []string{"command: [\"$(BIN)\"]", "env: [{name: BIN, valueFrom: {secretKeyRef: {name: s, key: k}}}]"},
			"unknown", "args[0] is a Secret's value"},
		{"args_from_value_from_after_entrypoint", []string{"args: [\"$(BIN)\"]", "env: [{name: BIN, valueFrom: {secretKeyRef: {name: s, key: k}}}]"},
			"/app/run", "args after the image's ENTRYPOINT do not change what is executed"},
		{"args_from_value_from_as_argv0", []string{"command: []", "args: [\"$(BIN)\"]", "env: [{name: BIN, valueFrom: {secretKeyRef: {name: s, key: k}}}]"},
			"/app/run", "command: [] is no command: the image's ENTRYPOINT stays args[0]"},
		{"unused_value_from", []string{"env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}]"},
			"/app/run", "a valueFrom variable nothing reads cannot matter"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		for _, engine := range []string{"containerd-cri@1.6.20", "crio@1.34.0"} {
			t.Run(r.name+"/"+engine, func(t *testing.T) {
				ov, err := spec.ParsePod("pod.yaml", podWith(nil, r.lines...), "")
				if err != nil {
					t.Fatal(err)
				}
				eng, _ := spec.LookupEngine(engine)
				s, err := spec.FromImage(img, fixtureFS(etc), eng, ov)
				got := ""
				switch {
				case errors.Is(err, spec.ErrUndecided):
					got = "unknown"
				case err != nil:
					got = "error: " + err.Error()
				default:
					got = s.Process.Args[0]
				}
				if got != r.want {
					t.Errorf("%s\ngot  %s (%v)\nwant %s", r.rule, got, err, r.want)
				}
			})
		}
	}
}

// TestPodPrivileged pins securityContext.privileged on the CRI engines:
// every capability whatever add and drop say — containerd's own set in
// B, E and P (pkg/cri/server/container_create_linux.go:containerSpec
// @v1.6.20 applies oci.WithPrivileged, WithAllCurrentCapabilities, after
// WithCapabilities; WithoutAmbientCaps after it), CRI-O's every
// supported capability in all five sets
// (internal/factory/container/container.go:SpecSetPrivileges@v1.34.0,
// runtime-tools SetupPrivileged, SpecSetupCapabilities skipped: a drop
// CRI-O would refuse is not read).
func TestPodPrivileged(t *testing.T) {
	rows := []struct {
		name, engine string
		lines        []string
		want, rule   string
	}{
		{"containerd_drop_all", "containerd-cri@1.6.20", []string{"securityContext: {privileged: true, capabilities: {drop: [ALL]}}"},
			"B=41 E=41 P=41 I=0 A=0", "WithPrivileged after WithCapabilities: drop ALL is undone"},
		{"containerd_nonroot", "containerd-cri@1.6.20", []string{"securityContext: {privileged: true, runAsUser: 1000}"},
			"B=41 E=41 P=41 I=0 A=0", "WithPrivileged: the same for every uid, no ambient"},
		{"containerd_not_privileged", "containerd-cri@1.6.20", []string{"securityContext: {privileged: false, capabilities: {drop: [ALL]}}"},
			"B=0 E=0 P=0 I=0 A=0", "privileged false: the capabilities apply"},
		{"crio_drop_all", "crio@1.34.0", []string{"securityContext: {privileged: true, capabilities: {drop: [ALL]}}"},
			"B=41 E=41 P=41 I=41 A=41", "SetupPrivileged: all five sets"},
		{"crio_nonroot_unknown_drop", "crio@1.34.0", []string{"securityContext: {privileged: true, runAsUser: 1000, capabilities: {drop: [FOO]}}"},
			"B=41 E=41 P=41 I=41 A=41", "SpecSetupCapabilities is skipped: its refusal of FOO does not happen; ambient for a non-root user"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			ov, err := spec.ParsePod("pod.yaml", podWith(nil, r.lines...), "")
			if err != nil {
				t.Fatal(err)
			}
			eng, _ := spec.LookupEngine(r.engine)
			eng.HostBounding = 0 // every capability: containerd's own set is the host's
			s, err := spec.FromImage(spec.ImageConfig{Entrypoint: []string{"/app/run"}}, fixtureFS(etc), eng, ov)
			got := ""
			if err != nil {
				got = "error: " + err.Error()
			} else {
				c := s.Process.Capabilities
				got = fmt.Sprintf("B=%d E=%d P=%d I=%d A=%d", len(c.Bounding), len(c.Effective), len(c.Permitted), len(c.Inheritable), len(c.Ambient))
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
	// The API server refuses privileged with allowPrivilegeEscalation
	// false (pkg/apis/core/validation/validation.go:ValidateSecurityContext).
	_, err := spec.ParsePod("pod.yaml", podWith(nil, "securityContext: {privileged: true, allowPrivilegeEscalation: false}"), "")
	if err == nil || !strings.Contains(err.Error(), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true") {
		t.Errorf("privileged with allowPrivilegeEscalation false: %v; want the API server's refusal", err)
	}
}

// TestPodSupplementalGroupsPolicy pins the pod's supplementalGroupsPolicy:
// CRI-O 1.34 with Strict adds the kubelet's groups only, not the user's
// /etc/group memberships (server/container_create.go:setupContainerUser
// @v1.34.0); containerd 1.6's CRI has no such field, and whether the pod
// runs (with Merge) or is refused is the kubelet's to say: unknown.
func TestPodSupplementalGroupsPolicy(t *testing.T) {
	rows := []struct {
		name, engine, policy string
		want, rule           string
	}{
		{"crio_merge", "crio@1.34.0", "Merge", "1000:1000 [1000 10 29 4000]", "Merge: passwd gid, /etc/group memberships, supplementalGroups"},
		{"crio_default", "crio@1.34.0", "", "1000:1000 [1000 10 29 4000]", "no policy is Merge"},
		{"crio_strict", "crio@1.34.0", "Strict", "1000:1000 [1000 4000]", "Strict: the memberships (wheel 10, audio 29) are not added"},
		{"containerd_merge", "containerd-cri@1.6.20", "Merge", "1000:1000 [10 29 1000 4000]", "Merge is what containerd 1.6 does"},
		{"containerd_strict", "containerd-cri@1.6.20", "Strict", "unknown", "Strict: the kubelet refuses the pod or runs it with Merge, by its version and feature gate"},
		{"invalid", "crio@1.34.0", "Loose", `error: pod.yaml:7: spec.securityContext.supplementalGroupsPolicy: Unsupported value: "Loose": supported values: "Merge", "Strict"`, "the API server's validation"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			sc := []string{"runAsUser: 1000", "supplementalGroups: [4000]"}
			if r.policy != "" {
				sc = append(sc, "supplementalGroupsPolicy: "+r.policy)
			}
			got := ""
			ov, err := spec.ParsePod("pod.yaml", podWith(sc), "")
			if err == nil {
				eng, _ := spec.LookupEngine(r.engine)
				var s *specs.Spec
				s, err = spec.FromImage(spec.ImageConfig{Entrypoint: []string{"/app/run"}}, fixtureFS(etc), eng, ov)
				if err == nil {
					got = userLine(s, nil)
				}
			}
			switch {
			case errors.Is(err, spec.ErrUndecided):
				got = "unknown"
			case err != nil:
				got = "error: " + err.Error()
			}
			if got != r.want {
				t.Errorf("%s\ngot  %s\nwant %s", r.rule, got, r.want)
			}
		})
	}
}

// TestPodSeccompProfile holds securityContext.seccompProfile on the CRI
// engines: the container's, else the pod's; Unconfined and
// RuntimeDefault (whose default profiles allow the pre-exec system calls)
// decide nothing, a Localhost profile is a file on the node the model
// does not read (unknown) unless the container is privileged (no filter);
// the API server's checks; --security-opt seccomp= from flags.
func TestPodSeccompProfile(t *testing.T) {
	rows := []struct {
		name, engine string
		podSC, lines []string
		flags        []string
		want, rule   string
	}{
		{"unconfined", "containerd-cri@1.6.20", nil, []string{"securityContext: {seccompProfile: {type: Unconfined}}"}, nil,
			"starts", "generateSeccompSpecOpts: Unconfined, no filter"},
		{"runtime_default_pod", "containerd-cri@1.6.20", []string{"seccompProfile: {type: RuntimeDefault}"}, nil, nil,
			"starts", "RuntimeDefault: containerd's default profile allows chdir, execve, faccessat2"},
		{"localhost_pod", "containerd-cri@1.6.20", []string{"seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}"}, nil, nil,
			`unknown: seccompProfile Localhost "profiles/audit.json"`, "a Localhost profile is the node's file: unknown, naming it"},
		{"localhost_crio", "crio@1.34.0", nil, []string{"securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}"}, nil,
			`unknown: seccompProfile Localhost "p.json"`, "CRI-O reads the node's file too"},
		{"container_over_pod", "containerd-cri@1.6.20", []string{"seccompProfile: {type: Localhost, localhostProfile: p.json}"},
			[]string{"securityContext: {seccompProfile: {type: Unconfined}}"}, nil, "starts", "the container's profile, else the pod's (getSeccompProfile)"},
		{"pod_localhost_container_default", "crio@1.34.0", []string{"seccompProfile: {type: RuntimeDefault}"},
			[]string{"securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}"}, nil, `unknown: seccompProfile Localhost "p.json"`, "the container's Localhost over the pod's default"},
		{"localhost_privileged", "containerd-cri@1.6.20", nil, []string{"securityContext: {privileged: true, seccompProfile: {type: Localhost, localhostProfile: p.json}}"}, nil,
			"starts", "a privileged container gets no filter (containerd; CRI-O without privileged_seccomp_profile)"},
		{"localhost_without_profile", "containerd-cri@1.6.20", nil, []string{"securityContext:", "  seccompProfile:", "    type: Localhost"}, nil,
			"error: pod.yaml:8: spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost", "the API server: Localhost needs localhostProfile"},
		{"profile_without_localhost", "containerd-cri@1.6.20", []string{"seccompProfile:", "  type: Unconfined", "  localhostProfile: p.json"}, nil, nil,
			"error: pod.yaml:7: spec.securityContext.seccompProfile.localhostProfile: Invalid value: can only be set when seccomp type is Localhost", "the API server: localhostProfile only with Localhost"},
		{"unknown_type", "containerd-cri@1.6.20", nil, []string{"securityContext:", "  seccompProfile:", "    type: Default"}, nil,
			`error: pod.yaml:9: spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "Default": supported values: "Localhost", "RuntimeDefault", "Unconfined"`, "the API server: three types"},
		{"flags_seccomp_file", "containerd-cri@1.6.20", nil, nil, []string{"--security-opt", "seccomp=/etc/p.json"},
			`unknown: seccompProfile Localhost "/etc/p.json"`, "--security-opt seccomp=PATH is a Localhost profile, the node's file, not the caller's"},
		{"flags_seccomp_unconfined", "crio@1.34.0", nil, nil, []string{"--security-opt", "seccomp=unconfined"},
			"starts", "seccomp=unconfined is Unconfined"},
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
			if r.flags != nil {
				ov, err = spec.ParseOverrides(r.flags)
			} else {
				ov, err = spec.ParsePod("pod.yaml", podWith(r.podSC, r.lines...), "")
			}
			got := ""
			if err == nil {
				eng, _ := spec.LookupEngine(r.engine)
				var s *specs.Spec
				s, err = spec.FromImage(spec.ImageConfig{Entrypoint: []string{"/app/run"}}, fixtureFS(etc), eng, ov)
				if err == nil && s.Linux != nil && s.Linux.Seccomp != nil {
					t.Errorf("a seccomp filter in the spec: %+v", s.Linux.Seccomp)
				}
			}
			switch {
			case errors.Is(err, spec.ErrUndecided):
				_, why, _ := strings.Cut(err.Error(), ": ")
				got = "unknown: " + why
			case err != nil:
				got = "error: " + err.Error()
			default:
				got = "starts"
			}
			if !strings.HasPrefix(got, r.want) {
				t.Errorf("%s\ngot  %s\nwant %s…", r.rule, got, r.want)
			}
		})
	}
}
