package access

import (
	"fmt"
	"strings"

	"github.com/preexec/preexec/caps"
)

// A Reason says which rule of a lookup or an operation refused it.
type Reason uint8

// The reasons a Denial can give.
const (
	// ReasonPermission: the DAC check (and capabilities) on the object
	// itself refused the request.
	ReasonPermission Reason = iota
	// ReasonSearch: search permission on a directory of the path.
	ReasonSearch
	// ReasonNoexec: exec (or X_OK) of a regular file on a noexec mount.
	ReasonNoexec
	// ReasonNotRegular: exec of something that is not a regular file.
	ReasonNotRegular
	// ReasonProtectedSymlink: fs.protected_symlinks refused a trailing
	// symlink in a sticky world-writable directory.
	ReasonProtectedSymlink
	// ReasonReadOnly: a write on a read-only superblock or mount.
	ReasonReadOnly
	// ReasonEmulated: a userspace faccessat emulation (Go's syscall,
	// x/sys/unix) refused by the mode bits of one class alone.
	ReasonEmulated
)

var reasonNames = [...]string{"permission", "search", "noexec mount", "not a regular file", "protected_symlinks", "read-only", "faccessat emulation"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason?"
}

// A Denial explains a refused permission: which path component, which
// inode, which credentials, which class of the DAC check decided, and which
// capability would have overridden it. It unwraps to the errno (EACCES,
// EROFS), and its Error is that errno's text, so that inside the
// *fs.PathError an operation returns it reads like the system's own
// ("chdir /home/nonroot: permission denied"). Explain gives the long form.
//
// A Denial is built only when a check fails and the caller asked an
// operation (not a bare checker) for it.
type Denial struct {
	// Path is the resolved path of the inode that refused: a directory the
	// walk could not search, or the target itself.
	Path   string
	Reason Reason
	Inode  Inode
	Mask   Mask
	// Cred is the credentials the check ran with.
	Cred Cred
	// Class is the part of the DAC check that decided.
	Class Class
	// Cap is the capability that would have granted the request had it
	// been effective (and the inode's ids mapped); HasCap is false when
	// none could (exec of a file without any x bit, a noexec mount).
	Cap    caps.Cap
	HasCap bool
	// Err is the errno.
	Err error
}

func (d *Denial) Error() string { return Strerror(d.Err) }

// Unwrap returns the errno.
func (d *Denial) Unwrap() error { return d.Err }

// Explain returns the denial in one line, for people:
//
//	search denied on /home/nonroot (drwx------ 65532:65532) for uid 1000680000 gid 0: decided by the other class; CAP_DAC_READ_SEARCH would override
func (d *Denial) Explain() string {
	var b strings.Builder
	what := "permission"
	switch d.Reason {
	case ReasonSearch:
		what = "search"
	case ReasonPermission, ReasonEmulated:
		switch d.Mask & (MAY_READ | MAY_WRITE | MAY_EXEC) {
		case MAY_READ:
			what = "read"
		case MAY_WRITE:
			what = "write"
		case MAY_EXEC:
			what = "exec"
			if d.Inode.IsDir() {
				what = "search"
			}
		default:
			what = d.Mask.String()
		}
	default:
		what = d.Reason.String()
	}
	// In a user namespace the ids are told as the task sees them (stat(2)
	// and id(1) inside): an inode id the namespace does not map is the
	// overflow id, with the host's after it.
	ns := d.Cred.UserNS
	uid, uok := ns.UID(d.Inode.UID)
	gid, gok := ns.GID(d.Inode.GID)
	if !uok {
		uid = overflowID
	}
	if !gok {
		gid = overflowID
	}
	fmt.Fprintf(&b, "%s denied on %s (%s %d:%d", what, d.Path, FormatMode(d.Inode.Mode), uid, gid)
	if !uok || !gok {
		fmt.Fprintf(&b, ", host %d:%d, not mapped in the user namespace", d.Inode.UID, d.Inode.GID)
	}
	if d.Inode.ACL != nil {
		b.WriteString(" with an ACL")
	}
	fsuid, _ := ns.UID(d.Cred.FSUID)
	fsgid, _ := ns.GID(d.Cred.FSGID)
	fmt.Fprintf(&b, ") for uid %d gid %d", fsuid, fsgid)
	if len(d.Cred.Groups) > 0 {
		groups := make([]uint32, len(d.Cred.Groups))
		for i, g := range d.Cred.Groups {
			groups[i], _ = ns.GID(g)
		}
		fmt.Fprintf(&b, " groups %v", groups)
	}
	switch d.Reason {
	case ReasonPermission, ReasonSearch:
		fmt.Fprintf(&b, ": decided by the %s class", d.Class)
		if d.HasCap {
			fmt.Fprintf(&b, "; %s would override", d.Cap)
			if d.Cred.CapEffective.Has(d.Cap) {
				b.WriteString(" but the inode's owner or group is not mapped in the user namespace")
			}
		} else if d.Mask&MAY_EXEC != 0 && !d.Inode.IsDir() && d.Inode.Mode&0o111 == 0 {
			b.WriteString("; no capability overrides exec of a file without any x bit")
		}
	case ReasonEmulated:
		fmt.Fprintf(&b, ": decided by the %s class of the mode bits, as the userspace faccessat emulation reads them (no ACL counts", d.Class)
		if d.HasCap {
			fmt.Fprintf(&b, "; %s would override", d.Cap)
		} else {
			b.WriteString(", nor any capability")
		}
		b.WriteString(")")
	case ReasonNoexec:
		b.WriteString(": the file is on a noexec mount")
	case ReasonNotRegular:
		b.WriteString(": only regular files can be executed")
	case ReasonProtectedSymlink:
		b.WriteString(": fs.protected_symlinks refuses a link owned by another user in a sticky world-writable directory")
	case ReasonReadOnly:
		b.WriteString(": the file system is read-only")
	}
	return b.String()
}

// newDenial explains a refusal of mask on ino (at path) for c.
func newDenial(path string, why Reason, ino Inode, mask Mask, c *Cred, err error) *Denial {
	d := &Denial{Path: path, Reason: why, Inode: ino, Mask: mask, Cred: *c, Err: err}
	if why == ReasonPermission || why == ReasonSearch {
		d.Class, _ = aclPermissionCheck(c, &ino, mask)
		d.Cap, _, d.HasCap = overrideCap(&ino, mask)
	}
	return d
}

// FormatMode returns mode as ls -l prints it: "drwx------", "-rwsr-xr-x".
func FormatMode(mode uint32) string {
	b := []byte("?---------")
	switch mode & S_IFMT {
	case S_IFREG:
		b[0] = '-'
	case S_IFDIR:
		b[0] = 'd'
	case S_IFLNK:
		b[0] = 'l'
	case S_IFCHR:
		b[0] = 'c'
	case S_IFBLK:
		b[0] = 'b'
	case S_IFIFO:
		b[0] = 'p'
	case S_IFSOCK:
		b[0] = 's'
	}
	for i, c := range "rwxrwxrwx" {
		if mode&(1<<(8-i)) != 0 {
			b[1+i] = byte(c)
		}
	}
	special := func(i int, bit uint32, set, unset byte) {
		if mode&bit != 0 {
			if b[i] == 'x' {
				b[i] = set
			} else {
				b[i] = unset
			}
		}
	}
	special(3, S_ISUID, 's', 'S')
	special(6, S_ISGID, 's', 'S')
	special(9, S_ISVTX, 't', 'T')
	return string(b)
}
