//go:build linux

package main

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite the cmp files of testdata/script with what preexec prints (review the diff)")

// TestScripts runs the CLI's scripts, testdata/script/*.txtar: each runs
// preexec as a user would and compares what it prints, byte for byte,
// with the files of the script. Commands beside testscript's own:
//
//	preexec ARGS...       run the CLI in process (name files as $WORK/...:
//	                      the process does not change directory); ! expects
//	                      a non-zero exit
//	status N              the exit status of the last preexec was N
//	bundle DIR CONFIG     make the bundle DIR: CONFIG (env expanded) as its
//	                      config.json, a rootfs with /home/nonroot 0700 and
//	                      the probe ELF /app, owned by the test's user
//
// Scripts see $UID and $GID (the test's own) and $OTHER, a uid and gid
// that own nothing. -update-scripts rewrites the cmp files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("UID", strconv.Itoa(os.Getuid()))
			env.Setenv("GID", strconv.Itoa(os.Getgid()))
			env.Setenv("OTHER", strconv.Itoa(other()))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"preexec": scriptPreexec,
			"status":  scriptStatus,
			"bundle":  scriptBundle,
		},
	})
}

func scriptPreexec(ts *testscript.TestScript, neg bool, args []string) {
	code := run(args, ts.Stdout(), ts.Stderr())
	ts.Setenv("STATUS", strconv.Itoa(code))
	if code != 0 && !neg {
		ts.Fatalf("preexec exited %d", code)
	}
	if code == 0 && neg {
		ts.Fatalf("preexec exited 0, want a failure")
	}
}

func scriptStatus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: status N")
	}
	if got := ts.Getenv("STATUS"); got != args[0] {
		ts.Fatalf("exit status %s, want %s", got, args[0])
	}
}

func scriptBundle(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: bundle DIR CONFIG")
	}
	dir := ts.MkAbs(args[0])
	home := filepath.Join(dir, "rootfs", "home", "nonroot")
	ts.Check(os.MkdirAll(home, 0o755))
	ts.Check(os.Chmod(home, 0o700))
	ts.Check(os.WriteFile(filepath.Join(dir, "rootfs", "app"), rootfs.ProbeELF(access.EM_X86_64, ""), 0o755))
	config := os.Expand(ts.ReadFile(args[1]), ts.Getenv)
	ts.Check(os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644))
}
