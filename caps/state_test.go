package caps_test

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/preexec/preexec/caps"
)

// Constructors that keep a row on one line. Rules cite the kernel function
// (torvalds/linux security/commoncap.c unless said otherwise, read at v6.6).

// st is a state with effective, permitted, inheritable, bounding and
// ambient sets, in the order getpcaps and /proc/PID/status print them.
func st(e, p, i, b, a caps.Set) caps.State {
	return caps.State{Sets: caps.Sets{Effective: e, Permitted: p, Inheritable: i, Bounding: b, Ambient: a}}
}

// keep is s with SECBIT_KEEP_CAPS set (prctl(PR_SET_KEEPCAPS, 1)).
func keep(s caps.State) caps.State { s.KeepCaps = true; return s }

// ids are real, effective and saved uids.
func ids(r, e, s uint32) caps.UIDs { return caps.UIDs{Real: r, Effective: e, Saved: s} }

func stateString(s caps.State) string {
	return fmt.Sprintf("E=%s P=%s I=%s B=%s A=%s keep=%v",
		s.Effective, s.Permitted, s.Inheritable, s.Bounding, s.Ambient, s.KeepCaps)
}

func TestSetresuid(t *testing.T) {
	all := caps.All
	rows := []struct {
		name     string
		s        caps.State
		old, new caps.UIDs
		want     caps.State
		rule     string
	}{
		{"root_to_nonroot_clears_P_E_A", st(all, all, set(NR), all, set(NR)), ids(0, 0, 0), ids(1000, 1000, 1000), st(0, 0, set(NR), all, 0),
			"cap_emulate_setxuid: some old r/e/s uid 0, no new one, no KEEP_CAPS: P = E = ∅, A = ∅"},
		{"root_to_nonroot_keepcaps_keeps_P_clears_E_A", keep(st(all, all, set(NR), all, set(NR))), ids(0, 0, 0), ids(1000, 1000, 1000), keep(st(0, all, set(NR), all, 0)),
			"cap_emulate_setxuid: with SECBIT_KEEP_CAPS P is kept, but E is cleared by the euid rule and A always"},
		{"real_root_only_to_nonroot_clears_P", st(set(DO), set(DO), 0, all, 0), ids(0, 1000, 1000), ids(1000, 1000, 1000), st(0, 0, 0, all, 0),
			"cap_emulate_setxuid: the first rule looks at every old uid, not only the euid"},
		{"euid_only_root_to_nonroot_clears_E_keeps_P_A", st(all, all, set(NR), all, set(NR)), ids(0, 0, 0), ids(0, 1000, 0), st(0, all, set(NR), all, set(NR)),
			"cap_emulate_setxuid: euid 0 → non-0 clears E; real and saved still 0, so P and A stay"},
		{"saved_root_kept_clears_E_keeps_P", st(all, all, 0, all, 0), ids(0, 0, 0), ids(1000, 1000, 0), st(0, all, 0, all, 0),
			"cap_emulate_setxuid: a saved uid 0 is still 'some uid 0': only the euid rule applies"},
		{"euid_nonroot_to_root_E_becomes_P", st(0, all, 0, all, 0), ids(0, 1000, 0), ids(0, 0, 0), st(all, all, 0, all, 0),
			"cap_emulate_setxuid: euid non-0 → 0: E = P"},
		{"nonroot_to_euid_root_E_is_P_not_full", keep(st(0, set(DO, SETUID), 0, all, 0)), ids(1000, 1000, 0), ids(1000, 0, 0), keep(st(set(DO, SETUID), set(DO, SETUID), 0, all, 0)),
			"cap_emulate_setxuid: E becomes the current P, not the full set"},
		{"root_to_root_unchanged", keep(st(all, all, 0, all, 0)), ids(0, 0, 0), ids(0, 0, 0), keep(st(all, all, 0, all, 0)),
			"cap_emulate_setxuid: no rule fires when every uid stays 0 (runc's setupUser for uid 0)"},
		{"nonroot_to_nonroot_unchanged", st(set(DO), set(DO), set(DO), all, set(DO)), ids(1000, 1000, 1000), ids(1001, 1001, 1001), st(set(DO), set(DO), set(DO), all, set(DO)),
			"cap_emulate_setxuid: no old uid was 0: nothing changes, not even A"},
		{"root_to_nonroot_keeps_I_and_B", st(all, all, set(DO), set(DO, NR), 0), ids(0, 0, 0), ids(1000, 1000, 1000), st(0, 0, set(DO), set(DO, NR), 0),
			"cap_emulate_setxuid touches only P, E and A; I and the bounding set stay"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := r.s.Setresuid(r.old, r.new); got != r.want {
				t.Errorf("Setresuid(%v → %v) from %s\n got %s\nwant %s\nrule: %s",
					r.old, r.new, stateString(r.s), stateString(got), stateString(r.want), r.rule)
			}
		})
	}
}

func TestCapset(t *testing.T) {
	all := caps.All
	noNR := all.Without(NR)
	// afterSetuid is runc's process after setresuid(1000) with KEEP_CAPS and
	// a DAC_OVERRIDE-only permitted set.
	afterSetuid := keep(st(0, set(DO), 0, all, 0))
	rows := []struct {
		name    string
		s       caps.State
		e, p, i caps.Set
		want    caps.State
		err     error
		rule    string
	}{
		{"raise_E_within_P_ok", afterSetuid, set(DO), set(DO), 0, keep(st(set(DO), set(DO), 0, all, 0)), nil,
			"cap_capset: new E ⊆ new P ⊆ old P, new I = ∅: allowed"},
		{"lower_P_ok", st(all, all, 0, all, 0), set(DO), set(DO, NR), 0, st(set(DO), set(DO, NR), 0, all, 0), nil,
			"cap_capset: P may shrink"},
		{"P_outside_old_P_eperm", afterSetuid, 0, set(DO, DRS), 0, afterSetuid, syscall.EPERM,
			"cap_capset: !cap_issubset(*permitted, old->cap_permitted) → EPERM"},
		{"E_outside_new_P_eperm", afterSetuid, set(DO), 0, 0, afterSetuid, syscall.EPERM,
			"cap_capset: new E ⊄ new P → EPERM, even though E ⊆ old P"},
		{"I_outside_I_and_P_without_setpcap_eperm", afterSetuid, 0, set(DO), set(NR), afterSetuid, syscall.EPERM,
			"cap_capset: cap_inh_is_capped() and new I ⊄ old I ∪ old P → EPERM"},
		{"I_within_P_without_setpcap_ok", afterSetuid, 0, set(DO), set(DO), keep(st(0, set(DO), set(DO), all, 0)), nil,
			"cap_capset: new I ⊆ old P is allowed without CAP_SETPCAP"},
		{"I_kept_without_setpcap_ok", st(0, 0, set(NR), all, 0), 0, 0, set(NR), st(0, 0, set(NR), all, 0), nil,
			"cap_capset: new I ⊆ old I is allowed without CAP_SETPCAP"},
		{"setpcap_in_P_only_still_capped_eperm", st(0, set(SETPCAP), 0, all, 0), 0, set(SETPCAP), set(NR), st(0, set(SETPCAP), 0, all, 0), syscall.EPERM,
			"cap_inh_is_capped: ns_capable looks at E; CAP_SETPCAP only in P does not waive the I ⊆ I ∪ P rule"},
		{"I_outside_P_with_setpcap_ok", st(set(SETPCAP), set(SETPCAP), 0, all, 0), set(SETPCAP), set(SETPCAP), set(NR), st(set(SETPCAP), set(SETPCAP), set(NR), all, 0), nil,
			"cap_capset: CAP_SETPCAP in E waives new I ⊆ old I ∪ old P"},
		{"I_outside_bounding_with_setpcap_eperm", st(set(SETPCAP), set(SETPCAP), 0, noNR, 0), set(SETPCAP), set(SETPCAP), set(NR), st(set(SETPCAP), set(SETPCAP), 0, noNR, 0), syscall.EPERM,
			"cap_capset: new I ⊄ old I ∪ B → EPERM, never waived, not even with CAP_SETPCAP"},
		{"I_outside_bounding_root_eperm", st(all, all, 0, noNR, 0), all, all, set(NR), st(all, all, 0, noNR, 0), syscall.EPERM,
			"cap_capset: the bounding rule holds for a full-capability root too"},
		{"I_kept_outside_bounding_ok", st(0, 0, set(NR), noNR, 0), 0, 0, set(NR), st(0, 0, set(NR), noNR, 0), nil,
			"cap_capset: new I ⊆ old I ∪ B: a capability already in I may stay after it left B"},
		{"ambient_trimmed_to_new_I", st(set(DO, NR), set(DO, NR), set(DO, NR), all, set(DO, NR)), set(DO, NR), set(DO, NR), set(DO), st(set(DO, NR), set(DO, NR), set(DO), all, set(DO)), nil,
			"cap_capset: A = A ∩ new P ∩ new I"},
		{"ambient_trimmed_to_new_P", st(set(DO, NR), set(DO, NR), set(DO, NR), all, set(DO, NR)), set(DO), set(DO), set(DO, NR), st(set(DO), set(DO), set(DO, NR), all, set(DO)), nil,
			"cap_capset: A = A ∩ new P ∩ new I"},
		{"bounding_and_keepcaps_untouched", keep(st(set(DO), set(DO), 0, set(DO), 0)), 0, 0, 0, keep(st(0, 0, 0, set(DO), 0)), nil,
			"cap_capset sets E, P, I (and trims A); B and the securebits are not its business"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, err := r.s.Capset(r.e, r.p, r.i)
			if err != r.err {
				t.Errorf("Capset(E=%s, P=%s, I=%s) error = %v, want %v\nrule: %s", r.e, r.p, r.i, err, r.err, r.rule)
			}
			if got != r.want {
				t.Errorf("Capset(E=%s, P=%s, I=%s) from %s\n got %s\nwant %s\nrule: %s",
					r.e, r.p, r.i, stateString(r.s), stateString(got), stateString(r.want), r.rule)
			}
		})
	}
}

func TestDropBounding(t *testing.T) {
	all := caps.All
	withSetpcap := st(set(SETPCAP), set(SETPCAP), 0, all, 0)
	rows := []struct {
		name  string
		s     caps.State
		c     caps.Cap
		wantB caps.Set
		err   error
		rule  string
	}{
		{"setpcap_drops", withSetpcap, NR, all.Without(NR), nil,
			"cap_prctl_drop: with CAP_SETPCAP the capability leaves B"},
		{"setpcap_drops_absent_ok", st(set(SETPCAP), set(SETPCAP), 0, set(SETPCAP), 0), NR, set(SETPCAP), nil,
			"cap_prctl_drop: cap_lower on a capability not in B succeeds"},
		{"setpcap_drops_itself", withSetpcap, SETPCAP, all.Without(SETPCAP), nil,
			"cap_prctl_drop checks E, not B: CAP_SETPCAP may drop itself from B"},
		{"no_setpcap_eperm", st(0, all, 0, all, 0), NR, all, syscall.EPERM,
			"cap_prctl_drop: !ns_capable(CAP_SETPCAP) → EPERM"},
		{"setpcap_in_P_only_eperm", st(0, set(SETPCAP), 0, all, 0), NR, all, syscall.EPERM,
			"cap_prctl_drop: ns_capable looks at E only"},
		{"cap_41_einval", withSetpcap, 41, all, syscall.EINVAL,
			"cap_prctl_drop: !cap_valid(cap) → EINVAL"},
		{"cap_255_einval", withSetpcap, 255, all, syscall.EINVAL,
			"cap_prctl_drop: !cap_valid(cap) → EINVAL"},
		{"privilege_checked_before_number", st(0, all, 0, all, 0), 41, all, syscall.EPERM,
			"cap_prctl_drop: ns_capable(CAP_SETPCAP) is tested before cap_valid"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, err := r.s.DropBounding(r.c)
			if err != r.err || got.Bounding != r.wantB {
				t.Errorf("DropBounding(%s) = B %s, %v; want B %s, %v\nrule: %s", r.c, got.Bounding, err, r.wantB, r.err, r.rule)
			}
			want := r.s
			want.Bounding = r.wantB
			if got != want {
				t.Errorf("DropBounding(%s) changed more than B: %s", r.c, stateString(got))
			}
		})
	}
}

func TestRaiseAmbient(t *testing.T) {
	all := caps.All
	rows := []struct {
		name  string
		s     caps.State
		c     caps.Cap
		wantA caps.Set
		err   error
		rule  string
	}{
		{"in_P_and_I_ok", st(0, set(NBS), set(NBS), all, 0), NBS, set(NBS), nil,
			"cap_task_prctl PR_CAP_AMBIENT_RAISE: cap in P and in I"},
		{"E_not_needed", st(0, set(NBS, DO), set(NBS, DO), all, set(DO)), NBS, set(NBS, DO), nil,
			"cap_task_prctl PR_CAP_AMBIENT_RAISE: E plays no part; A grows by one"},
		{"in_P_not_I_eperm", st(set(DO), set(DO), 0, all, 0), DO, 0, syscall.EPERM,
			"cap_task_prctl: !cap_raised(cap_inheritable) → EPERM"},
		{"in_I_not_P_eperm", st(0, 0, set(DO), all, 0), DO, 0, syscall.EPERM,
			"cap_task_prctl: !cap_raised(cap_permitted) → EPERM"},
		{"not_in_bounding_still_ok", st(0, set(NR), set(NR), all.Without(NR), 0), NR, set(NR), nil,
			"cap_task_prctl PR_CAP_AMBIENT_RAISE does not consult B"},
		{"cap_41_einval", st(all, all, all, all, 0), 41, 0, syscall.EINVAL,
			"cap_task_prctl: !cap_valid(arg3) → EINVAL, before the P/I check"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, err := r.s.RaiseAmbient(r.c)
			if err != r.err || got.Ambient != r.wantA {
				t.Errorf("RaiseAmbient(%s) = A %s, %v; want A %s, %v\nrule: %s", r.c, got.Ambient, err, r.wantA, r.err, r.rule)
			}
			want := r.s
			want.Ambient = r.wantA
			if got != want {
				t.Errorf("RaiseAmbient(%s) changed more than A: %s", r.c, stateString(got))
			}
		})
	}
}

func TestApplyBoundingSet(t *testing.T) {
	all := caps.All
	rows := []struct {
		name     string
		s        caps.State
		bounding caps.Set
		want     caps.State
		rule     string
	}{
		{"root_drops_to_config", caps.Root, dockerDefault, st(all, all, 0, dockerDefault, 0),
			"gocapability capsV3.Apply(BOUNDS): CAP_SETPCAP effective → PR_CAPBSET_DROP of every capability not wanted"},
		{"without_setpcap_noop", keep(st(0, all, 0, all, 0)), dockerDefault, keep(st(0, all, 0, all, 0)),
			"gocapability capsV3.Apply(BOUNDS): CAP_SETPCAP not in E → no drop and no error"},
		{"never_adds", st(set(SETPCAP), set(SETPCAP), 0, set(SETPCAP), 0), set(SETPCAP, NR), st(set(SETPCAP), set(SETPCAP), 0, set(SETPCAP), 0),
			"gocapability drops only; the kernel has no way to add to B"},
		{"drop_setpcap_itself", caps.Root, set(DO), st(all, all, 0, set(DO), 0),
			"cap_prctl_drop checks E, and E keeps CAP_SETPCAP when it leaves B: every later drop still succeeds"},
		{"empty_bounding", caps.Root, 0, st(all, all, 0, 0, 0),
			"gocapability capsV3.Apply(BOUNDS): an empty config bounding list drops everything"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, err := r.s.ApplyBoundingSet(r.bounding)
			if err != nil || got != r.want {
				t.Errorf("ApplyBoundingSet(%s) from %s\n got %s, %v\nwant %s, nil\nrule: %s",
					r.bounding, stateString(r.s), stateString(got), err, stateString(r.want), r.rule)
			}
		})
	}
}

func TestApplyCaps(t *testing.T) {
	all := caps.All
	noNR := all.Without(NR)
	// nonroot is runc's process after ApplyBoundingSet, KEEP_CAPS and
	// setresuid(1000): P kept, E cleared.
	nonroot := st(0, all, 0, dockerDefault, 0)
	rows := []struct {
		name string
		s    caps.State
		want caps.Sets // the config's process.capabilities
		res  caps.State
		err  error
		rule string
	}{
		{"nonroot_docker_default", nonroot,
			caps.Sets{Effective: dockerDefault, Permitted: dockerDefault, Bounding: dockerDefault},
			st(dockerDefault, dockerDefault, 0, dockerDefault, 0), nil,
			"runc Caps.ApplyCaps: capset(E, P, I) of the config; no CAP_SETPCAP in E, so BOUNDS is a no-op"},
		{"ambient_raised_when_in_P_and_I", nonroot,
			caps.Sets{Effective: set(NBS), Permitted: set(NBS), Inheritable: set(NBS), Bounding: dockerDefault, Ambient: set(NBS)},
			st(set(NBS), set(NBS), set(NBS), dockerDefault, set(NBS)), nil,
			"gocapability Apply(AMBS): PR_CAP_AMBIENT_RAISE after capset succeeds when cap ∈ P ∩ I"},
		{"ambient_raise_failure_ignored", nonroot,
			caps.Sets{Effective: set(NBS), Permitted: set(NBS), Bounding: dockerDefault, Ambient: set(NBS)},
			st(set(NBS), set(NBS), 0, dockerDefault, 0), nil,
			"gocapability Apply(AMBS) discards the EPERM of PR_CAP_AMBIENT_RAISE (cap ∉ I, cap_task_prctl): no error, A stays ∅"},
		{"ambient_lowered_when_not_wanted", st(set(NBS), set(NBS), set(NBS), all, set(NBS)),
			caps.Sets{Effective: set(NBS), Permitted: set(NBS), Inheritable: set(NBS), Bounding: all},
			st(set(NBS), set(NBS), set(NBS), all, 0), nil,
			"gocapability Apply(AMBS): PR_CAP_AMBIENT_LOWER for every capability not in the config's ambient list"},
		{"capset_eperm_returned", st(0, set(DO), 0, all, 0),
			caps.Sets{Effective: set(DO, NR), Permitted: set(DO, NR), Bounding: all},
			st(0, set(DO), 0, all, 0), syscall.EPERM,
			"cap_capset: new P ⊄ old P → EPERM, which runc reports as 'unable to apply caps'"},
		{"bounding_before_capset_root", caps.Root,
			caps.Sets{Effective: set(DO), Permitted: set(DO), Bounding: set(DO)},
			st(set(DO), set(DO), 0, set(DO), 0), nil,
			"gocapability Apply(CAPS|BOUNDS|AMBS) drops B first, while CAP_SETPCAP is still in E; capset then removes it"},
		{"inheritable_outside_new_bounding_eperm", caps.Root,
			caps.Sets{Effective: all, Permitted: all, Inheritable: set(NR), Bounding: noNR},
			st(all, all, 0, noNR, 0), syscall.EPERM,
			"B is dropped before capset, so cap_capset's new I ⊆ old I ∪ B fails for an inheritable cap outside the config's bounding set"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, err := r.s.ApplyCaps(r.want)
			if err != r.err {
				t.Errorf("ApplyCaps error = %v, want %v\nrule: %s", err, r.err, r.rule)
			}
			if got != r.res {
				t.Errorf("ApplyCaps from %s\n got %s\nwant %s\nrule: %s", stateString(r.s), stateString(got), stateString(r.res), r.rule)
			}
		})
	}
}

// Exec constructors.

// as is an execve by a task whose real, effective and new effective uid and
// gid are all uid: no set-id bit honoured.
func as(uid uint32) caps.Exec {
	return caps.Exec{UID: uid, EUID: uid, NewEUID: uid, GID: uid, EGID: uid, NewEGID: uid}
}

func withFile(x caps.Exec, fc caps.FileCaps) caps.Exec { x.File = &fc; return x }

func setuidTo(x caps.Exec, uid uint32) caps.Exec { x.NewEUID = uid; return x }

func setgidTo(x caps.Exec, gid uint32) caps.Exec { x.NewEGID = gid; return x }

func nnp(x caps.Exec) caps.Exec { x.NoNewPrivs = true; return x }

// fcap is a security.capability value: fP, fI and the effective flag fE.
func fcap(p, i caps.Set, e bool) caps.FileCaps {
	return caps.FileCaps{Permitted: p, Inheritable: i, Effective: e}
}

type execRow struct {
	name       string
	s          caps.State
	x          caps.Exec
	want       caps.State
	euid, egid uint32
	err        error
	rule       string
}

func execRows() []execRow {
	all := caps.All
	noDO := all.Without(DO)
	// uEUID0 is a task with real uid 1000 and effective uid 0
	// (setresuid(1000, 0, 0)) execing a plain file.
	uEUID0 := caps.Exec{UID: 1000, EUID: 0, NewEUID: 0, GID: 1000, EGID: 1000, NewEGID: 1000}
	return []execRow{
		{"nonroot_plain_P_E_become_A", st(set(DO), set(DO), set(DO), all, set(DO)), as(1000), st(set(DO), set(DO), set(DO), all, set(DO)), 1000, 1000, nil,
			"cap_bprm_creds_from_file: no file caps, no id change: P' = A, E' = A"},
		{"nonroot_plain_without_ambient_loses_all", st(set(DO), set(DO), 0, all, 0), as(1000), st(0, 0, 0, all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: P' = (B ∩ ∅) ∪ (I ∩ ∅) ∪ A = ∅"},
		{"nonroot_plain_keeps_I", st(0, 0, set(NR), all, 0), as(1000), st(0, 0, set(NR), all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: I is unchanged by execve"},
		{"nonroot_file_caps_ep", st(0, 0, 0, all, 0), withFile(as(1000), fcap(set(DO), 0, true)), st(set(DO), set(DO), 0, all, 0), 1000, 1000, nil,
			"bprm_caps_from_vfs_caps: P' = B ∩ fP; fE → E' = P'"},
		{"nonroot_file_caps_p_not_e", st(0, 0, 0, all, 0), withFile(as(1000), fcap(set(NR), 0, false)), st(0, set(NR), 0, all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: without fE, E' = A' = ∅ while P' = fP ∩ B"},
		{"nonroot_file_caps_ep_bounding_lacks_eperm", st(0, 0, 0, noDO, 0), withFile(as(1000), fcap(set(DO), 0, true)), st(0, 0, 0, noDO, 0), 1000, 1000, syscall.EPERM,
			"bprm_caps_from_vfs_caps: fE set and fP ⊄ P' → EPERM, the capability-dumb binary rule"},
		{"nonroot_file_caps_p_bounding_lacks_silent", st(0, 0, 0, noDO, 0), withFile(as(1000), fcap(set(DO), 0, false)), st(0, 0, 0, noDO, 0), 1000, 1000, nil,
			"bprm_caps_from_vfs_caps: without fE the shortfall is silent: P' = ∅"},
		{"file_caps_fI_meets_pI", st(0, 0, set(NR), noDO.Without(NR), 0), withFile(as(1000), fcap(0, set(NR), true)), st(set(NR), set(NR), set(NR), noDO.Without(NR), 0), 1000, 1000, nil,
			"bprm_caps_from_vfs_caps: P' = (B ∩ fP) ∪ (I ∩ fI), the inheritable half needs no B"},
		{"file_caps_clear_ambient", st(set(DO), set(DO), set(DO), all, set(DO)), withFile(as(1000), fcap(set(NR), 0, true)), st(set(NR), set(NR), set(DO), all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: file caps cancel ambient: A' = ∅, so DO is gone"},
		{"file_caps_e_only_clears_ambient", st(set(DO), set(DO), set(DO), all, set(DO)), withFile(as(1000), fcap(0, 0, true)), st(0, 0, set(DO), all, 0), 1000, 1000, nil,
			"get_file_caps: an attribute with empty sets (setcap cap_chown+e) still counts as file caps: A' = ∅"},
		{"root_plain_P_is_B_union_I", st(0, all, set(NR), dockerDefault.Without(NR), 0), as(0), st(dockerDefault, dockerDefault, set(NR), dockerDefault.Without(NR), 0), 0, 0, nil,
			"handle_privileged_root: euid 0: P' = B ∪ I, fE taken as set, E' = P'"},
		{"root_with_empty_E_regains_B", st(0, all, 0, all, 0), as(0), st(all, all, 0, all, 0), 0, 0, nil,
			"handle_privileged_root: root's P' = B ∪ I whatever E was"},
		{"root_file_caps_ep_bounding_lacks_eperm", st(all, all, 0, noDO, 0), withFile(as(0), fcap(set(DO), 0, true)), st(all, all, 0, noDO, 0), 0, 0, syscall.EPERM,
			"get_file_caps fails before handle_privileged_root: fE and fP ⊄ B → EPERM even for root"},
		{"root_file_caps_p_gets_B", st(0, all, 0, all, 0), withFile(as(0), fcap(set(NR), 0, false)), st(all, all, 0, all, 0), 0, 0, nil,
			"handle_privileged_root: __is_suid is false for a root caller, so file caps are overridden: P' = B ∪ I, E' = P'"},
		{"real_root_only_not_effective", st(all, all, 0, all, 0), setuidTo(as(0), 1000), st(0, all, 0, all, 0), 1000, 0, nil,
			"handle_privileged_root: 'If only the real uid is 0, we do not set the effective bit': P' = B ∪ I, E' = A' = ∅"},
		{"nonroot_setuid_root", st(0, 0, 0, dockerDefault, 0), setuidTo(as(1000), 0), st(dockerDefault, dockerDefault, 0, dockerDefault, 0), 0, 1000, nil,
			"handle_privileged_root: new euid 0: P' = B ∪ I, E' = P'"},
		{"nonroot_setuid_root_clears_ambient", st(set(DO), set(DO), set(DO), all, set(DO)), setuidTo(as(1000), 0), st(all, all, set(DO), all, 0), 0, 1000, nil,
			"cap_bprm_creds_from_file: setid cancels ambient"},
		{"nonroot_setuid_root_with_file_caps_only_file_caps", st(0, 0, 0, all, 0), withFile(setuidTo(as(1000), 0), fcap(set(NR), 0, true)), st(set(NR), set(NR), 0, all, 0), 0, 1000, nil,
			"handle_privileged_root: has_fcap && __is_suid(root): file caps only, no B ∪ I"},
		{"nonroot_setuid_root_with_file_caps_p_not_effective", st(0, 0, 0, all, 0), withFile(setuidTo(as(1000), 0), fcap(set(NR), 0, false)), st(0, set(NR), 0, all, 0), 0, 1000, nil,
			"handle_privileged_root returns early for setuid root with file caps, so euid 0 does not set fE"},
		{"setgid_clears_ambient", st(set(DO), set(DO), set(DO), all, set(DO)), setgidTo(as(1000), 0), st(0, 0, set(DO), all, 0), 1000, 0, nil,
			"__is_setgid: new egid ≠ old gid is setid: A' = ∅"},
		{"setid_compares_new_euid_with_old_real_uid", st(set(DO), set(DO), set(DO), all, set(DO)), uEUID0, st(all, all, set(DO), all, 0), 0, 1000, nil,
			"__is_setuid: !uid_eq(new->euid, old->uid): euid 0 stays 0 but differs from ruid 1000, so A' = ∅"},
		{"same_euid_and_ruid_not_setid", st(set(DO), set(DO), set(DO), all, set(DO)), caps.Exec{UID: 1000, EUID: 2000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 1000}, st(set(DO), set(DO), set(DO), all, set(DO)), 1000, 1000, nil,
			"__is_setuid compares with the old real uid, not the old euid: 2000 → 1000 with ruid 1000 is not setid, A' kept"},
		{"nnp_file_caps_clipped_to_old_P", st(0, 0, 0, all, 0), nnp(withFile(as(1000), fcap(set(NR), 0, true))), st(0, 0, 0, all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: P' gains with no_new_privs: P' = P' ∩ old P; fE then gives E' = ∅, no EPERM"},
		{"nnp_file_caps_within_old_P_kept", st(0, set(NR), 0, all, 0), nnp(withFile(as(1000), fcap(set(NR), 0, true))), st(set(NR), set(NR), 0, all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: no gain over old P, so no_new_privs changes nothing"},
		{"nnp_euid_reverts_to_real", st(0, set(DO), 0, all, 0), nnp(uEUID0), st(set(DO), set(DO), 0, all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: setid with no_new_privs: euid = uid, egid = gid, P' = (B ∪ I) ∩ old P"},
		{"nnp_root_no_gain_unchanged", st(0, all, 0, dockerDefault, 0), nnp(as(0)), st(dockerDefault, dockerDefault, 0, dockerDefault, 0), 0, 0, nil,
			"cap_bprm_creds_from_file: root's B ∪ I ⊆ old P is no gain; no_new_privs clips nothing"},
		{"nnp_root_gain_clipped", st(0, set(DO), 0, all, 0), nnp(as(0)), st(set(DO), set(DO), 0, all, 0), 0, 0, nil,
			"cap_bprm_creds_from_file: root with P = {DO}: B ∪ I gains, no_new_privs clips P' to old P"},
		{"keepcaps_cleared", keep(st(0, 0, 0, all, 0)), as(1000), st(0, 0, 0, all, 0), 1000, 1000, nil,
			"cap_bprm_creds_from_file: new->securebits &= ~issecure_mask(SECURE_KEEP_CAPS)"},
	}
}

func TestExec(t *testing.T) {
	rows := execRows()
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, euid, egid, err := r.s.Exec(r.x)
			if err != r.err {
				t.Errorf("Exec error = %v, want %v\nrule: %s", err, r.err, r.rule)
			}
			if got != r.want {
				t.Errorf("Exec(%+v) from %s\n got %s\nwant %s\nrule: %s", r.x, stateString(r.s), stateString(got), stateString(r.want), r.rule)
			}
			if euid != r.euid || egid != r.egid {
				t.Errorf("Exec euid, egid = %d, %d, want %d, %d\nrule: %s", euid, egid, r.euid, r.egid, r.rule)
			}
		})
	}
}

// TestExecInvariants checks, over the rows and a sweep of states, what
// cap_bprm_creds_from_file guarantees whatever the inputs: A' ⊆ P' ∩ I
// (cap_ambient_invariant_ok), E' ⊆ P', and I and B unchanged.
func TestExecInvariants(t *testing.T) {
	sets := []caps.Set{0, set(DO), set(NR), set(DO, NR), dockerDefault, caps.All}
	files := []*caps.FileCaps{nil, {Permitted: set(NR), Effective: true}, {Permitted: set(DO)}, {Inheritable: set(DO, NR), Effective: true}}
	n := 0
	for _, p := range sets {
		for _, i := range sets {
			for _, b := range sets {
				for _, uid := range []uint32{0, 1000} {
					for _, newEUID := range []uint32{0, 1000} {
						for _, f := range files {
							for _, nnpv := range []bool{false, true} {
								s := st(p, p, i, b, p&i)
								x := setuidTo(as(uid), newEUID)
								x.File, x.NoNewPrivs = f, nnpv
								got, _, _, err := s.Exec(x)
								n++
								if err != nil {
									if got != s {
										t.Errorf("Exec(%+v) from %s failed with %v but changed the state", x, stateString(s), err)
									}
									continue
								}
								if !got.Ambient.SubsetOf(got.Permitted&got.Inheritable) || !got.Effective.SubsetOf(got.Permitted) ||
									got.Inheritable != s.Inheritable || got.Bounding != s.Bounding || got.KeepCaps {
									t.Errorf("Exec(%+v) from %s = %s breaks an invariant", x, stateString(s), stateString(got))
								}
								if nnpv && !got.Permitted.SubsetOf(s.Permitted|s.Ambient) {
									t.Errorf("Exec(%+v) with no_new_privs from %s gained: %s", x, stateString(s), stateString(got))
								}
							}
						}
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("sweep did not run")
	}
}

// finalizeNamespace walks the capability steps of runc's
// libcontainer/init_linux.go:finalizeNamespace (v1.1.x) for a container
// process with config cfg and uid: ApplyBoundingSet, PR_SET_KEEPCAPS(1), setupUser's setresuid(uid), the
// [chdir retry], PR_SET_KEEPCAPS(0), ApplyCaps. It returns the state at the
// chdir retry and the state handed to execve.
func finalizeNamespace(cfg caps.Sets, uid uint32) (atChdir, final caps.State, err error) {
	s := caps.Root
	if s, err = s.ApplyBoundingSet(cfg.Bounding); err != nil {
		return s, s, err
	}
	s.KeepCaps = true
	s = s.Setresuid(ids(0, 0, 0), ids(uid, uid, uid))
	atChdir = s
	s.KeepCaps = false
	s, err = s.ApplyCaps(cfg)
	return atChdir, s, err
}

func TestRuncFinalizeNamespaceThenExec(t *testing.T) {
	dd := dockerDefault
	rows := []struct {
		name    string
		cfg     caps.Sets
		uid     uint32
		file    *caps.FileCaps // the binary's security.capability, nil for a plain file
		atChdir caps.Set       // E when runc retries chdir as the container user
		final   caps.State     // after execve
		err     error          // of ApplyCaps or execve
		rule    string
	}{
		{"nonroot_docker_default_E_is_config_ambient", caps.Sets{Effective: dd, Permitted: dd, Bounding: dd}, 1000, nil,
			0, st(0, 0, 0, dd, 0), nil,
			"setresuid(1000) clears E even with KEEP_CAPS; execve of a plain file gives E' = P' = A = ∅"},
		{"nonroot_ambient_in_P_and_I_survives_exec", caps.Sets{Effective: set(NBS), Permitted: set(NBS), Inheritable: set(NBS), Bounding: dd, Ambient: set(NBS)}, 1000, nil,
			0, st(set(NBS), set(NBS), set(NBS), dd, set(NBS)), nil,
			"ApplyCaps raises A = {NBS} ⊆ P ∩ I; execve gives E' = P' = A"},
		{"nonroot_ambient_not_in_I_lost_silently", caps.Sets{Effective: dd, Permitted: dd, Bounding: dd, Ambient: set(NBS)}, 1000, nil,
			0, st(0, 0, 0, dd, 0), nil,
			"gocapability ignores the EPERM of PR_CAP_AMBIENT_RAISE (cap_task_prctl): no error, and the exec'd process has E' = ∅, not the config's ambient"},
		{"nonroot_file_caps_ep_binary", caps.Sets{Effective: dd, Permitted: dd, Bounding: dd}, 1000, &caps.FileCaps{Permitted: set(NR), Effective: true},
			0, st(set(NR), set(NR), 0, dd, 0), nil,
			"execve of a cap_net_raw+ep binary: P' = B ∩ fP = {NR}, E' = P'"},
		{"nonroot_file_caps_outside_bounding_eperm", caps.Sets{Effective: dd, Permitted: dd, Bounding: dd}, 1000, &caps.FileCaps{Permitted: set(ADMIN), Effective: true},
			0, st(dd, dd, 0, dd, 0), syscall.EPERM,
			"execve of a cap_sys_admin+ep binary with the config's B lacking it: EPERM"},
		{"root_docker_default_E_is_bounding", caps.Sets{Effective: dd, Permitted: dd, Bounding: dd}, 0, nil,
			caps.All, st(dd, dd, 0, dd, 0), nil,
			"uid 0 stays root through setupUser; execve gives P' = B ∪ I, E' = P'"},
		{"root_small_permitted_regains_bounding", caps.Sets{Effective: set(CHOWN), Permitted: set(CHOWN), Bounding: dd}, 0, nil,
			caps.All, st(dd, dd, 0, dd, 0), nil,
			"root's execve sets P' = B ∪ I whatever the config's permitted list: E' is the whole bounding set, not P ∩ B"},
		{"root_inheritable_adds_to_exec", caps.Sets{Effective: dd, Permitted: dd.With(ADMIN), Inheritable: set(ADMIN), Bounding: dd.With(ADMIN)}, 0, nil,
			caps.All, st(dd.With(ADMIN), dd.With(ADMIN), set(ADMIN), dd.With(ADMIN), 0), nil,
			"root's execve: P' = B ∪ I"},
		{"inheritable_outside_bounding_eperm", caps.Sets{Effective: dd, Permitted: dd, Inheritable: set(ADMIN), Bounding: dd}, 1000, nil,
			0, st(0, caps.All, 0, dd, 0), syscall.EPERM,
			"B is dropped first, so capset's new I ⊆ old I ∪ B fails: runc's 'unable to apply caps'"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			atChdir, s, err := finalizeNamespace(r.cfg, r.uid)
			if atChdir.Effective != r.atChdir {
				t.Errorf("E at the chdir retry = %s, want %s\nrule: %s", atChdir.Effective, r.atChdir, r.rule)
			}
			if err == nil {
				x := as(r.uid)
				x.File = r.file
				s, _, _, err = s.Exec(x)
			}
			if err != r.err {
				t.Errorf("error = %v, want %v\nrule: %s", err, r.err, r.rule)
			}
			if s != r.final {
				t.Errorf("final state\n got %s\nwant %s\nrule: %s", stateString(s), stateString(r.final), r.rule)
			}
			if err != nil || r.file != nil {
				return
			}
			// The relations the rows spell out, stated once more in
			// terms of the config: a non-root plain exec ends with
			// E' = config A ∩ P ∩ I; uid 0 ends with E' = B ∪ I.
			want := r.cfg.Ambient & r.cfg.Permitted & r.cfg.Inheritable
			if r.uid == 0 {
				want = r.cfg.Bounding | r.cfg.Inheritable
			}
			if s.Effective != want {
				t.Errorf("final E = %s, want %s from the config", s.Effective, want)
			}
		})
	}
}
