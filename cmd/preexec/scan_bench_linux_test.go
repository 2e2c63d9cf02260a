package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// genWorkloads are n workloads of every kind over the scan images, with
// pod-level ids, runAsNonRoot and allowPrivilegeEscalation varied; the
// even ones name their image in the registry at host (when host is not
// ""), the odd ones as --images has it.
func genWorkloads(n int, host string) []podParams {
	kinds := []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
	uids := []*int64{nil, i64(1000), i64(1000680000), i64(0), i64(65532)}
	gids := []*int64{nil, i64(0), i64(1000)}
	out := make([]podParams, n)
	for i := range out {
		img := scanImages[i%len(scanImages)].ref
		if host != "" && i%2 == 0 {
			img = registryRef(host, img)
		}
		out[i] = podParams{
			kind: kinds[i%len(kinds)], ns: fmt.Sprintf("ns%d", i%13), name: fmt.Sprintf("w%04d", i), container: "c",
			image: img, uid: uids[(i/3)%len(uids)], gid: gids[(i/7)%len(gids)], nonRoot: i%11 == 0, noEscalation: i%5 == 0,
		}
	}
	return out
}

// scanFleet sets up n generated workloads: half from a registry when
// docker-registry is here, half from --images. It returns the manifest,
// the --images directory and the registry (or "").
func scanFleet(t testing.TB, n int) (manifest, dir, host string) {
	t.Helper()
	imgs := buildScanImages(t)
	dir = imagesDir(t, imgs, nil)
	if _, err := os.Stat(registryBin); err == nil || os.Getenv("PREEXEC_ORACLE") == "required" {
		host = startRegistry(t)
		pushImages(t, host, imgs)
	} else {
		t.Logf("%s not installed: every image from --images", registryBin)
	}
	return writeManifest(t, genWorkloads(n, host)), dir, host
}

// TestScan1000MatchesCheck is the "done when" of issue 12: scan over 1,000
// generated workloads, half resolved from the registry and half from
// --images, gives each container check's verdict and status. check runs
// once per distinct (image, pod securityContext), with that container as
// a Pod (--pod), on the image's file.
func TestScan1000MatchesCheck(t *testing.T) {
	const n = 1000
	manifest, dir, host := scanFleet(t, n)
	ws := genWorkloads(n, host)
	out, errs, _ := scanCmd("scan", "--json", "--images", dir, manifest)
	rows := jsonRows(t, out)
	if len(rows) != n || errs != "" {
		t.Fatalf("scan: %d rows, want %d; stderr %s", len(rows), n, errs)
	}
	byName := map[string]podParams{}
	for _, w := range ws {
		byName[w.name] = w
	}
	type answer struct {
		text   string
		status int
	}
	memo := map[string]answer{}
	fromRegistry := 0
	for _, r := range rows {
		w := byName[r.Workload]
		local := strings.TrimPrefix(w.image, host+"/")
		if local != w.image {
			fromRegistry++
			local = "preexec.test/" + local
		}
		q := w
		q.kind, q.name, q.ns, q.image = "Pod", "p", "", local
		key := q.pod()
		a, ok := memo[key]
		if !ok {
			path, ref := localImage(t, dir, local)
			a.text, a.status = checkVerdict(t, path, ref, q)
			memo[key] = a
		}
		switch {
		case r.Status != a.status:
			t.Errorf("%s (%s): scan status %d %q, check %d %q", r.Workload, w.image, r.Status, r.Verdict, a.status, a.text)
		case r.Refusal != "":
			if !strings.Contains(a.text, "refuses the container") {
				t.Errorf("%s: scan refusal %q, check %q", r.Workload, r.Refusal, a.text)
			}
		case r.Verdict != a.text:
			t.Errorf("%s (%s): scan %q, check %q", r.Workload, w.image, r.Verdict, a.text)
		}
	}
	if host != "" && fromRegistry != n/2 {
		t.Errorf("%d containers from the registry, want %d", fromRegistry, n/2)
	}
	t.Logf("%d containers (%d from the registry), %d distinct checks: every verdict and status is check's", n, fromRegistry, len(memo))
}

// peakRSS is the process's peak resident set (VmHWM), in MiB.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkScan1000 scans 1,000 generated workloads (half from a local
// registry when docker-registry is installed, half from --images) as
// scan --json does: cold, a new scanner each time (empty image cache,
// references resolved again), and warm (one scanner, its cache filled).
// It reports containers/s and the process's peak RSS.
func BenchmarkScan1000(b *testing.B) {
	const n = 1000
	manifest, dir, _ := scanFleet(b, n)
	o := scanOptions{images: dir, parallel: 0, format: "json"}
	for _, mode := range []string{"cold", "warm"} {
		b.Run(mode, func(b *testing.B) {
			o.parallel = defaultParallel()
			s, err := newScanner(o, nil)
			if err != nil {
				b.Fatal(err)
			}
			if mode == "warm" {
				s.run(context.Background(), []string{manifest})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if mode == "cold" {
					s, _ = newScanner(o, nil)
				}
				if rows := s.run(context.Background(), []string{manifest}); len(rows) != n {
					b.Fatalf("%d rows", len(rows))
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "containers/s")
			b.ReportMetric(peakRSS(), "peak-RSS-MiB")
		})
	}
}
