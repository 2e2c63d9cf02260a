// Package spec turns an OCI runtime-spec config.json into the process plan a
// runtime's init follows up to execve: the credentials, the working
// directory, the arguments and the environment (PATH), the capability sets,
// no_new_privs, what the seccomp filter does to faccessat2, the user
// namespace's mappings and the mounts that change what the checks see.
//
// [Parse] reads the bytes of a config.json with
// github.com/opencontainers/runtime-spec/specs-go and encoding/json, as runc
// does. A config it cannot turn into a plan is an [*Error] naming the file,
// the line and column and the JSON path of the offending value; Parse never
// panics and never returns part of a plan.
//
// The plan records the config, not a runtime's reading of it. Whatever a
// runtime decides differently by version (unknown capability names fatal or
// ignored, an absent process.capabilities, runc's -ENOSYS seccomp stub, how
// /etc/passwd and /etc/group are read) is left in the plan for the runtime
// profile to decide.
//
// [FromImage] goes one step earlier: from an image config, the image's root
// filesystem and the user's settings ([ParseOverrides] for docker and
// podman flags, [ParsePod] for a Kubernetes Pod, [RestrictedV2] for
// OpenShift's SCC) to the runtime spec an engine writes, as one of the
// [Engines] rows (Docker by capability rule, podman, containerd's ctr and
// CRI, CRI-O) does it, each row citing the engine's code. An engine's own
// refusals are its exact text ([EngineError]); [Engine.Message] wraps a
// runtime's error as the engine's user reads it. Podman run by an
// ordinary user is the podman row with [Engine.Rootless] set; with it
// (and --userns keep-id or nomap) [Engine.HostIDs] takes the plan and the
// image's files to the host's ids, as the kernel sees them.
//
// The package is pure: it opens no files and makes no system calls; callers
// pass the bytes, or an access.FS to read /etc/passwd and /etc/group from.
package spec
