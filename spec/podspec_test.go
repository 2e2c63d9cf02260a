package spec_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
)

var deployment = pod(
	"apiVersion: apps/v1",
	"kind: Deployment",
	"metadata:",
	"  name: web",
	"spec:",
	"  template:",
	"    spec:",
	"      securityContext:",
	"        runAsUser: 1000",
	"        fsGroup: 2000",
	"      initContainers:",
	"      - name: setup",
	"        image: busybox",
	"      containers:",
	"      - image: nginx:1.25",
	"        name: app",
	"        securityContext:",
	"          runAsUser: 1001",
	"      - name: side",
	"        image: envoy",
)

// TestPodSpecContainers pins what PodSpecContainers reads from a pod spec
// at a path: init containers first, the pod's securityContext merged into
// each, the line of each entry.
func TestPodSpecContainers(t *testing.T) {
	rows := []struct {
		name string
		src  []byte
		path []string
		want []string // one line per container; or "error: …"
		rule string
	}{
		{"deployment", deployment, []string{"spec", "template", "spec"}, []string{
			"12 init spec.template.spec.initContainers[0] busybox default/web/setup user=1000 group=- fs=2000",
			"15 spec.template.spec.containers[0] nginx:1.25 default/web/app user=1001 group=- fs=2000",
			"19 spec.template.spec.containers[1] envoy default/web/side user=1000 group=- fs=2000",
		}, "template containers, init first; the container's runAsUser over the pod's; the line of the entry's first key"},
		{"missing_template", deployment, []string{"spec", "jobTemplate", "spec"}, []string{
			"error: pod.yaml:5: spec.jobTemplate: missing",
		}, "a path the document lacks names the field"},
		{"image_type", pod("spec:", "  containers:", "  - name: a", "    image: [x]"), []string{"spec"}, []string{
			`error: pod.yaml:4: spec.containers[0].image: want string, got ["x"]`,
		}, "an image that is not a string"},
		{"json", []byte(`{"items":[{"spec":{"containers":[{"name":"a","image":"x"}]}}]}`), []string{"items", "0", "spec"}, []string{
			"1 items.0.spec.containers[0] x default//a user=- group=- fs=-",
		}, "JSON, a list index in the path: the line of the item's brace"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		cs, err := spec.PodSpecContainers("pod.yaml", r.src, r.path, spec.PodMeta{Name: "web"})
		var got []string
		if err != nil {
			got = []string{"error: " + err.Error()}
		}
		for _, c := range cs {
			init := ""
			if c.Init {
				init = "init "
			}
			k := c.Kube
			if r.name == "json" {
				k.Pod = ""
			}
			got = append(got, fmt.Sprintf("%d %s%s %s %s/%s/%s user=%s group=%s fs=%s", c.Line, init, c.Field, c.Image, k.Namespace, k.Pod, k.Name, ptr(k.RunAsUser), ptr(k.RunAsGroup), ptr(k.FSGroup)))
		}
		if strings.Join(got, "\n") != strings.Join(r.want, "\n") {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.name, r.rule, strings.Join(got, "\n     "), strings.Join(r.want, "\n     "))
		}
	}
}
