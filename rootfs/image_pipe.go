package rootfs

import "io"

// Sizes of a blockPipe: pipeBlocks blocks of pipeBlockSize bytes.
const (
	pipeBlocks    = 4
	pipeBlockSize = 256 << 10
)

// A blockPipe reads a stream on its own goroutine into a few large
// blocks, and hands them to its reader in order: on two cores, inflating
// a layer overlaps reading its tar. It is io.Pipe with buffering: the two
// goroutines meet once a block (a quarter MiB) rather than once for each
// read of the writer, so that the handoff costs little next to the work
// on either side.
type blockPipe struct {
	full chan []byte   // filled blocks, in order; closed after the last
	free chan []byte   // blocks the reader is done with
	stop chan struct{} // closed by close: the reader is gone
	done chan struct{} // closed when the goroutine has ended
	err  error         // the stream's error (io.EOF at its end), set before full is closed
	cur  []byte        // what is left of the block being read
	blk  []byte        // that block, to give back
}

// newBlockPipe starts reading r on a goroutine. The caller must call close.
func newBlockPipe(r io.Reader) *blockPipe {
	p := &blockPipe{
		full: make(chan []byte, pipeBlocks),
		free: make(chan []byte, pipeBlocks),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go p.fill(r)
	return p
}

// fill reads r into free blocks and sends them on full until r ends or
// the reader is gone. It makes a block only when none is free, up to
// pipeBlocks: a short stream, or one read as fast as it is inflated,
// needs fewer.
func (p *blockPipe) fill(r io.Reader) {
	defer close(p.done)
	made := 0
	for {
		var b []byte
		select {
		case b = <-p.free:
		default:
			if made < pipeBlocks {
				b = make([]byte, pipeBlockSize)
				made++
				break
			}
			select {
			case b = <-p.free:
			case <-p.stop:
				return
			}
		}
		n, err := readBlock(r, b[:cap(b)])
		if n > 0 {
			select {
			case p.full <- b[:n]:
			case <-p.stop:
				return
			}
		}
		if err != nil {
			p.err = err
			close(p.full)
			return
		}
	}
}

// readBlock reads r into b until b is full or r returns an error.
func readBlock(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Read implements io.Reader.
func (p *blockPipe) Read(b []byte) (int, error) {
	if len(p.cur) == 0 {
		if p.blk != nil {
			p.free <- p.blk
			p.blk = nil
		}
		blk, ok := <-p.full
		if !ok {
			return 0, p.err
		}
		p.blk, p.cur = blk, blk
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// close stops the goroutine and waits for it to end.
func (p *blockPipe) close() {
	close(p.stop)
	<-p.done
}
