//go:build linux

package kernel

import (
	"debug/elf"
	"fmt"
	"github.com/preexec/preexec/access"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preexec/preexec/caps"
)

// Capability transitions: setresuid (security/commoncap.c:cap_emulate_setxuid
// via cap_task_fix_setuid, kernel/sys.c:__sys_setresuid), capset
// (kernel/capability.c, cap_capset), PR_CAP_AMBIENT_RAISE and
// PR_CAPBSET_DROP (cap_task_prctl), read back from
// /proc/thread-self/status; and execve (cap_bprm_creds_from_file,
// bprm_fill_uid), read back from the executed program's own
// /proc/self/status.

// capUniverse are the capabilities capseq steps play with.
var capUniverse = []caps.Cap{caps.CAP_DAC_OVERRIDE, caps.CAP_DAC_READ_SEARCH, caps.CAP_FOWNER,
	caps.CAP_SETUID, caps.CAP_SETPCAP, caps.CAP_NET_RAW}

// genCapStep returns a random capseq step for a task that started with the
// credential c: mostly steps c may take (ids it holds, sets within its
// own), sometimes any.
func genCapStep(r *rand.Rand, c credSpec) capStep {
	switch r.IntN(11) {
	case 0, 1:
		ids := uniq(append([]uint32{0, 1000, 1001}, c.UID, c.EUID, c.SUID))
		if chance(r, 0.5) {
			ids = uniq([]uint32{c.UID, c.EUID, c.SUID, 1000})
		}
		if chance(r, 0.25) {
			return capStep{Op: "setuid", R: pick(r, ids)}
		}
		if chance(r, 0.3) {
			ids = append(ids, access.Unchanged)
		}
		return capStep{Op: "setresuid", R: pick(r, ids), E: pick(r, ids), S: pick(r, ids)}
	case 9, 10:
		ids := uniq(append([]uint32{0, 1000, 2000}, c.GID, c.EGID, c.SGID))
		if chance(r, 0.3) {
			return capStep{Op: "setgid", R: pick(r, ids)}
		}
		ids = append(ids, access.Unchanged)
		return capStep{Op: "setresgid", R: pick(r, ids), E: pick(r, ids), S: pick(r, ids)}
	case 2, 3, 4:
		if chance(r, 0.7) {
			p := subsetOf(r, c.P)
			return capStep{Op: "capset", Eff: subsetOf(r, p), Perm: p, Inh: subsetOf(r, c.I|c.P)}
		}
		p := subset(r, capUniverse) | subsetOf(r, c.P)
		return capStep{Op: "capset", Eff: subsetOf(r, p) | subset(r, capUniverse[:1]), Perm: p, Inh: subset(r, capUniverse)}
	case 5, 6:
		if pi := c.P & c.I; pi != 0 && chance(r, 0.6) {
			return capStep{Op: "ambient_raise", Cap: pick(r, pi.Caps())}
		}
		return capStep{Op: "ambient_raise", Cap: pick(r, capUniverse)}
	case 7:
		return capStep{Op: "bset_drop", Cap: pick(r, capUniverse)}
	}
	return capStep{Op: "keepcaps", On: chance(r, 0.5)}
}

// capSeqBatch builds a batch of capseq queries from one random credential.
func capSeqBatch(r *rand.Rand, seed uint64) *batch {
	c := genCred(r)
	if chance(r, 0.3) {
		c = root()
		if chance(r, 0.5) {
			c.I = subset(r, capUniverse)
		}
		c.KeepCaps = chance(r, 0.5)
	}
	if chance(r, 0.3) {
		c.P = c.P | subset(r, capUniverse)
		c.E = subsetOf(r, c.P)
		c.I = (c.I | subset(r, capUniverse)) & c.B
		c.A = subsetOf(r, c.P&c.I)
	}
	b := newBatch("", c)
	b.seed, b.chroot = seed, false
	for range 30 {
		var steps []capStep
		for range 1 + r.IntN(6) {
			steps = append(steps, genCapStep(r, c))
		}
		b.add("caps", query{Op: opCapSeq, Steps: steps})
	}
	return b
}

// execCapsModes are the modes of the report binaries.
var execCapsModes = []uint32{0o755, 0o755, 0o4755, 0o2755, 0o6755, 0o4711, 0o2711, 0o2745, 0o711}

// execCapsBatch builds a batch that executes copies of the test binary
// with random owners, set-id bits and file capabilities, on a suid and a
// nosuid mount.
func execCapsBatch(r *rand.Rand, seed uint64) *batch {
	var fx strings.Builder
	fx.WriteString("dir /c 0755 0:0\nmount /c/ns tmpfs 0755 0:0 nosuid\n")
	var paths []string
	for i := range 6 {
		dir := "/c"
		if i == 5 || chance(r, 0.15) {
			dir = "/c/ns"
		}
		p := fmt.Sprintf("%s/b%d", dir, i)
		owner := genOwner(r)
		if chance(r, 0.4) {
			owner = "0:0"
		}
		line := fmt.Sprintf("file %s %04o %s elf", p, pick(r, execCapsModes), owner)
		if chance(r, 0.35) {
			line += " " + genFileCaps(r)
		}
		fx.WriteString(line + "\n")
		paths = append(paths, p)
	}
	c := genCred(r)
	if chance(r, 0.2) {
		c = root()
		c.I = subset(r, focusCaps)
	}
	if chance(r, 0.3) {
		c.I = (c.I | subset(r, focusCaps)) & c.B
		c.A = subsetOf(r, c.P&c.I)
	}
	c.NNP = chance(r, 0.2)
	b := newBatch(fx.String(), c)
	b.seed, b.chroot, b.report, b.minimal = seed, false, true, true
	for _, p := range paths {
		b.add("exec_caps", query{Op: opExecCaps, Path: p})
	}
	return b
}

// TestOracleCaps holds caps.State (Setresuid, Capset, RaiseAmbient,
// DropBounding) and access.(*Proc).Execve's new credentials (caps.State.Exec
// and bprm_fill_uid) to the kernel.
func TestOracleCaps(t *testing.T) {
	o := newOracle(t)
	start := time.Now()
	staticExe(t)
	var batches []*batch
	for _, seed := range seeds(t) {
		r := newRand(seed)
		for range scale(20) {
			batches = append(batches, capSeqBatch(r, seed))
		}
		for range scale(20) {
			batches = append(batches, execCapsBatch(r, seed))
		}
	}
	o.run(batches)
	o.summary(start)
}

// staticExe logs whether the test binary, which exec_caps queries run, has
// a PT_INTERP loader; the model is given the static probe ELF, and a
// loader on the host changes nothing about credentials.
func staticExe(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Logf("note: the test binary is dynamically linked; exec_caps runs it with the host's loader")
		}
	}
}
