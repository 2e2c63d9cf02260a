package access

import (
	"io/fs"

	"github.com/preexec/preexec/caps"
)

// The userspace faccessat emulations of Go's syscall package and of
// golang.org/x/sys/unix. The kernel's faccessat(2) takes no flags, so both
// emulate AT_EACCESS with fstatat and the mode bits; from Go 1.20 and x/sys
// 64077c9b (2020-08-03) they first try faccessat2(2) and emulate only when
// it fails with ENOSYS or EPERM (an old kernel, a seccomp filter). Each
// function below is one variant, named after the version that began it; a
// runtime profile picks the one its toolchain shipped.
//
// What every emulation ignores, where the kernel would not: POSIX ACLs,
// CAP_DAC_READ_SEARCH, capabilities over inodes whose ids are unmapped,
// fsuid/fsgid, noexec and read-only mounts, LSMs.

// emulation is the mode-bit test after fstatat, shared by the variants; its
// two fields are the only things that differ between them.
type emulation struct {
	// capDacOverride: an effective CAP_DAC_OVERRIDE makes a non-root euid
	// count as root (Go CL 469956, 1.20.2; x/sys 3b9b58b7, v0.6.0).
	capDacOverride bool
	// ownGIDGroup: the group test asks whether the caller's own egid is a
	// supplementary group, not the file's gid (x/sys 981b6149 … 33da011f).
	ownGIDGroup bool
}

// run is the body of syscall_linux.go:Faccessat after fstatat: ids are those
// the task sees in its own namespace (getuid, getgroups and stat report an
// unmapped id as 65534).
func (e emulation) run(c *Cred, st *Inode, mode uint32, flags int) error {
	mode &= 7
	if mode == 0 {
		return nil
	}
	ns := c.UserNS
	munge := func(k uint32, m func(uint32) (uint32, bool)) uint32 {
		if id, ok := m(k); ok {
			return id
		}
		return overflowID
	}
	var uid uint32
	if flags&AT_EACCESS != 0 {
		uid = munge(c.EUID, ns.UID)
		if e.capDacOverride && uid != 0 && c.CapEffective.Has(caps.CAP_DAC_OVERRIDE) {
			uid = 0
		}
	} else {
		uid = munge(c.UID, ns.UID)
	}
	if uid == 0 {
		// Root can read and write any file, and execute any file that
		// anybody can execute.
		if mode&1 == 0 || st.Mode&0o111 != 0 {
			return nil
		}
		return EACCES
	}
	var fmode uint32
	class := ClassOwner
	stUID, stGID := munge(st.UID, ns.UID), munge(st.GID, ns.GID)
	if uid == stUID {
		fmode = st.Mode >> 6 & 7
	} else {
		gid := munge(c.GID, ns.GID)
		if flags&AT_EACCESS != 0 {
			gid = munge(c.EGID, ns.GID)
		}
		member := stGID
		if e.ownGIDGroup {
			member = gid
		}
		inGroups := false
		for _, g := range c.Groups {
			if munge(g, ns.GID) == member {
				inGroups = true
				break
			}
		}
		if gid == stGID || inGroups {
			fmode, class = st.Mode>>3&7, ClassGroup
		} else {
			fmode, class = st.Mode&7, ClassOther
		}
	}
	if fmode&mode == mode {
		return nil
	}
	// Which bits decided, and whether a capability would have: only an
	// effective CAP_DAC_OVERRIDE, where the variant counts it as root.
	d := &Denial{Reason: ReasonEmulated, Inode: *st, Mask: Mask(mode), Cred: *c, Class: class, Err: EACCES}
	if e.capDacOverride {
		d.Cap, d.HasCap = caps.CAP_DAC_OVERRIDE, true
	}
	return d
}

// emulate runs the fstatat (a kernel walk with the effective credentials,
// following symlinks unless AT_SYMLINK_NOFOLLOW) and then e.
func (e emulation) emulate(p *Proc, name string, mode uint32, flags int) error {
	w := getWalker(p, p.Cred)
	defer putWalker(w)
	lf := lookupFollow
	if flags&AT_SYMLINK_NOFOLLOW != 0 {
		lf = 0
	}
	if err := w.walk(name, lf); err != nil {
		return w.fail("faccessat", name, err)
	}
	st := w.result()
	if err := e.run(p.Cred, &st, mode, flags); err != nil {
		if d, ok := err.(*Denial); ok {
			d.Path = name
		}
		return &fs.PathError{Op: "faccessat", Path: name, Err: err}
	}
	return nil
}

// faccessat2First tries faccessat2 and reports whether its answer stands:
// any result but ENOSYS or EPERM is returned as is.
func faccessat2First(p *Proc, name string, mode uint32, flags int) (error, bool) {
	err := p.Faccessat2(name, mode, flags)
	if pe, ok := err.(*fs.PathError); ok && (pe.Err == ENOSYS || pe.Err == EPERM) {
		return nil, false
	}
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			pe.Op = "faccessat"
		}
	}
	return err, true
}

func badFlags(flags int) bool { return flags&^(AT_SYMLINK_NOFOLLOW|AT_EACCESS) != 0 }

// FaccessatEmulated is syscall.Faccessat of Go 1.17.10+, 1.18.2+ and 1.19.x
// (syscall/syscall_linux.go:Faccessat @go1.19.8), the form with the
// CVE-2022-29526 group fix:
//
//  1. Flags other than AT_SYMLINK_NOFOLLOW|AT_EACCESS: EINVAL.
//  2. No flags: the kernel's faccessat(2), i.e. Proc.Access.
//  3. fstatat; then mode 0 passes; a (e)uid of 0 may read and write
//     anything and execute what has any x bit; otherwise the owner bits if
//     the (e)uid owns the file, the group bits if the (e)gid is the file's
//     group or the file's group is a supplementary group, else the other
//     bits.
//
// Go's os/exec.LookPath does not call it before Go 1.20, and runc never does.
func FaccessatEmulated(p *Proc, name string, mode uint32, flags int) error {
	if badFlags(flags) {
		return &fs.PathError{Op: "faccessat", Path: name, Err: EINVAL}
	}
	if flags == 0 {
		return p.faccessat("faccessat", name, mode, 0)
	}
	return emulation{}.emulate(p, name, mode, flags)
}

// Faccessat2ElseEmulatedNoCaps is syscall.Faccessat of Go 1.20.0 and 1.20.1
// (@go1.20): with flags it first tries faccessat2(2), whose answer stands
// unless it is ENOSYS or EPERM; then it emulates as FaccessatEmulated. It ignores
// CAP_DAC_OVERRIDE, so a non-root euid holding it is refused exec of
// 0744 root:root when faccessat2 is unavailable (golang/go#58552).
func Faccessat2ElseEmulatedNoCaps(p *Proc, name string, mode uint32, flags int) error {
	if flags == 0 {
		return p.faccessat("faccessat", name, mode, 0)
	}
	if err, ok := faccessat2First(p, name, mode, flags); ok {
		return err
	}
	if badFlags(flags) {
		return &fs.PathError{Op: "faccessat", Path: name, Err: EINVAL}
	}
	return emulation{}.emulate(p, name, mode, flags)
}

// Faccessat2ElseEmulated is syscall.Faccessat of Go 1.20.2 and later
// (syscall_linux.go:Faccessat, isCapDacOverrideSet @go1.21.13 … go1.27.3;
// CL 469956): Faccessat2ElseEmulatedNoCaps, except that with AT_EACCESS a non-root euid
// with CAP_DAC_OVERRIDE effective is emulated as root. It is also
// golang.org/x/sys/unix.Faccessat from v0.6.0 (3b9b58b7) on.
func Faccessat2ElseEmulated(p *Proc, name string, mode uint32, flags int) error {
	if flags == 0 {
		return p.faccessat("faccessat", name, mode, 0)
	}
	if err, ok := faccessat2First(p, name, mode, flags); ok {
		return err
	}
	if badFlags(flags) {
		return &fs.PathError{Op: "faccessat", Path: name, Err: EINVAL}
	}
	return emulation{capDacOverride: true}.emulate(p, name, mode, flags)
}

// FaccessatEmulatedOwnGIDGroup is golang.org/x/sys/unix.Faccessat from 981b6149
// (2020-06-20) to before 64077c9b (2020-08-03), the pin of runc
// v1.0.0-rc92 (v0.0.0-20200728102440-3e129f6d46b1): emulation only, and the
// group test asks whether the caller's own egid is a supplementary group
// instead of the file's gid.
func FaccessatEmulatedOwnGIDGroup(p *Proc, name string, mode uint32, flags int) error {
	if badFlags(flags) {
		return &fs.PathError{Op: "faccessat", Path: name, Err: EINVAL}
	}
	if flags == 0 {
		return p.faccessat("faccessat", name, mode, 0)
	}
	return emulation{ownGIDGroup: true}.emulate(p, name, mode, flags)
}

// Faccessat2ElseEmulatedOwnGIDGroup is golang.org/x/sys/unix.Faccessat from 64077c9b
// and a37d78b9 (2020-08) to before 33da011f (2022-04-12), the pins of runc
// v1.0.0-rc93 … v1.1.5: faccessat2(2) first (ENOSYS or EPERM → emulation),
// then FaccessatEmulatedOwnGIDGroup's emulation with its egid group test and no
// capabilities.
func Faccessat2ElseEmulatedOwnGIDGroup(p *Proc, name string, mode uint32, flags int) error {
	if flags == 0 {
		return p.faccessat("faccessat", name, mode, 0)
	}
	if err, ok := faccessat2First(p, name, mode, flags); ok {
		return err
	}
	if badFlags(flags) {
		return &fs.PathError{Op: "faccessat", Path: name, Err: EINVAL}
	}
	return emulation{ownGIDGroup: true}.emulate(p, name, mode, flags)
}
