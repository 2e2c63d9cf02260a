// Package rootfs holds the root filesystems the model reads: each answers
// access.FS (Lstat, Readlink, ReadAt of clean absolute names inside the
// root) for one kind of input.
//
//   - Dir is a directory on disk, a bundle's rootfs read as it lies. On
//     Linux every lookup is held inside the root (openat2 with
//     RESOLVE_IN_ROOT, or a descriptor walk) and ACLs and file capabilities
//     come from their extended attributes; Dir.Cached gives the reader of
//     one check, which reads each name once. On other systems a Dir reads
//     through Go's os.Root, without extended attributes.
//   - Image is a container image's layers applied in order, as containerd
//     unpacks them, into one read-only index, built by NewImage from layer
//     streams (package load opens image files and layouts into one). Each
//     layer is read once, as a stream; the index holds every inode and the
//     bytes a check reads (file heads, /etc/passwd and /etc/group).
//   - MTree is an mtree(5) manifest (ParseMTree): every inode, no file
//     contents, so a check that reads a file is unknown
//     (access.ErrNoContent) rather than decided.
//   - Mem is an in-memory tree built in code or from the fixture language
//     (ParseFixture), which describes a root filesystem one inode per line,
//     so that one table builds both a Mem for the model and a real tree for
//     the kernel and runtime oracles.
//   - Layered lays mounts over a root filesystem, as a runtime's bind and
//     tmpfs mounts do.
package rootfs
