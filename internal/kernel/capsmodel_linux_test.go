//go:build linux

package kernel

import (
	"slices"
	"strings"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// The model side of capseq queries: caps.State's transitions
// (security/commoncap.c:cap_emulate_setxuid, cap_capset, cap_task_prctl)
// plus the permission checks of kernel/sys.c:__sys_setresuid, which package
// caps does not model. capseq queries run in the initial user namespace.

// capSeqModel runs the steps of a capseq query through the caps model,
// starting from c, and returns the outcome in the form fullOutcome() gives the
// kernel's answer: each step's errno and the state after it.
//
// Whether setresuid is allowed is decided here, from kernel/sys.c
// (__sys_setresuid, v6.6): a call that changes nothing returns 0 at once
// (no capability fixup); otherwise every new id must be one of the old
// real, effective or saved uids unless CAP_SETUID is effective, else EPERM.
// caps.State.Setresuid then applies cap_emulate_setxuid.
func capSeqModel(c *access.Cred, steps []capStep) string {
	st := c.Caps()
	uids := caps.UIDs{Real: c.UID, Effective: c.EUID, Saved: c.SUID}
	fsuid := c.FSUID
	var out []string
	for _, s := range steps {
		var err error
		switch s.Op {
		case "setresuid":
			n := caps.UIDs{Real: s.R, Effective: s.E, Saved: s.S}
			if n == uids && fsuid == n.Effective {
				break
			}
			old := []uint32{uids.Real, uids.Effective, uids.Saved}
			if !st.Effective.Has(caps.CAP_SETUID) &&
				!(slices.Contains(old, n.Real) && slices.Contains(old, n.Effective) && slices.Contains(old, n.Saved)) {
				err = access.EPERM
				break
			}
			st = st.Setresuid(uids, n)
			uids, fsuid = n, n.Effective
		case "capset":
			st, err = st.Capset(s.Eff, s.Perm, s.Inh)
		case "ambient_raise":
			st, err = st.RaiseAmbient(s.Cap)
		case "bset_drop":
			st, err = st.DropBounding(s.Cap)
		case "keepcaps":
			st.KeepCaps = s.On
		}
		cs := credState{
			UID: uids.Real, EUID: uids.Effective, SUID: uids.Saved, FSUID: fsuid,
			GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.FSGID, Groups: c.Groups,
			E: st.Effective, P: st.Permitted, I: st.Inheritable, B: st.Bounding, A: st.Ambient,
			KeepCaps: st.KeepCaps, NNP: c.NoNewPrivs,
		}
		out = append(out, errString(err)+" "+cs.String())
	}
	return strings.Join(out, " | ")
}
