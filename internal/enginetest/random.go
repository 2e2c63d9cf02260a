package enginetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// GoldenSeed is the seed of the recorded random cases.
const GoldenSeed = 1

// Random returns n cases generated from seed, deterministically: each
// draws a rootfs variant, an image USER, WORKDIR, ENTRYPOINT/CMD and Env,
// and zero to four override flags.
func Random(seed uint64, n int) []Case {
	r := rand.New(rand.NewPCG(seed, 0x70726565786563))
	out := make([]Case, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, randomCase(r, fmt.Sprintf("random_s%d_%04d", seed, i)))
	}
	return out
}

// RandomCtr returns n cases generated from seed, deterministically, that
// ctr 1.6.20 can express as well as Docker and podman (EngineArgs does not
// skip them): Random's dimensions, drawn from another stream, keeping only
// those cases. They give containerd as many cases as the other engines.
func RandomCtr(seed uint64, n int) []Case {
	return randomKept(seed, 0x63747270726565, "ctr", n, func(c *Case) bool {
		_, skip, err := EngineArgs(Containerd, c)
		return err == nil && skip == ""
	})
}

// RandomCRI returns n cases generated from seed, deterministically, that
// the Kubernetes container CRIArgs writes can express (numeric users and
// groups, no mounts): Random's dimensions from a third stream. They give
// containerd's CRI plugin cases of its own.
func RandomCRI(seed uint64, n int) []Case {
	return randomKept(seed, 0x637269707265, "cri", n, func(c *Case) bool {
		_, skip, err := CRIArgs(c)
		return err == nil && skip == ""
	})
}

// randomKept draws Random's cases from stream, named PREFIX_sSEED_NNNN,
// keeping the first n that keep accepts.
func randomKept(seed, stream uint64, prefix string, n int, keep func(*Case) bool) []Case {
	r := rand.New(rand.NewPCG(seed, stream))
	out := make([]Case, 0, n)
	for len(out) < n {
		c := randomCase(r, fmt.Sprintf("%s_s%d_%04d", prefix, seed, len(out)))
		if keep(&c) {
			out = append(out, c)
		}
	}
	return out
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

var (
	randRootfs = []struct{ name, text string }{
		{"full", RootfsFull}, {"full", RootfsFull}, {"full", RootfsFull},
		{"nogroup", RootfsNoGroup}, {"nopasswd", RootfsNoPasswd}, {"rootonly", RootfsRootOnly},
	}
	randUsers = []string{
		"", "", "root", "0", "alice", "1000", "bob", "app", "nonroot", "65532", "4242",
		"alice:wheel", "alice:10", "1000:1000", "1000:10", "bob:staff", "app:app",
		"1000:audio", "nobody_here", "alice:nogroup", "4242:4242", "1000680000:0",
	}
	randWorkdirs = []string{"", "", "/", "/home/nonroot", "/home/alice", "/app", "/missing", "/tmp"}
	randEnvs     = [][]string{nil, nil, {"FOO=bar"}, {"PATH=/bin:/usr/bin"}, {"HOME=/srv", "FOO=bar"}}
	randCmds     = []struct{ entrypoint, cmd []string }{
		{nil, echo},
		{echo, nil},
		{[]string{"/bin/echo"}, []string{Marker}},
		{[]string{"/entrypoint.sh"}, nil},
		{[]string{"/start.sh"}, []string{"arg"}},
		{[]string{"/bin/sh", "-c"}, []string{"echo " + Marker}},
		{nil, []string{"echo", Marker}},
		{nil, nil},
	}
	randFlagUsers = []string{"0", "alice", "1000", "alice:wheel", "1000:0", "1000680000:0", "65532", "bob", "nobody_here", "app:staff"}
	randCaps      = []string{"DAC_OVERRIDE", "NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN", "NET_RAW", "ALL", "CAP_SETUID"}
)

func randomCase(r *rand.Rand, name string) Case {
	rf := pick(r, randRootfs...)
	cmd := pick(r, randCmds...)
	c := Case{
		Name:   name,
		Rootfs: rf.text,
		Image: ImageConfig{
			User: pick(r, randUsers...), WorkingDir: pick(r, randWorkdirs...),
			Entrypoint: cmd.entrypoint, Cmd: cmd.cmd, Env: pick(r, randEnvs...),
		},
	}
	var desc []string
	desc = append(desc, "rootfs "+rf.name)
	for k, nflags := 0, r.IntN(5); k < nflags; k++ {
		switch r.IntN(13) {
		case 0, 1:
			u := pick(r, randFlagUsers...)
			c.Flags = append(c.Flags, "--user", u)
		case 2:
			c.Flags = append(c.Flags, "--group-add", pick(r, "wheel", "staff", "4242", "audio"))
		case 3:
			c.Flags = append(c.Flags, "--workdir", pick(r, "/home/alice", "/home/nonroot", "/missing", "/tmp"))
		case 4:
			c.Flags = append(c.Flags, "--cap-add", pick(r, randCaps...))
		case 5:
			c.Flags = append(c.Flags, "--cap-drop", pick(r, randCaps...))
		case 6:
			c.Flags = append(c.Flags, "--security-opt", "no-new-privileges")
		case 7:
			c.Flags = append(c.Flags, "--read-only")
		case 8:
			c.Flags = append(c.Flags, "--tmpfs", pick(r, "/scratch", "/tmp", "/home/alice:mode=0700", "/run:exec"))
		case 9:
			c.Flags = append(c.Flags, "-v", pick(r, HostSource+":/data", HostSource+":/data:ro", HostSource+":/home/alice"))
		case 10:
			c.Flags = append(c.Flags, "-e", pick(r, "FOO=baz", "PATH=/sbin", "HOME=/tmp"))
		case 11:
			c.Flags = append(c.Flags, "--entrypoint", pick(r, "/bin/echo", "/entrypoint.sh", ""))
		case 12:
			c.Flags = append(c.Flags, "--security-opt", "seccomp=unconfined")
		}
	}
	if r.IntN(6) == 0 {
		c.Flags = append(c.Flags, "--", pick(r, "/bin/echo", "echo", "/start.sh"), Marker)
	}
	desc = append(desc, fmt.Sprintf("%d flags", len(c.Flags)))
	c.Rule = "random: " + strings.Join(desc, ", ")
	return c
}
