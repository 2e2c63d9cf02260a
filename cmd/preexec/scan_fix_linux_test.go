package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/load"
)

// A missing input that looks like a path is "no such file or directory",
// without asking a registry (HTTPS_PROXY points nowhere: a lookup would
// say so); references stay references (scan_inputs.txtar pins scan's
// rows for such inputs).
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

// TestScanImagesFileSize: --images reads a docker-archive's manifest.json
// and an OCI archive's index.json whole, within --limit file-size, as
// check does: over it the error names the limit.
func TestScanImagesFileSize(t *testing.T) {
	archive, _ := writeImages(t, entrypointRootfs, imagebuild.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}})
	dir := filepath.Dir(archive)
	if _, err := loadImageDir(dir, load.Limits{}); err != nil {
		t.Fatalf("default limits: %v", err)
	}
	_, err := loadImageDir(dir, load.Limits{FileSize: 100})
	if want := "member manifest.json: larger than the 100 bytes preexec reads of a manifest or config (limit file-size)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("file-size=100: %v; want %q", err, want)
	}
}
