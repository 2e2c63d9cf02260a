package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// PodMeta names the pod a pod spec belongs to: for a Pod its metadata;
// for a workload's pod template the workload's (the pods the controller
// makes have generated names the manifest does not hold).
type PodMeta struct {
	Name, Namespace, UID string
}

// A PodContainer is one container of a pod spec, with the pod's and the
// container's securityContext merged as the kubelet merges them.
type PodContainer struct {
	// Kube is the container as the kubelet hands it to the CRI runtime.
	Kube KubeContainer
	// Image is the container's image reference, as written.
	Image string
	// Init is true for an entry of initContainers.
	Init bool
	// Field is the container's path in the document
	// ("spec.template.spec.containers[1]").
	Field string
	// Line is the 1-based line of the container's entry in the
	// document (its first key), 0 when the document does not give one
	// (flow style, JSON).
	Line int
}

// The parts of a PodSpec (k8s.io/api/core/v1) that decide the process.
type podSpecDoc struct {
	SecurityContext *struct {
		RunAsUser          *int64  `json:"runAsUser"`
		RunAsGroup         *int64  `json:"runAsGroup"`
		RunAsNonRoot       *bool   `json:"runAsNonRoot"`
		SupplementalGroups []int64 `json:"supplementalGroups"`
		FSGroup            *int64  `json:"fsGroup"`
		// SupplementalGroupsPolicy is Merge (the default) or Strict.
		SupplementalGroupsPolicy *string            `json:"supplementalGroupsPolicy"`
		SeccompProfile           *seccompProfileDoc `json:"seccompProfile"`
	} `json:"securityContext"`
	HostUsers      *bool          `json:"hostUsers"`
	InitContainers []containerDoc `json:"initContainers"`
	Containers     []containerDoc `json:"containers"`
}

// PodSpecContainers reads the pod spec at path in the YAML or JSON
// document src — ["spec"] for a Pod, ["spec", "template", "spec"] for a
// Deployment, list indices as numbers: ["items", "2", "spec"] — and
// returns its initContainers, then its containers, each merged with the
// pod's securityContext (see KubeContainer). name is the file name errors
// carry; their lines are lines of src. Errors are *PodError, as ParsePod's.
func PodSpecContainers(name string, src []byte, path []string, meta PodMeta) ([]PodContainer, error) {
	return YAML{}.PodSpecContainers(name, src, path, meta)
}

// PodSpecContainers is the package's PodSpecContainers with y's limit.
func (y YAML) PodSpecContainers(name string, src []byte, path []string, meta PodMeta) ([]PodContainer, error) {
	js, err := y.ToJSON(name, src)
	if err != nil {
		return nil, err
	}
	raw := json.RawMessage(js)
	for i, p := range path {
		at := strings.Join(path[:i+1], ".")
		var next json.RawMessage
		if n, err := strconv.Atoi(p); err == nil {
			var list []json.RawMessage
			if json.Unmarshal(raw, &list) != nil || n < 0 || n >= len(list) {
				return nil, &PodError{File: name, Line: yamlKeyLine(src, path[:i]), Field: strings.Join(path[:i], "."), Msg: fmt.Sprintf("want a list with an item %d", n)}
			}
			next = list[n]
		} else {
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return nil, &PodError{File: name, Line: yamlKeyLine(src, path[:i]), Field: strings.Join(path[:i], "."), Msg: "want an object"}
			}
			var ok bool
			if next, ok = obj[p]; !ok || string(next) == "null" {
				return nil, &PodError{File: name, Line: yamlKeyLine(src, path[:i]), Field: at, Msg: "missing"}
			}
		}
		raw = next
	}
	prefix := strings.Join(path, ".")
	var ps podSpecDoc
	if err := json.Unmarshal(raw, &ps); err != nil {
		e := &PodError{File: name, Msg: err.Error(), Err: err}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			e.Field = prefix + "." + te.Field
			if te.Field == "" {
				e.Field = prefix
			}
			e.Msg = "want " + jsonKind(te.Type) + ", got " + te.Value
			e.Line = yamlKeyLine(src, strings.Split(e.Field, "."))
		}
		return nil, e
	}
	var out []PodContainer
	for _, group := range []struct {
		key  string
		list []containerDoc
	}{{"initContainers", ps.InitContainers}, {"containers", ps.Containers}} {
		for i, c := range group.list {
			field := prefix + "." + group.key + "[" + strconv.Itoa(i) + "]"
			k, err := mergeContainer(name, src, meta, &ps, c, field)
			if err != nil {
				return nil, err
			}
			item := append(append([]string{}, path...), group.key, strconv.Itoa(i))
			var image string
			if len(c.Image) > 0 && json.Unmarshal(c.Image, &image) != nil {
				return nil, &PodError{File: name, Line: yamlKeyLine(src, append(item, "image")), Field: field + ".image", Msg: "want string, got " + string(c.Image)}
			}
			line := yamlKeyLine(src, item)
			out = append(out, PodContainer{Kube: *k, Image: image, Init: group.key == "initContainers", Field: field, Line: line})
		}
	}
	if len(ps.Containers) == 0 {
		// The API server's words (field.Required, no detail).
		line := yamlKeyLine(src, append(append([]string{}, path...), "containers"))
		if line == 0 {
			line = yamlKeyLine(src, path)
		}
		return nil, &PodError{File: name, Line: line, Field: prefix + ".containers", Msg: "Required value: a pod needs at least one container"}
	}
	return out, nil
}

// YAMLToJSON converts the YAML (or JSON) manifest src, named name in
// errors, to JSON as sigs.k8s.io/yaml does (kubectl's reading), refusing
// one whose aliases expand it by more than MaxYAMLExpansion
// (ErrYAMLExpansion). Its error is a *PodError with the YAML parser's
// line.
func YAMLToJSON(name string, src []byte) ([]byte, error) { return YAML{}.ToJSON(name, src) }

// YAML reads manifests as the package's YAMLToJSON, ParsePod and
// PodSpecContainers do, with its own bound on alias expansion. The zero
// value is the default.
type YAML struct {
	// MaxExpansion bounds the bytes a document's aliases may add to it
	// (0 is MaxYAMLExpansion; limit yaml-expansion).
	MaxExpansion int64
}

// ToJSON is YAMLToJSON with y's limit.
func (y YAML) ToJSON(name string, src []byte) ([]byte, error) {
	if err := checkYAMLAliases(name, src, y.maxExpansion()); err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSON(src)
	if err != nil {
		e := &PodError{File: name, Msg: err.Error(), Err: err}
		if m := yamlLineRE().FindStringSubmatch(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = m[2]
			// go-yaml names the line after the last for an error at the
			// end of the input ("0: \n0" is "line 3"): say the last.
			e.Line = min(e.Line, yamlLines(src))
		}
		return nil, e
	}
	return js, nil
}

// mergeContainer is determineEffectiveSecurityContext for container c of
// the pod spec ps (at field, e.g. "spec.containers[0]"): the
// container's runAsUser, runAsGroup and runAsNonRoot over the pod's,
// fsGroup, supplementalGroups and supplementalGroupsPolicy from the pod,
// privileged from the container; ids are checked as the API server
// checks them. The env and then command and args are expanded as the
// kubelet expands them (kubeEnv). An empty command or args is none: the
// kubelet's CRI request carries an empty list as an absent one (protobuf
// has no empty repeated field), so `command: []` keeps the image's
// ENTRYPOINT (containerd pkg/cri/opts/spec.go:WithProcessArgs@v1.6.20
// sees nil).
func mergeContainer(name string, src []byte, meta PodMeta, ps *podSpecDoc, c containerDoc, field string) (*KubeContainer, error) {
	k := &KubeContainer{
		Pod: meta.Name, Namespace: meta.Namespace, UID: meta.UID,
		Name: c.Name, WorkingDir: c.WorkingDir, Command: c.Command, Args: c.Args,
		HostUsers: ps.HostUsers,
	}
	if k.Namespace == "" {
		k.Namespace = "default"
	}
	var env []kubeEnvEntry
	for _, e := range c.Env {
		env = append(env, kubeEnvEntry{name: e.Name, value: e.Value, valueFrom: len(e.ValueFrom) > 0 && string(e.ValueFrom) != "null"})
	}
	kubeEnv(k, env, len(c.EnvFrom) > 0)
	if len(k.Command) == 0 {
		k.Command = nil
	}
	if len(k.Args) == 0 {
		k.Args = nil
	}
	type idField struct {
		path string
		v    *int64
	}
	var ids []idField
	var err error
	podPrefix := field[:strings.LastIndex(field, ".")] + ".securityContext."
	if sc := ps.SecurityContext; sc != nil {
		k.RunAsUser, k.RunAsGroup, k.RunAsNonRoot = sc.RunAsUser, sc.RunAsGroup, sc.RunAsNonRoot
		ids = append(ids, idField{podPrefix + "runAsUser", sc.RunAsUser},
			idField{podPrefix + "runAsGroup", sc.RunAsGroup},
			idField{podPrefix + "fsGroup", sc.FSGroup})
		k.FSGroup = sc.FSGroup
		if p := sc.SupplementalGroupsPolicy; p != nil {
			switch *p {
			case "Merge", "Strict":
				k.SupplementalGroupsPolicy = *p
			default:
				// The API server's words (field.NotSupported).
				f := podPrefix + "supplementalGroupsPolicy"
				return nil, &PodError{File: name, Line: yamlKeyLine(src, strings.Split(strings.ReplaceAll(strings.ReplaceAll(f, "[", "."), "]", ""), ".")), Field: f,
					Msg: fmt.Sprintf("Unsupported value: %q: supported values: \"Merge\", \"Strict\"", *p)}
			}
		}
		if sc.SeccompProfile != nil {
			if k.SeccompProfile, err = sc.SeccompProfile.kube(name, src, podPrefix+"seccompProfile"); err != nil {
				return nil, err
			}
		}
		for i := range sc.SupplementalGroups {
			ids = append(ids, idField{podPrefix + "supplementalGroups", &sc.SupplementalGroups[i]})
			k.SupplementalGroups = append(k.SupplementalGroups, sc.SupplementalGroups[i])
		}
	}
	if cs := c.SecurityContext; cs != nil {
		prefix := field + ".securityContext."
		if cs.RunAsUser != nil {
			k.RunAsUser = cs.RunAsUser
			ids = append(ids, idField{prefix + "runAsUser", cs.RunAsUser})
		}
		if cs.RunAsGroup != nil {
			k.RunAsGroup = cs.RunAsGroup
			ids = append(ids, idField{prefix + "runAsGroup", cs.RunAsGroup})
		}
		if cs.RunAsNonRoot != nil {
			k.RunAsNonRoot = cs.RunAsNonRoot
		}
		if cs.Capabilities != nil {
			k.CapAdd, k.CapDrop = cs.Capabilities.Add, cs.Capabilities.Drop
		}
		k.AllowPrivilegeEscalation = cs.AllowPrivilegeEscalation
		k.Privileged = cs.Privileged != nil && *cs.Privileged
		if k.Privileged && k.NoNewPrivs() {
			// The API server refuses the pod
			// (pkg/apis/core/validation/validation.go:ValidateSecurityContext).
			f := field + ".securityContext"
			return nil, &PodError{File: name, Line: yamlKeyLine(src, strings.Split(strings.ReplaceAll(strings.ReplaceAll(f, "[", "."), "]", ""), ".")), Field: f,
				Msg: "Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"}
		}
		k.ReadOnlyRootFilesystem = cs.ReadOnlyRootFilesystem != nil && *cs.ReadOnlyRootFilesystem
		if cs.SeccompProfile != nil {
			// The container's profile, else the pod's (the kubelet's
			// getSeccompProfile, pkg/kubelet/kuberuntime/helpers.go).
			if k.SeccompProfile, err = cs.SeccompProfile.kube(name, src, prefix+"seccompProfile"); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range ids {
		if f.v != nil && (*f.v < 0 || *f.v > math.MaxInt32) {
			path := strings.Split(strings.ReplaceAll(strings.ReplaceAll(f.path, "[", "."), "]", ""), ".")
			return nil, &PodError{File: name, Line: yamlKeyLine(src, path), Field: f.path,
				Msg: fmt.Sprintf("Invalid value: %d: must be between 0 and 2147483647, inclusive", *f.v)}
		}
	}
	return k, nil
}

func (y YAML) maxExpansion() int64 {
	if y.MaxExpansion > 0 {
		return y.MaxExpansion
	}
	return MaxYAMLExpansion
}

// seccompProfileDoc is a securityContext's seccompProfile.
type seccompProfileDoc struct {
	Type             string  `json:"type"`
	LocalhostProfile *string `json:"localhostProfile"`
}

// kube checks d as the API server does
// (pkg/apis/core/validation/validation.go:validateSeccompProfileField):
// type is Localhost, RuntimeDefault or Unconfined, and localhostProfile
// is set for Localhost and only for it.
func (d *seccompProfileDoc) kube(name string, src []byte, f string) (*KubeSeccomp, error) {
	keyLine := func(f string) int {
		return yamlKeyLine(src, strings.Split(strings.ReplaceAll(strings.ReplaceAll(f, "[", "."), "]", ""), "."))
	}
	fail := func(child, msg string) error {
		line := keyLine(child)
		if line == 0 {
			line = keyLine(f) // the key is absent
		}
		return &PodError{File: name, Line: line, Field: child, Msg: msg}
	}
	switch d.Type {
	case "Localhost":
		if d.LocalhostProfile == nil {
			return nil, fail(f+".localhostProfile", "Required value: must be set when seccomp type is Localhost")
		}
		return &KubeSeccomp{Type: d.Type, LocalhostProfile: *d.LocalhostProfile}, nil
	case "RuntimeDefault", "Unconfined":
		if d.LocalhostProfile != nil {
			return nil, fail(f+".localhostProfile", "Invalid value: can only be set when seccomp type is Localhost")
		}
		return &KubeSeccomp{Type: d.Type}, nil
	case "":
		return nil, fail(f+".type", "Required value")
	}
	return nil, fail(f+".type", fmt.Sprintf("Unsupported value: %q: supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\"", d.Type))
}
