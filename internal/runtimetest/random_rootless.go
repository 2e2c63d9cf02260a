package runtimetest

import (
	"fmt"
	"math/rand/v2"
)

// RandomRootlessName is the name of RandomRootless(seed, i).
func RandomRootlessName(seed uint64, i int) string {
	return fmt.Sprintf("random_r%d_%04d", seed, i)
}

// rootlessFamily separates RandomRootless' PCG streams from the other
// families'.
const rootlessFamily = 0x726f6f746c657373 // "rootless"

// Host ids of the rootless family's files, as container ids through
// usernsSubid's mappings: RootlessUID is the container's root, 200999 and
// 201999 are 1000 and 2000 (when the subordinate range maps that far),
// 300000 and the host root are unmapped (the overflow id inside).
var (
	subidOwners   = []string{"4242:4242", "4242:4242", "200999:200999", "200999:200999", "201999:201999", "4242:201999", "200999:201999", "300000:300000", "0:0", "300000:200999"}
	subidUIDs     = []uint32{0, 0, 1000, 1000, 1000, 2000, 70000}
	subidGIDs     = []uint32{0, 0, 1000, 1000, 2000, 70000}
	subidGroups   = []uint32{0, 1000, 2000, 70000}
	subidSizes    = []uint32{SubordinateCount, SubordinateCount, SubordinateCount, 1000, 1500}
	subidDirModes = []string{"0755", "0755", "0750", "0711", "0700", "0705", "0770", "0070", "0701", "1777"}
)

// RandomRootless returns the i-th case of seed of the rootless family: a
// Rootless case whose user namespace maps, besides the container's root
// (RootlessUID), container ids from 1 to the subordinate range
// (usernsSubid), for uids and gids, uids only or gids only, the whole
// range or a part of it, as rootless podman maps /etc/subuid and
// /etc/subgid through newuidmap and newgidmap. It varies what such a
// namespace decides: the process user and group mapped through the range
// or not, additionalGids mapped or not (setgroups: runc refuses them when
// rootless, crun sets them where newgidmap allowed setgroups), files and
// directories of the container's root, of ids mapped through the range and
// of unmapped ids (capabilities do not apply to those:
// capable_wrt_inode_uidgid), the cwd and its creation, capabilities and
// noNewPrivileges. Like the other families it depends only on (seed, i).
func RandomRootless(seed uint64, i int) Case {
	g := &gen{r: rand.New(rand.NewPCG(seed^rootlessFamily, uint64(i)))}
	c := Case{
		Name:     RandomRootlessName(seed, i),
		Rule:     fmt.Sprintf("random case %d of seed %d of the rootless family (random_rootless.go)", i, seed),
		Seccomp:  SeccompNone,
		Rootless: true,
	}
	if g.chance(0.15) {
		c.Seccomp = pick(g, []Seccomp{SeccompFaccessat2ENOSYS, SeccompErrnoEPERMAllowAll})
	}
	uids, gids := pick(g, subidSizes), pick(g, subidSizes)
	switch g.r.IntN(6) {
	case 0:
		gids = 0 // uids only: newgidmap maps the own gid alone
	case 1:
		uids = 0
	}
	c.UserNS = usernsSubid(uids, gids)

	// The process's ids: mostly ones the mappings map (so that the
	// runtime gets past setupUser to the checks), now and then one they
	// do not (runc's and crun's unmapped-id errors).
	p := Process{UID: g.subidID(subidUIDs, uids), GID: g.subidID(subidGIDs, gids), Env: []string{DefaultPATH}}
	if g.chance(0.25) {
		p.AdditionalGids = []uint32{pick(g, subidGroups)}
	}
	switch {
	case g.chance(0.3):
		p.Capabilities = bep(DockerCaps...)
	default:
		p.Capabilities = g.capabilities()
	}
	p.NoNewPrivileges = g.chance(0.3)

	var lines []string
	// /home/app: a directory of some owner, or none.
	home := g.chance(0.7)
	if home {
		lines = append(lines, "dir /home 0755 4242:4242",
			fmt.Sprintf("dir /home/app %s %s", pick(g, subidDirModes), pick(g, subidOwners)))
	}
	switch g.r.IntN(5) {
	case 0:
		p.Cwd = "/"
	case 1, 2:
		p.Cwd = "/home/app"
	case 3:
		p.Cwd = "/home/app/new"
	default:
		p.Cwd = "/work/new"
	}

	// The entrypoint: a script of some mode and owner, on / or in the
	// home directory, or busybox echo, or a program found through PATH.
	switch g.r.IntN(5) {
	case 0:
		p.Args = echoArgs
	case 1:
		p.Args = []string{"run"}
		p.Env = []string{"PATH=/home/app:/usr/local/bin"}
		lines = append(lines, fmt.Sprintf("file /usr/local/bin/run %s %s %s", pick(g, []string{"0755", "0750", "0700", "0705"}), pick(g, subidOwners), StartScript))
	case 2:
		if home {
			p.Args = []string{"/home/app/entrypoint.sh"}
			lines = append(lines, fmt.Sprintf("file /home/app/entrypoint.sh %s %s %s", pick(g, fileModes), pick(g, subidOwners), StartScript))
			break
		}
		fallthrough
	default:
		p.Args = []string{"/entrypoint.sh"}
		lines = append(lines, fmt.Sprintf("file /entrypoint.sh %s %s %s", pick(g, fileModes), pick(g, subidOwners), StartScript))
	}
	c.Process = p
	c.Rootfs = rootfsOf(BaseRootless, lines...)
	return c
}

// subidID picks an id of pool that a mapping of container 0 and 1 … size
// maps, or, one time in eight, any id of pool (70000 is never mapped).
func (g *gen) subidID(pool []uint32, size uint32) uint32 {
	if g.chance(0.125) {
		return pick(g, pool)
	}
	var mapped []uint32
	for _, id := range pool {
		if id <= size {
			mapped = append(mapped, id)
		}
	}
	return pick(g, mapped)
}
