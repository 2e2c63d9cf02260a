package load

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// mountsOver lays the plan's mounts over base as each runtime line does
// (preexec.NewView: bind mounts, tmpfs modes per line, mount points,
// root.readonly); relative bind sources are taken from dir, and the
// directories opened are c's to close; past max sources, the mounts of
// the rest read as unknown. Other mounts (proc, sysfs,
// devpts…) are not modelled beyond their mount point, nor a bind mount of
// a file or of a missing source.
func (c *Container) mountsOver(base access.FS, plan *spec.Plan, dir string, max int) access.FS {
	sources := map[string]access.FS{}
	opened := 0
	for _, m := range plan.Mounts {
		if !m.Bind {
			continue
		}
		if _, ok := sources[m.Source]; ok {
			continue // one descriptor per source, however many mounts name it
		}
		if opened == max {
			// More sources than the reader opens: what the rest show is
			// not known (21,000 of them once ran preexec out of
			// descriptors, reported as the container's error).
			sources[m.Source] = unreadable{fmt.Errorf("more than %d bind mount sources (limit bind-sources): %w", max, access.ErrUnreadable)}
			continue
		}
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(dir, src)
		}
		d, err := rootfs.NewDir(src)
		if errors.Is(err, access.ErrUnreadable) {
			// preexec may not open the source: what the mount shows
			// is not known.
			sources[m.Source] = unreadable{err}
			continue
		}
		if err != nil {
			continue // a file bind mount, or a missing source: not modelled
		}
		opened++
		c.closers = append(c.closers, d)
		sources[m.Source] = d
	}
	return preexec.NewView(plan, base, sources)
}

// MaxBindSources is the default of the most distinct bind mount sources
// of a container load opens (limit bind-sources, Limits.BindSources) (a descriptor each, until Container.Close); the mounts of
// sources past it read as unknown.
const MaxBindSources = 1024

// unreadable is a bind mount's source preexec could not open: every
// question about it is err, which Is access.ErrUnreadable.
type unreadable struct{ err error }

func (u unreadable) Lstat(string) (access.Inode, error)        { return access.Inode{}, u.err }
func (u unreadable) Readlink(string) (string, error)           { return "", u.err }
func (u unreadable) ReadAt(string, []byte, int64) (int, error) { return 0, u.err }
