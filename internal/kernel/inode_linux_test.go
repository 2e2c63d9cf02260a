//go:build linux

package kernel

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/preexec/preexec/access"
)

// Random inodes × random credentials × every mask, judged by the inode-level
// checkers of package access and by the path-level operations of
// access.Proc.

// inodeMounts makes the directories random inodes go in (inodeDirs): a
// plain directory, a noexec tmpfs, a read-only tmpfs (SB_RDONLY), a
// read-only bind mount of a writable fs (MNT_READONLY) and a nosuid,nodev
// tmpfs.
const inodeMounts = `dir /d 0755 0:0
mount /m/nx tmpfs 0755 0:0 noexec
mount /m/ro tmpfs 0755 0:0 ro
dir /m/bro 0755 0:0
mount /m/bro bind ro
mount /m/ns tmpfs 0755 0:0 nosuid,nodev
`

// inodeDirs weights the plain directory, where access.Permission is judged
// too.
var inodeDirs = []string{"/d", "/d", "/d", "/d", "/m/nx", "/m/ro", "/m/bro", "/m/ns"}

// genInodeFixture returns a fixture of n random inodes spread over
// inodeDirs, and their paths.
func genInodeFixture(r *rand.Rand, n int) (string, []string) {
	var b strings.Builder
	b.WriteString(inodeMounts)
	var paths []string
	for i := range n {
		p := fmt.Sprintf("%s/i%d", pick(r, inodeDirs), i)
		paths = append(paths, p)
		b.WriteString(genInode(r, p))
		b.WriteByte('\n')
	}
	return b.String(), paths
}

// onInode returns a check of f applied to the fixture's inode at path.
func onInode(b *batch, path, checker, fn string, f func(c *access.Cred, ino *access.Inode) string) check {
	ino, err := b.mem.Lstat(path)
	if err != nil {
		panic(err)
	}
	return check{checker: checker, fn: fn, kernel: errnoOnly, model: func(p *access.Proc) string {
		i := ino
		return f(p.Cred, &i)
	}}
}

// inodeBatch builds the probes of one random inode batch.
func inodeBatch(r *rand.Rand, seed uint64) *batch {
	fx, paths := genInodeFixture(r, 24)
	c := genCred(r)
	if chance(r, 0.3) {
		c = inContainer(r, c)
	}
	b := newBatch(fx, c)
	b.seed, b.minimal = seed, true
	for _, p := range paths {
		ino, _ := b.mem.Lstat(p)
		plain := strings.HasPrefix(p, "/d/")
		for m := uint32(0); m < 8; m++ {
			checks := []check{onInode(b, p, "eaccess", fmt.Sprintf("access.Eaccess(cred, ino, %s)", accessMode(m)),
				func(c *access.Cred, ino *access.Inode) string { return errString(access.Eaccess(c, ino, m)) })}
			if plain {
				checks = append(checks, onInode(b, p, "permission", fmt.Sprintf("access.Permission(cred, ino, %v)", access.Mask(m)),
					func(c *access.Cred, ino *access.Inode) string {
						return errString(access.Permission(c, ino, access.Mask(m)))
					}))
			}
			b.add("eaccess", query{Op: opFaccessat2, Path: p, Mode: m, Flags: access.AT_EACCESS}, checks...)
			b.add("access", query{Op: opAccess, Path: p, Mode: m},
				onInode(b, p, "access", fmt.Sprintf("access.Access(cred, ino, %s)", accessMode(m)),
					func(c *access.Cred, ino *access.Inode) string { return errString(access.Access(c, ino, m)) }))
		}
		var opens []uint32
		switch {
		case ino.IsRegular():
			opens = []uint32{access.O_RDONLY, access.O_WRONLY, access.O_RDWR}
		case ino.IsDir():
			opens = []uint32{access.O_RDONLY, access.O_WRONLY, access.O_RDONLY | access.O_DIRECTORY}
		default: // FIFO, opened O_NONBLOCK: O_WRONLY would be ENXIO
			opens = []uint32{access.O_RDONLY, access.O_RDWR}
		}
		for _, fl := range opens {
			var checks []check
			mask := [...]access.Mask{access.MAY_READ, access.MAY_WRITE, access.MAY_READ | access.MAY_WRITE}[fl&3]
			if plain && !(ino.IsDir() && mask&access.MAY_WRITE != 0) {
				checks = append(checks, onInode(b, p, "permission", fmt.Sprintf("access.Permission(cred, ino, %v)", mask),
					func(c *access.Cred, ino *access.Inode) string { return errString(access.Permission(c, ino, mask)) }))
			}
			b.add("open", query{Op: opOpen, Path: p, Mode: fl}, checks...)
		}
		if ino.IsDir() {
			var checks []check
			if plain {
				checks = append(checks, onInode(b, p, "permission", "access.Permission(cred, ino, --x)",
					func(c *access.Cred, ino *access.Inode) string {
						return errString(access.Permission(c, ino, access.MAY_EXEC))
					}))
			}
			b.add("chdir", query{Op: opChdir, Path: p}, checks...)
		}
		b.add("stat", query{Op: opStat, Path: p})
		// chmod last: a chmod by a non-member drops S_ISGID, and in a
		// user namespace the restoring root lacks CAP_FSETID over an
		// unmapped gid (setattr_should_drop_sgid).
		b.add("owner_or_capable", query{Op: opChmod, Path: p})
	}
	return b
}

// TestOracleInodes holds access.Permission, access.Access, access.Eaccess,
// access.OwnerOrCapable and the Proc operations Open, Chdir, Access,
// Faccessat2 and Stat to the kernel's generic_permission,
// do_faccessat, may_open, chdir and setattr_prepare, on random inodes
// (types, modes with setuid/setgid/sticky, owners, ACLs with and without
// mask, file capabilities) on plain, noexec, read-only and nosuid mounts,
// under random credentials, for every mask.
func TestOracleInodes(t *testing.T) {
	newOracle(t).runSeeded(t, 40, inodeBatch)
}
