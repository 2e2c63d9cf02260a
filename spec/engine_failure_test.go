package spec_test

import (
	"testing"

	"github.com/preexec/preexec/spec"
)

// TestFailure pins how each engine shows a runtime's failure: the
// engine's error and its exit status at create, read off the message as
// each CLI does; the container's own output and status after the start.
func TestFailure(t *testing.T) {
	const (
		denied  = `runc create failed: unable to start container process: exec: "/x": permission denied`
		missing = `runc create failed: unable to start container process: exec: "/x": stat /x: no such file or directory`
		isDir   = `runc create failed: unable to start container process: exec: "/x": is a directory`
		crunNF  = "executable file `/x` not found in $PATH: No such file or directory"
		mkdir   = "runc create failed: unable to start container process: error during container init: mkdir /w: file exists"
	)
	for _, r := range []struct {
		engine, runtime, msg string
		after                bool
		status               int
		text                 string
		exit                 int
		uncertain            bool
		rule                 string
	}{
		{"docker@20.10.24", "runc", denied, false, 0, "", 126, false, "docker/cli runStartContainerErr@v20.10.24: permission denied"},
		{"docker@20.10.24", "runc", missing, false, 0, "", 127, false, "runStartContainerErr: no such file or directory"},
		{"docker@20.10.24", "runc", isDir, false, 0, "", 125, false, "runStartContainerErr@v20.10.24: EISDIR is a generic failure (e2e_args0_directory)"},
		{"docker@20.10.24", "runc", mkdir, false, 0, "", 125, false, "a generic failure (e2e_workdir_dangling_link under ctr)"},
		{"docker@24.0.6", "runc", isDir, false, 0, "", 126, true, "docker/cli#4001 (23.0): EISDIR is 126; dockerd's rewrite (moby#45006) not held"},
		{"podman@4.3.1", "runc", denied, false, 0, "Error: runc: " + denied + ": OCI permission denied", 126, false, "getOCIRuntimeError: permission denied; ExitCode: 126"},
		{"podman@4.3.1", "runc", missing, false, 0, "Error: runc: " + missing + ": OCI runtime attempted to invoke a command that was not found", 127, false, "ExitCode: not found is 127"},
		{"podman@4.3.1", "crun", crunNF, false, 0, "Error: crun: " + crunNF + ": OCI runtime attempted to invoke a command that was not found", 127, false, "getOCIRuntimeError's (?i) covers 'No such file or directory'"},
		{"podman@4.3.1", "runc", isDir, false, 0, "Error: OCI runtime error: runc: " + isDir, 126, false, "the catch-all class comes first (e2e_args0_directory)"},
		{"containerd@1.6.20", "runc", denied, false, 0, "", 1, false, "ctr exits 1"},
		{"containerd-cri@1.6.20", "runc", denied, false, 0, "", 128, false, "the container's exit code 128, reason StartError"},
		{"crio@1.34.0", "runc", denied, false, 0, "", -1, false, "CRI-O refuses in CreateContainer: no container, no exit code"},
		{"docker@20.10.24", "runc", "exec /x: permission denied", true, 1, "exec /x: permission denied", 1, false, "after the start: the container's own output and status"},
		{"podman@4.3.1", "runc", "exec /x: no such file or directory", true, 255, "exec /x: no such file or directory", 255, false, "after the start, podman's classes do not apply"},
		{"containerd-cri@1.6.20", "runc", "exec /x: exec format error", true, 255, "exec /x: exec format error", 255, false, "after the start: kubectl logs and the exit code"},
	} {
		eng, err := spec.LookupEngine(r.engine)
		if err != nil {
			t.Fatal(err)
		}
		sh := eng.Failure(r.runtime, r.msg, r.after, r.status)
		if r.text != "" && sh.Text != r.text || sh.Exit != r.exit || (sh.Caveat != "") != r.uncertain || sh.Output != r.after {
			t.Errorf("%s %q after=%v: %+v, want text %q exit %d uncertain %v (%s)", r.engine, r.msg, r.after, sh, r.text, r.exit, r.uncertain, r.rule)
		}
	}
}
