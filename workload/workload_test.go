package workload_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/workload"
)

// kubectlRecorded are the files of testdata/kubectl and the kubectl
// (client v1.32, no server) commands that printed them.
var kubectlRecorded = []struct {
	file string
	args []string
}{
	{"deployment.yaml", []string{"create", "deployment", "web", "--image=registry.example/web:1.0", "--replicas=2", "--dry-run=client", "-o", "yaml"}},
	{"deployment-two.json", []string{"create", "deployment", "two", "--image=registry.example/a:1", "--image=registry.example/b:1", "--dry-run=client", "-o", "json"}},
	{"job.yaml", []string{"create", "job", "migrate", "--image=registry.example/migrate:3", "--dry-run=client", "-o", "yaml", "--", "/bin/migrate", "up"}},
	{"cronjob.yaml", []string{"create", "cronjob", "nightly", "--image=registry.example/batch:4", "--schedule=0 3 * * *", "--dry-run=client", "-o", "yaml", "--", "/bin/batch"}},
	{"kustomize.yaml", []string{"kustomize", "testdata/kubectl/kustomize"}},
}

// TestKubectlRecorded checks that the recorded manifests are what kubectl
// prints, when kubectl is here (PREEXEC_RECORD=1 rewrites them); without
// kubectl the recordings stand.
func TestKubectlRecorded(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not in PATH: the recordings in testdata/kubectl are used as they are")
	}
	for _, r := range kubectlRecorded {
		cmd := exec.Command(kubectl, r.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("kubectl %s: %v: %s", strings.Join(r.args, " "), err, stderr.String())
			continue
		}
		p := filepath.Join("testdata", "kubectl", r.file)
		if os.Getenv("PREEXEC_RECORD") == "1" {
			if err := os.WriteFile(p, out, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("kubectl %s no longer prints %s (PREEXEC_RECORD=1 records it):\n%s", strings.Join(r.args, " "), p, out)
		}
	}
}

// line renders a container for the tables below.
func line(c workload.Container) string {
	k := c.Kube
	id := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	init := ""
	if c.Init {
		init = " init"
	}
	return fmt.Sprintf("%s:%d %s ns=%s %s%s image=%s user=%s group=%s fs=%s nnp=%v cmd=%q args=%q",
		filepath.Base(c.File), c.Line, c, c.Namespace, k.Name, init, c.Image, id(k.RunAsUser), id(k.RunAsGroup), id(k.FSGroup), k.NoNewPrivs(), k.Command, k.Args)
}

// TestParse pins the containers read from manifests as kubectl prints
// them, a List in `kubectl get -A -o json` form, and several documents.
func TestParse(t *testing.T) {
	for _, r := range []struct {
		file string
		want []string
		rule string
	}{
		{"kubectl/deployment.yaml", []string{
			`deployment.yaml:21 deployment/web ns= web image=registry.example/web:1.0 user=- group=- fs=- nnp=false cmd=[] args=[]`,
		}, "Deployment: spec.template.spec; kubectl prints image before name: the entry's first line"},
		{"kubectl/deployment-two.json", []string{
			`deployment-two.json:27 deployment/two ns= a image=registry.example/a:1 user=- group=- fs=- nnp=false cmd=[] args=[]`,
			`deployment-two.json:32 deployment/two ns= b image=registry.example/b:1 user=- group=- fs=- nnp=false cmd=[] args=[]`,
		}, "JSON: containers in order, each at its opening brace"},
		{"kubectl/job.yaml", []string{
			`job.yaml:12 job/migrate ns= migrate image=registry.example/migrate:3 user=- group=- fs=- nnp=false cmd=["/bin/migrate" "up"] args=[]`,
		}, "Job: kubectl create job -- CMD sets command"},
		{"kubectl/cronjob.yaml", []string{
			`cronjob.yaml:17 cronjob/nightly ns= nightly image=registry.example/batch:4 user=- group=- fs=- nnp=false cmd=["/bin/batch"] args=[]`,
		}, "CronJob: spec.jobTemplate.spec.template.spec"},
		{"kubectl/kustomize.yaml", []string{
			`kustomize.yaml:28 statefulset/db ns=shop db image=registry.example/db:15 user=- group=- fs=- nnp=false cmd=[] args=[]`,
			`kustomize.yaml:46 pod/api ns=shop setup init image=registry.example/setup:1 user=1000 group=- fs=2000 nnp=false cmd=[] args=[]`,
			`kustomize.yaml:40 pod/api ns=shop api image=registry.example/api:2 user=1001 group=- fs=2000 nnp=true cmd=[] args=[]`,
		}, "several documents, a Service skipped; lines in the whole file; init containers first, the pod's fsGroup merged"},
		{"list.json", []string{
			`list.json:16 deployment/web ns=shop web image=registry.example/web:1.0 user=1000680000 group=0 fs=- nnp=false cmd=[] args=[]`,
			`list.json:51 cronjob/nightly ns=ops nightly image=registry.example/batch:4 user=65534 group=- fs=- nnp=false cmd=[] args=[]`,
		}, "a List (kubectl get -A -o json): its workload items, a Service skipped"},
	} {
		src, err := os.ReadFile(filepath.Join("testdata", r.file))
		if err != nil {
			t.Fatal(err)
		}
		cs, err := workload.Parse(filepath.Join("testdata", r.file), src)
		if err != nil {
			t.Errorf("%s: %v", r.file, err)
			continue
		}
		var got []string
		for _, c := range cs {
			got = append(got, line(c))
		}
		if strings.Join(got, "\n") != strings.Join(r.want, "\n") {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.file, r.rule, strings.Join(got, "\n     "), strings.Join(r.want, "\n     "))
		}
	}
}

// TestParseErrors pins file, line and field of bad manifests.
func TestParseErrors(t *testing.T) {
	for _, r := range []struct {
		name, src, want, rule string
	}{
		{"second_doc", "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: b\n        securityContext:\n          runAsUser: bob\n",
			"w.yaml:14: spec.template.spec.containers.securityContext.runAsUser: want number, got string", "a line in the second document is a line of the file"},
		{"no_template", "kind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 1\n",
			"w.yaml:4: spec.template: missing", "a workload without its pod template"},
		{"no_workload", "kind: Service\nmetadata:\n  name: x\n",
			"w.yaml: no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, or a List of them)", "a file of other kinds is an error, not a pass"},
		{"syntax", "kind: Pod\nspec:\n\tcontainers: []\n",
			"w.yaml:3: found character that cannot start any token", "YAML syntax: the parser's line"},
		{"json_list_item", "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Service\"},\n    {\n      \"kind\": \"Pod\",\n      \"spec\": {\n        \"containers\": [\n          {\n            \"name\": \"a\",\n            \"securityContext\": {\"runAsUser\": \"bob\"}\n          }\n        ]\n      }\n    }\n  ]\n}\n",
			"w.yaml:11: items[1].spec.containers.securityContext.runAsUser: want number, got string", "an item of a JSON List: its field under items, the line in the file"},
		{"scalar", "just text\n", "w.yaml:1: want a Kubernetes object, got \"just text\"", "a document that is not an object"},
		{"negative_id", "kind: Job\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsUser: -5\n      containers:\n      - name: a\n        image: x\n",
			"w.yaml:6: spec.template.spec.securityContext.runAsUser: Invalid value: -5: must be between 0 and 2147483647, inclusive", "the API server's id range, at the pod's field"},
		{"no_containers", "kind: Pod\nmetadata:\n  name: p\nspec: {}\n",
			"w.yaml:4: spec.containers: Required value: a pod needs at least one container", "the API server's words for a pod without containers"},
		{"null_containers", "kind: Deployment\nspec:\n  template:\n    spec:\n      containers: null\n",
			"w.yaml:5: spec.template.spec.containers: Required value: a pod needs at least one container", "at the template's field"},
		{"item_not_object", "{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Service\"},\n  \"oops\"\n]}\n",
			"w.yaml:3: items[1]: want an object, got string", "manifest terms, not Go's types"},
		{"item_bad_metadata", "{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Pod\", \"metadata\": {\"name\": 5}}\n]}\n",
			"w.yaml:2: items[0]: metadata.name: want string, got number", "the field, in manifest terms"},
	} {
		_, err := workload.Parse("w.yaml", []byte(r.src))
		if err == nil || err.Error() != r.want {
			t.Errorf("%s (%s):\ngot  %v\nwant %s", r.name, r.rule, err, r.want)
		}
	}
}

// TestOwnedBySome: a controller's objects are owned when the controller
// is among the containers (by uid, or namespace, kind and name), not when
// it is absent; ownerReferences without controller: true own nothing.
func TestOwnedBySome(t *testing.T) {
	src := `{"kind":"List","items":[
{"kind":"Deployment","metadata":{"name":"web","namespace":"a","uid":"d1"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}},
{"kind":"ReplicaSet","metadata":{"name":"web-1","namespace":"a","uid":"r1","ownerReferences":[{"kind":"Deployment","name":"web","uid":"d1","controller":true}]},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}},
{"kind":"Pod","metadata":{"name":"web-1-x","namespace":"a","ownerReferences":[{"kind":"ReplicaSet","name":"web-1","controller":true}]},"spec":{"containers":[{"name":"c","image":"x"}]}},
{"kind":"Pod","metadata":{"name":"lone","namespace":"a","ownerReferences":[{"kind":"ReplicaSet","name":"gone","uid":"r9","controller":true}]},"spec":{"containers":[{"name":"c","image":"x"}]}},
{"kind":"Pod","metadata":{"name":"ref","namespace":"a","ownerReferences":[{"kind":"Deployment","name":"web","uid":"d1"}]},"spec":{"containers":[{"name":"c","image":"x"}]}},
{"kind":"Pod","metadata":{"name":"other-ns","namespace":"b","ownerReferences":[{"kind":"Deployment","name":"web","controller":true}]},"spec":{"containers":[{"name":"c","image":"x"}]}}
]}`
	cs, err := workload.Parse("l.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ptrs := make([]*workload.Container, len(cs))
	for i := range cs {
		ptrs[i] = &cs[i]
	}
	got := workload.OwnedBySome(ptrs)
	want := []bool{false, true, true, false, false, false}
	for i := range cs {
		if got[i] != want[i] {
			t.Errorf("%s/%s: owned %v, want %v", cs[i].Namespace, cs[i].Name, got[i], want[i])
		}
	}
}
