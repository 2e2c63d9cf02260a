// Package preexec tells, before a container is started, whether a container
// runtime at a given version will get past its pre-exec checks — chdir to
// process.cwd and exec of process.args[0] — for an OCI config.json and a
// root filesystem, and if not, why, in the runtime's own words.
//
// It needs no root, no kernel and starts nothing: it is a pure model of the
// Linux permission checks (package access, over capability sets in package
// caps) and of each runtime's init sequence, evaluated against a filesystem
// abstraction (package rootfs). The model is held to the real kernel and to
// real runtime binaries by differential tests (internal/kernel and the
// runtime oracle).
//
// The runtime profiles, Evaluate and Compare live in this package; see
// ../shared/design.md in the project for the plan.
package preexec
