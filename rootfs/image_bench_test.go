//go:build linux

package rootfs

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
)

// benchLayer returns the path of a generated gzip layer, written once into
// the temporary directory and reused by later runs: n entries of manyLayer
// with files of sizeOf(i) bytes.
func benchLayer(b *testing.B, name string, n int, sizeOf func(int) int) string {
	b.Helper()
	p := filepath.Join(os.TempDir(), "preexec-bench-"+name+".tar.gz")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	f, err := os.CreateTemp(os.TempDir(), "preexec-bench-*")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, manyLayer(n, true, sizeOf)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkImageIndex indexes two generated gzip layers — small: a million
// entries (manyLayer: directories of 100 entries, a tenth executable
// scripts, a fiftieth symlinks, the rest files of 16 to 512 bytes);
// large: 200 files of 128 kB to 1 MB — and, on the same bytes, gzip
// decompression alone to io.Discard with compress/gzip (gunzip-std) and
// klauspost/compress/gzip (gunzip-klauspost). Each reports MB/s of the
// uncompressed tar and entries/s; "interleaved" alternates the index and
// both gunzips (and an index of the uncompressed tar) so that each round
// shares one load, and reports index/gunzip-std (throughput ratio), the
// index's CPU and wall µs/entry, klauspost's gunzip's and the
// uncompressed index's CPU µs/entry. "rss" indexes the layer
// once in a child process and reports its peak RSS growth per entry next
// to the bytes per entry the index holds (its arrays' capacities). The
// small layer is skipped under -short. No budget is asserted.
func BenchmarkImageIndex(b *testing.B) {
	b.Run("small", func(b *testing.B) {
		if testing.Short() {
			b.Skip("a million entries")
		}
		benchImageIndex(b, benchLayer(b, "small-1M", 1_000_000, func(i int) int { return 16 << (i % 6) }))
	})
	b.Run("large", func(b *testing.B) {
		benchImageIndex(b, benchLayer(b, "large-200", 200, func(i int) int { return 128 << 10 << (i % 4) * 7 / 8 }))
	})
}

func benchImageIndex(b *testing.B, layerPath string) {
	gz, err := os.ReadFile(layerPath)
	if err != nil {
		b.Fatal(err)
	}
	layers := memLayers(gz)
	zr, err := stdgzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		b.Fatal(err)
	}
	tarSize, err := io.Copy(io.Discard, zr)
	if err != nil {
		b.Fatal(err)
	}
	// gunzip reads the layer as the index does, through its Open (a
	// reader that is not an io.ByteReader, as a file is not).
	gunzip := func(b *testing.B, klauspost bool) {
		rc, err := layers[0].Open()
		if err != nil {
			b.Fatal(err)
		}
		defer rc.Close()
		var r io.Reader
		if klauspost {
			r, err = kgzip.NewReader(rc)
		} else {
			r, err = stdgzip.NewReader(rc)
		}
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	index := func(b *testing.B) *Image {
		img, err := NewImage(layers, nil)
		if err != nil {
			b.Fatal(err)
		}
		return img
	}
	var entries int
	{
		img := index(b)
		entries = img.ents.len()
	}
	// Times are CPU time of the process (rusage user + system: the
	// decompressing goroutine and the collector included), which holds
	// under load as wall time does not.
	report := func(b *testing.B, cpu time.Duration, n int) {
		b.ReportMetric(float64(tarSize)*float64(n)/cpu.Seconds()/1e6, "MB/cpu-s")
		b.ReportMetric(float64(entries)*float64(n)/cpu.Seconds(), "entries/cpu-s")
	}
	for _, k := range []bool{false, true} {
		name := "gunzip-std"
		if k {
			name = "gunzip-klauspost"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(tarSize)
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				gunzip(b, k)
			}
			report(b, cpuTime()-c0, b.N)
		})
	}
	b.Run("index", func(b *testing.B) {
		b.SetBytes(tarSize)
		b.ReportAllocs()
		var img *Image
		c0 := cpuTime()
		for b.Loop() {
			img = index(b)
		}
		report(b, cpuTime()-c0, b.N)
		b.ReportMetric(float64(img.size())/float64(img.ents.len()), "held-B/entry")
	})
	// interleaved alternates the three and an index of the same tar
	// uncompressed (held in memory), so that each round shares one load.
	// It reports the index's throughput over each gunzip's (CPU time), and
	// per entry the index's CPU and wall time, klauspost's gunzip's CPU
	// time and the uncompressed index's CPU time (tar-cpu: parsing and
	// indexing, the work of the goroutine that reads the inflated
	// stream). The index inflates on one goroutine and parses on the
	// other, so on two idle cores its wall time approaches the larger of
	// gunzip-klauspost-cpu and tar-cpu, while its CPU time is about their
	// sum; on a loaded machine the wall time is only as good as the cores
	// it was given.
	b.Run("interleaved", func(b *testing.B) {
		zr, err := stdgzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			b.Fatal(err)
		}
		tarBytes, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		plain := memLayers(tarBytes)
		b.SetBytes(4 * tarSize)
		var cs, ck, ci, ct, wi time.Duration
		for b.Loop() {
			c0 := cpuTime()
			gunzip(b, false)
			c1 := cpuTime()
			gunzip(b, true)
			c2, t2 := cpuTime(), time.Now()
			index(b)
			c3, t3 := cpuTime(), time.Now()
			if _, err := NewImage(plain, nil); err != nil {
				b.Fatal(err)
			}
			c4 := cpuTime()
			cs, ck, ci, ct = cs+c1-c0, ck+c2-c1, ci+c3-c2, ct+c4-c3
			wi += t3.Sub(t2)
		}
		perEntry := func(d time.Duration) float64 {
			return float64(d.Nanoseconds()) / 1e3 / float64(b.N) / float64(entries)
		}
		b.ReportMetric(float64(cs)/float64(ci), "index/gunzip-std")
		b.ReportMetric(float64(ck)/float64(ci), "index/gunzip-klauspost")
		b.ReportMetric(perEntry(ci), "cpu-µs/entry")
		b.ReportMetric(perEntry(wi), "wall-µs/entry")
		b.ReportMetric(perEntry(ck), "gunzip-klauspost-cpu-µs/entry")
		b.ReportMetric(perEntry(ct), "tar-cpu-µs/entry")
	})
	b.Run("rss", func(b *testing.B) {
		var rss, held, n float64
		for b.Loop() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestImageIndexRSS$", "-test.count=1")
			cmd.Env = append(os.Environ(), "PREEXEC_IMAGE_RSS="+layerPath)
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("%v: %s", err, out)
			}
			var e, h, r0, r1 float64
			line := string(out)
			if i := strings.Index(line, "rss:"); i >= 0 {
				line = line[i:]
			}
			if _, err := fmt.Sscanf(line, "rss: %g %g %g %g", &e, &h, &r0, &r1); err != nil {
				b.Fatalf("child: %q: %v", out, err)
			}
			rss, held, n = rss+(r1-r0)/e, held+h/e, n+1
		}
		b.ReportMetric(rss/n, "peakRSS-B/entry")
		b.ReportMetric(held/n, "held-B/entry")
		b.ReportMetric(rss/held, "peakRSS/held")
	})
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// TestImageIndexRSS is BenchmarkImageIndex's child: with
// PREEXEC_IMAGE_RSS set to a layer's path it indexes the layer (read from
// the file) and prints its entries, the bytes the index holds, and the
// process's peak RSS before and after, in bytes.
func TestImageIndexRSS(t *testing.T) {
	p := os.Getenv("PREEXEC_IMAGE_RSS")
	if p == "" {
		t.Skip("BenchmarkImageIndex's child")
	}
	// VmHWM, the peak RSS of this address space: rusage's maxrss would
	// carry the benchmark process's over the exec.
	maxRSS := func() int64 {
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				return kb << 10
			}
		}
		t.Fatal("no VmHWM in /proc/self/status")
		return 0
	}
	runtime.GC()
	r0 := maxRSS()
	layer := ImageLayer{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
	img, err := NewImage([]ImageLayer{layer}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r1 := maxRSS()
	fmt.Println("rss:", img.ents.len(), img.size(), r0, r1)
	runtime.KeepAlive(img)
}

// BenchmarkImageLstat looks names up in an index of 100,000 entries
// (manyLayer): "name" is one Lstat of a file four levels deep, "walk" an
// Lstat of each of its prefixes, as a path walk does.
func BenchmarkImageLstat(b *testing.B) {
	const n = 100_000
	img, err := NewImage([]ImageLayer{{Name: "many", Open: func() (io.ReadCloser, error) {
		return manyLayer(n, false, smallFiles), nil
	}}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, 1024)
	for i := range names {
		k := (i*7919)%n/10*10 + 3 // a regular file of manyLayer
		names[i] = fmt.Sprintf("/usr/share/pkg%05d/file%d.txt", k/100, k)
	}
	b.Run("name", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := img.Lstat(names[i&1023]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("walk", func(b *testing.B) {
		i := 0
		for b.Loop() {
			name := names[i&1023]
			for j := 1; j <= len(name); j++ {
				if j == len(name) || name[j] == '/' {
					if _, err := img.Lstat(name[:j]); err != nil {
						b.Fatal(err)
					}
				}
			}
			i++
		}
	})
}
