//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package main

import (
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/rowtest"
)

// TestExitStatus pins check's exit status over results: a failure wins;
// when every runtime is unknown because preexec could not read the root
// filesystem nothing was decided (2); any other unknown is 3.
func TestExitStatus(t *testing.T) {
	unread := preexec.Result{Runtime: "runc@1.1.9", Step: preexec.StepChdir, Unknown: "preexec (uid 1000) could not lstat /home/nonroot/x",
		Err: &access.ReadError{Op: "lstat", Path: "/home/nonroot/x", UID: 1000, Err: access.EACCES}}
	noContent := preexec.Result{Runtime: "runc@1.2.0", Step: preexec.StepExecve, Unknown: "the manifest has no file contents", Err: access.ErrNoContent}
	starts := preexec.Result{Runtime: "crun@1.8.1", Starts: true, Step: preexec.StepStarted}
	fails := preexec.Result{Runtime: "runc@1.0.0-rc93", Step: preexec.StepChdir, Text: "chdir: permission denied", Err: access.EACCES}
	rows := []struct {
		name    string
		results []preexec.Result
		want    int
		rule    string
	}{
		{"all_start", []preexec.Result{starts}, 0, "every runtime starts"},
		{"one_fails", []preexec.Result{unread, fails, starts}, 1, "a known failure wins over any unknown"},
		{"all_unread", []preexec.Result{unread, unread}, 2, "nothing decided: no prediction"},
		{"unread_and_starts", []preexec.Result{unread, starts}, 3, "one decided, none fails"},
		{"unread_and_no_content", []preexec.Result{unread, noContent}, 3, "a manifest without contents was read: the model went as far as it holds"},
		{"no_content_only", []preexec.Result{noContent}, 3, "a manifest's unknown stays 3"},
	}
	var names, rules []string
	for _, r := range rows {
		names, rules = append(names, r.name), append(rules, r.rule)
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		if got := exitStatus(r.results); got != r.want {
			t.Errorf("%s: exit %d, want %d\nrule: %s", r.name, got, r.want, r.rule)
		}
	}
}
