package main

import (
	"strings"
	"testing"
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
