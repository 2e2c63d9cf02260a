package preexec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// A FixKind is what a Fix changes. The kinds are in the order Fixes
// prefers them: the smallest change first.
type FixKind uint8

// The kinds of fix.
const (
	// FixChmod adds mode bits to a path of the root filesystem.
	FixChmod FixKind = iota + 1
	// FixChown gives a path of the root filesystem to the container's
	// user.
	FixChown
	// FixCap adds a capability to the effective, permitted and bounding
	// sets of process.capabilities.
	FixCap
	// FixGroup adds a supplementary group (process.user.additionalGids).
	FixGroup
	// FixUser runs the process as another uid (process.user.uid).
	FixUser
	// FixNoNewPrivileges sets process.noNewPrivileges: runc then installs
	// the seccomp filter after its checks
	// (opencontainers/runc libcontainer/standard_init_linux.go:Init@v1.1.4).
	FixNoNewPrivileges
	// FixSeccomp lets faccessat2 through linux.seccomp.
	FixSeccomp
	// FixKernel runs on a newer kernel (Host.Kernel).
	FixKernel
	// FixRuntime uses another runtime version: Fix.Runtimes, every row
	// of Runtimes that starts the container as it is.
	FixRuntime
	// FixHint is advice the model cannot apply (install the interpreter,
	// convert line endings): it is never Verified.
	FixHint
)

var fixKindNames = [...]string{FixChmod: "chmod", FixChown: "chown", FixCap: "cap-add", FixGroup: "group-add",
	FixUser: "user", FixNoNewPrivileges: "no-new-privileges", FixSeccomp: "seccomp", FixKernel: "kernel",
	FixRuntime: "runtime", FixHint: "hint"}

// String returns the kind's name as --json spells it ("chmod").
func (k FixKind) String() string {
	if int(k) < len(fixKindNames) && fixKindNames[k] != "" {
		return fixKindNames[k]
	}
	return "FixKind(" + strconv.Itoa(int(k)) + ")"
}

// A PlaceKind says where the user makes a change.
type PlaceKind uint8

// The places a change is made.
const (
	// PlaceRootfs: a command run on the bundle's root filesystem.
	PlaceRootfs PlaceKind = iota + 1
	// PlaceConfig: a field of config.json.
	PlaceConfig
	// PlaceDockerfile: a line of the image's Dockerfile.
	PlaceDockerfile
	// PlaceFlag: an engine flag (docker run, podman run, ctr run).
	PlaceFlag
	// PlacePod: a field of the pod (its securityContext).
	PlacePod
	// PlaceHost: the machine the runtime runs on.
	PlaceHost
	// PlaceRuntime: the runtime binary.
	PlaceRuntime
)

var placeKindNames = [...]string{PlaceRootfs: "rootfs", PlaceConfig: "config.json", PlaceDockerfile: "dockerfile",
	PlaceFlag: "flag", PlacePod: "pod", PlaceHost: "host", PlaceRuntime: "runtime"}

// String returns the kind's name as --json spells it ("config.json").
func (k PlaceKind) String() string {
	if int(k) < len(placeKindNames) && placeKindNames[k] != "" {
		return placeKindNames[k]
	}
	return "PlaceKind(" + strconv.Itoa(int(k)) + ")"
}

// A Place is where the user makes a Fix's change.
type Place struct {
	// Kind is what the user edits: the root filesystem, config.json, the
	// engine's flags, a Pod, the host, the runtime.
	Kind PlaceKind
	// Field is the field changed, for PlaceConfig and PlacePod
	// ("process.user.additionalGids", "securityContext.supplementalGroups").
	Field string
	// Text is what to run or write ("chmod o+x rootfs/home/nonroot",
	// "RUN chmod o+x /home/nonroot", "--group-add 65532").
	Text string
}

// A Fix is one change to the container's inputs — the root filesystem,
// config.json, the host or the runtime — as a value: Apply makes it, and
// Result.Fixes returns only fixes after which the runtime starts the
// container.
type Fix struct {
	// Kind is the change: which of the fields below it uses.
	Kind FixKind
	// Path is the path inside the container's root changed by FixChmod
	// and FixChown.
	Path string
	// Mode is FixChmod's permission bits after the change (07777).
	Mode uint32
	// Symbolic is Mode's change as chmod(1) takes it ("o+x", "+x").
	Symbolic string
	// UID is FixChown's new owner and FixUser's uid, GID FixGroup's
	// group: ids of the container's user namespace.
	UID, GID uint32
	// Cap is FixCap's capability.
	Cap caps.Cap
	// Kernel is FixKernel's version code (access.KernelVersion).
	Kernel uint32
	// Runtimes are FixRuntime's runtimes: every one of Runtimes that
	// starts the container as it is, in table order.
	Runtimes []string
	// Where lists the places the change is made. Result.Fixes gives those
	// of an OCI bundle (PlaceRootfs, PlaceConfig, PlaceHost,
	// PlaceRuntime); a caller that knows the engine says where its user
	// makes the same change.
	Where []Place
	// Text says the change for people ("chmod o+x /home/nonroot").
	Text string
	// Verified reports that the change was applied to the model and the
	// runtime then starts the container.
	Verified bool
}

// ErrNotApplicable is Apply's error for a fix the model cannot make: a
// FixHint, or a change the plan cannot take.
var ErrNotApplicable = errors.New("the fix cannot be applied to the model")

// Apply returns Evaluate's inputs with f made: the root filesystem with
// Path's mode or owner changed (fsys itself is not changed: the result
// lays the change over it, a *View's base for a View), the plan of
// config.json with the field changed (read again by spec.FromSpec), the
// host on a newer kernel, or, for FixRuntime, the first of f.Runtimes.
// A FixHint, a plan without its Spec, or a path that a mount covers is
// ErrNotApplicable.
func (f *Fix) Apply(plan *spec.Plan, fsys access.FS, rt Runtime, host Host) (*spec.Plan, access.FS, Runtime, Host, error) {
	switch f.Kind {
	case FixChmod, FixChown:
		if underMount(plan, f.Path) {
			return nil, nil, rt, host, fmt.Errorf("%w: a mount covers %s", ErrNotApplicable, f.Path)
		}
		p := &patchedFS{path: f.Path, kind: f.Kind, mode: f.Mode}
		if f.Kind == FixChown {
			k, ok := plan.UserNS.KUID(f.UID)
			if !ok {
				return nil, nil, rt, host, fmt.Errorf("%w: uid %d is not mapped", ErrNotApplicable, f.UID)
			}
			p.uid = k
		}
		if v, ok := fsys.(*View); ok {
			p.FS = v.base
			return plan, &View{plan: v.plan, base: p, sources: v.sources}, rt, host, nil
		}
		p.FS = fsys
		return plan, p, rt, host, nil
	case FixCap, FixGroup, FixUser, FixNoNewPrivileges, FixSeccomp:
		np, err := editSpec(plan, func(s *specs.Spec) { f.edit(s) })
		if err != nil {
			return nil, nil, rt, host, err
		}
		if v, ok := fsys.(*View); ok {
			// The mounts are the same; the view reads the plan's.
			fsys = &View{plan: np, base: v.base, sources: v.sources}
		}
		return np, fsys, rt, host, nil
	case FixKernel:
		host.Kernel = f.Kernel
		return plan, fsys, rt, host, nil
	case FixRuntime:
		if len(f.Runtimes) == 0 {
			return nil, nil, rt, host, fmt.Errorf("%w: no runtime named", ErrNotApplicable)
		}
		nrt, err := LookupRuntime(f.Runtimes[0])
		if err != nil {
			return nil, nil, rt, host, err
		}
		return plan, fsys, nrt, host, nil
	}
	return nil, nil, rt, host, fmt.Errorf("%w: %s", ErrNotApplicable, f.Kind)
}

// edit makes a config.json change in s, a copy editSpec made.
func (f *Fix) edit(s *specs.Spec) {
	p := s.Process
	switch f.Kind {
	case FixCap:
		name := f.Cap.String()
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		c := p.Capabilities
		for _, set := range []*[]string{&c.Effective, &c.Permitted, &c.Bounding} {
			if !slices.Contains(*set, name) {
				*set = append(*set, name)
			}
		}
	case FixGroup:
		p.User.AdditionalGids = append(p.User.AdditionalGids, f.GID)
	case FixUser:
		p.User.UID = f.UID
	case FixNoNewPrivileges:
		p.NoNewPrivileges = true
	case FixSeccomp:
		sc := s.Linux.Seccomp
		// Drop faccessat2 from every rule, then allow it unless the
		// default action does (a rule equal to the default action is one
		// libseccomp refuses).
		var rules []specs.LinuxSyscall
		for _, r := range sc.Syscalls {
			r.Names = slices.DeleteFunc(slices.Clone(r.Names), func(n string) bool { return n == "faccessat2" })
			if len(r.Names) > 0 {
				rules = append(rules, r)
			}
		}
		if sc.DefaultAction != specs.ActAllow {
			rules = append(rules, specs.LinuxSyscall{Names: []string{"faccessat2"}, Action: specs.ActAllow})
		}
		sc.Syscalls = rules
	}
}

// editSpec returns the plan of a copy of plan.Spec that edit changed, as
// FromSpec reads it.
func editSpec(plan *spec.Plan, edit func(*specs.Spec)) (*spec.Plan, error) {
	if plan.Spec == nil || plan.Spec.Process == nil {
		return nil, fmt.Errorf("%w: the plan has no config", ErrNotApplicable)
	}
	s := *plan.Spec
	p := *s.Process
	s.Process = &p
	p.User.AdditionalGids = slices.Clone(p.User.AdditionalGids)
	if p.Capabilities != nil {
		c := *p.Capabilities
		c.Effective, c.Permitted, c.Bounding = slices.Clone(c.Effective), slices.Clone(c.Permitted), slices.Clone(c.Bounding)
		p.Capabilities = &c
	}
	if s.Linux != nil {
		l := *s.Linux
		s.Linux = &l
		if l.Seccomp != nil {
			sc := *l.Seccomp
			l.Seccomp = &sc
		}
	}
	edit(&s)
	return spec.FromSpec("config.json", &s)
}

// underMount reports whether a mount of plan covers p, so that a change in
// the root filesystem does not reach the inode the container sees there.
func underMount(plan *spec.Plan, p string) bool {
	for _, m := range plan.Mounts {
		d := path.Clean("/" + m.Destination)
		if d == "/" || p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// patchedFS is an FS with one inode's mode or owner changed, as chmod(2)
// or chown(2) by root would leave it.
type patchedFS struct {
	access.FS
	path string
	kind FixKind
	mode uint32 // FixChmod: the permission bits
	uid  uint32 // FixChown: the kernel uid
}

// Lstat implements access.FS. A chown of a regular file by root clears
// its set-user-ID bit, its set-group-ID bit if group execute is set, and
// its file capabilities (torvalds/linux fs/attr.c:notify_change@v6.6,
// through should_remove_suid and security_inode_killpriv).
func (p *patchedFS) Lstat(name string) (access.Inode, error) {
	ino, err := p.FS.Lstat(name)
	if err != nil || name != p.path {
		return ino, err
	}
	switch p.kind {
	case FixChmod:
		ino.Mode = ino.Mode&^0o7777 | p.mode&0o7777
	case FixChown:
		ino.UID = p.uid
		if ino.IsRegular() {
			ino.Mode &^= access.S_ISUID
			if ino.Mode&0o010 != 0 {
				ino.Mode &^= access.S_ISGID
			}
			ino.Caps = nil
		}
	}
	return ino, nil
}

// Fixes returns the changes after which this runtime starts the container,
// the smallest first (FixKind's order), each Verified: every candidate is
// applied to the model (Fix.Apply) and evaluated again, and only those
// after which the runtime starts are kept. A FixRuntime names every
// runtime of Runtimes that starts the container as it is. Advice the
// model cannot apply (FixHint, never Verified) follows when no change
// to the container itself was verified. Nil when the container starts or
// the result is unknown.
//
// Fixes evaluates the container again, several times (Evaluate and Compare
// do not), so the root filesystem must not have changed since.
func (r Result) Fixes() []Fix {
	if r.in == nil || r.Starts || r.Unknown != "" {
		return nil
	}
	in := r.in
	// The runtime as it ran, its toolchain r.goV.
	same := r.RuntimeBuild()
	var out, hints []Fix
	for _, f := range candidates(&r) {
		switch f.Kind {
		case FixHint:
			hints = append(hints, f)
			continue
		case FixRuntime:
			// Made of evaluations: each named runtime starts it.
			f.Verified = true
			out = append(out, f)
			continue
		}
		plan, fsys, _, host, err := f.Apply(in.plan, in.fsys, same, in.host)
		if err != nil {
			continue
		}
		e := new(eval)
		e.reset(&input{plan: plan, fsys: fsys, host: host}, same, r.goV, nil)
		if e.run(); e.res.Starts {
			f.Verified = true
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	if len(out) > 0 && out[0].Kind != FixRuntime {
		return out // a change to the container works: no advice
	}
	return append(out, hints...)
}

// candidates are the changes that might let r's runtime start the
// container, unverified, with their places in a bundle.
func candidates(r *Result) []Fix {
	var out []Fix
	plan, host := r.in.plan, r.in.host
	add := func(f Fix) {
		for _, g := range out {
			if g.Kind == f.Kind && g.Path == f.Path && g.Mode == f.Mode && g.UID == f.UID && g.GID == f.GID && g.Cap == f.Cap && g.Text == f.Text {
				return
			}
		}
		out = append(out, f)
	}
	if d, ok := errorAs[*access.Denial](r.Err); ok {
		for _, f := range denialFixes(plan, d) {
			add(f)
		}
	}
	if le, ok := errorAs[*access.LookPathError](r.Err); ok && errors.Is(le.Err, fs.ErrPermission) && strings.HasPrefix(le.Name, "/") {
		// Go's LookPath before 1.20 tests the mode bits alone.
		if ino, err := r.in.fsys.Lstat(path.Clean(le.Name)); err == nil && ino.IsRegular() && ino.ACL == nil {
			add(chmodFix(plan, path.Clean(le.Name), ino.Mode|0o111, "+x"))
		}
	}
	if r.Step == StepEaccess {
		if !plan.NoNewPrivileges && plan.Seccomp != nil {
			add(Fix{Kind: FixNoNewPrivileges, Text: "set noNewPrivileges: runc then installs the seccomp filter after its checks",
				Where: []Place{{Kind: PlaceConfig, Field: "process.noNewPrivileges", Text: "set process.noNewPrivileges to true"}}})
		}
		if plan.Seccomp != nil && plan.Spec != nil && plan.Spec.Linux != nil && plan.Spec.Linux.Seccomp != nil {
			add(Fix{Kind: FixSeccomp, Text: "let faccessat2 through the seccomp profile",
				Where: []Place{{Kind: PlaceConfig, Field: "linux.seccomp", Text: "allow faccessat2 in linux.seccomp (no SCMP_ACT_ERRNO rule for it, an SCMP_ACT_ALLOW rule unless the default action allows)"}}})
		}
		if v := access.KernelVersion(5, 8); host.Kernel != 0 && host.Kernel < v {
			add(Fix{Kind: FixKernel, Kernel: v, Text: "run on Linux 5.8 or later, which has faccessat2",
				Where: []Place{{Kind: PlaceHost, Text: "Linux 5.8 or later"}}})
		}
	}
	in := r.in
	in.others.once.Do(func() { in.others.fix, in.others.ok = runtimeFix(in) })
	if in.others.ok {
		f := in.others.fix
		f.Runtimes, f.Where = slices.Clone(f.Runtimes), slices.Clone(f.Where)
		add(f)
	}
	if h := hint(r); h != "" {
		add(Fix{Kind: FixHint, Text: h})
	}
	return out
}

// denialFixes are the changes that might turn d into a grant: the bit the
// deciding class lacks, the owner, a group, a capability, the user.
func denialFixes(plan *spec.Plan, d *access.Denial) []Fix {
	if d.Reason != access.ReasonPermission && d.Reason != access.ReasonSearch && d.Reason != access.ReasonEmulated {
		return nil
	}
	var out []Fix
	ino := d.Inode
	ns := plan.UserNS
	if ino.ACL == nil && !underMount(plan, d.Path) {
		if d.Mask&access.MAY_EXEC != 0 && !ino.IsDir() && ino.Mode&0o111 == 0 {
			// No capability executes a file without any x bit.
			out = append(out, chmodFix(plan, d.Path, ino.Mode|0o111, "+x"))
		} else {
			who, shift := "o", 0
			switch d.Class {
			case access.ClassOwner:
				who, shift = "u", 6
			case access.ClassGroup:
				who, shift = "g", 3
			}
			need := uint32(d.Mask & (access.MAY_READ | access.MAY_WRITE | access.MAY_EXEC))
			if mode := ino.Mode | need<<shift; mode != ino.Mode {
				out = append(out, chmodFix(plan, d.Path, mode, who+"+"+strings.ReplaceAll(d.Mask.String(), "-", "")))
			}
		}
	}
	uid, uidOK := ns.UID(d.Cred.FSUID)
	if d.Class != access.ClassOwner && uidOK && uid != 0 && !underMount(plan, d.Path) {
		k, _ := ns.KUID(uid)
		out = append(out, Fix{Kind: FixChown, Path: d.Path, UID: uid,
			Text:  fmt.Sprintf("chown %d %s", uid, d.Path),
			Where: []Place{{Kind: PlaceRootfs, Text: fmt.Sprintf("chown %d %s", k, rootfsPath(plan, d.Path))}}})
	}
	if d.HasCap && !d.Cred.CapEffective.Has(d.Cap) {
		out = append(out, Fix{Kind: FixCap, Cap: d.Cap,
			Text: fmt.Sprintf("add %s to the effective, permitted and bounding capabilities", d.Cap),
			Where: []Place{{Kind: PlaceConfig, Field: "process.capabilities",
				Text: fmt.Sprintf("add %s to process.capabilities.effective, .permitted and .bounding", d.Cap)}}})
	}
	if gid, ok := ns.GID(ino.GID); ok && d.Class == access.ClassOther && !slices.Contains(plan.User.AdditionalGids, gid) {
		out = append(out, Fix{Kind: FixGroup, GID: gid,
			Text:  fmt.Sprintf("add the user to group %d (a supplementary group)", gid),
			Where: []Place{{Kind: PlaceConfig, Field: "process.user.additionalGids", Text: fmt.Sprintf("add %d to process.user.additionalGids", gid)}}})
	}
	if owner, ok := ns.UID(ino.UID); ok && d.Class != access.ClassOwner && owner != 0 && owner != plan.User.UID {
		out = append(out, Fix{Kind: FixUser, UID: owner,
			Text:  fmt.Sprintf("run as uid %d, the owner of %s", owner, d.Path),
			Where: []Place{{Kind: PlaceConfig, Field: "process.user.uid", Text: fmt.Sprintf("set process.user.uid to %d", owner)}}})
	}
	return out
}

// chmodFix is a FixChmod of p to mode, with its chmod(1) form.
func chmodFix(plan *spec.Plan, p string, mode uint32, symbolic string) Fix {
	return Fix{Kind: FixChmod, Path: p, Mode: mode & 0o7777, Symbolic: symbolic,
		Text:  fmt.Sprintf("chmod %s %s", symbolic, p),
		Where: []Place{{Kind: PlaceRootfs, Text: fmt.Sprintf("chmod %s %s", symbolic, rootfsPath(plan, p))}}}
}

// rootfsPath is p inside the bundle's root.path.
func rootfsPath(plan *spec.Plan, p string) string {
	if plan.Root.Path == "" {
		return p
	}
	return path.Join(plan.Root.Path, p)
}

// runtimeFix is a FixRuntime naming every runtime of Runtimes that starts
// the container in, or false if none does.
func runtimeFix(in *input) (Fix, bool) {
	rts := Runtimes()
	c := Compare(in.plan, in.fsys, rts, in.host)
	var names []string
	for _, r := range c.Results {
		if r.Starts {
			names = append(names, r.Runtime)
		}
	}
	if len(names) == 0 {
		return Fix{}, false
	}
	text := "use " + strings.ReplaceAll(versionRanges(rts, c.Results), "; ", " or ")
	return Fix{Kind: FixRuntime, Runtimes: names, Text: text, Where: []Place{{Kind: PlaceRuntime, Text: text}}}, true
}

// versionRanges names the runtimes of rts that start as ranges of
// versions (RuntimeRanges).
func versionRanges(rts []Runtime, res []Result) string {
	return RuntimeRanges(rts, func(i int) bool { return res[i].Starts })
}

// RuntimeRanges names the runtimes rts[i] for which in(i) holds, per
// runtime in the order of Runtimes (the catalogue), versions joined into
// ranges: "runc 1.0.0-rc92, 1.0.0-rc94 … 1.1.3; crun 1.8.1". A version
// stands for every build of it the catalogue has, and a range for every
// version between its ends; a version of which only some builds are in
// names those ("1.1.6+go1.19") and breaks a range. A runtime outside the
// catalogue (another toolchain, an official binary) is named with its
// build ("1.0.0-rc93+go1.15"). Duplicates in rts count once.
func RuntimeRanges(rts []Runtime, in func(i int) bool) string {
	cat := Runtimes()
	inCat := make(map[string]bool, len(cat))
	for _, rt := range cat {
		inCat[rt.Name] = true
	}
	chosen := map[string]bool{}
	var extra []Runtime
	for i, rt := range rts {
		switch {
		case !in(i) || chosen[rt.Name]:
		case inCat[rt.Name]:
			chosen[rt.Name] = true
		default:
			chosen[rt.Name] = true
			extra = append(extra, rt)
		}
	}
	type ver struct {
		kind, v string
		all     bool     // every build of the catalogue is in
		some    []string // the builds that are in, when not all are
		named   []string // builds outside the catalogue that are in
	}
	var vs []ver
	for _, rt := range cat {
		if len(vs) == 0 || vs[len(vs)-1].kind != rt.Release.Runtime || vs[len(vs)-1].v != rt.Version {
			vs = append(vs, ver{kind: rt.Release.Runtime, v: rt.Version, all: true})
		}
		w := &vs[len(vs)-1]
		if chosen[rt.Name] {
			w.some = append(w.some, buildName(rt))
		} else {
			w.all = false
		}
	}
	for _, rt := range extra {
		k := slices.IndexFunc(vs, func(w ver) bool { return w.kind == rt.Release.Runtime && w.v == rt.Version })
		if k < 0 {
			vs = append(vs, ver{kind: rt.Release.Runtime, v: rt.Version})
			k = len(vs) - 1
		}
		vs[k].named = append(vs[k].named, buildName(rt))
	}
	var parts, items []string
	kind := ""
	flush := func() {
		if len(items) > 0 {
			parts = append(parts, kind+" "+strings.Join(items, ", "))
		}
		items = nil
	}
	for i := 0; i < len(vs); i++ {
		w := vs[i]
		if w.kind != kind {
			flush()
			kind = w.kind
		}
		switch {
		case w.all:
			j := i
			for j+1 < len(vs) && vs[j+1].kind == w.kind && vs[j+1].all {
				j++
			}
			if j == i {
				items = append(items, w.v)
			} else {
				items = append(items, w.v+" … "+vs[j].v)
			}
			for _, b := range vs[i : j+1] {
				for _, n := range b.named {
					items = append(items, b.v+n)
				}
			}
			i = j
		default:
			for _, b := range append(w.some, w.named...) {
				items = append(items, w.v+b)
			}
		}
	}
	flush()
	return strings.Join(parts, "; ")
}

// buildName is what follows a runtime's version in its name, "+go1.19",
// "+debian"; for a name without it (an official binary) its toolchain,
// "+go1.15"; "" for crun.
func buildName(rt Runtime) string {
	if _, b, ok := strings.Cut(rt.Name, "+"); ok {
		return "+" + b
	}
	if rt.Go != "" {
		return "+go" + rt.Go
	}
	return ""
}

// hint is advice for a failure the model cannot fix by a change of its
// own, "" if there is none.
func hint(r *Result) string {
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
		return ""
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
			return fmt.Sprintf("%s must be a regular file with an x bit (Go's LookPath before 1.20 tests only that)", le.Name)
		}
	}
	if xe, ok := errorAs[*access.ExecError](r.Err); ok {
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
			if b := r.hostBounding(); b != 0 {
				return fmt.Sprintf("the file's capabilities are not all in the bounding set, process.capabilities.bounding within the runtime's own (which lacks %s): remove them from the file (setcap -r), or give them to both", capNames(caps.All&^b))
			}
			return "the file's capabilities are not all in the bounding set: add them to process.capabilities.bounding, or remove them from the file (setcap -r)"
		}
	}
	if _, ok := errorAs[*redundantRuleError](r.Err); ok {
		return "drop the seccomp rule whose action is the default action"
	}
	if errors.Is(r.Err, errRootlessGroups) {
		return "drop process.user.additionalGids: a rootless runc cannot set them"
	}
	return ""
}

// hostBounding is runtimeBounding for r's evaluation: the runtime's own
// bounding set where it limits r, 0 where it does not.
func (r *Result) hostBounding() caps.Set {
	if r.in == nil {
		return 0
	}
	return runtimeBounding(r.in.host, r.in.plan, r.line)
}

// errorAs is errors.As for a type parameter. Only Fixes reaches it (a
// failed result's candidates and hint), off Compare's path, so errors.As's
// pointer argument may cost its allocation; access.asError is the
// allocation-free walk the hot path uses.
func errorAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
