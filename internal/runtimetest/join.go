package runtimetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"

	"github.com/preexec/preexec/rootfs"
)

// A JoinCase is a running container and the processes `runc exec
// --process` joins to it, one after the other (issue 16: `kubectl exec`,
// `docker exec`). The harness starts Container once per runtime, with its
// Process replaced by Sleeper, execs each of Execs into it and deletes it.
type JoinCase struct {
	// Name is unique: "random_j1_0007".
	Name string `json:"name"`
	// Rule says where the case comes from.
	Rule string `json:"rule"`
	// Container is the bundle. Its Process is the container's own: uid 0
	// in "/" running SleeperPath under noNewPrivileges, with the
	// capabilities (or none) a process without process.capabilities
	// inherits from it.
	Container Case `json:"container"`
	// Execs are the processes `runc exec --process` is given.
	Execs []JoinExec `json:"execs"`
}

// A JoinExec is one process joined to a JoinCase's container.
type JoinExec struct {
	// Name is unique in its case: "e0", "e1", ….
	Name string `json:"name"`
	// Process is the process.json of `runc exec --process`; nil
	// capabilities are absent from it.
	Process Process `json:"process"`
}

// SleeperPath is the program a JoinCase's container runs so that it stays
// up: a busybox copy named after its sleep applet, in a directory of its
// own that the case's rootfs gains (SleeperLines).
const SleeperPath = "/.preexec/sleep"

// SleeperLines are the fixture lines of SleeperPath, owned by owner (the
// kernel ids of the container's root, "0:0" without a user namespace).
func SleeperLines(owner string) string {
	return fmt.Sprintf("dir /.preexec 0755 %s\nfile %s 0755 %s busybox\n", owner, SleeperPath, owner)
}

// Validate checks the container (Case.Validate) and that every exec has a
// unique name, an absolute cwd and args.
func (jc *JoinCase) Validate() error {
	var errs []error
	if jc.Name == "" || jc.Rule == "" {
		errs = append(errs, errors.New("name and rule must be set"))
	}
	c := jc.Container
	c.Name, c.Rule = jc.Name, jc.Rule
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Rootless {
		errs = append(errs, errors.New("container: rootless is not supported"))
	}
	if len(c.Process.Args) == 0 || c.Process.Args[0] != SleeperPath {
		errs = append(errs, fmt.Errorf("container: want process.args[0] %s", SleeperPath))
	}
	seen := map[string]bool{}
	for i, e := range jc.Execs {
		if e.Name == "" || seen[e.Name] {
			errs = append(errs, fmt.Errorf("execs[%d]: want a unique name, got %q", i, e.Name))
		}
		seen[e.Name] = true
		if !path.IsAbs(e.Process.Cwd) {
			errs = append(errs, fmt.Errorf("execs[%d]: want an absolute cwd, got %q", i, e.Process.Cwd))
		}
		if len(e.Process.Args) == 0 {
			errs = append(errs, fmt.Errorf("execs[%d]: no args", i))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("join case %s: %w", jc.Name, err)
	}
	return nil
}

// RandomJoinName is the name of RandomJoin(seed, i).
func RandomJoinName(seed uint64, i int) string {
	return fmt.Sprintf("random_j%d_%04d", seed, i)
}

// joinFamily separates RandomJoin's PCG stream from the other families'.
const joinFamily = 0x6a6f696e00000000 // "join"

// JoinExecs is how many processes RandomJoin joins to each container.
const JoinExecs = 6

// RandomJoin returns the i-th join case of seed, generated from the case
// grammar of the other families: the container is Random(seed, i),
// RandomExec(seed, i) or RandomMounts(seed, i) (by i mod 3; Random for a
// rootless one) — their root filesystem, mounts, root.readonly, seccomp
// filter and user namespace — running SleeperPath as root with
// capabilities of Random's pools, or none; the first process joined is
// that case's own process, and each of the others varies it:
//
//   - the cwd: kept, "/", a directory, file or symlink of the rootfs, or a
//     missing one (runc exec creates no cwd);
//   - args: kept, /bin/echo, echo through PATH, a directory of the rootfs,
//     a missing path or name;
//   - the user: kept or from the family's pools;
//   - process.capabilities: kept, new from Random's pools, or absent (the
//     container's then apply);
//   - noNewPrivileges flipped; PATH dropped from the environment.
//
// Like the other families it depends only on (seed, i).
func RandomJoin(seed uint64, i int) JoinCase {
	g := &gen{r: rand.New(rand.NewPCG(seed^joinFamily, uint64(i)))}
	base, family := Random(seed, i), "random.go"
	switch i % 3 {
	case 1:
		base, family = RandomExec(seed, i), "random_exec.go"
	case 2:
		// Not a rootless one: the join cases run rootful.
		if m := RandomMounts(seed, i); !m.Rootless {
			base, family = m, "random_mounts.go"
		}
	}
	jc := JoinCase{
		Name: RandomJoinName(seed, i),
		Rule: fmt.Sprintf("random join case %d of seed %d (join.go): the container and first process of %s (%s), varied", i, seed, base.Name, family),
	}
	owner, uids, gids := "0:0", uidPool, gidPool
	if base.UserNS != nil {
		m := base.UserNS.UIDMappings[0]
		owner = fmt.Sprintf("%d:%d", m.HostID, base.UserNS.GIDMappings[0].HostID)
		uids, gids = []uint32{0, 1000, 1000, 2000}, []uint32{0, 1000, 1000}
	}
	c := base
	c.Name, c.Rule = jc.Name, jc.Rule
	c.Rootfs = Fixture(string(base.Rootfs) + SleeperLines(owner))
	// noNewPrivileges: the filter comes after the container's own lookup
	// of the sleeper, which one answering faccessat2 with EACCES would
	// fail; a joined process has its own (utils_linux.go:newProcess).
	c.Process = Process{Cwd: "/", Args: []string{SleeperPath, "3600"}, Env: []string{DefaultPATH}, Capabilities: g.capabilities(), NoNewPrivileges: true}
	if g.chance(0.3) {
		c.Process.Capabilities = nil
	}
	if cs := c.Process.Capabilities; cs != nil {
		// The container must start: effective within permitted.
		cs.Effective = slices.DeleteFunc(cs.Effective, func(n string) bool { return !slices.Contains(cs.Permitted, n) })
	}
	jc.Container = c

	// What the rootfs holds, for the variations.
	var dirs, files, links []string
	if f, err := rootfs.ParseFixture("rootfs", string(base.Rootfs)); err == nil {
		for _, e := range f.Entries {
			switch e.Kind {
			case rootfs.KindDir:
				dirs = append(dirs, e.Path)
			case rootfs.KindFile:
				files = append(files, e.Path)
			case rootfs.KindSymlink:
				links = append(links, e.Path)
			}
		}
	}
	for _, m := range base.Mounts {
		dirs = append(dirs, m.Destination)
	}
	slices.Sort(dirs)
	slices.Sort(files)
	slices.Sort(links)
	jc.Execs = append(jc.Execs, JoinExec{Name: "e0", Process: base.Process})
	for k := 1; k < JoinExecs; k++ {
		p := base.Process
		p.Args = slices.Clone(p.Args)
		p.Env = slices.Clone(p.Env)
		switch g.r.IntN(10) {
		case 0, 1, 2:
			// kept
		case 3, 4:
			p.Cwd = "/"
		case 5, 6:
			p.Cwd = pick(g, dirs)
		case 7:
			p.Cwd = pick(g, []string{"/missing", "/home/missing/deeper"})
		case 8:
			p.Cwd = pick(g, files)
		default:
			if len(links) > 0 {
				p.Cwd = pick(g, links)
			}
		}
		switch g.r.IntN(12) {
		case 0, 1, 2, 3, 8, 9, 10, 11:
			// kept
		case 4:
			p.Args = []string{"/bin/echo", Marker}
		case 5:
			p.Args = []string{"echo", Marker}
		case 6:
			p.Args = []string{pick(g, dirs)}
		case 7:
			p.Args = []string{pick(g, []string{"/missing/prog", "nope"})}
		}
		if g.chance(0.5) {
			p.UID, p.GID = pick(g, uids), pick(g, gids)
		}
		switch g.r.IntN(10) {
		case 0, 1, 2:
			p.Capabilities = nil
		case 3, 4, 5:
			p.Capabilities = g.capabilities()
		}
		if g.chance(0.3) {
			p.NoNewPrivileges = !p.NoNewPrivileges
		}
		if g.chance(0.1) {
			p.Env = []string{"HOME=/"}
		}
		jc.Execs = append(jc.Execs, JoinExec{Name: fmt.Sprintf("e%d", k), Process: p})
	}
	return jc
}

// RandomJoinByName regenerates a join case from its name
// ("random_j1_0007").
func RandomJoinByName(name string) (JoinCase, bool) {
	var seed uint64
	var i int
	if _, err := fmt.Sscanf(name, "random_j%d_%d", &seed, &i); err != nil || RandomJoinName(seed, i) != name {
		return JoinCase{}, false
	}
	return RandomJoin(seed, i), true
}
