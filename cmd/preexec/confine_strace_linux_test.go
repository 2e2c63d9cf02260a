package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestConfinedReadsUnderStrace runs the preexec binary under strace(1) on
// a hostile bundle (links out of its rootfs to /etc/shadow, to /etc/passwd
// through ../.., to the host through /proc/self/root) and a hostile
// image, with --confine: every file it opens, as strace -y names the
// result, is inside the input or one the Go runtime and the dynamic loader
// read at start-up, and it opens nothing for writing, creates, removes or
// renames nothing. CI requires strace (.ci/run installs it); elsewhere the
// test says why it skips.
func TestConfinedReadsUnderStrace(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("PREEXEC_ORACLE") == "required" {
			t.Fatal("strace is not installed and PREEXEC_ORACLE=required")
		}
		t.Skip("strace is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "preexec")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	input := filepath.Join(dir, "input")
	root := filepath.Join(input, "b", "rootfs")
	for _, d := range []string{"etc", "bin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"etc/shadow": "/etc/shadow", "app": "../../../../../../../../etc/passwd",
		"hostetc": "/proc/self/root/etc", "bin/sh": "/proc/1/root/bin/sh",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	configs := map[string]string{
		"b": `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"user":{"uid":1000,"gid":1000},"cwd":"/hostetc","args":["/app"],"env":["PATH=/bin"]}}`,
	}
	for b, c := range configs {
		if err := os.WriteFile(filepath.Join(input, b, "config.json"), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The image: a layer whose names climb out ("../../etc/x") and whose
	// links lead to the host, as a docker-archive.
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for _, h := range []*tar.Header{
		{Name: "../../etc/escape", Typeflag: tar.TypeReg, Mode: 0o755},
		{Name: "app", Typeflag: tar.TypeSymlink, Linkname: "/etc/shadow"},
		{Name: "etc/passwd", Typeflag: tar.TypeLink, Linkname: "../../../../app"},
	} {
		tw.WriteHeader(h)
	}
	tw.Close()
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(layer.Bytes(), types.DockerUncompressedLayer))
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("preexec.test/hostile:1")
	if err := tarball.WriteToFile(filepath.Join(input, "image.tar"), tag, img); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "--confine", filepath.Join(input, "b")},
		{"check", "--confine", "--user", "1000", filepath.Join(input, "image.tar"), "--", "/app"},
	} {
		checkReads(t, strace, bin, dir, input, args)
	}
}

// checkReads runs bin with args under strace and holds what it opens.
func checkReads(t *testing.T, strace, bin, dir, input string, args []string) {
	t.Helper()
	log := filepath.Join(dir, "strace.log")
	cmd := exec.Command(strace, append([]string{"-f", "-y", "-qq", "-o", log,
		"-e", "trace=open,openat,openat2,creat,mkdir,mkdirat,unlink,unlinkat,rmdir,rename,renameat,renameat2,symlink,symlinkat,link,linkat,truncate,chmod,fchmodat,chown,fchownat,lchown,mknod,mknodat",
		bin}, args...)...)
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "runtime") {
		t.Fatalf("preexec %v printed no verdict:\n%s", args, out)
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The files the Go runtime and the dynamic loader read at start-up,
	// and preexec's own facts of the machine at fixed paths (the bounding
	// set: /proc/self/status, /proc/sys/kernel/cap_last_cap).
	startup := regexp.MustCompile(`^(/etc/ld\.so\.cache|/(usr/)?lib(64|32)?/.*|/proc/[0-9]+/(maps|cgroup|mountinfo|status|stat)|/proc/sys/kernel/cap_last_cap|/sys/kernel/mm/transparent_hugepage/.*|/sys/fs/cgroup/.*)$`)
	result := regexp.MustCompile(`= \d+<([^>]*)>$`)
	writes := regexp.MustCompile(`O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND`)
	opens, lines := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	// A call another thread interrupts is two lines, "PID openat(… <unfinished
	// ...>" and "PID <... openat resumed>…) = 5</x>": they are joined.
	unfinished := map[string]string{}
	for sc.Scan() {
		line := sc.Text()
		pid, call, _ := strings.Cut(line, " ")
		call = strings.TrimLeft(call, " ")
		if head, ok := strings.CutSuffix(call, " <unfinished ...>"); ok {
			unfinished[pid] = head
			continue
		}
		if strings.HasPrefix(call, "<... ") {
			_, rest, ok := strings.Cut(call, " resumed>")
			head, had := unfinished[pid]
			if !ok || !had {
				t.Errorf("a resumed call whose start strace did not print: %s", line)
				continue
			}
			delete(unfinished, pid)
			call = head + rest
			line = pid + " " + call
		}
		name, _, _ := strings.Cut(call, "(")
		lines++
		switch {
		case name == "open" || name == "openat" || name == "openat2":
		case strings.HasPrefix(call, "---") || strings.HasPrefix(call, "+++"):
			continue // a signal, an exit
		default:
			t.Errorf("a call that changes the filesystem: %s", line)
			continue
		}
		if writes.MatchString(line) {
			t.Errorf("opened for writing: %s", line)
		}
		m := result.FindStringSubmatch(line)
		if m == nil {
			continue // failed
		}
		opens++
		p := m[1]
		switch {
		case p == input || strings.HasPrefix(p, input+"/"):
		case startup.MatchString(p):
		case strings.Contains(line, "O_PATH") && p == dir:
			// The probe for openat2: "/" in the working directory as its
			// root, O_PATH (nothing read).
		default:
			t.Errorf("opened outside the input: %s", strings.ReplaceAll(line, dir, "$DIR"))
		}
	}
	if opens == 0 {
		t.Fatalf("preexec %v: strace saw no open in %d lines", args, lines)
	}
}
