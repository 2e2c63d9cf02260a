// Package imagebuild builds container images from the fixture language
// (rootfs.ParseFixture), so that the engine oracle (internal/enginetest) can
// hand real engines the same root filesystems the model judges, without
// pulling anything from a registry.
//
// Layer writes a fixture as one uncompressed layer tar: every line an entry
// in fixture order, its missing parents first as 0755 0:0 directories (as
// rootfs.Mem and internal/fixture create them), with the line's owner and
// mode, symlink bodies, FIFOs and file contents (a "busybox" file holds the
// host's static busybox, internal/fixture.HostBusybox, as on disk). ACLs and
// file capabilities travel as PAX records SCHILY.xattr.system.posix_acl_access
// and SCHILY.xattr.security.capability in the kernel's xattr formats, which
// Docker, podman and containerd apply with setxattr(2) when they unpack a
// layer. Mount lines (tmpfs, bind) have no image form and are refused.
//
// Image puts that layer under an image config (User, WorkingDir,
// Entrypoint, Cmd, Env) with go-containerregistry's mutate and empty;
// WriteDockerArchive writes what `docker save` writes (tarball.Write with a
// tag), which docker load, podman load and ctr images import all read;
// WriteOCILayout writes an OCI image layout directory. Timestamps are fixed,
// so the same fixture and config always give the same digests.
//
// The package runs on Linux only, like internal/fixture, whose busybox and
// xattr encodings it reuses.
package imagebuild
