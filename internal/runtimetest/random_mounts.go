package runtimetest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// RandomMountsName is the name of RandomMounts(seed, i).
func RandomMountsName(seed uint64, i int) string {
	return fmt.Sprintf("random_m%d_%04d", seed, i)
}

// mountsFamily separates RandomMounts' PCG streams from Random's, so that
// seed 1 of each family is another sequence of cases.
const mountsFamily = 0x6d6f756e74730000 // "mounts"

// RandomMounts returns the i-th case of seed of the second random family,
// which varies what Random does not: tmpfs mounts (mode=, uid=, gid=,
// noexec, over an existing directory with special bits or over a missing
// one), root.readonly, the allowlist seccomp profiles with their
// defaultErrnoRet and explicit faccessat2 rules, and rootless runs. Like
// Random it depends only on (seed, i); Random's cases, and so their
// recorded goldens, are unchanged by it.
//
// The entrypoint is the 1.1.4 incident's (a 0744 or 0755 script, some owner,
// a user with or without CAP_DAC_OVERRIDE) on the root, or a probe: an
// args[0] inside the tmpfs, missing or through PATH, whose lookup tells
// whether the user may search the tmpfs root. The cwd is "/", a missing
// directory, the tmpfs root or a missing directory below it.
func RandomMounts(seed uint64, i int) Case {
	g := &gen{r: rand.New(rand.NewPCG(seed^mountsFamily, uint64(i)))}
	c := Case{
		Name: RandomMountsName(seed, i),
		Rule: fmt.Sprintf("random case %d of seed %d of the mounts family (random_mounts.go)", i, seed),
		Seccomp: pick(g, []Seccomp{SeccompNone, SeccompNone, SeccompNone, SeccompFaccessat2ENOSYS, SeccompFaccessat2EPERM,
			SeccompErrnoAllowOld, SeccompErrnoENOSYSAllowOld, SeccompErrnoENOSYSAllowAll, SeccompErrnoEPERMAllowAll,
			SeccompErrnoEACCESAllowAll, SeccompErrnoAllowOldFaccessat2EACCES, SeccompErrnoAllowOldFaccessat2Errno}),
		ReadonlyRoot: g.chance(0.3),
	}
	base, owners := Base, []string{"0:0", "0:0", "1000:1000", "2000:2000", "0:1000"}
	p := Process{UID: pick(g, []uint32{0, 1000, 1000, 2000}), GID: pick(g, []uint32{0, 1000, 1000}), Env: []string{DefaultPATH}}
	if g.chance(0.15) {
		c.Rootless, c.UserNS = true, usernsRootless()
		base, owners = BaseRootless, []string{"4242:4242", "4242:4242", "0:0"}
		p.UID, p.GID = 0, 0
	}
	if g.chance(0.1) {
		p.AdditionalGids = []uint32{pick(g, []uint32{0, 1000, 3000})}
	}
	p.Capabilities = g.capabilities()
	if p.Capabilities != nil && g.chance(0.4) {
		// The 1.1.4 incident's capability, in every set.
		p.Capabilities = everySet("CAP_DAC_OVERRIDE")
	}
	p.NoNewPrivileges = g.chance(0.3)

	var lines []string
	// The tmpfs at /data, over a directory or not.
	tmpfs := g.chance(0.7)
	if tmpfs || g.chance(0.5) {
		if g.chance(0.6) {
			lines = append(lines, fmt.Sprintf("dir /data %s %s", pick(g, []string{"0700", "0755", "0750", "1777", "1770", "2750", "0711", "0070"}), pick(g, owners)))
		}
	}
	if tmpfs {
		m := Mount{Destination: "/data", Type: "tmpfs"}
		if g.chance(0.6) {
			m.Options = append(m.Options, "mode="+pick(g, []string{"0700", "0755", "1777", "0070", "0711", "2750", "0007"}))
		}
		if !c.Rootless {
			// A rootless namespace maps only the container's root.
			if g.chance(0.3) {
				m.Options = append(m.Options, "uid="+strconv.Itoa(int(pick(g, []uint32{0, 1000, 2000}))))
			}
			if g.chance(0.3) {
				m.Options = append(m.Options, "gid="+strconv.Itoa(int(pick(g, []uint32{0, 1000, 2000}))))
			}
		}
		if g.chance(0.2) {
			m.Options = append(m.Options, "noexec")
		}
		c.Mounts = []Mount{m}
	}

	// The cwd.
	switch g.r.IntN(5) {
	case 0, 1:
		p.Cwd = "/"
	case 2:
		p.Cwd = "/work/new"
	case 3:
		p.Cwd = "/data"
	default:
		p.Cwd = "/data/sub"
	}

	// The entrypoint.
	switch g.r.IntN(4) {
	case 0:
		p.Args = []string{"/data/missing"}
	case 1:
		p.Args = []string{"run"}
		p.Env = []string{"PATH=/data:/usr/local/bin"}
		lines = append(lines, fmt.Sprintf("file /usr/local/bin/run %s %s %s", pick(g, []string{"0755", "0744", "0700"}), pick(g, owners), StartScript))
	default:
		lines = append(lines, fmt.Sprintf("file /entrypoint.sh %s %s %s", pick(g, []string{"0755", "0744", "0744", "0700", "0750"}), pick(g, owners), StartScript))
		p.Args = []string{"/entrypoint.sh"}
	}
	c.Process = p
	c.Rootfs = rootfsOf(base, lines...)
	return c
}
