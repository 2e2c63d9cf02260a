package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/preexec/preexec/rootfs"
)

// bundle writes a bundle: config.json and a rootfs with a 0700 home
// directory owned by the current user and the probe ELF as /app.
func bundle(t testing.TB, config string) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "rootfs")
	home := filepath.Join(root, "home", "nonroot")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "app"), rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// other is a uid that does not own the test's files.
func other() int { return os.Getuid() + 1000680000 }

func incidentConfig() string {
	return fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "process":{"user":{"uid":%d,"gid":0},"cwd":"/home/nonroot","args":["/app"],"env":["PATH=/bin"]}}`, other())
}

func TestRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	good := bundle(t, incidentConfig())
	bad := bundle(t, "{\n  \"process\": {\n    \"user\": {\"uid\": \"x\"}\n  }\n}\n")
	for _, r := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		stderr string   // substring; "" means empty
		rule   string
	}{
		{"usage", nil, 2, nil, "usage: preexec check", "no subcommand: usage on stderr, exit 2"},
		{"help", []string{"--help"}, 0, []string{"usage: preexec check"}, "", "help on stdout, exit 0"},
		{"unknown_runtime", []string{"check", "--runtime", "runc@0.1.0", good}, 2, nil, "older than every runc release modelled", "a runtime no row can answer is exit 2"},
		{"flag_after_bundle", []string{"check", good, "--json"}, 2, nil, "flags must precede INPUT", "a flag after BUNDLE is an error, never a path"},
		{"missing_bundle", []string{"check", "/nonexistent-bundle"}, 2, nil, "no such file or directory", "an unreadable bundle is exit 2"},
		{"bad_config", []string{"check", bad}, 2, nil, "config.json:3:21: process.user.uid: want number, got string", "config errors name file, line, column and field"},
		{"rc93_fails", []string{"check", "--runtime", "runc@1.0.0-rc93+go1.19", good}, 1,
			[]string{"fails on 1 of 1 runtime: runc 1.0.0-rc93+go1.19\n", "runc 1.0.0-rc93+go1.19: fails at create, in chdir; the runtime prints:\n",
				`    container_linux.go:367: starting container process caused: chdir to cwd ("/home/nonroot") set in config.json failed: permission denied`, "  why: search denied on /home/nonroot"}, "",
			"the rc93 incident: exit 1, the verdict first, then the block of the failure with runc's text"},
		{"rc93_quiet", []string{"check", "-q", "--runtime", "runc@1.0.0-rc93+go1.19", "--runtime", "runc@1.0.0-rc94+go1.19", good}, 1,
			[]string{"fails on 1 of 2 runtimes: runc 1.0.0-rc93+go1.19\n"}, "", "-q: the verdict alone, the exit status as without it"},
		{"rc93_wide", []string{"check", "-o", "wide", "--runtime", "runc@1.0.0-rc93+go1.19", good}, 1,
			[]string{"RUNTIME", "runc@1.0.0-rc93+go1.19  fails", "create", "why (chdir): search denied on /home/nonroot"}, "", "-o wide (or --all): a row per runtime"},
		{"bad_output", []string{"check", "-o", "yaml", good}, 2, nil, "-o: want wide or json", "an unknown -o is a usage error"},
		{"rc94_starts", []string{"check", "--runtime", "runc@1.0.0-rc94+go1.19", good}, 0, []string{"starts"}, "", "rc94 retries as root: exit 0"},
		{"json", []string{"check", "--json", "--runtime", "runc@1.0.0-rc92", "--runtime", "runc@1.0.0-rc93", good}, 1,
			[]string{`"schema": 1`, `"runtime": "runc@1.0.0-rc93"`, `"errno": "EACCES"`}, "", "--json: one document, stderr empty"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(r.args, &out, &errb)
			if code != r.code {
				t.Errorf("exit %d, want %d (%s)\nstdout: %s\nstderr: %s", code, r.code, r.rule, out.String(), errb.String())
			}
			for _, s := range r.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q (%s):\n%s", s, r.rule, out.String())
				}
			}
			if r.stderr == "" && errb.Len() != 0 {
				t.Errorf("stderr not empty: %s", errb.String())
			}
			if r.stderr != "" && !strings.Contains(errb.String(), r.stderr) {
				t.Errorf("stderr %q lacks %q (%s)", errb.String(), r.stderr, r.rule)
			}
			if r.code == 2 && out.Len() != 0 {
				t.Errorf("exit 2 with output on stdout: %s", out.String())
			}
			if strings.Contains(strings.Join(r.args, " "), "--json") && r.code != 2 {
				var v map[string]any
				if err := json.Unmarshal(out.Bytes(), &v); err != nil {
					t.Errorf("--json output is not one JSON document: %v", err)
				}
			}
		})
	}
}

// TestExplain pins `preexec explain`: the story of one runtime, the
// failing step with the inode, the credential and the fix; the default
// runtime is the first that fails.
func TestExplain(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	b := bundle(t, incidentConfig())
	for _, r := range []struct {
		name   string
		args   []string
		code   int
		stdout []string
		rule   string
	}{
		{"rc93", []string{"explain", "--runtime", "runc@1.0.0-rc93", b}, 1,
			[]string{"runc@1.0.0-rc93 on " + b + " does not start it: its create fails at chdir.",
				"chdir /home/nonroot as the container user, no effective capabilities: EACCES (permission denied)",
				"search denied on /home/nonroot (drwx------",
				"The runtime prints:\n    container_linux.go:367: starting container process caused: chdir to cwd (\"/home/nonroot\") set in config.json failed: permission denied",
				"Fix: chmod ", "use runc 1.0.0-rc92, 1.0.0-rc94 … 1.6.0-rc.1 or crun 1.8.1"},
			"rc93 changes to cwd after setuid without capabilities (d869d05ab)"},
		{"rc94", []string{"explain", "--runtime", "runc@1.0.0-rc94", b}, 0,
			[]string{"starts it: the entrypoint's own code runs", "chdir /home/nonroot as runc-init root: ok", "execve(\"/app\")"},
			"rc94 retries as root first (6ce2d63a5): the story goes on to execve"},
		{"default is the first failing runtime", []string{"explain", b}, 1,
			[]string{"runc@1.0.0-rc93+go1.19 on "},
			"without --runtime, the first runtime in table order that fails"},
		{"json", []string{"explain", "--json", "--runtime", "runc@1.0.0-rc93", b}, 1,
			[]string{`"runtime": "runc@1.0.0-rc93"`, `"step": "chdir"`, `"errno": "EACCES"`},
			"--json prints check's schema for the one result"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(r.args, &out, &errb)
			if code != r.code {
				t.Errorf("%s: exit %d, want %d; stderr %q", r.rule, code, r.code, errb.String())
			}
			for _, s := range r.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("%s: stdout lacks %q:\n%s", r.rule, s, out.String())
				}
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run([]string{"explain", "--runtime", "runc@9.x", b}, &out, &errb); code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "--runtime") {
		t.Errorf("an unknown runtime: exit %d, stdout %q, stderr %q; want 2, nothing, the reason", code, out.String(), errb.String())
	}
}
