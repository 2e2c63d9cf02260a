package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// registryBin is Debian's docker-registry (distribution 2.8.2), which
// .ci/install-engines installs.
const registryBin = "/usr/bin/docker-registry"

// startRegistry starts docker-registry on 127.0.0.1 at a free port with
// a temporary storage directory, and stops it when the test ends. Without
// the binary the test is skipped, saying so, unless
// PREEXEC_ORACLE=required.
func startRegistry(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(registryBin); err != nil {
		reason := fmt.Sprintf("%s is not installed (.ci/install-engines installs Debian's docker-registry): %v", registryBin, err)
		if os.Getenv("PREEXEC_ORACLE") == "required" {
			t.Fatal(reason + ", and PREEXEC_ORACLE=required")
		}
		t.Skip(reason)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "storage"), addr)), 0o644)
	cmd := exec.Command(registryBin, "serve", cfg)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("docker-registry on %s did not answer /v2/ within 15s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pushImages pushes the images under host/REPO:TAG (the repository of
// each scanImages reference) and returns their registry references and
// manifest digests.
func pushImages(t testing.TB, host string, imgs map[string]v1.Image) map[string]string {
	t.Helper()
	digests := map[string]string{}
	for ref, img := range imgs {
		r, err := name.ParseReference(registryRef(host, ref))
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img, remote.WithContext(context.Background())); err != nil {
			t.Fatalf("push %s: %v", r, err)
		}
		dg, _ := img.Digest()
		digests[r.String()] = dg.String()
	}
	return digests
}

// registryRef is ref's repository and tag under host.
func registryRef(host, ref string) string {
	return host + "/" + strings.TrimPrefix(ref, "preexec.test/")
}

// TestScanRegistry scans references to a real registry (docker-registry
// 2.8.2 on loopback): each container's answer is the one scan gives for
// the same image from --images, with the registry's manifest digest; a
// reference as an INPUT; a tag the registry lacks is an error row.
func TestScanRegistry(t *testing.T) {
	imgs := buildScanImages(t)
	host := startRegistry(t)
	digests := pushImages(t, host, imgs)
	dir := imagesDir(t, imgs, nil)

	var local, remoteWs []podParams
	for _, w := range scanWorkloads {
		local = append(local, w)
		w.image = registryRef(host, w.image)
		remoteWs = append(remoteWs, w)
	}
	fromDir, _, code1 := scanCmd("scan", "--json", "--images", dir, writeManifest(t, local))
	fromReg, errs, code2 := scanCmd("scan", "--json", writeManifest(t, remoteWs))
	lr, rr := jsonRows(t, fromDir), jsonRows(t, fromReg)
	if code1 != code2 || len(lr) != len(rr) || errs != "" {
		t.Fatalf("registry: exit %d (%s), %d rows; --images: exit %d, %d rows", code2, errs, len(rr), code1, len(lr))
	}
	for i := range lr {
		a, b := lr[i], rr[i]
		if a.Verdict != b.Verdict || a.Status != b.Status || len(a.Results) != len(b.Results) {
			t.Errorf("%s/%s: registry %q (%d), --images %q (%d)", b.Kind, b.Workload, b.Verdict, b.Status, a.Verdict, a.Status)
		}
		for j := range a.Results {
			if j < len(b.Results) && (a.Results[j].Message != b.Results[j].Message || a.Results[j].Starts != b.Results[j].Starts) {
				t.Errorf("%s/%s %s: registry %q, --images %q", b.Kind, b.Workload, a.Results[j].Runtime, b.Results[j].Message, a.Results[j].Message)
			}
		}
		if want := digests[b.Image]; b.Digest == "" || b.Digest != want {
			t.Errorf("%s: digest %q, the registry's %q", b.Image, b.Digest, want)
		}
	}
	ref := registryRef(host, "preexec.test/distroless:nonroot")
	out, _, code := scanCmd("scan", "--scc", "restricted-v2", "--runtime", "runc@1.0.0-rc93", ref, host+"/nothing:here")
	rows := jsonRows(t, mustJSON(t, "scan", "--json", "--scc", "restricted-v2", "--runtime", "runc@1.0.0-rc93", ref, host+"/nothing:here"))
	if code != 1 || len(rows) != 2 || rows[0].Image != ref || rows[0].Status != 1 || rows[1].Status != 2 || !strings.Contains(rows[1].Error, "MANIFEST_UNKNOWN") {
		t.Errorf("references as inputs: exit %d:\n%s", code, out)
	}
	// --insecure (crane's spelling): plain HTTP asked for, the same answer.
	ins := jsonRows(t, mustJSON(t, "scan", "--json", "--insecure", "--scc", "restricted-v2", "--runtime", "runc@1.0.0-rc93", ref))
	if len(ins) != 1 || ins[0].Status != 1 || ins[0].Digest != rows[0].Digest {
		t.Errorf("--insecure: %+v", ins)
	}
	t.Logf("docker-registry %s: %d images pushed, %d containers scanned from it", host, len(digests), len(rr))
}

func mustJSON(t testing.TB, args ...string) string {
	t.Helper()
	out, _, _ := scanCmd(args...)
	return out
}
