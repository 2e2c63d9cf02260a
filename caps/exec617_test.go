package caps_test

import (
	"testing"

	"github.com/preexec/preexec/caps"
)

// TestExecLinux617 pins the rows where Linux 6.17's id-change test
// (337490f0007f, "exec: Correct the permission check for unsafe exec":
// id_changed = new euid ≠ old euid || !in_group_p(new egid)) differs from the
// older __is_setuid/__is_setgid test, and a few where both agree.
func TestExecLinux617(t *testing.T) {
	all := caps.All
	uEUID0 := caps.Exec{UID: 1000, EUID: 0, NewEUID: 0, GID: 1000, EGID: 1000, NewEGID: 1000, NewEGIDInGroups: true}
	rows := []struct {
		name     string
		s        caps.State
		x        caps.Exec
		old, new caps.State
		euidOld  uint32
		euidNew  uint32
		rule     string
	}{
		{"euid0_ruid1000_plain_exec", st(set(DO), set(DO), set(DO), all, set(DO)), uEUID0,
			st(all, all, set(DO), all, 0), st(all, all, set(DO), all, set(DO)), 0, 0,
			"≤6.16: euid 0 ≠ ruid 1000 is setid and clears A; ≥6.17: the euid did not change, A is kept"},
		{"euid_back_to_ruid", st(set(DO), set(DO), set(DO), all, set(DO)), caps.Exec{UID: 1000, EUID: 2000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 1000, NewEGIDInGroups: true},
			st(set(DO), set(DO), set(DO), all, set(DO)), st(0, 0, set(DO), all, 0), 1000, 1000,
			"≤6.16: new euid = ruid is not setid; ≥6.17: the euid changed (2000 → 1000), A is cleared"},
		{"setgid_to_a_supplementary_group", st(set(DO), set(DO), set(DO), all, set(DO)), caps.Exec{UID: 1000, EUID: 1000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 2000, NewEGIDInGroups: true},
			st(0, 0, set(DO), all, 0), st(set(DO), set(DO), set(DO), all, set(DO)), 1000, 1000,
			"≤6.16: egid 2000 ≠ gid 1000 is setid; ≥6.17: 2000 is in_group_p, no id change, A kept"},
		{"setgid_to_a_foreign_group", st(set(DO), set(DO), set(DO), all, set(DO)), caps.Exec{UID: 1000, EUID: 1000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 3000},
			st(0, 0, set(DO), all, 0), st(0, 0, set(DO), all, 0), 1000, 1000,
			"both: a new egid outside the groups changes ids and clears A"},
		{"plain_user_exec", st(set(DO), set(DO), set(DO), all, set(DO)), caps.Exec{UID: 1000, EUID: 1000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 1000, NewEGIDInGroups: true},
			st(set(DO), set(DO), set(DO), all, set(DO)), st(set(DO), set(DO), set(DO), all, set(DO)), 1000, 1000,
			"both: nothing changes, ambient caps become E' and P'"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, euid, _, err := r.s.Exec(r.x)
			if err != nil || got != r.old || euid != r.euidOld {
				t.Errorf("Exec = %s euid %d %v, want %s euid %d\nrule: %s", stateString(got), euid, err, stateString(r.old), r.euidOld, r.rule)
			}
			got, euid, _, err = r.s.ExecLinux617(r.x)
			if err != nil || got != r.new || euid != r.euidNew {
				t.Errorf("ExecLinux617 = %s euid %d %v, want %s euid %d\nrule: %s", stateString(got), euid, err, stateString(r.new), r.euidNew, r.rule)
			}
		})
	}
}
