package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/workload"
)

// scanImages are the test images scan reads: the two incidents' and one
// that every runtime starts as any user.
var scanImages = []struct {
	ref     string
	fixture string
	cfg     imagebuild.Config
}{
	{"preexec.test/distroless:nonroot", distrolessRootfs, imagebuild.Config{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}}},
	{"preexec.test/entrypoint:1", entrypointRootfs, imagebuild.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}}},
	{"preexec.test/ok:1", "dir /work 0755 0:0\nfile /app 0755 0:0 busybox\nfile /etc/passwd 0644 0:0 text=\"root:x:0:0::/:/bin/sh\\n\"\n", imagebuild.Config{WorkingDir: "/work", Entrypoint: []string{"/app"}}},
}

// buildScanImages builds scanImages.
func buildScanImages(t testing.TB) map[string]v1.Image {
	t.Helper()
	out := map[string]v1.Image{}
	for _, si := range scanImages {
		f, err := rootfs.ParseFixture(si.ref, si.fixture)
		if err != nil {
			t.Fatal(err)
		}
		img, err := imagebuild.Image(f, si.cfg)
		if err != nil {
			t.Skipf("cannot build the image here: %v", err)
		}
		out[si.ref] = img
	}
	return out
}

// imagesDir writes images into a new --images directory: the first as a
// docker-archive, the others as OCI layouts annotated with their full
// reference (under the names given by rename, when set).
func imagesDir(t testing.TB, imgs map[string]v1.Image, rename func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	i := 0
	for _, si := range scanImages {
		ref := si.ref
		if rename != nil {
			ref = rename(ref)
		}
		var err error
		if i == 0 {
			err = imagebuild.WriteDockerArchive(filepath.Join(dir, fmt.Sprintf("image%d.tar", i)), ref, imgs[si.ref])
		} else {
			err = imagebuild.WriteOCILayout(filepath.Join(dir, fmt.Sprintf("layout%d", i)), ref, imgs[si.ref])
		}
		if err != nil {
			t.Fatal(err)
		}
		i++
	}
	return dir
}

// A podParams is a generated container: its pod's securityContext and
// its image.
type podParams struct {
	kind, ns, name, container, image string
	uid, gid                         *int64
	nonRoot                          bool
	noEscalation                     bool
}

func i64(v int64) *int64 { return &v }

// securityContext is the pod-level securityContext's YAML at indent.
func (p podParams) securityContext(ind string) string {
	var b strings.Builder
	if p.uid == nil && p.gid == nil && !p.nonRoot {
		return ""
	}
	b.WriteString(ind + "securityContext:\n")
	if p.uid != nil {
		fmt.Fprintf(&b, "%s  runAsUser: %d\n", ind, *p.uid)
	}
	if p.gid != nil {
		fmt.Fprintf(&b, "%s  runAsGroup: %d\n", ind, *p.gid)
	}
	if p.nonRoot {
		fmt.Fprintf(&b, "%s  runAsNonRoot: true\n", ind)
	}
	return b.String()
}

func (p podParams) containerYAML(ind string) string {
	s := fmt.Sprintf("%s- name: %s\n%s  image: %s\n", ind, p.container, ind, p.image)
	if p.noEscalation {
		s += ind + "  securityContext:\n" + ind + "    allowPrivilegeEscalation: false\n"
	}
	return s
}

// yaml is the workload as a manifest document of its kind.
func (p podParams) yaml() string {
	ns := ""
	if p.ns != "" {
		ns = "  namespace: " + p.ns + "\n"
	}
	head := fmt.Sprintf("apiVersion: v1\nkind: %s\nmetadata:\n  name: %s\n%s", p.kind, p.name, ns)
	switch p.kind {
	case "Pod":
		return head + "spec:\n" + p.securityContext("  ") + "  containers:\n" + p.containerYAML("  ")
	case "CronJob":
		return head + "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n" +
			p.securityContext("          ") + "          containers:\n" + p.containerYAML("          ")
	}
	return head + "spec:\n  template:\n    spec:\n" + p.securityContext("      ") + "      containers:\n" + p.containerYAML("      ")
}

// pod is the same container as a Pod, for check --pod.
func (p podParams) pod() string {
	q := p
	q.kind = "Pod"
	return q.yaml()
}

// scanCmd runs preexec scan (or merge) and returns stdout, stderr and the
// exit status.
func scanCmd(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// jsonRows decodes scan --json.
func jsonRows(t testing.TB, out string) []scanRow {
	t.Helper()
	var rows []scanRow
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" || strings.HasPrefix(l, `{"shard":`) {
			continue // merge's shard line
		}
		var r scanRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("not JSON Lines: %v: %s", err, l)
		}
		rows = append(rows, r)
	}
	return rows
}

// checkVerdict runs check -q on the image file with the container's pod:
// check's verdict line (or refusal) and exit status.
func checkVerdict(t testing.TB, image, ref string, p podParams, extra ...string) (string, int) {
	t.Helper()
	podFile := filepath.Join(t.TempDir(), "pod.yaml")
	if err := os.WriteFile(podFile, []byte(p.pod()), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = ref
	args := append(append([]string{"check", "-q", "--pod", podFile}, extra...), image)
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return strings.TrimSpace(out.String() + errb.String()), code
}

var scanWorkloads = []podParams{
	{kind: "Deployment", ns: "shop", name: "web", container: "app", image: "preexec.test/distroless:nonroot", uid: i64(1000680000), gid: i64(0)},
	{kind: "StatefulSet", ns: "shop", name: "db", container: "db", image: "preexec.test/distroless:nonroot"},
	{kind: "Job", ns: "ops", name: "migrate", container: "migrate", image: "preexec.test/entrypoint:1", uid: i64(1000)},
	{kind: "CronJob", ns: "ops", name: "nightly", container: "batch", image: "preexec.test/ok:1", uid: i64(4242), gid: i64(4242)},
	{kind: "Pod", ns: "", name: "root", container: "c", image: "preexec.test/ok:1", nonRoot: true},
	{kind: "DaemonSet", ns: "kube-system", name: "agent", container: "agent", image: "preexec.test/entrypoint:1", uid: i64(1000), noEscalation: true},
}

// writeManifest writes the workloads as one multi-document file.
func writeManifest(t testing.TB, ws []podParams) string {
	t.Helper()
	var docs []string
	for _, w := range ws {
		docs = append(docs, w.yaml())
	}
	p := filepath.Join(t.TempDir(), "workloads.yaml")
	if err := os.WriteFile(p, []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// localImage is the file of dir holding ref, as scan's --images maps it.
func localImage(t testing.TB, dir, ref string) (string, string) {
	t.Helper()
	d, err := loadImageDir(dir, load.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	src, ok := d.lookup(ref)
	if !ok {
		t.Fatalf("--images %s has no %s", dir, ref)
	}
	return src.path, src.ref
}

// TestScanMatchesCheck: each container's scan verdict and status are
// check's on the same image with the same pod (check --pod -q).
func TestScanMatchesCheck(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	manifest := writeManifest(t, scanWorkloads)
	out, errs, code := scanCmd("scan", "--json", "--images", dir, manifest)
	rows := jsonRows(t, out)
	if len(rows) != len(scanWorkloads) {
		t.Fatalf("scan: %d rows, want %d (exit %d, stderr %s)", len(rows), len(scanWorkloads), code, errs)
	}
	want := 0
	for _, r := range rows {
		var p *podParams
		for i := range scanWorkloads {
			if scanWorkloads[i].name == r.Workload {
				p = &scanWorkloads[i]
			}
		}
		if p == nil {
			t.Fatalf("row for %q: no such workload", r.Workload)
		}
		path, ref := localImage(t, dir, p.image)
		cv, cs := checkVerdict(t, path, ref, *p)
		if r.Status != cs {
			t.Errorf("%s/%s: scan status %d, check %d", r.Kind, r.Workload, r.Status, cs)
		}
		if r.Refusal != "" {
			if !strings.Contains(cv, firstLine(r.Refusal)) {
				t.Errorf("%s/%s: scan refusal %q, check %q", r.Kind, r.Workload, r.Refusal, cv)
			}
		} else if r.Verdict != cv {
			t.Errorf("%s/%s: scan verdict %q, check %q", r.Kind, r.Workload, r.Verdict, cv)
		}
		if r.Engine != "containerd-cri@1.6.20" || r.Line == 0 || r.File != manifest {
			t.Errorf("%s/%s: engine %q file %s:%d; want containerd-cri@1.6.20 and the manifest's line", r.Kind, r.Workload, r.Engine, r.File, r.Line)
		}
		if r.Status == 1 || r.Status == 0 && len(r.Results) == 0 {
			if r.Refusal == "" && len(r.Results) == 0 {
				t.Errorf("%s/%s: --json row without results", r.Kind, r.Workload)
			}
		}
		want = max(want, r.Status)
	}
	if code != 1 {
		t.Errorf("scan: exit %d, want 1 (incident 1 fails on rc93)", code)
	}
	// The incident-1 deployment fails on rc93 alone, as check says.
	if !strings.Contains(out, `"verdict":"fails on 3 of`) {
		t.Errorf("scan --json: no 'fails on 3 of' verdict:\n%s", out)
	}
}

// TestScanShardMerge: the shards of a scan, merged, are the scan, byte for
// byte, in JSON Lines, the table and SARIF; each container is in exactly
// one shard, whatever the order of the inputs.
func TestScanShardMerge(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	var ws []podParams
	for i := 0; i < 24; i++ {
		p := scanWorkloads[i%len(scanWorkloads)]
		p.name = fmt.Sprintf("%s-%02d", p.name, i)
		ws = append(ws, p)
	}
	a, b := writeManifest(t, ws[:12]), writeManifest(t, ws[12:])
	rts := []string{"--runtime", "runc@1.0.0-rc93", "--runtime", "runc@1.1.4", "--runtime", "crun@1.8.1"}
	whole, _, wholeCode := scanCmd(append(append([]string{"scan", "--json", "--images", dir}, rts...), a, b)...)
	const n = 4
	var files []string
	total := 0
	for i := 0; i < n; i++ {
		// Inputs in the other order: shards do not depend on it.
		out, errs, _ := scanCmd(append(append([]string{"scan", "--json", "--images", dir, "--shard", fmt.Sprintf("%d/%d", i, n)}, rts...), b, a)...)
		if errs != "" {
			t.Fatalf("shard %d: %s", i, errs)
		}
		total += len(jsonRows(t, out))
		f := filepath.Join(t.TempDir(), fmt.Sprintf("shard%d.jsonl", i))
		os.WriteFile(f, []byte(out), 0o644)
		files = append(files, f)
	}
	if total != len(ws) {
		t.Errorf("shards hold %d containers, want %d", total, len(ws))
	}
	// Shards in another order.
	rev := []string{files[2], files[0], files[3], files[1]}
	merged, errs, code := scanCmd(append([]string{"merge", "--json"}, rev...)...)
	if merged != whole || code != wholeCode || errs != "" {
		t.Errorf("merge of %d shards (exit %d, %s) differs from one scan (exit %d): %s", n, code, errs, wholeCode, firstDiff(merged, whole))
	}
	// Shards that do not make one scan are refused.
	other, _, _ := scanCmd(append([]string{"scan", "--json", "--images", dir, "--shard", "1/4", "--runtime", "runc@1.1.4"}, a, b)...)
	otherFile := filepath.Join(t.TempDir(), "other.jsonl")
	os.WriteFile(otherFile, []byte(other), 0o644)
	three, _, _ := scanCmd(append(append([]string{"scan", "--json", "--images", dir, "--shard", "0/3"}, rts...), a, b)...)
	threeFile := filepath.Join(t.TempDir(), "three.jsonl")
	os.WriteFile(threeFile, []byte(three), 0o644)
	fewer, _, _ := scanCmd(append(append([]string{"scan", "--json", "--images", dir, "--shard", "2/4"}, rts...), a)...)
	fewerFile := filepath.Join(t.TempDir(), "fewer.jsonl")
	os.WriteFile(fewerFile, []byte(fewer), 0o644)
	cut := filepath.Join(t.TempDir(), "cut.jsonl")
	lines := strings.SplitAfter(readFile(t, files[3]), "\n")
	os.WriteFile(cut, []byte(strings.Join(lines[:len(lines)-2], "")), 0o644)
	for _, r := range []struct {
		files []string
		want  string
	}{
		{[]string{files[0], files[1], files[2], files[3], files[1]}, "shard 1/4 twice"},
		{files[:3], "shards missing: 3/4"},
		{[]string{files[0], otherFile, files[2], files[3]}, "different selections"},
		{[]string{files[0], files[1], files[2], files[3], threeFile}, "different N"},
		{[]string{files[0], files[1], fewerFile, files[3]}, "scanned different containers"},
		{[]string{files[0], files[1], files[2], cut}, "cut short"},
	} {
		out, errs, code := scanCmd(append([]string{"merge", "--json"}, r.files...)...)
		if code != 2 || out != "" || !strings.Contains(errs, r.want) {
			t.Errorf("merge %v: exit %d, stdout %.100q, stderr %q; want 2 and %q", r.files, code, out, errs, r.want)
		}
	}
	// One unsharded output merges as 0/1, unchanged.
	wf := filepath.Join(t.TempDir(), "whole.jsonl")
	os.WriteFile(wf, []byte(whole), 0o644)
	if m, _, _ := scanCmd("merge", "--json", wf); m != whole {
		t.Errorf("merge of one scan: %s", firstDiff(m, whole))
	}
	for _, f := range []string{"table", "sarif"} {
		one, _, _ := scanCmd(append(append([]string{"scan", "--format", f, "--images", dir}, rts...), a, b)...)
		m, _, _ := scanCmd(append([]string{"merge", "--format", f}, files...)...)
		if one != m {
			t.Errorf("--format %s: merge differs from one scan: %s", f, firstDiff(m, one))
		}
	}
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// firstDiff says where two outputs first differ, briefly.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  %.300s\nvs\n  %.300s", i+1, x, y)
		}
	}
	return "(equal)"
}

// TestScanJobExample parses the Indexed Job example and checks that its
// command shards by the completion index.
func TestScanJobExample(t *testing.T) {
	p := filepath.Join("..", "..", "examples", "scan-job", "job.yaml")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := workload.Parse(p, src)
	if err != nil {
		t.Fatal(err)
	}
	var scanC, snapC *workload.Container
	for i := range cs {
		if cs[i].Kind == "Job" && !cs[i].Init && cs[i].Name == "preexec-scan" {
			scanC = &cs[i]
		}
		if cs[i].Kind == "Job" && cs[i].Name == "preexec-snapshot" {
			snapC = &cs[i]
		}
	}
	// One snapshot for every shard, on a volume all pods share.
	if snapC == nil || !strings.Contains(strings.Join(snapC.Kube.Command, " "), "kubectl get") || !bytes.Contains(src, []byte("- ReadWriteMany")) {
		t.Errorf("%s: no snapshot Job running kubectl get once, or no ReadWriteMany claim", p)
	}
	if scanC == nil {
		t.Fatalf("%s: no Job container: %+v", p, cs)
	}
	cmd := strings.Join(append(scanC.Kube.Command, scanC.Kube.Args...), " ")
	if len(scanC.Kube.Command) == 0 || scanC.Kube.Command[0] != "preexec" {
		t.Errorf("%s: the scan runs %q, want preexec itself (no shell in its image)", p, scanC.Kube.Command)
	}
	for _, w := range []string{"preexec scan", "--shard $(JOB_COMPLETION_INDEX)/4", "--json", "--output /data/reports/shard-$(JOB_COMPLETION_INDEX).jsonl", "/data/workloads.json"} {
		if !strings.Contains(cmd, w) {
			t.Errorf("%s: the command %q lacks %q", p, cmd, w)
		}
	}
	if !bytes.Contains(src, []byte("completionMode: Indexed")) || !bytes.Contains(src, []byte("completions: 4")) || !bytes.Contains(src, []byte("parallelism: 4")) {
		t.Errorf("%s: not an Indexed Job of 4 completions", p)
	}
}

// TestScanIndexesOnce: containers sharing an image index it once; the
// progress line counts containers when stderr is a terminal.
func TestScanIndexesOnce(t *testing.T) {
	imgs := buildScanImages(t)
	dir := imagesDir(t, imgs, nil)
	var ws []podParams
	for i := 0; i < 30; i++ {
		p := scanWorkloads[i%len(scanWorkloads)]
		p.name = fmt.Sprintf("%s-%02d", p.name, i)
		ws = append(ws, p)
	}
	manifest := writeManifest(t, ws)
	s, err := newScanner(scanOptions{images: dir, parallel: 4, format: "table"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	s.progress = &progress
	rows := s.run(t.Context(), []string{manifest})
	if len(rows) != 30 || s.cache.built != len(scanImages) {
		t.Errorf("%d rows, %d images indexed; want 30 and %d", len(rows), s.cache.built, len(scanImages))
	}
	if !strings.HasSuffix(progress.String(), "\rscan: 30/30 containers\r\033[K") {
		t.Errorf("progress %q", progress.String())
	}
}

// TestScanKubectlManifests scans the manifests as kubectl v1.32 printed
// them (workload/testdata), every image one OCI layout of --images holds
// under each of their references.
func TestScanKubectlManifests(t *testing.T) {
	imgs := buildScanImages(t)
	dir := t.TempDir()
	layout := filepath.Join(dir, "kube")
	refs := []string{"web:1.0", "a:1", "b:1", "migrate:3", "batch:4", "api:2", "setup:1", "db:15"}
	for _, r := range refs {
		if err := imagebuild.WriteOCILayout(layout, "registry.example/"+r, imgs["preexec.test/ok:1"]); err != nil {
			t.Fatal(err)
		}
	}
	td := filepath.Join("..", "..", "workload", "testdata")
	inputs := []string{filepath.Join(td, "kubectl"), filepath.Join(td, "list.json")}
	out, errs, code := scanCmd(append([]string{"scan", "--json", "--runtime", "runc@1.1.4", "--images", dir}, inputs...)...)
	rows := jsonRows(t, out)
	if len(rows) != 10 || errs != "" {
		t.Fatalf("%d rows (stderr %s), want 10:\n%s", len(rows), errs, out)
	}
	refusal := ""
	for _, r := range rows {
		want := 0
		switch {
		case r.Kind == "StatefulSet":
			want = 1 // runAsNonRoot, and the image runs as root
			refusal = r.Refusal
		case r.File != filepath.Join(td, "list.json") && (r.Kind == "Job" || r.Kind == "CronJob"):
			want = 1 // kubectl create job … -- /bin/migrate: the image has no such file
			if len(r.Results) != 1 || r.Results[0].Step != "lookpath" {
				t.Errorf("%s/%s: %+v, want a lookpath failure", r.Kind, r.Workload, r.Results)
			}
		}
		if r.Status != want || r.Line == 0 || r.Error != "" || r.Digest == "" {
			t.Errorf("%s %s/%s %s: status %d (want %d), line %d, error %q, digest %q", r.File, r.Kind, r.Workload, r.Container, r.Status, want, r.Line, r.Error, r.Digest)
		}
	}
	if code != 1 || !strings.Contains(refusal, `container has runAsNonRoot and image will run as root (pod: "db-<…>_shop(<uid>)", container: db)`) {
		t.Errorf("exit %d; the StatefulSet's refusal: %q", code, refusal)
	}
}
