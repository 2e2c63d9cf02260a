package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/load"
)

// A missing input that looks like a path is "no such file or directory",
// without asking a registry (HTTPS_PROXY points nowhere: a lookup would
// say so); references stay references.
func TestScanMissingPaths(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	for _, in := range []string{"./nope.tar", "/tmp/nope/x.yaml", "nonexistent.yaml", "../x.tgz", "~/m.yml", "dir/sub/file", "some/dir"} {
		jobs := inputJobs([]string{in}, load.Limits{})
		if len(jobs) != 1 || !strings.HasPrefix(jobs[0].err, in+": no such file or directory") {
			t.Errorf("%s: %+v, want %q", in, jobs, in+": no such file or directory")
		}
	}
	for _, in := range []string{"nginx:1.25", "nginx", "127.0.0.1:5000/x:y", "ghcr.io/a/b@sha256:" + strings.Repeat("a", 64), "library/nginx:1.25", "localhost/x", "registry.example/app"} {
		jobs := inputJobs([]string{in}, load.Limits{})
		if len(jobs) != 1 || jobs[0].err != "" || jobs[0].path {
			t.Errorf("%s: %+v, want a reference", in, jobs)
		}
	}
	out, _, code := scanCmd("scan", "./nope.tar", "/tmp/nope/x.yaml", "nonexistent.yaml")
	want := "- - - ./nope.tar error: ./nope.tar: no such file or directory\n"
	if code != 2 || !strings.Contains(squeeze(out), want) || strings.Contains(out, "proxy") || strings.Contains(out, "v2") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestScanSARIFTexts: entrypoint.tar fails on crun and on runc 1.1.x+go1.19
// with different texts; SARIF gives one result per step and exact text,
// each listing exactly the runtimes that print it (check --json's), and
// describes rules by step, never by a cause; a file under the working
// directory is relative to %SRCROOT%.
func TestScanSARIFTexts(t *testing.T) {
	archive, _ := writeImages(t, entrypointRootfs, imagebuild.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}})
	fails, _ := failing(t, archive)
	out, _, code := scanCmd("scan", "--format", "sarif", archive)
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil || code != 1 {
		t.Fatalf("sarif: exit %d, %v:\n%s", code, err, out)
	}
	seen := map[string]bool{}
	texts := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		if r.Properties == nil || len(r.Properties.Runtimes) == 0 {
			t.Fatalf("result without runtimes: %+v", r)
		}
		for _, rt := range r.Properties.Runtimes {
			want, ok := fails[rt]
			if !ok || !strings.HasSuffix(r.Message.Text, ": "+want) {
				t.Errorf("%s: result %q, check says %q", rt, r.Message.Text, want)
			}
			if seen[rt] {
				t.Errorf("%s in two results", rt)
			}
			seen[rt] = true
			texts[want] = true
		}
		if loc := r.Locations[0].PhysicalLocation.ArtifactLocation; loc.URI != "file://"+archive {
			t.Errorf("location %+v, want file://%s", loc, archive)
		}
	}
	if len(seen) != len(fails) || len(texts) < 2 {
		t.Errorf("%d runtimes in results, check has %d failing; %d distinct texts, want at least 2", len(seen), len(fails), len(texts))
	}
	for _, rule := range log.Runs[0].Tool.Driver.Rules {
		if d := rule.ShortDescription.Text; strings.Contains(d, "not found") || strings.Contains(d, "permission") {
			t.Errorf("rule %s described by a cause: %q", rule.ID, d)
		}
	}
	// Relative to the working directory when under it.
	t.Chdir(filepath.Dir(archive))
	out, _, _ = scanCmd("scan", "--format", "sarif", "--runtime", "crun@1.8.1", "image.tar")
	json.Unmarshal([]byte(out), &log)
	if loc := log.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation; loc.URI != "image.tar" || loc.URIBaseID != "%SRCROOT%" {
		t.Errorf("location %+v, want image.tar under %%SRCROOT%%", loc)
	}
}

// ownedList is kubectl get -A -o json of one Deployment: the Deployment,
// its ReplicaSet and its Pod, linked by controller ownerReferences; and
// a Pod whose ReplicaSet is not listed.
const ownedList = `{"apiVersion":"v1","kind":"List","items":[
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","uid":"d-1"},
 "spec":{"template":{"spec":{"containers":[{"name":"app","image":"preexec.test/ok:1"}]}}}},
{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-5d4","namespace":"shop","uid":"r-1",
 "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d-1","controller":true}]},
 "spec":{"template":{"spec":{"containers":[{"name":"app","image":"preexec.test/ok:1"}]}}}},
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-5d4-x7","namespace":"shop","uid":"p-1",
 "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4","uid":"r-1","controller":true}]},
 "spec":{"containers":[{"name":"app","image":"preexec.test/ok:1"}]}},
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api-6f-q2","namespace":"shop","uid":"p-2",
 "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"api-6f","uid":"r-9","controller":true}]},
 "spec":{"containers":[{"name":"api","image":"preexec.test/ok:1"}]}}
]}
`

// TestScanOwned: a Deployment listed with its ReplicaSet and Pod is one
// row, in one List or across files; a Pod whose controller is not
// scanned stays; the count left out is on stderr only.
func TestScanOwned(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	tmp := t.TempDir()
	list := filepath.Join(tmp, "all.json")
	os.WriteFile(list, []byte(ownedList), 0o644)
	out, errs, code := scanCmd("scan", "--json", "--runtime", "runc@1.1.4", "--images", dir, list)
	rows := jsonRows(t, out)
	if code != 0 || len(rows) != 2 || rows[0].Kind != "Deployment" || rows[1].Workload != "api-6f-q2" || !strings.Contains(errs, "scan: 2 containers left out") {
		t.Errorf("exit %d, stderr %q, rows %+v; want the Deployment and the unowned Pod", code, errs, rows)
	}
	// The Deployment in one file, its ReplicaSet and Pod in another.
	var doc struct{ Items []json.RawMessage }
	json.Unmarshal([]byte(ownedList), &doc)
	a, b := filepath.Join(tmp, "a.json"), filepath.Join(tmp, "b.json")
	os.WriteFile(a, doc.Items[0], 0o644)
	os.WriteFile(b, []byte(`{"kind":"List","items":[`+string(doc.Items[1])+`,`+string(doc.Items[2])+`]}`), 0o644)
	out, _, _ = scanCmd("scan", "--json", "--runtime", "runc@1.1.4", "--images", dir, b, a)
	if rows := jsonRows(t, out); len(rows) != 1 || rows[0].Kind != "Deployment" {
		t.Errorf("across files: %+v", rows)
	}
	// Alone (kubectl get pods -A), the Pods stay.
	out, errs, _ = scanCmd("scan", "--json", "--runtime", "runc@1.1.4", "--images", dir, b)
	if rows := jsonRows(t, out); len(rows) != 1 || rows[0].Kind != "ReplicaSet" || !strings.Contains(errs, "1 container left out") {
		t.Errorf("ReplicaSet and Pod without the Deployment: %+v, stderr %q", rows, errs)
	}
}

// TestScanManifestDir: a directory's Service and ConfigMap are skipped,
// its workloads scanned; a pod without containers is an error row with
// file:line and field, as the API server says.
func TestScanManifestDir(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	md := t.TempDir()
	os.WriteFile(filepath.Join(md, "svc.yaml"), []byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n"), 0o644)
	os.WriteFile(filepath.Join(md, "cm.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n"), 0o644)
	os.WriteFile(filepath.Join(md, "pod.yaml"), []byte(scanWorkloads[3].yaml()), 0o644)
	out, errs, code := scanCmd("scan", "--runtime", "runc@1.1.4", "--images", dir, md)
	if code != 0 || strings.Count(out, "\n") != 2 || strings.Contains(out, "error") {
		t.Errorf("exit %d, stderr %q:\n%s", code, errs, out)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "svc.yaml"), []byte("kind: Service\nmetadata:\n  name: s\n"), 0o644)
	if out, _, code := scanCmd("scan", empty); code != 2 || !strings.Contains(out, empty+": no workload") {
		t.Errorf("a directory of no workload: exit %d:\n%s", code, out)
	}
	for i, src := range []string{"kind: Pod\nmetadata:\n  name: p\nspec: {}\n", "kind: Pod\nmetadata:\n  name: p\nspec:\n  containers: null\n"} {
		f := filepath.Join(t.TempDir(), "p.yaml")
		os.WriteFile(f, []byte(src), 0o644)
		out, _, code := scanCmd("scan", f)
		want := fmt.Sprintf("%s:%d: spec.containers: Required value", f, 4+i)
		if code != 2 || !strings.Contains(out, want) {
			t.Errorf("%q: exit %d, want %q:\n%s", src, code, want, out)
		}
	}
}

// TestScanItemErrors: an item that is no object is said in manifest
// terms, with its line.
func TestScanItemErrors(t *testing.T) {
	f := filepath.Join(t.TempDir(), "l.json")
	os.WriteFile(f, []byte("{\"kind\":\"List\",\"items\":[\n{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x:1\"}]}},\n\"oops\"]}\n"), 0o644)
	out, _, code := scanCmd("scan", f)
	if want := f + ":3: items[1]: want an object, got string"; code != 2 || !strings.Contains(out, want) || strings.Contains(out, "workload.") {
		t.Errorf("exit %d, want %q:\n%s", code, want, out)
	}
}

// TestScanUpgradeSummary: an upgrade that changes nothing says so in one
// line (the shard line's counts in --json, rows "changed":true
// otherwise); an extrapolated side is named with why, and makes exit 3;
// a kernel-only upgrade with one runtime is headed by the kernels, and
// the kernel alone decides.
func TestScanUpgradeSummary(t *testing.T) {
	archive, _ := writeImages(t, distrolessRootfs, imagebuild.Config{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}})
	out, errs, code := scanCmd("scan", "--from", "runc@1.1.5", "--to", "runc@1.1.6", archive)
	if want := "no container changes outcome (1 container, runc@1.1.5 → runc@1.1.6)\n"; out != want || code != 0 || errs != "" {
		t.Errorf("exit %d, stderr %q, stdout %q; want %q", code, errs, out, want)
	}
	out, _, code = scanCmd("scan", "--json", "--from", "runc@1.1.5", "--to", "runc@1.1.6", archive)
	if len(jsonRows(t, out)) != 0 || !strings.Contains(out, `"containers":0,"scanned":1,"from":"runc@1.1.5","to":"runc@1.1.6"`) || code != 0 {
		t.Errorf("--json: exit %d: %s", code, out)
	}
	out, _, code = scanCmd("scan", "--from", "runc@1.1.5", "--to", "runc@1.9.0", archive)
	if code != 3 || !strings.Contains(out, "extrapolated: runc@1.9.0: runc 1.9.0 is not modelled") {
		t.Errorf("extrapolated --to: exit %d:\n%s", code, out)
	}
	entry, _ := writeImages(t, entrypointRootfs, imagebuild.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}})
	out, _, code = scanCmd("scan", "--engine", "containerd@1.6.20", "--from", "runc@1.1.4+go1.19", "--to", "runc@1.1.4+go1.19", "--from-kernel", "5.10", "--to-kernel", "5.4", entry)
	if code != 1 || !strings.Contains(out, "\n  kernel 5.10: starts\n  kernel 5.4: ") || !strings.Contains(out, "  change: Kernel 5.10 → 5.4") {
		t.Errorf("kernel only: exit %d:\n%s", code, out)
	}
	out, _, _ = scanCmd("scan", "--json", "--engine", "containerd@1.6.20", "--runtime", "runc@1.1.4+go1.19", "--runtime", "runc@1.1.5", "--from-kernel", "5.10", "--to-kernel", "5.4", entry)
	if rows := jsonRows(t, out); len(rows) != 1 || !rows[0].Changed || len(rows[0].Changes) != 1 || !rows[0].Changes[0].Decides {
		t.Errorf("kernel only, two runtimes: %s", out)
	}
}

// TestScanNoImage: a container without an image is an error row at its
// file:line, in the API server's words.
func TestScanNoImage(t *testing.T) {
	f := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(f, []byte("kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"), 0o644)
	out, _, code := scanCmd("scan", f)
	if want := f + ":6: spec.containers[0].image: Required value"; code != 2 || !strings.Contains(out, want) {
		t.Errorf("exit %d, want %q:\n%s", code, want, out)
	}
}

// TestScanPodUID: a refusal names the pod as the kubelet does,
// NAME_NAMESPACE(UID), with placeholders for what the API server sets.
func TestScanPodUID(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	out, _, _ := scanCmd("scan", "--runtime", "runc@1.1.4", "--images", dir, writeManifest(t, scanWorkloads[4:5]))
	if want := `(pod: "root_default(<uid>)", container: c)`; !strings.Contains(out, want) || strings.Contains(out, "()") {
		t.Errorf("want %s:\n%s", want, out)
	}
	f := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(f, []byte(`{"kind":"Pod","metadata":{"name":"root","namespace":"x","uid":"6f1c"},"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"c","image":"preexec.test/ok:1"}]}}`), 0o644)
	if out, _, _ := scanCmd("scan", "--runtime", "runc@1.1.4", "--images", dir, f); !strings.Contains(out, `(pod: "root_x(6f1c)", container: c)`) {
		t.Errorf("with a uid:\n%s", out)
	}
}

// TestScanOutput: --output writes the report whole to FILE and exits 0
// once written (a failing container is merge's exit status); 2 when it
// cannot write.
func TestScanOutput(t *testing.T) {
	archive, _ := writeImages(t, entrypointRootfs, imagebuild.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}})
	f := filepath.Join(t.TempDir(), "shard-0.jsonl")
	out, errs, code := scanCmd("scan", "--json", "--shard", "0/1", "--output", f, archive)
	if code != 0 || out != "" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, err := os.Stat(f + ".partial"); err == nil {
		t.Errorf("%s.partial left behind", f)
	}
	if m, _, code := scanCmd("merge", f); code != 1 || !strings.Contains(m, "fails on") {
		t.Errorf("merge: exit %d:\n%s", code, m)
	}
	if _, errs, code := scanCmd("scan", "--json", "--output", "/nonexistent/dir/x.jsonl", archive); code != 2 || !strings.Contains(errs, "--output: ") {
		t.Errorf("unwritable --output: exit %d, %q", code, errs)
	}
}

// TestWriteScanFleet writes n generated workloads and their --images
// directory under $PREEXEC_SCAN_FLEET (for measuring a scan's memory in a
// process of its own); skipped without it.
func TestWriteScanFleet(t *testing.T) {
	root := os.Getenv("PREEXEC_SCAN_FLEET")
	if root == "" {
		t.Skip("PREEXEC_SCAN_FLEET not set")
	}
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	if err := os.CopyFS(filepath.Join(root, "images"), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	m := writeManifest(t, genWorkloads(900, ""))
	src, _ := os.ReadFile(m)
	os.WriteFile(filepath.Join(root, "fleet.yaml"), src, 0o644)
}

// TestScanStream: rows are emitted in rowLess order however the workers
// finish (image order, parallel), each once.
func TestScanStream(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	ws := genWorkloads(70, "")
	manifest := writeManifest(t, ws)
	s, err := newScanner(scanOptions{images: dir, parallel: 8, format: "json", names: runtimeList{"runc@1.1.4", "crun@1.8.1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []scanRow
	s.stream(t.Context(), []string{manifest}, func(r *scanRow) { got = append(got, *r) })
	if len(got) != len(ws) {
		t.Fatalf("%d rows, want %d", len(got), len(ws))
	}
	for i := 1; i < len(got); i++ {
		if rowLess(&got[i], &got[i-1]) || got[i].Key == got[i-1].Key {
			t.Errorf("row %d (%s) after %s", i, got[i].Key, got[i-1].Key)
		}
	}
}

// TestScanManifestPathImage: a manifest's image that is a path is an
// error row at its line, not a registry lookup.
func TestScanManifestPathImage(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	f := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(f, []byte("kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: ./nope.tar\n"), 0o644)
	out, _, code := scanCmd("scan", f)
	if want := f + `:6: spec.containers[0].image: "./nope.tar" is not an image reference (a path)`; code != 2 || !strings.Contains(out, want) {
		t.Errorf("exit %d, want %q:\n%s", code, want, out)
	}
}
