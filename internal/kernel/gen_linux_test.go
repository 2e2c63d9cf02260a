//go:build linux

package kernel

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// Random fixtures and credentials. Ids come from small pools so that owner,
// group and ACL matches happen often; capabilities focus on the ones that
// override DAC.

var (
	uidPool = []uint32{0, 1000, 1001, 2000, 65534}
	gidPool = []uint32{0, 1000, 1001, 3000, 65534}
	// focusCaps are the capabilities generic_permission and
	// inode_owner_or_capable consult.
	focusCaps = []caps.Cap{caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH, caps.CAP_FOWNER}
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// subset returns a random subset of cs.
func subset(r *rand.Rand, cs []caps.Cap) caps.Set {
	var s caps.Set
	for _, c := range cs {
		if r.IntN(2) == 0 {
			s = s.With(c)
		}
	}
	return s
}

// subsetOf returns a random subset of s.
func subsetOf(r *rand.Rand, s caps.Set) caps.Set { return subset(r, s.Caps()) }

// genCred returns a random credential: ids from the pools (real, effective
// and saved often equal), random supplementary groups, P a subset of the
// DAC capabilities (sometimes everything), E ⊆ P, random I, B and A with
// A ⊆ P ∩ I.
func genCred(r *rand.Rand) credSpec {
	uid := pick(r, uidPool)
	gid := pick(r, gidPool)
	c := user(uid, gid)
	if chance(r, 0.25) {
		c.EUID = pick(r, uidPool)
	}
	if chance(r, 0.15) {
		c.SUID = pick(r, uidPool)
	}
	if chance(r, 0.25) {
		c.EGID = pick(r, gidPool)
	}
	if chance(r, 0.1) {
		c.SGID = pick(r, gidPool)
	}
	for _, g := range gidPool {
		if chance(r, 0.25) {
			c.Groups = append(c.Groups, g)
		}
	}
	switch {
	case chance(r, 0.12):
		c.P = hostCaps.full
	case chance(r, 0.1):
		c.P = 0
	default:
		c.P = subset(r, focusCaps)
		if chance(r, 0.2) {
			c.P = c.P.With(pick(r, []caps.Cap{caps.CAP_SETUID, caps.CAP_SETPCAP, caps.CAP_NET_RAW, caps.CAP_CHOWN}))
		}
	}
	c.E = subsetOf(r, c.P)
	if chance(r, 0.4) {
		c.E = c.P
	}
	if chance(r, 0.25) {
		c.I = subset(r, focusCaps)
	}
	if chance(r, 0.25) {
		c.B = hostCaps.full &^ subset(r, focusCaps)
	}
	c.I &= c.B
	if chance(r, 0.25) {
		c.A = subsetOf(r, c.P&c.I)
	}
	c.KeepCaps = chance(r, 0.2)
	return c
}

// genPerm returns random rwx bits.
func genPerm(r *rand.Rand) string {
	return access.Mask(r.IntN(8)).String()
}

// genACL returns a random access ACL in getfacl's short form: the base
// entries, maybe named users and groups from the pools, and a mask when
// there are named entries (sometimes without).
func genACL(r *rand.Rand) string {
	parts := []string{"u::" + genPerm(r)}
	named := false
	for _, u := range uidPool {
		if chance(r, 0.25) {
			parts = append(parts, fmt.Sprintf("u:%d:%s", u, genPerm(r)))
			named = true
		}
	}
	parts = append(parts, "g::"+genPerm(r))
	for _, g := range gidPool {
		if chance(r, 0.25) {
			parts = append(parts, fmt.Sprintf("g:%d:%s", g, genPerm(r)))
			named = true
		}
	}
	if named || chance(r, 0.3) {
		parts = append(parts, "m::"+genPerm(r))
	}
	parts = append(parts, "o::"+genPerm(r))
	return strings.Join(parts, ",")
}

// genMode returns random permission bits with occasional setuid, setgid
// and sticky bits.
func genMode(r *rand.Rand) uint32 {
	var m uint32
	switch r.IntN(4) {
	case 0:
		m = uint32(r.IntN(0o1000))
	default:
		// Common shapes: owner ≥ group ≥ other-ish.
		m = pick(r, []uint32{0o755, 0o700, 0o711, 0o750, 0o644, 0o640, 0o600, 0o000, 0o777, 0o070, 0o007, 0o604, 0o444, 0o111, 0o100, 0o010, 0o001, 0o744})
	}
	for _, b := range []uint32{0o4000, 0o2000, 0o1000} {
		if chance(r, 0.1) {
			m |= b
		}
	}
	return m
}

// genFileCaps returns a random caps= attribute.
func genFileCaps(r *rand.Rand) string {
	set := subset(r, append(focusCaps, caps.CAP_NET_RAW))
	if set == 0 {
		set = caps.Of(caps.CAP_DAC_OVERRIDE)
	}
	var names []string
	for _, c := range set.Caps() {
		names = append(names, c.String())
	}
	flags := pick(r, []string{"ep", "p", "eip", "i", "ei"})
	return "caps=" + strings.Join(names, ",") + "+" + flags
}

// genOwner returns a random UID:GID.
func genOwner(r *rand.Rand) string {
	return fmt.Sprintf("%d:%d", pick(r, uidPool), pick(r, gidPool))
}

// genInode returns a fixture line for a random inode at p: a file (maybe
// with an ACL or file capabilities), a directory (maybe with an ACL) or a
// FIFO.
func genInode(r *rand.Rand, p string) string {
	mode := genMode(r)
	owner := genOwner(r)
	switch k := r.IntN(20); {
	case k < 11:
		line := fmt.Sprintf("file %s %04o %s elf", p, mode, owner)
		if chance(r, 0.3) {
			line += " acl=" + genACL(r)
		}
		if chance(r, 0.1) {
			line += " " + genFileCaps(r)
		}
		return line
	case k < 17:
		line := fmt.Sprintf("dir %s %04o %s", p, mode, owner)
		if chance(r, 0.3) {
			line += " acl=" + genACL(r)
		}
		return line
	default:
		return fmt.Sprintf("fifo %s %04o %s", p, mode&0o1777, owner)
	}
}

// uniq returns xs without repeats, in order.
func uniq[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// containerNS is the user namespace of user-namespace batches: like a
// container's, it maps a range of kernel ids that leaves 0 and 65534 out.
// Kernel uid 1000 is its root, 1001 its uid 1, 2000 its uid 1000; kernel
// gids 1000…3000 are its gids 0…2000.
var containerNS = &access.UserNS{
	UIDMap: []access.IDMap{{ContainerID: 0, HostID: 1000, Size: 1001}},
	GIDMap: []access.IDMap{{ContainerID: 0, HostID: 1000, Size: 2001}},
}

// inContainer makes c a credential of containerNS: every id mapped (an
// unmapped one is replaced by the namespace's root), supplementary groups
// only mapped ones.
func inContainer(r *rand.Rand, c credSpec) credSpec {
	ns := containerNS
	fixU := func(k uint32) uint32 {
		if ns.MapsUID(k) {
			return k
		}
		return pick(r, []uint32{1000, 1000, 1001, 2000})
	}
	fixG := func(k uint32) uint32 {
		if ns.MapsGID(k) {
			return k
		}
		return pick(r, []uint32{1000, 1001, 3000})
	}
	c.UID, c.EUID, c.SUID = fixU(c.UID), fixU(c.EUID), fixU(c.SUID)
	c.GID, c.EGID, c.SGID = fixG(c.GID), fixG(c.EGID), fixG(c.SGID)
	var groups []uint32
	for _, g := range c.Groups {
		if ns.MapsGID(g) {
			groups = append(groups, g)
		}
	}
	c.Groups = groups
	c.NS = ns
	return c
}
