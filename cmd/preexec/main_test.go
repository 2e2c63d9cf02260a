package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/preexec/preexec/rootfs"
)

// bundle writes a bundle: config.json and a rootfs with a 0700 home
// directory owned by the current user and the probe ELF as /app.
func bundle(t testing.TB, config string) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "rootfs")
	home := filepath.Join(root, "home", "nonroot")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "app"), rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// other is a uid that does not own the test's files.
func other() int { return os.Getuid() + 1000680000 }

func incidentConfig() string {
	return fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "process":{"user":{"uid":%d,"gid":0},"cwd":"/home/nonroot","args":["/app"],"env":["PATH=/bin"]}}`, other())
}
