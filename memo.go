package preexec

import (
	"hash/maphash"
	"syscall"
	"unsafe"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

// A memo shares the outcome of a model operation between the evaluations
// of one Compare. Every runtime runs the same few kernel operations on the
// same files — chdir(cwd), LookPath(args[0]), execve — and the credentials
// they run with differ only where the lines differ, so most of them are
// asked the same question many times. An operation is keyed by everything
// it reads besides the plan, the root filesystem and the host, which are
// fixed within a Compare: its kind, what of the runtime's line it depends
// on, the credentials, the filesystem view (an *access.Overlay made by a
// memoized cwd creation), the working directory and what faccessat2
// answers.
//
// The model is pure, so a memoized outcome is the outcome: Compare's
// results equal Evaluate's (TestCompareEqualsEvaluate).
type memo struct {
	// slots is an open-addressing table of the entries by their keys'
	// hash: 1 + the index of an entry, or 0 for a free slot; its length
	// is a power of two, at least twice the number of entries.
	slots   []int32
	entries []memoEntry
	seed    maphash.Seed
	// env[c] is checkEnv(c, plan.Env) once envDone[c]: every line with
	// that check asks it again.
	env     [EnvLastFirst + 1]string
	envDone [EnvLastFirst + 1]bool
	// suspects are the plan's dataSuspects once suspectsDone.
	suspects     []dataSuspect
	suspectsDone bool
	// splits remembers minorSplits of the last few Go versions.
	splits  [4]goSplit
	nsplits int
}

// goSplit is minorSplits(g).
type goSplit struct {
	g      goVersion
	splits bool
}

// minorSplits is minorSplits(g), remembered for a few g in a Compare.
func (m *memo) minorSplits(g goVersion) bool {
	if m == nil {
		return minorSplits(g)
	}
	for i := range m.nsplits {
		if m.splits[i].g == g {
			return m.splits[i].splits
		}
	}
	v := minorSplits(g)
	if m.nsplits < len(m.splits) {
		m.splits[m.nsplits] = goSplit{g, v}
		m.nsplits++
	}
	return v
}

// envComplaint is checkEnv(check, env), env being the plan's, worked out
// once per check in a Compare.
func (m *memo) envComplaint(check EnvCheck, env []string) string {
	if m == nil || check < 0 || int(check) >= len(m.env) {
		return checkEnv(check, env)
	}
	if !m.envDone[check] {
		m.env[check], m.envDone[check] = checkEnv(check, env), true
	}
	return m.env[check]
}

// dataSuspects is the plan's dataSuspects, worked out once in a Compare.
func (m *memo) dataSuspects(plan *spec.Plan) []dataSuspect {
	if m == nil {
		return dataSuspects(plan, nil)
	}
	if !m.suspectsDone {
		m.suspects, m.suspectsDone = dataSuspects(plan, m.suspects[:0]), true
	}
	return m.suspects
}

// reset empties m for the next Compare, keeping its storage.
func (m *memo) reset() {
	clear(m.slots)
	clear(m.entries)
	m.entries = m.entries[:0]
	m.env, m.envDone = [len(m.env)]string{}, [len(m.envDone)]bool{}
	clear(m.suspects)
	m.suspects, m.suspectsDone = m.suspects[:0], false
	m.nsplits = 0
}

type memoEntry struct {
	h uint64 // m.hash(&k)
	k opKey
	v opVal
}

// op names a memoized operation.
type op uint8

const (
	opMkdirAll op = iota + 1
	opCrunEnsure
	opPasswd
	opSetupUser
	opChdir
	opExecTail
	opExecve
	opCrunFind
	opJoinView
)

// opKey is what a memoized operation depends on. Fields an operation does
// not read stay zero.
type opKey struct {
	op   op
	line lineKey

	cred credKey
	fs   *access.Overlay
	cwd  string
	f2   syscall.Errno
	// name is the path operated on where it is not the plan's; groups
	// are setgroups' argument, by identity as in credKey.
	name    string
	groups  *uint32
	ngroups int
	// uncached: the operation reads a filesystem view that is not one
	// the memo made, so it cannot be keyed.
	uncached bool
}

// opVal is an operation's outcome; each operation uses the fields it needs.
type opVal struct {
	s      string
	err    error
	groups []uint32
	cred   *access.Cred
	over   *access.Overlay
	x      *access.Exec
	// step is where a chain of operations failed; fallback that
	// faccessat2 was refused and access(2) answered.
	step     Step
	fallback bool
}

// lineKey is what of its runtime's line an operation depends on, each a
// small number, side by side so that opKey's == and hash read them as one
// word. Fields an operation does not read stay zero.
type lineKey struct {
	// view is the class of the view the runtime sees (the cwd creations).
	view uint8
	// goClass is the toolchain's os/exec.LookPath class, env the InitEnv
	// runc init gives it, check the ExecCheck of its result (runc's exec
	// tail).
	goClass, env, check uint8
	// unmapped, rootlessGroups and setgroups are setupUser's: the line's
	// UnmappedIDs (only where an id is unmapped), its RootlessGroups, and
	// whether it words a failed setgroups (Errors.Setgroups; every line
	// that does words it alike).
	unmapped       uint8
	rootlessGroups uint8
	setgroups      bool
}

// credKey is a comparable image of an access.Cred. Groups are keyed by
// identity: the model never writes into a groups slice once made, so equal
// pointers and lengths mean equal groups (unequal ones only cost a miss).
type credKey struct {
	ids                                    [8]uint32
	groups                                 *uint32
	ngroups                                int
	inheritable, permitted, effective, bnd caps.Set
	ambient                                caps.Set
	keepCaps, noNewPrivs                   bool
	ns                                     *access.UserNS
}

func keyOf(c *access.Cred) credKey {
	gp, n := groupsKey(c.Groups)
	return credKey{
		ids:         [8]uint32{c.UID, c.EUID, c.SUID, c.FSUID, c.GID, c.EGID, c.SGID, c.FSGID},
		groups:      gp,
		ngroups:     n,
		inheritable: c.CapInheritable, permitted: c.CapPermitted, effective: c.CapEffective,
		bnd: c.CapBounding, ambient: c.CapAmbient,
		keepCaps: c.KeepCaps, noNewPrivs: c.NoNewPrivs,
		ns: c.UserNS,
	}
}

// groupsKey is the identity of a groups slice; every empty one is nil.
func groupsKey(g []uint32) (*uint32, int) {
	if len(g) == 0 {
		return nil, 0
	}
	return unsafe.SliceData(g), len(g)
}

// procKey is the key of an operation of p.
func procKey(o op, p *access.Proc) opKey {
	var f2 syscall.Errno
	switch err := p.Kernel.Faccessat2.(type) {
	case nil:
	case syscall.Errno:
		f2 = err
	default:
		return opKey{uncached: true}
	}
	over, ok := p.FS.(*access.Overlay)
	return opKey{op: o, cred: keyOf(p.Cred), fs: over, cwd: p.Cwd, f2: f2, uncached: !ok}
}

// do returns the memoized outcome of k, computing it with f the first
// time. Without a memo (Evaluate, or a traced run) it always calls f.
func (m *memo) do(k *opKey, f func() opVal) opVal {
	if m == nil || k.uncached {
		return f()
	}
	h := m.hash(k)
	mask := uint64(len(m.slots) - 1)
	for i := h & mask; len(m.slots) > 0; i = (i + 1) & mask {
		j := m.slots[i]
		if j == 0 {
			break
		}
		if e := &m.entries[j-1]; e.h == h && e.k == *k {
			return e.v
		}
	}
	v := f()
	// f may have memoized operations of its own, and grown the table.
	m.entries = append(m.entries, memoEntry{h, *k, v})
	if 2*len(m.entries) > len(m.slots) {
		m.grow()
	} else {
		m.place(len(m.entries) - 1)
	}
	return v
}

// place puts entry i in the first free slot from its hash on.
func (m *memo) place(i int) {
	mask := uint64(len(m.slots) - 1)
	j := m.entries[i].h & mask
	for m.slots[j] != 0 {
		j = (j + 1) & mask
	}
	m.slots[j] = int32(i) + 1
}

// grow doubles the table (64 slots at first) and places every entry anew.
func (m *memo) grow() {
	n := 64
	for n < 4*len(m.entries) {
		n *= 2
	}
	if n > len(m.slots) {
		m.slots = make([]int32, n)
	} else {
		clear(m.slots)
	}
	for i := range m.entries {
		m.place(i)
	}
}

// hash mixes the fields of k. Go's generic hash of a struct this size
// hashes field by field through the runtime and was a fifth of Compare's
// time; equality is still decided by ==.
func (m *memo) hash(k *opKey) uint64 {
	l := &k.line
	h := uint64(l.view) | uint64(l.goClass)<<8 | uint64(l.env)<<16 | uint64(l.check)<<24 |
		uint64(l.unmapped)<<32 | uint64(l.rootlessGroups)<<40 | b2u(l.setgroups)<<48
	h ^= uint64(k.op)<<56 ^ uint64(k.f2)<<32
	c := &k.cred
	for i := 0; i < len(c.ids); i += 2 {
		h = mix(h, uint64(c.ids[i])<<32|uint64(c.ids[i+1]))
	}
	h = mix(h, uint64(uintptr(unsafe.Pointer(c.groups)))^uint64(c.ngroups)<<48)
	h = mix(h, uint64(c.inheritable)^uint64(c.ambient)<<1)
	h = mix(h, uint64(c.permitted))
	h = mix(h, uint64(c.effective))
	h = mix(h, uint64(c.bnd))
	h = mix(h, uint64(uintptr(unsafe.Pointer(c.ns)))^b2u(c.keepCaps)<<1^b2u(c.noNewPrivs)<<2)
	h = mix(h, uint64(uintptr(unsafe.Pointer(k.fs)))^uint64(uintptr(unsafe.Pointer(k.groups)))^uint64(k.ngroups)<<48)
	// Most keys have no name: an empty string hashes as 0 without a call.
	if k.cwd != "" {
		h = mix(h, maphash.String(m.seed, k.cwd))
	}
	if k.name != "" {
		h = mix(h, ^maphash.String(m.seed, k.name))
	}
	return h
}

// mix folds x into the hash h.
func mix(h, x uint64) uint64 { return (h^x)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019 }

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
