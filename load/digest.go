package load

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ErrDigest is what a blob whose bytes do not match its digest Is: the
// image was changed after it was written (a swapped layer), which docker
// and containerd refuse to load; preexec answers nothing about it.
var ErrDigest = fmt.Errorf("blob does not match its digest")

// verified returns rc read through a hash of algorithm h.Algorithm: at
// EOF, and at Close after reading what is left, the bytes must hash to
// h; a mismatch is an error that Is ErrDigest. An algorithm other than
// sha256 and sha512 is refused.
func verified(rc io.ReadCloser, h v1.Hash) (io.ReadCloser, error) {
	var d hash.Hash
	switch h.Algorithm {
	case "sha256":
		d = sha256.New()
	case "sha512":
		d = sha512.New()
	default:
		rc.Close()
		return nil, fmt.Errorf("blob %s: digest algorithm %q is not one an engine accepts (sha256, sha512)", h, h.Algorithm)
	}
	return &digestReader{rc: rc, want: h, d: d}, nil
}

type digestReader struct {
	rc   io.ReadCloser
	want v1.Hash
	d    hash.Hash
	err  error // the verdict once the end was seen
	done bool
}

func (r *digestReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.d.Write(p[:n])
	if err == io.EOF {
		r.check()
		if r.err != nil {
			return n, r.err
		}
	}
	return n, err
}

func (r *digestReader) check() {
	if r.done {
		return
	}
	r.done = true
	if got := hex.EncodeToString(r.d.Sum(nil)); got != r.want.Hex {
		r.err = fmt.Errorf("blob %s: %w (its bytes are %s:%s)", r.want, ErrDigest, r.want.Algorithm, got)
	}
}

// maxDrain is the most Close reads of what a consumer left to check a
// digest: a tar reader stops at the archive's end, before a gzip stream's
// trailer and the tar's own padding, a few KiB; more left means the
// consumer stopped early on an error of its own, which stands.
const maxDrain = 1 << 20

// Close reads what the consumer left (up to maxDrain), checks the digest
// and closes the blob.
func (r *digestReader) Close() error {
	if !r.done {
		n, err := io.Copy(r.d, io.LimitReader(r.rc, maxDrain+1))
		if err != nil {
			r.rc.Close()
			return err
		}
		if n > maxDrain {
			return r.rc.Close()
		}
		r.check()
	}
	cerr := r.rc.Close()
	if r.err != nil {
		return r.err
	}
	return cerr
}
