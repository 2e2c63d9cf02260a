package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/rootfs"
)

// unreadableDirEnv carries the bundles' directory to the copy of the test
// binary that TestUnreadableBundle runs as uid 65534.
const unreadableDirEnv = "PREEXEC_TEST_UNREADABLE_DIR"

// nobody is the uid and gid the test reads as when it runs as root.
const nobody = 65534

// TestUnreadableBundle pins issue 11's rule on real bundles: what preexec
// cannot read is not known. Run as root, it makes a bundle whose
// /home/nonroot is 0700 and owned by uid 1000 and reads it again as uid
// 65534 (a copy of the test binary run with that credential); run as a
// user, /home/nonroot is its own with mode 0, which its owner class may
// not search either. rootfs.Dir must answer with a *access.ReadError,
// Evaluate with Unknown for every runtime, and the CLI with exit 2 (nothing
// decided) or 3 (some decided, none fails), naming the path and the
// reason, never with a verdict of the container.
func TestUnreadableBundle(t *testing.T) {
	dir := os.Getenv(unreadableDirEnv)
	if dir == "" {
		dir = unreadableBundles(t)
		if os.Geteuid() == 0 {
			runAsNobody(t, dir)
			return
		}
	}
	checkUnreadable(t, dir)
}

// unreadableBundles writes, in a directory every uid may traverse:
//
//	rootfs/       /app (the probe ELF), /home/nonroot/{app,data}, where
//	              /home/nonroot is 0700 1000:1000 (as root) or 0000 and
//	              ours (as a user)
//	b1/           the container in /home/nonroot, running /home/nonroot/app
//	b2/           cwd a tmpfs mounted at /home/nonroot/data, running /app:
//	              runc gives the tmpfs the covered directory's mode, which
//	              cannot be read; crun 1.8.1 gives it 1777
//	b3/           root.path is /home/nonroot/data itself
func unreadableBundles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(dir, "rootfs")
	home := filepath.Join(root, "home", "nonroot")
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	elf := rootfs.ProbeELF(rootfs.EM_X86_64, "")
	for _, f := range []string{filepath.Join(root, "app"), filepath.Join(home, "app")} {
		if err := os.WriteFile(f, elf, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The container's user may search /home/nonroot, so the model must
	// look inside it: its owner when the directory is 1000's, root with
	// CAP_DAC_READ_SEARCH when it is mode 0.
	user, mode, capabilities := 1000, os.FileMode(0o700), ""
	if os.Geteuid() == 0 {
		for _, p := range []string{home, filepath.Join(home, "app"), filepath.Join(home, "data")} {
			if err := os.Chown(p, 1000, 1000); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		user, mode = 0, 0
		capabilities = `,"capabilities":{"bounding":["CAP_DAC_READ_SEARCH"],"effective":["CAP_DAC_READ_SEARCH"],"permitted":["CAP_DAC_READ_SEARCH"]}`
		t.Cleanup(func() { os.Chmod(home, 0o700) }) // before TempDir's removal
	}
	if err := os.Chmod(home, mode); err != nil {
		t.Fatal(err)
	}
	proc := fmt.Sprintf(`"user":{"uid":%d,"gid":%d},"env":["PATH=/bin"]%s`, user, user, capabilities)
	configs := map[string]string{
		"b1": fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":%q},"process":{%s,"cwd":"/home/nonroot","args":["/home/nonroot/app"]}}`, root, proc),
		"b2": fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":%q},"process":{%s,"cwd":"/home/nonroot/data","args":["/app"]},
 "mounts":[{"destination":"/home/nonroot/data","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]}]}`, root, proc),
		"b3": fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":%q},"process":{%s,"cwd":"/","args":["/app"]}}`, filepath.Join(home, "data"), proc),
	}
	for name, c := range configs {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "config.json"), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runAsNobody runs this test again in a copy of the test binary (the go
// tool's work directory is root's alone) as uid and gid 65534, and fails
// with its output if it fails or does not run.
func runAsNobody(t *testing.T, dir string) {
	t.Helper()
	bin := filepath.Join(dir, "preexec.test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err == nil {
		_, err = io.Copy(dst, src)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), unreadableDirEnv+"="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &exit):
		// setuid refused (no CAP_SETUID in this sandbox): the test
		// cannot be run here, and says so.
		t.Skipf("cannot run the test binary as uid %d: %v", nobody, err)
	case err != nil:
		t.Fatalf("as uid %d: %v\n%s", nobody, err, out)
	case !bytes.Contains(out, []byte("--- PASS: "+t.Name())):
		t.Fatalf("as uid %d the test did not run:\n%s", nobody, out)
	}
	t.Logf("as uid %d:\n%s", nobody, out)
}

// checkUnreadable is the test proper, run by a reader that may not search
// /home/nonroot.
func checkUnreadable(t *testing.T, dir string) {
	uid := os.Geteuid()
	root := filepath.Join(dir, "rootfs")
	reader := fmt.Sprintf("preexec (uid %d) could not ", uid)
	advice := "; read it as root, or check the image or an mtree manifest instead"
	if uid == 0 {
		t.Fatalf("running as root: %s would be readable", root)
	}

	// rootfs.Dir: the directory's own inode is read; what is in it is
	// the reader's EACCES, not the container's; a missing name is still
	// the tree's ENOENT.
	d, err := rootfs.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if ino, err := d.Lstat("/home/nonroot"); err != nil || !ino.IsDir() {
		t.Errorf("Lstat(/home/nonroot) = %+v, %v; want the directory", ino, err)
	}
	_, err = d.Lstat("/home/nonroot/app")
	var re *access.ReadError
	switch {
	case !errors.As(err, &re) || re.Path != "/home/nonroot/app" || re.Root != root || re.UID != uid:
		t.Errorf("Lstat(/home/nonroot/app) = %#v; want a *access.ReadError naming it, %s and uid %d", err, root, uid)
	case !errors.Is(err, access.ErrUnreadable) || !errors.Is(err, syscall.EACCES):
		t.Errorf("Lstat(/home/nonroot/app) = %v; want it to be ErrUnreadable and EACCES", err)
	case errors.Is(err, fs.ErrPermission):
		t.Errorf("Lstat(/home/nonroot/app) = %v is fs.ErrPermission: the reader's EACCES reads as the container's", err)
	}
	if _, err := d.Lstat("/missing"); err != access.ENOENT {
		t.Errorf("Lstat(/missing) = %v; want the tree's bare ENOENT", err)
	}
	if _, err := rootfs.NewDir(filepath.Join(root, "home", "nonroot", "data")); !errors.Is(err, access.ErrUnreadable) {
		t.Errorf("NewDir inside /home/nonroot = %v; want ErrUnreadable", err)
	}

	// Evaluate: unknown for every runtime, never a verdict.
	plan, fsys, err := loadBundle(filepath.Join(dir, "b1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range preexec.Runtimes() {
		r := preexec.Evaluate(plan, fsys, rt, preexec.Host{})
		want := reader + "lstat /home/nonroot/app in " + root + ": permission denied" + advice
		if r.Starts || r.Unknown != want || r.Text != "" || resulttest.FixesText(r) != "" || !errors.Is(r.Err, access.ErrUnreadable) {
			t.Errorf("%s: Starts %v, Step %s, Error %q, Fix %q, Unknown %q; want unknown: %s", rt.Name, r.Starts, r.Step, r.Text, resulttest.FixesText(r), r.Unknown, want)
		}
	}

	// The CLI.
	b1, b2, b3 := filepath.Join(dir, "b1"), filepath.Join(dir, "b2"), filepath.Join(dir, "b3")
	for _, r := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings; nil: stdout empty
		stderr string   // the whole of it
		rule   string
	}{
		{"nothing_decided", []string{"check", b1}, 2, nil,
			"preexec: no prediction: " + reader + "lstat /home/nonroot/app in " + root + ": permission denied" + advice + "\n",
			"every runtime unknown because of the reader: no prediction (exit 2), the path and why on stderr"},
		{"nothing_decided_json", []string{"check", "--json", b1}, 2, nil,
			"preexec: no prediction: " + reader + "lstat /home/nonroot/app in " + root + ": permission denied" + advice + "\n",
			"exit 2 prints no document"},
		{"explain_nothing_decided", []string{"explain", "--runtime", "runc@1.0.0-rc93", b1}, 2, nil,
			"preexec: no prediction: " + reader + "lstat /home/nonroot/app in " + root + ": permission denied" + advice + "\n",
			"explain of a runtime that cannot be told for the reader: exit 2"},
		{"some_decided", []string{"check", "--runtime", "runc@1.0.0-rc93", "--runtime", "runc@1.1.9", "--runtime", "crun@1.8.1", b2}, 3,
			[]string{"unknown on 2 of 3 runtimes: runc 1.0.0-rc93+go1.15, 1.1.9+go1.20; starts on the others\n",
				"runc 1.0.0-rc93+go1.15, 1.1.9+go1.20: unknown at mkdir-cwd\n    " + reader + "lstat /home/nonroot/data in " + root + ": permission denied" + advice + "\n",
				"starts on crun 1.8.1\n"}, "",
			"runc's tmpfs takes the mode of the directory it covers, which the reader could not read; crun's is 1777: exit 3"},
		{"some_decided_json", []string{"check", "--json", "--runtime", "runc@1.1.9", "--runtime", "crun@1.8.1", b2}, 3,
			[]string{`"unknown": "` + reader + "lstat /home/nonroot/data in " + root, `"unreadable": {`, `"op": "lstat"`, `"path": "/home/nonroot/data"`, `"errno": "EACCES"`}, "",
			"--json names what could not be read, and the errno of the reader apart from the container's"},
		{"root_unreadable", []string{"check", b3}, 2, nil,
			"preexec: no prediction: " + reader + "open / in " + filepath.Join(root, "home", "nonroot", "data") + ": permission denied" + advice + "\n",
			"root.path itself cannot be opened: bad input, exit 2"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(r.args, &out, &errb)
			if code != r.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s\nrule: %s", code, r.code, out.String(), errb.String(), r.rule)
			}
			if errb.String() != r.stderr {
				t.Errorf("stderr:\n%q\nwant\n%q\nrule: %s", errb.String(), r.stderr, r.rule)
			}
			if r.stdout == nil && out.Len() != 0 {
				t.Errorf("stdout not empty: %s\nrule: %s", out.String(), r.rule)
			}
			for _, s := range r.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s\nrule: %s", s, out.String(), r.rule)
				}
			}
			if strings.Contains(out.String(), "fails") || strings.Contains(out.String(), "chmod") {
				t.Errorf("a verdict on what could not be read:\n%s\nrule: %s", out.String(), r.rule)
			}
			if r.args[1] == "--json" && r.code != 2 {
				var v map[string]any
				if err := json.Unmarshal(out.Bytes(), &v); err != nil {
					t.Errorf("--json output is not one JSON document: %v", err)
				}
			}
		})
	}
}
