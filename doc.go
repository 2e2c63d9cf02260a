// Package preexec tells, before a container is started, whether a container
// runtime at a given version will get past its pre-exec checks — chdir to
// process.cwd and exec of process.args[0] — for an OCI config.json and a
// root filesystem, and if not, why, in the runtime's own words.
//
// Evaluate answers for one runtime: its Result says whether the
// entrypoint's own code runs, and if not the Step that fails, the Phase in
// which the engine sees it, the Error the runtime prints byte for byte, and
// Err, the model's reason (errors.Is(res.Err, fs.ErrPermission) holds for
// a denial; errors.As gives the *access.Denial that names the inode and
// the class that decided). Compare evaluates many runtimes at once and
// groups them by outcome, to show where an upgrade changes the answer;
// Changes says what the rows change between two releases.
//
//	plan, err := spec.Parse("config.json", data)      // the container
//	fsys, err := rootfs.NewDir("rootfs")                // or a Mem, MTree, Image
//	rt, err := preexec.LookupRuntime("runc@1.1.4")
//	res := preexec.Evaluate(plan, fsys, rt, preexec.Host{})
//	if !res.Starts {
//		fmt.Println(res.Step, res.Error)
//	}
//
// A Runtime is a modelled build: a release of runc or crun (its row in the
// tables of this package, each difference from the release before cited
// to the upstream commit) built with a Go toolchain, since os/exec.LookPath
// and the Faccessat runc calls changed between Go releases. Runtimes lists
// them; LookupRuntime and RuntimeFor name one from a version string, a
// `runc --version` text or a binary's build information; a release the
// rows do not name is answered from the newest older one and marked
// Extrapolated. gVisor's runsc (runsc@20221219.0) is a row too, named
// rather than listed by Runtimes: its sentry is a kernel of its own, and
// its Sentry field says, cited, where it takes the steps otherwise than
// Linux and runc. Host says what the kernel is (its version,
// fs.protected_symlinks) where that decides; HostFor makes one from a
// `uname -r` release.
//
// Package load reads the inputs a user has — an OCI bundle, an image, an
// mtree manifest, with an engine's flags, a pod and an SCC — into what
// Evaluate and Compare take.
//
// The model needs no root and starts nothing: it is the kernel's path walk
// and permission checks (package access, over capability sets in package
// caps), each runtime's init sequence (this package) and each engine's
// making of a spec from an image (package spec), evaluated against a root
// filesystem (package rootfs: a directory, an image, an mtree manifest, or
// an in-memory tree). It is held to the real kernel and to real runc, crun
// and runsc binaries by the differential tests of internal/kernel and
// internal/runtimetest, whose recorded outcomes are in testdata/.
package preexec
