package rootfs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"io"
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
