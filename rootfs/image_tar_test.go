package rootfs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// FuzzTarHeader reads raw bytes with tarReader and with archive/tar and
// holds the one to the other: every entry archive/tar reads, tarReader
// reads the same (name, link, type, mode, owner, size, device, the ACL and
// capability PAX records, and the data); where archive/tar ends or fails,
// tarReader does too.
func FuzzTarHeader(f *testing.F) {
	for _, seed := range imageFuzzSeeds(f) {
		f.Add(seed)
	}
	for _, seed := range tarSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := tar.NewReader(bytes.NewReader(raw))
		got := newTarReader(bufio.NewReaderSize(bytes.NewReader(raw), 64<<10))
		for i := 0; ; i++ {
			h, werr := want.Next()
			e, gerr := got.next()
			if werr != nil {
				if (werr == io.EOF) != (gerr == io.EOF) || gerr == nil {
					t.Fatalf("entry %d: archive/tar: %v; tarReader: %+v, %v", i, werr, e, gerr)
				}
				return
			}
			if gerr != nil {
				t.Fatalf("entry %d: archive/tar reads %+v; tarReader: %v", i, h, gerr)
			}
			acl, hasACL := h.PAXRecords[paxACL]
			fc, hasCaps := h.PAXRecords[paxCaps]
			w := tarEntry{Name: h.Name, Linkname: h.Linkname, Typeflag: h.Typeflag, Mode: h.Mode, Uid: h.Uid, Gid: h.Gid,
				Size: h.Size, Devmajor: h.Devmajor, Devminor: h.Devminor, ACL: acl, HasACL: hasACL, Caps: fc, HasCaps: hasCaps}
			if h.Typeflag == tar.TypeXGlobalHeader {
				w = tarEntry{Name: h.Name, Typeflag: h.Typeflag, ACL: acl, HasACL: hasACL, Caps: fc, HasCaps: hasCaps}
			}
			if *e != w {
				t.Fatalf("entry %d: tarReader %+v, archive/tar %+v", i, *e, w)
			}
			wd, werr := io.ReadAll(io.LimitReader(want, 1<<20))
			gd, gerr := io.ReadAll(io.LimitReader(got, 1<<20))
			if !bytes.Equal(wd, gd) || (werr == nil) != (gerr == nil) {
				t.Fatalf("entry %d %q: data %d bytes, %v; archive/tar: %d bytes, %v", i, h.Name, len(gd), gerr, len(wd), werr)
			}
			if werr != nil {
				return
			}
		}
	})
}

// tarSeeds are plain tars of the header forms tarReader reads: ustar with
// a name prefix, GNU long names and links, base-256 numbers, PAX long
// names, owners, sizes and xattrs, a global header, devices, V7, and a
// PAX (GNU 1.0) sparse file.
func tarSeeds(t testing.TB) [][]byte {
	long := strings.Repeat("d/", 70) + "file"
	write := func(hs ...tar.Header) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range hs {
			if err := tw.WriteHeader(&h); err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
			}
		}
		tw.Close()
		return buf.Bytes()
	}
	sparse, err := gzip.NewReader(bytes.NewReader(sparseLayer(t, 1<<20, []byte("#!/bin/sh\n"))))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := io.ReadAll(sparse)
	if err != nil {
		t.Fatal(err)
	}
	v7 := write(tar.Header{Typeflag: tar.TypeReg, Name: "v7", Size: 3, Mode: 0o644, Format: tar.FormatUSTAR})
	copy(v7[257:265], make([]byte, 8)) // no magic: V7
	var sum int
	copy(v7[148:156], "        ")
	for _, c := range v7[:512] {
		sum += int(c)
	}
	copy(v7[148:], []byte(strings.Repeat("0", 6-len(itoa8(sum)))+itoa8(sum)+"\x00 "))
	return [][]byte{
		write(tar.Header{Typeflag: tar.TypeReg, Name: strings.Repeat("p", 120) + "/name", Size: 5, Mode: 0o755, Format: tar.FormatUSTAR}),
		write(tar.Header{Typeflag: tar.TypeSymlink, Name: long, Linkname: long + "/target", Mode: 0o777, Format: tar.FormatGNU},
			tar.Header{Typeflag: tar.TypeReg, Name: "big-uid", Uid: 1 << 30, Gid: 1 << 31, Size: 1, Mode: 0o4755, Format: tar.FormatGNU}),
		write(tar.Header{Typeflag: tar.TypeReg, Name: long, Size: 700, Mode: 0o755, Uid: 1 << 33, Format: tar.FormatPAX,
			PAXRecords: map[string]string{paxACL: aclXattr(nil), paxCaps: "caps", "SCHILY.xattr.user.x": "y", "mtime": "1.5"}},
			tar.Header{Typeflag: tar.TypeLink, Name: "hard", Linkname: long, Format: tar.FormatPAX, PAXRecords: map[string]string{"linkpath": long}}),
		write(tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "global", PAXRecords: map[string]string{"path": "g", paxACL: ""}},
			tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Devmajor: 1, Devminor: 3, Mode: 0o666},
			tar.Header{Typeflag: tar.TypeDir, Name: "dir/", Mode: 0o755}, tar.Header{Typeflag: tar.TypeFifo, Name: "fifo", Mode: 0o600}),
		v7,
		sp,
	}
}

func itoa8(n int) string {
	var b []byte
	for ; n > 0; n /= 8 {
		b = append([]byte{byte('0' + n%8)}, b...)
	}
	return string(b)
}

// TestTarReaderAllocs holds tarReader to no allocation per entry: reading
// a tar of 1000 ustar and PAX entries allocates only its buffers.
func TestTarReaderAllocs(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < 1000; i++ {
		h := tar.Header{Typeflag: tar.TypeReg, Name: "usr/share/doc/file" + itoa8(i), Size: 10, Mode: 0o644}
		if i%2 == 1 {
			h.PAXRecords = map[string]string{paxCaps: "x", "mtime": "1.25"}
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte("0123456789"))
	}
	tw.Close()
	raw := buf.Bytes()
	br := bufio.NewReaderSize(bytes.NewReader(raw), 64<<10)
	tr := newTarReader(br)
	var p [16]byte
	allocs := testing.AllocsPerRun(3, func() {
		br.Reset(bytes.NewReader(raw))
		*tr = tarReader{r: br, name: tr.name, link: tr.link, pax: tr.pax, raw: tr.raw, long: tr.long, acl: tr.acl, caps: tr.caps}
		n := 0
		for {
			_, err := tr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			io.ReadFull(tr, p[:4])
			n++
		}
		if n != 1000 {
			t.Fatalf("%d entries", n)
		}
	})
	if allocs > 10 {
		t.Errorf("reading 1000 entries allocates %v times, want no allocation per entry", allocs)
	}
}

func TestTarOctal(t *testing.T) {
	for _, f := range []string{"0000755\x00", "0000755 ", "007566\x00 ", "007566  ", "07566 \x00 ", "7777777\x00", "00000000012\x00", "77777777777 ", "12345670123\x00",
		"0000855\x00", " 000755\x00", "00000000012\x01", "0000000001 2\x00", "0000\x00755\x00", "   \x00    ", "00000000000\x00"} {
		var p tarNumParser
		got := p.octal([]byte(f))
		var q tarNumParser
		want := q.octal([]byte(f + "\x00")) // a length with no fast path
		if got != want || p.bad != q.bad {
			t.Errorf("octal(%q) = %d, %v; want %d, %v", f, got, p.bad, want, q.bad)
		}
	}
	var p tarNumParser
	if a, b := p.octal([]byte("0000755\x00")), p.octal([]byte("12345670123 ")); a != 0o755 || b != 0o12345670123 || p.bad {
		t.Errorf("octal = %o, %o, %v", a, b, p.bad)
	}
}
