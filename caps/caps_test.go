package caps_test

import (
	"errors"
	"fmt"
	"github.com/preexec/preexec/internal/rowtest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/caps"
)

// Short names that keep a table row on one line.
const (
	CHOWN   = caps.CAP_CHOWN
	DO      = caps.CAP_DAC_OVERRIDE
	DRS     = caps.CAP_DAC_READ_SEARCH
	FOWNER  = caps.CAP_FOWNER
	SETUID  = caps.CAP_SETUID
	SETPCAP = caps.CAP_SETPCAP
	NBS     = caps.CAP_NET_BIND_SERVICE
	NR      = caps.CAP_NET_RAW
	ADMIN   = caps.CAP_SYS_ADMIN
	CR      = caps.CAP_CHECKPOINT_RESTORE
)

func set(cs ...caps.Cap) caps.Set { return caps.Of(cs...) }

// dockerDefault is the default capability list of Docker and of runc's
// `runc spec` (runc libcontainer/specconv/example.go, moby
// oci/caps/defaults.go): the set a container config usually carries in
// bounding, effective and permitted.
var dockerDefault = set(caps.CAP_CHOWN, caps.CAP_DAC_OVERRIDE, caps.CAP_FSETID, caps.CAP_FOWNER,
	caps.CAP_MKNOD, caps.CAP_NET_RAW, caps.CAP_SETGID, caps.CAP_SETUID, caps.CAP_SETFCAP,
	caps.CAP_SETPCAP, caps.CAP_NET_BIND_SERVICE, caps.CAP_SYS_CHROOT, caps.CAP_KILL,
	caps.CAP_AUDIT_WRITE)

// checkRows fails the test before any row runs if the table is malformed
// (internal/rowtest).
func checkRows(t testing.TB, names, rules []string) {
	t.Helper()
	rowtest.Check(t, names, rules)
}

// kernelNames are the capability names of include/uapi/linux/capability.h,
// indexed by number (Linux 5.9 and later).
var kernelNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

func TestNamesRoundTrip(t *testing.T) {
	if len(kernelNames) != int(caps.CAP_LAST_CAP)+1 {
		t.Fatalf("%d kernel names, CAP_LAST_CAP = %d", len(kernelNames), caps.CAP_LAST_CAP)
	}
	for n, want := range kernelNames {
		c := caps.Cap(n)
		if !c.Valid() {
			t.Errorf("Cap(%d).Valid() = false", n)
		}
		if got := c.String(); got != want {
			t.Errorf("Cap(%d).String() = %q, want %q", n, got, want)
		}
		got, ok := caps.Parse(want)
		if !ok || got != c {
			t.Errorf("Parse(%q) = %d, %v, want %d, true", want, got, ok, n)
		}
	}
}

func TestUnknownCapNumbers(t *testing.T) {
	for _, n := range []int{41, 42, 63, 64, 255} {
		c := caps.Cap(n)
		if c.Valid() {
			t.Errorf("Cap(%d).Valid() = true", n)
		}
		if got, want := c.String(), fmt.Sprintf("CAP_%d", n); got != want {
			t.Errorf("Cap(%d).String() = %q, want %q", n, got, want)
		}
		if _, ok := caps.Parse(c.String()); ok {
			t.Errorf("Parse(%q) accepted an unknown number", c.String())
		}
	}
}

func TestParseRejects(t *testing.T) {
	// runc and crun take the spelling of the runtime spec only: upper case
	// with the CAP_ prefix.
	for _, s := range []string{
		"", "cap_chown", "Cap_Chown", "CAP_chown", "CHOWN", "chown", "CAP_",
		"CAP_CHOWN ", " CAP_CHOWN", "CAP_0", "CAP_41", "CAP_CHOWN,CAP_KILL", "ALL",
	} {
		if c, ok := caps.Parse(s); ok {
			t.Errorf("Parse(%q) = %v, true, want false", s, c)
		}
	}
}

func TestSetOps(t *testing.T) {
	s := set(DO, NR, CR)
	if !s.Has(DO) || !s.Has(NR) || !s.Has(CR) || s.Has(CHOWN) {
		t.Errorf("Has on %s wrong", s)
	}
	if s.Has(64) || s.Has(200) {
		t.Errorf("Has(≥64) = true")
	}
	if got := s.With(CHOWN).Without(NR); got != set(CHOWN, DO, CR) {
		t.Errorf("With/Without = %s", got)
	}
	if got := s.With(DO); got != s {
		t.Errorf("With an element already in = %s, want %s", got, s)
	}
	if got := s.Without(ADMIN); got != s {
		t.Errorf("Without an element not in = %s, want %s", got, s)
	}
	if !set().SubsetOf(set()) || !set(DO).SubsetOf(s) || !s.SubsetOf(s) || s.SubsetOf(set(DO)) {
		t.Errorf("SubsetOf wrong")
	}
	if diff := cmp.Diff([]caps.Cap{DO, NR, CR}, s.Caps()); diff != "" {
		t.Errorf("Caps (-want +got):\n%s", diff)
	}
	if got := set().Caps(); len(got) != 0 {
		t.Errorf("empty Caps = %v", got)
	}
	if got, want := s.String(), "CAP_DAC_OVERRIDE,CAP_NET_RAW,CAP_CHECKPOINT_RESTORE"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := set().String(); got != "" {
		t.Errorf("empty String = %q", got)
	}
	if got := (caps.Set(1) << 41).String(); got != "CAP_41" {
		t.Errorf("String of bit 41 = %q", got)
	}
	if got := len(caps.All.Caps()); got != 41 {
		t.Errorf("All has %d capabilities, want 41", got)
	}
	for c := caps.Cap(0); c <= caps.CAP_LAST_CAP; c++ {
		if !caps.All.Has(c) {
			t.Errorf("All lacks %s", c)
		}
	}
	if caps.All.Has(41) {
		t.Errorf("All has bit 41")
	}
	if got := caps.Of(); got != 0 {
		t.Errorf("Of() = %s", got)
	}
}

func TestFromSpec(t *testing.T) {
	if got, err := caps.FromSpec(nil); err != nil || got != (caps.Sets{}) {
		t.Errorf("FromSpec(nil) = %+v, %v", got, err)
	}
	lc := &specs.LinuxCapabilities{
		Bounding:    []string{"CAP_CHOWN", "CAP_NET_RAW", "CAP_CHECKPOINT_RESTORE"},
		Effective:   []string{"CAP_CHOWN"},
		Inheritable: []string{"CAP_NET_RAW"},
		Permitted:   []string{"CAP_CHOWN", "CAP_NET_RAW"},
		Ambient:     []string{"CAP_NET_RAW"},
	}
	want := caps.Sets{
		Bounding:    set(CHOWN, NR, CR),
		Effective:   set(CHOWN),
		Inheritable: set(NR),
		Permitted:   set(CHOWN, NR),
		Ambient:     set(NR),
	}
	got, err := caps.FromSpec(lc)
	if err != nil {
		t.Fatalf("FromSpec: %v", err)
	}
	if got != want {
		t.Errorf("FromSpec = %+v, want %+v", got, want)
	}
}

func TestFromSpecUnknownNames(t *testing.T) {
	lc := &specs.LinuxCapabilities{
		Bounding:    []string{"CAP_CHOWN", "CAP_FOO", "CAP_NET_RAW", "CAP_BAR"},
		Effective:   []string{"cap_chown", "CAP_CHOWN"},
		Inheritable: []string{},
		Permitted:   []string{"CAP_CHOWN", "CHOWN"},
		Ambient:     []string{"CAP_41"},
	}
	got, err := caps.FromSpec(lc)
	if err == nil {
		t.Fatal("FromSpec: no error for unknown names")
	}
	var ue *caps.UnknownError
	if !errors.As(err, &ue) {
		t.Fatalf("FromSpec error %T %v is not *caps.UnknownError", err, err)
	}
	wantNames := map[string][]string{
		"bounding":  {"CAP_FOO", "CAP_BAR"},
		"effective": {"cap_chown"},
		"permitted": {"CHOWN"},
		"ambient":   {"CAP_41"},
	}
	if diff := cmp.Diff(wantNames, ue.Names); diff != "" {
		t.Errorf("UnknownError.Names (-want +got):\n%s", diff)
	}
	// The known names are returned all the same, so that a caller can
	// model a runtime that warns and ignores the others (runc ≥ 1.2).
	want := caps.Sets{Bounding: set(CHOWN, NR), Effective: set(CHOWN), Permitted: set(CHOWN)}
	if got != want {
		t.Errorf("FromSpec sets = %+v, want %+v", got, want)
	}
	// Every unknown name is in the message, so a user sees them all.
	for _, ns := range wantNames {
		for _, n := range ns {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("error %q does not name %q", err, n)
			}
		}
	}
}

func TestAbove(t *testing.T) {
	for _, tt := range []struct {
		c    caps.Cap
		want caps.Set
	}{
		{caps.CAP_AUDIT_READ, caps.Of(caps.CAP_PERFMON, caps.CAP_BPF, caps.CAP_CHECKPOINT_RESTORE)},
		{caps.CAP_BPF, caps.Of(caps.CAP_CHECKPOINT_RESTORE)},
		{caps.CAP_LAST_CAP, 0},
		{63, 0},
	} {
		if got := caps.Above(tt.c); got != tt.want {
			t.Errorf("Above(%d) = %v; want %v", tt.c, got, tt.want)
		}
	}
}
