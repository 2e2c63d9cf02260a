package rootfs

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
	"time"
)

// BenchmarkImageIndex indexes a generated 50k-entry gzip layer (manyLayer:
// 500 directories of 100 entries, a tenth executable scripts, a fiftieth
// symlinks, the rest text-like files of fileSize bytes) and, on the same bytes, gzip
// decompression alone, for the ratio. Both report the uncompressed tar's
// bytes per second. Budget: index ≥ 90% of gunzip's throughput and ≤ 200
// retained bytes per entry (B/entry, from the index's array capacities).
func BenchmarkImageIndex(b *testing.B) {
	const n = 50000
	var gz bytes.Buffer
	if _, err := io.Copy(&gz, manyLayer(n, true, fileSize)); err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	tarSize, err := io.Copy(io.Discard, zr)
	if err != nil {
		b.Fatal(err)
	}
	layers := memLayers(gz.Bytes())
	// gunzip reads the layer as the index does, through its Open (a
	// reader that is not an io.ByteReader, as a file is not, so flate
	// buffers it), and inflates it whole.
	gunzip := func(b *testing.B) {
		rc, err := layers[0].Open()
		if err != nil {
			b.Fatal(err)
		}
		defer rc.Close()
		zr, err := gzip.NewReader(rc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, zr); err != nil {
			b.Fatal(err)
		}
	}
	index := func(b *testing.B) *Image {
		img, err := NewImage(ImageConfig{}, layers, nil)
		if err != nil {
			b.Fatal(err)
		}
		return img
	}
	perEntry := func(b *testing.B, img *Image) {
		b.ReportMetric(float64(img.size())/float64(len(img.ents)), "B/entry")
	}
	b.Run("gunzip", func(b *testing.B) {
		b.SetBytes(tarSize)
		b.ReportAllocs()
		for b.Loop() {
			gunzip(b)
		}
	})
	b.Run("index", func(b *testing.B) {
		b.SetBytes(tarSize)
		b.ReportAllocs()
		var img *Image
		for b.Loop() {
			img = index(b)
		}
		perEntry(b, img)
	})
	// On a shared machine the two runs above see different loads; this one
	// alternates them, so that each pair shares one, and reports the
	// ratio of their throughputs (index/gunzip, target ≥ 0.9).
	b.Run("interleaved", func(b *testing.B) {
		b.SetBytes(2 * tarSize)
		var tz, ti time.Duration
		var img *Image
		for b.Loop() {
			t0 := time.Now()
			gunzip(b)
			t1 := time.Now()
			img = index(b)
			tz, ti = tz+t1.Sub(t0), ti+time.Since(t1)
		}
		b.ReportMetric(float64(tz)/float64(ti), "index/gunzip")
		perEntry(b, img)
	})
}

// fileSize is a file's size in the benchmark layer: 1 kB to 32 kB by a
// fixed pattern, 10.7 kB on average, about a debian:bookworm layer's
// average file (117 MB in 9k entries is 13 kB; a node_modules layer's is
// a few kB).
func fileSize(i int) int { return 1024 << (i * 2654435761 % 6) }
