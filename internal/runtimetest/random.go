package runtimetest

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strconv"
	"strings"
)

// RandomName is the name of Random(seed, i).
func RandomName(seed uint64, i int) string {
	return fmt.Sprintf("random_s%d_%04d", seed, i)
}

// Random returns the i-th random case of seed. It depends only on (seed, i)
// — a PCG seeded with both — so a run can take any subset of a seed's cases
// and a golden file can be checked against its regeneration.
//
// The cases vary what decides the pre-exec checks:
//
//   - the cwd: missing, "/", or one or two directories deep, each with a
//     mode and owner from small pools (0700 65532:65532, 0770 1001:0,
//     0000 0:0, …), sometimes through a symlink, rarely a file;
//   - the entrypoint: a #! script (busybox sh, echo Marker) or a busybox
//     binary named echo, in /, /app/bin, /usr/local/bin or the cwd, with a
//     mode, owner and sometimes an ACL, sometimes behind a symlink or in a
//     directory with its own mode, sometimes on a bind mount with noexec,
//     ro or nosuid; args[0] absolute, a bare name found through PATH
//     (sometimes with a relative or missing entry), or ./name from the cwd;
//   - the credentials: uid, gid and additionalGids from small pools;
//     capability subsets of CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
//     CAP_FOWNER, CAP_SETUID, CAP_SETGID, CAP_CHOWN in each set
//     (effective ⊆ permitted ⊆ bounding mostly; sometimes absent);
//     noNewPrivileges; the seccomp filter for faccessat2.
func Random(seed uint64, i int) Case {
	g := &gen{r: rand.New(rand.NewPCG(seed, uint64(i)))}
	c := Case{
		Name:    RandomName(seed, i),
		Rule:    fmt.Sprintf("random case %d of seed %d (random.go)", i, seed),
		Seccomp: pick(g, []Seccomp{SeccompNone, SeccompNone, SeccompFaccessat2ENOSYS, SeccompFaccessat2ENOSYS, SeccompFaccessat2EPERM}),
	}
	lines := []string{}
	have := map[string]bool{"/": true, "/bin": true, "/bin/busybox": true, "/bin/sh": true, "/bin/echo": true}
	// addDirs adds the directory p and its missing ancestors, parents
	// first, each with a random mode and owner.
	var addDirs func(p string)
	addDirs = func(p string) {
		if have[p] {
			return
		}
		addDirs(path.Dir(p))
		have[p] = true
		lines = append(lines, fmt.Sprintf("dir %s %s %s", p, g.dirMode(), g.owner()))
	}

	// Credentials.
	p := Process{UID: pick(g, uidPool), GID: pick(g, gidPool), Env: []string{DefaultPATH}}
	for _, gid := range groupPool {
		if g.chance(0.25) {
			p.AdditionalGids = append(p.AdditionalGids, gid)
		}
	}
	p.Capabilities = g.capabilities()
	p.NoNewPrivileges = g.chance(0.3)

	// The cwd.
	switch g.r.IntN(10) {
	case 0:
		p.Cwd = "/"
	case 1:
		p.Cwd = pick(g, []string{"/missing", "/home/missing/deeper"})
	case 2:
		// A symlink to a directory with a random mode.
		addDirs("/srv/real")
		lines = append(lines, "symlink /work /srv/real")
		p.Cwd = "/work"
	case 3:
		if g.chance(0.5) {
			lines = append(lines, fmt.Sprintf("file /work 0644 %s", g.owner()))
			p.Cwd = "/work"
			break
		}
		fallthrough
	default:
		p.Cwd = pick(g, []string{"/home/app", "/home/nonroot", "/srv/data/app", "/w"})
		addDirs(p.Cwd)
	}

	// The entrypoint.
	dir := pick(g, []string{"/", "/app/bin", "/usr/local/bin", "cwd"})
	if dir == "cwd" {
		dir = p.Cwd
		if !have[dir] || strings.HasPrefix(p.Cwd, "/missing") || p.Cwd == "/work" {
			dir = "/app/bin"
		}
	}
	var mount *Mount
	if dir == "/app/bin" && g.chance(0.2) {
		// /app/bin is a bind mount of a host directory.
		var opts []string
		for _, o := range []string{"noexec", "ro", "nosuid"} {
			if g.chance(0.4) {
				opts = append(opts, o)
			}
		}
		mount = &Mount{Destination: "/app/bin", Type: "bind", Options: opts}
	} else {
		addDirs(dir)
	}
	script := g.chance(0.55)
	name := "entrypoint"
	if !script {
		name = "echo"
	}
	file := path.Join(dir, name)
	mode, owner := g.fileMode(), g.owner()
	acl := ""
	if g.chance(0.1) {
		acl = " acl=" + g.acl(p.UID)
	}
	content := StartScript
	args := []string{file}
	if !script {
		content = "busybox"
		args = []string{file, Marker}
	}
	entryLine := fmt.Sprintf("file %s %s %s %s%s", file, mode, owner, content, acl)
	var entryLines []string
	if mount != nil {
		// Inside the mount source the file is at /<name>.
		src := []string{fmt.Sprintf("dir / %s %s", g.dirMode(), g.owner()),
			fmt.Sprintf("file /%s %s %s %s%s", name, mode, owner, content, acl)}
		mount.Source = Fixture(strings.Join(src, "\n") + "\n")
		c.Mounts = []Mount{*mount}
	} else {
		entryLines = append(entryLines, entryLine)
	}
	if g.chance(0.15) {
		// args[0] is a symlink to the entrypoint.
		link := path.Join(path.Dir(file), "link-"+name)
		if !script {
			// busybox picks its applet from argv[0]'s base name.
			link = path.Join("/usr/bin", name)
			addDirs("/usr/bin")
		}
		if mount == nil || !strings.HasPrefix(link, "/app/bin/") {
			entryLines = append(entryLines, fmt.Sprintf("symlink %s %s", link, file))
			args[0] = link
			file = link
		}
	}

	// How args[0] names it.
	switch k := g.r.IntN(10); {
	case k < 3:
		args[0] = path.Base(file)
		elems := []string{"/usr/local/sbin", path.Dir(file), "/usr/bin", "/bin"}
		switch g.r.IntN(6) {
		case 0:
			elems = append([]string{"bin"}, elems...) // relative entry
		case 1:
			elems = append([]string{""}, elems...) // empty entry
		case 2:
			elems = elems[2:] // the entrypoint's directory missing from PATH
		}
		p.Env = []string{"PATH=" + strings.Join(elems, ":")}
		if g.chance(0.1) {
			p.Env = []string{"HOME=/"}
		}
	case k == 3 && path.Dir(file) == p.Cwd && p.Cwd != "/":
		args[0] = "./" + path.Base(file)
	}
	p.Args = args
	c.Process = p
	c.Rootfs = rootfsOf(Base, append(lines, entryLines...)...)
	return c
}

type gen struct{ r *rand.Rand }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

var (
	uidPool   = []uint32{0, 1000, 1000, 1001, 65532, 1000680000}
	gidPool   = []uint32{0, 1000, 1001, 2000}
	groupPool = []uint32{0, 1000, 2000, 3000}
	ownerPool = []string{"0:0", "0:0", "1000:1000", "1001:0", "65532:65532", "0:2000", "1000:3000", "1000680000:0"}
	dirModes  = []string{"0755", "0755", "0750", "0711", "0700", "0705", "0770", "0070", "0007", "0000", "0555", "0644", "1777"}
	fileModes = []string{"0755", "0755", "0750", "0711", "0700", "0744", "0704", "0770", "0705", "0644", "0555", "0500", "0074", "0007", "0001", "0010", "0100", "0000"}
	focusCaps = []string{"CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN"}
)

func (g *gen) owner() string   { return pick(g, ownerPool) }
func (g *gen) dirMode() string { return pick(g, dirModes) }
func (g *gen) fileMode() string {
	return pick(g, fileModes)
}

// subset returns a random subset of from, in from's order.
func (g *gen) subset(from []string, p float64) []string {
	var out []string
	for _, c := range from {
		if g.chance(p) {
			out = append(out, c)
		}
	}
	return out
}

// capabilities returns process.capabilities: nil (absent) 5% of the time;
// otherwise bounding ⊇ permitted ⊇ effective (a violation 5% of the time,
// which runc reports as a capset failure), inheritable and ambient random.
func (g *gen) capabilities() *Capabilities {
	if g.chance(0.05) {
		return nil
	}
	b := g.subset(focusCaps, 0.6)
	p := g.subset(b, 0.7)
	e := g.subset(p, 0.8)
	if g.chance(0.05) {
		e = g.subset(focusCaps, 0.5)
	}
	i := g.subset(p, 0.5)
	a := g.subset(i, 0.5)
	return &Capabilities{Bounding: b, Effective: e, Inheritable: i, Permitted: p, Ambient: a}
}

// acl returns an access ACL naming uid (or another user) and a group.
func (g *gen) acl(uid uint32) string {
	perms := []string{"---", "r--", "r-x", "--x", "rwx"}
	named := uid
	if g.chance(0.3) {
		named = 1001
	}
	return fmt.Sprintf("u::%s,u:%d:%s,g::%s,g:2000:%s,m::%s,o::%s",
		pick(g, perms), named, pick(g, perms), pick(g, perms), pick(g, perms), pick(g, perms), pick(g, perms))
}

// A randomFamily is a generator of random cases and the names it gives
// them.
type randomFamily struct {
	prefix string
	gen    func(uint64, int) Case
	named  func(uint64, int) string
}

// randomFamilies are the random case families, by name prefix.
var randomFamilies = []randomFamily{
	{"random_s", Random, RandomName},
	{"random_m", RandomMounts, RandomMountsName},
	{"random_x", RandomExec, RandomExecName},
	{"random_c", RandomSeccomp, RandomSeccompName},
	{"random_r", RandomRootless, RandomRootlessName},
}

// RandomByName regenerates a random case of any family from its name
// ("random_s1_0042", "random_m1_0007", "random_x1_0003", "random_r1_0005").
func RandomByName(name string) (Case, bool) {
	for _, f := range randomFamilies {
		rest, ok := strings.CutPrefix(name, f.prefix)
		if !ok {
			continue
		}
		s, idx, ok := strings.Cut(rest, "_")
		if !ok {
			return Case{}, false
		}
		seed, err1 := strconv.ParseUint(s, 10, 64)
		n, err2 := strconv.Atoi(idx)
		if err1 != nil || err2 != nil || f.named(seed, n) != name {
			return Case{}, false
		}
		return f.gen(seed, n), true
	}
	return Case{}, false
}
