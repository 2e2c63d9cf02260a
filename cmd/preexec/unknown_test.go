//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestUnknownOutput pins how check and explain print a result the model
// cannot tell (a manifest without file contents): "unknown" with the
// reason in the table, "unknown" in --json, exit 3 unless a runtime is
// known to fail (exit 1).
func TestUnknownOutput(t *testing.T) {
	m, err := rootfs.ParseMTree("image.mtree", strings.NewReader(`/set type=file uid=0 gid=0 mode=0755
. type=dir
./app size=4096
./home type=dir
./home/nonroot type=dir mode=0700 uid=65532 gid=65532
`))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := spec.Parse("config.json", []byte(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "process":{"user":{"uid":1000680000,"gid":0},"cwd":"/home/nonroot","args":["/app"],"env":["PATH=/bin"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	eval := func(name string) preexec.Result {
		rt, err := preexec.LookupRuntime(name)
		if err != nil {
			t.Fatal(err)
		}
		return preexec.Evaluate(plan, m, rt, preexec.Host{})
	}
	rc93, rc94 := eval("runc@1.0.0-rc93"), eval("runc@1.0.0-rc94")
	if rc93.Unknown != "" || rc93.Starts || rc94.Unknown == "" {
		t.Fatalf("the inputs do not give one failure and one unknown: rc93 %+v, rc94 %+v", rc93, rc94)
	}
	const why = "unknown: the manifest has no file contents: execve reads the head of /app"
	for _, r := range []struct {
		name    string
		results []preexec.Result
		code    int
		text    []string
		rule    string
	}{
		{"unknown_alone", []preexec.Result{rc94}, 3, []string{"runc@1.0.0-rc94  unknown", why},
			"exit 3: none fails, one cannot be told; the table says unknown and why"},
		{"failure_wins", []preexec.Result{rc93, rc94}, 1, []string{"fails", why, "why (chdir): search denied on /home/nonroot"},
			"exit 1 when one is known to fail, whatever the others"},
	} {
		t.Run(r.name, func(t *testing.T) {
			if got := exitStatus(r.results); got != r.code {
				t.Errorf("exit %d, want %d\nrule: %s", got, r.code, r.rule)
			}
			var out bytes.Buffer
			writeText(&out, &input{}, nil, r.results, hostFacts{}, nil)
			for _, s := range r.text {
				if !strings.Contains(out.String(), s) {
					t.Errorf("table lacks %q:\n%s\nrule: %s", s, out.String(), r.rule)
				}
			}
			out.Reset()
			writeJSON(&out, &input{}, r.results, hostFacts{}, nil)
			var doc struct {
				Results []map[string]any `json:"results"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("--json: %v", err)
			}
			last := doc.Results[len(doc.Results)-1]
			if last["unknown"] != strings.TrimPrefix(why, "unknown: ")+" (its #! line, or its ELF header and program headers)" || last["starts"] != false || last["explanation"] != nil || last["error"] != nil {
				t.Errorf("--json result of rc94: %v", last)
			}
		})
	}
	var out bytes.Buffer
	writeStory(&out, "image.mtree", &input{}, rc94, hostFacts{}, nil)
	for _, s := range []string{"may or may not start it: the model cannot tell at execve", "Unknown: the manifest has no file contents"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("explain lacks %q:\n%s", s, out.String())
		}
	}
	if got := pickFailing(preexec.Comparison{Results: []preexec.Result{rc94, rc93}}); got.Runtime != rc93.Runtime {
		t.Errorf("explain's default runtime: %s, want the one that fails (%s) before one that cannot be told", got.Runtime, rc93.Runtime)
	}
}

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
