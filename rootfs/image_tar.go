package rootfs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"unsafe"
)

// tarEntry is one entry of a layer as the index reads it: the fields of
// archive/tar's Header that Image keeps, after the PAX records and GNU
// long names that precede it are applied. Name, Linkname, ACL and Caps
// may be views of the reader's buffers, valid until the next call of
// tarReader.next: whatever outlives the entry copies them.
type tarEntry struct {
	Name, Linkname     string
	Typeflag           byte
	Mode               int64
	Uid, Gid           int
	Size               int64
	Devmajor, Devminor int64
	// ACL and Caps are the values of the PAX records paxACL and paxCaps,
	// HasACL and HasCaps whether there are such records.
	ACL, Caps       string
	HasACL, HasCaps bool
}

// errTarHeader is archive/tar's ErrHeader, which the reader returns for
// the same inputs.
var errTarHeader = tar.ErrHeader

// maxTarSpecial bounds a PAX header's records and a GNU long name, as
// archive/tar bounds them (1 MiB).
const maxTarSpecial = 1 << 20

// tarReader reads the entries of a tar stream as archive/tar's Reader does
// (ustar, PAX, GNU and V7 headers, base-256 numbers, GNU long names and
// links), without allocating per entry: a header block is parsed where the
// bufio.Reader holds it, and names are copied into buffers it reuses. A
// sparse entry (GNU.sparse PAX records, or a GNU 'S' header) is handed to
// archive/tar, replaying its headers, so that its logical contents are
// archive/tar's.
type tarReader struct {
	r *bufio.Reader
	e tarEntry
	// remain is what is left of the current entry's data; pad its padding.
	remain, pad int64
	// sparse reads a sparse entry's logical data; skip is then what is left
	// of the entry beyond what sparse has read (see next).
	sparse *tar.Reader
	count  countReader
	skip   int64
	err    error
	// pending is the error of the next call of next: a short padding
	// after a global header that next returned.
	pending error

	name, link, pax, raw, long []byte
	acl, caps                  []byte
}

func newTarReader(r *bufio.Reader) *tarReader { return &tarReader{r: r} }

// Read reads the current entry's data (for a sparse entry, its logical
// data).
func (t *tarReader) Read(p []byte) (int, error) {
	if t.sparse != nil {
		return t.sparse.Read(p)
	}
	if t.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > t.remain {
		p = p[:t.remain]
	}
	n, err := t.r.Read(p)
	t.remain -= int64(n)
	if err == io.EOF && t.remain > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// discard skips n bytes of the stream; a stream that ends first is
// io.ErrUnexpectedEOF.
func (t *tarReader) discard(n int64) error {
	for n > 0 {
		k := int(min(n, 1<<30))
		d, err := t.r.Discard(k)
		n -= int64(d)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// block reads the next 512-byte block: a view of the bufio.Reader's
// buffer, valid until the next read. A stream that ends before it is
// io.EOF when no byte of it was read, else io.ErrUnexpectedEOF.
func (t *tarReader) block() ([]byte, error) {
	b, err := t.r.Peek(512)
	if len(b) < 512 {
		if len(b) == 0 && (err == io.EOF || err == nil) {
			return nil, io.EOF
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	t.r.Discard(512)
	return b, nil
}

// special reads the data of a PAX or GNU long-name header of size bytes
// into buf (specialPad reads its padding); more than maxTarSpecial bytes
// is an error.
func (t *tarReader) special(buf []byte, size int64) ([]byte, error) {
	buf = buf[:0]
	if size > maxTarSpecial {
		// archive/tar reads what there is of the first MiB and one byte
		// more before it refuses.
		if err := t.discard(maxTarSpecial + 1); err != nil {
			return buf, err
		}
		return buf, tar.ErrFieldTooLong
	}
	buf = growBytes(buf, int(size))
	if _, err := io.ReadFull(t.r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return buf, err
	}
	t.raw = append(t.raw, buf...)
	return buf, nil
}

// specialPad reads the padding after a special header's data of size
// bytes. archive/tar reads it with tryReadFull after it has parsed the
// data, so a stream that ends in it is io.EOF, after any error of the
// data's.
func (t *tarReader) specialPad(size int64) error {
	p := tarPadding(size)
	pb, err := t.r.Peek(int(p))
	if int64(len(pb)) < p {
		return err
	}
	t.raw = append(t.raw, pb...)
	t.r.Discard(int(p))
	return nil
}

func growBytes(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

func tarPadding(n int64) int64 { return -n & 511 }

// next returns the next entry, io.EOF at the end of the archive. It skips
// what is left of the current entry's data first.
func (t *tarReader) next() (*tarEntry, error) {
	if t.err != nil {
		return nil, t.err
	}
	e, err := t.next1()
	if err != nil {
		t.err = err
		return nil, err
	}
	t.err, t.pending = t.pending, nil
	return e, nil
}

func (t *tarReader) next1() (*tarEntry, error) {
	if t.sparse != nil {
		t.sparse = nil
		if t.count.n > t.skip {
			return nil, errTarHeader
		}
		if err := t.discard(t.skip - t.count.n); err != nil {
			return nil, err
		}
	} else {
		if err := t.discard(t.remain); err != nil {
			return nil, err
		}
		if t.pad > 0 {
			// archive/tar reads the padding with tryReadFull: a stream that
			// ends in it, or exactly before it, is a clean end.
			pb, err := t.r.Peek(int(t.pad))
			if int64(len(pb)) < t.pad {
				return nil, err
			}
			t.r.Discard(int(t.pad))
		}
	}
	t.remain, t.pad = 0, 0
	t.raw = t.raw[:0]
	havePAX, longName, longLink := false, false, false
	sparse := false
	for {
		blk, err := t.block()
		if err != nil {
			return nil, err
		}
		if isZeroBlock(blk) {
			blk, err = t.block()
			if err != nil {
				return nil, err
			}
			if isZeroBlock(blk) {
				return nil, io.EOF
			}
			return nil, errTarHeader
		}
		t.raw = append(t.raw, blk...)
		e := &t.e
		hdrName, prefix, err := parseTarBlock(blk, e)
		if err != nil {
			return nil, err
		}
		if e.Size < 0 && !tarHeaderOnly(e.Typeflag) {
			return nil, errTarHeader
		}
		switch e.Typeflag {
		case tar.TypeXHeader, tar.TypeXGlobalHeader:
			t.pax, err = t.special(t.pax, e.Size)
			if err != nil {
				return nil, err
			}
			if err := validPAX(t.pax); err != nil {
				return nil, err
			}
			padErr := t.specialPad(e.Size)
			if padErr != nil && e.Typeflag != tar.TypeXGlobalHeader {
				return nil, padErr
			}
			havePAX = true
			if e.Typeflag == tar.TypeXGlobalHeader {
				// archive/tar returns the global header and meets the
				// end of a short padding at the next entry.
				t.pending = padErr
				t.e = tarEntry{Typeflag: tar.TypeXGlobalHeader}
				t.name = appendTarName(t.name[:0], prefix, hdrName)
				if v, ok := paxLookup(t.pax, "path"); ok && len(v) > 0 {
					t.name = append(t.name[:0], v...)
				}
				t.e.Name = bytesString(t.name)
				t.e.ACL, t.e.HasACL = t.paxValue(&t.acl, paxACL)
				t.e.Caps, t.e.HasCaps = t.paxValue(&t.caps, paxCaps)
				return &t.e, nil
			}
			continue
		case tar.TypeGNULongName, tar.TypeGNULongLink:
			t.long, err = t.special(t.long, e.Size)
			if err == nil {
				err = t.specialPad(e.Size)
			}
			if err != nil {
				return nil, err
			}
			buf := cstring(t.long)
			// The last long name counts; an empty one is none.
			if e.Typeflag == tar.TypeGNULongName {
				t.name, longName = append(t.name[:0], buf...), len(buf) > 0
			} else {
				t.link, longLink = append(t.link[:0], buf...), len(buf) > 0
			}
			continue
		}
		// A file: merge what precedes it.
		if !longName {
			t.name = appendTarName(t.name[:0], prefix, hdrName)
		}
		if !longLink {
			t.link = append(t.link[:0], cstring(blk[157:257])...)
		}
		e.ACL, e.HasACL, e.Caps, e.HasCaps = "", false, "", false
		if havePAX {
			if err := t.mergePAX(e, longName, longLink); err != nil {
				return nil, err
			}
			sparse = paxHasPrefix(t.pax, "GNU.sparse.")
		}
		if e.Typeflag == tar.TypeRegA {
			if bytes.HasSuffix(t.name, []byte("/")) {
				e.Typeflag = tar.TypeDir
			} else {
				e.Typeflag = tar.TypeReg
			}
		}
		if tarHeaderOnly(e.Typeflag) {
			t.remain = 0
		} else {
			if e.Size < 0 {
				return nil, errTarHeader
			}
			t.remain = e.Size
		}
		t.pad = tarPadding(t.remain)
		if sparse || e.Typeflag == tar.TypeGNUSparse {
			return t.sparseEntry()
		}
		e.Name, e.Linkname = bytesString(t.name), bytesString(t.link)
		return e, nil
	}
}

// sparseEntry hands the entry whose headers are t.raw to archive/tar: it
// reads them again, then the entry's data from the stream. next skips
// what it leaves of the entry.
func (t *tarReader) sparseEntry() (*tarEntry, error) {
	t.skip = int64(len(t.raw)) + t.remain + t.pad
	t.count = countReader{r: io.MultiReader(bytes.NewReader(t.raw), t.r)}
	tr := tar.NewReader(&t.count)
	h, err := tr.Next()
	if err != nil {
		return nil, err
	}
	t.sparse, t.remain, t.pad = tr, 0, 0
	t.e = tarEntry{Name: h.Name, Linkname: h.Linkname, Typeflag: h.Typeflag, Mode: h.Mode, Uid: h.Uid, Gid: h.Gid,
		Size: h.Size, Devmajor: h.Devmajor, Devminor: h.Devminor}
	t.e.ACL, t.e.HasACL = h.PAXRecords[paxACL]
	t.e.Caps, t.e.HasCaps = h.PAXRecords[paxCaps]
	return &t.e, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// mergePAX applies the PAX records t.pax to e as archive/tar's mergePAX
// does: the last record of a key counts; an empty value keeps the
// header's; a path or linkpath record gives way to a GNU long name or
// link.
func (t *tarReader) mergePAX(e *tarEntry, longName, longLink bool) error {
	if v, ok := paxLookup(t.pax, "path"); ok && len(v) > 0 && !longName {
		t.name = append(t.name[:0], v...)
	}
	if v, ok := paxLookup(t.pax, "linkpath"); ok && len(v) > 0 && !longLink {
		t.link = append(t.link[:0], v...)
	}
	for _, k := range [...]string{"uid", "gid", "size"} {
		v, ok := paxLookup(t.pax, k)
		if !ok || len(v) == 0 {
			continue
		}
		n, good := parseDecimal(v)
		if !good {
			return errTarHeader
		}
		switch k {
		case "uid":
			e.Uid = int(n)
		case "gid":
			e.Gid = int(n)
		default:
			e.Size = n
		}
	}
	for _, k := range [...]string{"atime", "mtime", "ctime"} {
		if v, ok := paxLookup(t.pax, k); ok && len(v) > 0 && !validPAXTime(v) {
			return errTarHeader
		}
	}
	e.ACL, e.HasACL = t.paxValue(&t.acl, paxACL)
	e.Caps, e.HasCaps = t.paxValue(&t.caps, paxCaps)
	return nil
}

// paxValue returns the value of the last record key of t.pax, copied into
// *buf.
func (t *tarReader) paxValue(buf *[]byte, key string) (string, bool) {
	v, ok := paxLookup(t.pax, key)
	if !ok {
		return "", false
	}
	*buf = append((*buf)[:0], v...)
	return bytesString(*buf), true
}

// paxLookup returns the value of the last record key of the valid records
// rec.
func paxLookup(rec []byte, key string) ([]byte, bool) {
	var val []byte
	found := false
	for len(rec) > 0 {
		k, v, rest, _ := splitPAXRecord(rec)
		rec = rest
		if string(k) == key {
			val, found = v, true
		}
	}
	return val, found
}

func paxHasPrefix(rec []byte, prefix string) bool {
	for len(rec) > 0 {
		k, _, rest, _ := splitPAXRecord(rec)
		rec = rest
		if strings.HasPrefix(bytesString(k), prefix) {
			return true
		}
	}
	return false
}

// validPAX checks the records of a PAX header as archive/tar's parsePAX
// does.
func validPAX(rec []byte) error {
	sparseN := 0
	for len(rec) > 0 {
		k, v, rest, ok := splitPAXRecord(rec)
		if !ok {
			return errTarHeader
		}
		rec = rest
		switch string(k) {
		case "GNU.sparse.offset", "GNU.sparse.numbytes":
			if (sparseN%2 == 0) != (string(k) == "GNU.sparse.offset") || bytes.IndexByte(v, ',') >= 0 {
				return errTarHeader
			}
			sparseN++
		}
	}
	return nil
}

// splitPAXRecord splits the first record "LEN KEY=VALUE\n" off rec, as
// archive/tar's parsePAXRecord does, and reports whether it is valid.
func splitPAXRecord(rec []byte) (k, v, rest []byte, ok bool) {
	sp := bytes.IndexByte(rec, ' ')
	if sp < 0 {
		return nil, nil, rec, false
	}
	n, good := parseDecimal(rec[:sp])
	if !good || n < 5 || n > int64(len(rec)) {
		return nil, nil, rec, false
	}
	body := rec[sp+1 : n]
	if len(body) == 0 || body[len(body)-1] != '\n' {
		return nil, nil, rec, false
	}
	body = body[:len(body)-1]
	eq := bytes.IndexByte(body, '=')
	if eq < 0 {
		return nil, nil, rec, false
	}
	k, v = body[:eq], body[eq+1:]
	if len(k) == 0 {
		return nil, nil, rec, false
	}
	switch string(k) {
	case "path", "linkpath", "uname", "gname":
		if bytes.IndexByte(v, 0) >= 0 {
			return nil, nil, rec, false
		}
	default:
		if bytes.IndexByte(k, 0) >= 0 {
			return nil, nil, rec, false
		}
	}
	return k, v, rec[n:], true
}

// parseDecimal parses a base-10 int64 with an optional sign, as
// strconv.ParseInt(s, 10, 64) does.
func parseDecimal(s []byte) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var x uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		if x > (1<<64-1)/10 {
			return 0, false
		}
		x = x*10 + uint64(c-'0')
		if x > 1<<63 {
			return 0, false
		}
	}
	if neg {
		return -int64(x), true // -(1<<63) wraps to itself: MinInt64
	}
	if x > 1<<63-1 {
		return 0, false
	}
	return int64(x), true
}

// validPAXTime reports whether archive/tar's parsePAXTime takes v:
// seconds, then optionally "." and decimal digits.
func validPAXTime(v []byte) bool {
	secs, frac, _ := bytes.Cut(v, []byte("."))
	if _, ok := parseDecimal(secs); !ok {
		return false
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isZeroBlock(b []byte) bool {
	for _, c := range b[:512] {
		if c != 0 {
			return false
		}
	}
	return true
}

func tarHeaderOnly(flag byte) bool {
	switch flag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return true
	}
	return false
}

// cstring is b up to its first NUL.
func cstring(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func appendTarName(dst, prefix, name []byte) []byte {
	if len(prefix) > 0 {
		dst = append(dst, prefix...)
		dst = append(dst, '/')
	}
	return append(dst, name...)
}

// bytesString is b as a string without a copy: valid while b is not
// written to.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Tar header formats, as archive/tar's getFormat tells them apart.
const (
	tarFormatV7 = iota + 1
	tarFormatUSTAR
	tarFormatSTAR
	tarFormatGNU
)

// parseTarBlock parses the header block blk into e (type, mode, owner,
// size, device) and returns its name and name prefix fields, as
// archive/tar's readHeader reads them; an invalid block (checksum, a
// number) is archive/tar's ErrHeader.
func parseTarBlock(blk []byte, e *tarEntry) (name, prefix []byte, err error) {
	var p tarNumParser
	sum := p.octal(blk[148:156])
	if p.bad || (sum != tarChecksum(blk) && sum != tarChecksumSigned(blk)) {
		return nil, nil, errTarHeader
	}
	format := tarFormatV7
	magic, version, trailer := string(blk[257:263]), string(blk[263:265]), string(blk[508:512])
	switch {
	case magic == "ustar\x00" && trailer == "tar\x00":
		format = tarFormatSTAR
	case magic == "ustar\x00":
		format = tarFormatUSTAR
	case magic == "ustar " && version == " \x00":
		format = tarFormatGNU
	}
	*e = tarEntry{Typeflag: blk[156]}
	name = cstring(blk[0:100])
	e.Size = p.numeric(blk[124:136])
	e.Mode = p.numeric(blk[100:108])
	e.Uid = int(p.numeric(blk[108:116]))
	e.Gid = int(p.numeric(blk[116:124]))
	p.numeric(blk[136:148])
	if format != tarFormatV7 {
		e.Devmajor = p.numeric(blk[329:337])
		e.Devminor = p.numeric(blk[337:345])
		switch format {
		case tarFormatUSTAR:
			prefix = cstring(blk[345:500])
		case tarFormatSTAR:
			prefix = cstring(blk[345:476])
			p.numeric(blk[476:488])
			p.numeric(blk[488:500])
		case tarFormatGNU:
			var p2 tarNumParser
			if blk[345] != 0 {
				p2.numeric(blk[345:357])
			}
			if blk[357] != 0 {
				p2.numeric(blk[357:369])
			}
			if p2.bad {
				if s := cstring(blk[345:500]); isASCIIBytes(s) {
					prefix = s
				}
			}
		}
	}
	if p.bad {
		return nil, nil, errTarHeader
	}
	return name, prefix, nil
}

// tarChecksum is the sum of the block's bytes, unsigned, the checksum
// field counted as spaces; eight bytes at a time, the checksum field's
// bytes taken out after.
func tarChecksum(blk []byte) int64 {
	const lo = 0x00ff00ff00ff00ff
	blk = blk[:512]
	var a, b uint64
	for i := 0; i < 512; i += 16 {
		w, v := binary.LittleEndian.Uint64(blk[i:]), binary.LittleEndian.Uint64(blk[i+8:])
		// Byte pairs summed into 16-bit lanes: 32 words of at most 2×255
		// per lane stay below 1<<16.
		a += w&lo + w>>8&lo
		b += v&lo + v>>8&lo
	}
	a += b
	sum := a&0xffff + a>>16&0xffff + a>>32&0xffff + a>>48
	for _, c := range blk[148:156] {
		sum -= uint64(c)
	}
	return int64(sum + 8*' ')
}

// tarChecksumSigned is the sum of the block's bytes as signed bytes, the
// checksum field counted as spaces (pre-POSIX tars).
func tarChecksumSigned(blk []byte) int64 {
	var sum int64
	for i, c := range blk[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(int8(c))
	}
	return sum
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// octal8 is the value of the eight octal digits of w, loaded little-endian
// (its low byte is the first, most significant digit), and whether they
// are all digits.
func octal8(w uint64) (uint64, bool) {
	const ones = 0x0101010101010101
	if w&(0xf8*ones) != '0'*ones {
		return 0, false
	}
	d := w - '0'*ones
	d = (d&0x00ff00ff00ff00ff)<<3 + d>>8&0x00ff00ff00ff00ff  // pairs of digits in 16-bit lanes
	d = (d&0x0000ffff0000ffff)<<6 + d>>16&0x0000ffff0000ffff // fours in 32-bit lanes
	return (d&0xffffffff)<<12 + d>>32, true
}

// tarNumParser parses tar's numeric fields as archive/tar's parser does,
// remembering whether any was invalid.
type tarNumParser struct{ bad bool }

// numeric parses a base-256 (high bit set) or octal field.
func (p *tarNumParser) numeric(b []byte) int64 {
	if len(b) > 0 && b[0]&0x80 != 0 {
		var inv byte
		if b[0]&0x40 != 0 {
			inv = 0xff
		}
		var x uint64
		for i, c := range b {
			c ^= inv
			if i == 0 {
				c &= 0x7f
			}
			if x>>56 > 0 {
				p.bad = true
				return 0
			}
			x = x<<8 | uint64(c)
		}
		if x>>63 > 0 {
			p.bad = true
			return 0
		}
		if inv == 0xff {
			return ^int64(x)
		}
		return int64(x)
	}
	return p.octal(b)
}

// octal parses an octal field as archive/tar does: leading and trailing
// spaces and NULs trimmed, then up to a NUL within, in one pass. After
// the digits, a NUL ends the field; a space must be followed by nothing
// but spaces and NULs (trailing padding), since anything else would be
// left in the number.
func (p *tarNumParser) octal(b []byte) int64 {
	// Most fields are all digits but a last NUL or space, as
	// archive/tar and GNU tar write them: eight digits at a time.
	le := binary.LittleEndian
	switch len(b) {
	case 8:
		w := le.Uint64(b)
		if t := b[7]; t == 0 || t == ' ' {
			if v, ok := octal8(w<<8 | '0'); ok {
				return int64(v)
			}
			if t := b[6]; t == 0 || t == ' ' { // the checksum: six digits, NUL, space
				if v, ok := octal8(w<<16 | '0'<<8 | '0'); ok {
					return int64(v)
				}
			}
		}
	case 12:
		if t := b[11]; t == 0 || t == ' ' {
			hi, ok1 := octal8(le.Uint64(b))
			lo, ok2 := octal8(le.Uint64(b[4:])<<8 | '0')
			if ok1 && ok2 {
				return int64(hi<<9 | lo&0o777)
			}
		}
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == 0) {
		i++
	}
	var x uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c-'0' < 8 && x>>61 == 0 {
			x = x<<3 | uint64(c-'0')
			continue
		}
		if c == 0 {
			break
		}
		if c != ' ' {
			p.bad = true
			return 0
		}
		for _, c := range b[i:] {
			if c != ' ' && c != 0 {
				p.bad = true
				return 0
			}
		}
		break
	}
	return int64(x)
}
