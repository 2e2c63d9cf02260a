//go:build linux

package kernel

import (
	"strings"

	"github.com/preexec/preexec/access"
)

// The model side of capseq queries: access.Setresuid (kernel/sys.c:
// __sys_setresuid with security/commoncap.c:cap_emulate_setxuid) and
// caps.State's transitions (cap_capset, cap_task_prctl). capseq queries run
// in the initial user namespace.

// capSeqModel runs the steps of a capseq query through the model, starting
// from c, and returns the outcome in the form fullOutcome() gives the
// kernel's answer: each step's errno and the state after it.
func capSeqModel(c *access.Cred, steps []capStep) string {
	cur := c
	var out []string
	for _, s := range steps {
		var err error
		st := cur.Caps()
		switch s.Op {
		case "setresuid":
			cur, err = access.Setresuid(cur, s.R, s.E, s.S)
			st = cur.Caps()
		case "setuid":
			cur, err = access.Setuid(cur, s.R)
			st = cur.Caps()
		case "setresgid":
			cur, err = access.Setresgid(cur, s.R, s.E, s.S)
		case "setgid":
			cur, err = access.Setgid(cur, s.R)
		case "capset":
			st, err = st.Capset(s.Eff, s.Perm, s.Inh)
		case "ambient_raise":
			st, err = st.RaiseAmbient(s.Cap)
		case "bset_drop":
			st, err = st.DropBounding(s.Cap)
		case "keepcaps":
			st.KeepCaps = s.On
		}
		switch s.Op {
		case "setresuid", "setuid", "setresgid", "setgid":
		default:
			n := *cur
			n.SetCaps(st)
			cur = &n
		}
		cs := credState{
			UID: cur.UID, EUID: cur.EUID, SUID: cur.SUID, FSUID: cur.FSUID,
			GID: cur.GID, EGID: cur.EGID, SGID: cur.SGID, FSGID: cur.FSGID, Groups: cur.Groups,
			E: st.Effective, P: st.Permitted, I: st.Inheritable, B: st.Bounding, A: st.Ambient,
			KeepCaps: st.KeepCaps, NNP: cur.NoNewPrivs,
		}
		out = append(out, errString(err)+" "+cs.String())
	}
	return strings.Join(out, " | ")
}
