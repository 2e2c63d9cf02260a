package preexec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/preexec/preexec/spec"
)

// Mount data. runc (libcontainer/specconv/spec_linux.go:parseMountOptions)
// and crun turn the options they know into mount flags and pass every other
// option to the kernel as the filesystem's data, which the filesystem may
// refuse (EINVAL): the mount fails at create, before any step the model
// checks. The model does not check mounts; where a mount's data holds an
// option it does not know the filesystem to take, the result is unknown
// instead of a confident answer about the later steps.

// ErrMountData is the Result.Err of a runtime whose mount data the model
// cannot vouch for.
var ErrMountData = errors.New("a mount's data may be refused by the kernel")

// runcFlagWords are the options every modelled runc consumes (its
// mountFlags, mountPropagationMapping and extensionFlags tables with a
// non-zero flag: opencontainers/runc
// libcontainer/specconv/spec_linux.go@v1.0.0-rc92 … v1.5.1). `acl` and
// `noacl`, which runc ≤ 1.1 consumes and later runc passes as data, are
// left out: the model answers them as unknown everywhere.
var runcFlagWords = words("async atime bind dev diratime dirsync exec iversion lazytime loud mand noatime nodev nodiratime noexec noiversion nolazytime nomand norelatime nostrictatime nosuid rbind relatime remount ro rw silent strictatime suid sync private rprivate shared rshared slave rslave unbindable runbindable tmpcopyup")

// runc110FlagWords are consumed from runc 1.1.0 on (spec_linux.go@v1.1.0:
// nosymfollow, symfollow, the recAttrFlags).
var runc110FlagWords = words("nosymfollow symfollow rro rrw rnosuid rsuid rnodev rdev rnoexec rexec rnodiratime rdiratime rrelatime rnorelatime rnoatime ratime rstrictatime rnostrictatime rnosymfollow rsymfollow")

// runc120FlagWords are consumed from runc 1.2.0 on (spec_linux.go@v1.2.0).
var runc120FlagWords = words("idmap ridmap")

// crunFlagWords are the flag words of crun 1.8.1 the model counts as
// consumed (src/libcrun/mount_flags.perf): the classic mount(8) flags and
// propagation words; anything else is judged as data.
var crunFlagWords = words("async atime bind dev diratime dirsync exec mand noatime nodev nodiratime noexec nomand norelatime nostrictatime nosuid rbind relatime remount ro rw strictatime suid sync private rprivate shared rshared slave rslave unbindable runbindable tmpcopyup")

// sbFlagWords are the words the kernel itself takes from any filesystem's
// data as superblock flags (fs/fs_context.c:common_set_sb_flag,
// common_clear_sb_flag).
var sbFlagWords = words("dirsync lazytime mand posixacl ro sync async nolazytime nomand rw")

// fsParams are, per filesystem type, the parameters its kernel parser
// takes (name → takes a value), as of Linux 6.x; a type not here is not
// modelled.
var fsParams = map[string]map[string]bool{
	// mm/shmem.c:shmem_fs_parameters.
	"tmpfs": {"gid": true, "huge": true, "mode": true, "mpol": true, "nr_blocks": true, "nr_inodes": true, "size": true, "uid": true,
		"inode32": false, "inode64": false, "noswap": false, "quota": false, "usrquota": false, "grpquota": false,
		"usrquota_block_hardlimit": true, "usrquota_inode_hardlimit": true, "grpquota_block_hardlimit": true, "grpquota_inode_hardlimit": true},
	// fs/devpts/inode.c:devpts_param_specs.
	"devpts": {"uid": true, "gid": true, "mode": true, "ptmxmode": true, "newinstance": false, "max": true},
	// fs/proc/root.c:proc_fs_parameters.
	"proc": {"gid": true, "hidepid": true, "subset": true},
	// fs/sysfs/mount.c, ipc/mqueue.c: no parameters.
	"sysfs":  {},
	"mqueue": {},
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// dropsDefaults reports whether rt consumes the `defaults` option (its
// line's DropsDefaults names the release that answers for it).
func (rt Runtime) dropsDefaults() bool {
	if rt.Release == nil {
		return false
	}
	_, v := lineOf(rt.Release.Runtime, rt.Version)
	for _, d := range rt.Release.DropsDefaults {
		if d == v {
			return true
		}
	}
	return false
}

func defaultsText(drops bool) string {
	if drops {
		return "`defaults` consumed"
	}
	return "`defaults` passed to the kernel as mount data"
}

// consumes reports whether rt takes option o as a flag word rather than
// mount data.
func (rt Runtime) consumes(o string) bool {
	if o == "defaults" {
		return rt.dropsDefaults()
	}
	return rt.Release.MountFlagWords.consumes(o)
}

// consumes reports whether option o is one of the flag words of w.
func (w MountFlagWords) consumes(o string) bool {
	switch w {
	case MountFlagsCrun:
		return crunFlagWords[o]
	case MountFlagsIdmap:
		return runcFlagWords[o] || runc110FlagWords[o] || runc120FlagWords[o]
	case MountFlagsRecursive:
		return runcFlagWords[o] || runc110FlagWords[o]
	}
	return runcFlagWords[o]
}

// mountDataUnknown makes r unknown when a mount of the plan passes rt an
// option as data that the model does not know the filesystem to take.
func (in *input) mountDataUnknown(rt Runtime, r *Result, m *memo) {
	if rt.Release == nil || r.Unknown != "" {
		return
	}
	for _, q := range m.dataSuspects(in.plan) {
		m, o := q.m, q.o
		if rt.consumes(o) {
			continue
		}
		who := rt.Name
		if o == "defaults" && rt.Release.Runtime == "runc" {
			who += " (as by every runc modelled but 1.5.3, opencontainers/runc#5500)"
		}
		var why string
		switch {
		case !q.modelled:
			why = fmt.Sprintf("the model does not know whether %s takes it", m.Type)
		case o == "defaults":
			why = fmt.Sprintf("the kernel's %s does not take it (a real runc fails at create: `…, data=…defaults: invalid argument`)", m.Type)
		default:
			why = fmt.Sprintf("it is none of the kernel's %s options the model knows", m.Type)
		}
		*r = Result{Runtime: r.Runtime, Step: StepConfig, Err: ErrMountData,
			Unknown: fmt.Sprintf("mount option %q of the %s at %s is passed to the kernel as data by %s; %s; the model does not check the mount itself",
				o, m.Type, m.Destination, who, why),
			Caveat: r.Caveat, Extrapolated: r.Extrapolated, in: r.in, line: r.line, version: r.version, goName: r.goName, goV: r.goV}
		return
	}
}

// A dataSuspect is a mount option that some runtime may pass to the kernel
// as data the model does not vouch for: whether it does depends only on
// whether that runtime consumes the option (Runtime.consumes).
type dataSuspect struct {
	m        *spec.Mount
	o        string
	modelled bool
}

// dataSuspects appends to out the plan's mount options, in order, that
// are neither superblock flags, nor parameters the filesystem takes, nor
// flag words every runtime consumes: what mountDataUnknown asks each
// runtime about.
func dataSuspects(plan *spec.Plan, out []dataSuspect) []dataSuspect {
	for i := range plan.Mounts {
		m := &plan.Mounts[i]
		if m.Bind {
			continue
		}
		for _, o := range m.Options {
			if sbFlagWords[o] || (o != "defaults" && runcFlagWords[o] && crunFlagWords[o]) {
				continue // taken by the kernel, or consumed by every runtime
			}
			params, modelled := fsParams[m.Type]
			key, _, hasValue := strings.Cut(o, "=")
			if takesValue, ok := params[key]; ok && takesValue == hasValue {
				continue
			}
			if !modelled && o != "defaults" {
				continue // a filesystem the model does not know: its data is not judged
			}
			out = append(out, dataSuspect{m: m, o: o, modelled: modelled})
		}
	}
	return out
}

// refine is what Evaluate and Compare add to an evaluation of rt: the
// answers the rows cannot give for one line and Go class (mount data, a Go
// named without its patch level).
func (in *input) refine(rt Runtime, r *Result, m *memo) {
	in.mountDataUnknown(rt, r, m)
	in.goPatchUnknown(rt, r, m)
}

// refineAll refines the results of a Compare, after every class was
// evaluated (results of one class are shared before refine).
func (in *input) refineAll(rts []Runtime, rs []Result, m *memo) {
	for i := range rts {
		in.refine(rts[i], &rs[i], m)
	}
}
