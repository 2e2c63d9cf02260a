package preexec

import (
	"errors"
	"path"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// A View is a container's root filesystem as its runtime shows it to the
// pre-exec checks: root.path with the config's mounts on it — bind mounts
// of the sources given, tmpfs mounts with the mode, uid and gid each
// runtime line gives their root, the mount points the runtime creates —
// and root.readonly. It is an access.FS (the view of the newest runc
// line); Evaluate and Compare given a View use each runtime's own (For).
//
// The order is runc's (libcontainer/rootfs_linux.go:prepareRootfs, then
// finalizeRootfs) and crun's: the mounts in config order, each mount point
// made with MkdirAll(0755) as the container's root when missing, then the
// cwd's creation, then root.readonly's remount. Mounts other than bind and
// tmpfs (proc, sysfs, devpts, mqueue, cgroup) are not modelled beyond
// their mount point.
type View struct {
	plan    *spec.Plan
	base    access.FS
	sources map[string]access.FS
	views   [2 * nTmpfs]*lineView
	// classes[t][b] is 1 + class(t, b) once asked.
	classes [nTmpfs][UserNSBindReadonlyOnly + 1]int8
}

// nTmpfs is the number of TmpfsModes; a view's class is its TmpfsMode,
// plus nTmpfs when a bind mount's flags are lost (UserNSBind).
const nTmpfs = int(TmpfsKernel) + 1

// lineView is a View for one TmpfsMode: final has root.readonly applied,
// early is the same mounts before the root's remount.
type lineView struct {
	final, early access.FS
	// class is the first class this view was composed for, which every
	// class sharing it is told by (memo keys); tmpfs are the modes its
	// tmpfs roots got, in mount order, and known that none was unread.
	class int
	tmpfs []uint32
	known bool
}

// NewView returns the view of plan's mounts over base. sources maps a bind
// mount's source, as config.json spells it, to the directory it names; a
// bind mount whose source is not there (a file, a missing directory) is
// not modelled.
func NewView(plan *spec.Plan, base access.FS, sources map[string]access.FS) *View {
	return &View{plan: plan, base: base, sources: sources}
}

// For returns the filesystem line's init sees at the checks.
func (v *View) For(l *Release) access.FS { return v.line(l).final }

// early returns the filesystem line's init sees before root.readonly's
// remount, when it creates the cwd.
func (v *View) early(l *Release) access.FS { return v.line(l).early }

// line returns the view of line l.
func (v *View) line(l *Release) *lineView {
	t, b := l.Tmpfs, l.UserNSBind
	if t < 0 || int(t) >= len(v.classes) || b < 0 || int(b) >= len(v.classes[t]) {
		return v.of(v.class(t, b))
	}
	c := &v.classes[t][b]
	if *c == 0 {
		*c = int8(v.class(t, b)) + 1
	}
	return v.of(int(*c) - 1)
}

// class is the index of the view a line with t and b shares: its
// TmpfsMode when the plan has a tmpfs mount (else every mode's, 0), plus
// nTmpfs when b loses flags the plan's bind mounts ask for. Where every
// tmpfs has a mode=, the modes but TmpfsChmodDir give it that mode and
// share TmpfsKernel's view.
func (v *View) class(t TmpfsMode, b UserNSBind) int {
	c, tmpfs, modes := 0, false, true
	for i := range v.plan.Mounts {
		m := &v.plan.Mounts[i]
		switch {
		case m.Type == "tmpfs" && !m.Bind:
			tmpfs = true
			modes = modes && m.TmpfsMode != nil
		case m.Bind && bindFlags(b, v.plan.UserNS != nil, m.Flags) != m.Flags:
			c = nTmpfs
		}
	}
	if tmpfs {
		if modes && t != TmpfsChmodDir {
			// tmpfsMode: mode= decides for every mode but
			// TmpfsChmodDir, whatever the covered directory is.
			t = TmpfsKernel
		}
		c += int(t)
	}
	return c
}

// bindFlags are the flags a bind mount asking for f has under b, in a
// container with a user namespace or not.
func bindFlags(b UserNSBind, userns bool, f access.MountFlags) access.MountFlags {
	if b == UserNSBindReadonlyOnly && userns && f&access.MNT_READONLY == 0 {
		return f &^ (access.MNT_NOEXEC | access.MNT_NOSUID | access.MNT_NODEV)
	}
	return f
}

// of returns the view of class, composed the first time. Classes whose
// views come out alike (the same bind flags, every tmpfs root given the
// same mode) share the first one, so that a Compare's memo shares what
// their runtimes do in it.
func (v *View) of(class int) *lineView {
	if v.views[class] == nil {
		b := UserNSBindRemount
		if class >= nTmpfs {
			b = UserNSBindReadonlyOnly
		}
		lv := v.compose(TmpfsMode(class%nTmpfs), b)
		lv.class = class
		v.views[class] = lv
		half := class - class%nTmpfs // the classes with these bind flags
		for c := half; c < half+nTmpfs; c++ {
			if o := v.views[c]; c != class && o != nil && sameTmpfs(o, lv) {
				v.views[class] = o
				break
			}
		}
	}
	return v.views[class]
}

// sameTmpfs reports whether views a and b, composed with the same bind
// flags, gave every tmpfs root the same mode: compose then made them
// alike, a tmpfs's mode being the only thing a TmpfsMode decides.
func sameTmpfs(a, b *lineView) bool {
	if !a.known || !b.known || len(a.tmpfs) != len(b.tmpfs) {
		return false
	}
	for i := range a.tmpfs {
		if a.tmpfs[i] != b.tmpfs[i] {
			return false
		}
	}
	return true
}

// newest is the view of the newest runc line.
func (v *View) newest() access.FS { return v.of(v.class(TmpfsModeData, UserNSBindRemount)).final }

// Lstat implements access.FS with the newest runc line's view.
func (v *View) Lstat(name string) (access.Inode, error) { return v.newest().Lstat(name) }

// Readlink implements access.FS with the newest runc line's view.
func (v *View) Readlink(name string) (string, error) { return v.newest().Readlink(name) }

// ReadAt implements access.FS with the newest runc line's view.
func (v *View) ReadAt(name string, p []byte, off int64) (int, error) {
	return v.newest().ReadAt(name, p, off)
}

// compose lays the mounts over the base as a runtime choosing tmpfs modes
// by t and applying bind flags by b does.
func (v *View) compose(t TmpfsMode, b UserNSBind) *lineView {
	p := v.plan
	// The container's root, who mounts and makes mount points.
	uid, gid := uint32(0), uint32(0)
	if ns := p.UserNS; ns != nil {
		uid, _ = ns.KUID(0)
		gid, _ = ns.KGID(0)
	}
	points := &access.Overlay{Base: v.base, Dirs: map[string]access.Inode{}}
	early := &rootfs.Layered{Base: points}
	lv := &lineView{known: true}
	for _, m := range p.Mounts {
		dest := path.Clean("/" + m.Destination)
		if dest == "/" {
			continue
		}
		// The covered directory's mode is read before the mount point is
		// made (os.Stat, then MkdirAll when it fails).
		var mode uint32
		var unread error // the covered directory, if its mode was needed and not read
		if m.Type == "tmpfs" && !m.Bind {
			mode, unread = tmpfsMode(t, m, early, dest)
			lv.tmpfs = append(lv.tmpfs, mode)
			lv.known = lv.known && unread == nil
		}
		// MkdirAll of the mount point (and its parents) when missing.
		for _, d := range ancestors(dest) {
			_, err := early.Lstat(d)
			if err == nil {
				continue
			}
			if errors.Is(err, access.ErrUnreadable) {
				// Whether d is there, and what it is, was not read:
				// make nothing, so that a walk through it meets the
				// error.
				break
			}
			parent, _ := early.Lstat(path.Dir(d))
			points.Dirs[d] = access.Inode{Mode: access.S_IFDIR | 0o755, UID: uid, GID: gid, Mount: parent.Mount}
		}
		switch {
		case m.Bind:
			src, ok := v.sources[m.Source]
			if !ok || src == nil {
				continue
			}
			early.Mounts = append(early.Mounts, rootfs.Mounted{Destination: dest, FS: src, Flags: bindFlags(b, p.UserNS != nil, m.Flags)})
		case m.Type == "tmpfs" && unread != nil:
			// The tmpfs's mode comes from what it covers, which was
			// not read: its root cannot be told.
			early.Mounts = append(early.Mounts, rootfs.Mounted{Destination: dest, FS: unreadableFS{unread}, Flags: m.Flags})
		case m.Type == "tmpfs":
			root := access.Inode{Mode: access.S_IFDIR | mode, UID: uid, GID: gid}
			if m.TmpfsUID != nil {
				root.UID = *m.TmpfsUID
				if p.UserNS != nil {
					root.UID, _ = p.UserNS.KUID(*m.TmpfsUID)
				}
			}
			if m.TmpfsGID != nil {
				root.GID = *m.TmpfsGID
				if p.UserNS != nil {
					root.GID, _ = p.UserNS.KGID(*m.TmpfsGID)
				}
			}
			early.Mounts = append(early.Mounts, rootfs.Mounted{Destination: dest, FS: rootfs.NewMem(), Flags: m.Flags, Root: &root})
		}
	}
	early.Index()
	lv.final, lv.early = early, early
	if p.Root.Readonly {
		// finalizeRootfs: remount / read-only (MS_BIND|MS_REMOUNT|MS_RDONLY),
		// a flag of the root's mount only.
		final := *early
		final.Base = readonlyMount{points}
		lv.final = &final
	}
	return lv
}

// tmpfsMode is the mode of the root of tmpfs m at dest, as runtimes of t
// choose it over what is there before mounting (os.Stat: a symlink is
// followed once, inside the view). Where that depends on what the reader
// could not read, the error (access.ErrUnreadable) says so.
func tmpfsMode(t TmpfsMode, m spec.Mount, fsys access.FS, dest string) (uint32, error) {
	mode := uint32(0o1777) // mm/shmem.c: the kernel's default
	covered, err := fsys.Lstat(dest)
	if err == nil && covered.Mode&access.S_IFMT == access.S_IFLNK {
		if target, rerr := fsys.Readlink(dest); rerr == nil {
			if !strings.HasPrefix(target, "/") {
				target = path.Join(path.Dir(dest), target)
			}
			covered, err = fsys.Lstat(path.Clean(target))
		} else if errors.Is(rerr, access.ErrUnreadable) {
			err = rerr
		}
	}
	// The covered directory decides unless the runtime ignores it or a
	// mode= wins over it (not over TmpfsChmodDir's chmod).
	decides := t == TmpfsChmodDir || (t != TmpfsKernel && m.TmpfsMode == nil)
	if decides && errors.Is(err, access.ErrUnreadable) {
		return 0, err
	}
	exists := err == nil && covered.IsDir()
	switch {
	case t == TmpfsChmodDir && exists:
		return covered.Mode & 0o7777, nil
	case t == TmpfsModeDataNoSpecial && exists:
		mode = covered.Mode & 0o777
	case t == TmpfsModeData && exists:
		mode = covered.Mode & 0o7777
	}
	if m.TmpfsMode != nil {
		mode = *m.TmpfsMode
	}
	return mode, nil
}

// unreadableFS is a filesystem of which nothing could be read: every
// question is answered with err, which Is access.ErrUnreadable.
type unreadableFS struct{ err error }

func (u unreadableFS) Lstat(string) (access.Inode, error)        { return access.Inode{}, u.err }
func (u unreadableFS) Readlink(string) (string, error)           { return "", u.err }
func (u unreadableFS) ReadAt(string, []byte, int64) (int, error) { return 0, u.err }

// ancestors returns the directories from the first below / to p itself.
func ancestors(p string) []string {
	var out []string
	for i := 1; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}

// readonlyMount shows an FS through a read-only mount.
type readonlyMount struct{ access.FS }

func (r readonlyMount) Lstat(name string) (access.Inode, error) {
	ino, err := r.FS.Lstat(name)
	if err == nil {
		ino.Mount |= access.MNT_READONLY
	}
	return ino, err
}
