package caps_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"syscall"
	"testing"

	"github.com/preexec/preexec/caps"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// fileCapsGoldens are security.capability values written by setcap(8) and
// read back with getfattr(1), on Linux 6.18 (ext4) with libcap2-bin 2.66 and
// attr 2.5.1, as root:
//
//	touch f && setcap SPEC f && getfattr -e hex -n security.capability f
//	(revision 3: setcap -n 1000 cap_net_raw+ep f)
//
// Revision 1 cannot be written on a current kernel (cap_convert_nscap takes
// only v2 and v3 headers), so its rows are built by hand from
// include/uapi/linux/capability.h.
var fileCapsGoldens = []struct {
	name string
	spec string // what setcap was given
	hex  string
	want caps.FileCaps
}{
	{"net_raw_ep", "cap_net_raw+ep", "0100000200200000000000000000000000000000",
		caps.FileCaps{Permitted: set(NR), Effective: true, Revision: 2}},
	{"dac_override_ep", "cap_dac_override+ep", "0100000202000000000000000000000000000000",
		caps.FileCaps{Permitted: set(DO), Effective: true, Revision: 2}},
	{"net_bind_service_p", "cap_net_bind_service+p", "0000000200040000000000000000000000000000",
		caps.FileCaps{Permitted: set(NBS), Revision: 2}},
	{"chown_checkpoint_restore_eip", "cap_chown,cap_checkpoint_restore+eip", "0100000201000000010000000001000000010000",
		caps.FileCaps{Permitted: set(CHOWN, CR), Inheritable: set(CHOWN, CR), Effective: true, Revision: 2}},
	{"setfcap_i", "cap_setfcap+i", "0000000200000000000000800000000000000000",
		caps.FileCaps{Inheritable: set(caps.CAP_SETFCAP), Revision: 2}},
	{"chown_e_only", "cap_chown+e", "0100000200000000000000000000000000000000",
		caps.FileCaps{Effective: true, Revision: 2}},
	{"rootid_1000_net_raw_ep", "-n 1000 cap_net_raw+ep", "0100000300200000000000000000000000000000e8030000",
		caps.FileCaps{Permitted: set(NR), Effective: true, Revision: 3, RootID: 1000}},
	{"v1_net_raw_ep", "(by hand)", "010000010020000000000000",
		caps.FileCaps{Permitted: set(NR), Effective: true, Revision: 1}},
	{"v1_dac_override_i", "(by hand)", "000000010000000002000000",
		caps.FileCaps{Inheritable: set(DO), Revision: 1}},
}

func TestFileCapsGoldens(t *testing.T) {
	for _, g := range fileCapsGoldens {
		t.Run(g.name, func(t *testing.T) {
			b := unhex(g.hex)
			got, err := caps.ParseFileCaps(b)
			if err != nil {
				t.Fatalf("ParseFileCaps(%s) [setcap %s]: %v", g.hex, g.spec, err)
			}
			if got != g.want {
				t.Errorf("ParseFileCaps(%s) [setcap %s] = %+v, want %+v", g.hex, g.spec, got, g.want)
			}
			if m := g.want.Marshal(); !bytes.Equal(m, b) {
				t.Errorf("Marshal(%+v) = %x, want %s", g.want, m, g.hex)
			}
		})
	}
}

func TestFileCapsNetRawLayout(t *testing.T) {
	// The task's own statement of the bytes: setcap cap_net_raw+ep writes
	// magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE and
	// data[0].permitted = 1 << CAP_NET_RAW, little-endian.
	b := caps.FileCaps{Permitted: set(NR), Effective: true}.Marshal()
	if len(b) != caps.XATTR_CAPS_SZ_2 {
		t.Fatalf("len = %d, want %d", len(b), caps.XATTR_CAPS_SZ_2)
	}
	if got := binary.LittleEndian.Uint32(b); got != 0x02000001 {
		t.Errorf("magic_etc = %#08x, want 0x02000001", got)
	}
	if got := binary.LittleEndian.Uint32(b[4:]); got != 1<<13 {
		t.Errorf("data[0].permitted = %#x, want 1<<13", got)
	}
}

func TestFileCapsRoundTrip(t *testing.T) {
	for _, fc := range []caps.FileCaps{
		{Revision: 1, Permitted: set(CHOWN, NR), Inheritable: set(DO), Effective: true},
		{Revision: 1},
		{Revision: 2, Permitted: caps.All, Inheritable: caps.All, Effective: true},
		{Revision: 2, Permitted: set(CR)},
		{Revision: 3, Permitted: set(NR, CR), Inheritable: set(ADMIN), RootID: 100000},
		{Revision: 3, RootID: 0xffffffff, Effective: true},
	} {
		b := fc.Marshal()
		got, err := caps.ParseFileCaps(b)
		if err != nil || got != fc {
			t.Errorf("ParseFileCaps(Marshal(%+v)) = %+v, %v", fc, got, err)
		}
	}
}

func TestFileCapsMarshalDefaultsAndLimits(t *testing.T) {
	// Revision 0 means 2: setcap's format.
	b := caps.FileCaps{Permitted: set(NR)}.Marshal()
	if got, err := caps.ParseFileCaps(b); err != nil || got.Revision != 2 || len(b) != caps.XATTR_CAPS_SZ_2 {
		t.Errorf("Marshal of revision 0 = %x, parsed %+v, %v; want a revision-2 value", b, got, err)
	}
	// Revision 1 holds the low 32 capabilities only.
	b = caps.FileCaps{Revision: 1, Permitted: set(NR, CR), Inheritable: set(caps.CAP_MAC_ADMIN)}.Marshal()
	got, err := caps.ParseFileCaps(b)
	if err != nil || got != (caps.FileCaps{Revision: 1, Permitted: set(NR)}) || len(b) != caps.XATTR_CAPS_SZ_1 {
		t.Errorf("revision 1 with caps ≥ 32 = %x, parsed %+v, %v", b, got, err)
	}
	// RootID is written only for revision 3.
	if b := (caps.FileCaps{Revision: 2, RootID: 7}).Marshal(); len(b) != caps.XATTR_CAPS_SZ_2 {
		t.Errorf("revision 2 with RootID: %d bytes", len(b))
	}
}

func TestParseFileCapsRejects(t *testing.T) {
	pad := func(h string, n int) []byte {
		b := make([]byte, n)
		copy(b, unhex(h))
		return b
	}
	rows := []struct {
		name string
		b    []byte
		rule string
	}{
		{"empty", nil, "get_vfs_caps_from_disk: size < sizeof(magic_etc) → EINVAL"},
		{"three_bytes", []byte{1, 0, 0}, "get_vfs_caps_from_disk: size < sizeof(magic_etc) → EINVAL"},
		{"magic_only", unhex("00000002"), "get_vfs_caps_from_disk: revision 2 needs XATTR_CAPS_SZ_2 → EINVAL"},
		{"v1_size_20", pad("00000001", 20), "get_vfs_caps_from_disk: revision 1 needs XATTR_CAPS_SZ_1 (12) → EINVAL"},
		{"v1_size_24", pad("00000001", 24), "get_vfs_caps_from_disk: revision 1 needs XATTR_CAPS_SZ_1 (12) → EINVAL"},
		{"v2_size_12", pad("00000002", 12), "get_vfs_caps_from_disk: revision 2 needs XATTR_CAPS_SZ_2 (20) → EINVAL"},
		{"v2_size_24", pad("00000002", 24), "get_vfs_caps_from_disk: revision 2 needs XATTR_CAPS_SZ_2 (20) → EINVAL"},
		{"v2_size_21", pad("00000002", 21), "get_vfs_caps_from_disk: revision 2 needs XATTR_CAPS_SZ_2 (20) → EINVAL"},
		{"v3_size_20", pad("00000003", 20), "get_vfs_caps_from_disk: revision 3 needs XATTR_CAPS_SZ_3 (24) → EINVAL"},
		{"v3_size_28", pad("00000003", 28), "get_vfs_caps_from_disk: revision 3 needs XATTR_CAPS_SZ_3 (24) → EINVAL"},
		{"revision_0", pad("01000000", 20), "get_vfs_caps_from_disk: an unknown revision → EINVAL"},
		{"revision_4", pad("00000004", 24), "get_vfs_caps_from_disk: an unknown revision → EINVAL"},
		{"revision_ff", pad("000000ff", 20), "get_vfs_caps_from_disk: an unknown revision → EINVAL"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		got, err := caps.ParseFileCaps(r.b)
		if err != syscall.EINVAL || got != (caps.FileCaps{}) {
			t.Errorf("%s: ParseFileCaps(%x) = %+v, %v, want zero, EINVAL\nrule: %s", r.name, r.b, got, err, r.rule)
		}
	}
}

// FuzzParseFileCaps checks ParseFileCaps against the rules of
// get_vfs_caps_from_disk whatever the bytes: it never panics; only the three
// sizes 12, 20 and 24 can parse, each with its own revision; a failure is
// EINVAL; and a parsed value marshals back to the same capability words,
// rootid and effective flag, which parse to the same value again.
func FuzzParseFileCaps(f *testing.F) {
	for _, g := range fileCapsGoldens {
		f.Add(unhex(g.hex))
	}
	f.Add([]byte{})
	f.Add(unhex("0100000201"))
	f.Add(unhex("ffffff02ffffffffffffffffffffffffffffffff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fc, err := caps.ParseFileCaps(b)
		if err != nil {
			if !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("ParseFileCaps(%x) error %v, want EINVAL", b, err)
			}
			return
		}
		wantSize := map[int]int{1: caps.XATTR_CAPS_SZ_1, 2: caps.XATTR_CAPS_SZ_2, 3: caps.XATTR_CAPS_SZ_3}[fc.Revision]
		if wantSize == 0 || len(b) != wantSize {
			t.Fatalf("ParseFileCaps(%x) accepted %d bytes as revision %d", b, len(b), fc.Revision)
		}
		m := fc.Marshal()
		if len(m) != len(b) {
			t.Fatalf("Marshal(%+v) is %d bytes, parsed from %d", fc, len(m), len(b))
		}
		// Marshal keeps only the revision and the effective flag of
		// magic_etc, and the capability bits the kernel knows
		// (get_vfs_caps_from_disk drops the others); a revision-3 root id
		// is kept.
		const kept = caps.VFS_CAP_REVISION_MASK | caps.VFS_CAP_FLAGS_EFFECTIVE
		if binary.LittleEndian.Uint32(m)&kept != binary.LittleEndian.Uint32(b)&kept || (fc.Revision == 3 && !bytes.Equal(m[20:], b[20:])) {
			t.Fatalf("Marshal(ParseFileCaps(%x)) = %x", b, m)
		}
		again, err := caps.ParseFileCaps(m)
		if err != nil || again != fc {
			t.Fatalf("ParseFileCaps(Marshal(%+v)) = %+v, %v", fc, again, err)
		}
		if (fc.Permitted|fc.Inheritable)&^caps.All != 0 {
			t.Fatalf("ParseFileCaps(%x) kept bits above CAP_LAST_CAP: %+v", b, fc)
		}
		if fc.Revision == 1 && (fc.Permitted|fc.Inheritable)>>32 != 0 {
			t.Fatalf("revision 1 produced capabilities ≥ 32: %+v", fc)
		}
	})
}
