// Package runtimetest is the runtime oracle: it materialises a Case — a root
// filesystem written in the fixture language (rootfs.Fixture) plus an OCI
// process, seccomp, mounts and user namespace — as a real OCI bundle, runs a
// real runtime binary (runc, crun, gVisor's runsc) on it, and records the Outcome exactly as
// the runtime's user sees it.
//
// The parts:
//
//   - Case (case.go) is the JSON-serialisable description of one bundle;
//     Curated (curated.go) is the hand-written table, each row citing the
//     runc, crun, kernel or Go code it pins; Random
//     (random.go) generates cases from a seed, deterministically, and
//     RandomMounts (random_mounts.go), a second family, varies tmpfs
//     mounts, root.readonly, allowlist seccomp profiles and rootless runs,
//     and RandomExec (random_exec.go), a third, how execve gets to the
//     program (#! forms, interpreters, loaders, file capabilities,
//     symlinked paths, PATH forms, non-clean cwds, user namespaces);
//     RandomSeccomp (random_seccomp.go) generated filters; RandomRootless
//     (random_rootless.go) rootless runs whose user namespace maps
//     subordinate ids.
//   - Bundle (bundle_linux.go) writes rootfs/ (internal/fixture.Materialize)
//     and config.json (runtime-spec types) into a directory.
//   - Harness.Run (run_linux.go) runs one runtime on one bundle and
//     classifies what it printed (outcome.go): started (the entrypoint's
//     marker was seen on stdout), create-error (runc: the msg of its final
//     level=error line; crun: its stderr line; runsc: its last stderr
//     line, `running container: …`), exec-error (the line runc
//     init or crun's container process prints when execve fails),
//     post-exec-error (the interpreter ran and failed, e.g. busybox sh
//     cannot open its script), or harness-error (a timeout, output the
//     classifier does not know — never counted as a runtime's result).
//   - JoinCase (join.go) is a running container and the processes `runc
//     exec --process` joins to it (issue 16: kubectl exec, docker exec);
//     RandomJoin generates them from the other families' cases, and
//     Harness.RunJoin (join_linux.go) starts the container once per
//     runtime, execs each process, classifies each as Run does and always
//     deletes the container. Their goldens are testdata/runtime/exec
//     (join_golden.go, cmd/record -join N), on the runtimes of
//     JoinRuntimes; TestRuntimeOracleJoin holds the installed ones to them
//     and to the model (preexec.Host.Exec) and ends with
//     `runtime-oracle exec: <processes> cases (<containers> containers) x
//     <runtimes> runtimes, <M> disagreements`.
//   - Goldens (golden.go) in testdata/runtime/ at the repository root hold,
//     per case, the case and each runtime's outcome, plus header.json with
//     the kernel and the runtimes that produced them. cmd/record writes
//     them; TestRuntimeOracle holds the installed runtimes to them.
//
// Entry points print a marker, Marker, so that "started" is observed, not
// inferred: scripts are "#!/bin/sh\necho preexec-started\n" with /bin/sh a
// symlink to a busybox file (fixture content "busybox"), binaries are
// busybox copies named after the echo applet. The probe ELF (content elf,
// interp=) prints nothing; a run whose exit status is rootfs.ProbeExitRan
// counts as started too.
//
// A Rootless case runs the runtime as the unprivileged host uid
// RootlessUID, the user preexec-rootless of .ci/install-rootless (runc and
// runsc with --root in their own state directory; crun through setpriv
// after the cgroup2 mount of its wrapper), with a user namespace mapping
// the container's root to it, as `runc spec --rootless` does, and
// possibly container ids from 1 on to its subordinate ids (SubordinateID,
// SubordinateCount: /etc/subuid and /etc/subgid), as rootless podman does.
// The runtimes map those with Debian's newuidmap and newgidmap (package
// uidmap), which they find on the harness's fixed PATH: runc resolves them
// with exec.LookPath (utils_linux.go:loadFactory@v1.1.5,
// libcontainer/container_linux.go:bootstrapData@v1.3.0) and runc init's
// nsexec.c runs them when writing the map itself fails with EPERM
// (update_uidmap, try_mapping_tool); crun 1.8.1 runs them first, by name
// (linux.c:libcrun_set_usernamespace), and writes the map itself when they
// fail; runsc runs them for a non-root user. Since the single mapping
// goes through newuidmap too on crun (newgidmap, given only the caller's
// own gid, writes "deny" to /proc/PID/setgroups as crun itself did
// without it), installing uidmap changed none of the single-mapping
// goldens.
//
// Running needs Linux and root; the oracle test skips otherwise, unless the
// environment has PREEXEC_ORACLE=required, when it fails. The runtimes are
// those internal/runtimes lists (manifest.json of .ci/install-runtimes in
// $PREEXEC_RUNTIMES, default /var/cache/preexec/runtimes); runsc runs as
// root with --rootless=false --network=none --ignore-cgroups (a rootless
// case runs it as RootlessUID all the same, which runsc takes as
// rootless: before the subordinate ids the harness ran it as root on
// rootless cases; the same cases as RootlessUID print the same); crun
// runs in a
// private mount namespace with cgroup2 on /sys/fs/cgroup and
// --cgroup-manager=disabled, since CI machines have hybrid cgroups.
//
// In CI, TestRuntimeOracle runs every curated case on every runtime, plus
// for each runtime 40 of the recorded random cases and 20 of the cases of
// a seed taken from the clock (60 of Random's and 20 of each other family;
// printed; PREEXEC_RUNTIME_SEED=N replays it): at least 100 cases per
// runtime. It fails on a changed outcome, a curated case that no longer
// matches its golden, or a harness error, and ends with a line for the
// rootless cases with subordinate ids (Case.Subordinate) among them and
// one for all:
//
//	runtime-oracle rootless: <cases> cases (subordinate ids) x <runtimes> runtimes (<runs> runs), <M> disagreements
//	runtime-oracle: <cases> cases x <runtimes> runtimes, <M> disagreements
//
// Commands:
//
//	sudo go test ./internal/runtimetest -run RuntimeOracle -v
//	sudo go test ./internal/runtimetest -run RuntimeOracle -v -timeout 0 -args -full
//	sudo go run ./internal/runtimetest/cmd/record [-update] [-runtimes RE] [-cases RE]
//
// The environment tunes a run: PREEXEC_ORACLE=required (fail instead of
// skip), PREEXEC_RUNTIME_SEED=N (replay the time seed), PREEXEC_RUNTIME_FULL=1
// (as -full), PREEXEC_RUNTIME_JOBS=N (runs in flight, default CPUs+1),
// PREEXEC_RUNTIME_FILTER=RE (only matching runtimes), PREEXEC_RUNTIMES=DIR
// (where the runtimes are).
//
// -full (or PREEXEC_RUNTIME_FULL=1) runs the full cross product: every
// curated and recorded random case and 300 time-seeded ones (and 100 each
// of the other four families) on every runtime. cmd/record re-records the
// goldens (every curated case, 300 random cases of seed 1 and 100 each of
// the mounts, exec, seccomp and rootless families, on every installed
// runtime), prints what changed, and writes changes only with -update.
package runtimetest
