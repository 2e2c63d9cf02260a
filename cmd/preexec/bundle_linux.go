//go:build linux

package main

import (
	"path/filepath"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// rootFS returns the bundle's root filesystem as the container sees it:
// root.path with the bind and tmpfs mounts of config.json over it.
func rootFS(bundle string, plan *spec.Plan) (access.FS, error) {
	root := plan.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(bundle, root)
	}
	base, err := rootfs.NewDir(root)
	if err != nil {
		return nil, err
	}
	return mountsOver(base, plan, bundle)
}

// mountsOver lays the plan's bind and tmpfs mounts over base; relative
// bind sources are taken from dir. Other mounts (proc, sysfs, devpts…)
// are not modelled, nor a bind mount of a file or of a missing source.
func mountsOver(base access.FS, plan *spec.Plan, dir string) (access.FS, error) {
	if len(plan.Mounts) == 0 {
		return base, nil
	}
	l := &rootfs.Layered{Base: base}
	for _, m := range plan.Mounts {
		switch {
		case m.Bind:
			src := m.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(dir, src)
			}
			d, err := rootfs.NewDir(src)
			if err != nil {
				continue // a file bind mount, or a missing source: not modelled
			}
			l.Mounts = append(l.Mounts, rootfs.Mounted{Destination: m.Destination, FS: d, Flags: m.Flags})
		case m.Type == "tmpfs":
			// Without mode=, runc gives the tmpfs root the mode of the
			// directory it covers (runc-preexec.md §5; held by the runtime
			// oracle's cwd_tmpfs_over_dir_0700_no_mode), else 1777.
			mode := uint32(0o1777)
			if ino, err := base.Lstat(m.Destination); err == nil && ino.IsDir() {
				mode = ino.Mode & 0o7777
			}
			if m.TmpfsMode != nil {
				mode = *m.TmpfsMode
			}
			l.Mounts = append(l.Mounts, rootfs.Mounted{Destination: m.Destination, FS: rootfs.NewMem(), Flags: m.Flags,
				Root: &access.Inode{Mode: access.S_IFDIR | mode}})
		}
	}
	return l, nil
}
