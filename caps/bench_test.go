package caps_test

import (
	"testing"

	"github.com/preexec/preexec/caps"
)

var (
	benchState caps.State
	benchErr   error
)

// benchExec is a non-root execve of a cap_net_raw+ep binary with Docker's
// default bounding set: the file-capability path of
// cap_bprm_creds_from_file.
var benchExec = caps.Exec{UID: 1000, EUID: 1000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 1000,
	File: &caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true}}

// BenchmarkCapsExec measures State.Exec for a non-root exec with file
// capabilities. Budget: 0 allocs/op, under 50 ns/op; the model runs it once
// per candidate binary, so it must stay a handful of bit operations.
func BenchmarkCapsExec(b *testing.B) {
	b.ReportAllocs()
	s := caps.State{Sets: caps.Sets{Bounding: dockerDefault}}
	for b.Loop() {
		benchState, _, _, benchErr = s.Exec(benchExec)
	}
}

// BenchmarkCapset measures State.Capset as runc's ApplyCaps calls it for a
// non-root container user. Budget: 0 allocs/op (the EPERM is a bare
// syscall.Errno), under 50 ns/op.
func BenchmarkCapset(b *testing.B) {
	b.ReportAllocs()
	s := caps.State{Sets: caps.Sets{Permitted: caps.All, Bounding: dockerDefault}}
	for b.Loop() {
		benchState, benchErr = s.Capset(dockerDefault, dockerDefault, 0)
	}
}

// TestHotPathsDoNotAllocate pins the allocation budgets of the benchmarks in
// plain go test runs, where timings are not asserted.
func TestHotPathsDoNotAllocate(t *testing.T) {
	s := caps.State{Sets: caps.Sets{Bounding: dockerDefault}}
	denied := benchExec
	denied.File = &caps.FileCaps{Permitted: caps.Of(caps.CAP_SYS_ADMIN), Effective: true}
	xattr := caps.FileCaps{Permitted: caps.Of(caps.CAP_NET_RAW), Effective: true}.Marshal()
	for name, f := range map[string]func(){
		"Exec":         func() { benchState, _, _, benchErr = s.Exec(benchExec) },
		"Exec_EPERM":   func() { benchState, _, _, benchErr = s.Exec(denied) },
		"Capset":       func() { benchState, benchErr = caps.Root.Capset(dockerDefault, dockerDefault, 0) },
		"Capset_EPERM": func() { benchState, benchErr = s.Capset(dockerDefault, dockerDefault, 0) },
		"Setresuid":    func() { benchState = caps.Root.Setresuid(caps.UIDs{}, caps.UIDs{Real: 1, Effective: 1, Saved: 1}) },
		"ApplyCaps": func() {
			benchState, benchErr = caps.Root.ApplyCaps(caps.Sets{Effective: dockerDefault, Permitted: dockerDefault, Bounding: dockerDefault})
		},
		"ParseFileCaps":        func() { _, benchErr = caps.ParseFileCaps(xattr) },
		"ParseFileCaps_EINVAL": func() { _, benchErr = caps.ParseFileCaps(xattr[:7]) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, n)
		}
	}
}
