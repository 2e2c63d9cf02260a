package runtimetest

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
)

// RandomExecName is the name of RandomExec(seed, i).
func RandomExecName(seed uint64, i int) string {
	return fmt.Sprintf("random_x%d_%04d", seed, i)
}

// execFamily separates RandomExec's PCG streams from the other families'.
const execFamily = 0x6578656300000000 // "exec"

// RandomExec returns the i-th case of seed of the third random family,
// which varies how execve gets to the program — what Random and
// RandomMounts hold fixed:
//
//   - the format: a #! script whose line names a missing interpreter, a
//     directory, "/bin/sh\r", an interpreter that is itself a script, one
//     with an argument or leading blanks, or none at all ("#!" alone, an
//     empty file, text without #!); an interpreter with its own mode,
//     owner and directory, or on a noexec bind mount; a static binary with
//     the setuid bit or file capabilities (+ep, +p, +ei) against the
//     bounding set, on a nosuid mount or not; a dynamic binary whose
//     PT_INTERP is present, missing, a symlink, 0644 or another user's
//     0700, or behind an unsearchable directory;
//   - the path: args[0] absolute, through a symlink (absolute, relative,
//     with "..", a chain of two) or a symlinked directory, relative to the
//     cwd ("./x", "sub/x"), or a bare name found through PATH, with a
//     duplicated PATH (the last one counts), a "." entry with or without
//     GODEBUG=execerrdot=0, an entry that is a file, and an earlier entry
//     whose candidate is not executable or whose directory is shut;
//   - the cwd: "/", a directory with a mode and owner, a non-clean path
//     ("/w/.", "/w/", "/x/../w", where /x may be missing), or a symlink;
//   - the credentials: as Random's, or in a user namespace mapping
//     0…65535 to 100000…, where some owners are unmapped.
//
// Like the other families it depends only on (seed, i).
func RandomExec(seed uint64, i int) Case {
	g := &gen{r: rand.New(rand.NewPCG(seed^execFamily, uint64(i)))}
	c := Case{
		Name:    RandomExecName(seed, i),
		Rule:    fmt.Sprintf("random case %d of seed %d of the exec family (random_exec.go)", i, seed),
		Seccomp: pick(g, []Seccomp{SeccompNone, SeccompNone, SeccompFaccessat2ENOSYS, SeccompFaccessat2EPERM}),
	}
	base := Base
	owners := []string{"0:0", "0:0", "1000:1000", "0:1000", "2000:2000"}
	// kid maps a container id to its kernel id.
	kid := func(id uint32) uint32 { return id }
	p := Process{UID: pick(g, []uint32{0, 1000, 1000, 2000}), GID: pick(g, []uint32{0, 1000, 1000}), Env: []string{DefaultPATH}}
	if g.chance(0.25) {
		c.UserNS = userns100000()
		base = BaseUserNS
		owners = []string{"100000:100000", "100000:100000", "101000:101000", "100000:101000", "102000:102000", "5000:5000"}
		kid = func(id uint32) uint32 { return id + 100000 }
	}
	if g.chance(0.2) {
		p.AdditionalGids = []uint32{pick(g, []uint32{0, 1000, 2000})}
	}
	p.Capabilities = g.capabilities()
	p.NoNewPrivileges = g.chance(0.3)

	var lines []string
	have := map[string]bool{"/": true, "/bin": true, "/bin/busybox": true, "/bin/sh": true, "/bin/echo": true}
	line := func(l string) { lines = append(lines, l) }
	dir := func(p, mode, owner string) {
		if !have[p] {
			have[p] = true
			line(fmt.Sprintf("dir %s %s %s", p, mode, owner))
		}
	}
	owner := func() string { return pick(g, owners) }
	mode := func(xs ...string) string { return pick(g, xs) }
	acl := func() string {
		if !g.chance(0.1) {
			return ""
		}
		u := kid(p.UID)
		return " acl=" + pick(g, []string{
			fmt.Sprintf("u::rw-,u:%d:r-x,g::r--,m::r-x,o::---", u),
			fmt.Sprintf("u::rwx,u:%d:r--,g::r-x,m::r-x,o::---", u),
			fmt.Sprintf("u::rwx,u:%d:rwx,g::---,m::r--,o::---", u),
		})
	}

	// The cwd.
	switch g.r.IntN(8) {
	case 0, 1:
		p.Cwd = "/"
	case 2:
		dir("/w", mode("0755", "0700", "0711", "0750"), owner())
		p.Cwd = pick(g, []string{"/w/.", "/w/"})
	case 3:
		if g.chance(0.5) {
			dir("/x", mode("0755", "0700"), owner())
		}
		dir("/w", mode("0755", "0711", "0770"), owner())
		p.Cwd = "/x/../w"
	case 4:
		dir("/w", mode("0755", "0711", "0700", "0070"), owner())
		line("symlink /cwd " + pick(g, []string{"w", "/w", "./w/../w"}))
		p.Cwd = "/cwd"
	default:
		dir("/w", mode("0755", "0755", "0711", "0700", "0750", "0070", "0007"), owner())
		p.Cwd = "/w"
	}

	// The program, in /app/bin unless it is a static binary in /usr/bin.
	bin := "/app/bin"
	if g.chance(0.3) {
		bin = "/opt/tools"
	}
	var name, content string
	args := []string{}
	var mounts []Mount
	switch k := g.r.IntN(10); {
	case k < 5:
		// A #! script.
		name = "entry"
		interp := "/bin/sh"
		switch g.r.IntN(12) {
		case 0:
			interp = "/bin/bash"
		case 1:
			interp = "/bin"
		case 2:
			interp = "/bin/sh\\r"
		case 3:
			// An interpreter that is itself a script.
			interp = "/opt/interp.sh"
			dir("/opt", "0755", "0:0")
			line(fmt.Sprintf("file /opt/interp.sh %s %s %s", mode("0755", "0755", "0700", "0644"), owner(), StartScript))
		case 4:
			interp = "/bin/sh -e"
		case 5:
			interp = " \\t/bin/sh"
		case 6:
			interp = ""
		case 7, 8:
			// An interpreter of its own, with a mode and owner, in a
			// directory with one, or on a noexec mount.
			interp = "/tools/sh"
			if g.chance(0.3) {
				mounts = append(mounts, Mount{Destination: "/tools", Type: "bind", Options: []string{"noexec"},
					Source: Fixture("dir / 0755 0:0\nfile /sh 0755 0:0 busybox\n")})
			} else {
				dir("/tools", mode("0755", "0755", "0700", "0711", "0750"), owner())
				line(fmt.Sprintf("file /tools/sh %s %s busybox%s", mode("0755", "0711", "0700", "0750", "0644", "0705"), owner(), acl()))
			}
		}
		switch g.r.IntN(10) {
		case 0:
			content = "" // empty: ENOEXEC
		case 1:
			content = ` text="echo ` + Marker + `\n"`
		default:
			content = ` text="#!` + interp + `\necho ` + Marker + `\n"`
		}
	case k < 8:
		// A static binary (busybox echo).
		name = "echo"
		bin = "/usr/bin"
		content = " busybox"
		args = []string{"", Marker}
		if g.chance(0.4) {
			content += " caps=CAP_NET_RAW" + pick(g, []string{"+ep", "+ep", "+p", "+ei"})
			if p.Capabilities != nil && g.chance(0.5) {
				p.Capabilities.Bounding = append(p.Capabilities.Bounding, "CAP_NET_RAW")
			}
			if g.chance(0.2) {
				bin = "/nosuid"
				mounts = append(mounts, Mount{Destination: "/nosuid", Type: "bind", Options: []string{"nosuid"},
					Source: Fixture("dir / 0755 0:0\nfile /echo 0755 0:0" + content + "\n")})
			}
		}
	default:
		// A dynamic binary and its loader.
		name = "app"
		loader := "/lib64/ld-linux-x86-64.so.2"
		content = " interp=" + loader
		switch g.r.IntN(7) {
		case 0:
			// missing
		case 1:
			line("file /lib64/ld-2.36.so 0755 0:0 elf")
			line("symlink " + loader + " ld-2.36.so")
		case 2:
			line(fmt.Sprintf("file %s %s %s elf", loader, mode("0644", "0700", "0711", "0750"), owner()))
		case 3:
			dir("/lib64", mode("0700", "0750", "0711"), owner())
			line("file " + loader + " 0755 0:0 elf")
		default:
			line("file " + loader + " 0755 0:0 elf")
		}
	}

	file := path.Join(bin, name)
	if !strings.HasPrefix(bin, "/nosuid") {
		dir(path.Dir(bin), "0755", "0:0")
		dir(bin, mode("0755", "0755", "0755", "0711", "0750", "0700"), owner())
		fmode := mode("0755", "0755", "0711", "0750", "0700", "0744", "0644", "0705", "0500")
		if name == "echo" && g.chance(0.15) {
			fmode = mode("4755", "2755", "4711")
		}
		line(fmt.Sprintf("file %s %s %s%s%s", file, fmode, owner(), content, acl()))
	}
	c.Mounts = mounts

	// How args[0] names it.
	arg0 := file
	switch g.r.IntN(12) {
	case 0:
		if name != "echo" {
			line("symlink /run-it " + file)
			arg0 = "/run-it"
		}
	case 1:
		// A relative symlink with "..", beside a directory.
		dir("/srv", "0755", "0:0")
		line("symlink /srv/link .." + file)
		arg0 = "/srv/link"
		if name == "echo" {
			line("symlink /srv/echo link")
			arg0 = "/srv/echo"
		}
	case 2:
		// A symlinked directory.
		line("symlink /current " + strings.TrimPrefix(bin, "/"))
		arg0 = path.Join("/current", name)
	case 3, 4, 5:
		arg0 = g.pathLookup(&p, bin, name, line, dir)
	case 6:
		if p.Cwd == "/w" && !strings.HasPrefix(bin, "/nosuid") {
			line(fmt.Sprintf("symlink /w/%s %s", name, file))
			arg0 = "./" + name
			if g.chance(0.5) {
				dir("/w/sub", mode("0755", "0700"), owner())
				line(fmt.Sprintf("symlink /w/sub/%s %s", name, file))
				arg0 = "sub/" + name
			}
		}
	}
	if name == "echo" {
		args[0] = arg0
	} else {
		args = []string{arg0}
	}
	p.Args = args
	c.Process = p
	c.Rootfs = rootfsOf(base, lines...)
	return c
}

// pathLookup makes args[0] the bare name of bin/name and writes a PATH that
// finds it, or not, the way os/exec.LookPath walks it: a duplicated PATH,
// "." with or without GODEBUG=execerrdot=0, a file as an entry, an earlier
// entry whose candidate is not executable or whose directory is shut.
func (g *gen) pathLookup(p *Process, bin, name string, line func(string), dir func(p, mode, owner string)) string {
	rest := "/usr/local/bin:" + bin + ":/bin"
	switch g.r.IntN(7) {
	case 0:
		// Two PATHs: the one without bin last, so nothing is found
		// (or found where /bin's echo is), or the other way round.
		other := "PATH=/usr/local/bin:/bin"
		if g.chance(0.5) {
			p.Env = []string{other, "PATH=" + rest}
		} else {
			p.Env = []string{"PATH=" + rest, other}
		}
		return name
	case 1:
		// "." first, the program in the cwd too.
		p.Env = []string{"PATH=.:" + rest}
		if g.chance(0.5) {
			p.Env = append(p.Env, "GODEBUG=execerrdot=0")
		}
		if p.Cwd == "/w" {
			line(fmt.Sprintf("symlink /w/%s %s", name, path.Join(bin, name)))
		}
		return name
	case 2:
		// An entry that is a file.
		line("file /etc/notadir 0644 0:0")
		p.Env = []string{"PATH=/etc/notadir:" + rest}
		return name
	case 3:
		// An earlier candidate that is not executable by the user.
		dir("/early", "0755", "0:0")
		line(fmt.Sprintf("file /early/%s %s %s", name, pick(g, []string{"0644", "0700", "0600"}), pick(g, []string{"0:0", "1000:1000"})))
		p.Env = []string{"PATH=/early:" + rest}
		return name
	case 4:
		// An earlier entry the user may not search.
		dir("/shut", pick(g, []string{"0700", "0750", "0000"}), "0:0")
		line(fmt.Sprintf("file /shut/%s 0755 0:0 %s", name, StartScript))
		p.Env = []string{"PATH=/shut:" + rest}
		return name
	case 5:
		p.Env = []string{"HOME=/", "PATH=" + bin + "/"}
		return name
	default:
		p.Env = []string{"PATH=" + rest}
		return name
	}
}
