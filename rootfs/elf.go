package rootfs

import "encoding/binary"

// ELF machine numbers (include/uapi/linux/elf-em.h) the fixtures use.
const (
	EM_X86_64  = 62
	EM_AARCH64 = 183
)

// probeCode is the x86_64 body of the probe ELF. It needs no loader and no
// libraries and reports, through its exit status, whether it could open its
// last argument, which is the script when it runs as a #! interpreter:
//
//	mov  rax, [rsp]          ; argc
//	cmp  rax, 2
//	jl   noarg
//	mov  rdi, [rsp+rax*8]    ; argv[argc-1]
//	xor  esi, esi            ; O_RDONLY
//	mov  eax, 2              ; open
//	syscall
//	test rax, rax
//	js   fail
//	noarg: mov edi, 100      ; exit 100: ran (and opened its argument)
//	jmp  out
//	fail: neg rax
//	lea  edi, [rax+100]      ; exit 100+errno: ran, could not open it
//	out: mov eax, 60         ; exit
//	syscall
var probeCode = []byte{
	0x48, 0x8b, 0x04, 0x24,
	0x48, 0x83, 0xf8, 0x02,
	0x7c, 0x12,
	0x48, 0x8b, 0x3c, 0xc4,
	0x31, 0xf6,
	0xb8, 0x02, 0x00, 0x00, 0x00,
	0x0f, 0x05,
	0x48, 0x85, 0xc0,
	0x78, 0x07,
	0xbf, 0x64, 0x00, 0x00, 0x00,
	0xeb, 0x06,
	0x48, 0xf7, 0xd8,
	0x8d, 0x78, 0x64,
	0xb8, 0x3c, 0x00, 0x00, 0x00,
	0x0f, 0x05,
}

// ProbeExitRan is the exit status of the probe ELF when it ran and either had
// no argument to open or opened it; ProbeExitRan+errno when the open failed.
const ProbeExitRan = 100

// ProbeELF returns a minimal position-independent ELF64 executable (ET_DYN)
// for machine whose code is the probe above. If interp is not empty it has a
// PT_INTERP segment naming it, so that execve must resolve and load that
// interpreter, as for a dynamically linked binary. The same file serves as
// an interpreter. Only EM_X86_64 code runs; another machine gives a file the
// kernel refuses with ENOEXEC on x86_64.
func ProbeELF(machine uint16, interp string) []byte {
	const ehsize, phsize = 64, 56
	nph := 1
	if interp != "" {
		nph = 2
	}
	interpOff := ehsize + nph*phsize
	codeOff := interpOff
	if interp != "" {
		codeOff += len(interp) + 1
	}
	size := codeOff + len(probeCode)
	b := make([]byte, size)
	le := binary.LittleEndian
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 2, 1, 1 // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
	le.PutUint16(b[16:], 3)    // ET_DYN
	le.PutUint16(b[18:], machine)
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[24:], uint64(codeOff)) // e_entry
	le.PutUint64(b[32:], ehsize)          // e_phoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], uint16(nph))
	ph := b[ehsize:]
	if interp != "" {
		le.PutUint32(ph[0:], 3) // PT_INTERP
		le.PutUint32(ph[4:], 4) // PF_R
		le.PutUint64(ph[8:], uint64(interpOff))
		le.PutUint64(ph[16:], uint64(interpOff))
		le.PutUint64(ph[24:], uint64(interpOff))
		le.PutUint64(ph[32:], uint64(len(interp)+1))
		le.PutUint64(ph[40:], uint64(len(interp)+1))
		le.PutUint64(ph[48:], 1)
		copy(b[interpOff:], interp)
		ph = ph[phsize:]
	}
	le.PutUint32(ph[0:], 1) // PT_LOAD
	le.PutUint32(ph[4:], 5) // PF_R|PF_X
	le.PutUint64(ph[32:], uint64(size))
	le.PutUint64(ph[40:], uint64(size))
	le.PutUint64(ph[48:], 0x1000)
	copy(b[codeOff:], probeCode)
	return b
}
