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
	xe, _ := errorAs[*access.ExecError](r.Err)
	if d, ok := errorAs[*access.Denial](r.Err); ok {
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
		var bit string
		switch d.Mask & 7 {
		case access.MAY_READ:
			bit = "r"
		case access.MAY_WRITE:
			bit = "w"
		case access.MAY_EXEC:
			bit = "x"
		default:
			bit = d.Mask.String()
		}
		who := "o"
		switch d.Class {
		case access.ClassOwner:
			who = "u"
		case access.ClassGroup, access.ClassACLGroup:
			who = "g"
		}
		var first, or string
		if d.Inode.Mode&0o111 == 0 && d.Mask&access.MAY_EXEC != 0 && !d.Inode.IsDir() {
			first = "chmod +x " + d.Path + " (no capability executes a file without any x bit)"
		} else {
			first = "chmod " + who + "+" + bit + " " + d.Path
		}
		switch {
		case r.Step == StepChdir && l.Chdir == ChdirAfterSetuid:
			or = "runc ≥ 1.0.0-rc94 retries the chdir as root"
		case r.Step == StepEaccess && l.Eaccess == EaccessFaccessat2ElseAccess:
			or = "let faccessat2 through the seccomp filter (or set noNewPrivileges), or use runc ≥ 1.1.6: access(2) ignores CAP_DAC_OVERRIDE"
		case d.HasCap && !d.Cred.CapEffective.Has(d.Cap):
			or = "add " + d.Cap.String() + " to the effective capabilities"
		}
		if or == "" {
			return first
		}
		return first + "; or " + or
	}
	if le, ok := errorAs[*access.LookPathError](r.Err); ok {
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
	if _, ok := errorAs[*redundantRuleError](r.Err); ok {
		return "drop the seccomp rule whose action is the default action, or use runc ≥ 1.0.2, which skips it"
	}
	if errors.Is(r.Err, errRootlessGroups) {
		return "drop process.user.additionalGids: a rootless runc cannot set them (crun ignores them)"
	}
	if r.Step == StepInterpreter {
		return "make the script readable by the user (chmod o+r), since its interpreter opens it after exec"
	}
	return ""
}

// errorAs is errors.As for a type parameter, without the allocation
// errors.As's pointer argument costs.
func errorAs[T error](err error) (T, bool) {
	for err != nil {
		if t, ok := err.(T); ok {
			return t, true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if t, ok := errorAs[T](e); ok {
					return t, true
				}
			}
			return *new(T), false
		default:
			return *new(T), false
		}
	}
	return *new(T), false
}
