package preexec

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/preexec/preexec/access"
)

// fix suggests a change that would let the container start, for a failed
// result: the smallest change to the file, the capabilities or the
// runtime, in that order of preference. "" when there is nothing short to
// say.
func fix(r *Result, l *Line) string {
	var d *access.Denial
	var xe *access.ExecError
	errors.As(r.Err, &xe)
	if errors.As(r.Err, &d) {
		switch d.Reason {
		case access.ReasonNoexec:
			return fmt.Sprintf("mount %s without noexec, or move the file off it", d.Path)
		case access.ReasonNotRegular:
			return fmt.Sprintf("%s is not a regular file: point process.args[0] at the program", d.Path)
		case access.ReasonProtectedSymlink:
			return fmt.Sprintf("have the link %s owned by the directory's owner or the user, or point at the target directly", d.Path)
		case access.ReasonReadOnly:
			return fmt.Sprintf("%s is read-only: mount it read-write", d.Path)
		}
		bit := map[access.Mask]string{access.MAY_READ: "r", access.MAY_WRITE: "w", access.MAY_EXEC: "x"}[d.Mask&7]
		if bit == "" {
			bit = d.Mask.String()
		}
		who := "o"
		switch d.Class {
		case access.ClassOwner:
			who = "u"
		case access.ClassGroup, access.ClassACLGroup:
			who = "g"
		}
		var hints []string
		if d.Inode.Mode&0o111 == 0 && d.Mask&access.MAY_EXEC != 0 && !d.Inode.IsDir() {
			hints = append(hints, fmt.Sprintf("chmod +x %s (no capability executes a file without any x bit)", d.Path))
		} else {
			hints = append(hints, fmt.Sprintf("chmod %s+%s %s", who, bit, d.Path))
		}
		switch {
		case r.Step == StepChdir && l.Chdir == ChdirAfterSetuid:
			hints = append(hints, "runc ≥ 1.0.0-rc94 retries the chdir as root")
		case r.Step == StepEaccess && l.Eaccess == EaccessFaccessat2ElseAccess:
			hints = append(hints, "let faccessat2 through the seccomp filter (or set noNewPrivileges), or use runc ≥ 1.1.6: access(2) ignores CAP_DAC_OVERRIDE")
		case d.HasCap && !d.Cred.CapEffective.Has(d.Cap):
			hints = append(hints, "add "+d.Cap.String()+" to the effective capabilities")
		}
		return strings.Join(hints, "; or ")
	}
	var le *access.LookPathError
	if errors.As(r.Err, &le) {
		switch {
		case errors.Is(le.Err, access.ErrNotFound):
			return fmt.Sprintf("give process.args[0] as an absolute path, or put %s in a directory of PATH in process.env", le.Name)
		case errors.Is(le.Err, access.ErrDot):
			return fmt.Sprintf("give %s as an absolute path, or drop the relative entries of PATH (Go ≥ 1.19 refuses them)", le.Name)
		case errors.Is(le.Err, access.EISDIR):
			return fmt.Sprintf("%s is a directory: point process.args[0] at the program", le.Name)
		case errors.Is(le.Err, fs.ErrPermission):
			return fmt.Sprintf("%s must be a regular file with an x bit (Go's LookPath before 1.20 tests only that): chmod +x it", le.Name)
		}
	}
	if xe != nil {
		switch {
		case xe.Stage == access.StageInterpreter && strings.HasSuffix(xe.Path, "\r"):
			return "the #! line ends in a carriage return: convert the script to LF line endings"
		case errors.Is(xe.Err, access.ENOENT) && xe.Stage == access.StageInterpreter:
			return fmt.Sprintf("install the interpreter %s named by the #! line", xe.Path)
		case errors.Is(xe.Err, access.ENOENT) && xe.Stage == access.StageLoader:
			return fmt.Sprintf("install the dynamic loader %s, or build the program statically", xe.Path)
		case errors.Is(xe.Err, access.ENOEXEC):
			return "the file is neither a #! script nor an ELF for this machine"
		case errors.Is(xe.Err, access.EPERM) && xe.Stage == access.StageCreds:
			return "the file's capabilities are not all in the bounding set: add them to process.capabilities.bounding, or remove them from the file (setcap -r)"
		}
	}
	if r.Step == StepInterpreter {
		return "make the script readable by the user (chmod o+r), since its interpreter opens it after exec"
	}
	return ""
}
