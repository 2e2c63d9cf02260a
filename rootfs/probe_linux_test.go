//go:build linux

package rootfs_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/preexec/preexec/rootfs"
)

// writeExec writes b to dir/name with mode 0755 and closes it before anyone
// runs it, so that no write descriptor makes execve fail with ETXTBSY.
func writeExec(t *testing.T, dir, name string, b []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// exitCode runs argv and returns its exit status. A concurrent fork in the
// test binary can briefly hold a descriptor of a just-written file
// (golang/go#22315), so ETXTBSY is retried.
func exitCode(t *testing.T, argv ...string) int {
	t.Helper()
	for try := 0; ; try++ {
		err := exec.Command(argv[0], argv[1:]...).Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitCode()
		case errors.Is(err, syscall.ETXTBSY) && try < 20:
			time.Sleep(10 * time.Millisecond)
			continue
		}
		t.Fatalf("run %q: %v", argv, err)
	}
}

// TestProbeELFRuns runs the probe on the host kernel: the exit status says
// it ran (ProbeExitRan) and whether it could open its last argument
// (ProbeExitRan+errno otherwise), which the kernel oracle relies on to tell
// "execve returned" from "the new image ran".
func TestProbeELFRuns(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("the probe's code is x86_64; GOARCH is %s", runtime.GOARCH)
	}
	dir := t.TempDir()
	probe := writeExec(t, dir, "probe", rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o755)
	dyn := writeExec(t, dir, "dyn", rootfs.ProbeELF(rootfs.EM_X86_64, probe), 0o755)
	script := writeExec(t, dir, "script", []byte("#!"+probe+"\n"), 0o755)
	readable := writeExec(t, dir, "data", []byte("x"), 0o644)
	missing := filepath.Join(dir, "missing")

	for _, c := range []struct {
		name string
		argv []string
		want int
		rule string
	}{
		{"static_no_argument", []string{probe}, rootfs.ProbeExitRan, "argc < 2: exit 100"},
		{"static_opens_argument", []string{probe, readable}, rootfs.ProbeExitRan, "opened its last argument: exit 100"},
		{"static_missing_argument", []string{probe, "a", missing}, rootfs.ProbeExitRan + int(syscall.ENOENT), "open of the last argument fails: exit 100+ENOENT = 102"},
		{"dynamic_interp_is_probe", []string{dyn}, rootfs.ProbeExitRan, "load_elf_binary maps PT_INTERP and starts there: the interpreter probe runs"},
		{"dynamic_missing_argument", []string{dyn, missing}, rootfs.ProbeExitRan + int(syscall.ENOENT), "the interpreter sees the same argv"},
		{"script_interpreter", []string{script}, rootfs.ProbeExitRan, "binfmt_script runs the probe with the script as its last argument; it can open it"},
		{"script_with_argument", []string{script, missing}, rootfs.ProbeExitRan + int(syscall.ENOENT), "the script's own arguments follow it: the last one is missing"},
	} {
		if got := exitCode(t, c.argv...); got != c.want {
			t.Errorf("%s: exit %d, want %d (%s)", c.name, got, c.want, c.rule)
		}
	}
}

// TestProbeELFOtherMachine checks that the aarch64 probe does not run on
// x86_64: execve fails with ENOEXEC (fs/binfmt_elf.c:load_elf_binary's
// elf_check_arch), unless a binfmt_misc handler (qemu-user) takes it.
func TestProbeELFOtherMachine(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("checks a foreign ELF on x86_64; GOARCH is %s", runtime.GOARCH)
	}
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64"); err == nil {
		t.Skip("binfmt_misc has a qemu-aarch64 handler: the foreign probe would run")
	}
	p := writeExec(t, t.TempDir(), "arm", rootfs.ProbeELF(rootfs.EM_AARCH64, ""), 0o755)
	var err error
	for try := 0; try < 20; try++ {
		if err = exec.Command(p).Run(); !errors.Is(err, syscall.ETXTBSY) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(err, syscall.ENOEXEC) {
		t.Errorf("run aarch64 probe: %v, want ENOEXEC", err)
	}
}
