package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
)

// A missing input that looks like a path is "no such file or directory",
// without asking a registry (HTTPS_PROXY points nowhere: a lookup would
// say so); references stay references.
func TestScanMissingPaths(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	for _, in := range []string{"./nope.tar", "/tmp/nope/x.yaml", "nonexistent.yaml", "../x.tgz", "~/m.yml", "dir/sub/file", "some/dir"} {
		jobs := inputJobs([]string{in})
		if len(jobs) != 1 || !strings.HasPrefix(jobs[0].err, in+": no such file or directory") {
			t.Errorf("%s: %+v, want %q", in, jobs, in+": no such file or directory")
		}
	}
	for _, in := range []string{"nginx:1.25", "nginx", "127.0.0.1:5000/x:y", "ghcr.io/a/b@sha256:" + strings.Repeat("a", 64), "library/nginx:1.25", "localhost/x", "registry.example/app"} {
		jobs := inputJobs([]string{in})
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
