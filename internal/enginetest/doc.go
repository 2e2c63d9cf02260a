// Package enginetest is the engine oracle: it builds test images from the
// fixture language (internal/imagebuild), imports them into real Docker
// (20.10.24), podman (4.3.1) and containerd (1.6.20, through ctr and its
// CRI plugin), creates a container per Case with the case's flags, and
// records the spec each engine hands the runtime — so that
// spec.FromImage, the model of how an engine turns an image config and
// overrides into a runtime spec, can be held to them.
//
// # Getting the spec
//
// Docker and podman get a capture runtime (cmd/capture, built by the
// harness): a stand-in for runc that, on `create --bundle DIR … ID`,
// copies DIR/config.json and fails the create. dockerd has it as
// `--add-runtime capture=PATH`, and `docker start` runs it through
// containerd's runc shim; podman has it as `--runtime PATH`, and `podman
// init` runs it through conmon. What reaches the runtime is what is
// recorded. containerd's ctr writes the spec when it creates the
// container: `ctr containers create`, then the Spec of `ctr containers
// info`. When the engine refuses before a runtime runs (a user absent from
// /etc/passwd, no command), its exact stderr is the outcome.
//
// containerd's CRI plugin (containerd-cri@1.6.20) is driven over gRPC
// (k8s.io/cri-api runtime/v1) on the same containerd, as the kubelet
// drives it (cri_linux.go): one pod sandbox in the host's network
// namespace (no CNI), whose pause image is a busybox sleep built here;
// per case CreateContainer with the ContainerConfig CRIArgs maps the
// flags to (runAsUser, runAsGroup, supplementalGroups, capabilities,
// noNewPrivs, readonlyRootfs, privileged, command, args, workingDir,
// envs) and the
// kubelet's user rule (runAsUser, else the image's uid or username from
// the real ImageStatus, else 0); the spec is the runtimeSpec of
// ContainerStatus(verbose), and a refusal is the kubelet's event text,
// "Error: " and the gRPC message. Flags Kubernetes has no form for (user
// and group names, -v, --tmpfs, --userns) are skips. What the kubelet
// does beyond that rule (pod-level defaults, service env, $(VAR)
// expansion) is not driven. A case's --privileged is
// securityContext.privileged, created in a privileged sandbox as the
// kubelet makes one (with no-new-privileges a skip: the API server
// refuses the pair); TestCRIPrivileged (root) also creates privileged
// containers that drop ALL,
// as root and as uid 1000, in a privileged sandbox as the kubelet makes
// one, and one unprivileged, and holds the model's capabilities to the
// runtime's spec, ending with
//
//	engine-oracle privileged: containerd-cri@1.6.20, <N> cases (…), <M> agree with the model
//
// The harness (harness_linux.go) starts a containerd with its own config,
// root, state and socket, and a dockerd on a private socket with its own
// data root, exec root and pidfile, using that containerd (--containerd),
// with --iptables=false --bridge=none; podman runs with its own --root,
// --runroot and --tmpdir, the overlay storage driver, --cgroup-manager
// cgroupfs and --events-backend file. Containers are created with
// --network none. Close stops the daemons and the shims of that
// containerd, and unmounts what is left below the harness's directory.
// The binaries are those .ci/install-engines found (engines.json in
// $PREEXEC_ENGINES, default /var/cache/preexec/engines); /usr/local/bin's
// unrelated docker CLI is never used.
//
// # Flags
//
// A case's flags are Docker's (spec.ParseOverrides reads the same).
// Docker and podman take them as they are; EngineArgs maps them to ctr's
// (--cwd, --env, --cap-add CAP_X, --mount type=tmpfs|bind, --seccomp
// --seccomp-profile, --privileged; no-new-privileges and seccomp=unconfined are ctr's
// defaults) and skips a case whose flags ctr 1.6.20 cannot express
// (--user, --group-add, --userns, --entrypoint, a command after an image
// entrypoint): the golden says
// "skip" with the reason, and the oracle lists skips in its log.
//
// A case whose flags say --security-opt seccomp=$PROFILE carries the
// profile's content (Case.SeccompProfile; none: the file is missing): the
// harness writes it to a file of its own per engine, passes that path, and
// writes $PROFILE back in what the engine prints; the spec's linux.seccomp
// is then recorded too (ProjectCase). Docker and podman only.
//
// # Goldens
//
// testdata/engine/ at the repository root holds:
//
//	header.json          {"kernel": uname -r, "engines": [{"name", "package", "version_output"}]}
//	curated/NAME.json    one Golden per curated case (Curated)
//	random/NAME.json     one Golden per recorded random case (Random(GoldenSeed, 200)
//	                     RandomCtr(GoldenSeed, 80), which ctr can express too, and
//	                     RandomCRI(GoldenSeed, 80), which Kubernetes can express)
//	e2e/NAME.json        one E2EGolden per end-to-end case (E2E)
//
// A Golden is {"case": Case, "outcomes": {ENGINE: Outcome}} with ENGINE one
// of docker@20.10.24, podman@4.3.1, containerd@1.6.20,
// containerd-cri@1.6.20, and an Outcome
// exactly one of
//
//	{"spec": S}      S is a runtime-spec config.json (specs.Spec) holding only
//	                 Project's fields: process.user (uid, gid, umask,
//	                 additionalGids), process.cwd, args, env, capabilities
//	                 (all five sets, as the engine wrote them),
//	                 noNewPrivileges; root {"readonly": true} or no root;
//	                 mounts (destination, type, source, options); env
//	                 sorted and mounts sorted by destination, stably, since
//	                 podman writes both in map order (see Project)
//	{"error": TEXT}  the engine's stderr, byte for byte but for one final
//	                 newline and the normalisation below
//	{"skip": WHY}    the engine has no form for one of the case's flags
//
// Host-specific strings are normalised, in mount sources, env values and
// error texts: the engine's directory under the harness becomes $ENGINE
// (a docker mount source "$ENGINE/root/containers/$ID/hostname"), the
// capture runtime's directory $CAPTURE, the container id $ID and its first
// 12 characters $SHORTID, ctr's temporary mount directory
// (/tmp/containerd-mountNNN; the CRI plugin's ROOT/tmpmounts/containerd-mountNNN)
// $MOUNT, the CRI sandbox's id $SANDBOX; an env value equal to the
// container's hostname (the host's, in the CRI sandbox) becomes $HOSTNAME
// ("HOSTNAME=$HOSTNAME"). Container names are
// ContainerName(case): "preexec-" and the case name with dashes.
//
// The goldens are written by cmd/record, never by hand, as indented JSON.
// TestEngineOracle (root, engines installed) creates every curated case and
// the recorded random cases in the live engines, compares each outcome
// with its golden and with the model (spec.FromImage, judged as
// model_test.go judges it on the goldens), adds 20 cases of a seed from the
// clock that only the model is held to (a difference is a logged FINDING
// with the seed to replay; PREEXEC_ENGINE_STRICT=1 fails on it), and ends
// with
//
//	engine-oracle: <cases> cases x <engines> engines, <M> disagreements (…)
//
// # End to end
//
// E2E are five images run for real — `docker run --runtime NAME
// --network none --rm`, `podman run --runtime PATH --network none --rm
// --ulimit nofile=1024:1024 --ulimit nproc=1024:1024` (plus --security-opt
// seccomp=unconfined for runc rc92–rc94, which reject podman's profile
// here), `ctr run --rm --runc-binary PATH IMAGE ID` (the
// io.containerd.runc.v2 shim running that binary, the case's flags as
// EngineArgs maps them), and the CRI plugin in a pod sandbox whose runtime
// handler runs that binary (CreateContainer, StartContainer, the exit code
// and the CRI log's two streams; a failed start is exit 128 with the
// kubelet's event text; flags ["--runtime-handler", "$HANDLER(NAME)"]) —
// with every installed runc (dockerd has each as
// --add-runtime): distroless's nonroot image run as 1000680000:0 (not by
// ctr, which has no --user), a 0744 root-owned script run as alice with
// --cap-add DAC_OVERRIDE, a 0644 entrypoint under the image's USER alice,
// which every runc fails at create in its own words, the image's USER
// alice with a WORKDIR only another uid may search (runc rc93 fails its
// chdir, in every engine), and one that starts; two --privileged images
// run as uid 1000, with and without --cap-add DAC_OVERRIDE, a 0700
// root-owned entrypoint in a 0700 WORKDIR of another uid (the
// capabilities each engine gives a non-root user decide); and
// --privileged as root, where docker 20.10 asks for every capability it
// knows and, on these machines whose bounding set lacks CAP_SYS_RESOURCE
// (recordingBounding), every runtime's capset fails, while podman, ctr
// and the CRI plugin keep what their own sets hold and start it
// (preexec.Host.Bounding, spec.Engine.HostBounding). E2ERandom adds 24 random
// images and flags (Random's dimensions), each run with the eight runtimes
// of E2ERandomRuntimes, one per release line whose steps differ.
// The exit status, stdout and stderr, as the engine printed them, are
// recorded in testdata/engine/e2e/NAME.json (E2EGolden; see E2ERun for the
// normalisation; ctr's container id is $ID) and held by TestEngineE2E,
// which ends with
//
//	engine-e2e: <runs> runs (…), <M> disagreements, <N> unrecorded, <K> agreed only when made again alone
//
// A run that differs from its golden is made once more, alone, after
// Harness.RemoveE2E: under a loaded machine ctr and the CRI plugin now and
// then lose a container's output. Each is logged with its first
// difference and counted in K; one that differs twice is a disagreement.
//
// TestEngineE2EModel (unprivileged) holds the model's rendering of each
// run — Engine.Message of the runtime's error for a failure at create — to
// the same goldens.
//
// # Rootless podman
//
// RootlessCases are run for real by podman 4.3.1 as an ordinary user
// (RootlessUser, made by .ci/install-rootless: uid and gid 4242,
// /etc/subuid and /etc/subgid 200000:65536; podman is run through
// setpriv with its own HOME and XDG_RUNTIME_DIR, its own --root,
// --runroot and --tmpdir below a temporary directory, the overlay
// driver natively in its user namespace, --cgroup-manager cgroupfs), and
// those with --userns by podman as root beside it, each with the runtimes
// of RootlessRuntimes (runc through a link named runc; crun is a skip on
// this machine's hybrid cgroups). The curated cases cite the rule they
// hold (the rootless namespace, keep-id, nomap, private, a bind-mounted
// host file owned by an id the namespace does not map); the E2E images
// run rootless too. A -v source is RootlessHostSource, made from
// RootlessHostFixture. Each case is also created once per podman with the
// capture runtime, and so are the curated engine cases
// (RootlessSpecCases) in the rootless podman: the specs (ProjectCase,
// with a user namespace and its mappings) or refusals. Specs and runs
// are recorded (RootlessGolden, with the user's ids and ranges) in
// testdata/engine/rootless/NAME.json, the line rootless podman prints
// when / is not a shared mount (a fact of the host) dropped, a storage
// layer's id $ID; a run killed by the harness's timeout, or one that
// exited 0 having printed nothing (its output lost under load), is made
// again (TestRootlessOracle creates every fourth curated case; the
// recorder all). TestRootlessModel (unprivileged) holds the model to them:
// spec.FromImage with Engine.Rootless against each spec, and for each run
// Engine.HostIDs, the -v source's fixture, Evaluate and Engine.Failure or
// Engine.Refusal; what the model cannot tell (an owner the namespace
// does not map) is counted as unknown, not as a disagreement. There is
// no --userns auto case: its outcome depends on the other containers'
// allocations. TestRootlessOracle (root) makes every run again, holds
// it to its golden and to the model, and ends with
//
//	engine-oracle rootless-podman: <cases> cases x <runtimes> runtimes, <M> disagreements (…)
//
// The pause process rootless podman leaves (it holds the user and mount
// namespaces) is killed by pid, from its pause.pid, when the harness
// closes. Record with
//
//	sudo go run ./internal/enginetest/cmd/record -rootless [-update] [-cases RE]
//
// crun is skipped under podman and ctr (it needs a pure cgroup2 view,
// which the CI machine's hybrid cgroups lack: under ctr every create fails
// "cgroups in hybrid mode not supported") and docker (held to runc builds
// only).
//
// Commands:
//
//	sudo go test ./internal/enginetest -run 'EngineOracle|EngineE2E' -v
//	sudo go test ./internal/enginetest -run RootlessOracle -v
//	sudo go run ./internal/enginetest/cmd/record [-update] [-cases RE]
//	sudo go run ./internal/enginetest/cmd/record -e2e [-update] [-engines LIST] [-cases RE]
//
// PREEXEC_ORACLE=required turns a skip (not root, no engines or runtimes
// installed, a daemon that does not start) into a failure. Under -race the
// oracles run a subset (every eighth case, every sixteenth runtime).
package enginetest
