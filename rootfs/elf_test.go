package rootfs_test

import (
	"bytes"
	"debug/elf"
	"io"
	"strings"
	"testing"

	"github.com/preexec/preexec/rootfs"
)

// TestProbeELFParses reads the probe with debug/elf: the checks
// fs/binfmt_elf.c:load_elf_binary makes before it loads anything (an ELF64
// little-endian header of type ET_DYN for the machine, program headers of
// the right size) hold, and PT_INTERP names the interpreter, NUL included,
// as load_elf_binary requires.
func TestProbeELFParses(t *testing.T) {
	for _, c := range []struct {
		machine uint16
		want    elf.Machine
		interp  string
	}{
		{rootfs.EM_X86_64, elf.EM_X86_64, ""},
		{rootfs.EM_AARCH64, elf.EM_AARCH64, ""},
		{rootfs.EM_X86_64, elf.EM_X86_64, "/lib64/ld-linux-x86-64.so.2"},
		{rootfs.EM_X86_64, elf.EM_X86_64, "sc"},
	} {
		b := rootfs.ProbeELF(c.machine, c.interp)
		f, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("ProbeELF(%d, %q): debug/elf: %v", c.machine, c.interp, err)
		}
		if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || f.Type != elf.ET_DYN || f.Machine != c.want || f.Version != elf.EV_CURRENT {
			t.Errorf("ProbeELF(%d, %q): class %v data %v type %v machine %v version %v", c.machine, c.interp, f.Class, f.Data, f.Type, f.Machine, f.Version)
		}
		var interp string
		var load *elf.Prog
		for _, p := range f.Progs {
			switch p.Type {
			case elf.PT_INTERP:
				data, err := io.ReadAll(p.Open())
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(string(data), "\x00") {
					t.Errorf("PT_INTERP %q is not NUL-terminated", data)
				}
				interp = strings.TrimSuffix(string(data), "\x00")
			case elf.PT_LOAD:
				load = p
			}
		}
		if interp != c.interp {
			t.Errorf("ProbeELF(%d, %q): PT_INTERP %q", c.machine, c.interp, interp)
		}
		if load == nil {
			t.Fatalf("ProbeELF(%d, %q): no PT_LOAD", c.machine, c.interp)
		}
		// One segment maps the whole file at address 0, so the entry
		// point is a file offset inside it.
		if load.Off != 0 || load.Vaddr != 0 || load.Filesz != uint64(len(b)) || load.Flags != elf.PF_R|elf.PF_X {
			t.Errorf("PT_LOAD = %+v, file %d bytes", load.ProgHeader, len(b))
		}
		if f.Entry == 0 || f.Entry >= uint64(len(b)) {
			t.Errorf("entry %#x outside the file", f.Entry)
		}
	}
}

func TestProbeELFDeterministic(t *testing.T) {
	if !bytes.Equal(rootfs.ProbeELF(rootfs.EM_X86_64, "/x"), rootfs.ProbeELF(rootfs.EM_X86_64, "/x")) {
		t.Error("ProbeELF is not deterministic")
	}
	// The fixture's elf content is ProbeELF's, so a fixture and a test
	// that builds the same bytes agree.
	if a, b := rootfs.ProbeELF(rootfs.EM_X86_64, ""), rootfs.ProbeELF(rootfs.EM_AARCH64, ""); len(a) != len(b) || bytes.Equal(a, b) {
		t.Error("the machines' probes should differ only in e_machine")
	}
}
