package spec

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
)

// A Mount is one entry of mounts, with the options that change what the
// pre-exec checks see decoded.
type Mount struct {
	// Destination, Type, Source and Options are as given. A relative
	// Source of a bind mount is relative to the bundle.
	Destination, Type, Source string
	Options                   []string
	// Bind reports a bind mount: the options hold bind or rbind. As in
	// runc (specconv.createLibcontainerMount), Type is then ignored, and a
	// Type of "bind" without one of these options is not a bind mount.
	Bind bool
	// Flags are the mount's flags after all options, as runc's
	// parseMountOptions folds them (the last of ro/rw, noexec/exec,
	// nosuid/suid, nodev/dev, nosymfollow/symfollow wins; the recursive
	// rro, rnoexec, … of runc 1.1 are applied after them, as
	// mount_setattr(2) applies them after the mount). ro is MNT_READONLY
	// on a bind mount and SB_RDONLY (a read-only superblock) on a new
	// filesystem such as a tmpfs; rro is always MNT_READONLY.
	Flags access.MountFlags
	// TmpfsMode is the mode= option of a tmpfs (not a bind mount), the
	// last one given, masked with 07777 as mm/shmem.c:shmem_parse_one
	// does; nil if there is none and the tmpfs root gets the runtime's
	// choice (the shadowed directory's mode, or the kernel's 1777).
	TmpfsMode *uint32
	// TmpfsUID and TmpfsGID are the uid= and gid= options of a tmpfs, the
	// last ones given, as ids of the mounting process's user namespace
	// (mm/shmem.c:shmem_parse_one, make_kuid(current_user_ns(), …)); nil
	// if absent, when the tmpfs root belongs to the mounting process's
	// fsuid and fsgid (the container's root).
	TmpfsUID, TmpfsGID *uint32
}

// mountOption is what one option does to a mount's flags.
type mountOption struct {
	flag      access.MountFlags
	clear     bool
	recursive bool
}

// mountOptions are the options of runc's specconv mountFlags and
// recAttrFlags tables, ro and rw aside, that set a flag the checks look at;
// the others (atime, propagation, data for the filesystem) change nothing
// here.
var mountOptions = map[string]mountOption{
	"noexec":       {flag: access.MNT_NOEXEC},
	"exec":         {flag: access.MNT_NOEXEC, clear: true},
	"nosuid":       {flag: access.MNT_NOSUID},
	"suid":         {flag: access.MNT_NOSUID, clear: true},
	"nodev":        {flag: access.MNT_NODEV},
	"dev":          {flag: access.MNT_NODEV, clear: true},
	"nosymfollow":  {flag: access.MNT_NOSYMFOLLOW},
	"symfollow":    {flag: access.MNT_NOSYMFOLLOW, clear: true},
	"rro":          {flag: access.MNT_READONLY, recursive: true},
	"rrw":          {flag: access.MNT_READONLY, clear: true, recursive: true},
	"rnoexec":      {flag: access.MNT_NOEXEC, recursive: true},
	"rexec":        {flag: access.MNT_NOEXEC, clear: true, recursive: true},
	"rnosuid":      {flag: access.MNT_NOSUID, recursive: true},
	"rsuid":        {flag: access.MNT_NOSUID, clear: true, recursive: true},
	"rnodev":       {flag: access.MNT_NODEV, recursive: true},
	"rdev":         {flag: access.MNT_NODEV, clear: true, recursive: true},
	"rnosymfollow": {flag: access.MNT_NOSYMFOLLOW, recursive: true},
	"rsymfollow":   {flag: access.MNT_NOSYMFOLLOW, clear: true, recursive: true},
}

// parseMount decodes mounts[i].
func parseMount(i int, m specs.Mount) (Mount, *problem) {
	out := Mount{Destination: m.Destination, Type: m.Type, Source: m.Source, Options: m.Options}
	var flags, recSet, recClr access.MountFlags
	ro := false
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			out.Bind = true
		}
	}
	for j, o := range m.Options {
		if o == "ro" || o == "rw" {
			ro = o == "ro"
			continue
		}
		if mo, ok := mountOptions[o]; ok {
			switch {
			case mo.recursive && mo.clear:
				recClr, recSet = recClr|mo.flag, recSet&^mo.flag
			case mo.recursive:
				recSet, recClr = recSet|mo.flag, recClr&^mo.flag
			case mo.clear:
				flags &^= mo.flag
			default:
				flags |= mo.flag
			}
			continue
		}
		if v, ok := strings.CutPrefix(o, "mode="); ok && m.Type == "tmpfs" && !out.Bind {
			// kstrtouint(s, 8) as fsparam_u32oct parses it: an optional
			// '+', octal digits, an optional trailing newline.
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(v, "+"), "\n"), 8, 32)
			if err != nil {
				return Mount{}, problemf(fmt.Sprintf("mounts[%d].options[%d]", i, j), "tmpfs mode %q is not an octal number", v)
			}
			mode := uint32(n) & 0o7777
			out.TmpfsMode = &mode
		}
		for _, o2 := range []struct {
			key string
			to  **uint32
		}{{"uid=", &out.TmpfsUID}, {"gid=", &out.TmpfsGID}} {
			v, ok := strings.CutPrefix(o, o2.key)
			if !ok || m.Type != "tmpfs" || out.Bind {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return Mount{}, problemf(fmt.Sprintf("mounts[%d].options[%d]", i, j), "tmpfs %s%q is not a decimal number", o2.key, v)
			}
			id := uint32(n)
			*o2.to = &id
		}
	}
	if ro {
		if out.Bind {
			flags |= access.MNT_READONLY
		} else {
			flags |= access.SB_RDONLY
		}
	}
	out.Flags = flags&^recClr | recSet
	return out, nil
}
