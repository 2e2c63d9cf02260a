package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A KubeContainer is one container of a Pod as the kubelet hands it to a
// CRI runtime: the pod's and the container's securityContext merged
// (securitycontext.DetermineEffectiveSecurityContext: the container's
// runAsUser, runAsGroup and runAsNonRoot win over the pod's), with the
// image's user filled in later by FromImage.
type KubeContainer struct {
	// Pod, Namespace and UID are the pod's metadata; the kubelet's
	// messages name the pod as NAME_NAMESPACE(UID) (format.Pod).
	Pod, Namespace, UID string
	// Name is the container's name.
	Name string
	// RunAsUser and RunAsGroup are the effective ids; nil when neither
	// the container nor the pod sets them.
	RunAsUser, RunAsGroup *int64
	// RunAsNonRoot is the effective runAsNonRoot.
	RunAsNonRoot *bool
	// FSGroup is the pod's fsGroup and SupplementalGroups its
	// supplementalGroups; the kubelet sends fsGroup first, then the others
	// (determineEffectiveSecurityContext,
	// pkg/kubelet/kuberuntime/security_context.go).
	FSGroup            *int64
	SupplementalGroups []int64
	// CapAdd and CapDrop are securityContext.capabilities add and drop,
	// as spelled.
	CapAdd, CapDrop []string
	// AllowPrivilegeEscalation is the container's field; only an explicit
	// false sets no_new_privs (securitycontext.AddNoNewPrivileges).
	AllowPrivilegeEscalation *bool
	// ReadOnlyRootFilesystem is the container's field.
	ReadOnlyRootFilesystem bool
	// WorkingDir, Command and Args are the container's fields.
	WorkingDir    string
	Command, Args []string
	// Env is the container's env as NAME=VALUE, after the kubelet's
	// $(VAR) expansion (see ExpandKube); an entry whose value comes from
	// valueFrom is NAME= and is named in UnknownEnv.
	Env []string
	// UnknownEnv names the entries of Env whose values the model cannot
	// know: valueFrom (a ConfigMap, a Secret, a field of the pod), or an
	// expansion of such a value.
	UnknownEnv []string
	// EnvFrom reports that the container has envFrom: any variable Env
	// does not set may be set to a value the model cannot know.
	EnvFrom bool
	// UnknownCommand and UnknownArgs are the indices of Command and Args
	// whose expansion read a value the model cannot know (UnknownEnv, a
	// name envFrom or a Service's link variables may define).
	UnknownCommand, UnknownArgs []int
	// Privileged is the container's securityContext.privileged: every
	// capability, whatever capabilities adds or drops.
	Privileged bool
	// SupplementalGroupsPolicy is the pod's
	// securityContext.supplementalGroupsPolicy: "" (not given: Merge),
	// Merge or Strict.
	SupplementalGroupsPolicy string
	// SeccompProfile is the effective securityContext.seccompProfile
	// (the container's, else the pod's); nil when neither sets one.
	SeccompProfile *KubeSeccomp
	// HostUsers is the pod's hostUsers; nil is its default, true: the
	// pod runs in the host's user namespace. False asks for a user
	// namespace of the pod's own (KEP-127), which the engine makes or
	// not (see UserNamespace).
	HostUsers *bool
}

// KubeSeccomp is a seccompProfile.
type KubeSeccomp struct {
	// Type is Localhost, RuntimeDefault or Unconfined.
	Type string
	// LocalhostProfile is the profile's path (Localhost only): relative
	// to the kubelet's seccomp directory in a pod; from --security-opt
	// seccomp=PATH, as given.
	LocalhostProfile string
}

// NoNewPrivs is securitycontext.AddNoNewPrivileges: true only when
// allowPrivilegeEscalation is set to false.
func (k *KubeContainer) NoNewPrivs() bool {
	return k.AllowPrivilegeEscalation != nil && !*k.AllowPrivilegeEscalation
}

// criGroups are the supplementary groups the kubelet sends: fsGroup, then
// supplementalGroups.
func (k *KubeContainer) criGroups() []int64 {
	var out []int64
	if k.FSGroup != nil {
		out = append(out, *k.FSGroup)
	}
	return append(out, k.SupplementalGroups...)
}

// podName is format.Pod (kubelet/util/format): NAME_NAMESPACE(UID). A
// pod the kubelet runs always has a UID (the API server's, or a static
// pod's hash), which a manifest written or created by hand has not: then
// "<uid>" stands for it, as "<pod>" for a name the manifest lacks.
func (k *KubeContainer) podName() string {
	name, uid := k.Pod, k.UID
	if name == "" {
		name = "<pod>"
	}
	if uid == "" {
		uid = "<uid>"
	}
	return name + "_" + k.Namespace + "(" + uid + ")"
}

// A PodError is a pod manifest ParsePod cannot use. It names the file, the
// line where the YAML gives one (0 otherwise) and the field:
//
//	pod.yaml:14: spec.containers[0].securityContext.runAsUser: want integer, got string
type PodError struct {
	// File is the name given to ParsePod.
	File string
	// Line is the 1-based line of the offending key or YAML token, 0 when
	// the YAML does not give one.
	Line int
	// Field is the path of the field ("spec.containers[0].securityContext.runAsUser"),
	// "" for a YAML syntax error.
	Field string
	// Msg says what is wrong.
	Msg string
	// Err is the YAML or JSON error behind the message, if any.
	Err error
}

// Error formats e as FILE:LINE: FIELD: MSG, leaving out a zero line and
// an empty field.
func (e *PodError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the YAML or JSON error behind e.
func (e *PodError) Unwrap() error { return e.Err }

// The parts of a Pod (k8s.io/api/core/v1) ParsePod reads before its spec.
type podDoc struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		UID       string `json:"uid"`
	} `json:"metadata"`
	Spec podSpecDoc `json:"spec"`
}

type containerDoc struct {
	Name string `json:"name"`
	// Image is read by PodSpecContainers only (ParsePod takes the image
	// from the command line): raw, so that ParsePod accepts what it
	// ignores.
	Image      json.RawMessage `json:"image"`
	Command    []string        `json:"command"`
	Args       []string        `json:"args"`
	WorkingDir string          `json:"workingDir"`
	Env        []struct {
		Name      string          `json:"name"`
		Value     string          `json:"value"`
		ValueFrom json.RawMessage `json:"valueFrom"`
	} `json:"env"`
	// EnvFrom is read for its presence only.
	EnvFrom         []json.RawMessage `json:"envFrom"`
	SecurityContext *struct {
		Privileged   *bool  `json:"privileged"`
		RunAsUser    *int64 `json:"runAsUser"`
		RunAsGroup   *int64 `json:"runAsGroup"`
		RunAsNonRoot *bool  `json:"runAsNonRoot"`
		Capabilities *struct {
			Add  []string `json:"add"`
			Drop []string `json:"drop"`
		} `json:"capabilities"`
		AllowPrivilegeEscalation *bool              `json:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool              `json:"readOnlyRootFilesystem"`
		SeccompProfile           *seccompProfileDoc `json:"seccompProfile"`
	} `json:"securityContext"`
}

// yamlLineRE is compiled on the first YAML error, not at package init.
var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// ParsePod reads a Pod manifest with sigs.k8s.io/yaml and returns the
// container named container ("" when the pod has exactly one) as
// Overrides whose Kube field is set. name is the file name errors carry.
//
//  1. YAML syntax errors give the line the YAML parser reports.
//  2. A value of the wrong type gives the JSON path of the field and the
//     line of its key in the file.
//  3. kind must be Pod; ids must be in 0..2147483647 (the API server's
//     IsValidUserID/IsValidGroupID: "must be between 0 and 2147483647,
//     inclusive").
//
// A file of several YAML documents (a Service and its Pod) is read for its
// Pod: the one Pod, or the one Pod that has a container named container.
//
// Volumes and init containers are not read; a valueFrom or envFrom value
// is not known (KubeContainer.UnknownEnv, EnvFrom).
func ParsePod(name string, src []byte, container string) (Overrides, error) {
	return YAML{}.ParsePod(name, src, container)
}

// ParsePod is the package's ParsePod with y's limit.
func (y YAML) ParsePod(name string, src []byte, container string) (Overrides, error) {
	if docs, starts := SplitYAML(src); len(docs) > 1 {
		return y.parsePodStream(name, docs, starts, container)
	}
	js, err := y.ToJSON(name, src)
	if err != nil {
		return Overrides{}, err
	}
	var doc podDoc
	if err := json.Unmarshal(js, &doc); err != nil {
		e := &PodError{File: name, Msg: err.Error(), Err: err}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			e.Field = te.Field
			e.Msg = "want " + jsonKind(te.Type) + ", got " + te.Value
			e.Line = yamlKeyLine(src, strings.Split(te.Field, "."))
		}
		return Overrides{}, e
	}
	if doc.Kind != "Pod" {
		return Overrides{}, &PodError{File: name, Line: yamlKeyLine(src, []string{"kind"}), Field: "kind", Msg: fmt.Sprintf("want Pod, got %q", doc.Kind)}
	}
	var names []string
	idx := -1
	for i, c := range doc.Spec.Containers {
		names = append(names, c.Name)
		if c.Name == container || (container == "" && len(doc.Spec.Containers) == 1) {
			idx = i
		}
	}
	if idx < 0 {
		msg := fmt.Sprintf("no container named %q (containers: %s)", container, strings.Join(names, ", "))
		if container == "" {
			msg = fmt.Sprintf("%d containers; name one (containers: %s)", len(names), strings.Join(names, ", "))
		}
		return Overrides{}, &PodError{File: name, Line: yamlKeyLine(src, []string{"spec", "containers"}), Field: "spec.containers", Msg: msg}
	}
	meta := PodMeta{Name: doc.Metadata.Name, Namespace: doc.Metadata.Namespace, UID: doc.Metadata.UID}
	k, err := mergeContainer(name, src, meta, &doc.Spec, doc.Spec.Containers[idx], "spec.containers["+strconv.Itoa(idx)+"]")
	if err != nil {
		return Overrides{}, err
	}
	return Overrides{Kube: k}, nil
}

// parsePodStream is ParsePod of a file of several documents: the Pod
// among them, or the Pod with a container named container; lines in
// errors are lines of the file.
func (y YAML) parsePodStream(name string, docs [][]byte, starts []int, container string) (Overrides, error) {
	type pod struct {
		doc  int
		name string
	}
	var pods, having []pod
	var kinds []string
	for i, d := range docs {
		js, err := y.ToJSON(name, d)
		if err != nil {
			return Overrides{}, atLine(err, starts[i])
		}
		// The kind alone first: a Pod whose fields have the wrong types is
		// still the Pod, and ParsePod of it says what is wrong.
		var h struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal(js, &h) != nil || h.Kind == "" {
			continue // not an object with a kind
		}
		kinds = append(kinds, h.Kind)
		if h.Kind != "Pod" {
			continue
		}
		var meta struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Spec struct {
				Containers []struct {
					Name string `json:"name"`
				} `json:"containers"`
			} `json:"spec"`
		}
		json.Unmarshal(js, &meta) // what it can: the names
		p := pod{i, meta.Metadata.Name}
		pods = append(pods, p)
		for _, c := range meta.Spec.Containers {
			if c.Name == container {
				having = append(having, p)
				break
			}
		}
	}
	names := func(ps []pod) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.name)
		}
		return strings.Join(s, ", ")
	}
	pick := pods
	switch {
	case len(pods) == 0:
		return Overrides{}, &PodError{File: name, Field: "kind", Msg: fmt.Sprintf("no Pod among its %d documents (kinds: %s)", len(docs), strings.Join(kinds, ", "))}
	case container != "" && len(having) > 0:
		pick = having
	}
	if len(pick) > 1 {
		msg := fmt.Sprintf("%d Pods (%s); keep one in the file", len(pick), names(pick))
		if container == "" {
			msg += ", or name a container that only one has"
		}
		return Overrides{}, &PodError{File: name, Field: "kind", Msg: msg}
	}
	d := pick[0].doc
	ov, err := y.ParsePod(name, docs[d], container)
	return ov, atLine(err, starts[d])
}

// atLine moves the line of a *PodError by off lines (a document's place in
// its file).
func atLine(err error, off int) error {
	var pe *PodError
	if errors.As(err, &pe) && pe.Line > 0 {
		pe.Line += off
	}
	return err
}

// yamlKeyLine returns the 1-based line of the key that path names in a
// block-style YAML document (list indices, given as numbers, pick the
// n-th "- " item; a path ending in an index names the item's "- " line),
// or 0 when it cannot be found. It reads indentation
// only: flow collections and multi-document files give 0 or the first
// match. A JSON document (kubectl -o json) is read by jsonKeyLine.
func yamlKeyLine(src []byte, path []string) int {
	if t := bytes.TrimLeft(src, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return jsonKeyLine(src, path)
	}
	type frame struct {
		indent int
		key    string
	}
	var stack []frame
	items := map[string]int{} // list item counters by parent key path
	lines := strings.Split(string(src), "\n")
	for n, raw := range lines {
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(trimmed)
		item := false
		floor := indent // frames at or beyond it end here
		if strings.HasPrefix(trimmed, "- ") || trimmed == "-" {
			// A new item ends the previous one (whose frame sits one
			// column left of its keys) and all within it.
			item = true
			floor = indent + 1
			trimmed = strings.TrimLeft(trimmed[1:], " ")
			indent = len(line) - len(trimmed)
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= floor {
			stack = stack[:len(stack)-1]
		}
		var keys []string
		for _, f := range stack {
			keys = append(keys, f.key)
		}
		if item {
			parent := strings.Join(keys, ".")
			idx := items[parent]
			items[parent] = idx + 1
			stack = append(stack, frame{indent - 1, strconv.Itoa(idx)})
			keys = append(keys, strconv.Itoa(idx))
			if len(path) > 0 && isIndex(path[len(path)-1]) && matchPath(keys, path) {
				return n + 1 // the item itself: its "- " line
			}
		}
		key, _, ok := strings.Cut(trimmed, ":")
		if !ok || strings.ContainsAny(key, "{[\"'") {
			continue
		}
		key = strings.TrimSpace(key)
		stack = append(stack, frame{indent, key})
		if matchPath(append(keys, key), path) {
			return n + 1
		}
	}
	return 0
}

// matchPath compares a key path from the file with a wanted one; a wanted
// path without list indices (as json.UnmarshalTypeError.Field gives)
// matches any index.
func matchPath(have, want []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
			continue
		}
		if _, err := strconv.Atoi(h); err == nil {
			continue
		}
		return false
	}
	return i == len(want)
}

// An SCC is an OpenShift SecurityContextConstraints preset: what its
// admission sets on a container that does not set it.
type SCC struct {
	// Name is the SCC's name.
	Name string
	// UID is the uid MustRunAsRange assigns: the first of the namespace's
	// openshift.io/sa.scc.uid-range annotation.
	UID int64
	// UIDs is the size of that range (OpenShift gives a namespace 10000):
	// a runAsUser outside [UID, UID+UIDs) is refused at admission.
	UIDs int64
	// FSGroup is the fsGroup MustRunAs assigns (the first of the
	// namespace's supplemental-groups range), added to the supplementary
	// groups by the kubelet.
	FSGroup int64
	// Drop is requiredDropCapabilities.
	Drop []string
	// Allowed is allowedCapabilities: the only ones a container may add.
	Allowed []string
	// AllowPrivilegeEscalation is allowPrivilegeEscalation (and its
	// default).
	AllowPrivilegeEscalation bool
	// AllowPrivilegedContainer is allowPrivilegedContainer: false refuses
	// a container with securityContext.privileged true.
	AllowPrivilegedContainer bool
}

// RestrictedV2 is OpenShift 4.11+'s restricted-v2 SCC (from the shipped
// manifests): uid from the namespace range, fsGroup MustRunAs,
// requiredDropCapabilities ALL, allowPrivilegeEscalation false. The ids
// are those of a typical namespace, 1000680000; GID 0 is not set here: it
// comes from CRI-O and containerd resolving a uid absent from /etc/passwd
// to gid 0.
var RestrictedV2 = SCC{Name: "restricted-v2", UID: 1000680000, UIDs: 10000, FSGroup: 1000680000, Drop: []string{"ALL"}, Allowed: []string{"NET_BIND_SERVICE"}}

// Refuses says why the SCC's admission refuses k, "" if it does not: a
// runAsUser outside the namespace's range (MustRunAsRange), a privileged
// container when allowPrivilegedContainer is false (openshift
// apiserver-library-go pkg/securitycontextconstraints/sccmatching
// provider.go:ValidateContainerSecurityContext; restricted-v2 sets it
// false), a capability added that allowedCapabilities does not list. Other refusals
// (privilege escalation asked for) are not modelled. The text is a
// summary, not the API server's words.
func (s SCC) Refuses(k KubeContainer) string {
	if k.RunAsUser != nil && s.UIDs > 0 && (*k.RunAsUser < s.UID || *k.RunAsUser >= s.UID+s.UIDs) {
		return fmt.Sprintf("runAsUser %d is outside the namespace's range [%d, %d]", *k.RunAsUser, s.UID, s.UID+s.UIDs-1)
	}
	if k.Privileged && !s.AllowPrivilegedContainer {
		return "privileged containers are not allowed (allowPrivilegedContainer: false)"
	}
	for _, c := range k.CapAdd {
		name := strings.TrimPrefix(strings.ToUpper(c), "CAP_")
		if !slices.Contains(s.Allowed, name) {
			return fmt.Sprintf("capability %s may not be added (allowedCapabilities: %s)", name, strings.Join(s.Allowed, ", "))
		}
	}
	return ""
}

// Admit returns k as the SCC's admission leaves it: runAsUser set to UID
// and fsGroup added when the pod sets none, the required drops added,
// allowPrivilegeEscalation defaulted. Refuses says what it would not
// admit.
func (s SCC) Admit(k KubeContainer) KubeContainer {
	if k.RunAsUser == nil {
		uid := s.UID
		k.RunAsUser = &uid
	}
	if k.FSGroup == nil {
		g := s.FSGroup
		k.FSGroup = &g
	}
	k.CapDrop = append(append([]string{}, s.Drop...), k.CapDrop...)
	if k.AllowPrivilegeEscalation == nil {
		ape := s.AllowPrivilegeEscalation
		k.AllowPrivilegeEscalation = &ape
	}
	return k
}

// yamlLines is the number of lines of src as go-yaml counts them: breaks
// are "\n", "\r\n", a lone "\r", and (YAML 1.1's b-char production)
// NEL U+0085, LS U+2028 and PS U+2029.
func yamlLines(src []byte) int {
	n := 1
	for _, r := range strings.ReplaceAll(string(src), "\r\n", "\n") {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// jsonKeyLine is yamlKeyLine for a JSON document: the 1-based line of the
// key path names, or of the value's opening bracket when path ends in a
// list index; 0 when it is not there or the JSON is malformed.
func jsonKeyLine(src []byte, path []string) int {
	dec := json.NewDecoder(bytes.NewReader(src))
	line := func(back int64) int {
		off := dec.InputOffset() - back
		return 1 + bytes.Count(src[:max(0, off)], []byte("\n"))
	}
	// value reads one value at p; found > 0 stops the walk.
	var value func(p []string) (found int, stop bool)
	value = func(p []string) (int, bool) {
		tok, err := dec.Token()
		if err != nil {
			return 0, true
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				ks, ok := k.(string)
				if err != nil || !ok {
					return 0, true
				}
				kp := append(append([]string{}, p...), ks)
				if matchPath(kp, path) {
					return line(0), true
				}
				if l, stop := value(kp); stop {
					return l, true
				}
			}
			if _, err := dec.Token(); err != nil {
				return 0, true
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				ip := append(append([]string{}, p...), strconv.Itoa(i))
				if len(path) > 0 && isIndex(path[len(path)-1]) && matchPath(ip, path) {
					// The item's opening bracket: the next token.
					next, err := dec.Token()
					if err != nil {
						return 0, true
					}
					if _, ok := next.(json.Delim); ok {
						return line(1), true
					}
					return line(0), true
				}
				if l, stop := value(ip); stop {
					return l, true
				}
			}
			if _, err := dec.Token(); err != nil {
				return 0, true
			}
		}
		return 0, false
	}
	l, _ := value(nil)
	return l
}
