// Package workload reads Kubernetes workload manifests — Pod, Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
// and a List of them (`kubectl get -A -o json` or -o yaml) — in YAML, with
// one or several documents, or JSON, into their containers, each with the
// pod's securityContext merged into its own as the kubelet merges them
// (spec.PodSpecContainers).
//
// Init containers are read too (Container.Init): the kubelet creates and
// starts them through the same CRI calls, and a pod whose init container
// cannot start never starts its containers. Ephemeral containers are not
// read (they are added to running pods, not written in manifests).
//
// Documents of other kinds (Service, ConfigMap, …) are skipped; a file
// with no workload at all is an error, so that a wrong file is not taken
// for one that passes.
package workload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/preexec/preexec/spec"
)

// A Container is one container of a workload's pod template.
type Container struct {
	// Kind, Namespace and Name are the workload's ("Deployment", "shop",
	// "web"); Namespace is "" when the manifest sets none.
	Kind, Namespace, Name string
	// File is the manifest's name as given to Parse.
	File string
	// UID is the workload's metadata.uid ("" when the manifest has none,
	// as one written by hand).
	UID string
	// Owner is the workload's controller (metadata.ownerReferences with
	// controller: true): the ReplicaSet of a Deployment's Pod, the
	// Deployment of a ReplicaSet, the CronJob of a Job; nil when it has
	// none.
	Owner *Owner
	spec.PodContainer
}

// An Owner is a controller named by an ownerReference: in the owned
// object's namespace.
type Owner struct {
	Kind, Name, UID string
}

// Key is the container's identity: namespace, kind, workload, init or
// not (init containers sort first), container name and image, joined by
// NULs. Sorting (by namespace first, as kubectl get -A) and sharding use
// it, so that neither depends on the order inputs are given in.
func (c Container) Key() string {
	init := "1"
	if c.Init {
		init = "0"
	}
	return strings.Join([]string{c.Namespace, c.Kind, c.Name, init, c.Kube.Name, c.Image}, "\x00")
}

// templatePath is where each kind keeps its pod spec.
var templatePath = map[string][]string{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// Kinds are the workload kinds Parse reads, besides List.
func Kinds() []string {
	return []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
}

type header struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		UID       string `json:"uid"`
		// OwnerReferences are read leniently: a malformed one names no
		// controller.
		OwnerReferences []json.RawMessage `json:"ownerReferences"`
	} `json:"metadata"`
	Items []json.RawMessage `json:"items"`
}

// ErrNoWorkload is behind Parse's error for a file that holds no workload
// (only a Service, a ConfigMap, …): a directory of manifests may have
// such files beside its workloads.
var ErrNoWorkload = errors.New("no workload")

// Parse returns the containers of every workload in src, in the order the
// file has them (per workload: init containers, then containers). name is
// the file name errors and Container.File carry. Errors are
// *spec.PodError: file, line (in the whole file, not the document) and
// field.
func Parse(name string, src []byte) ([]Container, error) { return ParseWith(name, src, spec.YAML{}) }

// ParseWith is Parse reading the YAML as y does (its bound on alias
// expansion).
func ParseWith(name string, src []byte, y spec.YAML) ([]Container, error) {
	var out []Container
	docs, starts := spec.SplitYAML(src)
	workloads := 0
	for d, doc := range docs {
		off := starts[d]
		cs, n, err := parseDoc(name, doc, y)
		if err != nil {
			var pe *spec.PodError
			if errors.As(err, &pe) && pe.Line > 0 {
				pe.Line += off
			}
			return nil, err
		}
		for i := range cs {
			if cs[i].Line > 0 {
				cs[i].Line += off
			}
		}
		workloads += n
		out = append(out, cs...)
	}
	if workloads == 0 {
		return nil, &spec.PodError{File: name, Msg: "no workload (" + strings.Join(Kinds(), ", ") + ", or a List of them)", Err: ErrNoWorkload}
	}
	return out, nil
}

// parseDoc reads one document: its containers and how many workloads it
// holds.
func parseDoc(name string, doc []byte, y spec.YAML) ([]Container, int, error) {
	js, err := y.ToJSON(name, doc)
	if err != nil {
		return nil, 0, err
	}
	js = bytes.TrimSpace(js)
	if len(js) == 0 || string(js) == "null" {
		return nil, 0, nil
	}
	if js[0] != '{' {
		return nil, 0, &spec.PodError{File: name, Line: 1, Msg: "want a Kubernetes object, got " + string(js[:min(len(js), 20)])}
	}
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return nil, 0, &spec.PodError{File: name, Msg: jsonMsg(js, err), Err: err}
	}
	if h.Kind == "List" || (strings.HasSuffix(h.Kind, "List") && h.Items != nil) {
		isJSON := bytes.HasPrefix(bytes.TrimSpace(doc), []byte("{"))
		// Each item as written, and the line it begins on, so that an
		// item is read alone (not the whole list again per item) and
		// lines are lines of the file.
		var itemLines []int
		var itemSrc [][]byte
		if isJSON {
			if raws, lines, ok := jsonItems(doc); ok && len(raws) == len(h.Items) {
				h.Items, itemLines = raws, lines
			}
		} else if srcs, lines := yamlItems(doc); len(srcs) == len(h.Items) {
			itemSrc, itemLines = srcs, lines
		}
		var out []Container
		n := 0
		for i, raw := range h.Items {
			var ih header
			if err := json.Unmarshal(raw, &ih); err != nil {
				pe := &spec.PodError{File: name, Field: "items[" + strconv.Itoa(i) + "]", Msg: jsonMsg(raw, err), Err: err}
				if itemLines != nil {
					pe.Line = itemLines[i]
				}
				return nil, 0, pe
			}
			path, ok := templatePath[ih.Kind]
			if !ok {
				continue
			}
			n++
			var cs []spec.PodContainer
			if isJSON || itemSrc != nil {
				src := []byte(raw)
				if itemSrc != nil {
					src = itemSrc[i]
				}
				cs, err = y.PodSpecContainers(name, src, path, meta(ih))
				prefixField(err, cs, "items["+strconv.Itoa(i)+"].")
				if itemLines != nil {
					shiftLines(err, cs, itemLines[i]-1)
				}
				if err != nil && itemSrc != nil {
					// An alias to an anchor of another item is no error in
					// the whole document: read the item there.
					if whole, werr := y.PodSpecContainers(name, doc, append([]string{"items", strconv.Itoa(i)}, path...), meta(ih)); werr == nil {
						cs, err = whole, nil
					}
				}
			} else {
				cs, err = y.PodSpecContainers(name, doc, append([]string{"items", strconv.Itoa(i)}, path...), meta(ih))
			}
			if err != nil {
				return nil, 0, err
			}
			out = append(out, containers(name, ih, cs)...)
		}
		return out, n, nil
	}
	path, ok := templatePath[h.Kind]
	if !ok {
		return nil, 0, nil
	}
	cs, err := y.PodSpecContainers(name, doc, path, meta(h))
	if err != nil {
		return nil, 0, err
	}
	return containers(name, h, cs), 1, nil
}

// jsonMsg says what is wrong with an object's kind, metadata or items in
// manifest terms: "want an object, got string", "metadata.name: want
// string, got number" (never Go's type names).
func jsonMsg(raw []byte, err error) string {
	kindOf := func(b []byte) string {
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return "nothing"
		}
		switch b[0] {
		case '{':
			return "object"
		case '[':
			return "list"
		case '"':
			return "string"
		case 't', 'f':
			return "bool"
		case 'n':
			return "null"
		}
		return "number"
	}
	if k := kindOf(raw); k != "object" {
		return "want an object, got " + k
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "string"
		switch te.Type.Kind().String() {
		case "slice":
			want = "a list"
		case "struct", "map":
			want = "an object"
		}
		if te.Field != "" {
			return te.Field + ": want " + want + ", got " + te.Value
		}
		return "want " + want + ", got " + te.Value
	}
	return "not a Kubernetes object"
}

func meta(h header) spec.PodMeta {
	return spec.PodMeta{Name: h.Metadata.Name, Namespace: h.Metadata.Namespace, UID: h.Metadata.UID}
}

func containers(name string, h header, cs []spec.PodContainer) []Container {
	out := make([]Container, len(cs))
	owner := controller(h)
	for i, c := range cs {
		if h.Kind != "Pod" {
			// The controller names its pods (web-7d9c5-x2k4q, db-0) and
			// the API server gives them UIDs: neither is the workload's.
			c.Kube.Pod, c.Kube.UID = h.Metadata.Name+"-<…>", ""
		}
		out[i] = Container{Kind: h.Kind, Namespace: h.Metadata.Namespace, Name: h.Metadata.Name, File: name, UID: h.Metadata.UID, Owner: owner, PodContainer: c}
	}
	return out
}

// controller is the object's controlling owner, nil when it has none.
func controller(h header) *Owner {
	for _, raw := range h.Metadata.OwnerReferences {
		var ref struct {
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			UID        string `json:"uid"`
			Controller *bool  `json:"controller"`
		}
		if json.Unmarshal(raw, &ref) == nil && ref.Controller != nil && *ref.Controller && ref.Kind != "" && ref.Name != "" {
			return &Owner{Kind: ref.Kind, Name: ref.Name, UID: ref.UID}
		}
	}
	return nil
}

// OwnedBySome reports, for each container, whether its workload's
// controller is itself among cs (by uid when both have one, else by
// namespace, kind and name): a Deployment's ReplicaSet and Pods listed
// with it (kubectl get -A -o json lists all three) are the Deployment's
// containers again. A container whose controller is not among cs (kubectl
// get pods) is not.
func OwnedBySome(cs []*Container) []bool {
	byName := map[[3]string]bool{}
	byUID := map[string]bool{}
	for _, c := range cs {
		byName[[3]string{c.Namespace, c.Kind, c.Name}] = true
		if c.UID != "" {
			byUID[c.UID] = true
		}
	}
	out := make([]bool, len(cs))
	for i, c := range cs {
		o := c.Owner
		if o == nil {
			continue
		}
		out[i] = o.UID != "" && byUID[o.UID] || byName[[3]string{c.Namespace, o.Kind, o.Name}]
	}
	return out
}

// prefixField makes the fields of an item's error and containers paths of
// the list.
func prefixField(err error, cs []spec.PodContainer, prefix string) {
	var pe *spec.PodError
	if errors.As(err, &pe) && pe.Field != "" {
		pe.Field = prefix + pe.Field
	}
	for i := range cs {
		cs[i].Field = prefix + cs[i].Field
	}
}

// String is the workload as kubectl names a resource: kind/name, lower
// case ("deployment/web").
func (c Container) String() string {
	return fmt.Sprintf("%s/%s", strings.ToLower(c.Kind), c.Name)
}

// shiftLines moves an item's lines (1 is its first) to the file's.
func shiftLines(err error, cs []spec.PodContainer, by int) {
	var pe *spec.PodError
	if errors.As(err, &pe) && pe.Line > 0 {
		pe.Line += by
	}
	for i := range cs {
		if cs[i].Line > 0 {
			cs[i].Line += by
		}
	}
}

// jsonItems returns the items of a JSON List as written and the 1-based
// line each begins on; ok is false when doc is not such a list.
func jsonItems(doc []byte) (items []json.RawMessage, lines []int, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		if k != "items" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil, nil, false
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil, nil, false
		}
		for dec.More() {
			off := dec.InputOffset()
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return nil, nil, false
			}
			start := int(off) + bytes.IndexAny(doc[off:], "{[\"0123456789-tfn")
			items = append(items, raw)
			lines = append(lines, 1+bytes.Count(doc[:start], []byte("\n")))
		}
		return items, lines, true
	}
	return nil, nil, false
}

// yamlItems returns the items of a block-style YAML List ("items:" at the
// top level, then "- " entries), each as a document of its own (the
// entry dedented), and the 1-based line each begins on; nil when the
// list is not written that way.
func yamlItems(doc []byte) (items [][]byte, starts []int) {
	lines := bytes.SplitAfter(doc, []byte("\n"))
	i := 0
	for ; i < len(lines); i++ {
		if string(bytes.TrimRight(lines[i], " \r\n")) == "items:" {
			break
		}
	}
	dash := -1
	var spans [][2]int
	for i++; i < len(lines); i++ {
		l := bytes.TrimRight(lines[i], "\r\n")
		t := bytes.TrimLeft(l, " ")
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		ind := len(l) - len(t)
		item := bytes.HasPrefix(t, []byte("- ")) || len(t) == 1 && t[0] == '-'
		switch {
		case dash < 0 && !item:
			return nil, nil
		case dash < 0:
			dash = ind
		}
		if ind < dash || ind == dash && !item {
			break
		}
		if ind == dash {
			spans = append(spans, [2]int{i, i + 1})
		} else {
			spans[len(spans)-1][1] = i + 1
		}
	}
	for _, sp := range spans {
		var b bytes.Buffer
		for j := sp[0]; j < sp[1]; j++ {
			l := lines[j]
			if j == sp[0] {
				l = append(bytes.Repeat([]byte(" "), dash+1), l[dash+1:]...) // "- " → "  "
			}
			cut := 0
			for cut < dash+2 && cut < len(l) && l[cut] == ' ' {
				cut++
			}
			b.Write(l[cut:])
		}
		items = append(items, b.Bytes())
		starts = append(starts, sp[0]+1)
	}
	return items, starts
}
