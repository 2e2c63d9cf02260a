package spec

import (
	"regexp"
	"strings"
	"sync"
)

// Message renders a runtime's failure to create the container as the user
// of e reads it (Failure says which failures those are). runtimeMsg is the runtime's own text, the last "error"
// line of its log (runc: `runc create failed: unable to start container
// process: exec: "/x": permission denied`); runtime is the runtime's name
// as the engine knows it, which only podman prints: the containers.conf
// name ("runc"), or the path itself for --runtime /path/to/runc
// (libpod/runtime.go:makeRuntime@v4.3.1 names a runtime given by path
// after its path).
//
//  1. Docker: dockerd passes containerd's error through, the docker CLI
//     prints it with "docker: " and a final "." (cli/command/container/
//     run.go:reportError@v20.10.24). containerd's shim says "OCI runtime
//     create failed: MSG" (pkg/process/init.go:runtimeError@v1.6.20), its
//     task manager adds Engine.ShimPrefix ("failed to create shim task: ",
//     runtime/v2/manager.go@v1.6.20) and the gRPC Unknown code comes back
//     as ": unknown" (errdefs.FromGRPC). From 24.0.0 dockerd adds
//     "failed to create task for container: " (Engine.TaskPrefix).
//  2. podman: "Error: " and podman's getOCIRuntimeError
//     (the runtime's message being the msg of its last JSON log line:
//     podman passes --log-format=json to a runtime whose name is in
//     containers.conf's runtime_supports_json — runc, crun — as users run
//     them; a runtime under another name has its text log line,
//     time="…" level=error msg="…", quoted instead)
//     (libpod/oci_util.go@v4.3.1): the first line matching "permission
//     denied" or "operation not permitted" (any case) becomes
//     "RUNTIME: LINE: OCI permission denied"; else one matching
//     "executable file not found in" or "no such file or directory" gets
//     ": OCI runtime attempted to invoke a command that was not found"
//     (libpod/define/errors.go@v4.3.1); else the whole message, trimmed of
//     newlines, comes after "OCI runtime error: " (the class first, as
//     podman 4.3.1 prints it: "Error: OCI runtime error: runc: exec:
//     \"/app\": is a directory"). The /proc/…/attr SELinux classes are not
//     modelled.
//  3. ctr: "ctr: " (cmd/ctr/main.go@v1.6.20) and containerd's text as in 1.
//  4. containerd CRI: the kubelet event "Error: " + the gRPC message
//     (pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer),
//     which is containerd's text as in 1 behind "failed to create
//     containerd task: " (pkg/cri/server/container_start.go@v1.6.20).
//  5. CRI-O creates the runtime container in CreateContainer: the kubelet
//     event "Error: " + "container create failed: MSG"
//     (internal/oci/runtime_oci.go:CreateContainer@v1.34.0). Wrapping CRI-O
//     may add above the runtime layer is not modelled.
func (e Engine) Message(runtime, runtimeMsg string) string {
	shim := e.ShimPrefix + "OCI runtime create failed: " + runtimeMsg + ": unknown"
	switch e.Family {
	case Docker:
		return dockerCLIError("Error response from daemon: " + e.TaskPrefix + shim)
	case Podman:
		return "Error: " + podmanRuntimeError(runtime, runtimeMsg)
	case Ctr:
		return "ctr: " + shim
	case ContainerdCRI:
		return "Error: failed to create containerd task: " + shim
	case CRIO:
		return "Error: container create failed: " + runtimeMsg
	}
	return runtimeMsg
}

// Shown is what the user of an engine sees of a container that fails.
type Shown struct {
	// Text is what the user reads: the engine's error when the runtime
	// refused the container at create, or, when Output is set, the
	// container's own output (its stderr, as docker run, podman run and
	// ctr run print it attached and `kubectl logs` shows it).
	Text string
	// Output says Text is the container's own output: the runtime started
	// the container and its process failed.
	Output bool
	// Exit is the status the user's command reports: when the runtime
	// fails the create, docker run exits 127 if the error says
	// "executable file not found" or "no such file or directory", 126 if
	// it says "permission denied", else 125 (docker/cli
	// cli/command/container/run.go:runStartContainerErr@v20.10.24;
	// Engine.IsDirExit126); podman run 127 if its error says "not found",
	// "executable path is empty" or "no such file" in any case, else 126
	// (containers/podman libpod/define/exec_codes.go:ExitCode@v4.3.1); ctr
	// 1 (containerd cmd/ctr/main.go@v1.6.20); after the start
	// each exits with the container's status. For the CRI engines it is
	// the container's exit code in its status: 128 when containerd's task
	// could not be created (pkg/cri/server/container_start.go@v1.6.20,
	// reason StartError), the process's after the start. -1 when there is
	// none (CRI-O refuses in CreateContainer, before a container exists).
	Exit int
	// Caveat says why Text or Exit may not be what the engine prints
	// ("" if they should be).
	Caveat string
}

// Failure renders a runtime's failure as the user of e sees it.
// runtimeMsg is the runtime's text (Message's); afterStart says the
// runtime had started the container, whose process printed runtimeMsg on
// its stderr and exited with status. A failure after the start is not an
// engine error: every engine shows the container's own output and status.
func (e Engine) Failure(runtime, runtimeMsg string, afterStart bool, status int) Shown {
	if afterStart {
		return Shown{Text: runtimeMsg, Output: true, Exit: status}
	}
	sh := Shown{Text: e.Message(runtime, runtimeMsg)}
	switch e.Family {
	case Docker:
		sh.Exit = 125
		switch {
		case strings.Contains(runtimeMsg, "executable file not found") || strings.Contains(runtimeMsg, "no such file or directory"):
			sh.Exit = 127
		case strings.Contains(runtimeMsg, "permission denied"):
			sh.Exit = 126
		case e.IsDirExit126 && strings.Contains(runtimeMsg, "is a directory"):
			sh.Exit = 126
			sh.Caveat = "dockerd from 23.0 rewrites a runtime's EISDIR (moby/moby#45006); the text is not held to a real docker of this row"
		}
	case Podman:
		// libpod/define/exec_codes.go:ExitCode@v4.3.1 reads the final
		// error, lower-cased.
		sh.Exit = 126
		if low := strings.ToLower(sh.Text); strings.Contains(low, "not found") || strings.Contains(low, "executable path is empty") || strings.Contains(low, "no such file") {
			sh.Exit = 127
		}
	case Ctr:
		sh.Exit = 1
	case ContainerdCRI:
		sh.Exit = 128
	default:
		sh.Exit = -1
	}
	return sh
}

// Refusal renders an error of FromImage — the engine refusing the
// container before any runtime runs, such as `unable to find user x: no
// matching entries in passwd file` — as the user of e reads it. Docker
// prints the daemon's error with "docker: " and a final period
// (cli/command/container/run.go:reportError@v20.10.24), adding "See 'docker
// run --help'." when the refusal came at create; podman prints "Error: "
// (cmd/podman/main.go); ctr "ctr: " (cmd/ctr/main.go@v1.6.20), and
// "mount callback failed on DIR: " before what it met reading the image's
// snapshot (EngineError.Snapshot; DIR written as MountDir); for the CRI
// engines it is the kubelet's event "Error: " and the message
// (kuberuntime_container.go:startContainer), containerd's CRI putting
// "failed to create containerd container: " and the same mount callback
// text before a snapshot's error.
func (e Engine) Refusal(err error) string {
	msg := err.Error()
	switch e.Family {
	case Docker:
		if ee, ok := err.(*EngineError); ok && ee.CLI {
			return dockerCLIError(msg) + "\nSee 'docker run --help'."
		}
		s := dockerCLIError("Error response from daemon: " + msg)
		if ee, ok := err.(*EngineError); ok && ee.Create {
			s += "\nSee 'docker run --help'."
		}
		return s
	case Ctr:
		if ee, ok := err.(*EngineError); ok && ee.Snapshot {
			return "ctr: " + snapshotError(msg)
		}
		return "ctr: " + msg
	case ContainerdCRI:
		if ee, ok := err.(*EngineError); ok && ee.Snapshot {
			// NewContainer runs the spec options (CreateContainer,
			// pkg/cri/server/container_create.go@v1.6.20).
			return "Error: failed to create containerd container: " + snapshotError(msg)
		}
	}
	return "Error: " + msg
}

// snapshotError is containerd's text for msg met reading the snapshot
// through mount.WithTempMount@v1.6.20, its paths inside MountDir.
func snapshotError(msg string) string {
	return "mount callback failed on " + MountDir + ": " + strings.ReplaceAll(msg, "open /", "open "+MountDir+"/")
}

// MountDir stands for the random directory containerd mounts an image's
// snapshot on to read its /etc/passwd and /etc/group
// (mount.WithTempMount@v1.6.20: /tmp/containerd-mountN under ctr,
// ROOT/tmpmounts/containerd-mountN in the CRI plugin) in the texts that
// name it.
const MountDir = "$MOUNT"

// dockerCLIError prints a docker run error as reportError does: "docker: "
// and exactly one final period.
func dockerCLIError(s string) string {
	return "docker: " + strings.TrimSuffix(s, ".") + "."
}

// The patterns of containers/podman libpod/oci_util.go:getOCIRuntimeError
// @v4.3.1. Go's RE2, as podman's: "." does not match a newline, so each
// finds one line; a leading (?i) covers both alternatives (crun's "…: No
// such file or directory" is podman's not-found class).
// They are compiled on first use, not at package init: the CLI's start-up
// pays for no regular expression it does not need.
var (
	podmanPermission = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("(?i).*permission denied.*|.*operation not permitted.*")
	})
	podmanNotFound = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("(?i).*executable file not found in.*|.*no such file or directory.*")
	})
)

func podmanRuntimeError(runtime, msg string) string {
	if m := podmanPermission().FindString(msg); m != "" {
		return runtime + ": " + strings.Trim(m, "\n") + ": OCI permission denied"
	}
	if m := podmanNotFound().FindString(msg); m != "" {
		return runtime + ": " + strings.Trim(m, "\n") + ": OCI runtime attempted to invoke a command that was not found"
	}
	return "OCI runtime error: " + runtime + ": " + strings.Trim(msg, "\n")
}
